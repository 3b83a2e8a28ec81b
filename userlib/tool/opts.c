// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * The option parser every command of the rpcdev tool shares: a table of
 * options per command (struct tool_opt), getopt_long underneath, -h and
 * --help everywhere, options before or after the positional arguments,
 * and one wording for every mistake ("unknown option '-z'", "option -q
 * needs a QID", "bad count 'x' (1 to 1048576)").
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* Most options one command may have, -h and --help included. */
#define TOOL_MAX_OPTS	32
/* getopt_long's value of a long-only option: this plus its index. */
#define TOOL_LONG_VAL	256

/* The table's option that getopt_long returned as @val, or NULL. */
static const struct tool_opt *tool_opt_of(const struct tool_opt *opts, int val)
{
	const struct tool_opt *o;

	for (o = opts; o->short_name || o->long_name; o++)
		if (val == (o->short_name ? o->short_name :
			    TOOL_LONG_VAL + (int)(o - opts)))
			return o;
	return NULL;
}

/* "-q" or "--json", for messages. */
static const char *tool_opt_name(const struct tool_opt *o, char *buf,
				 size_t len)
{
	if (o->short_name)
		snprintf(buf, len, "-%c", o->short_name);
	else
		snprintf(buf, len, "--%s", o->long_name);
	return buf;
}

/* Store @arg as @o asks; EXIT_OK or the exit status of a bad value. */
static int tool_opt_store(const struct tool_cmd *cmd, const struct tool_opt *o,
			  const char *arg)
{
	uint64_t v;

	switch (o->type) {
	case TOOL_OPT_FLAG:
		*(bool *)o->dest = true;
		return EXIT_OK;
	case TOOL_OPT_STR:
		*(const char **)o->dest = arg;
		return EXIT_OK;
	case TOOL_OPT_U64:
		if (tool_parse_u64(arg, o->max, &v) || v < o->min)
			return tool_usage_error(cmd, "bad %s '%s' (%llu to %llu%s%s)",
				o->what, arg, (unsigned long long)o->min,
				(unsigned long long)o->max, o->unit ? " " : "",
				o->unit ? o->unit : "");
		*(uint64_t *)o->dest = v;
		return EXIT_OK;
	case TOOL_OPT_FN:
		return o->fn(cmd, o->dest, arg);
	}
	return EXIT_USAGE;
}

/* The argument getopt_long stopped at, as the user typed its name. */
static void tool_bad_option(const struct tool_cmd *cmd, char **argv, int optc,
			    char *buf, size_t len)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";

	if (optc && optc < TOOL_LONG_VAL) {
		snprintf(buf, len, "-%c", optc);
		return;
	}
	(void)cmd;
	snprintf(buf, len, "%.*s", (int)strcspn(arg, "="), arg);
}

int tool_parse_opts(const struct tool_cmd *cmd, const struct tool_opt *opts,
		    int argc, char **argv)
{
	struct option longopts[TOOL_MAX_OPTS + 2];
	char shortopts[3 * TOOL_MAX_OPTS + 4], name[64];
	const struct tool_opt *o;
	unsigned int n = 0, s = 0;
	int c, ret;

	/* ':' first: a missing value returns ':'; '+': stop at the first
	 * positional argument (only the top level, whose first positional
	 * argument is the command). */
	if (cmd->stop_at_arg)
		shortopts[s++] = '+';
	shortopts[s++] = ':';
	for (o = opts; o->short_name || o->long_name; o++, n++) {
		if (n >= TOOL_MAX_OPTS)
			abort();	/* a table too long: a bug of the tool */
		if (o->short_name) {
			shortopts[s++] = o->short_name;
			if (o->type != TOOL_OPT_FLAG)
				shortopts[s++] = ':';
		}
		longopts[n] = (struct option){
			.name = o->long_name,
			.has_arg = o->type == TOOL_OPT_FLAG ? no_argument :
				   required_argument,
			.val = o->short_name ? o->short_name :
			       TOOL_LONG_VAL + (int)n,
		};
	}
	shortopts[s++] = 'h';
	shortopts[s] = '\0';
	/* Short-only options need no entry: drop the ones without a name. */
	for (c = 0, s = 0; c < (int)n; c++)
		if (longopts[c].name)
			longopts[s++] = longopts[c];
	longopts[s++] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[s] = (struct option){ NULL, 0, NULL, 0 };

	opterr = 0;
	optind = 0;	/* 0: getopt starts afresh, permuting GNU-style */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(cmd->usage, stdout);
			return EXIT_OK;
		}
		if (c == ':') {
			o = tool_opt_of(opts, optopt);
			return tool_usage_error(cmd, "option %s needs %s",
				tool_opt_name(o, name, sizeof(name)),
				o->metavar ? o->metavar : "a value");
		}
		if (c == '?') {
			o = optopt ? tool_opt_of(opts, optopt) : NULL;
			if (o && o->type == TOOL_OPT_FLAG)
				return tool_usage_error(cmd,
					"option --%s takes no value", o->long_name);
			tool_bad_option(cmd, argv, optopt, name, sizeof(name));
			return tool_usage_error(cmd, "unknown option '%s'", name);
		}
		o = tool_opt_of(opts, c);
		ret = tool_opt_store(cmd, o, optarg);
		if (ret != EXIT_OK)
			return ret;
	}
	return TOOL_GO_ON;
}
