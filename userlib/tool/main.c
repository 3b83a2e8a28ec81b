// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev: command-line tool for rpcdev devices.
 *
 *	rpcdev <command> [options]
 *
 * Adding a subcommand: write cmd_NAME.c defining a struct tool_cmd, declare
 * it in tool.h and list it in tool_cmds[] below.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpcdev.h"
#include "tool.h"

static const struct tool_cmd *const tool_cmds[] = {
	&tool_cmd_info,
	&tool_cmd_call,
	&tool_cmd_serve,
	&tool_cmd_upcalls,
	&tool_cmd_mbox,
	&tool_cmd_bench,
};

#define TOOL_NR_CMDS	(sizeof(tool_cmds) / sizeof(tool_cmds[0]))

void tool_error(const char *what, int err)
{
	fprintf(stderr, TOOL_NAME ": %s: %s\n", what, strerror(err));
}

int tool_parse_u64(const char *s, uint64_t max, uint64_t *val)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts "-1" as ULLONG_MAX: refuse any sign. */
	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*val = v;
	return 0;
}

int tool_open_queue(struct rpcdev *dev, const char *path, unsigned int qid,
		    unsigned int depth, unsigned int buf_size)
{
	return tool_open_queue_policy(dev, path, qid, depth, buf_size,
				      RPCDEV_WAIT_BLOCK);
}

int tool_open_queue_policy(struct rpcdev *dev, const char *path,
			   unsigned int qid, unsigned int depth,
			   unsigned int buf_size, unsigned int policy)
{
	int ret;

	ret = rpcdev_open(dev, path);
	if (ret < 0) {
		tool_error(path, -ret);
		return EXIT_FAIL;
	}
	ret = rpcdev_queue_attach_policy(dev, qid, depth, buf_size, policy);
	if (ret < 0) {
		fprintf(stderr, TOOL_NAME ": %s: queue %u: %s\n", path, qid,
			strerror(-ret));
		rpcdev_close(dev);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int tool_usage_error(const struct tool_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, TOOL_NAME " %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", cmd->usage);
	return EXIT_USAGE;
}

static void tool_print_usage(FILE *out)
{
	unsigned int i;

	fprintf(out, "Usage: " TOOL_NAME " <command> [options]\n\nCommands:\n");
	for (i = 0; i < TOOL_NR_CMDS; i++)
		fprintf(out, "  %-8s %s\n", tool_cmds[i]->name,
			tool_cmds[i]->summary);
	fprintf(out, "  %-8s %s\n", "help", "show this help, or a command's help");
	fprintf(out, "\nRun '" TOOL_NAME " help <command>' for a command's options.\n");
}

static const struct tool_cmd *tool_find_cmd(const char *name)
{
	unsigned int i;

	for (i = 0; i < TOOL_NR_CMDS; i++)
		if (!strcmp(tool_cmds[i]->name, name))
			return tool_cmds[i];
	return NULL;
}

static int tool_help(int argc, char **argv)
{
	const struct tool_cmd *cmd;

	if (argc < 2) {
		tool_print_usage(stdout);
		return EXIT_OK;
	}
	cmd = tool_find_cmd(argv[1]);
	if (!cmd || argc > 2) {
		fprintf(stderr, TOOL_NAME ": no help for '%s'\n", argv[1]);
		tool_print_usage(stderr);
		return EXIT_USAGE;
	}
	fputs(cmd->usage, stdout);
	return EXIT_OK;
}

static int tool_is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "-h");
}

int main(int argc, char **argv)
{
	const struct tool_cmd *cmd;

	if (argc < 2) {
		tool_print_usage(stderr);
		return EXIT_USAGE;
	}
	if (tool_is_help(argv[1]))
		return tool_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version")) {
		printf(TOOL_NAME " %s\n", rpcdev_version());
		return EXIT_OK;
	}

	cmd = tool_find_cmd(argv[1]);
	if (!cmd) {
		fprintf(stderr, TOOL_NAME ": unknown command '%s'\n", argv[1]);
		tool_print_usage(stderr);
		return EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
