/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for tests of the rpcdev command-line tool: find it, run it, and
 * collect its output and exit status. Every function returns 0 or a
 * negative errno.
 */
#ifndef RPCDEV_SELFTEST_RUN_TOOL_H
#define RPCDEV_SELFTEST_RUN_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Output kept from one stream of a run; longer output is cut. */
#define RUN_OUT_MAX	8192

/**
 * struct run_result - what a finished command did.
 * @status:	exit status (0..255), or -1 if killed by a signal.
 * @out:	standard output, NUL-terminated.
 * @err:	standard error, NUL-terminated.
 */
struct run_result {
	int status;
	char out[RUN_OUT_MAX];
	char err[RUN_OUT_MAX];
};

/*
 * The rpcdev tool to test: $RPCDEV_TOOL when set and not empty, else the
 * first of @candidates (NULL-terminated, may be NULL) that is an
 * executable file. Returns NULL when there is none.
 */
const char *run_tool_find(const char *const *candidates);

/*
 * Run @argv (argv[0] is the path of the program) with standard input from
 * /dev/null, wait for it, and fill @res. Returns 0 or -errno of a failed
 * pipe, fork, poll or wait; a failed exec shows as status 127.
 */
int run_capture(char *const argv[], struct run_result *res);

/**
 * struct run_opts - how run_capture_opts() runs the program.
 * @as_user:	run it as @uid and @gid, without supplementary groups (the
 *		caller must be root).
 * @err_tty:	its standard error is a terminal (a pseudo-terminal whose
 *		output lands in struct run_result.err, as the program wrote
 *		it but for the terminal's newline translation).
 * @env:	one more environment variable ("NAME=VALUE"), or NULL.
 */
struct run_opts {
	bool as_user;
	uid_t uid;
	gid_t gid;
	bool err_tty;
	const char *env;
};

/* run_capture(), run as @opts says. */
int run_capture_opts(char *const argv[], const struct run_opts *opts,
		     struct run_result *res);

#endif /* RPCDEV_SELFTEST_RUN_TOOL_H */
