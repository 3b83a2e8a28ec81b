// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev queues, against rpcdev_sim, run as root inside the test VM:
 * RPCDEV_IOC_QUEUE_ATTACH and its limits, librpcdev's view of the queue,
 * and the mmap of the six parts of a queue (which are writable, which are
 * not, their bounds, and what a forked child may touch).
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend that
 * $RPCDEV_TEST_BACKEND names (rpcdev_sim, one device of four queues, by
 * default) and opens /dev/rpcdev0 without a queue; its teardown fails the
 * test if a module cannot be unloaded (a leaked reference).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_calls.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_util.h"

static int attach_raw(int fd, struct rpcdev_queue_attach *a)
{
	return ioctl(fd, RPCDEV_IOC_QUEUE_ATTACH, a) ? -errno : 0;
}

/* Attach @qid with @depth and @buf_size (0: defaults); layout into @a. */
static int attach_qid(int fd, __u32 qid, __u32 depth, __u32 buf_size,
		      struct rpcdev_queue_attach *a)
{
	memset(a, 0, sizeof(*a));
	a->qid = qid;
	a->depth = depth;
	a->buf_size = buf_size;
	return attach_raw(fd, a);
}

/* ===================================================================== */
/* Fixture: rpcdev and its backend with one device (rpcdev_sim: four     */
/* queues), /dev/rpcdev0 open (no queue yet).                            */
/* ===================================================================== */

DEVICE_FIXTURE(call)

/* ===================================================================== */
/* RPCDEV_IOC_QUEUE_ATTACH                                               */
/* ===================================================================== */

TEST_F(call, attach_layout_fits_device_part)
{
	struct rpcdev_queue_attach a;
	__u64 entries;

	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
	entries = (__u64)a.depth * sizeof(struct rpcdev_entry);
	ASSERT_GE(a.dc_off, (__u64)sizeof(struct rpcdev_dev_ctrl));
	ASSERT_GE(a.uq_off, a.dc_off + entries);
	ASSERT_GE(a.dev_size, a.uq_off + entries);
	/* Entries on cache lines of their own. */
	ASSERT_EQ(0U, (a.dc_off | a.uq_off) % 64);
}

TEST_F(call, attach_layout_fits_host_part)
{
	struct rpcdev_queue_attach a;
	__u64 entries;

	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
	entries = (__u64)a.depth * sizeof(struct rpcdev_entry);
	ASSERT_GE(a.dq_off, (__u64)sizeof(struct rpcdev_host_ctrl));
	ASSERT_GE(a.ur_off, a.dq_off + entries);
	ASSERT_GE(a.host_size, a.ur_off + entries);
	ASSERT_EQ(0U, (a.dq_off | a.ur_off) % 64);
}

TEST_F(call, attach_bufs_size_holds_depth_buffers)
{
	struct rpcdev_queue_attach a;

	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
	ASSERT_GE(a.bufs_size, (__u64)a.depth * a.buf_size);
}

TEST_F(call, attach_part_sizes_are_page_aligned)
{
	struct rpcdev_queue_attach a;

	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
	ASSERT_NE(0U, a.dev_size);
	ASSERT_NE(0U, a.host_size);
	ASSERT_NE(0U, a.bufs_size);
	ASSERT_EQ(0U, a.dev_size % page_size());
	ASSERT_EQ(0U, a.host_size % page_size());
	ASSERT_EQ(0U, a.bufs_size % page_size());
}

TEST_F(call, attach_twice_on_one_fd_gives_ealready)
{
	struct rpcdev_queue_attach a;

	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
	ASSERT_EQ(-EALREADY, attach_qid(rpcdev_fd(&self->dev), 1, 0, 0, &a));
}

TEST_F(call, attach_queue_of_other_fd_gives_ebusy)
{
	struct rpcdev_queue_attach a;
	int fd, ret;

	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
	fd = open_dev();
	ASSERT_LE(0, fd);
	ret = attach_qid(fd, 0, 0, 0, &a);
	close(fd);
	ASSERT_EQ(-EBUSY, ret);
}

TEST_F(call, attach_other_queue_on_second_fd_succeeds)
{
	struct rpcdev_queue_attach a;
	int fd, ret;

	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
	fd = open_dev();
	ASSERT_LE(0, fd);
	ret = attach_qid(fd, 1, 0, 0, &a);
	close(fd);
	ASSERT_EQ(0, ret);
}

TEST_F(call, attach_after_owner_closed_succeeds)
{
	struct rpcdev_queue_attach a;

	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
	rpcdev_close(&self->dev);
	ASSERT_EQ(0, rpcdev_open(&self->dev, DEV_PATH));
	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
}

TEST_F(call, failed_attach_leaves_file_free_to_attach)
{
	struct rpcdev_queue_attach a;

	ASSERT_EQ(-EINVAL, attach_qid(rpcdev_fd(&self->dev), 0, 3, 0, &a));
	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
}

TEST_F(call, attach_shows_queue_attached_in_debugfs)
{
	ASSERT_EQ(0ULL, dbg(self->q0, "attached"));
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(1ULL, dbg(self->q0, "attached"));
	ASSERT_EQ(16ULL, dbg(self->q0, "free"));
}

TEST_F(call, library_attach_reports_queue)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 2, 8, 100));
	ASSERT_EQ(2, rpcdev_queue_id(&self->dev));
	ASSERT_EQ(8U, rpcdev_queue_depth(&self->dev));
	ASSERT_EQ(128U, rpcdev_queue_buf_size(&self->dev));
	ASSERT_NE(NULL, rpcdev_queue_layout(&self->dev));
}

TEST_F(call, library_attach_maps_every_part)
{
	static const __u64 bufs[] = { RPCDEV_OFF_DC_BUF, RPCDEV_OFF_UQ_BUF,
				      RPCDEV_OFF_DQ_BUF, RPCDEV_OFF_UR_BUF };
	const struct rpcdev_queue_attach *l;
	size_t size = 0;
	unsigned int i;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	l = rpcdev_queue_layout(&self->dev);
	ASSERT_NE(NULL, rpcdev_queue_part(&self->dev, RPCDEV_OFF_DEV, &size));
	ASSERT_EQ(l->dev_size, size);
	ASSERT_NE(NULL, rpcdev_queue_part(&self->dev, RPCDEV_OFF_HOST, &size));
	ASSERT_EQ(l->host_size, size);
	for (i = 0; i < 4; i++) {
		ASSERT_NE(NULL, rpcdev_queue_part(&self->dev, bufs[i], &size));
		ASSERT_EQ(l->bufs_size, size);
	}
}

TEST_F(call, library_buf_is_null_past_depth)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_NE(NULL, rpcdev_queue_buf(&self->dev, RPCDEV_OFF_DC_BUF, 15));
	ASSERT_EQ(NULL, rpcdev_queue_buf(&self->dev, RPCDEV_OFF_DC_BUF, 16));
}

TEST_F(call, library_buf_of_control_part_is_null)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(NULL, rpcdev_queue_buf(&self->dev, RPCDEV_OFF_HOST, 0));
}

/* ===================================================================== */
/* RPCDEV_IOC_QUEUE_ATTACH: what each argument gives                      */
/* ===================================================================== */

DEVICE_FIXTURE(attach)

/*
 * One attach of queue @qid (or of the device's last queue, or of the
 * number past it) with the arguments given; it must give @want and, when
 * it succeeds, the depth and buffer size asked for (0: not checked).
 */
FIXTURE_VARIANT(attach) {
	__u32 qid;
	bool last_qid;		/* qid = the device's last queue */
	bool past_last_qid;	/* qid = the device's number of queues */
	__u32 depth;
	__u32 buf_size;
	__u32 flags;
	bool reserved_set;	/* reserved[3] = 1 */
	int want;
	__u32 want_depth;
	__u32 want_buf_size;
};

FIXTURE_VARIANT_ADD(attach, default_depth_is_16) {
	.want_depth = 16,
};

FIXTURE_VARIANT_ADD(attach, default_buf_size_is_4096) {
	.want_buf_size = 4096,
};

FIXTURE_VARIANT_ADD(attach, qid_nr_queues_gives_einval) {
	.past_last_qid = true,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(attach, qid_u32_max_gives_einval) {
	.qid = UINT32_MAX,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(attach, last_queue_succeeds) {
	.last_qid = true,
};

FIXTURE_VARIANT_ADD(attach, depth_3_gives_einval) {
	.depth = 3,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(attach, depth_512_gives_einval) {
	.depth = 512,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(attach, depth_1_succeeds) {
	.depth = 1,
	.want_depth = 1,
};

FIXTURE_VARIANT_ADD(attach, depth_max_succeeds) {
	.depth = RPCDEV_MAX_DEPTH,
	.want_depth = RPCDEV_MAX_DEPTH,
};

FIXTURE_VARIANT_ADD(attach, buf_size_above_max_payload_gives_e2big) {
	.depth = 1,
	.buf_size = RPCDEV_MAX_PAYLOAD + 1,
	.want = -E2BIG,
};

FIXTURE_VARIANT_ADD(attach, depth_256_buf_1mib_gives_e2big) {
	.depth = 256,
	.buf_size = MIB,
	.want = -E2BIG,
};

/* 4 * 1 MiB is exactly RPCDEV_MAX_BUFS, which the ABI allows. */
FIXTURE_VARIANT_ADD(attach, bufs_of_max_bufs_succeeds) {
	.depth = RPCDEV_MAX_BUFS / MIB,
	.buf_size = MIB,
};

FIXTURE_VARIANT_ADD(attach, bufs_above_max_bufs_gives_e2big) {
	.depth = 2 * RPCDEV_MAX_BUFS / MIB,
	.buf_size = MIB,
	.want = -E2BIG,
};

FIXTURE_VARIANT_ADD(attach, unknown_flag_gives_einval) {
	.flags = 1U << 31,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(attach, reserved_set_gives_einval) {
	.reserved_set = true,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(attach, buf_size_100_rounds_up_to_128) {
	.buf_size = 100,
	.want_buf_size = 128,
};

TEST_F(attach, result)
{
	struct rpcdev_info info;
	struct rpcdev_queue_attach a;

	ASSERT_EQ(0, rpcdev_info(&self->dev, &info));
	memset(&a, 0, sizeof(a));
	a.qid = variant->qid;
	if (variant->last_qid)
		a.qid = info.nr_queues - 1;
	if (variant->past_last_qid)
		a.qid = info.nr_queues;
	a.depth = variant->depth;
	a.buf_size = variant->buf_size;
	a.flags = variant->flags;
	if (variant->reserved_set)
		a.reserved[3] = 1;
	ASSERT_EQ(variant->want, attach_raw(rpcdev_fd(&self->dev), &a));
	if (variant->want_depth)
		ASSERT_EQ(variant->want_depth, a.depth);
	if (variant->want_buf_size)
		ASSERT_EQ(variant->want_buf_size, a.buf_size);
}

/* ===================================================================== */
/* mmap                                                                  */
/* ===================================================================== */

TEST_F(call, mmap_dev_part_read_only_succeeds)
{
	const struct rpcdev_dev_ctrl *ctrl;
	struct rpcdev_queue_attach a;
	void *p = NULL;

	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
	ASSERT_EQ(0, map_errno(rpcdev_fd(&self->dev), a.dev_size, PROT_READ,
			       RPCDEV_OFF_DEV, &p));
	ctrl = p;
	ASSERT_EQ(0U, ctrl->dc_prod.val);
	munmap(p, a.dev_size);
}

TEST_F(call, mprotect_dev_part_writable_gives_eacces)
{
	struct rpcdev_queue_attach a;
	int ret;
	void *p = NULL;

	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
	ASSERT_EQ(0, map_errno(rpcdev_fd(&self->dev), a.dev_size, PROT_READ,
			       RPCDEV_OFF_DEV, &p));
	ret = mprotect(p, a.dev_size, PROT_READ | PROT_WRITE) ? -errno : 0;
	munmap(p, a.dev_size);
	ASSERT_EQ(-EACCES, ret);
}

TEST_F(call, mmap_host_part_read_write_succeeds)
{
	struct rpcdev_queue_attach a;
	volatile unsigned char *last;
	void *p = NULL;

	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
	ASSERT_EQ(0, map_errno(rpcdev_fd(&self->dev), a.host_size,
			       PROT_READ | PROT_WRITE, RPCDEV_OFF_HOST, &p));
	/* The last byte of the part, past the UR entries: nothing reads it. */
	last = (unsigned char *)p + a.host_size - 1;
	*last = 0x5c;
	ASSERT_EQ(0x5c, *last);
	munmap(p, a.host_size);
}

/* Map part @off of the queue with @prot and unmap it: 0 or -errno. */
static int map_part(int fd, __u64 off, size_t len, int prot)
{
	void *p = NULL;
	int ret = map_errno(fd, len, prot, off, &p);

	if (!ret)
		munmap(p, len);
	return ret;
}

/* ===================================================================== */
/* mmap: what each part allows                                            */
/* ===================================================================== */

/* Which size of struct rpcdev_queue_attach a part has. */
enum part_size { DEV_SIZE, HOST_SIZE, BUFS_SIZE };

/*
 * One mmap of the part at @part (of size @size) with @prot, for its whole
 * size, or a page more (@page_more), or a page just past it (@at_end), or
 * one page where a seventh part would be (@past_last_part); it must give
 * @want.
 */
FIXTURE_VARIANT(mmap) {
	__u64 part;
	enum part_size size;
	bool page_more;
	bool at_end;
	bool past_last_part;
	int prot;
	int want;
};

DEVICE_FIXTURE(mmap)

FIXTURE_VARIANT_ADD(mmap, dev_part_writable_gives_eacces) {
	.part = RPCDEV_OFF_DEV,
	.size = DEV_SIZE,
	.prot = PROT_READ | PROT_WRITE,
	.want = -EACCES,
};

FIXTURE_VARIANT_ADD(mmap, longer_than_dev_part_gives_einval) {
	.part = RPCDEV_OFF_DEV,
	.size = DEV_SIZE,
	.page_more = true,
	.prot = PROT_READ,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(mmap, at_dev_part_end_gives_einval) {
	.part = RPCDEV_OFF_DEV,
	.size = DEV_SIZE,
	.at_end = true,
	.prot = PROT_READ,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(mmap, longer_than_host_part_gives_einval) {
	.part = RPCDEV_OFF_HOST,
	.size = HOST_SIZE,
	.page_more = true,
	.prot = PROT_READ | PROT_WRITE,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(mmap, dc_bufs_writable_gives_eacces) {
	.part = RPCDEV_OFF_DC_BUF,
	.size = BUFS_SIZE,
	.prot = PROT_READ | PROT_WRITE,
	.want = -EACCES,
};

FIXTURE_VARIANT_ADD(mmap, uq_bufs_writable_gives_eacces) {
	.part = RPCDEV_OFF_UQ_BUF,
	.size = BUFS_SIZE,
	.prot = PROT_READ | PROT_WRITE,
	.want = -EACCES,
};

FIXTURE_VARIANT_ADD(mmap, dc_bufs_read_only_succeeds) {
	.part = RPCDEV_OFF_DC_BUF,
	.size = BUFS_SIZE,
	.prot = PROT_READ,
};

FIXTURE_VARIANT_ADD(mmap, dq_bufs_read_write_succeeds) {
	.part = RPCDEV_OFF_DQ_BUF,
	.size = BUFS_SIZE,
	.prot = PROT_READ | PROT_WRITE,
};

FIXTURE_VARIANT_ADD(mmap, ur_bufs_read_write_succeeds) {
	.part = RPCDEV_OFF_UR_BUF,
	.size = BUFS_SIZE,
	.prot = PROT_READ | PROT_WRITE,
};

FIXTURE_VARIANT_ADD(mmap, longer_than_bufs_gives_einval) {
	.part = RPCDEV_OFF_DQ_BUF,
	.size = BUFS_SIZE,
	.page_more = true,
	.prot = PROT_READ | PROT_WRITE,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(mmap, at_bufs_end_gives_einval) {
	.part = RPCDEV_OFF_DC_BUF,
	.size = BUFS_SIZE,
	.at_end = true,
	.prot = PROT_READ,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(mmap, past_last_part_gives_einval) {
	.past_last_part = true,
	.prot = PROT_READ,
	.want = -EINVAL,
};

TEST_F(mmap, result)
{
	struct rpcdev_queue_attach a;
	__u64 off = variant->part;
	size_t len;

	ASSERT_EQ(0, attach_qid(rpcdev_fd(&self->dev), 0, 0, 0, &a));
	len = variant->size == DEV_SIZE ? a.dev_size :
	      variant->size == HOST_SIZE ? a.host_size : a.bufs_size;
	if (variant->page_more)
		len += page_size();
	if (variant->at_end) {
		off += len;
		len = page_size();
	}
	if (variant->past_last_part) {
		/* Where a seventh part would be, one step after the last. */
		off = RPCDEV_OFF_UR_BUF + (RPCDEV_OFF_UR_BUF - RPCDEV_OFF_DQ_BUF);
		len = page_size();
	}
	ASSERT_EQ(variant->want, map_part(rpcdev_fd(&self->dev), off, len,
					   variant->prot));
}

TEST_F(call, mmap_before_attach_gives_einval)
{
	void *p = NULL;

	ASSERT_EQ(-EINVAL, map_errno(rpcdev_fd(&self->dev), page_size(),
				     PROT_READ, RPCDEV_OFF_DEV, &p));
}

/*
 * Fork; the child touches @addr (writing if @write) and exits 0 if it
 * survives. Returns the child's wait status, or -1.
 */
static int touch_in_child(void *addr, bool write)
{
	struct rlimit no_core = { 0, 0 };
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &no_core);
		if (write)
			*(volatile unsigned char *)addr = 1;
		else
			(void)*(volatile unsigned char *)addr;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

TEST_F(call, fork_child_gets_sigsegv_reading_dev_part)
{
	int status;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	status = touch_in_child(rpcdev_queue_part(&self->dev, RPCDEV_OFF_DEV,
						  NULL), false);
	ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("child status %#x", status);
	ASSERT_EQ(SIGSEGV, WTERMSIG(status));
}

TEST_F(call, fork_child_gets_sigsegv_writing_host_part)
{
	int status;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	status = touch_in_child(rpcdev_queue_part(&self->dev, RPCDEV_OFF_HOST,
						  NULL), true);
	ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("child status %#x", status);
	ASSERT_EQ(SIGSEGV, WTERMSIG(status));
}

TEST_F(call, fork_child_gets_sigsegv_reading_dc_bufs)
{
	int status;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	status = touch_in_child(rpcdev_queue_buf(&self->dev, RPCDEV_OFF_DC_BUF, 0),
				false);
	ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("child status %#x", status);
	ASSERT_EQ(SIGSEGV, WTERMSIG(status));
}

TEST_F(call, parent_queue_works_after_child_exits)
{
	const struct rpcdev_dev_ctrl *ctrl;
	int status;
	pid_t pid;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ctrl = rpcdev_queue_part(&self->dev, RPCDEV_OFF_DEV, NULL);
	ASSERT_EQ(0U, ctrl->dc_prod.val);
	ASSERT_EQ(0, echo_check(&self->dev));
}

TEST_HARNESS_MAIN
