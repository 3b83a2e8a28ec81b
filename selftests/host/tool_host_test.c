// SPDX-License-Identifier: GPL-2.0
/*
 * The rpcdev tool on the build host, where no rpcdev driver is loaded:
 * usage, argument handling, exit statuses and messages of every command.
 *
 * The tool tested is $RPCDEV_TOOL, else the one built next to the library
 * these tests were linked with (RPCDEV_TOOL_DEFAULT, set by the Makefile).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "run_tool.h"

#ifndef RPCDEV_TOOL_DEFAULT
#define RPCDEV_TOOL_DEFAULT	"../build/userlib/rpcdev"
#endif

#define MISSING_PATH	"/nonexistent/rpcdev-selftest"

/* What the tool says of a file that is not an rpcdev device. */
#define NOT_RPCDEV(path) \
	"rpcdev: " path ": not an rpcdev device (it does not answer rpcdev's ioctls)\n"

static const char *const tool_candidates[] = { RPCDEV_TOOL_DEFAULT, NULL };

static int path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Is there any /dev/rpcdev<digits> on this host? */
static int any_rpcdev_node(void)
{
	struct dirent *d;
	int found = 0;
	DIR *dir;

	dir = opendir("/dev");
	if (!dir)
		return 0;
	while (!found && (d = readdir(dir)))
		found = !strncmp(d->d_name, "rpcdev", 6) &&
			d->d_name[6] >= '0' && d->d_name[6] <= '9';
	closedir(dir);
	return found;
}

/* Does @text start with the line @line (its newline included)? 0 if so. */
static int first_line_is(const char *text, const char *line)
{
	return strncmp(text, line, strlen(line));
}

/* Run the tool with up to three arguments (NULL-terminated). */
static int run_rpcdev(const char *tool, struct run_result *res,
		      const char *a1, const char *a2, const char *a3)
{
	char *argv[] = { (char *)tool, (char *)a1, (char *)a2, (char *)a3,
			 NULL };

	return run_capture(argv, res);
}

/* Run the tool with the arguments listed after @res (up to 7). */
#define run_rpcdev_args(tool, res, ...) \
	run_rpcdev_v(tool, res, (const char *const[]){ __VA_ARGS__, NULL })

static int run_rpcdev_v(const char *tool, struct run_result *res,
			const char *const *args)
{
	char *argv[9] = { (char *)tool };
	int i;

	for (i = 0; args[i] && i < 7; i++)
		argv[i + 1] = (char *)args[i];
	return run_capture(argv, res);
}

/* --- the rpcdev tool ------------------------------------------------- */

FIXTURE(tool) {
	const char *path;
	struct run_result res;
};

FIXTURE_SETUP(tool)
{
	self->path = run_tool_find(tool_candidates);
	if (!self->path)
		SKIP(return, "no rpcdev tool: set RPCDEV_TOOL or build %s",
		     RPCDEV_TOOL_DEFAULT);
}

FIXTURE_TEARDOWN(tool)
{
}

TEST_F(tool, unknown_command_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "frobnicate", NULL, NULL));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, unknown_command_is_named_on_stderr)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "frobnicate", NULL, NULL));
	ASSERT_EQ(0, strncmp(self->res.err, "rpcdev: unknown command 'frobnicate'\n",
			     strlen("rpcdev: unknown command 'frobnicate'\n")))
		TH_LOG("stderr: %s", self->res.err);
}

TEST_F(tool, no_command_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, NULL, NULL, NULL));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, double_dash_help_exits_0)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "--help", NULL, NULL));
	ASSERT_EQ(0, self->res.status);
}

TEST_F(tool, help_prints_usage_on_stdout)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "help", NULL, NULL));
	ASSERT_EQ(0, self->res.status);
	ASSERT_EQ(0, strncmp(self->res.out, "Usage: rpcdev ", strlen("Usage: rpcdev ")))
		TH_LOG("stdout: %s", self->res.out);
}

TEST_F(tool, help_info_prints_info_usage)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "help", "info", NULL));
	ASSERT_EQ(0, self->res.status);
	ASSERT_EQ(0, strncmp(self->res.out, "Usage: rpcdev info ",
			     strlen("Usage: rpcdev info ")))
		TH_LOG("stdout: %s", self->res.out);
}

TEST_F(tool, help_for_unknown_command_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "help", "frobnicate", NULL));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, info_unknown_option_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "info", "-z", NULL));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, info_with_both_a_and_d_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "info", "-a", "-d/dev/null"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, info_missing_device_exits_1)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "info", "-d", MISSING_PATH));
	ASSERT_EQ(1, self->res.status);
}

TEST_F(tool, info_missing_device_reports_strerror)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "info", "-d", MISSING_PATH));
	ASSERT_STREQ("rpcdev: " MISSING_PATH ": No such file or directory\n",
		     self->res.err);
}

TEST_F(tool, info_non_rpcdev_says_it_is_not_an_rpcdev_device)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "info", "-d", "/dev/null"));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ(NOT_RPCDEV("/dev/null"), self->res.err);
}

TEST_F(tool, info_without_the_driver_names_the_module_to_load)
{
	if (path_exists("/dev/rpcdev0"))
		SKIP(return, "/dev/rpcdev0 exists on this host; the test needs it absent");
	if (path_exists("/sys/module/rpcdev"))
		SKIP(return, "rpcdev is loaded on this host; the test needs it absent");
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "info", NULL, NULL));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("rpcdev: /dev/rpcdev0: No such file or directory\n"
		     "rpcdev: the rpcdev driver is not loaded: load it with a "
		     "backend, modprobe rpcdev_sim for a simulated device (or "
		     "your device's backend module: rpcdev_ivshmem for QEMU's "
		     "ivshmem-doorbell)\n", self->res.err);
	ASSERT_STREQ("", self->res.out);
}

TEST_F(tool, info_all_without_devices_exits_1)
{
	if (any_rpcdev_node())
		SKIP(return, "this host has /dev/rpcdevN nodes; the test needs none");
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "info", "-a", NULL));
	ASSERT_EQ(1, self->res.status);
}

TEST_F(tool, help_lists_call_command)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "--help", NULL, NULL));
	ASSERT_NE(NULL, strstr(self->res.out, "\n  call "))
		TH_LOG("stdout: %s", self->res.out);
}

TEST_F(tool, help_call_prints_call_usage)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "help", "call", NULL));
	ASSERT_EQ(0, self->res.status);
	ASSERT_EQ(0, strncmp(self->res.out, "Usage: rpcdev call ",
			     strlen("Usage: rpcdev call ")))
		TH_LOG("stdout: %s", self->res.out);
}

TEST_F(tool, call_dash_h_exits_0)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "call", "-h", NULL));
	ASSERT_EQ(0, self->res.status);
}

TEST_F(tool, call_without_method_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "call", NULL, NULL));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, call_unknown_method_name_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "call", "frobnicate", NULL));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, strncmp(self->res.err, "rpcdev call: unknown method 'frobnicate'\n",
			     strlen("rpcdev call: unknown method 'frobnicate'\n")))
		TH_LOG("stderr: %s", self->res.err);
}

TEST_F(tool, call_negative_method_exits_2)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "call", "-d/dev/null", "--", "-1"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, call_method_above_u32_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "call", "4294967296", NULL));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, call_extra_argument_exits_2)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "call", "echo", "a", "b"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, call_unknown_option_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "call", "-z", "echo"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, call_option_without_value_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "call", "-q", NULL));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, call_bad_queue_number_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "call", "-qx", "echo"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, call_negative_timeout_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "call", "-t-5", "echo"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, call_delay_without_microseconds_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "call", "delay", NULL));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, call_delay_with_text_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "call", "delay", "soon"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, call_missing_device_exits_1)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "call", "-d",
				     MISSING_PATH, "echo"));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("rpcdev: " MISSING_PATH ": No such file or directory\n",
		     self->res.err);
}

TEST_F(tool, call_non_rpcdev_says_it_is_not_an_rpcdev_device)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "call", "-d",
				     "/dev/null", "-q", "3", "echo", "hi"));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ(NOT_RPCDEV("/dev/null"), self->res.err);
}

TEST_F(tool, call_takes_options_after_its_arguments)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "call", "echo",
				     "hi", "-d", "/dev/null"));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ(NOT_RPCDEV("/dev/null"), self->res.err);
}

TEST_F(tool, call_prints_nothing_on_stdout_when_call_fails)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "call", "-d",
				     "/dev/null", "echo"));
	ASSERT_STREQ("", self->res.out);
}

/* --- the rpcdev tool: serve, upcalls, mbox ---------------------------- */

TEST_F(tool, help_lists_serve_upcalls_and_mbox_commands)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "--help", NULL, NULL));
	EXPECT_NE(NULL, strstr(self->res.out, "\n  serve "));
	EXPECT_NE(NULL, strstr(self->res.out, "\n  upcalls "));
	ASSERT_NE(NULL, strstr(self->res.out, "\n  mbox "))
		TH_LOG("stdout: %s", self->res.out);
}

TEST_F(tool, help_serve_prints_serve_usage)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "help", "serve", NULL));
	ASSERT_EQ(0, self->res.status);
	ASSERT_EQ(0, strncmp(self->res.out, "Usage: rpcdev serve ",
			     strlen("Usage: rpcdev serve ")))
		TH_LOG("stdout: %s", self->res.out);
}

TEST_F(tool, serve_dash_h_exits_0)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "serve", "-h", NULL));
	ASSERT_EQ(0, self->res.status);
}

TEST_F(tool, serve_fail_without_colon_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "serve", "--fail",
				"ValueError"));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, strncmp(self->res.err,
			     "rpcdev serve: --fail takes NAME:MESSAGE, not 'ValueError'\n",
			     strlen("rpcdev serve: --fail takes NAME:MESSAGE, not 'ValueError'\n")))
		TH_LOG("stderr: %s", self->res.err);
}

TEST_F(tool, serve_fail_with_empty_name_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "serve", "--fail",
				":message"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, serve_fail_without_value_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "serve", "--fail", NULL));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, serve_count_0_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "serve", "-n", "0"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, serve_buf_size_above_max_payload_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "serve", "-s",
				"1048577"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, serve_unknown_long_option_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "serve", "--frob", NULL));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, serve_extra_argument_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "serve", "now", NULL));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, serve_missing_device_exits_1)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "serve", "-d",
				MISSING_PATH));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("rpcdev: " MISSING_PATH ": No such file or directory\n",
		     self->res.err);
}

TEST_F(tool, serve_non_rpcdev_says_it_is_not_an_rpcdev_device)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "serve", "-d",
				"/dev/null"));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ(NOT_RPCDEV("/dev/null"), self->res.err);
}

TEST_F(tool, upcalls_dash_h_exits_0)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "upcalls", "-h", NULL));
	ASSERT_EQ(0, self->res.status);
}

TEST_F(tool, upcalls_count_0_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "upcalls", "-n", "0"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, upcalls_count_above_sim_limit_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "upcalls", "-n",
				"1048577"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, upcalls_size_above_max_payload_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "upcalls", "-s",
				"1048577"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, upcalls_missing_device_exits_1)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "upcalls", "-d",
				MISSING_PATH));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("rpcdev: " MISSING_PATH ": No such file or directory\n",
		     self->res.err);
}

TEST_F(tool, upcalls_prints_nothing_on_stdout_when_attach_fails)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "upcalls", "-d",
				"/dev/null"));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("", self->res.out);
}

TEST_F(tool, mbox_without_command_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "mbox", NULL, NULL));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, mbox_unknown_command_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "mbox", "peek", NULL));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, strncmp(self->res.err, "rpcdev mbox: unknown mbox command 'peek'\n",
			     strlen("rpcdev mbox: unknown mbox command 'peek'\n")))
		TH_LOG("stderr: %s", self->res.err);
}

TEST_F(tool, mbox_dash_h_exits_0)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "mbox", "-h", NULL));
	ASSERT_EQ(0, self->res.status);
}

TEST_F(tool, mbox_post_slot_8_exits_2)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "mbox", "post",
				     "8", "1"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, mbox_post_value_above_u32_exits_2)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "mbox", "post",
				     "0", "4294967296"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, mbox_post_without_value_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "mbox", "post", "0"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, mbox_read_with_argument_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "mbox", "read", "0"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, mbox_read_with_m_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "mbox", "read", "-m"));
	ASSERT_EQ(2, self->res.status);
}

TEST_F(tool, mbox_read_missing_device_exits_1)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "mbox", "read",
				     "-d", MISSING_PATH));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("rpcdev: " MISSING_PATH ": No such file or directory\n",
		     self->res.err);
}

TEST_F(tool, mbox_post_non_rpcdev_says_it_is_not_an_rpcdev_device)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "mbox", "post",
				     "-d", "/dev/null", "0", "1"));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ(NOT_RPCDEV("/dev/null"), self->res.err);
}

TEST_F(tool, mbox_takes_options_before_its_command)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "mbox", "-d",
				     "/dev/null", "post", "0", "1"));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ(NOT_RPCDEV("/dev/null"), self->res.err);
}

TEST_F(tool, version_prints_the_library_version)
{
	char want[64];

	snprintf(want, sizeof(want), "rpcdev %s\n", rpcdev_version());
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "--version", NULL, NULL));
	ASSERT_EQ(0, self->res.status);
	ASSERT_STREQ(want, self->res.out);
	ASSERT_STREQ("", self->res.err);
}

TEST_F(tool, unknown_top_level_option_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "--frobnicate", NULL, NULL));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, strncmp(self->res.err, "rpcdev: unknown option '--frobnicate'\n",
			     strlen("rpcdev: unknown option '--frobnicate'\n")))
		TH_LOG("stderr: %s", self->res.err);
}

TEST_F(tool, bench_missing_iterations_names_the_value)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "bench", "-n", NULL));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, first_line_is(self->res.err,
				   "rpcdev bench: option -n needs ITERATIONS\n"))
		TH_LOG("stderr: %s", self->res.err);
}

TEST_F(tool, bench_missing_json_file_names_the_value)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "bench", "--json", NULL));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, first_line_is(self->res.err,
				   "rpcdev bench: option --json needs a FILE\n"))
		TH_LOG("stderr: %s", self->res.err);
}

TEST_F(tool, upcalls_histogram_with_async_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "upcalls", "--async",
				"--histogram"));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, first_line_is(self->res.err, "rpcdev upcalls: --histogram "
				   "times sync round trips: not with --async\n"))
		TH_LOG("stderr: %s", self->res.err);
}

TEST_F(tool, upcalls_uring_with_adaptive_policy_exits_2)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "upcalls",
				     "--uring", "-p", "adaptive"));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, first_line_is(self->res.err, "rpcdev upcalls: --uring "
				   "serves a BLOCK queue: not with -p adaptive\n"))
		TH_LOG("stderr: %s", self->res.err);
}

/* -p block is --uring's own policy: the parser lets it through. */
TEST_F(tool, upcalls_uring_with_block_policy_gets_to_the_device)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "upcalls",
				     "--uring", "-p", "block", "-d", MISSING_PATH));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("rpcdev: " MISSING_PATH ": No such file or directory\n",
		     self->res.err);
}

TEST_F(tool, bench_from_without_plot_exits_2)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "bench", "--from",
				"/dev/null"));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, first_line_is(self->res.err,
				   "rpcdev bench: --from JSON is for --plot FILE\n"))
		TH_LOG("stderr: %s", self->res.err);
}

TEST_F(tool, bench_sweep_with_only_exits_2)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "bench", "--sweep",
				     "--only", "shm"));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, first_line_is(self->res.err,
				   "rpcdev bench: --sweep runs no rows: not with --only\n"))
		TH_LOG("stderr: %s", self->res.err);
}

TEST_F(tool, bench_sweep_with_repeat_exits_2)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "bench", "--sweep",
				     "--repeat", "3"));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, first_line_is(self->res.err,
				   "rpcdev bench: --sweep measures each point once: not with --repeat\n"))
		TH_LOG("stderr: %s", self->res.err);
}

TEST_F(tool, bench_sweep_with_from_exits_2)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "bench", "--sweep",
				     "--plot", "/dev/null", "--from", "/dev/null"));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, first_line_is(self->res.err,
				   "rpcdev bench: --sweep measures: not with --from JSON\n"))
		TH_LOG("stderr: %s", self->res.err);
}

/* --- every command: its help, and the parser's messages ------------- */

FIXTURE(cmd) {
	const char *path;
	struct run_result res;
	char usage[64];		/* "Usage: rpcdev NAME " */
};

FIXTURE_VARIANT(cmd) {
	const char *name;
};

FIXTURE_VARIANT_ADD(cmd, info) { .name = "info" };
FIXTURE_VARIANT_ADD(cmd, call) { .name = "call" };
FIXTURE_VARIANT_ADD(cmd, serve) { .name = "serve" };
FIXTURE_VARIANT_ADD(cmd, upcalls) { .name = "upcalls" };
FIXTURE_VARIANT_ADD(cmd, mbox) { .name = "mbox" };
FIXTURE_VARIANT_ADD(cmd, bench) { .name = "bench" };

FIXTURE_SETUP(cmd)
{
	self->path = run_tool_find(tool_candidates);
	if (!self->path)
		SKIP(return, "no rpcdev tool: set RPCDEV_TOOL or build %s",
		     RPCDEV_TOOL_DEFAULT);
	snprintf(self->usage, sizeof(self->usage), "Usage: rpcdev %s ",
		 variant->name);
}

FIXTURE_TEARDOWN(cmd)
{
}

TEST_F(cmd, double_dash_help_prints_its_usage_and_exits_0)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, variant->name, "--help",
				NULL));
	ASSERT_EQ(0, self->res.status);
	ASSERT_EQ(0, strncmp(self->res.out, self->usage, strlen(self->usage)))
		TH_LOG("stdout: %s", self->res.out);
	ASSERT_STREQ("", self->res.err);
}

TEST_F(cmd, dash_h_after_an_argument_prints_its_usage)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, variant->name, "post",
				"-h"));
	ASSERT_EQ(0, self->res.status);
	ASSERT_EQ(0, strncmp(self->res.out, self->usage, strlen(self->usage)))
		TH_LOG("stdout: %s", self->res.out);
}

TEST_F(cmd, help_command_prints_the_same_usage)
{
	struct run_result *help = &(struct run_result){ 0 };

	ASSERT_EQ(0, run_rpcdev(self->path, help, "help", variant->name, NULL));
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, variant->name, "--help",
				NULL));
	ASSERT_EQ(0, help->status);
	ASSERT_STREQ(help->out, self->res.out);
}

TEST_F(cmd, missing_device_path_is_named_not_a_control_byte)
{
	char want[64];

	snprintf(want, sizeof(want), "rpcdev %s: option -d needs a PATH\n",
		 variant->name);
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, variant->name, "-d",
				NULL));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, first_line_is(self->res.err, want))
		TH_LOG("stderr: %s", self->res.err);
	/* Then its usage. */
	ASSERT_NE(NULL, strstr(self->res.err, self->usage));
}

TEST_F(cmd, unknown_long_option_is_named)
{
	char want[80];

	snprintf(want, sizeof(want), "rpcdev %s: unknown option '--frobnicate'\n",
		 variant->name);
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, variant->name,
				"--frobnicate=1", NULL));
	ASSERT_EQ(2, self->res.status);
	ASSERT_EQ(0, first_line_is(self->res.err, want))
		TH_LOG("stderr: %s", self->res.err);
}

/* --- rpcdev bench --plot FILE.png --from FILE.json ------------------ */

/* A small bench JSON: a host-timed row, a device-timed one, a rate. */
static const char plot_json[] =
	"{ \"tool\": \"rpcdev bench\", \"kernel\": \"test\", \"results\": [\n"
	"  { \"id\": \"eventfd\", \"name\": \"eventfd ping-pong\", \"kind\": \"latency\",\n"
	"    \"status\": \"ok\", \"clock\": \"host\",\n"
	"    \"cdf\": { \"q\": [0, 0.5, 0.9, 1], \"ns\": [20000, 30000, 45000, 90000] } },\n"
	"  { \"id\": \"upcall_poll\", \"name\": \"upcall POLL, 64 B\", \"kind\": \"latency\",\n"
	"    \"status\": \"ok\", \"clock\": \"device\",\n"
	"    \"cdf\": { \"q\": [0, 0.5, 0.99, 0.999, 1], \"ns\": [900, 1200, 3000, 8000, 20000] } },\n"
	"  { \"id\": \"queue_one\", \"kind\": \"rate\", \"status\": \"ok\" }\n"
	"] }\n";

/* A small sweep's JSON: a latency curve (0 B off the log axis), a rate. */
static const char plot_sweep_json[] =
	"{ \"tool\": \"rpcdev bench\", \"kernel\": \"test\", \"indicative\": true, \"sweep\": [\n"
	"  { \"id\": \"size_poll\", \"name\": \"payload size\", \"param\": \"payload_bytes\",\n"
	"    \"latency\": true, \"rate_unit\": \"calls/s\", \"points\": [\n"
	"    { \"value\": 0, \"status\": \"ok\", \"p50_ns\": 800, \"p99_ns\": 1500, \"rate\": 500000 },\n"
	"    { \"value\": 64, \"status\": \"ok\", \"p50_ns\": 850, \"p99_ns\": 1600, \"rate\": 480000 },\n"
	"    { \"value\": 1048576, \"status\": \"ok\", \"p50_ns\": 500000, \"p99_ns\": 600000, \"rate\": 800 } ] },\n"
	"  { \"id\": \"queues\", \"name\": \"queues\", \"param\": \"queues\",\n"
	"    \"latency\": false, \"rate_unit\": \"calls/s\", \"points\": [\n"
	"    { \"value\": 1, \"status\": \"ok\", \"rate\": 30000 },\n"
	"    { \"value\": 2, \"status\": \"ok\", \"rate\": 50000 } ] }\n"
	"] }\n";

/* Write @text into @path; 0 or -1. */
static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The eight bytes every PNG file starts with. */
static const unsigned char png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

/* Does @path start as a PNG file does? 0, or -1. */
static int png_file_check(const char *path)
{
	unsigned char head[8] = { 0 };
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, head, sizeof(head));
	close(fd);
	return n == sizeof(head) && !memcmp(head, png_magic, sizeof(head)) ? 0 : -1;
}

/* Is there an executable @prog in $PATH? */
static int in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char file[PATH_MAX + 64];
	size_t n;

	while (path && *path) {
		n = strcspn(path, ":");
		snprintf(file, sizeof(file), "%.*s/%s",
			 (int)(n < PATH_MAX ? n : PATH_MAX), path, prog);
		if (access(file, X_OK) == 0)
			return 1;
		path += n + (path[n] == ':');
	}
	return 0;
}

FIXTURE(plot) {
	const char *path;
	struct run_result res;
	char dir[64], json[96], png[96];
};

FIXTURE_SETUP(plot)
{
	int fd;

	self->path = run_tool_find(tool_candidates);
	if (!self->path)
		SKIP(return, "no rpcdev tool: set RPCDEV_TOOL or build %s",
		     RPCDEV_TOOL_DEFAULT);
	snprintf(self->dir, sizeof(self->dir), "/tmp/rpcdev-plot-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->json, sizeof(self->json), "%s/bench.json", self->dir);
	snprintf(self->png, sizeof(self->png), "%s/bench.png", self->dir);
	fd = open(self->json, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(plot_json), write(fd, plot_json, strlen(plot_json)));
	close(fd);
}

FIXTURE_TEARDOWN(plot)
{
	unlink(self->json);
	unlink(self->png);
	rmdir(self->dir);
}

TEST_F(plot, from_json_draws_a_png)
{
	if (!in_path("gnuplot"))
		SKIP(return, "no gnuplot in PATH (Debian: gnuplot-nox; scripts/bench.sh installs it)");
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "bench", "--plot",
				     self->png, "--from", self->json));
	ASSERT_EQ(0, self->res.status) TH_LOG("stderr: %s", self->res.err);
	ASSERT_STREQ("", self->res.out);
	ASSERT_EQ(0, png_file_check(self->png)) TH_LOG("no PNG in %s", self->png);
}

TEST_F(plot, from_a_sweep_json_draws_a_png)
{
	if (!in_path("gnuplot"))
		SKIP(return, "no gnuplot in PATH (Debian: gnuplot-nox; scripts/bench.sh installs it)");
	ASSERT_EQ(0, write_text(self->json, plot_sweep_json));
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "bench", "--plot",
				     self->png, "--from", self->json));
	ASSERT_EQ(0, self->res.status) TH_LOG("stderr: %s", self->res.err);
	ASSERT_STREQ("", self->res.out);
	ASSERT_EQ(0, png_file_check(self->png)) TH_LOG("no PNG in %s", self->png);
}

TEST_F(plot, from_a_sweep_json_without_points_exits_1)
{
	ASSERT_EQ(0, write_text(self->json, "{\"sweep\": [{\"id\": \"queues\", \"points\": []}]}\n"));
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "bench", "--plot",
				     self->png, "--from", self->json));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("rpcdev bench: --plot: no curve of the sweep with points "
		     "to draw\n", self->res.err);
}

TEST_F(plot, without_gnuplot_names_the_package)
{
	char *argv[] = { (char *)self->path, "bench", "--plot", self->png,
			 "--from", self->json, NULL };
	struct run_opts no_path = { .env = "PATH=/nonexistent" };

	ASSERT_EQ(0, run_capture_opts(argv, &no_path, &self->res));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("rpcdev bench: --plot needs gnuplot, which is not installed "
		     "(Debian: apt-get install gnuplot-nox)\n", self->res.err);
	ASSERT_FALSE(path_exists(self->png));
}

TEST_F(plot, from_a_file_that_is_not_json_exits_1)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "bench", "--plot",
				     self->png, "--from", "/dev/null"));
	ASSERT_EQ(1, self->res.status);
	ASSERT_EQ(0, strncmp(self->res.err, "rpcdev bench: /dev/null: ",
			     strlen("rpcdev bench: /dev/null: ")))
		TH_LOG("stderr: %s", self->res.err);
}

TEST_F(plot, from_a_json_without_latency_rows_exits_1)
{
	char *argv[] = { (char *)self->path, "bench", "--plot", self->png,
			 "--from", self->json, NULL };
	int fd = open(self->json, O_WRONLY | O_TRUNC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(16, write(fd, "{\"results\": []}\n", 16));
	close(fd);
	ASSERT_EQ(0, run_capture(argv, &self->res));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("rpcdev bench: --plot: no latency row with a distribution "
		     "to draw\n", self->res.err);
}

TEST_HARNESS_MAIN
