// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev against garbage that user space writes into its own DQ ring (the
 * host part of a queue is writable), with rpcdev_sim, run as root inside
 * the test VM: a bad entry or index fails only itself, the kernel drops
 * the device's answer to a forged entry, and the queue and the other
 * queues keep working.
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend that
 * $RPCDEV_TEST_BACKEND names (rpcdev_sim, one device of four queues, by
 * default) and opens /dev/rpcdev0 without a queue; its teardown fails the
 * test if a module cannot be unloaded (a leaked reference).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_calls.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_util.h"

/* ===================================================================== */
/* Fixture: rpcdev and its backend with one device (rpcdev_sim: four     */
/* queues), /dev/rpcdev0 open (no queue yet).                            */
/* ===================================================================== */

DEVICE_FIXTURE(call)

/* ===================================================================== */
/* Garbage written by user space into its own DQ ring                    */
/* ===================================================================== */

/*
 * The host part is writable, and the kernel posts DQ entries there. Here
 * the program scribbles on it while a DELAY call (slot 0, DQ position 0) is
 * in flight, and nothing rings the doorbell: the firmware sees the garbage
 * when it wakes up to answer the DELAY (so the test does not depend on
 * when the firmware thread happens to look). Positions 1 to 3 get
 *	1: a wrong seq;
 *	2: the right seq, an id past the depth;
 *	3: the right seq, a valid id, a length past buf_size (the device
 *	   answers it with BAD_REQUEST, an answer the kernel must drop: no
 *	   call of its own is in slot 3);
 * and dq_prod is set past them (to 4). The device consumes all three, so
 * its consumer index is now ahead of the kernel's producer index; a bad
 * value must fail only itself, so the kernel resyncs from the device's
 * consumer index at its next post and the queue keeps working.
 */
#define GARBAGE_ENTRIES	3

static void write_dq_garbage(struct rpcdev *dev)
{
	const struct rpcdev_queue_attach *l = rpcdev_queue_layout(dev);
	unsigned char *host = rpcdev_queue_part(dev, RPCDEV_OFF_HOST, NULL);
	struct rpcdev_host_ctrl *hc = (struct rpcdev_host_ctrl *)host;
	struct rpcdev_entry *dq = (struct rpcdev_entry *)(host + l->dq_off);
	struct rpcdev_entry *e;

	e = &dq[1];
	memset(e, 0, sizeof(*e));
	e->method = RPCDEV_SIM_ECHO;
	e->seq = 77;			/* position 1 wants seq 2 */
	e = &dq[2];
	memset(e, 0, sizeof(*e));
	e->method = RPCDEV_SIM_ECHO;
	e->id = l->depth;
	e->seq = 3;
	e = &dq[3];
	memset(e, 0, sizeof(*e));
	e->method = RPCDEV_SIM_ECHO;
	e->id = 3;
	e->len = l->buf_size + 1;
	e->tag = 0xdeadbeef;
	e->seq = 4;
	__atomic_store_n(&hc->dq_prod.val, 1 + GARBAGE_ENTRIES,
			 __ATOMIC_RELEASE);
}

/*
 * Attach queue 0, make a DELAY call in another thread, write the garbage
 * once the device took the call, and wait for the call's answer and for
 * the device to have read the garbage. Returns the DELAY call's result.
 */
static int scribble_on_dq(struct __test_metadata *_metadata,
			  FIXTURE_DATA(call) *self)
{
	const struct rpcdev_dev_ctrl *dc;
	struct bg_call bg;
	int ret;

	EXPECT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	dc = rpcdev_queue_part(&self->dev, RPCDEV_OFF_DEV, NULL);
	EXPECT_EQ(0, bg_call_start(&bg, &self->dev, ABANDON_DELAY_US,
				   CALL_TIMEOUT_NS + ABANDON_DELAY_US * 1000));
	EXPECT_EQ(0, wait_word(&dc->dq_cons.val, 1));
	write_dq_garbage(&self->dev);
	ret = bg_call_join(&bg);
	EXPECT_EQ(0, wait_word(&dc->dq_cons.val, 1 + GARBAGE_ENTRIES));
	return ret ? ret : bg.res.status;
}

TEST_F(call, dq_garbage_does_not_fail_call_in_flight)
{
	ASSERT_EQ(RPCDEV_STATUS_OK, scribble_on_dq(_metadata, self));
}

TEST_F(call, kernel_drops_answer_to_forged_dq_entry)
{
	ASSERT_EQ(RPCDEV_STATUS_OK, scribble_on_dq(_metadata, self));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "bad", 1, WAIT_MS));
	ASSERT_EQ(1ULL, dbg(self->q0, "completed"));
	ASSERT_EQ(16ULL, dbg(self->q0, "free"));
}

TEST_F(call, queue_works_after_dq_garbage)
{
	ASSERT_EQ(RPCDEV_STATUS_OK, scribble_on_dq(_metadata, self));
	ASSERT_EQ(0, echo_check(&self->dev));
}

TEST_F(call, sim_counts_dq_garbage_as_bad)
{
	struct rpcdev_sim_stats st;

	ASSERT_EQ(RPCDEV_STATUS_OK, scribble_on_dq(_metadata, self));
	ASSERT_EQ(0, sim_stats(&self->dev, &st));
	ASSERT_EQ((unsigned long long)GARBAGE_ENTRIES, st.bad);
}

TEST_F(call, out_of_range_dq_prod_is_ignored)
{
	const struct rpcdev_dev_ctrl *dc;
	struct rpcdev_host_ctrl *hc;
	struct bg_call bg;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	dc = rpcdev_queue_part(&self->dev, RPCDEV_OFF_DEV, NULL);
	hc = rpcdev_queue_part(&self->dev, RPCDEV_OFF_HOST, NULL);
	ASSERT_EQ(0, bg_call_start(&bg, &self->dev, ABANDON_DELAY_US,
				   CALL_TIMEOUT_NS + ABANDON_DELAY_US * 1000));
	ASSERT_EQ(0, wait_word(&dc->dq_cons.val, 1));
	/* Far more entries than the ring has. */
	__atomic_store_n(&hc->dq_prod.val, 1000, __ATOMIC_RELEASE);
	ASSERT_EQ(0, bg_call_join(&bg));
	ASSERT_EQ(1U, dc->dq_cons.val);
	ASSERT_EQ(0, echo_check(&self->dev));
}

/*
 * The firmware sees the bad index when it wakes up to answer the DELAY. It
 * may count it once; it must not spin on it (a busy firmware thread, and a
 * count that grows with the time until the next call).
 */
TEST_F(call, out_of_range_dq_prod_is_not_counted_repeatedly)
{
	const struct rpcdev_dev_ctrl *dc;
	struct rpcdev_host_ctrl *hc;
	struct rpcdev_sim_stats st;
	struct bg_call bg;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	dc = rpcdev_queue_part(&self->dev, RPCDEV_OFF_DEV, NULL);
	hc = rpcdev_queue_part(&self->dev, RPCDEV_OFF_HOST, NULL);
	ASSERT_EQ(0, bg_call_start(&bg, &self->dev, ABANDON_DELAY_US,
				   CALL_TIMEOUT_NS + ABANDON_DELAY_US * 1000));
	ASSERT_EQ(0, wait_word(&dc->dq_cons.val, 1));
	__atomic_store_n(&hc->dq_prod.val, 1000, __ATOMIC_RELEASE);
	ASSERT_EQ(0, bg_call_join(&bg));
	ASSERT_EQ(0, sim_stats(&self->dev, &st));
	ASSERT_GE(1ULL, st.bad);
}

/* Echo on queue 1 of its own file until told to stop (and 100 times). */
struct other_queue {
	struct rpcdev dev;
	pthread_t thread;
	volatile int stop;
	unsigned long calls, failures;
	int first_err;
};

#define OTHER_QUEUE_MIN_CALLS	100

static void *other_queue_main(void *arg)
{
	struct other_queue *oq = arg;
	int ret;

	while (!oq->stop || oq->calls < OTHER_QUEUE_MIN_CALLS) {
		ret = echo_check(&oq->dev);
		oq->calls++;
		if (ret) {
			if (!oq->failures++)
				oq->first_err = ret;
		}
	}
	return NULL;
}

TEST_F(call, dq_garbage_does_not_disturb_other_queue)
{
	struct other_queue oq;
	int ret;

	memset(&oq, 0, sizeof(oq));
	ASSERT_EQ(0, rpcdev_open(&oq.dev, DEV_PATH));
	ASSERT_EQ(0, rpcdev_queue_attach(&oq.dev, 1, 0, 0));
	ASSERT_EQ(0, pthread_create(&oq.thread, NULL, other_queue_main, &oq));
	ret = scribble_on_dq(_metadata, self);
	oq.stop = 1;
	pthread_join(oq.thread, NULL);
	rpcdev_close(&oq.dev);
	ASSERT_EQ(RPCDEV_STATUS_OK, ret);
	ASSERT_EQ(0UL, oq.failures)
		TH_LOG("%lu of %lu calls on queue 1 failed, the first with %s",
		       oq.failures, oq.calls, strerror(-oq.first_err));
}

TEST_HARNESS_MAIN
