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

/* A WAIT with a short timeout: no upcall is ever made in these tests. */
static void wait_arg(struct rpcdev_upcall *a)
{
	memset(a, 0, sizeof(*a));
	a->flags = RPCDEV_UPCALL_WAIT;
	a->timeout_ns = 1;
}

TEST_F(upcall, wait_without_queue_gives_einval)
{
	struct rpcdev_upcall a;

	wait_arg(&a);
	ASSERT_EQ(-EINVAL, reply_and_wait_raw(rpcdev_fd(&self->dev), &a));
}

TEST_F(upcall, flags_0_gives_einval)
{
	struct rpcdev_upcall a;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	wait_arg(&a);
	a.flags = 0;
	ASSERT_EQ(-EINVAL, reply_and_wait_raw(rpcdev_fd(&self->dev), &a));
}

TEST_F(upcall, unknown_flag_gives_einval)
{
	struct rpcdev_upcall a;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	wait_arg(&a);
	a.flags |= 1U << 2;
	ASSERT_EQ(-EINVAL, reply_and_wait_raw(rpcdev_fd(&self->dev), &a));
}

TEST_F(upcall, pad_set_gives_einval)
{
	struct rpcdev_upcall a;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	wait_arg(&a);
	a.pad = 1;
	ASSERT_EQ(-EINVAL, reply_and_wait_raw(rpcdev_fd(&self->dev), &a));
}

TEST_F(upcall, first_reserved_word_set_gives_einval)
{
	struct rpcdev_upcall a;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	wait_arg(&a);
	a.reserved[0] = 1;
	ASSERT_EQ(-EINVAL, reply_and_wait_raw(rpcdev_fd(&self->dev), &a));
}

TEST_F(upcall, last_reserved_word_set_gives_einval)
{
	struct rpcdev_upcall a;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	wait_arg(&a);
	a.reserved[1] = 1ULL << 63;
	ASSERT_EQ(-EINVAL, reply_and_wait_raw(rpcdev_fd(&self->dev), &a));
}

TEST_F(upcall, unreadable_argument_gives_efault)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-EFAULT, ioctl(rpcdev_fd(&self->dev),
				 RPCDEV_IOC_REPLY_AND_WAIT,
				 unmapped_address()) ? -errno : 0);
}

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
