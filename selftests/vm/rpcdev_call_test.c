// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev synchronous downcalls, against rpcdev_sim, run as root inside the
 * test VM: the argument errors of RPCDEV_IOC_CALL, and the simulated
 * device's methods (ECHO of every size, FAIL and its error payload,
 * unknown methods, DELAY, STATS, a result too big for the buffers).
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend that
 * $RPCDEV_TEST_BACKEND names (rpcdev_sim, one device of four queues, by
 * default) and opens /dev/rpcdev0 without a queue; its teardown fails the
 * test if a module cannot be unloaded (a leaked reference).
 *
 * Calls that must be answered use a generous timeout, so a lost answer
 * fails the test with ETIMEDOUT instead of hanging it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_calls.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_util.h"

/* Bytes after a response that no call may touch. */
#define GUARD_LEN	64
#define GUARD_BYTE	0xa5

static int call_raw(int fd, struct rpcdev_call *c)
{
	return ioctl(fd, RPCDEV_IOC_CALL, c) ? -errno : 0;
}

/* ===================================================================== */
/* Fixture: rpcdev and its backend with one device (rpcdev_sim: four     */
/* queues), /dev/rpcdev0 open (no queue yet).                            */
/* ===================================================================== */

DEVICE_FIXTURE(call)

/* ===================================================================== */
/* RPCDEV_IOC_CALL: argument errors                                      */
/* ===================================================================== */

/*
 * One RPCDEV_IOC_CALL of ECHO, on queue 0 unless @no_queue, with the
 * argument spoiled as the variant says; it must give @want.
 */
FIXTURE_VARIANT(call_arg) {
	bool no_queue;
	__u32 flags;
	bool reserved_set;	/* reserved[3] = 1 */
	bool req_past_buf;	/* req_len = buf_size + 1 */
	bool bad_req;		/* req not mapped */
	bool bad_resp;		/* resp not mapped (req is fine) */
	bool null_arg;		/* the ioctl's argument is NULL */
	int want;
};

DEVICE_FIXTURE(call_arg)

FIXTURE_VARIANT_ADD(call_arg, before_attach_gives_einval) {
	.no_queue = true,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(call_arg, unknown_flag_gives_einval) {
	.flags = 1U << 31,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(call_arg, reserved_set_gives_einval) {
	.reserved_set = true,
	.want = -EINVAL,
};

FIXTURE_VARIANT_ADD(call_arg, req_len_above_buf_size_gives_e2big) {
	.req_past_buf = true,
	.want = -E2BIG,
};

FIXTURE_VARIANT_ADD(call_arg, bad_req_pointer_gives_efault) {
	.bad_req = true,
	.want = -EFAULT,
};

FIXTURE_VARIANT_ADD(call_arg, bad_resp_pointer_gives_efault) {
	.bad_resp = true,
	.want = -EFAULT,
};

FIXTURE_VARIANT_ADD(call_arg, null_arg_with_attached_queue_gives_efault) {
	.null_arg = true,
	.want = -EFAULT,
};

TEST_F(call_arg, result)
{
	static char req[RPCDEV_DEFAULT_BUF_SIZE + 1] = "0123456789abcde";
	struct rpcdev_call c;

	if (!variant->no_queue)
		ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	memset(&c, 0, sizeof(c));
	c.method = RPCDEV_SIM_ECHO;
	c.flags = variant->flags;
	if (variant->reserved_set)
		c.reserved[3] = 1;
	if (variant->req_past_buf) {
		c.req = (uintptr_t)req;
		c.req_len = sizeof(req);
	}
	if (variant->bad_req) {
		c.req = (uintptr_t)unmapped_address();
		c.req_len = 16;
	}
	if (variant->bad_resp) {
		c.req = (uintptr_t)req;
		c.req_len = 16;
		c.resp = (uintptr_t)unmapped_address();
		c.resp_cap = 16;
		c.timeout_ns = CALL_TIMEOUT_NS;
	}
	ASSERT_EQ(variant->want, call_raw(rpcdev_fd(&self->dev),
					  variant->null_arg ? NULL : &c));
}

TEST_F(call, efault_on_req_posts_nothing_and_frees_slot)
{
	struct rpcdev_call c;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	memset(&c, 0, sizeof(c));
	c.method = RPCDEV_SIM_ECHO;
	c.req = (uintptr_t)unmapped_address();
	c.req_len = 16;
	ASSERT_EQ(-EFAULT, call_raw(rpcdev_fd(&self->dev), &c));
	ASSERT_EQ(0ULL, dbg(self->q0, "calls"));
	ASSERT_EQ(16ULL, dbg(self->q0, "free"));
}

TEST_F(call, efault_on_resp_frees_slot)
{
	char req[16] = "0123456789abcde";
	struct rpcdev_call c;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	memset(&c, 0, sizeof(c));
	c.method = RPCDEV_SIM_ECHO;
	c.req = (uintptr_t)req;
	c.req_len = sizeof(req);
	c.resp = (uintptr_t)unmapped_address();
	c.resp_cap = sizeof(req);
	c.timeout_ns = CALL_TIMEOUT_NS;
	ASSERT_EQ(-EFAULT, call_raw(rpcdev_fd(&self->dev), &c));
	ASSERT_EQ(16ULL, dbg(self->q0, "free"));
	ASSERT_EQ(0ULL, dbg(self->q0, "abandoned"));
	ASSERT_EQ(0, echo_check(&self->dev));
}

/* ===================================================================== */
/* ECHO                                                                  */
/* ===================================================================== */

/*
 * Echo @len bytes of a pattern on @dev into a buffer with GUARD_LEN guard
 * bytes after it: the answer is OK, exactly the request, and the guard is
 * untouched.
 */
static void check_echo(struct __test_metadata *_metadata, struct rpcdev *dev,
		       size_t len)
{
	struct rpcdev_call_result res;
	unsigned char *req, *resp;
	int ret;

	req = malloc(len + 1);
	resp = malloc(len + GUARD_LEN);
	ASSERT_NE(NULL, req);
	ASSERT_NE(NULL, resp);
	fill_pattern(req, len, len);
	memset(resp, GUARD_BYTE, len + GUARD_LEN);

	ret = echo(dev, len ? req : NULL, len, resp, len + GUARD_LEN, &res);
	ASSERT_EQ(0, ret) TH_LOG("echo of %zu bytes: %s", len, strerror(-ret));
	ASSERT_EQ(RPCDEV_STATUS_OK, res.status);
	ASSERT_EQ(0U, res.flags);
	ASSERT_EQ(len, (size_t)res.resp_len);
	ASSERT_EQ(0, memcmp(req, resp, len));
	ASSERT_EQ(-1, first_not(resp + len, GUARD_LEN, GUARD_BYTE));
	free(req);
	free(resp);
}

#define ECHO_SIZE_TEST(n)						\
	TEST_F(call, echo_of_##n##_bytes_is_exact)			\
	{								\
		ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));	\
		check_echo(_metadata, &self->dev, n);			\
	}

ECHO_SIZE_TEST(0)
ECHO_SIZE_TEST(1)
ECHO_SIZE_TEST(63)
ECHO_SIZE_TEST(64)
ECHO_SIZE_TEST(65)
ECHO_SIZE_TEST(4095)
ECHO_SIZE_TEST(4096)

TEST_F(call, echo_of_1mib_on_depth_2_queue_is_exact)
{
	int ret = rpcdev_queue_attach(&self->dev, 0, 2, MIB);

	ASSERT_EQ(0, ret) TH_LOG("attach depth 2, 1 MiB: %s", strerror(-ret));
	check_echo(_metadata, &self->dev, MIB);
}

TEST_F(call, echo_of_1mib_on_depth_1_queue_is_exact)
{
	int ret = rpcdev_queue_attach(&self->dev, 0, 1, MIB);

	ASSERT_EQ(0, ret) TH_LOG("attach depth 1, 1 MiB: %s", strerror(-ret));
	check_echo(_metadata, &self->dev, MIB);
}

TEST_F(call, echo_into_short_buffer_reports_full_length)
{
	struct rpcdev_call_result res;
	char req[1000], resp[100];

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	fill_pattern(req, sizeof(req), 1);
	ASSERT_EQ(0, echo(&self->dev, req, sizeof(req), resp, sizeof(resp), &res));
	ASSERT_EQ(RPCDEV_STATUS_OK, res.status);
	ASSERT_EQ(1000U, res.resp_len);
}

TEST_F(call, echo_into_short_buffer_writes_only_resp_cap_bytes)
{
	struct rpcdev_call_result res;
	unsigned char req[1000], resp[1000];

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	fill_pattern(req, sizeof(req), 2);
	memset(resp, GUARD_BYTE, sizeof(resp));
	ASSERT_EQ(0, echo(&self->dev, req, sizeof(req), resp, 100, &res));
	ASSERT_EQ(0, memcmp(req, resp, 100));
	ASSERT_EQ(-1, first_not(resp + 100, sizeof(resp) - 100, GUARD_BYTE));
}

TEST_F(call, echo_without_resp_buffer_reports_full_length)
{
	struct rpcdev_call_result res;
	char req[40];

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	fill_pattern(req, sizeof(req), 3);
	ASSERT_EQ(0, echo(&self->dev, req, sizeof(req), NULL, 0, &res));
	ASSERT_EQ(RPCDEV_STATUS_OK, res.status);
	ASSERT_EQ(40U, res.resp_len);
}

TEST_F(call, echo_answer_is_in_a_mapped_dc_buffer)
{
	struct rpcdev_call_result res;
	char req[200], resp[200];
	unsigned int id, found = 0;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	fill_pattern(req, sizeof(req), 4);
	ASSERT_EQ(0, echo(&self->dev, req, sizeof(req), resp, sizeof(resp), &res));
	for (id = 0; id < rpcdev_queue_depth(&self->dev); id++)
		if (!memcmp(req, rpcdev_queue_buf(&self->dev, RPCDEV_OFF_DC_BUF, id),
			    sizeof(req)))
			found++;
	ASSERT_EQ(1U, found);
}

TEST_F(call, many_echoes_in_a_row_are_exact)
{
	unsigned int i;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	/* More than the depth: slots and ring positions are reused. */
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, echo_check(&self->dev)) TH_LOG("call %u", i);
	ASSERT_EQ(100ULL, dbg(self->q0, "completed"));
}

/* ===================================================================== */
/* FAIL, unknown methods, DELAY, STATS                                   */
/* ===================================================================== */

/* Call FAIL with "hello"; the answer in @resp (64 bytes) and @res. */
static int fail_hello(struct rpcdev *dev, char *resp,
		      struct rpcdev_call_result *res)
{
	memset(resp, GUARD_BYTE, 64);
	return rpcdev_call(dev, RPCDEV_SIM_FAIL, "hello", 5, resp, 64,
			   CALL_TIMEOUT_NS, res);
}

TEST_F(call, fail_gives_status_error)
{
	struct rpcdev_call_result res;
	char resp[64];

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, fail_hello(&self->dev, resp, &res));
	ASSERT_EQ(RPCDEV_STATUS_ERROR, res.status);
}

TEST_F(call, fail_sets_entry_error_flag)
{
	struct rpcdev_call_result res;
	char resp[64];

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, fail_hello(&self->dev, resp, &res));
	ASSERT_EQ(RPCDEV_ENTRY_ERROR, res.flags);
}

TEST_F(call, fail_payload_is_simerror_then_request)
{
	static const char want[] = "SimError\0hello";	/* and its NUL */
	struct rpcdev_call_result res;
	char resp[64];

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, fail_hello(&self->dev, resp, &res));
	ASSERT_EQ(sizeof(want), (size_t)res.resp_len);
	ASSERT_EQ(0, memcmp(want, resp, sizeof(want)));
}

TEST_F(call, fail_payload_splits_into_name_and_message)
{
	struct rpcdev_call_result res;
	struct rpcdev_error err;
	char resp[64];

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, fail_hello(&self->dev, resp, &res));
	ASSERT_EQ(0, rpcdev_error_split(resp, res.resp_len, &err));
	ASSERT_STREQ("SimError", err.name);
	ASSERT_STREQ("hello", err.message);
}

TEST_F(call, fail_with_full_buffer_request_cuts_message_to_fit)
{
	struct rpcdev_call_result res;
	static char req[4096], resp[4096];
	struct rpcdev_error err;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	memset(req, 'm', sizeof(req));
	ASSERT_EQ(0, rpcdev_call(&self->dev, RPCDEV_SIM_FAIL, req, sizeof(req),
				 resp, sizeof(resp), CALL_TIMEOUT_NS, &res));
	ASSERT_EQ(4096U, res.resp_len);
	ASSERT_EQ(0, rpcdev_error_split(resp, res.resp_len, &err));
	ASSERT_STREQ("SimError", err.name);
	ASSERT_EQ(4096U - sizeof("SimError") - 1, err.message_len);
}

TEST_F(call, unknown_method_gives_status_no_method)
{
	struct rpcdev_call_result res;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_call(&self->dev, 0x7777, "x", 1, NULL, 0,
				 CALL_TIMEOUT_NS, &res));
	ASSERT_EQ(RPCDEV_STATUS_NO_METHOD, res.status);
}

TEST_F(call, unknown_method_gives_empty_answer)
{
	struct rpcdev_call_result res;
	char resp[16];

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_call(&self->dev, 0x7777, "x", 1, resp, sizeof(resp),
				 CALL_TIMEOUT_NS, &res));
	ASSERT_EQ(0U, res.resp_len);
	ASSERT_EQ(0U, res.flags);
}

TEST_F(call, delay_with_4_byte_request_gives_bad_request)
{
	struct rpcdev_call_result res;
	__u32 us = 1000;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_call(&self->dev, RPCDEV_SIM_DELAY, &us, sizeof(us),
				 NULL, 0, CALL_TIMEOUT_NS, &res));
	ASSERT_EQ(RPCDEV_STATUS_BAD_REQUEST, res.status);
}

TEST_F(call, delay_answers_ok_with_empty_result)
{
	struct rpcdev_call_result res;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, delay_call(&self->dev, 1000, CALL_TIMEOUT_NS, &res));
	ASSERT_EQ(RPCDEV_STATUS_OK, res.status);
	ASSERT_EQ(0U, res.resp_len);
}

static bool all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

TEST_F(call, result_too_big_for_the_buffers_is_an_error_not_an_overflow)
{
	static const char want[] = "the result is larger than the queue's buffers";
	struct rpcdev_sim_upcalls req = { .count = 1, .method = 1, .size = 8 };
	struct rpcdev_call_result res;
	struct rpcdev_error err;
	char resp[64];
	unsigned int id;

	/* 64-byte buffers: struct rpcdev_sim_upcall_result does not fit. */
	ASSERT_LT(64, sizeof(struct rpcdev_sim_upcall_result));
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 4, 64));
	ASSERT_EQ(0, rpcdev_call(&self->dev, RPCDEV_SIM_UPCALLS, &req,
				 sizeof(req), resp, sizeof(resp),
				 CALL_TIMEOUT_NS, &res));
	ASSERT_EQ(RPCDEV_STATUS_ERROR, res.status);
	ASSERT_EQ(0, rpcdev_error_split(resp, res.resp_len, &err));
	ASSERT_EQ(strlen("SimError"), err.name_len);
	ASSERT_EQ(0, memcmp(err.name, "SimError", err.name_len));
	ASSERT_EQ(strlen(want), err.message_len);
	ASSERT_EQ(0, memcmp(err.message, want, err.message_len));
	/* Only one slot answered: the others' buffers were never written. */
	for (id = 0; id < 4; id++) {
		const void *b = rpcdev_queue_buf(&self->dev, RPCDEV_OFF_DC_BUF,
						 id);

		ASSERT_NE(NULL, b);
		if (memcmp(b, "SimError", 8))
			ASSERT_TRUE(all_zero(b, 64)) TH_LOG("slot %u", id);
	}
}

TEST_F(call, stats_answer_is_struct_rpcdev_sim_stats)
{
	struct rpcdev_sim_stats st;
	struct rpcdev_call_result res;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, rpcdev_call(&self->dev, RPCDEV_SIM_STATS, NULL, 0, &st,
				 sizeof(st), CALL_TIMEOUT_NS, &res));
	ASSERT_EQ(RPCDEV_STATUS_OK, res.status);
	ASSERT_EQ(sizeof(st), (size_t)res.resp_len);
}

TEST_F(call, stats_on_fresh_queue_counts_only_itself)
{
	struct rpcdev_sim_stats st;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, sim_stats(&self->dev, &st));
	ASSERT_EQ(1ULL, st.calls);
	ASSERT_EQ(0ULL, st.bad);
}

TEST_F(call, stats_counts_every_call_exactly)
{
	struct rpcdev_call_result res;
	struct rpcdev_sim_stats st;
	char resp[64];
	unsigned int i;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, echo_check(&self->dev));
	ASSERT_EQ(0, fail_hello(&self->dev, resp, &res));
	ASSERT_EQ(0, rpcdev_call(&self->dev, 0x7777, NULL, 0, NULL, 0,
				 CALL_TIMEOUT_NS, &res));
	ASSERT_EQ(0, delay_call(&self->dev, 1, CALL_TIMEOUT_NS, &res));
	/* 5 + 1 + 1 + 1, and the STATS call itself. */
	ASSERT_EQ(0, sim_stats(&self->dev, &st));
	ASSERT_EQ(9ULL, st.calls);
	ASSERT_EQ(0ULL, st.bad);
}

TEST_F(call, stats_are_per_queue)
{
	struct rpcdev_sim_stats st;
	struct rpcdev other;
	int ret;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, echo_check(&self->dev));
	ASSERT_EQ(0, echo_check(&self->dev));
	ASSERT_EQ(0, rpcdev_open(&other, DEV_PATH));
	ret = rpcdev_queue_attach(&other, 1, 0, 0);
	if (!ret)
		ret = sim_stats(&other, &st);
	rpcdev_close(&other);
	ASSERT_EQ(0, ret);
	ASSERT_EQ(1ULL, st.calls);
}

TEST_HARNESS_MAIN
