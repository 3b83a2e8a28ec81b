/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Downcalls to the reference firmware's methods (linux/rpcdev_sim.h) for
 * the guest suites: ECHO and its check, DELAY (also from another thread,
 * so a test can act while it is in flight), STATS, and the patterns the
 * requests carry. Each helper returns 0, a value, or -errno.
 */
#ifndef RPCDEV_SELFTEST_CALLS_H
#define RPCDEV_SELFTEST_CALLS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/rpcdev_sim.h>

#include "rpcdev.h"
#include "rpcdev_util.h"

/* Timeout of calls that must be answered: a lost answer fails, not hangs. */
#define CALL_TIMEOUT_NS	(5000 * NSEC_PER_MSEC)

/* A call the device answers long after its caller gave up on it. */
#define LATE_DELAY_US		(300 * USEC_PER_MSEC)
#define LATE_TIMEOUT_NS		(20 * NSEC_PER_MSEC)

/*
 * Calls the test acts on while they are in flight. The delay only bounds
 * how long the test may take to act (look at debugfs, send a signal, ...)
 * before the device answers, so it is long enough not to depend on the
 * speed of an emulated guest; the tests never wait for it to pass unless
 * they check what happens when the answer comes.
 */
#define ABANDON_DELAY_US	(1000 * USEC_PER_MSEC)
#define SLOW_DELAY_US		(2000 * USEC_PER_MSEC)
#define REMOVAL_DELAY_US	(5000 * USEC_PER_MSEC)

/* open(DEV_PATH) as an fd, or -errno. */
int open_dev(void);

/* Bytes that depend on @seed and on their position. */
void fill_pattern(void *buf, size_t len, uint64_t seed);

/* Index of the first byte of @buf that is not @byte, or -1. */
long first_not(const void *buf, size_t len, unsigned char byte);

/* RPCDEV_SIM_ECHO of @len bytes at @req, the answer into @resp (@cap). */
int echo(struct rpcdev *dev, const void *req, size_t len, void *resp,
	 size_t cap, struct rpcdev_call_result *res);

/*
 * Echo a small pattern: 0 if the answer is OK and exact, -EPROTO if it is
 * not, else the call's -errno.
 */
int echo_check(struct rpcdev *dev);

/*
 * As echo_check(), with 48 bytes seeded with @seed and @timeout_ns: 0 when
 * the exact bytes came back, -EPROTO when a wrong answer did (a status, a
 * length or a byte), else rpcdev_call()'s -errno.
 */
int echo_check_seeded(struct rpcdev *dev, uint64_t seed, uint64_t timeout_ns);

/* RPCDEV_SIM_DELAY for @us microseconds. */
int delay_call(struct rpcdev *dev, uint64_t us, uint64_t timeout_ns,
	       struct rpcdev_call_result *res);

/* RPCDEV_SIM_STATS into @st (host byte order); -EPROTO for a bad answer. */
int sim_stats(struct rpcdev *dev, struct rpcdev_sim_stats *st);

/* A DELAY call made by another thread, so the test can act meanwhile. */
struct bg_call {
	struct rpcdev *dev;
	uint64_t us;
	uint64_t timeout_ns;
	struct rpcdev_call_result res;
	pthread_t thread;
	int ret;
};

/* Start a DELAY of @us with @timeout_ns in another thread; 0 or -errno. */
int bg_call_start(struct bg_call *bg, struct rpcdev *dev, uint64_t us,
		  uint64_t timeout_ns);

/* Wait for the call to return; its result. */
int bg_call_join(struct bg_call *bg);

#endif /* RPCDEV_SELFTEST_CALLS_H */
