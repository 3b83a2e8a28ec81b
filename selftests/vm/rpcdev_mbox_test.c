// SPDX-License-Identifier: GPL-2.0
/*
 * The rpcdev mailbox, against rpcdev_sim, run as root inside the test VM:
 * host-to-device posts (RPCDEV_IOC_MBOX_POST, or librpcdev's store into the
 * mapped page) and their sequence numbers, as the device sees them
 * (RPCDEV_SIM_WATCH); device-to-host messages (RPCDEV_SIM_NOTIFY), EPOLLPRI
 * and RPCDEV_IOC_MBOX_READ, a full ring; the errors of both ioctls; that a
 * queue's mailbox is its own; EPOLLIN and EPOLLPRI together in one epoll
 * set; and the "rpcdev mbox" command.
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend that
 * $RPCDEV_TEST_BACKEND names (rpcdev_sim, one device of four queues, by
 * default) and opens /dev/rpcdev0 without a queue; its teardown fails the
 * test if a module cannot be unloaded (a leaked reference).
 * No test asserts how long anything takes; waits are bounded polls of
 * debugfs, of the device's indices or poll(2) with a generous timeout.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_kmod.h"
#include "rpcdev_util.h"
#include "run_tool.h"


/* Downcalls that must be answered: a lost answer fails, not hangs. */
#define CALL_TIMEOUT_NS	(20000 * NSEC_PER_MSEC)

/* How long WATCH looks for a post that must come (the device's limit). */
#define WATCH_LONG_US	10000000U
/* How long WATCH looks for a post that must not come. */
#define WATCH_SHORT_US	20000U

/* ===================================================================== */
/* Helpers                                                               */
/* ===================================================================== */

static int mbox_post_raw(int fd, struct rpcdev_mbox *m)
{
	return ioctl(fd, RPCDEV_IOC_MBOX_POST, m) ? -errno : 0;
}

static int mbox_read_raw(int fd, void *msg)
{
	return ioctl(fd, RPCDEV_IOC_MBOX_READ, msg) ? -errno : 0;
}

/* What RPCDEV_SIM_WATCH answered. */
struct watch {
	struct rpcdev *dev;
	struct rpcdev_sim_watch req;
	struct rpcdev_call_result res;
	union {
		struct rpcdev_sim_watch_result r;
		char bytes[128];
	} resp;
	int ret;
	pthread_t thread;
};

static void watch_init(struct watch *w, struct rpcdev *dev, unsigned int slot,
		       unsigned int seq, unsigned int timeout_us)
{
	memset(w, 0, sizeof(*w));
	w->dev = dev;
	w->req.slot = htole32(slot);
	w->req.seq = htole32(seq);
	w->req.timeout_us = htole32(timeout_us);
	w->ret = -EINPROGRESS;
}

/* Make the WATCH downcall; the result's fields in host byte order. */
static int watch_call(struct watch *w)
{
	struct rpcdev_sim_watch_result *r = &w->resp.r;
	int ret;

	ret = rpcdev_call(w->dev, RPCDEV_SIM_WATCH, &w->req, sizeof(w->req),
			  w->resp.bytes, sizeof(w->resp.bytes), CALL_TIMEOUT_NS,
			  &w->res);
	if (!ret && w->res.status == RPCDEV_STATUS_OK) {
		r->value = le32toh(r->value);
		r->seq = le32toh(r->seq);
	}
	return ret;
}

/* Watch and check the device saw a post: 0, -errno, or -EPROTO. */
static int watch_ok(struct watch *w)
{
	int ret = watch_call(w);

	if (ret)
		return ret;
	if (w->res.status != RPCDEV_STATUS_OK ||
	    w->res.resp_len != sizeof(w->resp.r))
		return -EPROTO;
	return 0;
}

static void *watch_main(void *arg)
{
	struct watch *w = arg;

	w->ret = watch_ok(w);
	return NULL;
}

/* RPCDEV_SIM_NOTIFY: @count messages from @value; the number posted. */
static int notify(struct rpcdev *dev, unsigned int count, uint64_t value)
{
	struct rpcdev_sim_notify req = {
		.count = htole32(count),
		.value = htole64(value),
	};
	struct rpcdev_call_result res;
	uint32_t posted;
	int ret;

	ret = rpcdev_call(dev, RPCDEV_SIM_NOTIFY, &req, sizeof(req), &posted,
			  sizeof(posted), CALL_TIMEOUT_NS, &res);
	if (ret)
		return ret;
	if (res.status != RPCDEV_STATUS_OK || res.resp_len != sizeof(posted))
		return -EPROTO;
	return (int)le32toh(posted);
}

/* The host control page of @dev's queue. */
static volatile struct rpcdev_host_ctrl *host_ctrl(struct rpcdev *dev)
{
	return rpcdev_queue_part(dev, RPCDEV_OFF_HOST, NULL);
}

/* ===================================================================== */
/* Fixture: rpcdev and its backend with one device (rpcdev_sim: four     */
/* queues), /dev/rpcdev0 open (no queue yet).                            */
/* ===================================================================== */

DEVICE_FIXTURE(mbox)

/* ===================================================================== */
/* Host to device: posts and their sequence numbers                       */
/* ===================================================================== */

TEST_F(mbox, posts_get_seq_1_2_3)
{
	uint32_t seq[3];

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 10, &seq[0]));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 10, &seq[1]));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 11, &seq[2]));
	ASSERT_EQ(1U, seq[0]);
	ASSERT_EQ(2U, seq[1]);
	ASSERT_EQ(3U, seq[2]);
}

TEST_F(mbox, each_slot_has_its_own_sequence)
{
	uint32_t seq0, seq7;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 1, &seq0));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 1, &seq0));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 7, 1, &seq7));
	ASSERT_EQ(2U, seq0);
	ASSERT_EQ(1U, seq7);
}

TEST_F(mbox, post_is_one_word_of_seq_and_value_in_mapped_page)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 3, 0xdeadbeef, NULL));
	ASSERT_EQ(1ULL << 32 | 0xdeadbeef, host_ctrl(&self->dev)->mbox[3]);
}

TEST_F(mbox, post_is_counted_in_debugfs)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 1, NULL));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 1, 1, NULL));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "mbox_posts", 2, 0));
}

TEST_F(mbox, stores_get_seq_1_2_3)
{
	uint32_t seq[3];

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_mbox_store(&self->dev, 0, 10, &seq[0]));
	ASSERT_EQ(0, rpcdev_mbox_store(&self->dev, 0, 10, &seq[1]));
	ASSERT_EQ(0, rpcdev_mbox_store(&self->dev, 0, 11, &seq[2]));
	ASSERT_EQ(1U, seq[0]);
	ASSERT_EQ(2U, seq[1]);
	ASSERT_EQ(3U, seq[2]);
}

TEST_F(mbox, store_is_one_word_of_seq_and_value_in_mapped_page)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_mbox_store(&self->dev, 5, 0xcafe, NULL));
	ASSERT_EQ(1ULL << 32 | 0xcafe, host_ctrl(&self->dev)->mbox[5]);
}

TEST_F(mbox, post_after_store_continues_the_sequence)
{
	uint32_t seq;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_mbox_store(&self->dev, 0, 1, &seq));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 2, &seq));
	ASSERT_EQ(2U, seq);
}

TEST_F(mbox, store_after_post_continues_the_sequence)
{
	uint32_t seq;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 1, &seq));
	ASSERT_EQ(0, rpcdev_mbox_store(&self->dev, 0, 2, &seq));
	ASSERT_EQ(2U, seq);
}

/* ===================================================================== */
/* Host to device: what the device sees (RPCDEV_SIM_WATCH)                */
/* ===================================================================== */

TEST_F(mbox, watch_sees_value_posted_before_it_started)
{
	struct watch w;
	uint32_t seq;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 2, 4242, &seq));
	watch_init(&w, &self->dev, 2, seq - 1, WATCH_LONG_US);
	ASSERT_EQ(0, watch_ok(&w));
	ASSERT_EQ(4242U, w.resp.r.value);
	ASSERT_EQ(1U, w.resp.r.seq);
}

TEST_F(mbox, watch_sees_value_posted_while_it_watches)
{
	struct watch w;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	watch_init(&w, &self->dev, 0, 0, WATCH_LONG_US);
	ASSERT_EQ(0, -pthread_create(&w.thread, NULL, watch_main, &w));
	/* The device took the WATCH (whether it has looked yet or not). */
	ASSERT_EQ(0, wait_word(&device_ctrl(&self->dev)->dq_cons.val, 1));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 77, NULL));
	pthread_join(w.thread, NULL);
	ASSERT_EQ(0, w.ret);
	ASSERT_EQ(77U, w.resp.r.value);
	ASSERT_EQ(1U, w.resp.r.seq);
}

TEST_F(mbox, watch_sees_later_post_with_its_seq)
{
	struct watch w;
	uint32_t seq;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 1, NULL));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 2, &seq));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 3, NULL));
	watch_init(&w, &self->dev, 0, seq, WATCH_LONG_US);
	ASSERT_EQ(0, watch_ok(&w));
	ASSERT_EQ(3U, w.resp.r.value);
	ASSERT_EQ(3U, w.resp.r.seq);
}

TEST_F(mbox, watch_sees_store_into_mapped_page)
{
	struct watch w;
	uint32_t seq;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_mbox_store(&self->dev, 6, 0x5a5a, &seq));
	watch_init(&w, &self->dev, 6, seq - 1, WATCH_LONG_US);
	ASSERT_EQ(0, watch_ok(&w));
	ASSERT_EQ(0x5a5aU, w.resp.r.value);
	ASSERT_EQ(1U, w.resp.r.seq);
}

TEST_F(mbox, watch_sees_store_made_while_it_watches)
{
	struct watch w;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	watch_init(&w, &self->dev, 0, 0, WATCH_LONG_US);
	ASSERT_EQ(0, -pthread_create(&w.thread, NULL, watch_main, &w));
	ASSERT_EQ(0, wait_word(&device_ctrl(&self->dev)->dq_cons.val, 1));
	ASSERT_EQ(0, rpcdev_mbox_store(&self->dev, 0, 99, NULL));
	pthread_join(w.thread, NULL);
	ASSERT_EQ(0, w.ret);
	ASSERT_EQ(99U, w.resp.r.value);
	ASSERT_EQ(1U, w.resp.r.seq);
}

/* Nothing posted: WATCH times out with the device's TimeoutError. */
static void watch_nothing(struct __test_metadata *_metadata,
			  FIXTURE_DATA(mbox) *self, struct watch *w,
			  unsigned int seq)
{
	watch_init(w, &self->dev, 0, seq, WATCH_SHORT_US);
	ASSERT_EQ(0, watch_call(w));
}

TEST_F(mbox, watch_without_post_gives_status_error)
{
	struct watch w;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	watch_nothing(_metadata, self, &w, 0);
	ASSERT_EQ(RPCDEV_STATUS_ERROR, w.res.status);
	ASSERT_EQ(RPCDEV_ENTRY_ERROR, w.res.flags);
}

TEST_F(mbox, watch_without_post_raises_timeout_error)
{
	struct rpcdev_error err;
	struct watch w;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	watch_nothing(_metadata, self, &w, 0);
	ASSERT_EQ(0, rpcdev_error_split(w.resp.bytes, w.res.resp_len, &err));
	ASSERT_STREQ("TimeoutError", err.name);
}

/* The device waits for a seq other than the one the host last saw. */
TEST_F(mbox, watch_from_current_seq_ignores_earlier_post)
{
	struct watch w;
	uint32_t seq;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 1, &seq));
	watch_nothing(_metadata, self, &w, seq);
	ASSERT_EQ(RPCDEV_STATUS_ERROR, w.res.status);
}

/* ===================================================================== */
/* RPCDEV_IOC_MBOX_POST: errors                                          */
/* ===================================================================== */

/*
 * One RPCDEV_IOC_MBOX_POST of value 1 to slot @slot, on queue 0 unless
 * @no_queue, with @pad, or with an argument that is not mapped; it must
 * give @want.
 */
FIXTURE_VARIANT(mbox_post_arg) {
	bool no_queue;
	__u32 slot;
	__u32 pad;
	bool bad_pointer;
	int want;
};

DEVICE_FIXTURE(mbox_post_arg)

FIXTURE_VARIANT_ADD(mbox_post_arg, without_queue_gives_einval) {
	.no_queue = true,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(mbox_post_arg, to_slot_8_gives_einval) {
	.slot = RPCDEV_MBOX_SLOTS,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(mbox_post_arg, to_slot_u32_max_gives_einval) {
	.slot = UINT32_MAX,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(mbox_post_arg, with_pad_set_gives_einval) {
	.pad = 1,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(mbox_post_arg, with_unreadable_argument_gives_efault) {
	.bad_pointer = true,
	.want = -EFAULT,
};

TEST_F(mbox_post_arg, result)
{
	struct rpcdev_mbox m = {
		.slot = variant->slot,
		.value = 1,
		.pad = variant->pad,
	};

	if (!variant->no_queue)
		ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(variant->want,
		  mbox_post_raw(rpcdev_fd(&self->dev),
				variant->bad_pointer ? unmapped_address() : &m));
}

TEST_F(mbox, refused_post_changes_no_slot)
{
	volatile struct rpcdev_host_ctrl *ctrl;
	struct rpcdev_mbox m = { .slot = 0, .value = 1, .pad = 1 };
	unsigned int i;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-EINVAL, mbox_post_raw(rpcdev_fd(&self->dev), &m));
	ctrl = host_ctrl(&self->dev);
	for (i = 0; i < RPCDEV_MBOX_SLOTS; i++)
		ASSERT_EQ(0ULL, ctrl->mbox[i]) TH_LOG("slot %u", i);
}

TEST_F(mbox, library_post_to_slot_8_gives_einval)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-EINVAL, rpcdev_mbox_post(&self->dev, RPCDEV_MBOX_SLOTS, 1,
					    NULL));
}

TEST_F(mbox, library_store_to_slot_8_gives_einval_and_writes_nothing)
{
	const volatile unsigned char *page;
	size_t size, i;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-EINVAL, rpcdev_mbox_store(&self->dev, RPCDEV_MBOX_SLOTS, 1,
					     NULL));
	/* From the slots to the end of the control page: all zero. */
	page = rpcdev_queue_part(&self->dev, RPCDEV_OFF_HOST, &size);
	ASSERT_LE((size_t)sysconf(_SC_PAGESIZE), size);
	for (i = offsetof(struct rpcdev_host_ctrl, mbox);
	     i < (size_t)sysconf(_SC_PAGESIZE); i++)
		ASSERT_EQ(0, page[i]) TH_LOG("byte %zu", i);
}

/* ===================================================================== */
/* Device to host: RPCDEV_SIM_NOTIFY, EPOLLPRI, RPCDEV_IOC_MBOX_READ      */
/* ===================================================================== */

TEST_F(mbox, read_without_queue_gives_einval)
{
	struct rpcdev_mbox_msg msg;

	ASSERT_EQ(-EINVAL, mbox_read_raw(rpcdev_fd(&self->dev), &msg));
}

TEST_F(mbox, read_with_nothing_gives_eagain)
{
	struct rpcdev_mbox_msg msg;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-EAGAIN, rpcdev_mbox_read(&self->dev, &msg));
}

TEST_F(mbox, poll_with_nothing_reports_no_pollpri)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, poll_events(rpcdev_fd(&self->dev), POLLIN | POLLPRI, 0));
}

TEST_F(mbox, notify_with_pad_set_is_a_bad_request)
{
	struct rpcdev_sim_notify req = {
		.count = htole32(1),
		.pad = 1,
	};
	struct rpcdev_call_result res;
	struct rpcdev_mbox_msg msg;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_call(&self->dev, RPCDEV_SIM_NOTIFY, &req,
				 sizeof(req), NULL, 0, CALL_TIMEOUT_NS, &res));
	ASSERT_EQ(RPCDEV_STATUS_BAD_REQUEST, res.status);
	ASSERT_EQ(-EAGAIN, rpcdev_mbox_read(&self->dev, &msg));
}

TEST_F(mbox, notify_3_posts_3)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(3, notify(&self->dev, 3, 100));
}

TEST_F(mbox, notify_makes_fd_pollpri)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(3, notify(&self->dev, 3, 100));
	ASSERT_EQ(POLLPRI, poll_events(rpcdev_fd(&self->dev), POLLIN | POLLPRI,
				       WAIT_MS));
}

TEST_F(mbox, notify_makes_fd_epollpri)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(3, notify(&self->dev, 3, 100));
	ASSERT_EQ(EPOLLPRI, epoll_events(rpcdev_fd(&self->dev),
					 EPOLLIN | EPOLLPRI, WAIT_MS));
}

TEST_F(mbox, messages_are_read_in_order_with_pending_counts)
{
	struct rpcdev_mbox_msg msg[3];
	unsigned int i;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(3, notify(&self->dev, 3, 100));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, rpcdev_mbox_read(&self->dev, &msg[i]));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(100U + i, msg[i].value);
		ASSERT_EQ(2U - i, msg[i].pending);
		ASSERT_EQ(0U, msg[i].lost);
	}
}

TEST_F(mbox, read_after_last_message_gives_eagain)
{
	struct rpcdev_mbox_msg msg;
	unsigned int i;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(3, notify(&self->dev, 3, 100));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, rpcdev_mbox_read(&self->dev, &msg));
	ASSERT_EQ(-EAGAIN, rpcdev_mbox_read(&self->dev, &msg));
}

TEST_F(mbox, pollpri_clears_after_last_message_is_read)
{
	struct rpcdev_mbox_msg msg;
	unsigned int i;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(3, notify(&self->dev, 3, 100));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, rpcdev_mbox_read(&self->dev, &msg));
	ASSERT_EQ(0, poll_events(rpcdev_fd(&self->dev), POLLIN | POLLPRI, 0));
}

TEST_F(mbox, message_value_is_64_bits)
{
	struct rpcdev_mbox_msg msg;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(1, notify(&self->dev, 1, 0x123456789abcdef0ULL));
	ASSERT_EQ(0, rpcdev_mbox_read(&self->dev, &msg));
	ASSERT_EQ(0x123456789abcdef0ULL, msg.value);
}

TEST_F(mbox, read_into_unwritable_memory_gives_efault_and_keeps_message)
{
	struct rpcdev_mbox_msg msg;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(1, notify(&self->dev, 1, 100));
	ASSERT_EQ(-EFAULT, mbox_read_raw(rpcdev_fd(&self->dev),
					 unmapped_address()));
	ASSERT_EQ(0, rpcdev_mbox_read(&self->dev, &msg));
	ASSERT_EQ(100U, msg.value);
	ASSERT_EQ(0U, msg.pending);
}

TEST_F(mbox, reads_are_counted_in_debugfs)
{
	struct rpcdev_mbox_msg msg;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(2, notify(&self->dev, 2, 100));
	ASSERT_EQ(0, rpcdev_mbox_read(&self->dev, &msg));
	ASSERT_EQ(0, rpcdev_mbox_read(&self->dev, &msg));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "mbox_msgs", 2, 0));
}

/* A full ring: the device posts only RPCDEV_MBOX_DEPTH of 100. */
TEST_F(mbox, notify_100_posts_only_a_ring_full)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(RPCDEV_MBOX_DEPTH, notify(&self->dev, 100, 1000));
}

TEST_F(mbox, full_ring_reads_exactly_its_messages_in_order)
{
	struct rpcdev_mbox_msg msg;
	unsigned int i;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(RPCDEV_MBOX_DEPTH, notify(&self->dev, 100, 1000));
	for (i = 0; i < RPCDEV_MBOX_DEPTH; i++) {
		ASSERT_EQ(0, rpcdev_mbox_read(&self->dev, &msg)) TH_LOG("%u", i);
		ASSERT_EQ(1000U + i, msg.value);
		ASSERT_EQ(RPCDEV_MBOX_DEPTH - 1U - i, msg.pending);
		ASSERT_EQ(0U, msg.lost);
	}
	ASSERT_EQ(-EAGAIN, rpcdev_mbox_read(&self->dev, &msg));
}

TEST_F(mbox, drained_ring_takes_messages_again)
{
	struct rpcdev_mbox_msg msg;
	unsigned int i;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(RPCDEV_MBOX_DEPTH, notify(&self->dev, 100, 1000));
	for (i = 0; i < RPCDEV_MBOX_DEPTH; i++)
		ASSERT_EQ(0, rpcdev_mbox_read(&self->dev, &msg));
	ASSERT_EQ(2, notify(&self->dev, 2, 5000));
	ASSERT_EQ(0, rpcdev_mbox_read(&self->dev, &msg));
	ASSERT_EQ(5000U, msg.value);
	ASSERT_EQ(1U, msg.pending);
}

/* ===================================================================== */
/* A queue's mailbox is its own                                           */
/* ===================================================================== */

/* @other: /dev/rpcdev0 opened again with queue 1 attached. */
static void open_queue_1(struct __test_metadata *_metadata,
			 FIXTURE_DATA(mbox) *self, struct rpcdev *other)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_open(other, DEV_PATH));
	ASSERT_EQ(0, rpcdev_queue_attach(other, 1, 0, 0));
}

TEST_F(mbox, message_on_queue_0_does_not_make_queue_1_pollpri)
{
	struct rpcdev other;
	int events;

	open_queue_1(_metadata, self, &other);
	ASSERT_EQ(3, notify(&self->dev, 3, 100));
	ASSERT_EQ(POLLPRI, poll_events(rpcdev_fd(&self->dev), POLLPRI, WAIT_MS));
	events = poll_events(rpcdev_fd(&other), POLLIN | POLLPRI, 0);
	rpcdev_close(&other);
	ASSERT_EQ(0, events);
}

TEST_F(mbox, message_on_queue_0_is_not_read_on_queue_1)
{
	struct rpcdev_mbox_msg msg;
	struct rpcdev other;
	int ret;

	open_queue_1(_metadata, self, &other);
	ASSERT_EQ(3, notify(&self->dev, 3, 100));
	ret = rpcdev_mbox_read(&other, &msg);
	rpcdev_close(&other);
	ASSERT_EQ(-EAGAIN, ret);
	ASSERT_EQ(0, rpcdev_mbox_read(&self->dev, &msg));
	ASSERT_EQ(100U, msg.value);
}

TEST_F(mbox, post_on_queue_0_is_not_seen_on_queue_1)
{
	struct rpcdev other;
	struct watch w;

	open_queue_1(_metadata, self, &other);
	ASSERT_EQ(0, rpcdev_mbox_post(&self->dev, 0, 1, NULL));
	watch_init(&w, &other, 0, 0, WATCH_SHORT_US);
	ASSERT_EQ(0, watch_call(&w));
	rpcdev_close(&other);
	ASSERT_EQ(RPCDEV_STATUS_ERROR, w.res.status);
}

/* ===================================================================== */
/* EPOLLIN and EPOLLPRI together                                          */
/* ===================================================================== */

struct upcalls_run {
	struct rpcdev *dev;
	int ret;
	struct rpcdev_call_result res;
	struct rpcdev_sim_upcall_result r;
	pthread_t thread;
};

static void *upcalls_main(void *arg)
{
	struct rpcdev_sim_upcalls req = {
		.count = htole32(1),
		.method = htole32(1),
		.size = htole32(16),
		.timeout_ms = htole32(WAIT_MS),
	};
	struct upcalls_run *u = arg;

	u->ret = rpcdev_call(u->dev, RPCDEV_SIM_UPCALLS, &req, sizeof(req),
			     &u->r, sizeof(u->r), CALL_TIMEOUT_NS, &u->res);
	return NULL;
}

TEST_F(mbox, epoll_reports_upcall_and_message_together)
{
	struct rpcdev_upcall_reply reply = { 0 };
	struct rpcdev_upcall_req up;
	struct upcalls_run u = { .dev = &self->dev };
	int events;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(1, notify(&self->dev, 1, 100));
	ASSERT_EQ(0, -pthread_create(&u.thread, NULL, upcalls_main, &u));
	/* The device posted the upcall. */
	ASSERT_EQ(0, wait_word(&device_ctrl(&self->dev)->uq_prod.val, 1));
	events = epoll_events(rpcdev_fd(&self->dev), EPOLLIN | EPOLLPRI,
			      WAIT_MS);
	/* Serve the upcall, so the run ends. */
	ASSERT_EQ(0, rpcdev_upcall_wait(&self->dev, CALL_TIMEOUT_NS, &up));
	reply.id = up.id;
	ASSERT_EQ(0, rpcdev_upcall_reply(&self->dev, &reply));
	pthread_join(u.thread, NULL);
	ASSERT_EQ(0, u.ret);
	ASSERT_EQ(EPOLLIN | EPOLLPRI, events);
}

/*
 * An event loop may register the fd before it attaches the queue: its
 * epoll entry is made once, at EPOLL_CTL_ADD, and must still hear the
 * queue attached later.
 */
TEST_F(mbox, epoll_added_before_attach_reports_a_message)
{
	int ep;

	ep = epoll_watch(rpcdev_fd(&self->dev), EPOLLIN | EPOLLPRI);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(1, notify(&self->dev, 1, 100));
	EXPECT_EQ(EPOLLPRI, epoll_wait_once(ep, WAIT_MS));
	close(ep);
}

TEST_F(mbox, epoll_added_before_attach_reports_an_upcall)
{
	struct rpcdev_upcall_reply reply = { 0 };
	struct upcalls_run u = { .dev = &self->dev };
	struct rpcdev_upcall_req up;
	int ep, events;

	ep = epoll_watch(rpcdev_fd(&self->dev), EPOLLIN | EPOLLPRI);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, -pthread_create(&u.thread, NULL, upcalls_main, &u));
	events = epoll_wait_once(ep, WAIT_MS);
	/* Serve the upcall, so the run ends. */
	ASSERT_EQ(0, rpcdev_upcall_wait(&self->dev, CALL_TIMEOUT_NS, &up));
	reply.id = up.id;
	ASSERT_EQ(0, rpcdev_upcall_reply(&self->dev, &reply));
	pthread_join(u.thread, NULL);
	close(ep);
	ASSERT_EQ(0, u.ret);
	ASSERT_EQ(EPOLLIN, events);
}

/* ===================================================================== */
/* The rpcdev tool: rpcdev mbox                                           */
/* ===================================================================== */

TEST_F(mbox, tool_post_prints_seq_1)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "mbox", "post", "3", "42"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_STREQ("seq: 1\n", res->out);
}

TEST_F(mbox, tool_post_with_store_prints_seq_1)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "mbox", "post", "-m", "-q", "2", "0", "42"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_STREQ("seq: 1\n", res->out);
}

TEST_F(mbox, tool_read_on_fresh_queue_prints_nothing)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "mbox", "read", "-q", "1"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_STREQ("", res->out);
}

TEST_F(mbox, tool_post_on_busy_queue_exits_1)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, run_tool(res, "mbox", "post", "0", "1"));
	ASSERT_EQ(1, res->status);
	ASSERT_STREQ("rpcdev: " DEV_PATH ": queue 0: Device or resource busy\n",
		     res->err);
}

TEST_HARNESS_MAIN
