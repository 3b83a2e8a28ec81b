// SPDX-License-Identifier: GPL-2.0
/*
 * librpcdev's own state on user-rings queues, against rpcdev_sim, run as
 * root inside the test VM: a queue has two directions, downcalls (DQ, DC:
 * the calling thread's) and upcalls (UQ, UR: the serving thread's), and
 * each direction learns its own spin budget, and rpcdev_interrupt() ends
 * the serving direction's wait without touching the caller's.
 *
 * How long anything takes is never asserted: a wait that spun instead of
 * sleeping shows on the core's counters (/sys/kernel/debug/rpcdev/
 * rpcdev0/qN "interrupts": the device interrupts only a host that sleeps).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_kmod.h"

#define NSEC_PER_MSEC	1000000ULL
#define NSEC_PER_SEC	1000000000ULL
#define CALL_TIMEOUT_NS	(60000 * NSEC_PER_MSEC)
/* The harness's limit for a test, in seconds. */
#define TEST_S		120

/*
 * Downcalls the device answers DELAY_US after each is made: far longer
 * than the shortest spin (2 us), far shorter than the cap set.
 */
#define DELAY_US	1000ULL
#define DELAY_CALLS	40
#define SPIN_CAP_NS	NSEC_PER_SEC

/*
 * A downcall that stays in flight while another wait is ended: answered
 * long after the waits' own timeout, so only rpcdev_interrupt() ends them.
 */
#define LONG_DELAY_US	(20ULL * 1000000)
#define WAIT_TIMEOUT_NS	(5 * NSEC_PER_SEC)

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

FIXTURE(lib) {
	struct rpcdev dev;
	char q0[64];
	char sim_q0[80];
};

FIXTURE_SETUP(lib)
{
	/* The proofs read the simulated device's counters. */
	SKIP_UNLESS_SIM("its debugfs counters");
	if (!device_fixture_open(_metadata, &self->dev))
		return;
	dbgfs_queue_path(self->q0, sizeof(self->q0), 0, 0);
	dbgfs_sim_queue_path(self->sim_q0, sizeof(self->sim_q0), 0, 0);
}

FIXTURE_TEARDOWN_PARENT(lib)
{
	/* The test's process closed its files when it exited. */
	if (kmod_in_test_process())
		return;
	ASSERT_EQ(0, kmod_unload_stack())
		TH_LOG("a module stayed loaded: a reference was leaked");
}

/* One RPCDEV_SIM_DELAY downcall of @us; its rpcdev_call() result. */
static int call_delay(struct rpcdev *dev, uint64_t us, uint64_t timeout_ns)
{
	struct rpcdev_call_result res;
	int ret;

	ret = rpcdev_call(dev, RPCDEV_SIM_DELAY, &us, sizeof(us), NULL, 0,
			  timeout_ns, &res);
	if (!ret && res.status != RPCDEV_STATUS_OK)
		return -EPROTO;
	return ret;
}

/*
 * A downcall's answer comes DELAY_US after the call, with no upcall at
 * all: the ADAPTIVE wait learns that time from the answers themselves and
 * spins for it, so after the first few calls the answers find the caller
 * spinning, and the device interrupts nobody. A budget learned from
 * upcall arrivals (none here) would stay the shortest spin, and every
 * call would sleep and be woken by an interrupt.
 */
TEST_F_TIMEOUT(lib, adaptive_downcalls_spin_for_their_own_answer_time,
	       TEST_S)
{
	unsigned long long irqs = DELAY_CALLS;
	int i;

	ASSERT_EQ(0, rpcdev_queue_attach_policy(&self->dev, 0, 0, 0,
						RPCDEV_WAIT_ADAPTIVE));
	ASSERT_EQ(0, rpcdev_queue_set_spin(&self->dev, SPIN_CAP_NS));
	for (i = 0; i < DELAY_CALLS; i++)
		ASSERT_EQ(0, call_delay(&self->dev, DELAY_US, CALL_TIMEOUT_NS));
	ASSERT_EQ(0, dbgfs_read_key(self->q0, "interrupts", &irqs));
	TH_LOG("%llu of %d answers woke a sleeping caller", irqs, DELAY_CALLS);
	ASSERT_GT(DELAY_CALLS / 2, irqs);
}

/* A thread waiting for an upcall, or making a downcall, until it returns. */
struct waiter {
	struct rpcdev *dev;
	int ret;
};

static void *upcall_waiter(void *arg)
{
	struct waiter *w = arg;
	struct rpcdev_upcall_req up;

	w->ret = rpcdev_upcall_wait(w->dev, WAIT_TIMEOUT_NS, &up);
	return NULL;
}

static void *downcall_waiter(void *arg)
{
	struct waiter *w = arg;

	w->ret = call_delay(w->dev, LONG_DELAY_US, WAIT_TIMEOUT_NS);
	return NULL;
}

/*
 * One thread spins for an upcall, another for a downcall's answer, on one
 * POLL queue: rpcdev_interrupt() ends the server's wait, and the caller,
 * whichever thread looks first, does not take it for its own: its call
 * runs on to its timeout (the device answers only after that).
 */
TEST_F_TIMEOUT(lib, interrupt_ends_the_servers_wait_and_not_the_callers,
	       TEST_S)
{
	struct waiter up = { .dev = &self->dev, .ret = 1 };
	struct waiter down = { .dev = &self->dev, .ret = 1 };
	pthread_t up_th, down_th;

	ASSERT_EQ(0, rpcdev_queue_attach_policy(&self->dev, 0, 0, 0,
						RPCDEV_WAIT_POLL));
	ASSERT_EQ(0, pthread_create(&up_th, NULL, upcall_waiter, &up));
	ASSERT_EQ(0, pthread_create(&down_th, NULL, downcall_waiter, &down));
	/* The device has the downcall; give both threads time to spin. */
	ASSERT_EQ(0, dbgfs_wait_key(self->sim_q0, "calls", 1, 10000));
	sleep_ms(100);
	ASSERT_EQ(0, rpcdev_interrupt(&self->dev));
	pthread_join(up_th, NULL);
	pthread_join(down_th, NULL);
	ASSERT_EQ(-EINTR, up.ret);
	ASSERT_EQ(-ETIMEDOUT, down.ret);
}

/*
 * With no wait in progress, rpcdev_interrupt() is kept for the next wait
 * for an upcall: a downcall made first runs its course and leaves it
 * there, the wait for an upcall takes it once.
 */
TEST_F_TIMEOUT(lib, interrupt_before_any_wait_ends_the_next_upcall_wait,
	       TEST_S)
{
	struct rpcdev_upcall_req up;

	ASSERT_EQ(0, rpcdev_queue_attach_policy(&self->dev, 0, 0, 0,
						RPCDEV_WAIT_POLL));
	ASSERT_EQ(0, rpcdev_interrupt(&self->dev));
	ASSERT_EQ(0, call_delay(&self->dev, DELAY_US, WAIT_TIMEOUT_NS));
	ASSERT_EQ(-EINTR, rpcdev_upcall_wait(&self->dev, WAIT_TIMEOUT_NS, &up));
	/* It was taken once: the next wait runs its course. */
	ASSERT_EQ(-ETIMEDOUT, rpcdev_upcall_wait(&self->dev,
						 20 * NSEC_PER_MSEC, &up));
}

TEST_HARNESS_MAIN
