/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * The rpcdev command-line tool: what every subcommand shares.
 *
 * A subcommand is one function, int cmd_NAME(int argc, char **argv), given
 * its own argument vector (argv[0] is the subcommand's name) and returning
 * the process exit status, plus one entry in the table in main.c. It reads
 * its options with tool_parse_opts() from a table of struct tool_opt.
 */
#ifndef RPCDEV_TOOL_H
#define RPCDEV_TOOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rpcdev.h"

#define TOOL_NAME	"rpcdev"

/* The device a command uses without -d. */
#define TOOL_DEFAULT_PATH	"/dev/rpcdev0"

/* Exit statuses of the tool (rpcdev(1), EXIT STATUS). */
enum {
	EXIT_OK		= 0,	/* done */
	EXIT_FAIL	= 1,	/* a system call or a device failed */
	EXIT_USAGE	= 2,	/* the command line is wrong */
};

/* tool_parse_opts(): the command line is fine, the command goes on. */
#define TOOL_GO_ON	(-1)

/**
 * struct tool_cmd - one subcommand.
 * @name:	what the user types.
 * @summary:	one line for the command list.
 * @usage:	full help text, printed by "rpcdev help NAME" and NAME -h.
 * @run:	the subcommand; returns the exit status.
 * @stop_at_arg: options end at the first positional argument (the top
 *		level only: what follows the command is the command's).
 */
struct tool_cmd {
	const char *name;
	const char *summary;
	const char *usage;
	int (*run)(int argc, char **argv);
	bool stop_at_arg;
};

/* What an option takes, and where its value goes (struct tool_opt.dest). */
enum tool_opt_type {
	TOOL_OPT_FLAG,	/* no value; dest is a bool, set to true */
	TOOL_OPT_STR,	/* dest is a const char *, set to the value */
	TOOL_OPT_U64,	/* dest is a uint64_t: a number from min to max */
	TOOL_OPT_FN,	/* fn(cmd, dest, value) checks and stores it */
};

/**
 * struct tool_opt - one option of a command, in its table of options.
 * @short_name:	the letter of -X, or 0 for a long option only.
 * @long_name:	the name of --NAME, or NULL for a short option only.
 * @type:	what it takes.
 * @dest:	where its value goes.
 * @metavar:	how a missing value is named ("option -q needs a QID").
 * @what:	TOOL_OPT_U64: the value's name ("bad queue number 'x' ...").
 * @min, @max:	TOOL_OPT_U64: its range.
 * @unit:	TOOL_OPT_U64: its unit, or NULL.
 * @fn:		TOOL_OPT_FN: store @value; EXIT_OK, or tool_usage_error()'s.
 *
 * A table ends with an entry of neither name. -h and --help are every
 * command's: they print its usage on stdout.
 */
struct tool_opt {
	char short_name;
	const char *long_name;
	enum tool_opt_type type;
	void *dest;
	const char *metavar;
	const char *what;
	uint64_t min, max;
	const char *unit;
	int (*fn)(const struct tool_cmd *cmd, void *dest, const char *value);
};

/* Entries of a table: a flag, a string, a number, a value to check. */
#define TOOL_OPT_BOOL(s, l, d) \
	{ .short_name = (s), .long_name = (l), .type = TOOL_OPT_FLAG, .dest = (d) }
#define TOOL_OPT_STRING(s, l, d, mv) \
	{ .short_name = (s), .long_name = (l), .type = TOOL_OPT_STR, \
	  .dest = (d), .metavar = (mv) }
#define TOOL_OPT_NUM(s, l, d, mv, w, lo, hi, u) \
	{ .short_name = (s), .long_name = (l), .type = TOOL_OPT_U64, \
	  .dest = (d), .metavar = (mv), .what = (w), .min = (lo), \
	  .max = (hi), .unit = (u) }
#define TOOL_OPT_CALL(s, l, d, mv, f) \
	{ .short_name = (s), .long_name = (l), .type = TOOL_OPT_FN, \
	  .dest = (d), .metavar = (mv), .fn = (f) }
/* Options many commands share. */
#define TOOL_OPT_DEVICE(p)	TOOL_OPT_STRING('d', "device", (p), "a PATH")
#define TOOL_OPT_QUEUE(q) \
	TOOL_OPT_NUM('q', "queue", (q), "a QID", "queue number", 0, \
		     UINT32_MAX, NULL)
#define TOOL_OPT_JSON(b)	TOOL_OPT_BOOL(0, "json", (b))
#define TOOL_OPT_END		{ .short_name = 0 }
/* The longest timeout in milliseconds: a year, so that the ns fit. */
#define TOOL_MAX_TIMEOUT_MS	(365ULL * 24 * 3600 * 1000)

/*
 * Parse @argv (argv[0] is the command's name) by @cmd's table @opts:
 * options may come before, between or after the positional arguments,
 * which are left in argv[optind..argc - 1], in order; "--" ends the
 * options. Returns TOOL_GO_ON, or the exit status to end with: EXIT_OK
 * after -h/--help (the usage printed), EXIT_USAGE after a mistake (the
 * message and the usage printed on stderr).
 */
int tool_parse_opts(const struct tool_cmd *cmd, const struct tool_opt *opts,
		    int argc, char **argv);

/* Print "rpcdev: <what>: <strerror(err)>" to stderr; err is a positive errno. */
void tool_error(const char *what, int err);

/*
 * Print why @path could not be used (opened, or asked for its device's
 * information or a queue: @err, a positive errno) and what to do:
 * without the node, which module makes it; with a file that is not an
 * rpcdev device (ENOTTY), that it is not one; without permission, which
 * group may open it and what gives it that group.
 */
void tool_device_error(const char *path, int err);

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

/*
 * A progress line on stderr for a run that lasts: shown only when stderr
 * is a terminal, from one second after tool_progress_start(), redrawn
 * every quarter of a second as "LABEL: DONE of TOTAL: NOTE (N s)" (or
 * "LABEL: COUNT: NOTE (N s)", "LABEL: NOTE (N s)", without a NOTE
 * "LABEL: DONE of TOTAL (N s)"), and
 * erased by tool_progress_stop(). A thread draws it; @done, @total and
 * @note may change while it runs (tool_progress_set()), or @count points
 * to a counter another thread moves (read atomically, so that the thread
 * measuring takes no lock).
 */
struct tool_progress {
	const char *label;
	const uint64_t *count;	/* if set, DONE is *count */
	uint64_t done;		/* shown when total is not 0 */
	uint64_t total;
	const char *note;	/* or NULL */
	uint64_t start_ns;
	bool running, stop, shown;
	pthread_t thread;
	pthread_mutex_t lock;	/* the fields above */
	pthread_cond_t wake;	/* stop was set */
};
/*
 * Start the line (nothing when stderr is not a terminal): LABEL, TOTAL
 * (0: none), the counter it counts (NULL: tool_progress_set()'s DONE).
 * 0 or -errno.
 */
int tool_progress_start(struct tool_progress *p, const char *label,
			uint64_t total, const uint64_t *count);
/* Update it (@p may be NULL: nothing to do). */
void tool_progress_set(struct tool_progress *p, uint64_t done, uint64_t total,
		       const char *note);
/* Stop the thread and erase the line if it was drawn. */
void tool_progress_stop(struct tool_progress *p);

/* JSON (json.c, with json-c). */
struct json_object;
/* @v as a JSON number written "%.6g"; NULL (JSON null) if not finite. */
struct json_object *tool_json_num(double v);
/*
 * Write @obj and a newline to @f: an object one key a line, an array of
 * objects in it one object a line, the rest on the key's line. 0 or -EIO.
 */
int tool_json_print(FILE *f, struct json_object *obj);

/*
 * A latency histogram (histogram.c): log-scale buckets, two per power of
 * two of nanoseconds (bucket i from 2^(i/2) ns), counted as they come.
 */
#define TOOL_HIST_BUCKETS	128
struct tool_hist {
	uint64_t n;
	uint64_t count[TOOL_HIST_BUCKETS];
};
void tool_hist_add(struct tool_hist *h, uint64_t ns);
/*
 * The buckets from the first to the last that holds something, one line
 * each: "LO - HI us COUNT |###..." (microseconds, LO included).
 */
void tool_hist_print(FILE *f, const struct tool_hist *h);
/* The same as a JSON array of { "lo_us", "hi_us", "count" }. */
struct json_object *tool_hist_json(const struct tool_hist *h);

/* The subcommands. */
/* uring.c: `call`, `serve` and `upcalls --uring`, on a ring of their own. */
/* Upcalls `serve --uring` holds at once: fetches in flight. */
#define TOOL_URING_SLOTS	4
#define TOOL_URING_SLOTS_STR	"4"
/* rpcdev_call() as one io_uring command; -ETIMEDOUT after @timeout_ns. */
int tool_uring_call(struct rpcdev *dev, unsigned int method, const void *req,
		    size_t req_len, void *resp, size_t resp_cap,
		    uint64_t timeout_ns, struct rpcdev_call_result *res);
/* rpcdev_serve() over io_uring (rpcdev_uring_serve()), with no timeout. */
int tool_uring_serve(struct rpcdev *dev, rpcdev_upcall_fn handler, void *ctx);
/*
 * The same for the queues of @ndevs devices (at most TOOL_URING_SLOTS),
 * from one ring, until @handler stops it or, if @stop_fd >= 0, @stop_fd
 * becomes readable (an eventfd another thread writes): then 0. Otherwise
 * what rpcdev_uring_serve() returned.
 */
int tool_uring_serve_until(struct rpcdev *const *devs, unsigned int ndevs,
			   rpcdev_upcall_fn handler, void *ctx, int stop_fd);

extern const struct tool_cmd tool_cmd_info;
extern const struct tool_cmd tool_cmd_call;
extern const struct tool_cmd tool_cmd_serve;
extern const struct tool_cmd tool_cmd_upcalls;
extern const struct tool_cmd tool_cmd_mbox;
extern const struct tool_cmd tool_cmd_bench;

#endif /* RPCDEV_TOOL_H */
