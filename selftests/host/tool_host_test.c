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

TEST_F(tool, info_non_rpcdev_reports_enotty)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "info", "-d", "/dev/null"));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("rpcdev: /dev/null: Inappropriate ioctl for device\n",
		     self->res.err);
}

TEST_F(tool, info_default_device_is_dev_rpcdev0)
{
	if (path_exists("/dev/rpcdev0"))
		SKIP(return, "/dev/rpcdev0 exists on this host; the test needs it absent");
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "info", NULL, NULL));
	ASSERT_STREQ("rpcdev: /dev/rpcdev0: No such file or directory\n",
		     self->res.err);
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

TEST_F(tool, call_non_rpcdev_reports_queue_enotty)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "call", "-d",
				     "/dev/null", "-q", "3", "echo", "hi"));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("rpcdev: /dev/null: queue 3: Inappropriate ioctl for device\n",
		     self->res.err);
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

TEST_F(tool, serve_non_rpcdev_reports_queue_enotty)
{
	ASSERT_EQ(0, run_rpcdev(self->path, &self->res, "serve", "-d",
				"/dev/null"));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("rpcdev: /dev/null: queue 0: Inappropriate ioctl for device\n",
		     self->res.err);
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

TEST_F(tool, mbox_post_non_rpcdev_reports_queue_enotty)
{
	ASSERT_EQ(0, run_rpcdev_args(self->path, &self->res, "mbox", "post",
				     "-d", "/dev/null", "0", "1"));
	ASSERT_EQ(1, self->res.status);
	ASSERT_STREQ("rpcdev: /dev/null: queue 0: Inappropriate ioctl for device\n",
		     self->res.err);
}

TEST_HARNESS_MAIN
