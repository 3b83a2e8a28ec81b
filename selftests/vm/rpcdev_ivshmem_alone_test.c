// SPDX-License-Identifier: GPL-2.0
/*
 * The ivshmem device going wrong for good, each test in a boot of its own:
 * the PCI device unplugged from the running guest (QMP device_del) with
 * calls in flight in both directions, the firmware process killed or
 * wedged, and a queue whose firmware turns hostile (corrupt indices,
 * lengths, ids and seq tags, storms of interrupts). The firmware does each
 * at the test's request (its RPCDEV_IVSHMEM_TEST_* methods), and what it
 * did lasts until the VM powers off, so the runner boots once per test:
 *
 *	scripts/vm-run.sh --backend ivshmem --only rpcdev_ivshmem_alone_test:TEST
 *
 * which sets RPCDEV_TEST_ALONE in the guest; without it, and on the
 * simulated device, every test skips and says so. scripts/check.sh runs
 * each test that way.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "rpcdev_calls.h"
#include "rpcdev_fixture.h"
#include "rpcdev_ivshmem.h"
#include "rpcdev_upcalls.h"

/* The firmware acts this long after it answered the test method. */
#define ACT_DELAY_MS		300
/* A call that outlives every effect below (the watchdog's second too). */
#define LONG_DELAY_US		(20 * USEC_PER_MSEC * 1000ULL)
#define LONG_TIMEOUT_NS		(30 * NSEC_PER_MSEC * 1000ULL)
/* A call that gives up before the watchdog notices a dead firmware. */
#define SHORT_TIMEOUT_NS	(100 * NSEC_PER_MSEC)
/* Calls made on a hostile queue, and on a good one beside it. */
#define HOSTILE_CALLS		48
#define GOOD_CALLS		200
/* Queue depth for the hostile queue: room for every call it abandons. */
#define HOSTILE_DEPTH		64

FIXTURE(alone) {
	struct rpcdev dev;	/* queue 0 */
	struct rpcdev dev1;	/* queue 1, once opened */
	char q1[64];
};

FIXTURE_SETUP(alone)
{
	if (kmod_backend() && kmod_backend()->sim)
		SKIP(return, "tests the ivshmem device's firmware (RPCDEV_TEST_BACKEND=ivshmem)");
	if (!getenv("RPCDEV_TEST_ALONE") || !*getenv("RPCDEV_TEST_ALONE"))
		SKIP(return, "changes the device until the VM powers off: runs in a boot of its own (vm-run.sh --backend ivshmem --only rpcdev_ivshmem_alone_test:TEST)");
	if (!device_fixture_open(_metadata, &self->dev))
		return;
	ASSERT_EQ(0, rpcdev_open(&self->dev1, DEV_PATH));
	dbgfs_queue_path(self->q1, sizeof(self->q1), 0, 1);
}

FIXTURE_TEARDOWN_PARENT(alone)
{
	device_fixture_close(_metadata);
}

/* Ask for @method on queue 0, to happen ACT_DELAY_MS from now. */
static int act_soon(FIXTURE_DATA(alone) *self, uint32_t method, uint32_t arg)
{
	int ret = rpcdev_queue_attach(&self->dev, 0, 0, 0);

	return ret ? ret : ivs_test_method(&self->dev, method, ACT_DELAY_MS,
					   arg);
}

/* ===================================================================== */
/* Hot removal: QMP device_del while calls are in flight                  */
/* ===================================================================== */

/*
 * A downcall on queue 1, and servers waiting for upcalls on queues 2
 * (BLOCK) and 3 (POLL), when the device goes: each wait ends with -ENODEV.
 */
TEST_F_TIMEOUT(alone, unplug_ends_every_wait_with_enodev, 120)
{
	struct rpcdev block_srv, poll_srv;
	struct server s_block, s_poll;
	struct bg_call bg;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev1, 1, 0, 0));
	ASSERT_EQ(0, rpcdev_open(&block_srv, DEV_PATH));
	ASSERT_EQ(0, rpcdev_queue_attach(&block_srv, 2, 0, 0));
	ASSERT_EQ(0, rpcdev_open(&poll_srv, DEV_PATH));
	ASSERT_EQ(0, rpcdev_queue_attach_policy(&poll_srv, 3, 0, 0,
						RPCDEV_WAIT_POLL));
	ASSERT_EQ(0, bg_call_start(&bg, &self->dev1, LONG_DELAY_US,
				   LONG_TIMEOUT_NS));
	ASSERT_EQ(0, server_start(&s_block, &block_srv, 1));
	ASSERT_EQ(0, server_start(&s_poll, &poll_srv, 1));
	ASSERT_EQ(0, act_soon(self, RPCDEV_IVSHMEM_TEST_UNPLUG, 0));
	EXPECT_EQ(-ENODEV, bg_call_join(&bg));
	EXPECT_EQ(-ENODEV, server_join(&s_block));
	EXPECT_EQ(-ENODEV, server_join(&s_poll));
	rpcdev_close(&block_srv);
	rpcdev_close(&poll_srv);
}

TEST_F_TIMEOUT(alone, unplug_gives_pollhup, 120)
{
	struct pollfd pfd = { .events = POLLIN | POLLPRI };

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev1, 1, 0, 0));
	ASSERT_EQ(0, act_soon(self, RPCDEV_IVSHMEM_TEST_UNPLUG, 0));
	pfd.fd = rpcdev_fd(&self->dev1);
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	ASSERT_EQ(POLLHUP, pfd.revents & POLLHUP);
}

TEST_F_TIMEOUT(alone, unplug_removes_the_device_node, 120)
{
	ASSERT_EQ(0, act_soon(self, RPCDEV_IVSHMEM_TEST_UNPLUG, 0));
	ASSERT_EQ(0, kmod_wait_path(DEV_PATH, false, 20000));
}

/*
 * A long call on queue 1 while the firmware does @method (soon): what the
 * call gave.
 */
static int call_through(FIXTURE_DATA(alone) *self, uint32_t method)
{
	struct bg_call bg;
	int ret;

	ret = rpcdev_queue_attach(&self->dev1, 1, 0, 0);
	if (!ret)
		ret = bg_call_start(&bg, &self->dev1, LONG_DELAY_US,
				    LONG_TIMEOUT_NS);
	if (ret)
		return ret;
	ret = act_soon(self, method, 0);
	/* Without the act the call ends when its delay does. */
	return ret ? (bg_call_join(&bg), ret) : bg_call_join(&bg);
}

/* Close both files and unload both modules: what the unload gave. */
static int close_and_unload(FIXTURE_DATA(alone) *self)
{
	rpcdev_close(&self->dev1);
	rpcdev_close(&self->dev);
	return kmod_unload_stack();
}

TEST_F_TIMEOUT(alone, modules_unload_after_unplug_with_a_call_in_flight, 120)
{
	ASSERT_EQ(-ENODEV, call_through(self, RPCDEV_IVSHMEM_TEST_UNPLUG));
	ASSERT_EQ(0, close_and_unload(self));
}

/* ===================================================================== */
/* Firmware death: killed, or wedged with its heartbeat going on          */
/* ===================================================================== */

TEST_F_TIMEOUT(alone, killed_firmware_times_out_a_short_call, 120)
{
	struct rpcdev_call_result res;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev1, 1, 0, 0));
	ASSERT_EQ(0, act_soon(self, RPCDEV_IVSHMEM_TEST_KILL, 0));
	sleep_ms(2 * ACT_DELAY_MS);
	ASSERT_EQ(-ETIMEDOUT, delay_call(&self->dev1, 0, SHORT_TIMEOUT_NS,
					 &res));
}

/* The driver's watchdog sees the heartbeat stand still: the device is lost. */
TEST_F_TIMEOUT(alone, killed_firmware_fails_a_waiting_call_with_eio, 120)
{
	ASSERT_EQ(-EIO, call_through(self, RPCDEV_IVSHMEM_TEST_KILL));
}

TEST_F_TIMEOUT(alone, killed_firmware_leaves_the_driver_unloadable, 120)
{
	ASSERT_EQ(-EIO, call_through(self, RPCDEV_IVSHMEM_TEST_KILL));
	ASSERT_EQ(0, close_and_unload(self));
}

/* Its heartbeat goes on: nothing tells the driver, the caller's timeout does. */
TEST_F_TIMEOUT(alone, muted_firmware_times_out_calls, 120)
{
	struct rpcdev_call_result res;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev1, 1, 0, 0));
	ASSERT_EQ(0, act_soon(self, RPCDEV_IVSHMEM_TEST_MUTE, 0));
	sleep_ms(2 * ACT_DELAY_MS);
	ASSERT_EQ(-ETIMEDOUT, delay_call(&self->dev1, 0, SHORT_TIMEOUT_NS,
					 &res));
}

/* ===================================================================== */
/* A hostile queue                                                       */
/* ===================================================================== */

/* Turn queue 1 hostile and wait until the firmware did. */
static int make_queue1_hostile(FIXTURE_DATA(alone) *self)
{
	int ret;

	ret = rpcdev_queue_attach(&self->dev1, 1, HOSTILE_DEPTH, 0);
	if (!ret)
		ret = ivs_test_method(&self->dev1, RPCDEV_IVSHMEM_TEST_HOSTILE,
				      0, 1);
	sleep_ms(ACT_DELAY_MS);
	return ret;
}

/* Echo calls on a hostile queue; counts of their results. */
struct hostile_run {
	struct rpcdev *dev;
	unsigned int ok, timedout, eio, other;
	int last_other;
	pthread_t thread;
};

static void *hostile_main(void *arg)
{
	struct hostile_run *h = arg;
	unsigned int i;
	int ret;

	for (i = 0; i < HOSTILE_CALLS; i++) {
		ret = echo_check_seeded(h->dev, i, IVS_HOSTILE_TIMEOUT_NS);
		if (!ret) {
			h->ok++;
		} else if (ret == -ETIMEDOUT) {
			h->timedout++;
		} else if (ret == -EIO) {
			h->eio++;
		} else {
			h->other++;
			h->last_other = ret;
		}
	}
	return NULL;
}

static void hostile_run(struct hostile_run *h, struct rpcdev *dev)
{
	memset(h, 0, sizeof(*h));
	h->dev = dev;
	hostile_main(h);
}

/*
 * Each call on a hostile queue gets its exact answer, or fails with
 * -ETIMEDOUT (its broken answer was dropped) or -EIO: never wrong bytes.
 */
TEST_F_TIMEOUT(alone, hostile_queue_calls_end_exactly_or_fail, 120)
{
	struct hostile_run h;

	ASSERT_EQ(0, make_queue1_hostile(self));
	hostile_run(&h, &self->dev1);
	ASSERT_EQ(0U, h.other) TH_LOG("%u calls ended with %d", h.other,
				      h.last_other);
	ASSERT_EQ((unsigned int)HOSTILE_CALLS, h.ok + h.timedout + h.eio);
}

TEST_F_TIMEOUT(alone, hostile_queue_breakage_is_counted, 120)
{
	struct hostile_run h;

	ASSERT_EQ(0, make_queue1_hostile(self));
	hostile_run(&h, &self->dev1);
	ASSERT_LT(0ULL, dbg(self->q1, "bad")) TH_LOG("%u ok, %u timed out, %u EIO",
						     h.ok, h.timedout, h.eio);
}

TEST_F_TIMEOUT(alone, hostile_queue_leaves_other_queues_exact, 120)
{
	struct hostile_run h = { .dev = &self->dev1 };
	unsigned int i, good = 0;

	ASSERT_EQ(0, make_queue1_hostile(self));
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, pthread_create(&h.thread, NULL, hostile_main, &h));
	for (i = 0; i < GOOD_CALLS; i++)
		good += !echo_check_seeded(&self->dev, i, CALL_TIMEOUT_NS);
	pthread_join(h.thread, NULL);
	ASSERT_EQ((unsigned int)GOOD_CALLS, good);
}

TEST_HARNESS_MAIN
