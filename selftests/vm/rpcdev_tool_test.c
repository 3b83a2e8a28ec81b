// SPDX-License-Identifier: GPL-2.0
/*
 * The rpcdev tool against rpcdev_sim, run as root inside the test VM:
 * "rpcdev call" (downcalls), "rpcdev upcalls" (the device calling the
 * host, with each wait policy, --json and --histogram) and "rpcdev
 * serve"; the errors that need the driver (a device it lacks, a node
 * without permission), --json read back with json-c, and the progress
 * line on a terminal. The tool used is
 * $RPCDEV_TOOL or the first rpcdev found in the usual directories; the
 * tests are skipped when there is none.
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend that
 * $RPCDEV_TEST_BACKEND names (rpcdev_sim, one device of four queues, by
 * default) and opens /dev/rpcdev0 without a queue; its teardown fails the
 * test if a module cannot be unloaded (a leaked reference).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
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
/* The rpcdev tool: errors that say what to do, --json, progress         */
/* ===================================================================== */

TEST_F(call, tool_info_on_a_device_the_driver_lacks_names_the_backend)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "info", "-d", "/dev/rpcdev7"));
	ASSERT_EQ(1, res->status);
	ASSERT_STREQ("rpcdev: /dev/rpcdev7: No such file or directory\n"
		     "rpcdev: the rpcdev driver has no device 7: devices come "
		     "from a backend, modprobe rpcdev_sim for a simulated device "
		     "(or your device's backend module: rpcdev_ivshmem for "
		     "QEMU's ivshmem-doorbell); 'rpcdev info -a' lists those "
		     "there are\n", res->err);
	ASSERT_STREQ("", res->out);
}

TEST_F(call, tool_call_without_permission_names_the_group)
{
	struct run_result *res = &(struct run_result){ 0 };
	/* Not root, in no group: what a user outside group rpcdev is. */
	struct run_opts nobody = { .as_user = true, .uid = 65534, .gid = 65534 };

	SKIP_WITHOUT_TOOL();
	/* rpcdev's defaults, and no udev in the guest to change them. */
	ASSERT_EQ(0, chown(DEV_PATH, 0, 0));
	ASSERT_EQ(0, chmod(DEV_PATH, 0600));
	ASSERT_EQ(0, run_tool_opts(res, &nobody, "call", "echo", "x"));
	ASSERT_EQ(1, res->status);
	ASSERT_STREQ("rpcdev: " DEV_PATH ": Permission denied\n"
		     "rpcdev: rpcdev devices are for root and group rpcdev: add "
		     "yourself (usermod -aG rpcdev $USER, then log in again); "
		     "the group is given by the udev rule 60-rpcdev.rules, or "
		     "without udev by rpcdev's module parameters (modprobe "
		     "rpcdev group=GID mode=0660)\n", res->err);
	ASSERT_STREQ("", res->out);
}

/* Run the tool (guest_tool_run()); the JSON object it printed, or NULL. */
static struct json_object *run_json_v(struct run_result *res,
				      const char *const *args)
{
	struct json_object *o;

	if (guest_tool_run(res, args))
		return NULL;
	o = json_tokener_parse(res->out);
	if (json_object_is_type(o, json_type_object))
		return o;
	json_object_put(o);
	return NULL;
}

#define run_json(res, ...) \
	run_json_v(res, (const char *const[]){ __VA_ARGS__, NULL })

/* Member @key of @o, as a string ("" when there is none). */
static const char *json_text(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return "";
	return json_object_get_string(v);
}

static int json_is_number(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	       (json_object_is_type(v, json_type_double) ||
		json_object_is_type(v, json_type_int));
}

TEST_F(call, tool_call_json_parses_with_the_answer_and_its_time)
{
	struct run_result *res = &(struct run_result){ 0 };
	struct json_object *o;

	SKIP_WITHOUT_TOOL();
	o = run_json(res, "call", "--json", "echo", "hello");
	ASSERT_NE(NULL, o) TH_LOG("not a JSON object: %s", res->out);
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	EXPECT_STREQ("echo", json_text(o, "method"));
	EXPECT_STREQ("OK", json_text(o, "status"));
	EXPECT_STREQ("5", json_text(o, "length"));
	EXPECT_STREQ("hello", json_text(o, "text"));
	EXPECT_TRUE(json_is_number(o, "elapsed_us")) TH_LOG("%s", res->out);
	json_object_put(o);
}

TEST_F(call, tool_call_json_of_an_error_holds_its_name_and_message)
{
	struct run_result *res = &(struct run_result){ 0 };
	struct json_object *o, *err;

	SKIP_WITHOUT_TOOL();
	o = run_json(res, "call", "--json", "fail", "boom");
	ASSERT_NE(NULL, o) TH_LOG("not a JSON object: %s", res->out);
	ASSERT_EQ(1, res->status);
	ASSERT_STREQ("rpcdev: fail: SimError: boom\n", res->err);
	EXPECT_STREQ("ERROR", json_text(o, "status"));
	ASSERT_TRUE(json_object_object_get_ex(o, "error", &err));
	EXPECT_STREQ("SimError", json_text(err, "name"));
	EXPECT_STREQ("boom", json_text(err, "message"));
	json_object_put(o);
}

/* A call that lasts 1.5 s: the device's delay method, in microseconds. */
#define LONG_CALL	"delay", "1500000"

TEST_F(call, tool_call_longer_than_a_second_shows_progress_on_a_terminal)
{
	struct run_result *res = &(struct run_result){ 0 };
	struct run_opts tty = { .err_tty = true };
	const char *line = "\rrpcdev call: waiting for the answer to delay (1 s)\033[K";
	size_t len;

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool_opts(res, &tty, "call", LONG_CALL));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_STREQ("status: OK\nlength: 0\n", res->out);
	ASSERT_NE(NULL, strstr(res->err, line)) TH_LOG("stderr: %s", res->err);
	/* Erased at the end. */
	len = strlen(res->err);
	ASSERT_LE(4, len);
	ASSERT_STREQ("\r\033[K", res->err + len - 4);
}

TEST_F(call, tool_call_shows_no_progress_when_stderr_is_no_terminal)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_call(res, LONG_CALL));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_STREQ("status: OK\nlength: 0\n", res->out);
	ASSERT_STREQ("", res->err);
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

TEST_F(upcall, tool_upcalls_uring_answers_every_upcall_exactly)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "--uring", "-n", "200"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_TRUE(has_line(res->out, "mode: sync\n"));
	ASSERT_TRUE(has_line(res->out, "policy: block\n")) TH_LOG("%s", res->out);
	ASSERT_TRUE(has_line(res->out, "done: 200\n")) TH_LOG("%s", res->out);
	ASSERT_TRUE(has_line(res->out, "failed: 0\n"));
	ASSERT_TRUE(has_line(res->out, "no_server: 0\n"));
	ASSERT_TRUE(has_line(res->out, "mismatched: 0\n"));
}

TEST_F(upcall, tool_upcalls_uring_async_acknowledges_every_upcall)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "--uring", "--async", "-n",
			      "200"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_TRUE(has_line(res->out, "mode: async\n"));
	ASSERT_TRUE(has_line(res->out, "done: 200\n")) TH_LOG("%s", res->out);
	ASSERT_TRUE(has_line(res->out, "failed: 0\n"));
}

TEST_F(upcall, tool_upcalls_uring_with_poll_policy_exits_2)
{
	struct run_result *res = &(struct run_result){ 0 };

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "--uring", "-p", "poll"));
	ASSERT_EQ(2, res->status);
	ASSERT_STREQ("", res->out);
	ASSERT_NE(NULL, strstr(res->err, "rpcdev upcalls: --uring serves a "
			       "BLOCK queue: not with -p poll\n"))
		TH_LOG("%s", res->err);
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

TEST_F(upcall, tool_upcalls_json_parses_with_every_count)
{
	struct run_result *res = &(struct run_result){ 0 };
	struct json_object *o;

	SKIP_WITHOUT_TOOL();
	o = run_json(res, "upcalls", "-n", "20", "--json");
	ASSERT_NE(NULL, o) TH_LOG("not a JSON object: %s", res->out);
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	EXPECT_STREQ("20", json_text(o, "count"));
	EXPECT_STREQ("sync", json_text(o, "mode"));
	EXPECT_STREQ("adaptive", json_text(o, "policy"));
	EXPECT_STREQ("20", json_text(o, "done"));
	EXPECT_STREQ("0", json_text(o, "failed"));
	EXPECT_STREQ("0", json_text(o, "mismatched"));
	EXPECT_TRUE(json_is_number(o, "p50_us"));
	EXPECT_TRUE(json_is_number(o, "per_second"));
	/* No histogram unless asked for. */
	EXPECT_FALSE(json_object_object_get_ex(o, "histogram", NULL));
	json_object_put(o);
}

TEST_F(upcall, tool_upcalls_json_histogram_counts_every_interval)
{
	struct run_result *res = &(struct run_result){ 0 };
	struct json_object *o, *hist, *b, *count;
	uint64_t sum = 0;
	size_t i;

	SKIP_WITHOUT_TOOL();
	o = run_json(res, "upcalls", "-n", "20", "--json", "--histogram");
	ASSERT_NE(NULL, o) TH_LOG("not a JSON object: %s", res->out);
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	EXPECT_STREQ("19", json_text(o, "intervals"));
	ASSERT_TRUE(json_object_object_get_ex(o, "histogram", &hist));
	ASSERT_TRUE(json_object_is_type(hist, json_type_array));
	for (i = 0; i < json_object_array_length(hist); i++) {
		b = json_object_array_get_idx(hist, i);
		ASSERT_TRUE(json_object_object_get_ex(b, "count", &count));
		sum += json_object_get_uint64(count);
	}
	EXPECT_EQ(19, sum);
	json_object_put(o);
}

TEST_F(upcall, tool_upcalls_histogram_prints_a_line_per_bucket)
{
	struct run_result *res = &(struct run_result){ 0 };
	double lo, hi, prev_hi = -1;
	unsigned long count, sum = 0;
	const char *p;
	int n, lines = 0;

	SKIP_WITHOUT_TOOL();
	ASSERT_EQ(0, run_tool(res, "upcalls", "-n", "50", "--histogram"));
	ASSERT_EQ(0, res->status) TH_LOG("stderr: %s", res->err);
	ASSERT_TRUE(has_line(res->out, "done: 50\n"));
	p = strstr(res->out, "\nhistogram: 49 intervals\n");
	ASSERT_NE(NULL, p) TH_LOG("%s", res->out);
	p = strchr(p + 1, '\n') + 1;
	/* "LO - HI us COUNT |###": contiguous buckets, bars of '#'. */
	while (*p) {
		n = 0;
		ASSERT_EQ(3, sscanf(p, "%lf - %lf us %lu |%n", &lo, &hi, &count, &n))
			TH_LOG("not a bucket: %.60s", p);
		ASSERT_LT(0, n);
		ASSERT_LT(lo, hi);
		if (prev_hi >= 0) {
			ASSERT_GT(0.01, fabs(lo - prev_hi)) TH_LOG("%s", res->out);
		}
		prev_hi = hi;
		p += n;
		/* A bar for every bucket that holds any, none for an empty one. */
		ASSERT_EQ(count ? '#' : '\n', *p) TH_LOG("%s", res->out);
		while (*p == '#')
			p++;
		ASSERT_EQ('\n', *p);
		p++;
		sum += count;
		lines++;
	}
	ASSERT_LT(0, lines);
	ASSERT_EQ(49, sum);
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
