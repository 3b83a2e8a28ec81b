// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev bench: the device's side of the table, on rpcdev_sim.
 *
 * Placement: the simulated device's firmware thread of each queue is bound
 * to dev_cpu through rpcdev_sim's fw_cpu parameter (written before the
 * queue is attached); the host's server or caller thread runs on host_cpu.
 * The thread that asks the device to make upcalls (one RPCDEV_SIM_UPCALLS
 * downcall per run, on the same queue: the simulated device makes upcalls
 * only when asked) waits through the run on dev_cpu. With ADAPTIVE it
 * sleeps in RPCDEV_IOC_ENTER, so the queue wants interrupts and every
 * upcall raises one even though the server spins: the row shows that cost.
 *
 * Upcall latencies are the device's own measurement (struct
 * rpcdev_sim_upcall_result): from just before it publishes an upcall to
 * when it sees the reply, on the device clock (ktime_get_ns(), the same
 * clock as the host's CLOCK_MONOTONIC). The server echoes each request in
 * place into its reply buffer and the device checks every reply
 * (RPCDEV_SIM_UPCALL_VERIFY), so the work is really done.
 *
 * The wait policies are librpcdev's (rpcdev_queue_attach_policy()): BLOCK
 * sleeps in RPCDEV_IOC_REPLY_AND_WAIT until the device's interrupt; POLL
 * and ADAPTIVE drive the rings from user space. The queues of the upcall
 * rows are attached with RPCDEV_QUEUE_TIMESTAMPS, so the device also
 * reports where the time of a round trip goes (user rings are always
 * stamped; the kernel's stamps cost it a clock read per stage). The thread
 * that asks for the upcalls runs SCHED_IDLE meanwhile: with POLL it spins
 * for its own answer, and it must not take the device's CPU from the
 * firmware.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <liburing.h>
#include <linux/rpcdev_sim.h>

#include "rpcdev.h"
#include "bench.h"

/* The host method the device's upcalls call (any number does). */
#define RB_METHOD		1
/* Generous limits: a run of 20000 upcalls in a slow VM takes seconds. */
#define RB_RUN_TIMEOUT_NS	(600ULL * 1000000000ULL)
#define RB_CALL_TIMEOUT_NS	(10ULL * 1000000000ULL)
#define RB_REPLY_TIMEOUT_MS	10000
/* Runs of the mailbox check; the median is kept. */
#define RB_MBOX_RUNS		5
/* POLL and ADAPTIVE servers look at their stop flag this often. */
#define RB_SERVE_TIMEOUT_NS	(1000ULL * 1000000ULL)

/*
 * Open @def's device and attach queue @qid with @policy (librpcdev's, with
 * its flags); on the simulated device, its firmware on @fw_cpu and, when
 * @spin_us >= 0, polling that long before it sleeps (rpcdev_sim's
 * fw_spin_us, given back right after the attach). Another device's
 * firmware places itself and keeps its own budget. A queue released a
 * moment ago may still be busy: retry for a while.
 */
int bench_dev_open(const struct bench_cfg *cfg, const struct bench_def *def,
		   struct rpcdev *dev, unsigned int qid, unsigned int depth,
		   unsigned int buf_size, unsigned int policy, int fw_cpu,
		   int spin_us, struct bench_row *row)
{
	const char *path = cfg->dev[def->device].path;
	bool sim = cfg->dev[def->device].sim;
	int ret, tries;

	if (!sim) {
		if (spin_us >= 0)
			bench_note(row, "the device keeps its own spin budget");
		spin_us = -1;
	}
	if (sim && cfg->fw_pinned) {
		ret = bench_sim_param_set("fw_cpu", fw_cpu);
		if (ret) {
			bench_note(row, "setting fw_cpu: %s", strerror(-ret));
			return ret;
		}
	}
	if (spin_us >= 0) {
		if (cfg->fw_spin_us < 0) {
			bench_note(row, "rpcdev_sim's fw_spin_us cannot be read");
			return -EOPNOTSUPP;
		}
		ret = bench_sim_param_set("fw_spin_us", spin_us);
		if (ret) {
			bench_note(row, "setting fw_spin_us: %s", strerror(-ret));
			return ret;
		}
	}
	ret = rpcdev_open(dev, path);
	if (ret) {
		bench_note(row, "%s: %s", path, strerror(-ret));
	} else {
		for (tries = 0; tries < 200; tries++) {
			ret = rpcdev_queue_attach_policy(dev, qid, depth,
							 buf_size, policy);
			if (ret != -EBUSY)
				break;
			usleep(10000);
		}
		if (ret) {
			bench_note(row, "%s: queue %u: %s", path, qid,
				   strerror(-ret));
			rpcdev_close(dev);
		}
	}
	if (spin_us >= 0)
		bench_sim_param_set("fw_spin_us", cfg->fw_spin_us);
	return ret;
}

/* Describe a call's answer that is not OK; -EPROTO. */
static int rb_bad_answer(struct bench_row *row, const char *what,
			 const struct rpcdev_call_result *cr,
			 const void *resp, size_t cap)
{
	const char *name = rpcdev_status_name(cr->status);
	struct rpcdev_error err;

	if (cr->status == RPCDEV_STATUS_ERROR && (cr->flags & RPCDEV_ENTRY_ERROR)) {
		rpcdev_error_split(resp, cr->resp_len < cap ? cr->resp_len : cap,
				   &err);
		bench_note(row, "%s: %.*s: %.*s", what, (int)err.name_len,
			   err.name, (int)err.message_len, err.message);
	} else if (name && cr->status != RPCDEV_STATUS_OK) {
		bench_note(row, "%s: the device answered %s", what, name);
	} else if (!name) {
		bench_note(row, "%s: the device answered status %d", what,
			   cr->status);
	} else {
		bench_note(row, "%s: answer of %u bytes", what, cr->resp_len);
	}
	return -EPROTO;
}

/* How often the main thread looks for a run's answer while it sleeps. */
#define RB_RUN_NAP_US		5000

/*
 * A run's downcall, its answer waited for asleep. On a POLL queue
 * rpcdev_call() would spin for the whole run on the main thread's CPU,
 * which on a device whose firmware runs elsewhere (ivshmem: a process of
 * the build host) is one the firmware and the server need: the call is
 * submitted and its answer looked for every RB_RUN_NAP_US. A BLOCK queue
 * (rpcdev_submit() says -EINVAL) sleeps in the kernel anyway.
 */
static int rb_call_asleep(struct rpcdev *dev, unsigned int method,
			  const void *req, size_t req_len, void *resp,
			  size_t cap, uint64_t timeout_ns,
			  struct rpcdev_call_result *cr)
{
	struct rpcdev_async_call call = {
		.method = method, .req = req, .req_len = req_len,
	};
	uint64_t start = bench_now_ns();
	struct rpcdev_completion c;
	int ret;

	ret = rpcdev_submit(dev, &call, 1);
	if (ret == -EINVAL)
		return rpcdev_call(dev, method, req, req_len, resp, cap,
				   timeout_ns, cr);
	if (ret < 0)
		return ret;
	while (!(ret = rpcdev_reap(dev, &c, 1, 0, 0))) {
		/* The queue is closed after a run that timed out. */
		if (bench_now_ns() - start >= timeout_ns)
			return -ETIMEDOUT;
		usleep(RB_RUN_NAP_US);
	}
	if (ret < 0)
		return ret;
	ret = c.err;
	if (!ret) {
		memset(cr, 0, sizeof(*cr));
		cr->status = c.status;
		cr->flags = c.flags;
		cr->resp_len = (unsigned int)c.len;
		memcpy(resp, c.data, c.len < cap ? c.len : cap);
	}
	rpcdev_completion_done(dev, &c);
	return ret;
}

/* One RPCDEV_SIM_UPCALLS run; 0 when every upcall was answered OK. */
static int rb_run_upcalls(struct rpcdev *dev, uint32_t count, uint32_t size,
			  uint32_t flags, struct rpcdev_sim_upcall_result *res,
			  struct bench_row *row)
{
	struct rpcdev_sim_upcalls req = {
		.count = count,
		.method = RB_METHOD,
		.size = size,
		.flags = flags,
		.timeout_ms = RB_REPLY_TIMEOUT_MS,
	};
	/* Room for an error payload too. */
	union {
		struct rpcdev_sim_upcall_result res;
		char raw[256];
	} resp;
	struct rpcdev_call_result cr;
	int ret;

	if (!count)
		return 0;
	memset(&resp, 0, sizeof(resp));
	ret = rb_call_asleep(dev, RPCDEV_SIM_UPCALLS, &req, sizeof(req), &resp,
			  sizeof(resp), RB_RUN_TIMEOUT_NS, &cr);
	if (ret) {
		bench_note(row, "upcalls downcall: %s", strerror(-ret));
		return ret;
	}
	if (cr.status != RPCDEV_STATUS_OK || cr.resp_len != sizeof(*res))
		return rb_bad_answer(row, "upcalls", &cr, &resp, sizeof(resp));
	*res = resp.res;
	if (res->done != count || res->failed || res->timed_out ||
	    res->mismatched) {
		bench_note(row, "upcalls: %u of %u done, %u failed, %u timed out, %u mismatched",
			   res->done, count, res->failed, res->timed_out,
			   res->mismatched);
		return -EIO;
	}
	return 0;
}

/* An upcall server thread: serves exactly @total upcalls. */
struct srv {
	struct rpcdev *dev;
	struct rpcdev *dev2;	/* io_uring: a second queue it serves, or NULL */
	unsigned int policy;	/* enum rpcdev_wait_policy */
	uint64_t total;		/* upcalls to serve, then stop */
	uint64_t mark;		/* the measured part starts after this many */
	uint64_t served;
	bool echo;
	/* Thread CPU and wall time at upcall mark + 1 and at the last one. */
	uint64_t cpu0, cpu1, wall0, wall1;
	sem_t ready;
	volatile sig_atomic_t stop;	/* give up (with a signal to wake it) */
	volatile sig_atomic_t exited;
};

static int srv_handler(void *ctx, const struct rpcdev_upcall_req *up,
		       struct rpcdev_upcall_reply *reply)
{
	struct srv *s = ctx;

	if (++s->served == s->mark + 1) {
		s->cpu0 = bench_thread_cpu_ns();
		s->wall0 = bench_now_ns();
	}
	if (s->echo && !(up->flags & RPCDEV_ENTRY_ASYNC)) {
		/* The reply, written in place: no copy by the kernel. */
		memcpy(up->reply, up->data, up->len);
		reply->len = up->len;
	}
	if (s->served >= s->total) {
		s->cpu1 = bench_thread_cpu_ns();
		s->wall1 = bench_now_ns();
		return RPCDEV_SERVE_STOP;
	}
	return 0;
}

/*
 * Serve from a ring of its own, as rpcdev_uring_serve() wants one per run:
 * a signal that ends the wait (-EINTR) ends the ring too. With @s->dev2,
 * one ring serves both queues, a fetch in flight on each.
 */
static int srv_uring(struct srv *s)
{
	struct rpcdev *devs[2] = { s->dev, s->dev2 };
	unsigned int n = s->dev2 ? 2 : 1;
	struct rpcdev_uring_op op[2];
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init(4, &ring, IORING_SETUP_SINGLE_ISSUER |
				  IORING_SETUP_DEFER_TASKRUN);
	if (ret)
		return ret;
	ret = rpcdev_uring_serve(&ring, devs, n, op, n, srv_handler, s);
	io_uring_queue_exit(&ring);
	return ret;
}

/*
 * Serve until the handler stops. The policy is the queue's (attached with
 * it): BLOCK is one RPCDEV_IOC_REPLY_AND_WAIT per upcall, woken by a
 * signal to give up; POLL and ADAPTIVE spin in the library, which
 * rpcdev_interrupt() ends (and a timeout, should all else fail).
 */
static int bench_serve(struct srv *s)
{
	if (s->policy == BENCH_URING_SERVER)
		return srv_uring(s);
	return rpcdev_serve(s->dev, srv_handler, s,
			    s->policy == RPCDEV_WAIT_BLOCK ? 0 : RB_SERVE_TIMEOUT_NS);
}

static int srv_thread(void *arg)
{
	struct srv *s = arg;
	int ret;

	sem_post(&s->ready);
	for (;;) {
		ret = bench_serve(s);
		if (ret == RPCDEV_SERVE_STOP) {
			ret = 0;
			break;
		}
		if ((ret == -EINTR || ret == -ETIMEDOUT) && !s->stop)
			continue;
		if (s->stop)
			ret = -ECANCELED;
		break;
	}
	s->exited = 1;
	return ret;
}

static void srv_sigusr1(int sig)
{
	(void)sig;
}

/* Start a server of @total upcalls on host_cpu. */
static int srv_start(const struct bench_cfg *cfg, struct srv *s,
		     struct bench_thread *t)
{
	struct sigaction sa;
	int ret;

	/* No SA_RESTART: the signal ends the server's wait with EINTR. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = srv_sigusr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);

	sem_init(&s->ready, 0, 0);
	ret = bench_spawn(t, cfg->host_cpu, srv_thread, s);
	if (ret)
		return ret;
	while (sem_wait(&s->ready) && errno == EINTR)
		;
	return 0;
}

/*
 * Wait for the server; when @abort, first make it give up (the device will
 * make no more upcalls): signal it until it has left its wait.
 */
static int srv_finish(struct srv *s, struct bench_thread *t, bool abort)
{
	int ret;

	if (abort && t->started) {
		s->stop = 1;
		while (!s->exited) {
			/* A spinning server, then one asleep in a system call. */
			if (s->policy != RPCDEV_WAIT_BLOCK)
				rpcdev_interrupt(s->dev);
			pthread_kill(t->tid, SIGUSR1);
			usleep(10000);
		}
	}
	ret = bench_join(t);
	sem_destroy(&s->ready);
	return ret;
}

/*
 * Make the calling thread SCHED_IDLE (@idle) or SCHED_OTHER again: it runs
 * only when the device's CPU has nothing else to do.
 */
void bench_idle(bool idle)
{
	struct sched_param sp = { .sched_priority = 0 };

	pthread_setschedparam(pthread_self(), idle ? SCHED_IDLE : SCHED_OTHER,
			      &sp);
}

/*
 * A server on @dev serving a warm-up run of @warmup upcalls, then a run of
 * @count, each of @size bytes with @flags. The measured run's result in
 * @res, the server's CPU time over it in @cpu_ns.
 */
static int rb_serve_runs(const struct bench_cfg *cfg, struct rpcdev *dev,
			 unsigned int policy, uint32_t warmup,
			 uint32_t count, uint32_t size, uint32_t flags,
			 struct rpcdev_sim_upcall_result *res, uint64_t *cpu_ns,
			 struct bench_row *row)
{
	struct rpcdev_sim_upcall_result wres;
	struct bench_thread t = { 0 };
	struct srv s = {
		.dev = dev,
		.policy = policy,
		.total = (uint64_t)warmup + count,
		.mark = warmup,
		.echo = true,
	};
	int ret, sret;

	ret = srv_start(cfg, &s, &t);
	if (ret) {
		bench_note(row, "server thread: %s", strerror(-ret));
		return ret;
	}
	bench_idle(true);
	ret = rb_run_upcalls(dev, warmup, size, flags, &wres, row);
	if (!ret)
		ret = rb_run_upcalls(dev, count, size, flags, res, row);
	bench_idle(false);
	sret = srv_finish(&s, &t, ret != 0);
	if (!ret && sret) {
		bench_note(row, "server: %s", strerror(-sret));
		ret = sret;
	}
	if (!ret)
		*cpu_ns = s.cpu1 - s.cpu0;
	return ret;
}

static void rb_row_from_result(struct bench_row *row,
			       const struct rpcdev_sim_upcall_result *res,
			       uint32_t count, uint64_t cpu_ns)
{
	row->lat.n = count;
	row->lat.min = res->min_ns;
	row->lat.p50 = res->p50_ns;
	row->lat.p99 = res->p99_ns;
	row->lat.p999 = res->p999_ns;
	row->lat.max = res->max_ns;
	row->lat.mean = res->mean_ns;
	row->clock = "device";
	row->host_cpu = bench_cpu_pct(cpu_ns, res->total_ns);
	row->stamped = res->stamped;
	memcpy(row->stage_ns, res->stage_ns, sizeof(row->stage_ns));
}

/*
 * The queue of @def's upcalls: the default one, or for a payload above the
 * default buffer two slots of def->size bytes (2 MiB per buffer part at
 * 1 MiB, below RPCDEV_MAX_BUFS, and little shared memory on any device).
 */
static void rb_upcall_queue(const struct bench_def *def, unsigned int *depth,
			    unsigned int *buf_size)
{
	bool big = def->size > RPCDEV_DEFAULT_BUF_SIZE;

	*depth = big ? 2 : 0;
	*buf_size = big ? def->size : 0;
}

/*
 * @warmup, then @count sync upcalls of def->size bytes to a @server
 * server (enum rpcdev_wait_policy or BENCH_URING_SERVER) on a queue
 * attached with @flags, echoed and checked: the device's latencies, and
 * the call rate over the run, into @row.
 */
static int rb_sync_upcalls(const struct bench_cfg *cfg,
			   const struct bench_def *def, unsigned int server,
			   unsigned int flags, uint32_t warmup, uint32_t count,
			   struct rpcdev_sim_upcall_result *res,
			   struct bench_row *row)
{
	unsigned int policy = server == BENCH_URING_SERVER ?
			      RPCDEV_WAIT_BLOCK : server;
	unsigned int depth, buf_size;
	struct rpcdev dev;
	uint64_t cpu_ns = 0;
	int ret;

	rb_upcall_queue(def, &depth, &buf_size);
	ret = bench_dev_open(cfg, def, &dev, 0, depth, buf_size, policy | flags,
			     cfg->dev_cpu,
			     def->flags & BENCH_DEV_SLEEPS ? 0 : -1, row);
	if (ret)
		return ret;
	ret = rb_serve_runs(cfg, &dev, server, warmup, count, def->size,
			    RPCDEV_SIM_UPCALL_VERIFY, res, &cpu_ns, row);
	rpcdev_close(&dev);
	if (ret)
		return ret;
	rb_row_from_result(row, res, count, cpu_ns);
	row->rate = res->total_ns ? 1e9 * count / (double)res->total_ns : 0;
	return 0;
}

/*
 * Sync upcalls of def->size bytes to a def->policy server. With
 * BENCH_STAMPS the stages are stamped: stamped rows say where the time
 * goes, and a polling server reads no clock when it is not asked for
 * stamps, which is the fast path. With BENCH_DEV_SLEEPS the device does
 * not poll for the reply but sleeps until the host's doorbell: both sides
 * sleep, as in the eventfd ping-pong (rpcdev_sim's firmware normally
 * polls for fw_spin_us first). A payload above the default buffer gets a
 * queue of its size (rb_upcall_queue()).
 */
int bench_upcalls(const struct bench_cfg *cfg, const struct bench_def *def,
		  struct bench_row *row)
{
	unsigned int flags = def->flags & BENCH_STAMPS ? RPCDEV_QUEUE_TIMESTAMPS : 0;
	struct rpcdev_sim_upcall_result res;
	int ret;

	ret = rb_sync_upcalls(cfg, def, def->policy, flags, cfg->warmup,
			      cfg->iters, &res, row);
	if (ret)
		return ret;
	/* The firmware keeps only the stamps that read one clock. */
	if (flags && !res.stamped)
		bench_note(row, "no round trip split: the device's clock is not this kernel's");
	return 0;
}

/*
 * An ADAPTIVE server that has just served a burst, then waits with nothing
 * to do for cfg->idle_ms: its CPU time over that wait (from its last
 * upcall of the burst to the next upcall).
 */
int bench_adaptive_idle(const struct bench_cfg *cfg,
			const struct bench_def *def, struct bench_row *row)
{
	struct rpcdev_sim_upcall_result res;
	struct bench_thread t = { 0 };
	struct rpcdev dev;
	uint32_t burst = cfg->warmup > 10 ? cfg->warmup : 10;
	struct srv s = {
		.dev = &dev,
		.policy = RPCDEV_WAIT_ADAPTIVE,
		.total = burst + 1,
		.mark = burst - 1,	/* from the burst's last upcall */
		.echo = true,
	};
	int ret, sret;

	ret = bench_dev_open(cfg, def, &dev, 0, 0, 0, RPCDEV_WAIT_ADAPTIVE,
			     cfg->dev_cpu, -1, row);
	if (ret)
		return ret;
	ret = srv_start(cfg, &s, &t);
	if (ret) {
		bench_note(row, "server thread: %s", strerror(-ret));
		rpcdev_close(&dev);
		return ret;
	}
	bench_idle(true);
	ret = rb_run_upcalls(&dev, burst, BENCH_MSG_SIZE, 0, &res, row);
	bench_idle(false);
	if (!ret)
		usleep(cfg->idle_ms * 1000);
	bench_idle(true);
	if (!ret)
		ret = rb_run_upcalls(&dev, 1, BENCH_MSG_SIZE, 0, &res, row);
	bench_idle(false);
	sret = srv_finish(&s, &t, ret != 0);
	rpcdev_close(&dev);
	if (!ret && sret) {
		bench_note(row, "server: %s", strerror(-sret));
		ret = sret;
	}
	if (ret)
		return ret;
	row->lat.n = 1;
	row->host_cpu = bench_cpu_pct(s.cpu1 - s.cpu0, s.wall1 - s.wall0);
	bench_note(row, "server CPU over %.2f s without upcalls after a burst of %u",
		   (double)(s.wall1 - s.wall0) / 1e9, burst);
	return 0;
}

int bench_async_upcalls(const struct bench_cfg *cfg,
			const struct bench_def *def, struct bench_row *row)
{
	struct rpcdev_sim_upcall_result res;
	struct rpcdev dev;
	uint64_t cpu_ns = 0;
	int ret;

	/*
	 * def->depth (or cfg->async_depth) upcalls in flight, in buffers just
	 * big enough for the messages and the run's result: a few pages, not
	 * one per slot.
	 */
	ret = bench_dev_open(cfg, def, &dev, 0,
			     def->depth ? def->depth : cfg->async_depth,
			     sizeof(struct rpcdev_sim_upcall_result),
			     def->policy, cfg->dev_cpu, -1, row);
	if (ret)
		return ret;
	ret = rb_serve_runs(cfg, &dev, def->policy, cfg->rate_msgs / 10,
			    cfg->rate_msgs, def->size,
			    RPCDEV_SIM_UPCALL_ASYNC, &res, &cpu_ns, row);
	rpcdev_close(&dev);
	if (ret)
		return ret;
	row->clock = "device";
	row->lat.n = cfg->rate_msgs;
	row->rate = res.total_ns ? 1e9 * cfg->rate_msgs / (double)res.total_ns : 0;
	row->host_cpu = bench_cpu_pct(cpu_ns, res.total_ns);
	return 0;
}

int bench_big_upcalls(const struct bench_cfg *cfg, const struct bench_def *def,
		      struct bench_row *row)
{
	struct rpcdev_sim_upcall_result res;
	int ret;

	ret = rb_sync_upcalls(cfg, def, RPCDEV_WAIT_BLOCK, 0, 2, cfg->big_iters,
			      &res, row);
	if (ret)
		return ret;
	/* Its rate is the payload's: bytes per second at the median. */
	row->rate = res.p50_ns ? 1e9 * def->size / (double)res.p50_ns : 0;
	return 0;
}

/* Echo downcalls on one queue from one thread. */
struct dc {
	const struct bench_cfg *cfg;
	struct rpcdev *dev;
	/* One call, checked: the 64-byte echo, or one in registered buffers. */
	int (*call)(struct dc *d);
	unsigned int warmup;
	unsigned int iters;	/* timed calls (over io_uring: rounds) */
	unsigned int batch;	/* over io_uring: calls per round */
	uint64_t *samples;
	uint64_t calls, cpu_ns, wall_ns;
	/* Registered buffers: the request's and the result's spans. */
	struct rpcdev_buf_span req, resp;
	char why[96];
};

static int dc_call(struct rpcdev *dev, char *why, size_t len)
{
	char req[BENCH_MSG_SIZE], resp[BENCH_MSG_SIZE];
	struct rpcdev_call_result cr;
	int ret;

	memset(req, 0x42, sizeof(req));
	ret = rpcdev_call(dev, RPCDEV_SIM_ECHO, req, BENCH_MSG_SIZE, resp,
			  BENCH_MSG_SIZE, RB_CALL_TIMEOUT_NS, &cr);
	if (ret) {
		snprintf(why, len, "echo downcall: %s", strerror(-ret));
		return ret;
	}
	if (cr.status != RPCDEV_STATUS_OK || cr.resp_len != BENCH_MSG_SIZE ||
	    memcmp(req, resp, BENCH_MSG_SIZE)) {
		snprintf(why, len, "echo downcall: status %d, %u bytes",
			 cr.status, cr.resp_len);
		return -EPROTO;
	}
	return 0;
}

static int dc_echo_msg(struct dc *d)
{
	return dc_call(d->dev, d->why, sizeof(d->why));
}

/*
 * A 1 MiB echo whose request and result are in registered buffers: the
 * device copies one into the other in place. The bytes are compared once
 * after the timed calls (a compare per call would time a second pass
 * over the payload); here only what the answer says is checked.
 */
static int dc_echo_bufs(struct dc *d)
{
	struct rpcdev_call_result cr;
	int ret;

	ret = rpcdev_call_bufs(d->dev, RPCDEV_SIM_ECHO, &d->req, &d->resp,
			       RB_CALL_TIMEOUT_NS, &cr);
	if (ret) {
		snprintf(d->why, sizeof(d->why),
			 "echo in registered buffers: %s", strerror(-ret));
		return ret;
	}
	if (cr.status != RPCDEV_STATUS_OK || cr.resp_len != d->req.len ||
	    cr.flags != RPCDEV_ENTRY_BUFS) {
		snprintf(d->why, sizeof(d->why),
			 "echo in registered buffers: status %d, %u bytes, flags %#x",
			 cr.status, cr.resp_len, cr.flags);
		return -EPROTO;
	}
	return 0;
}

static int dc_thread(void *arg)
{
	struct dc *d = arg;
	uint64_t cpu0, wall0, t0;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < d->warmup && !ret; i++)
		ret = d->call(d);
	if (ret)
		return ret;
	cpu0 = bench_thread_cpu_ns();
	wall0 = bench_now_ns();
	for (i = 0; i < d->iters && !ret; i++) {
		t0 = bench_now_ns();
		ret = d->call(d);
		d->samples[i] = bench_now_ns() - t0;
	}
	d->calls = i;
	d->wall_ns = bench_now_ns() - wall0;
	d->cpu_ns = bench_thread_cpu_ns() - cpu0;
	return ret;
}

/*
 * Run @d's calls in a thread on the host CPU, on @dev (open, its queue
 * attached and set up for them), into @row.
 */
static int dc_run(const struct bench_cfg *cfg, struct dc *d,
		  struct bench_row *row)
{
	struct bench_thread t = { 0 };
	int ret;

	d->samples = calloc(d->iters, sizeof(*d->samples));
	if (!d->samples)
		return -ENOMEM;
	ret = bench_spawn(&t, cfg->host_cpu, dc_thread, d);
	if (!ret)
		ret = bench_join(&t);
	if (!ret) {
		bench_stats_from(d->samples, d->iters, &row->lat);
		row->host_cpu = bench_cpu_pct(d->cpu_ns, d->wall_ns);
		row->rate = d->wall_ns ? 1e9 * (double)d->calls / (double)d->wall_ns : 0;
	} else {
		bench_note(row, "%s", d->why[0] ? d->why : strerror(-ret));
	}
	free(d->samples);
	return ret;
}

int bench_downcalls(const struct bench_cfg *cfg, const struct bench_def *def,
		    struct bench_row *row)
{
	struct rpcdev dev;
	struct dc d = {
		.cfg = cfg,
		.dev = &dev,
		.call = dc_echo_msg,
		.warmup = cfg->warmup,
		.iters = cfg->iters,
	};
	int ret;

	ret = bench_dev_open(cfg, def, &dev, 0, 0, 0, RPCDEV_WAIT_BLOCK,
			     cfg->dev_cpu, -1, row);
	if (ret)
		return ret;
	ret = dc_run(cfg, &d, row);
	rpcdev_close(&dev);
	return ret;
}

/*
 * Sync 1 MiB echoes with the request and the result in registered buffers
 * (RPCDEV_FEAT_REG_BUFS): the device reads and writes the caller's memory
 * in place, so a call costs one memcpy of the payload and a round trip,
 * against memcpy_1mib's one memcpy.
 */
int bench_regbuf_downcalls(const struct bench_cfg *cfg,
			   const struct bench_def *def, struct bench_row *row)
{
	size_t len = def->size;
	struct rpcdev dev;
	struct dc d = {
		.cfg = cfg,
		.dev = &dev,
		.call = dc_echo_bufs,
		.warmup = cfg->warmup < 10 ? cfg->warmup : 10,
		.iters = cfg->big_iters,
		.req = { .len = len },
		.resp = { .len = len },
	};
	unsigned char *req, *resp;
	size_t i;
	int ret;

	req = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (req == MAP_FAILED)
		return -ENOMEM;
	resp = req + len;
	for (i = 0; i < len; i++)
		req[i] = (unsigned char)(i * 131 + i / 4096);
	memset(resp, 0, len);
	ret = bench_dev_open(cfg, def, &dev, 0, 0, 0, RPCDEV_WAIT_BLOCK,
			     cfg->dev_cpu, -1, row);
	if (ret)
		goto out_unmap;
	ret = rpcdev_buf_register(&dev, req, len);
	if (ret >= 0) {
		d.req.index = ret;
		ret = rpcdev_buf_register(&dev, resp, len);
	}
	if (ret < 0) {
		bench_note(row, "registering 1 MiB buffers: %s", strerror(-ret));
		goto out_close;
	}
	d.resp.index = ret;
	ret = dc_run(cfg, &d, row);
	if (!ret && memcmp(req, resp, len)) {
		bench_note(row, "echo in registered buffers: the result differs");
		ret = -EPROTO;
	}
	if (!ret)
		row->rate = row->lat.p50 ? 1e9 * len / (double)row->lat.p50 : 0;
out_close:
	/* Closing the file unregisters the buffers, after the device stopped. */
	rpcdev_close(&dev);
out_unmap:
	munmap(req, 2 * len);
	return ret;
}

/* The buffers of @n echo downcalls in flight over io_uring. */
struct dcu_bufs {
	struct rpcdev_uring_op *ops;
	char (*resp)[BENCH_MSG_SIZE];
};

/*
 * @n echo downcalls on @ring, submitted and waited for with one
 * io_uring_enter(), each answer checked; @b holds @n of each.
 */
static int dcu_round(struct io_uring *ring, struct rpcdev *dev,
		     const struct dcu_bufs *b, unsigned int n, char *why,
		     size_t len)
{
	char req[BENCH_MSG_SIZE];
	struct io_uring_cqe *cqe;
	unsigned int i;
	int ret;

	memset(req, 0x42, sizeof(req));
	for (i = 0; i < n; i++) {
		ret = rpcdev_prep_call(io_uring_get_sqe(ring), dev, &b->ops[i],
				       RPCDEV_SIM_ECHO, req, sizeof(req),
				       b->resp[i], sizeof(b->resp[i]));
		if (ret)
			goto fail;
	}
	ret = io_uring_submit_and_wait(ring, n);
	for (i = 0; ret >= 0 && i < n; i++) {
		struct rpcdev_uring_op *op;

		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret)
			break;
		op = io_uring_cqe_get_data(cqe);
		ret = rpcdev_uring_result(cqe, op);
		io_uring_cqe_seen(ring, cqe);
		if (!ret && (op->res.call.status != RPCDEV_STATUS_OK ||
			     op->res.call.resp_len != BENCH_MSG_SIZE ||
			     memcmp(req, b->resp[op - b->ops], sizeof(req))))
			ret = -EPROTO;
	}
	if (ret >= 0)
		return 0;
fail:
	snprintf(why, len, "echo downcall over io_uring: %s", strerror(-ret));
	return ret;
}

/* The caller thread of bench_downcalls_uring(), with a ring of its own. */
static int dcu_thread(void *arg)
{
	struct dc *d = arg;
	struct dcu_bufs b;
	struct io_uring ring;
	uint64_t cpu0, wall0, t0;
	unsigned int i;
	int ret;

	b.ops = calloc(d->batch, sizeof(*b.ops));
	b.resp = calloc(d->batch, sizeof(*b.resp));
	ret = b.ops && b.resp ? 0 : -ENOMEM;
	if (!ret)
		ret = io_uring_queue_init(2 * d->batch, &ring,
					  IORING_SETUP_SINGLE_ISSUER |
					  IORING_SETUP_DEFER_TASKRUN);
	if (ret) {
		snprintf(d->why, sizeof(d->why), "io_uring: %s", strerror(-ret));
		goto out;
	}
	for (i = 0; i < d->warmup && !ret; i++)
		ret = dcu_round(&ring, d->dev, &b, d->batch, d->why, sizeof(d->why));
	cpu0 = bench_thread_cpu_ns();
	wall0 = bench_now_ns();
	for (i = 0; i < d->iters && !ret; i++) {
		t0 = bench_now_ns();
		ret = dcu_round(&ring, d->dev, &b, d->batch, d->why, sizeof(d->why));
		d->samples[i] = bench_now_ns() - t0;
	}
	d->calls = (uint64_t)i * d->batch;
	d->wall_ns = bench_now_ns() - wall0;
	d->cpu_ns = bench_thread_cpu_ns() - cpu0;
	io_uring_queue_exit(&ring);
out:
	free(b.ops);
	free(b.resp);
	return ret;
}

/*
 * Sync downcalls over io_uring: one per io_uring_enter() (a latency, to
 * set beside the ioctl's), or with BENCH_BATCH def->depth of them (or
 * BENCH_URING_BATCH), on a queue that deep: a call rate, to set beside the
 * ioctl's one at a time, and each batch's latency.
 */
int bench_downcalls_uring(const struct bench_cfg *cfg,
			  const struct bench_def *def, struct bench_row *row)
{
	bool batch = def->flags & BENCH_BATCH;
	unsigned int n = !batch ? 1 : def->depth ? def->depth : BENCH_URING_BATCH;
	struct bench_thread t = { 0 };
	struct rpcdev dev;
	struct dc d = {
		.cfg = cfg,
		.dev = &dev,
		.batch = n,
	};
	int ret;

	d.iters = batch ? cfg->iters / n + 1 : cfg->iters;
	d.warmup = batch ? cfg->warmup / n + 1 : cfg->warmup;
	d.samples = calloc(d.iters, sizeof(*d.samples));
	if (!d.samples)
		return -ENOMEM;
	ret = bench_dev_open(cfg, def, &dev, 0,
			     n > BENCH_URING_BATCH ? n : BENCH_URING_BATCH, 0,
			     RPCDEV_WAIT_BLOCK, cfg->dev_cpu, -1, row);
	if (!ret) {
		ret = bench_spawn(&t, cfg->host_cpu, dcu_thread, &d);
		if (!ret)
			ret = bench_join(&t);
		rpcdev_close(&dev);
	}
	if (!ret) {
		bench_stats_from(d.samples, d.iters, &row->lat);
		row->host_cpu = bench_cpu_pct(d.cpu_ns, d.wall_ns);
		row->rate = d.wall_ns ? 1e9 * (double)d.calls / (double)d.wall_ns : 0;
	} else if (d.why[0]) {
		bench_note(row, "%s", d.why);
	}
	free(d.samples);
	return ret;
}

/* The queues of bench_queues(): lane i calls on queue i. */
struct qs {
	struct rpcdev dev[BENCH_MAX_LANES];
	char why[BENCH_MAX_LANES][96];
};

static int qs_op(void *ctx, unsigned int lane)
{
	struct qs *q = ctx;

	return dc_call(&q->dev[lane], q->why[lane], sizeof(q->why[lane]));
}

/* The first reason a lane of @q gave, or @ret's. */
static const char *qs_why(const struct qs *q, unsigned int lanes, int ret)
{
	unsigned int i;

	for (i = 0; i < lanes; i++)
		if (q->why[i][0])
			return q->why[i];
	return strerror(-ret);
}

/*
 * Queue i with its caller thread and its firmware on the same CPU
 * (bench_scale_cpu(): dev_cpu for queue 0, host_cpu for queue 1, and so
 * on in turn): independent pairs, so two queues can run at twice one
 * queue's rate if nothing is shared. One queue alone is queue 0 on
 * dev_cpu; the many are def->queues of them (default two; more than
 * there are CPUs share them).
 */
int bench_queues(const struct bench_cfg *cfg, const struct bench_def *def,
		 struct bench_row *one, struct bench_row *two)
{
	struct bench_row *row = one ? one : two;
	struct bench_scale sc = {
		.op = qs_op,
		.lanes = def->queues ? def->queues : 2,
	};
	struct qs *q;
	unsigned int i, n, opened = 0;
	int ret = 0;

	if (sc.lanes > BENCH_MAX_LANES)
		return -EINVAL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	sc.ctx = q;
	for (i = 0; i < sc.lanes && !ret; i++) {
		ret = bench_dev_open(cfg, def, &q->dev[i], i, 0, 0,
				     RPCDEV_WAIT_BLOCK, bench_scale_cpu(cfg, i),
				     -1, row);
		if (!ret)
			opened++;
	}
	/* Warm them up (from this thread: the paths, not the CPUs). */
	for (i = 0; i < opened && !ret; i++)
		for (n = 0; n < cfg->warmup / 4 + 1 && !ret; n++)
			ret = qs_op(q, i);
	if (!ret)
		ret = bench_scale_run(cfg, &sc, one, two);
	if (ret && !row->note[0])
		bench_note(row, "%s", qs_why(q, sc.lanes, ret));
	for (i = 0; i < opened; i++)
		rpcdev_close(&q->dev[i]);
	free(q);
	return ret;
}

/* A caller of bench_upcalls_2q(): one run of upcalls on its queue. */
struct uq {
	struct rpcdev *dev;
	uint32_t count;
	struct rpcdev_sim_upcall_result res;
	struct bench_row note;	/* its failure, for the row */
};

static int uq_thread(void *arg)
{
	struct uq *u = arg;

	bench_idle(true);
	return rb_run_upcalls(u->dev, u->count, BENCH_MSG_SIZE,
			      RPCDEV_SIM_UPCALL_VERIFY, &u->res, &u->note);
}

/*
 * Both queues' runs of @count upcalls at once, a caller thread each; the
 * wall time from their start to the end of both in @wall_ns.
 */
static int uq_both(const struct bench_cfg *cfg, struct rpcdev *dev,
		   uint32_t count, uint64_t *wall_ns, struct bench_row *row)
{
	struct bench_thread t[2] = { { 0 } };
	struct uq *u;
	uint64_t t0;
	int ret = 0, r;
	unsigned int i;

	u = calloc(2, sizeof(*u));
	if (!u)
		return -ENOMEM;
	t0 = bench_now_ns();
	for (i = 0; i < 2 && !ret; i++) {
		u[i].dev = &dev[i];
		u[i].count = count;
		ret = bench_spawn(&t[i], cfg->dev_cpu, uq_thread, &u[i]);
	}
	for (i = 0; i < 2; i++) {
		r = bench_join(&t[i]);
		if (r && !ret) {
			ret = r;
			bench_note(row, "queue %u: %s", i, u[i].note.note[0] ?
				   u[i].note.note : strerror(-r));
		}
	}
	*wall_ns = bench_now_ns() - t0;
	free(u);
	return ret;
}

/*
 * The servers of bench_upcalls_2q(): two BLOCK threads, one per queue, or
 * one io_uring thread for both (s[0] with dev2); each serves @total
 * upcalls of each of its queues, measured after the first @mark of each;
 * *@n: the servers to srv_finish().
 */
static int uq_servers_start(const struct bench_cfg *cfg, bool uring,
			    struct rpcdev *dev, uint64_t total, uint64_t mark,
			    struct srv *s, struct bench_thread *t,
			    unsigned int *n)
{
	unsigned int i, per = uring ? 2 : 1;
	int ret = 0;

	*n = 0;
	for (i = 0; i < (uring ? 1U : 2U) && !ret; i++) {
		s[i] = (struct srv){
			.dev = &dev[i],
			.dev2 = uring ? &dev[1] : NULL,
			.policy = uring ? BENCH_URING_SERVER : RPCDEV_WAIT_BLOCK,
			.total = total * per,
			.mark = mark * per,
			.echo = true,
		};
		ret = srv_start(cfg, &s[i], &t[i]);
		(*n)++;
	}
	return ret;
}

/*
 * Sync upcalls on queues 0 and 1 at once (both firmwares on dev_cpu), served
 * on host_cpu by def->policy: a BLOCK thread per queue, or with
 * BENCH_URING_SERVER one thread serving both from one ring. The call rate
 * of both together (host clock) and the servers' CPU.
 */
int bench_upcalls_2q(const struct bench_cfg *cfg, const struct bench_def *def,
		     struct bench_row *row)
{
	bool uring = def->policy == BENCH_URING_SERVER;
	struct bench_thread t[2] = { { 0 } };
	unsigned int i, n = 0, opened = 0;
	struct rpcdev dev[2];
	struct srv s[2];
	uint64_t wall = 0, cpu = 0;
	int ret = 0, sret;

	for (i = 0; i < 2 && !ret; i++) {
		ret = bench_dev_open(cfg, def, &dev[i], i, 0, 0,
				     RPCDEV_WAIT_BLOCK, cfg->dev_cpu, -1, row);
		opened += !ret;
	}
	if (!ret)
		ret = uq_servers_start(cfg, uring, dev,
				       (uint64_t)cfg->warmup + cfg->iters,
				       cfg->warmup, s, t, &n);
	if (!ret && cfg->warmup)
		ret = uq_both(cfg, dev, cfg->warmup, &wall, row);
	if (!ret)
		ret = uq_both(cfg, dev, cfg->iters, &wall, row);
	for (i = 0; i < n; i++) {
		sret = srv_finish(&s[i], &t[i], ret != 0);
		if (!ret && sret) {
			bench_note(row, "server: %s", strerror(-sret));
			ret = sret;
		}
		cpu += s[i].cpu1 - s[i].cpu0;
	}
	for (i = 0; i < opened; i++)
		rpcdev_close(&dev[i]);
	if (ret)
		return ret;
	row->lat.n = 2ULL * cfg->iters;
	row->rate = wall ? 1e9 * 2.0 * cfg->iters / (double)wall : 0;
	row->host_cpu = bench_cpu_pct(cpu, wall);
	return 0;
}

int bench_mbox_check(const struct bench_cfg *cfg, const struct bench_def *def,
		     struct bench_row *row)
{
	struct rpcdev_sim_mbox_cost req = {
		.slot = 0,
		.count = cfg->mbox_checks,
	};
	struct rpcdev_call_result cr;
	uint64_t ns[RB_MBOX_RUNS];
	union {
		uint64_t ns;
		char raw[256];
	} resp;
	struct rpcdev dev;
	unsigned int i;
	int ret;

	ret = bench_dev_open(cfg, def, &dev, 0, 0, 0, RPCDEV_WAIT_BLOCK,
			     cfg->dev_cpu, -1, row);
	if (ret)
		return ret;
	for (i = 0; i < RB_MBOX_RUNS; i++) {
		ret = rpcdev_call(&dev, RPCDEV_SIM_MBOX_COST, &req, sizeof(req),
				  &resp, sizeof(resp), RB_CALL_TIMEOUT_NS, &cr);
		if (ret) {
			bench_note(row, "mailbox cost downcall: %s", strerror(-ret));
			break;
		}
		if (cr.status != RPCDEV_STATUS_OK || cr.resp_len != sizeof(uint64_t)) {
			ret = rb_bad_answer(row, "mailbox cost", &cr, &resp,
					    sizeof(resp));
			break;
		}
		ns[i] = resp.ns;
	}
	rpcdev_close(&dev);
	if (ret)
		return ret;
	bench_stats_from(ns, RB_MBOX_RUNS, &row->lat);
	row->clock = "device";
	row->cost_ns = (double)row->lat.p50 / cfg->mbox_checks;
	/* The percentiles are of whole runs: keep only the count. */
	memset(&row->lat, 0, sizeof(row->lat));
	row->lat.n = (uint64_t)RB_MBOX_RUNS * cfg->mbox_checks;
	return 0;
}

/*
 * The devices whose firmware answers the reference methods
 * (linux/rpcdev_sim.h), by the prefix of their name; sim: rpcdev_sim.
 */
static const struct {
	const char *prefix;
	bool sim;
} rb_devices[] = {
	{ "rpcdev_sim.", true },
	{ "rpcdev_ivshmem.", false },
};

/* Does @name run the reference firmware? -1, or its rb_devices[] index. */
static int rb_device_kind(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(rb_devices) / sizeof(rb_devices[0]); i++)
		if (!strncmp(name, rb_devices[i].prefix,
			     strlen(rb_devices[i].prefix)))
			return (int)i;
	return -1;
}

/* Why @path is no device the bench can use; 0 or -errno. */
static int rb_check(const char *path, unsigned int queues,
		    struct bench_dev *d, char *why, size_t len)
{
	int kind;

	struct rpcdev_info info;
	struct rpcdev dev;
	int ret;

	ret = rpcdev_open(&dev, path);
	if (ret) {
		snprintf(why, len, "%s: %s", path, strerror(-ret));
		return ret;
	}
	ret = rpcdev_info(&dev, &info);
	rpcdev_close(&dev);
	if (ret) {
		snprintf(why, len, "%s: %s", path, strerror(-ret));
		return ret;
	}
	kind = rb_device_kind(info.name);
	if (kind < 0) {
		snprintf(why, len, "%s is %s, not a device with the reference firmware (rpcdev_sim, rpcdev_ivshmem)",
			 path, info.name);
		return -ENODEV;
	}
	if (info.nr_queues < queues) {
		snprintf(why, len, "%s has %u queues; the bench needs %u",
			 path, info.nr_queues, queues);
		return -ENODEV;
	}
	if ((info.features & (RPCDEV_FEAT_DOWNCALL | RPCDEV_FEAT_UPCALL)) !=
	    (RPCDEV_FEAT_DOWNCALL | RPCDEV_FEAT_UPCALL)) {
		snprintf(why, len, "%s lacks downcalls or upcalls (features 0x%" PRIx64 ")",
			 path, (uint64_t)info.features);
		return -ENODEV;
	}
	d->features = info.features;
	d->sim = rb_devices[kind].sim;
	d->nr_queues = info.nr_queues;
	return 0;
}

int bench_check_device(struct bench_cfg *cfg, unsigned int queues)
{
	struct bench_dev *d = &cfg->dev[BENCH_DEV_SIM];
	int ret;

	ret = rb_check(d->path, queues, d, d->why, sizeof(d->why));
	d->ok = !ret;
	return ret;
}
