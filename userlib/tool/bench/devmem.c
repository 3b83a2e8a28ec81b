// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev bench: the floor of the device's own path, a ping-pong through a
 * queue's memory between this program and the device's firmware.
 *
 * The host posts a value in a host-to-device mailbox slot with one store
 * (rpcdev_mbox_store()); the firmware, running RPCDEV_SIM_PINGPONG, sees
 * it with one load and answers with a device-to-host mailbox message,
 * which the host reads in place from the mapped control page and takes by
 * moving mb_cons there itself. No system call, no interrupt, no doorbell:
 * a word each way through the memory every call of the queue goes
 * through (rpcdev_sim: the guest's memory; rpcdev_ivshmem: the device's
 * BAR2, shared with the firmware's process), between the host thread on
 * host_cpu and the firmware where it runs for the upcall rows. Both sides
 * spin. The host times each round trip on CLOCK_MONOTONIC.
 *
 * The method runs as a downcall on the same queue (a BLOCK queue: the
 * caller sleeps in RPCDEV_IOC_CALL), from a thread on dev_cpu at
 * SCHED_IDLE, so that it never takes a CPU from either side. The messages
 * are taken behind the kernel's back (its own consumer index stays
 * behind): the queue is this row's alone, and closed after it.
 *
 * Beside it, the way a lab's device reaches its host today: TCP, here a
 * ping-pong of BENCH_MSG_SIZE bytes (TCP_NODELAY) with an echo the
 * device's firmware serves (--fw-tcp; rpcdev-ivshmem-fw --tcp-echo, over
 * QEMU's user network), timed on the host thread like the others.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/rpcdev.h>
#include <linux/rpcdev_sim.h>

#include "rpcdev.h"
#include "bench.h"

/* The slot the host posts in. */
#define DP_SLOT			0
/* How long either side waits for the other's next word. */
#define DP_TIMEOUT_NS		(10ULL * 1000000000ULL)
/* Spins between two looks at the clock and at the device thread. */
#define DP_SPINS		4096

struct dp {
	struct rpcdev *dev;
	const struct rpcdev_dev_ctrl *d;
	struct rpcdev_host_ctrl *h;
	unsigned int warmup, total;	/* total includes the warm-up */
	uint64_t *samples;
	uint32_t seq;			/* the slot's sequence before round 0 */
	uint64_t cpu_ns, wall_ns;	/* the host thread's, measured part */
	int ended;			/* the device's method returned */
	/* The device's method: its answer, or why it failed. */
	struct rpcdev_sim_pingpong_result res;
	struct rpcdev_call_result cr;
	int call_ret;
};

/* The device's side: RPCDEV_SIM_PINGPONG, all rounds, as one downcall. */
static int dp_device(void *arg)
{
	struct dp *dp = arg;
	struct rpcdev_sim_pingpong req = {
		.slot = DP_SLOT,
		.count = dp->total,
		.seq = dp->seq,
		.timeout_us = DP_TIMEOUT_NS / 1000,
	};

	bench_idle(true);
	dp->call_ret = rpcdev_call(dp->dev, RPCDEV_SIM_PINGPONG, &req,
				   sizeof(req), &dp->res, sizeof(dp->res),
				   DP_TIMEOUT_NS * 2, &dp->cr);
	bench_idle(false);
	__atomic_store_n(&dp->ended, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Wait for the device-to-host message after @cons: its value, or -errno
 * (-EPIPE: the device's method ended; -ETIMEDOUT).
 */
static int64_t dp_answer(struct dp *dp, uint32_t cons)
{
	uint64_t deadline = bench_now_ns() + DP_TIMEOUT_NS;
	unsigned int i;

	for (;;) {
		for (i = 0; i < DP_SPINS; i++) {
			if (__atomic_load_n(&dp->d->mb_prod.val,
					    __ATOMIC_ACQUIRE) != cons)
				return (uint32_t)__atomic_load_n(
					&dp->d->mb_msgs[cons % RPCDEV_MBOX_DEPTH],
					__ATOMIC_RELAXED);
			bench_relax();
		}
		if (__atomic_load_n(&dp->ended, __ATOMIC_ACQUIRE))
			return -EPIPE;
		if (bench_now_ns() >= deadline)
			return -ETIMEDOUT;
	}
}

/* The host's side: post, wait for the answer, take it; time each round. */
static int dp_host(void *arg)
{
	struct dp *dp = arg;
	uint32_t cons = __atomic_load_n(&dp->d->mb_prod.val, __ATOMIC_ACQUIRE);
	uint64_t cpu0 = 0, wall0 = 0;
	unsigned int i;
	int ret;

	/* Whatever waited before is not this row's. */
	__atomic_store_n(&dp->h->mb_cons.val, cons, __ATOMIC_RELEASE);
	for (i = 0; i < dp->total; i++) {
		uint64_t t0 = bench_now_ns();
		int64_t v;

		if (i == dp->warmup) {
			cpu0 = bench_thread_cpu_ns();
			wall0 = t0;
		}
		ret = rpcdev_mbox_store(dp->dev, DP_SLOT, i, NULL);
		if (ret)
			return ret;
		v = dp_answer(dp, cons);
		if (v < 0)
			return (int)v;
		cons++;
		/* The message is read; the device may write its entry again. */
		__atomic_store_n(&dp->h->mb_cons.val, cons, __ATOMIC_RELEASE);
		if (i >= dp->warmup)
			dp->samples[i - dp->warmup] = bench_now_ns() - t0;
		if ((uint32_t)v != i)
			return -EPROTO;
	}
	dp->cpu_ns = bench_thread_cpu_ns() - cpu0;
	dp->wall_ns = bench_now_ns() - wall0;
	return 0;
}

/* Why the run failed, from both sides' results, into @row's note. */
static int dp_why(struct dp *dp, int host_ret, struct bench_row *row)
{
	if (dp->call_ret) {
		bench_note(row, "ping-pong downcall: %s", strerror(-dp->call_ret));
		return dp->call_ret;
	}
	if (dp->cr.status != RPCDEV_STATUS_OK ||
	    dp->cr.resp_len != sizeof(dp->res)) {
		bench_note(row, "ping-pong downcall: status %d, %u bytes",
			   dp->cr.status, dp->cr.resp_len);
		return -EPROTO;
	}
	if (host_ret == -EPROTO) {
		bench_note(row, "the device answered a round with another's value");
		return host_ret;
	}
	if (host_ret || dp->res.done != dp->total) {
		bench_note(row, "the device answered %u of %u rounds%s%s",
			   dp->res.done, dp->total, host_ret ? ": " : "",
			   host_ret ? strerror(-host_ret) : "");
		return host_ret ? host_ret : -EPROTO;
	}
	return 0;
}

int bench_dev_pingpong(const struct bench_cfg *cfg,
		       const struct bench_def *def, struct bench_row *row)
{
	struct bench_thread th = {}, td = {};
	struct dp dp = {
		.warmup = cfg->shm_iters / 10,
		.total = cfg->shm_iters / 10 + cfg->shm_iters,
	};
	struct rpcdev dev;
	int ret, hret;

	dp.samples = calloc(cfg->shm_iters, sizeof(*dp.samples));
	if (!dp.samples)
		return -ENOMEM;
	ret = bench_dev_open(cfg, def, &dev, 0, 0, 0, RPCDEV_WAIT_BLOCK,
			     cfg->dev_cpu, -1, row);
	if (ret)
		goto out;
	dp.dev = &dev;
	dp.d = rpcdev_queue_part(&dev, RPCDEV_OFF_DEV, NULL);
	dp.h = rpcdev_queue_part(&dev, RPCDEV_OFF_HOST, NULL);
	if (!dp.d || !dp.h) {
		bench_note(row, "the queue's control pages are not mapped");
		ret = -ENODEV;
		goto close;
	}
	dp.seq = RPCDEV_MBOX_SEQ(__atomic_load_n(&dp.h->mbox[DP_SLOT],
						 __ATOMIC_ACQUIRE));
	/*
	 * The device's method first: it answers the first post after
	 * dp.seq, however soon the host makes it.
	 */
	ret = bench_spawn(&td, cfg->dev_cpu, dp_device, &dp);
	if (ret) {
		bench_note(row, "device thread: %s", strerror(-ret));
		goto close;
	}
	ret = bench_spawn(&th, cfg->host_cpu, dp_host, &dp);
	hret = ret ? ret : bench_join(&th);
	/*
	 * A host that stopped early leaves the device waiting for a post
	 * until its timeout: post nothing more, it ends by itself then.
	 */
	bench_join(&td);
	ret = dp_why(&dp, hret, row);
	if (!ret) {
		bench_stats_from(dp.samples, cfg->shm_iters, &row->lat);
		row->host_cpu = bench_cpu_pct(dp.cpu_ns, dp.wall_ns);
	}
close:
	rpcdev_close(&dev);
out:
	free(dp.samples);
	return ret;
}

struct ft {
	struct sockaddr_in sa;
	unsigned int warmup, total;
	uint64_t *samples;
	uint64_t cpu_ns, wall_ns;
};

/* Parse "ADDR:PORT" (IPv4) into @sa; 0 or -EINVAL. */
static int ft_parse(const char *s, struct sockaddr_in *sa)
{
	const char *colon = strrchr(s, ':');
	char host[INET_ADDRSTRLEN];
	unsigned long port;
	char *end;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, colon - s);
	host[colon - s] = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || !port || port > 65535)
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -EINVAL;
}

static int ft_run(void *arg)
{
	struct ft *ft = arg;
	char buf[BENCH_MSG_SIZE];
	uint64_t cpu0 = 0, wall0 = 0;
	int fd, one = 1, ret = 0;
	unsigned int i;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ft->sa, sizeof(ft->sa)) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one))) {
		ret = -errno;
		goto out;
	}
	for (i = 0; i < ft->total && !ret; i++) {
		uint64_t t0 = bench_now_ns();

		if (i == ft->warmup) {
			cpu0 = bench_thread_cpu_ns();
			wall0 = t0;
		}
		memset(buf, (int)(i & 0xff), sizeof(buf));
		ret = bench_write_all(fd, buf, sizeof(buf));
		if (!ret)
			ret = bench_read_all(fd, buf, sizeof(buf));
		if (!ret && i >= ft->warmup)
			ft->samples[i - ft->warmup] = bench_now_ns() - t0;
		/* The echo sends back what it got, byte for byte. */
		if (!ret && (buf[0] != (char)(i & 0xff) ||
			     buf[sizeof(buf) - 1] != (char)(i & 0xff)))
			ret = -EPROTO;
	}
	ft->cpu_ns = bench_thread_cpu_ns() - cpu0;
	ft->wall_ns = bench_now_ns() - wall0;
out:
	close(fd);
	return ret;
}

int bench_fw_tcp_check(const char *addr)
{
	struct sockaddr_in sa;

	return ft_parse(addr, &sa);
}

int bench_fw_tcp(const struct bench_cfg *cfg, const struct bench_def *def,
		 struct bench_row *row)
{
	struct ft ft = {
		.warmup = cfg->warmup,
		.total = cfg->warmup + cfg->iters,
	};
	struct bench_thread t = {};
	int ret;

	(void)def;
	if (!cfg->fw_tcp) {
		bench_note(row, "no firmware TCP echo given (--fw-tcp; the VM runner's bench on ivshmem gives it)");
		return -EOPNOTSUPP;
	}
	if (ft_parse(cfg->fw_tcp, &ft.sa)) {
		bench_note(row, "--fw-tcp %s: not an IPv4 ADDR:PORT", cfg->fw_tcp);
		return -EINVAL;
	}
	ft.samples = calloc(cfg->iters, sizeof(*ft.samples));
	if (!ft.samples)
		return -ENOMEM;
	ret = bench_spawn(&t, cfg->host_cpu, ft_run, &ft);
	if (!ret)
		ret = bench_join(&t);
	if (ret) {
		bench_note(row, "TCP to the firmware at %s: %s", cfg->fw_tcp,
			   ret == -EPROTO ? "the echo sent other bytes back" :
			   strerror(-ret));
	} else {
		bench_stats_from(ft.samples, cfg->iters, &row->lat);
		row->host_cpu = bench_cpu_pct(ft.cpu_ns, ft.wall_ns);
	}
	free(ft.samples);
	return ret;
}
