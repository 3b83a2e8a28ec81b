// SPDX-License-Identifier: GPL-2.0
/*
 * The rpcdev tool against rpcdev_sim, run as root inside the test VM:
 * "rpcdev call" (downcalls), "rpcdev upcalls" (the device calling the
 * host, with each wait policy) and "rpcdev serve". The tool used is
 * $RPCDEV_TOOL or the first rpcdev found in the usual directories; the
 * tests are skipped when there is none.
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend that
 * $RPCDEV_TEST_BACKEND names (rpcdev_sim, one device of four queues, by
 * default) and opens /dev/rpcdev0 without a queue; its teardown fails the
 * test if a module cannot be unloaded (a leaked reference).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_fixture.h"
#include "rpcdev_upcalls.h"
#include "rpcdev_util.h"
#include "run_tool.h"

/* ===================================================================== */
/* Fixture: rpcdev and its backend with one device (rpcdev_sim: four     */
/* queues), /dev/rpcdev0 open (no queue yet).                            */
/* ===================================================================== */

DEVICE_FIXTURE(call)

/* ===================================================================== */
/* The rpcdev tool: rpcdev call                                          */
/* ===================================================================== */

/* Run "rpcdev call" with up to five more arguments. */
#define run_call(res, ...) run_tool(res, "call", __VA_ARGS__)

TEST_F(call, tool_call_echo_prints_status_length_and_text)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_call(res, "echo", "hello"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_STREQ("status: OK\nlength: 5\nhello\n", res->out);
}

TEST_F(call, tool_call_by_number_uses_that_method)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_call(res, "1", "hi"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_STREQ("status: OK\nlength: 2\nhi\n", res->out);
}

TEST_F(call, tool_call_prints_binary_answer_in_hex)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_call(res, "echo", "\x01\x02" "ab"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_STREQ("status: OK\nlength: 4\n00000000: 01 02 61 62\n", res->out);
}

TEST_F(call, tool_call_fail_exits_1_with_error_name_and_message)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_call(res, "fail", "boom"));
	ASSERT_EQ(1, res->status);
	ASSERT_STREQ("status: ERROR\nlength: 14\n", res->out);
	ASSERT_STREQ("rpcdev: fail: SimError: boom\n", res->err);
}

TEST_F(call, tool_call_unknown_method_exits_1_with_no_method)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_call(res, "0x7777"));
	ASSERT_EQ(1, res->status);
	ASSERT_STREQ("status: NO_METHOD\nlength: 0\n", res->out);
	ASSERT_STREQ("rpcdev: 0x7777: the device answered NO_METHOD\n", res->err);
}

TEST_F(call, tool_call_delay_takes_microseconds)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_call(res, "delay", "1000"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_STREQ("status: OK\nlength: 0\n", res->out);
}

TEST_F(call, tool_call_delay_past_timeout_exits_1)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_call(res, "-t", "20", "delay", "300000"));
	ASSERT_EQ(1, res->status);
	ASSERT_STREQ("", res->out);
	ASSERT_STREQ("rpcdev: delay: Connection timed out\n", res->err);
}

TEST_F(call, tool_call_uring_echo_prints_what_the_ioctl_does)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_call(res, "--uring", "echo", "hello"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_STREQ("status: OK\nlength: 5\nhello\n", res->out);
}

TEST_F(call, tool_call_uring_delay_past_timeout_exits_1)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_call(res, "--uring", "-t", "20", "delay", "300000"));
	ASSERT_EQ(1, res->status);
	ASSERT_STREQ("", res->out);
	ASSERT_STREQ("rpcdev: delay: Connection timed out\n", res->err);
}

TEST_F(call, tool_call_stats_prints_counters)
{
	struct run_result *res = &(struct run_result){ 0 };
	char want[128];

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_call(res, "stats"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	snprintf(want, sizeof(want),
		 "status: OK\nlength: %zu\ncalls: 1\nbad: 0\nupcalls: 0\n",
		 sizeof(struct rpcdev_sim_stats));
	ASSERT_STREQ(want, res->out);
}

TEST_F(call, tool_call_on_other_queue_uses_it)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	/* Queue 0 is taken: the tool must not need it. */
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, run_call(res, "-q", "3", "echo", "q3"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
}

TEST_F(call, tool_call_on_busy_queue_exits_1)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, run_call(res, "echo", "x"));
	ASSERT_EQ(1, res->status);
	ASSERT_STREQ("rpcdev: /dev/rpcdev0: queue 0: Device or resource busy\n",
		     res->err);
}

TEST_F(call, tool_call_payload_of_8000_bytes_is_echoed)
{
	struct run_result *res = &(struct run_result){ 0 };
	static char payload[8001], want[8100];

	SKIP_WITHOUT_TOOL();
	memset(payload, 'p', 8000);
	snprintf(want, sizeof(want), "status: OK\nlength: 8000\n%s\n", payload);
	ASSERT_EQ(0, run_call(res, "echo", payload));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_EQ(strlen(want), strlen(res->out));
	ASSERT_STREQ(want, res->out);
}

/* ===================================================================== */
/* Fixture: rpcdev and its backend with one device (rpcdev_sim: four     */
/* queues), /dev/rpcdev0 open (no queue yet).                            */
/* ===================================================================== */

DEVICE_FIXTURE(upcall)

/* ===================================================================== */
/* The rpcdev tool: rpcdev upcalls, rpcdev serve                          */
/* ===================================================================== */

TEST_F(upcall, tool_upcalls_sync_answers_every_upcall_exactly)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "-n", "50", "-s", "64"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_TRUE(has_line(res->out, "mode: sync\n"));
	ASSERT_TRUE(has_line(res->out, "done: 50\n")) TH_LOG("%s", res->out);
	ASSERT_TRUE(has_line(res->out, "mismatched: 0\n"));
	ASSERT_TRUE(has_line(res->out, "failed: 0\n"));
}

TEST_F(upcall, tool_upcalls_default_policy_is_adaptive)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "-n", "5"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_TRUE(has_line(res->out, "policy: adaptive\n"));
}

TEST_F(upcall, tool_upcalls_unknown_policy_exits_2)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "-p", "spin"));
	ASSERT_EQ(2, res->status);
	ASSERT_NE(NULL, strstr(res->err, "bad policy 'spin'"));
}

TEST_F(upcall, tool_upcalls_async_acknowledges_every_upcall)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "--async", "-n", "100"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_TRUE(has_line(res->out, "mode: async\n"));
	ASSERT_TRUE(has_line(res->out, "done: 100\n")) TH_LOG("%s", res->out);
}

TEST_F(upcall, tool_upcalls_prints_the_distribution_in_order)
{
	static const char *const keys[] = {
		"\nmin_us: ", "\np50_us: ", "\np99_us: ", "\np999_us: ",
		"\nmax_us: ", "\nmean_us: ", "\ntotal_us: ", "\nper_second: ",
	};
	struct run_result *res = &(struct run_result){ 0 };
	const char *p;
	unsigned int i;

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "-n", "20", "-s", "1048576"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	for (p = res->out, i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		p = strstr(p, keys[i]);
		ASSERT_NE(NULL, p) TH_LOG("no %s in %s", keys[i] + 1, res->out);
	}
}

TEST_F(upcall, tool_upcalls_on_busy_queue_exits_1)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, run_tool(res, "upcalls", "-n", "5"));
	ASSERT_EQ(1, res->status);
	ASSERT_STREQ("rpcdev: " DEV_PATH ": queue 0: Device or resource busy\n",
		     res->err);
}

TEST_F(upcall, tool_serve_without_upcalls_stops_at_timeout)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "serve", "-t", "50"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_STREQ("served: 0\n", res->out);
}

TEST_F(upcall, tool_serve_timing_out_before_count_exits_1)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "serve", "-n", "1", "-t", "50"));
	ASSERT_EQ(1, res->status);
	ASSERT_STREQ("rpcdev: serve: 0 of 1 upcalls before the timeout\n",
		     res->err);
}

TEST_F(upcall, tool_serve_uring_with_a_timeout_exits_2)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "serve", "--uring", "-t", "50"));
	ASSERT_EQ(2, res->status);
	ASSERT_NE(NULL, strstr(res->err, "no -t with it")) TH_LOG("%s", res->err);
}

TEST_F(upcall, tool_serve_leaves_queue_free)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "serve", "-q", "1", "-t", "20"));
	ASSERT_EQ(0, res->status);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 1, 0, 0));
}

/* ===================================================================== */
/* rpcdev upcalls -p: each wait policy of librpcdev                       */
/* ===================================================================== */

DEVICE_FIXTURE(tool_upcalls)
POLICY_VARIANTS(tool_upcalls);

TEST_F(tool_upcalls, serve_every_upcall_with_the_policy)
{
	const char *name = rpcdev_policy_name(variant->policy);
	struct run_result *res = &(struct run_result){ 0 };
	char want[32];

	SKIP_WITHOUT_TOOL();
	ASSERT_NE(NULL, name);
	ASSERT_EQ(0, run_tool(res, "upcalls", "-n", "50", "-p", name));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	snprintf(want, sizeof(want), "policy: %s\n", name);
	ASSERT_TRUE(has_line(res->out, want)) TH_LOG("%s", res->out);
	ASSERT_TRUE(has_line(res->out, "done: 50\n"));
	ASSERT_TRUE(has_line(res->out, "mismatched: 0\n"));
}

TEST_HARNESS_MAIN
