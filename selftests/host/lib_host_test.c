// SPDX-License-Identifier: GPL-2.0
/*
 * librpcdev on the build host, where no rpcdev driver is loaded: error
 * paths, argument handling, feature, status and policy names, the error
 * payload splitter and builder, upcall and mailbox calls without a queue,
 * the size of struct rpcdev. The rpcdev tool's own host tests are in
 * tool_host_test.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"

#define MISSING_PATH	"/nonexistent/rpcdev-selftest"

static int path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* --- library: opening ------------------------------------------------ */

TEST(open_missing_path_gives_enoent)
{
	struct rpcdev dev;

	ASSERT_EQ(-ENOENT, rpcdev_open(&dev, MISSING_PATH));
}

TEST(failed_open_leaves_dev_closed)
{
	struct rpcdev dev;

	memset(&dev, 0x5a, sizeof(dev));
	ASSERT_EQ(-ENOENT, rpcdev_open(&dev, MISSING_PATH));
	ASSERT_EQ(-1, rpcdev_fd(&dev));
}

TEST(open_index_missing_node_gives_enoent)
{
	struct rpcdev dev;

	/* No system has 4294967296 rpcdev devices. */
	ASSERT_EQ(-ENOENT, rpcdev_open_index(&dev, UINT_MAX));
}

TEST(open_null_path_opens_dev_rpcdev0)
{
	struct rpcdev dev;

	if (path_exists("/dev/rpcdev0"))
		SKIP(return, "/dev/rpcdev0 exists on this host; the test needs it absent");
	ASSERT_EQ(-ENOENT, rpcdev_open(&dev, NULL));
}

TEST(open_gives_read_write_fd)
{
	struct rpcdev dev;
	int flags;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	flags = fcntl(rpcdev_fd(&dev), F_GETFL);
	rpcdev_close(&dev);
	ASSERT_EQ(O_RDWR, flags & O_ACCMODE);
}

TEST(open_gives_close_on_exec_fd)
{
	struct rpcdev dev;
	int flags;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	flags = fcntl(rpcdev_fd(&dev), F_GETFD);
	rpcdev_close(&dev);
	ASSERT_EQ(FD_CLOEXEC, flags & FD_CLOEXEC);
}

/* --- library: closing ------------------------------------------------ */

TEST(close_releases_fd)
{
	struct rpcdev dev;
	int fd;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	fd = rpcdev_fd(&dev);
	rpcdev_close(&dev);
	ASSERT_EQ(-1, fcntl(fd, F_GETFD));
	ASSERT_EQ(EBADF, errno);
}

TEST(close_marks_dev_closed)
{
	struct rpcdev dev;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	rpcdev_close(&dev);
	ASSERT_EQ(-1, rpcdev_fd(&dev));
}

TEST(second_close_leaves_reused_fd_open)
{
	struct rpcdev dev;
	int fd, other;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	fd = rpcdev_fd(&dev);
	rpcdev_close(&dev);
	other = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_EQ(fd, other);		/* lowest free number is reused */
	rpcdev_close(&dev);
	ASSERT_NE(-1, fcntl(other, F_GETFD));
	close(other);
}

/* --- library: info --------------------------------------------------- */

TEST(info_on_non_rpcdev_gives_enotty)
{
	struct rpcdev_info info;
	struct rpcdev dev;
	int ret;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	ret = rpcdev_info(&dev, &info);
	rpcdev_close(&dev);
	ASSERT_EQ(-ENOTTY, ret);
}

TEST(info_on_closed_dev_gives_ebadf)
{
	struct rpcdev_info info;
	struct rpcdev dev;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	rpcdev_close(&dev);
	ASSERT_EQ(-EBADF, rpcdev_info(&dev, &info));
}

/* --- library: feature names ------------------------------------------ */

TEST(feature_bit0_is_named_info)
{
	ASSERT_STREQ("info", rpcdev_feature_name(0));
}

TEST(feature_info_constant_is_bit0)
{
	ASSERT_EQ(1ULL << 0, RPCDEV_FEAT_INFO);
}

TEST(unknown_feature_bit63_has_no_name)
{
	ASSERT_EQ(NULL, rpcdev_feature_name(63));
}

TEST(out_of_range_feature_bit_has_no_name)
{
	ASSERT_EQ(NULL, rpcdev_feature_name(UINT_MAX));
}

TEST(feature_bit1_is_named_downcall)
{
	ASSERT_STREQ("downcall", rpcdev_feature_name(1));
}

TEST(feature_downcall_constant_is_bit1)
{
	ASSERT_EQ(1ULL << 1, RPCDEV_FEAT_DOWNCALL);
}

TEST(feature_bit2_is_named_upcall)
{
	ASSERT_STREQ("upcall", rpcdev_feature_name(2));
}

TEST(feature_bit3_is_named_mailbox)
{
	ASSERT_STREQ("mailbox", rpcdev_feature_name(3));
}

TEST(feature_constants_are_bits_2_and_3)
{
	ASSERT_EQ(1ULL << 2, RPCDEV_FEAT_UPCALL);
	ASSERT_EQ(1ULL << 3, RPCDEV_FEAT_MAILBOX);
}

TEST(struct_rpcdev_keeps_its_lp64_size_across_library_versions)
{
	/* LIBRPCDEV_1.0 programs allocate it: 1.1 took a reserved word. */
	if (sizeof(long) != 8)
		SKIP(return, "the size is recorded for LP64 only");
	ASSERT_EQ(320, sizeof(struct rpcdev));
}

TEST(feature_bit4_is_named_user_rings)
{
	ASSERT_EQ(1ULL << 4, RPCDEV_FEAT_USER_RINGS);
	ASSERT_STREQ("user_rings", rpcdev_feature_name(4));
}

TEST(feature_bit5_is_named_ring_wake)
{
	ASSERT_EQ(1ULL << 5, RPCDEV_FEAT_RING_WAKE);
	ASSERT_STREQ("ring_wake", rpcdev_feature_name(5));
}

TEST(feature_bit6_is_named_async_noack)
{
	ASSERT_EQ(1ULL << 6, RPCDEV_FEAT_ASYNC_NOACK);
	ASSERT_STREQ("async_noack", rpcdev_feature_name(6));
}

TEST(feature_bit7_is_named_dev_gone)
{
	ASSERT_EQ(1ULL << 7, RPCDEV_FEAT_DEV_GONE);
	ASSERT_STREQ("dev_gone", rpcdev_feature_name(7));
}

TEST(feature_bit8_is_named_uring_cmd)
{
	ASSERT_EQ(1ULL << 8, RPCDEV_FEAT_URING_CMD);
	ASSERT_STREQ("uring_cmd", rpcdev_feature_name(8));
}

TEST(feature_bit9_is_named_reg_bufs)
{
	ASSERT_EQ(1ULL << 9, RPCDEV_FEAT_REG_BUFS);
	ASSERT_STREQ("reg_bufs", rpcdev_feature_name(9));
}

TEST(feature_bit10_is_named_inline)
{
	ASSERT_EQ(1ULL << 10, RPCDEV_FEAT_INLINE);
	ASSERT_STREQ("inline", rpcdev_feature_name(10));
}

TEST(feature_bit11_is_named_uring_timeout)
{
	ASSERT_EQ(1ULL << 11, RPCDEV_FEAT_URING_TIMEOUT);
	ASSERT_STREQ("uring_timeout", rpcdev_feature_name(11));
}

TEST(unknown_feature_bit12_has_no_name)
{
	ASSERT_EQ(NULL, rpcdev_feature_name(12));
}

/* --- library: status names ------------------------------------------- */

TEST(status_names_match_constants)
{
	ASSERT_STREQ("OK", rpcdev_status_name(RPCDEV_STATUS_OK));
	ASSERT_STREQ("ERROR", rpcdev_status_name(RPCDEV_STATUS_ERROR));
	ASSERT_STREQ("NO_METHOD", rpcdev_status_name(RPCDEV_STATUS_NO_METHOD));
	ASSERT_STREQ("BAD_REQUEST", rpcdev_status_name(RPCDEV_STATUS_BAD_REQUEST));
	ASSERT_STREQ("NO_SERVER", rpcdev_status_name(RPCDEV_STATUS_NO_SERVER));
}

TEST(status_past_last_has_no_name)
{
	ASSERT_EQ(NULL, rpcdev_status_name(RPCDEV_STATUS_NO_SERVER + 1));
}

TEST(negative_status_has_no_name)
{
	ASSERT_EQ(NULL, rpcdev_status_name(-1));
}

/* --- library: wait policy names ---------------------------------------- */

TEST(policy_names_match_constants)
{
	ASSERT_STREQ("block", rpcdev_policy_name(RPCDEV_WAIT_BLOCK));
	ASSERT_STREQ("poll", rpcdev_policy_name(RPCDEV_WAIT_POLL));
	ASSERT_STREQ("adaptive", rpcdev_policy_name(RPCDEV_WAIT_ADAPTIVE));
	ASSERT_EQ(NULL, rpcdev_policy_name(RPCDEV_WAIT_ADAPTIVE + 1));
}

TEST(policy_parse_is_the_inverse_of_the_name)
{
	unsigned int p;

	for (p = RPCDEV_WAIT_BLOCK; p <= RPCDEV_WAIT_ADAPTIVE; p++)
		ASSERT_EQ((int)p, rpcdev_policy_parse(rpcdev_policy_name(p)));
	ASSERT_EQ(RPCDEV_WAIT_POLL, rpcdev_policy_parse("POLL"));
}

TEST(policy_parse_rejects_unknown_names)
{
	ASSERT_EQ(-EINVAL, rpcdev_policy_parse("spin"));
	ASSERT_EQ(-EINVAL, rpcdev_policy_parse(""));
	ASSERT_EQ(-EINVAL, rpcdev_policy_parse(NULL));
}

/* --- library: queues and calls without a driver ------------------------ */

TEST(queue_attach_on_non_rpcdev_gives_enotty)
{
	struct rpcdev dev;
	int ret;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	ret = rpcdev_queue_attach(&dev, 0, 0, 0);
	rpcdev_close(&dev);
	ASSERT_EQ(-ENOTTY, ret);
}

TEST(queue_attach_on_closed_dev_gives_ebadf)
{
	struct rpcdev dev;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	rpcdev_close(&dev);
	ASSERT_EQ(-EBADF, rpcdev_queue_attach(&dev, 0, 0, 0));
}

TEST(open_dev_has_no_queue)
{
	struct rpcdev dev;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	EXPECT_EQ(-1, rpcdev_queue_id(&dev));
	EXPECT_EQ(0U, rpcdev_queue_depth(&dev));
	EXPECT_EQ(0U, rpcdev_queue_buf_size(&dev));
	EXPECT_EQ(NULL, rpcdev_queue_layout(&dev));
	rpcdev_close(&dev);
}

TEST(failed_queue_attach_leaves_no_queue)
{
	struct rpcdev dev;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	ASSERT_EQ(-ENOTTY, rpcdev_queue_attach(&dev, 0, 0, 0));
	EXPECT_EQ(-1, rpcdev_queue_id(&dev));
	EXPECT_EQ(0U, rpcdev_queue_depth(&dev));
	EXPECT_EQ(NULL, rpcdev_queue_layout(&dev));
	rpcdev_close(&dev);
}

TEST(part_without_queue_is_null_with_size_0)
{
	struct rpcdev dev;
	size_t size = 1;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	EXPECT_EQ(NULL, rpcdev_queue_part(&dev, RPCDEV_OFF_HOST, &size));
	EXPECT_EQ(0U, size);
	rpcdev_close(&dev);
}

TEST(buf_without_queue_is_null)
{
	struct rpcdev dev;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	EXPECT_EQ(NULL, rpcdev_queue_buf(&dev, RPCDEV_OFF_DC_BUF, 0));
	rpcdev_close(&dev);
}

TEST(call_without_queue_gives_einval)
{
	struct rpcdev_call_result res;
	struct rpcdev dev;
	int ret;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	ret = rpcdev_call(&dev, RPCDEV_SIM_ECHO, "x", 1, NULL, 0, 0, &res);
	rpcdev_close(&dev);
	ASSERT_EQ(-EINVAL, ret);
}

TEST(call_on_closed_dev_gives_ebadf)
{
	struct rpcdev dev;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	rpcdev_close(&dev);
	ASSERT_EQ(-EBADF, rpcdev_call(&dev, RPCDEV_SIM_ECHO, NULL, 0, NULL, 0,
				      0, NULL));
}

TEST(failed_call_leaves_result_untouched)
{
	struct rpcdev_call_result res;
	struct rpcdev dev;

	memset(&res, 0x5a, sizeof(res));
	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	ASSERT_EQ(-EINVAL, rpcdev_call(&dev, RPCDEV_SIM_ECHO, NULL, 0, NULL, 0,
				       0, &res));
	rpcdev_close(&dev);
	ASSERT_EQ(0x5a5a5a5a, res.status);
}

/* --- library: error payloads ----------------------------------------- */

/* A payload given as a literal, without the literal's own final NUL. */
#define PAYLOAD(s)	(s), sizeof(s) - 1

TEST(error_split_gives_name_and_message)
{
	struct rpcdev_error err;

	ASSERT_EQ(0, rpcdev_error_split(PAYLOAD("SimError\0boom\0"), &err));
	ASSERT_STREQ("SimError", err.name);
	ASSERT_EQ(8U, err.name_len);
	ASSERT_STREQ("boom", err.message);
	ASSERT_EQ(4U, err.message_len);
}

TEST(error_split_accepts_empty_message)
{
	struct rpcdev_error err;

	ASSERT_EQ(0, rpcdev_error_split(PAYLOAD("KeyError\0\0"), &err));
	ASSERT_STREQ("KeyError", err.name);
	ASSERT_STREQ("", err.message);
	ASSERT_EQ(0U, err.message_len);
}

TEST(error_split_accepts_empty_name)
{
	struct rpcdev_error err;

	ASSERT_EQ(0, rpcdev_error_split(PAYLOAD("\0what\0"), &err));
	ASSERT_EQ(0U, err.name_len);
	ASSERT_STREQ("what", err.message);
}

TEST(error_split_ignores_bytes_after_message)
{
	struct rpcdev_error err;

	ASSERT_EQ(0, rpcdev_error_split(PAYLOAD("E\0m\0trailing"), &err));
	ASSERT_STREQ("E", err.name);
	ASSERT_STREQ("m", err.message);
}

TEST(error_split_cut_message_gives_ebadmsg)
{
	struct rpcdev_error err;

	ASSERT_EQ(-EBADMSG, rpcdev_error_split(PAYLOAD("SimError\0bo"), &err));
	ASSERT_EQ(8U, err.name_len);
	ASSERT_STREQ("SimError", err.name);
	ASSERT_EQ(2U, err.message_len);
	ASSERT_EQ(0, memcmp("bo", err.message, 2));
}

TEST(error_split_name_without_message_gives_ebadmsg)
{
	struct rpcdev_error err;

	ASSERT_EQ(-EBADMSG, rpcdev_error_split(PAYLOAD("SimError\0"), &err));
	ASSERT_STREQ("SimError", err.name);
	ASSERT_EQ(0U, err.message_len);
}

TEST(error_split_unterminated_name_gives_ebadmsg)
{
	struct rpcdev_error err;

	ASSERT_EQ(-EBADMSG, rpcdev_error_split(PAYLOAD("SimErr"), &err));
	ASSERT_EQ(6U, err.name_len);
	ASSERT_EQ(0, memcmp("SimErr", err.name, 6));
	ASSERT_EQ(0U, err.message_len);
}

TEST(error_split_empty_payload_gives_ebadmsg)
{
	struct rpcdev_error err;

	ASSERT_EQ(-EBADMSG, rpcdev_error_split("", 0, &err));
	ASSERT_EQ(0U, err.name_len);
	ASSERT_EQ(0U, err.message_len);
}

TEST(error_split_null_empty_payload_gives_ebadmsg)
{
	struct rpcdev_error err;

	ASSERT_EQ(-EBADMSG, rpcdev_error_split(NULL, 0, &err));
}

TEST(error_split_null_payload_with_length_gives_einval)
{
	struct rpcdev_error err;

	ASSERT_EQ(-EINVAL, rpcdev_error_split(NULL, 4, &err));
}

/*
 * The payload ends where a PROT_NONE page starts: reading one byte past
 * @len would kill the test with SIGSEGV.
 */
static int split_at_page_end(const char *bytes, size_t len,
			     struct rpcdev_error *err)
{
	long page = sysconf(_SC_PAGESIZE);
	char *map, *p;
	int ret;

	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return -errno;
	if (mprotect(map + page, page, PROT_NONE)) {
		ret = -errno;
		munmap(map, 2 * page);
		return ret;
	}
	p = map + page - len;
	memcpy(p, bytes, len);
	ret = rpcdev_error_split(p, len, err);
	munmap(map, 2 * page);
	return ret;
}

TEST(error_split_stops_at_len_in_unterminated_name)
{
	struct rpcdev_error err;

	ASSERT_EQ(-EBADMSG, split_at_page_end(PAYLOAD("NoTerminator"), &err));
	ASSERT_EQ(12U, err.name_len);
}

TEST(error_split_stops_at_len_in_unterminated_message)
{
	struct rpcdev_error err;

	ASSERT_EQ(-EBADMSG, split_at_page_end(PAYLOAD("E\0cut here"), &err));
	ASSERT_EQ(8U, err.message_len);
}

TEST(error_split_stops_at_len_after_name)
{
	struct rpcdev_error err;

	ASSERT_EQ(-EBADMSG, split_at_page_end(PAYLOAD("E\0"), &err));
	ASSERT_EQ(1U, err.name_len);
	ASSERT_EQ(0U, err.message_len);
}

/* --- library: upcalls without a driver ------------------------------- */

TEST(upcall_wait_without_queue_gives_einval)
{
	struct rpcdev_upcall_req up;
	struct rpcdev dev;
	int ret;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	ret = rpcdev_upcall_wait(&dev, 0, &up);
	rpcdev_close(&dev);
	ASSERT_EQ(-EINVAL, ret);
}

TEST(upcall_wait_on_closed_dev_gives_ebadf)
{
	struct rpcdev_upcall_req up;
	struct rpcdev dev;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	rpcdev_close(&dev);
	ASSERT_EQ(-EBADF, rpcdev_upcall_wait(&dev, 0, &up));
}

TEST(upcall_reply_without_queue_gives_einval)
{
	struct rpcdev_upcall_reply reply = { 0 };
	struct rpcdev dev;
	int ret;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	ret = rpcdev_upcall_reply(&dev, &reply);
	rpcdev_close(&dev);
	ASSERT_EQ(-EINVAL, ret);
}

TEST(upcall_reply_on_closed_dev_gives_ebadf)
{
	struct rpcdev_upcall_reply reply = { 0 };
	struct rpcdev dev;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	rpcdev_close(&dev);
	ASSERT_EQ(-EBADF, rpcdev_upcall_reply(&dev, &reply));
}

TEST(upcall_reply_and_wait_without_queue_gives_einval)
{
	struct rpcdev_upcall_reply reply = { 0 };
	struct rpcdev_upcall_req up;
	struct rpcdev dev;
	int ret;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	ret = rpcdev_upcall_reply_and_wait(&dev, &reply, 0, &up);
	rpcdev_close(&dev);
	ASSERT_EQ(-EINVAL, ret);
}

TEST(upcall_reply_and_wait_on_closed_dev_gives_ebadf)
{
	struct rpcdev_upcall_reply reply = { 0 };
	struct rpcdev_upcall_req up;
	struct rpcdev dev;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	rpcdev_close(&dev);
	ASSERT_EQ(-EBADF, rpcdev_upcall_reply_and_wait(&dev, &reply, 0, &up));
}

static int never_called(void *ctx, const struct rpcdev_upcall_req *up,
			struct rpcdev_upcall_reply *reply)
{
	(void)up;
	(void)reply;
	++*(int *)ctx;
	return RPCDEV_SERVE_STOP;
}

TEST(serve_without_queue_gives_einval)
{
	struct rpcdev dev;
	int calls = 0, ret;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	ret = rpcdev_serve(&dev, never_called, &calls, 0);
	rpcdev_close(&dev);
	ASSERT_EQ(-EINVAL, ret);
	ASSERT_EQ(0, calls);
}

TEST(serve_on_closed_dev_gives_ebadf)
{
	struct rpcdev dev;
	int calls = 0;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	rpcdev_close(&dev);
	ASSERT_EQ(-EBADF, rpcdev_serve(&dev, never_called, &calls, 0));
	ASSERT_EQ(0, calls);
}

/* --- library: mailbox without a driver ------------------------------- */

TEST(mbox_post_without_queue_gives_einval)
{
	struct rpcdev dev;
	uint32_t seq = 77;
	int ret;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	ret = rpcdev_mbox_post(&dev, 0, 1, &seq);
	rpcdev_close(&dev);
	ASSERT_EQ(-EINVAL, ret);
	ASSERT_EQ(77U, seq);
}

TEST(mbox_post_on_closed_dev_gives_ebadf)
{
	struct rpcdev dev;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	rpcdev_close(&dev);
	ASSERT_EQ(-EBADF, rpcdev_mbox_post(&dev, 0, 1, NULL));
}

TEST(mbox_store_without_queue_gives_einval)
{
	struct rpcdev dev;
	uint32_t seq = 77;
	int ret;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	ret = rpcdev_mbox_store(&dev, 0, 1, &seq);
	rpcdev_close(&dev);
	ASSERT_EQ(-EINVAL, ret);
	ASSERT_EQ(77U, seq);
}

TEST(mbox_store_on_closed_dev_gives_ebadf)
{
	struct rpcdev dev;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	rpcdev_close(&dev);
	ASSERT_EQ(-EBADF, rpcdev_mbox_store(&dev, 0, 1, NULL));
}

TEST(mbox_read_without_queue_gives_einval)
{
	struct rpcdev_mbox_msg msg;
	struct rpcdev dev;
	int ret;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	ret = rpcdev_mbox_read(&dev, &msg);
	rpcdev_close(&dev);
	ASSERT_EQ(-EINVAL, ret);
}

TEST(mbox_read_on_closed_dev_gives_ebadf)
{
	struct rpcdev_mbox_msg msg;
	struct rpcdev dev;

	ASSERT_EQ(0, rpcdev_open(&dev, "/dev/null"));
	rpcdev_close(&dev);
	ASSERT_EQ(-EBADF, rpcdev_mbox_read(&dev, &msg));
}

/* --- library: building error payloads -------------------------------- */

TEST(error_build_writes_name_nul_message_nul)
{
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(21, rpcdev_error_build(buf, sizeof(buf), "ValueError",
					 "bad value"));
	ASSERT_EQ(0, memcmp(buf, "ValueError\0bad value\0", 21));
	ASSERT_EQ('x', buf[21]);
}

TEST(error_build_payload_splits_back)
{
	struct rpcdev_error err;
	char buf[64];
	int len;

	len = rpcdev_error_build(buf, sizeof(buf), "KeyError", "'spam'");
	ASSERT_EQ(16, len);
	ASSERT_EQ(0, rpcdev_error_split(buf, (size_t)len, &err));
	ASSERT_STREQ("KeyError", err.name);
	ASSERT_STREQ("'spam'", err.message);
}

TEST(error_build_null_message_is_empty)
{
	char buf[16];

	ASSERT_EQ(4, rpcdev_error_build(buf, sizeof(buf), "Ex", NULL));
	ASSERT_EQ(0, memcmp(buf, "Ex\0\0", 4));
}

TEST(error_build_cuts_message_to_fit)
{
	char buf[14];

	ASSERT_EQ(14, rpcdev_error_build(buf, sizeof(buf), "ValueError",
					 "bad value"));
	ASSERT_EQ(0, memcmp(buf, "ValueError\0ba\0", 14));
}

TEST(error_build_writes_nothing_past_cap)
{
	char buf[32];
	size_t i;

	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(14, rpcdev_error_build(buf, 14, "ValueError",
					 "a much longer message"));
	for (i = 14; i < sizeof(buf); i++)
		ASSERT_EQ('x', buf[i]) TH_LOG("byte %zu written", i);
}

TEST(error_build_name_and_two_nuls_fill_cap_exactly)
{
	char buf[12];

	ASSERT_EQ(12, rpcdev_error_build(buf, sizeof(buf), "ValueError",
					 "bad value"));
	ASSERT_EQ(0, memcmp(buf, "ValueError\0\0", 12));
}

TEST(error_build_name_too_long_gives_enospc)
{
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(-ENOSPC, rpcdev_error_build(buf, 11, "ValueError", "m"));
	ASSERT_EQ('x', buf[0]);
}

TEST(error_build_into_zero_bytes_gives_enospc)
{
	char buf[1] = { 'x' };

	ASSERT_EQ(-ENOSPC, rpcdev_error_build(buf, 0, "", ""));
	ASSERT_EQ('x', buf[0]);
}

TEST(error_build_null_buffer_gives_einval)
{
	ASSERT_EQ(-EINVAL, rpcdev_error_build(NULL, 16, "E", "m"));
}

TEST(error_build_null_name_gives_einval)
{
	char buf[16];

	ASSERT_EQ(-EINVAL, rpcdev_error_build(buf, sizeof(buf), NULL, "m"));
}

/* An upcall as rpcdev_upcall_wait() describes it, with @buf to reply in. */
static void fake_upcall(struct rpcdev_upcall_req *up, void *buf, size_t cap)
{
	memset(up, 0, sizeof(*up));
	up->id = 3;
	up->method = 9;
	up->reply = buf;
	up->reply_cap = cap;
}

TEST(reply_error_answers_with_status_error)
{
	struct rpcdev_upcall_reply reply = { 0 };
	struct rpcdev_upcall_req up;
	char buf[64];

	fake_upcall(&up, buf, sizeof(buf));
	ASSERT_EQ(0, rpcdev_reply_error(&up, &reply, "ValueError", "bad value"));
	ASSERT_EQ(RPCDEV_STATUS_ERROR, reply.status);
	ASSERT_EQ(RPCDEV_ENTRY_ERROR, reply.flags);
	ASSERT_EQ(3U, reply.id);
}

TEST(reply_error_writes_payload_in_reply_buffer)
{
	struct rpcdev_upcall_reply reply = { 0 };
	struct rpcdev_upcall_req up;
	char buf[64];

	fake_upcall(&up, buf, sizeof(buf));
	reply.data = "not this";
	ASSERT_EQ(0, rpcdev_reply_error(&up, &reply, "ValueError", "bad value"));
	ASSERT_EQ(21U, reply.len);
	ASSERT_EQ(NULL, reply.data);
	ASSERT_EQ(0, memcmp(buf, "ValueError\0bad value\0", 21));
}

TEST(reply_error_name_too_long_leaves_reply_untouched)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	char buf[4];

	fake_upcall(&up, buf, sizeof(buf));
	memset(&reply, 0x5a, sizeof(reply));
	ASSERT_EQ(-ENOSPC, rpcdev_reply_error(&up, &reply, "ValueError", ""));
	ASSERT_EQ(0x5a5a5a5a, reply.status);
}

TEST(reply_error_null_reply_gives_einval)
{
	struct rpcdev_upcall_req up;
	char buf[64];

	fake_upcall(&up, buf, sizeof(buf));
	ASSERT_EQ(-EINVAL, rpcdev_reply_error(&up, NULL, "E", "m"));
}

TEST_HARNESS_MAIN
