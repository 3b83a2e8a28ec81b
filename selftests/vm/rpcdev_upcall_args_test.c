// SPDX-License-Identifier: GPL-2.0
/*
 * The errors of RPCDEV_IOC_REPLY_AND_WAIT and of librpcdev's answers to
 * upcalls, against rpcdev_sim, run as root inside the test VM: bad
 * arguments, answers to upcalls never delivered or already answered, and
 * refused answers, after which the upcall is still the server's to answer.
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
#include <sys/ioctl.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_upcalls.h"
#include "rpcdev_util.h"

static int reply_and_wait_raw(int fd, struct rpcdev_upcall *a)
{
	return ioctl(fd, RPCDEV_IOC_REPLY_AND_WAIT, a) ? -errno : 0;
}

/* ===================================================================== */
/* Fixture: rpcdev and its backend with one device (rpcdev_sim: four     */
/* queues), /dev/rpcdev0 open (no queue yet).                            */
/* ===================================================================== */

DEVICE_FIXTURE(upcall)

/* ===================================================================== */
/* RPCDEV_IOC_REPLY_AND_WAIT: argument errors                             */
/* ===================================================================== */

/*
 * One RPCDEV_IOC_REPLY_AND_WAIT that only waits, with a short timeout (no
 * upcall is ever made), on queue 0 unless @no_queue, with the argument
 * spoiled as the variant says; it must give @want.
 */
FIXTURE_VARIANT(reply_and_wait_arg) {
	bool no_queue;
	bool no_flags;		/* flags = 0: neither REPLY nor WAIT */
	__u32 extra_flag;
	__u32 pad;
	__u64 reserved[2];
	bool bad_pointer;	/* the ioctl's argument is not mapped */
	int want;
};

DEVICE_FIXTURE(reply_and_wait_arg)

FIXTURE_VARIANT_ADD(reply_and_wait_arg, wait_without_queue_gives_einval) {
	.no_queue = true,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reply_and_wait_arg, flags_0_gives_einval) {
	.no_flags = true,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reply_and_wait_arg, unknown_flag_gives_einval) {
	.extra_flag = 1U << 2,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reply_and_wait_arg, pad_set_gives_einval) {
	.pad = 1,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reply_and_wait_arg, first_reserved_word_set_gives_einval) {
	.reserved = { 1, 0 },
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reply_and_wait_arg, last_reserved_word_set_gives_einval) {
	.reserved = { 0, 1ULL << 63 },
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(reply_and_wait_arg, unreadable_argument_gives_efault) {
	.bad_pointer = true,
	.want = -EFAULT,
};

TEST_F(reply_and_wait_arg, result)
{
	struct rpcdev_upcall a;

	if (!variant->no_queue)
		ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	memset(&a, 0, sizeof(a));
	a.flags = variant->no_flags ? 0 : RPCDEV_UPCALL_WAIT;
	a.flags |= variant->extra_flag;
	a.timeout_ns = 1;
	a.pad = variant->pad;
	a.reserved[0] = variant->reserved[0];
	a.reserved[1] = variant->reserved[1];
	ASSERT_EQ(variant->want,
		  reply_and_wait_raw(rpcdev_fd(&self->dev),
				     variant->bad_pointer ?
				     unmapped_address() : &a));
}

/* ===================================================================== */
/* Answers librpcdev refuses or that find no upcall                       */
/* ===================================================================== */

TEST_F(upcall, reply_to_id_not_delivered_gives_einval)
{
	struct rpcdev_upcall_reply reply = { .id = 0 };

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-EINVAL, rpcdev_upcall_reply(&self->dev, &reply));
}

TEST_F(upcall, reply_to_id_past_depth_gives_einval)
{
	struct rpcdev_upcall_reply reply = { .id = 16 };

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 16, 0));
	ASSERT_EQ(-EINVAL, rpcdev_upcall_reply(&self->dev, &reply));
}

TEST_F(upcall, second_reply_to_same_upcall_gives_einval)
{
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, take_one(&self->dev, &run, &up));
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ret = echo_reply(&self->dev, &up);
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(-EINVAL, ret);
}

TEST_F(upcall, reply_len_above_buf_size_gives_e2big)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, take_one(&self->dev, &run, &up));
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = rpcdev_queue_buf_size(&self->dev) + 1;
	ret = rpcdev_upcall_reply(&self->dev, &reply);
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(-E2BIG, ret);
}

TEST_F(upcall, upcall_stays_pending_after_e2big_reply)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, take_one(&self->dev, &run, &up));
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = rpcdev_queue_buf_size(&self->dev) + 1;
	ASSERT_EQ(-E2BIG, rpcdev_upcall_reply(&self->dev, &reply));
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
}

TEST_F(upcall, reply_flag_other_than_error_gives_einval)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, take_one(&self->dev, &run, &up));
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.flags = RPCDEV_ENTRY_ASYNC;
	ret = rpcdev_upcall_reply(&self->dev, &reply);
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(-EINVAL, ret);
}

TEST_F(upcall, reply_with_a_status_of_the_kernels_gives_einval)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, take_one(&self->dev, &run, &up));
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.status = RPCDEV_STATUS_NO_SERVER;
	ret = rpcdev_upcall_reply(&self->dev, &reply);
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(-EINVAL, ret);
}

TEST_F(upcall, unreadable_reply_data_gives_efault)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, take_one(&self->dev, &run, &up));
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = up.len;
	reply.data = unmapped_address();
	ret = rpcdev_upcall_reply(&self->dev, &reply);
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(-EFAULT, ret);
}

TEST_F(upcall, upcall_stays_pending_after_efault_reply)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, take_one(&self->dev, &run, &up));
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = up.len;
	reply.data = unmapped_address();
	ASSERT_EQ(-EFAULT, rpcdev_upcall_reply(&self->dev, &reply));
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
}

/* A refused reply is not sent: nothing reaches the device. */
TEST_F(upcall, refused_reply_is_not_counted_as_sent)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;
	unsigned long long replies;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, take_one(&self->dev, &run, &up));
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = up.len;
	reply.data = unmapped_address();
	ASSERT_EQ(-EFAULT, rpcdev_upcall_reply(&self->dev, &reply));
	replies = dbg(self->q0, "replies");
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(0ULL, replies);
}

TEST_HARNESS_MAIN
