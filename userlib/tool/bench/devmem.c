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
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	const struct bench_cfg *cfg;
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
		.cfg = cfg,
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
		row->host_cpu = dp.wall_ns ?
			100.0 * (double)dp.cpu_ns / (double)dp.wall_ns : -1;
	}
close:
	rpcdev_close(&dev);
out:
	free(dp.samples);
	return ret;
}
