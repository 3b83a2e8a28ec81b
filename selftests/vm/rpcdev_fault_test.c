// SPDX-License-Identifier: GPL-2.0
/*
 * A device that misbehaves on purpose: fault injection
 * (/sys/kernel/debug/rpcdev_sim/rpcdev_sim.0/qN_fault, or the ivshmem
 * firmware's RPCDEV_IVSHMEM_TEST_FAULT) makes the firmware
 * drop, delay, repeat or break the answer to the next call, publish an
 * impossible index, stall in the middle of a burst, raise interrupts with
 * nothing posted, or fail a queue's start. Each test asserts what the
 * caller gets (the exact errno), what the core counts (its per-queue
 * debugfs file: "bad" entries, "abandoned" and "free" slots), that the
 * queue answers the next call exactly, and that other queues see nothing.
 * A stall also shows how the firmware moderates its interrupts: answers
 * that come while more calls wait share one interrupt, and none of them
 * waits for a method that runs long behind it.
 * Run as root inside the test VM.
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend that
 * $RPCDEV_TEST_BACKEND names (rpcdev_sim, one device of four queues, by
 * default) and opens /dev/rpcdev0 without a queue; every module load
 * (and every start of a queue of the ivshmem device) starts with no fault
 * armed. The firmware's faults are armed through rpcdev_sim's fault file,
 * or on the ivshmem device with its firmware's RPCDEV_IVSHMEM_TEST_FAULT
 * (a call on the queue itself); the device's own (a failed start,
 * spurious interrupts) are rpcdev_sim's, and skip elsewhere.
 *
 * Tests on the core's counters use kernel-driven queues (rpcdev_call(),
 * librpcdev's BLOCK policy); the over-long answer, which the library
 * checks itself on user rings, is tried on every policy.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_calls.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_ivshmem.h"
#include "rpcdev_kmod.h"
#include "rpcdev_upcalls.h"
#include "rpcdev_util.h"

/* Slots per queue: small, so "free" and "abandoned" are easy to follow. */
#define DEPTH		4

/* How long a call waits for an answer that is not to come. */
#define LOST_TIMEOUT_NS	(200 * NSEC_PER_MSEC)

/* Calls of the stalled burst, one thread each; fewer than DEPTH. */
#define BURST		3
#define STALL_US	(300 * USEC_PER_MSEC)

/*
 * A stall long enough for the burst's threads to post their calls while
 * the firmware holds the first, and an interrupt hold that outlasts what
 * is left of the burst (rpcdev_sim's fw_irq_hold_us), so the burst is
 * answered with exactly one.
 */
#define LONG_STALL_US	(1000 * USEC_PER_MSEC)
#define LONG_HOLD_US	(1000 * USEC_PER_MSEC)

/* How long a WATCH that must not end by itself looks: below the timeout. */
#define WATCH_US	4000000U

/* Spurious interrupts raised in one go. */
#define SPURIOUS	50

/* Calls made on another queue while this one misbehaves. */
#define BYSTANDER_CALLS	100

/* The firmware's faults, as rpcdev_sim's fault file and the uapi name them. */
static const struct {
	const char *name;
	uint32_t ivshmem;
} fw_faults[] = {
	{ "drop_reply", RPCDEV_IVSHMEM_FAULT_DROP_REPLY },
	{ "delay_reply_us", RPCDEV_IVSHMEM_FAULT_DELAY_REPLY },
	{ "reply_twice", RPCDEV_IVSHMEM_FAULT_REPLY_TWICE },
	{ "bad_tag", RPCDEV_IVSHMEM_FAULT_BAD_TAG },
	{ "bad_id", RPCDEV_IVSHMEM_FAULT_BAD_ID },
	{ "bad_seq", RPCDEV_IVSHMEM_FAULT_BAD_SEQ },
	{ "long_reply", RPCDEV_IVSHMEM_FAULT_LONG_REPLY },
	{ "bad_dc_prod", RPCDEV_IVSHMEM_FAULT_BAD_DC_PROD },
	{ "stall_us", RPCDEV_IVSHMEM_FAULT_STALL },
};

/*
 * Arm fault @name with @val on queue 0, which @dev has attached (or, for
 * rpcdev_sim's own faults, is to attach): rpcdev_sim through its fault
 * file, the ivshmem firmware through RPCDEV_IVSHMEM_TEST_FAULT on the
 * queue. 0 or -errno.
 */
static int arm(struct rpcdev *dev, const char *sim_q0, const char *name,
	       unsigned long long val)
{
	char path[128], text[64];
	unsigned int i;

	if (!kmod_backend()->sim) {
		for (i = 0; i < ARRAY_SIZE(fw_faults); i++)
			if (!strcmp(fw_faults[i].name, name))
				return ivs_fault(dev, fw_faults[i].ivshmem, val);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s_fault", sim_q0);
	snprintf(text, sizeof(text), "%s %llu\n", name, val);
	return write_text(path, text);
}

#define ARM(name, val)	arm(&self->dev, self->sim_q0, (name), (val))

/* ===================================================================== */
/* Answers broken on a kernel-driven queue                                */
/* ===================================================================== */

DEVICE_FIXTURE(fault)

#define ATTACH()	rpcdev_queue_attach(&self->dev, 0, DEPTH, 0)

TEST_F(fault, dropped_reply_times_the_call_out_and_keeps_its_slot)
{
	ASSERT_EQ(0, ATTACH());
	ASSERT_EQ(0, ARM("drop_reply", 1));
	ASSERT_EQ(-ETIMEDOUT, echo_check_seeded(&self->dev, 1,
						LOST_TIMEOUT_NS));
	/* The device may still write its buffers: the slot stays its own. */
	ASSERT_EQ(1ULL, dbg(self->q0, "abandoned"));
	ASSERT_EQ(DEPTH - 1ULL, dbg(self->q0, "free"));
	ASSERT_EQ(0ULL, dbg(self->q0, "bad"));
	ASSERT_EQ(0, echo_check_seeded(&self->dev, 2, CALL_TIMEOUT_NS));
}

TEST_F(fault, reply_delayed_past_the_timeout_gives_the_slot_back_when_it_comes)
{
	ASSERT_EQ(0, ATTACH());
	ASSERT_EQ(0, ARM("delay_reply_us", LATE_DELAY_US));
	ASSERT_EQ(-ETIMEDOUT, echo_check_seeded(&self->dev, 1,
						LATE_TIMEOUT_NS));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "abandoned", 0, WAIT_MS));
	ASSERT_EQ((unsigned long long)DEPTH, dbg(self->q0, "free"));
	ASSERT_EQ(0ULL, dbg(self->q0, "bad"));
	ASSERT_EQ(0, echo_check_seeded(&self->dev, 2, CALL_TIMEOUT_NS));
}

TEST_F(fault, reply_delayed_within_the_timeout_is_exact)
{
	ASSERT_EQ(0, ATTACH());
	ASSERT_EQ(0, ARM("delay_reply_us", LATE_DELAY_US));
	ASSERT_EQ(0, echo_check_seeded(&self->dev, 1, CALL_TIMEOUT_NS));
	ASSERT_EQ(0ULL, dbg(self->q0, "timeouts"));
}

TEST_F(fault, reply_posted_twice_is_counted_bad_and_the_call_is_exact)
{
	ASSERT_EQ(0, ATTACH());
	ASSERT_EQ(0, ARM("reply_twice", 1));
	ASSERT_EQ(0, echo_check_seeded(&self->dev, 1, CALL_TIMEOUT_NS));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "bad", 1, WAIT_MS));
	ASSERT_EQ(0, echo_check_seeded(&self->dev, 2, CALL_TIMEOUT_NS));
	ASSERT_EQ((unsigned long long)DEPTH, dbg(self->q0, "free"));
	ASSERT_EQ(1ULL, dbg(self->q0, "bad"));
}

TEST_F(fault, impossible_dc_index_is_counted_bad_and_the_next_answer_brings_both)
{
	ASSERT_EQ(0, ATTACH());
	ASSERT_EQ(0, ARM("bad_dc_prod", 1));
	ASSERT_EQ(-ETIMEDOUT, echo_check_seeded(&self->dev, 1,
						LOST_TIMEOUT_NS));
	ASSERT_LE(1ULL, dbg(self->q0, "bad"));
	/* Its answer is on DC: the next true index gives its slot back. */
	ASSERT_EQ(0, echo_check_seeded(&self->dev, 2, CALL_TIMEOUT_NS));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "abandoned", 0, WAIT_MS));
	ASSERT_EQ((unsigned long long)DEPTH, dbg(self->q0, "free"));
}

/* One call of a thread of the stalled burst. */
struct burst_call {
	struct rpcdev *dev;
	unsigned int seed;
	pthread_t thread;
	int ret;
};

static void *burst_call_run(void *arg)
{
	struct burst_call *c = arg;

	c->ret = echo_check_seeded(c->dev, c->seed, CALL_TIMEOUT_NS);
	return NULL;
}

/* Start the calls of a burst, each in a thread of its own. */
static int burst_start(struct burst_call *calls, unsigned int n,
		       struct rpcdev *dev)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		calls[i] = (struct burst_call){ .dev = dev, .seed = i };
		ret = -pthread_create(&calls[i].thread, NULL, burst_call_run,
				      &calls[i]);
		if (ret)
			return ret;
	}
	return 0;
}

TEST_F(fault, firmware_stalled_mid_burst_answers_every_call_exactly)
{
	struct burst_call calls[BURST];
	unsigned int i;

	ASSERT_EQ(0, ATTACH());
	ASSERT_EQ(0, ARM("stall_us", STALL_US));
	ASSERT_EQ(0, burst_start(calls, BURST, &self->dev));
	for (i = 0; i < BURST; i++) {
		ASSERT_EQ(0, pthread_join(calls[i].thread, NULL));
		EXPECT_EQ(0, calls[i].ret) TH_LOG("call %u", i);
	}
	ASSERT_EQ(0, dbgfs_wait_key(self->q0,
				    "free", DEPTH, WAIT_MS));
	ASSERT_EQ(0ULL, dbg(self->q0, "bad"));
	ASSERT_EQ(0ULL, dbg(self->q0, "timeouts"));
}

TEST_F(fault, burst_posted_while_the_firmware_stalls_takes_one_interrupt)
{
	struct burst_call calls[BURST];
	unsigned long long before;
	unsigned int i;

	SKIP_UNLESS_SIM("rpcdev_sim's fw_irq_hold_us parameter");
	ASSERT_EQ(0, kmod_sim_param("fw_irq_hold_us", LONG_HOLD_US));
	ASSERT_EQ(0, ATTACH());
	before = dbg(self->q0, "interrupts");
	ASSERT_EQ(0, ARM("stall_us", LONG_STALL_US));
	ASSERT_EQ(0, burst_start(calls, BURST, &self->dev));
	for (i = 0; i < BURST; i++) {
		ASSERT_EQ(0, pthread_join(calls[i].thread, NULL));
		EXPECT_EQ(0, calls[i].ret) TH_LOG("call %u", i);
	}
	/* The answers came while more calls waited: one interrupt for all. */
	ASSERT_EQ(before + 1, dbg(self->q0, "interrupts"));
	ASSERT_EQ((unsigned long long)DEPTH, dbg(self->q0, "free"));
	ASSERT_EQ(0ULL, dbg(self->q0, "bad"));
}

/* A WATCH of mailbox slot 0 from another thread: it runs until a post. */
struct bg_watch {
	struct rpcdev *dev;
	pthread_t thread;
	struct rpcdev_call_result res;
	struct rpcdev_sim_watch_result r;
	int ret;
};

static void *bg_watch_run(void *arg)
{
	struct bg_watch *w = arg;
	struct rpcdev_sim_watch req = { .timeout_us = htole32(WATCH_US) };
	int ret;

	ret = rpcdev_call(w->dev, RPCDEV_SIM_WATCH, &req, sizeof(req), &w->r,
			  sizeof(w->r), CALL_TIMEOUT_NS, &w->res);
	__atomic_store_n(&w->ret, ret, __ATOMIC_RELEASE);
	return NULL;
}

TEST_F(fault, answer_held_back_does_not_wait_for_a_watch_behind_it)
{
	struct burst_call echo;
	struct bg_watch w = { .dev = &self->dev, .ret = -EINPROGRESS };

	/* Where it can: a hold that no time ends before the WATCH would. */
	if (kmod_backend()->sim)
		ASSERT_EQ(0, kmod_sim_param("fw_irq_hold_us", LONG_HOLD_US));
	ASSERT_EQ(0, ATTACH());
	ASSERT_EQ(0, ARM("stall_us", STALL_US));
	/* The firmware takes the ECHO and stalls; the WATCH waits behind. */
	ASSERT_EQ(0, burst_start(&echo, 1, &self->dev));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "free", DEPTH - 1, WAIT_MS));
	ASSERT_EQ(0, pthread_create(&w.thread, NULL, bg_watch_run, &w));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "free", DEPTH - 2, WAIT_MS));
	/* The ECHO's answer comes while the WATCH still runs. */
	ASSERT_EQ(0, pthread_join(echo.thread, NULL));
	ASSERT_EQ(0, echo.ret);
	ASSERT_EQ(-EINPROGRESS, __atomic_load_n(&w.ret, __ATOMIC_ACQUIRE));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 7, NULL));
	ASSERT_EQ(0, pthread_join(w.thread, NULL));
	ASSERT_EQ(0, w.ret);
	ASSERT_EQ(RPCDEV_STATUS_OK, w.res.status);
	ASSERT_EQ(7U, le32toh(w.r.value));
	ASSERT_EQ(0ULL, dbg(self->q0, "bad"));
}

TEST_F(fault, spurious_interrupts_are_counted_and_change_nothing)
{
	unsigned long long before;

	SKIP_UNLESS_SIM("rpcdev_sim's own faults");
	ASSERT_EQ(0, ATTACH());
	before = dbg(self->q0, "interrupts");
	ASSERT_EQ(0, ARM("spurious_irqs", SPURIOUS));
	ASSERT_EQ(before + SPURIOUS, dbg(self->q0, "interrupts"));
	ASSERT_EQ(0ULL, dbg(self->q0, "bad"));
	ASSERT_EQ((unsigned long long)DEPTH, dbg(self->q0, "free"));
	ASSERT_EQ(0, echo_check_seeded(&self->dev, 1, CALL_TIMEOUT_NS));
}

TEST_F(fault, spurious_interrupts_of_a_stopped_queue_give_ebusy)
{
	SKIP_UNLESS_SIM("rpcdev_sim's own faults");
	ASSERT_EQ(-EBUSY, ARM("spurious_irqs", 1));
}

TEST_F(fault, failed_queue_start_fails_the_attach_with_its_errno)
{
	SKIP_UNLESS_SIM("rpcdev_sim's own faults");
	ASSERT_EQ(0, ARM("fail_start", EIO));
	ASSERT_EQ(-EIO, ATTACH());
	ASSERT_EQ(0ULL, dbg(self->q0, "attached"));
	ASSERT_EQ(0, ATTACH());
	ASSERT_EQ(0, echo_check_seeded(&self->dev, 1, CALL_TIMEOUT_NS));
}

TEST_F(fault, unknown_fault_gives_einval)
{
	SKIP_UNLESS_SIM("rpcdev_sim's own faults");
	ASSERT_EQ(-EINVAL, ARM("lose_everything", 1));
}

/* A queue that drops every answer leaves another queue's calls exact. */
TEST_F(fault, dropping_queue_leaves_other_queues_exact)
{
	struct rpcdev other;
	unsigned int i;
	int ret = 0;

	ASSERT_EQ(0, ATTACH());
	ASSERT_EQ(0, ARM("drop_reply", DEPTH));
	for (i = 0; i < DEPTH; i++)
		ASSERT_EQ(-ETIMEDOUT, echo_check_seeded(&self->dev, i,
							LOST_TIMEOUT_NS));
	ASSERT_EQ(0ULL, dbg(self->q0, "free"));
	ASSERT_EQ(0, rpcdev_open(&other, DEV_PATH));
	ASSERT_EQ(0, rpcdev_queue_attach(&other, 1, DEPTH, 0));
	for (i = 0; i < BYSTANDER_CALLS && !ret; i++)
		ret = echo_check_seeded(&other, i, CALL_TIMEOUT_NS);
	rpcdev_close(&other);
	ASSERT_EQ(0, ret) TH_LOG("call %u of the other queue", i);
	/* Every slot abandoned: the next call finds none free. */
	ASSERT_EQ(-EAGAIN, echo_check_seeded(&self->dev, 0, CALL_TIMEOUT_NS));
}

/*
 * An answer broken so that the core cannot tell whose it is: it is
 * dropped and counted, and its call times out with its slot kept.
 */
DEVICE_FIXTURE(unowned_reply)

FIXTURE_VARIANT(unowned_reply) {
	const char *fault;
};

FIXTURE_VARIANT_ADD(unowned_reply, bad_tag) { .fault = "bad_tag" };
FIXTURE_VARIANT_ADD(unowned_reply, bad_id) { .fault = "bad_id" };
FIXTURE_VARIANT_ADD(unowned_reply, bad_seq) { .fault = "bad_seq" };

TEST_F(unowned_reply, is_dropped_and_its_call_times_out)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, DEPTH, 0));
	ASSERT_EQ(0, ARM(variant->fault, 1));
	ASSERT_EQ(-ETIMEDOUT, echo_check_seeded(&self->dev, 1,
						LOST_TIMEOUT_NS));
	ASSERT_EQ(1ULL, dbg(self->q0, "bad"));
	ASSERT_EQ(1ULL, dbg(self->q0, "abandoned"));
	ASSERT_EQ(0, echo_check_seeded(&self->dev, 2, CALL_TIMEOUT_NS));
}

/* ===================================================================== */
/* An over-long answer, on every wait policy                              */
/* ===================================================================== */

DEVICE_FIXTURE(long_reply)
POLICY_VARIANTS(long_reply);

/*
 * The answer is the call's own (its tag and seq are right) but longer
 * than the buffers: the call fails with EIO, in the kernel on a
 * kernel-driven queue and in librpcdev on user rings, and is not lost.
 */
TEST_F(long_reply, fails_the_call_with_eio)
{
	ASSERT_EQ(0, ATTACH_QUEUE_0(DEPTH, 0));
	ASSERT_EQ(0, ARM("long_reply", 1));
	ASSERT_EQ(-EIO, echo_check_seeded(&self->dev, 1, CALL_TIMEOUT_NS));
	ASSERT_EQ(0, echo_check_seeded(&self->dev, 2, CALL_TIMEOUT_NS));
}

TEST_F(long_reply, leaves_every_slot_free)
{
	unsigned int i;

	ASSERT_EQ(0, ATTACH_QUEUE_0(DEPTH, 0));
	ASSERT_EQ(0, ARM("long_reply", DEPTH));
	for (i = 0; i < DEPTH; i++)
		ASSERT_EQ(-EIO, echo_check_seeded(&self->dev, i,
						  CALL_TIMEOUT_NS));
	/* Were any slot lost, one of these would find none free. */
	for (i = 0; i < DEPTH; i++)
		ASSERT_EQ(0, echo_check_seeded(&self->dev, i,
					       CALL_TIMEOUT_NS));
}

TEST_HARNESS_MAIN
