/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * The rpcdev command-line tool: what every subcommand shares.
 *
 * A subcommand is one function, int cmd_NAME(int argc, char **argv), given
 * its own argument vector (argv[0] is the subcommand's name) and returning
 * the process exit status, plus one entry in the table in main.c.
 */
#ifndef RPCDEV_TOOL_H
#define RPCDEV_TOOL_H

#include <stdint.h>
#include <stdio.h>

#include "rpcdev.h"

#define TOOL_NAME	"rpcdev"

/* The device a command uses without -d. */
#define TOOL_DEFAULT_PATH	"/dev/rpcdev0"

/* Exit statuses of the tool. */
enum {
	EXIT_OK		= 0,	/* done */
	EXIT_FAIL	= 1,	/* a system call or a device failed */
	EXIT_USAGE	= 2,	/* the command line is wrong */
};

/**
 * struct tool_cmd - one subcommand.
 * @name:	what the user types.
 * @summary:	one line for the command list.
 * @usage:	full help text, printed by "rpcdev help NAME" and NAME -h.
 * @run:	the subcommand; returns the exit status.
 */
struct tool_cmd {
	const char *name;
	const char *summary;
	const char *usage;
	int (*run)(int argc, char **argv);
};

/* Print "rpcdev: <what>: <strerror(err)>" to stderr; err is a positive errno. */
void tool_error(const char *what, int err);

/* Print "rpcdev <cmd>: <message>" and the command's usage to stderr; return EXIT_USAGE. */
int tool_usage_error(const struct tool_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Parse a whole decimal (or 0x hex) number up to @max into *@val, refusing
 * signs, blanks and trailing text. Returns 0, or -1 if @s is not one.
 */
int tool_parse_u64(const char *s, uint64_t max, uint64_t *val);

struct rpcdev;

/*
 * Open @path into @dev and attach queue @qid with @depth and @buf_size (0:
 * the defaults). On failure print why ("rpcdev: PATH: ..." or "rpcdev:
 * PATH: queue Q: ...") and leave @dev closed. Returns EXIT_OK or EXIT_FAIL.
 */
int tool_open_queue(struct rpcdev *dev, const char *path, unsigned int qid,
		    unsigned int depth, unsigned int buf_size);
/* The same with a wait policy (enum rpcdev_wait_policy). */
int tool_open_queue_policy(struct rpcdev *dev, const char *path,
			   unsigned int qid, unsigned int depth,
			   unsigned int buf_size, unsigned int policy);

/* The subcommands. */
/* uring.c: `call --uring` and `serve --uring`, on a ring of their own. */
/* Upcalls `serve --uring` holds at once: fetches in flight. */
#define TOOL_URING_SLOTS	4
#define TOOL_URING_SLOTS_STR	"4"
/* rpcdev_call() as one io_uring command; -ETIMEDOUT after @timeout_ns. */
int tool_uring_call(struct rpcdev *dev, unsigned int method, const void *req,
		    size_t req_len, void *resp, size_t resp_cap,
		    uint64_t timeout_ns, struct rpcdev_call_result *res);
/* rpcdev_serve() over io_uring (rpcdev_uring_serve()), with no timeout. */
int tool_uring_serve(struct rpcdev *dev, rpcdev_upcall_fn handler, void *ctx);

extern const struct tool_cmd tool_cmd_info;
extern const struct tool_cmd tool_cmd_call;
extern const struct tool_cmd tool_cmd_serve;
extern const struct tool_cmd tool_cmd_upcalls;
extern const struct tool_cmd tool_cmd_mbox;
extern const struct tool_cmd tool_cmd_bench;

#endif /* RPCDEV_TOOL_H */
