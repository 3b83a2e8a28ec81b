// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev: command-line tool for rpcdev devices.
 *
 *	rpcdev <command> [options] [arguments]
 *	rpcdev help [command] | -h | --help | --version
 *
 * Adding a subcommand: write cmd_NAME.c defining a struct tool_cmd and a
 * table of its options (struct tool_opt, parsed by tool_parse_opts(),
 * opts.c), declare it in tool.h and list it in tool_cmds[] below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void tool_print_usage(FILE *out)
{
	unsigned int i;

	fprintf(out, "Usage: " TOOL_NAME " <command> [options] [arguments]\n"
		"       " TOOL_NAME " --version\n\nCommands:\n");
	for (i = 0; i < TOOL_NR_CMDS; i++)
		fprintf(out, "  %-8s %s\n", tool_cmds[i]->name,
			tool_cmds[i]->summary);
	fprintf(out, "  %-8s %s\n", "help", "show this help, or a command's help");
	fprintf(out, "\nRun '" TOOL_NAME " help <command>' or '" TOOL_NAME
		" <command> --help' for a command's options.\n");
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

/*
 * The top level: "rpcdev [-h|--help|--version] COMMAND ...". Its usage is
 * the list of commands, printed after the parser.
 */
static const struct tool_cmd tool_top = {
	.name		= TOOL_NAME,
	.usage		= "",
	.stop_at_arg	= true,
};

int main(int argc, char **argv)
{
	const struct tool_cmd *cmd;
	bool version = false;
	const struct tool_opt opts[] = {
		TOOL_OPT_BOOL(0, "version", &version),
		TOOL_OPT_END,
	};
	int ret;

	if (argc < 2) {
		tool_print_usage(stderr);
		return EXIT_USAGE;
	}
	/* The command's own -h, not the top level's. */
	if (argv[1][0] == '-') {
		ret = tool_parse_opts(&tool_top, opts, argc, argv);
		if (ret != TOOL_GO_ON)	/* -h, or a mistake */
			tool_print_usage(ret == EXIT_OK ? stdout : stderr);
		if (ret != TOOL_GO_ON)
			return ret;
		if (version) {
			printf(TOOL_NAME " %s\n", rpcdev_version());
			return EXIT_OK;
		}
		argc -= optind;
		argv += optind;
		if (argc < 1) {
			tool_print_usage(stderr);
			return EXIT_USAGE;
		}
	} else {
		argc--;
		argv++;
	}
	if (!strcmp(argv[0], "help"))
		return tool_help(argc, argv);

	cmd = tool_find_cmd(argv[0]);
	if (!cmd) {
		fprintf(stderr, TOOL_NAME ": unknown command '%s'\n", argv[0]);
		tool_print_usage(stderr);
		return EXIT_USAGE;
	}
	return cmd->run(argc, argv);
}
