/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Upcalls for the guest suites: a server thread on top of rpcdev_serve()
 * that records what it saw, and runs of RPCDEV_SIM_UPCALLS (the downcall
 * that makes the device call the host), made here or from another thread.
 * Each helper returns 0, a value, or -errno.
 */
#ifndef RPCDEV_SELFTEST_UPCALLS_H
#define RPCDEV_SELFTEST_UPCALLS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/rpcdev_sim.h>

#include "rpcdev.h"
#include "rpcdev_util.h"

/* Runs of RPCDEV_SIM_UPCALLS that must end: a lost answer fails, not hangs. */
#define RUN_TIMEOUT_NS	(30000 * NSEC_PER_MSEC)
/* How long the device waits for each upcall's answer. */
#define UPCALL_TIMEOUT_MS 5000
/* How long a server waits for the next upcall before it gives up. */
#define SERVE_TIMEOUT_NS (10000 * NSEC_PER_MSEC)

/* Methods the device calls on the host; any numbers do. */
#define METHOD_A	0x41
#define METHOD_B	0x42

/* Most upcalls one test's server records. */
#define LOG_MAX		64

/* A server that is slow enough that the device queues async upcalls. */
#define SLOW_SERVER_US	2000

/*
 * The payload of upcall n of RPCDEV_SIM_UPCALLS: n as a little-endian
 * __u64 in the first 8 bytes (when there are 8), then bytes (n + i) & 0xff.
 * Returns 1 and n (when the payload holds 8 bytes; else its low byte, or
 * ~0 for an empty payload) if @p has that shape, else 0.
 */
int decode_pattern(const unsigned char *p, size_t len, uint64_t *n);

/* One upcall as the server saw it. */
struct seen {
	unsigned int method;
	unsigned int flags;
	size_t len;
	uint64_t n;		/* from the payload, see decode_pattern() */
	int pattern_ok;
};

/* A server thread, echoing (or failing) upcalls into their reply buffer. */
struct server {
	struct rpcdev *dev;
	unsigned int want;		/* stop after this many upcalls */
	unsigned int nr_seen;
	struct seen log[LOG_MAX];
	long delay_us;			/* sleep this long in each upcall */
	const char *fail_name;		/* answer with this error */
	const char *fail_message;
	int ret;			/* what rpcdev_serve() returned */
	pthread_t thread;
};

/* Start an echo server on @dev that stops after @want upcalls. */
int server_start(struct server *s, struct rpcdev *dev, unsigned int want);

/* As server_start(), failing every upcall with @name and @message. */
int server_start_failing(struct server *s, struct rpcdev *dev,
			 unsigned int want, const char *name,
			 const char *message);

/* As server_start(), sleeping @delay_us in each upcall. */
int server_start_slow(struct server *s, struct rpcdev *dev,
		      unsigned int want, long delay_us);

/* Wait for the server to stop; what rpcdev_serve() returned. */
int server_join(struct server *s);

/* What a run of RPCDEV_SIM_UPCALLS answered. */
struct run {
	struct rpcdev *dev;
	struct rpcdev_sim_upcalls req;
	struct rpcdev_call_result res;
	union {
		struct rpcdev_sim_upcall_result r;
		unsigned char bytes[256];
	} resp;
	int ret;
	pthread_t thread;
};

/* A run of @count upcalls of @method, @size bytes, RPCDEV_SIM_UPCALL_* @flags. */
void run_init(struct run *run, struct rpcdev *dev, unsigned int count,
	      unsigned int method, unsigned int size, unsigned int flags);

/* Make the downcall; the result's fields in host byte order. */
int run_call(struct run *run);

/*
 * Run and check the answer is a struct rpcdev_sim_upcall_result: 0, the
 * call's -errno, or -EPROTO for another answer.
 */
int run_ok(struct run *run);

/* Make the downcall in another thread. */
int run_start(struct run *run);

/* Wait for the run made by run_start(); run_call()'s result. */
int run_join(struct run *run);

/* The run started in @run ended with its one upcall answered exactly. */
int run_done_exactly(struct run *run);

/* Answer @up with its own request, in place. */
int echo_reply(struct rpcdev *dev, const struct rpcdev_upcall_req *up);

/*
 * Start a run of one sync upcall of 64 bytes with VERIFY in @run on @dev's
 * queue and take the upcall into @up, without answering it. 0 or -errno
 * (the run is then joined).
 */
int take_one(struct rpcdev *dev, struct run *run, struct rpcdev_upcall_req *up);

#endif /* RPCDEV_SELFTEST_UPCALLS_H */
