// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev: command-line tool for rpcdev devices.
 *
 *	rpcdev <command> [options]
 *
 * Adding a subcommand: write cmd_NAME.c defining a struct tool_cmd, declare
 * it in tool.h and list it in tool_cmds[] below.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"

static const struct tool_cmd *const tool_cmds[] = {
	&tool_cmd_info,
	&tool_cmd_call,
};

#define TOOL_NR_CMDS	(sizeof(tool_cmds) / sizeof(tool_cmds[0]))

void tool_error(const char *what, int err)
{
	fprintf(stderr, TOOL_NAME ": %s: %s\n", what, strerror(err));
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

	cmd = tool_find_cmd(argv[1]);
	if (!cmd) {
		fprintf(stderr, TOOL_NAME ": unknown command '%s'\n", argv[1]);
		tool_print_usage(stderr);
		return EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
