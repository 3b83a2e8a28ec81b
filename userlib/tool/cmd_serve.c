// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev serve [-d PATH] [-q QID] [-n COUNT] [-t TIMEOUT_MS] [-s BUF_SIZE]
 *              [-v] [--fail NAME:MESSAGE] [--uring]: serve the device's
 * upcalls on a queue with an echo server (each reply repeats its request),
 * or fail each with a given error; with --uring from an io_uring.
 *
 * Output, on stdout: with -v one line per upcall,
 *	upcall id=<slot> method=<M> len=<bytes> tag=0x<tag>[ async]
 * and at the end
 *	served: <upcalls>
 * Exit status: 0 when it stopped after COUNT upcalls, after TIMEOUT_MS
 * without an upcall (when no COUNT was given) or on SIGINT or SIGTERM; 1
 * when serving failed or timed out before COUNT upcalls; 2 for a wrong
 * command line.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpcdev.h"
#include "tool.h"

static const char serve_usage[] =
	"Usage: " TOOL_NAME " serve [-d PATH] [-q QID] [-n COUNT] [-t TIMEOUT_MS]\n"
	"                    [-s BUF_SIZE] [-v] [--fail NAME:MESSAGE] [--uring]\n"
	"Serve the upcalls the device makes on a queue: answer each with its own\n"
	"request (an echo server), or fail each with an error.\n"
	"\n"
	"  -d PATH        the device (default " TOOL_DEFAULT_PATH ")\n"
	"  -q QID         the queue to serve (default 0); it must be free\n"
	"  -n COUNT       stop after COUNT upcalls (default: no limit)\n"
	"  -t TIMEOUT_MS  stop when no upcall came for this long (default 0:\n"
	"                 wait for ever)\n"
	"  -s BUF_SIZE    payload bytes per call slot (default 4096, up to\n"
	"                 1048576): the longest request and reply\n"
	"  -v, --verbose  print one line per upcall\n"
	"  --fail NAME:MESSAGE\n"
	"                 answer every upcall with the error NAME and MESSAGE\n"
	"                 (status ERROR) instead of echoing it\n"
	"  --uring        serve from an io_uring (" TOOL_URING_SLOTS_STR " upcalls held at once,\n"
	"                 each answer sent with the next wait); not with -t\n"
	"  -h, --help     show this help\n"
	"\n"
	"The queue is this process's while it serves: the device's upcalls on\n"
	"it come here (rpcdev_sim makes upcalls only when its queue's own file\n"
	"asks it to; see '" TOOL_NAME " upcalls'). With -v each upcall prints\n"
	"\"upcall id=N method=M len=L tag=0xT\" (and \" async\" for a\n"
	"fire-and-forget one); at the end \"served: N\". Exits 0 after COUNT\n"
	"upcalls, after TIMEOUT_MS without one when no COUNT is given, or on\n"
	"SIGINT/SIGTERM; 1 if serving failed or timed out before COUNT upcalls;\n"
	"2 for a wrong command line.\n";

/* What the handler needs; one per run. */
struct serve_ctx {
	uint64_t limit;		/* stop after this many upcalls; 0: never */
	uint64_t served;
	int verbose;
	const char *fail_name;	/* NULL: echo */
	const char *fail_message;
};

/* Set by SIGINT and SIGTERM; their handler does not restart the wait. */
static volatile sig_atomic_t serve_stop_signal;

static void serve_on_signal(int sig)
{
	serve_stop_signal = sig;
}

static int serve_catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = serve_on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the wait ends with EINTR. */
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

static int serve_handler(void *arg, const struct rpcdev_upcall_req *up,
			 struct rpcdev_upcall_reply *reply)
{
	struct serve_ctx *ctx = arg;
	int ret = 0;

	/* Atomic: the progress line reads it from its thread. */
	__atomic_store_n(&ctx->served, ctx->served + 1, __ATOMIC_RELAXED);
	if (ctx->verbose) {
		printf("upcall id=%u method=%u len=%zu tag=0x%" PRIx64 "%s\n",
		       up->id, up->method, up->len, up->tag,
		       up->flags & RPCDEV_ENTRY_ASYNC ? " async" : "");
		fflush(stdout);
	}
	if (ctx->fail_name) {
		ret = rpcdev_reply_error(up, reply, ctx->fail_name,
					 ctx->fail_message);
	} else {
		/* In place: the request's buffer into the reply's. */
		memcpy(up->reply, up->data, up->len);
		reply->len = up->len;
	}
	if (ret)
		return ret;
	if ((ctx->limit && ctx->served >= ctx->limit) || serve_stop_signal)
		return RPCDEV_SERVE_STOP;
	return 0;
}

static int serve_run(const char *path, unsigned int qid, unsigned int buf_size,
		     uint64_t timeout_ms, int uring, struct serve_ctx *ctx)
{
	struct tool_progress progress = { 0 };
	struct rpcdev dev;
	int ret;

	ret = serve_catch_signals();
	if (ret) {
		tool_error("sigaction", -ret);
		return EXIT_FAIL;
	}
	if (tool_open_queue(&dev, path, qid, 0, buf_size))
		return EXIT_FAIL;

	/* Not with -v, whose lines say as much. */
	if (!ctx->verbose)
		tool_progress_start(&progress, TOOL_NAME " serve: upcalls served",
				    0, &ctx->served);
	if (uring)
		ret = tool_uring_serve(&dev, serve_handler, ctx);
	else
		ret = rpcdev_serve(&dev, serve_handler, ctx,
				   timeout_ms * 1000000ULL);
	tool_progress_stop(&progress);
	rpcdev_close(&dev);

	printf("served: %" PRIu64 "\n", ctx->served);
	fflush(stdout);
	/* Stopped by the count, a signal, or an idle timeout without count. */
	if (ret == RPCDEV_SERVE_STOP || ret == -EINTR ||
	    (ret == -ETIMEDOUT && !ctx->limit))
		return EXIT_OK;
	if (ret == -ETIMEDOUT)
		fprintf(stderr, TOOL_NAME ": serve: %" PRIu64 " of %" PRIu64
			" upcalls before the timeout\n", ctx->served,
			ctx->limit);
	else
		tool_error("serve", ret < 0 ? -ret : EPROTO);
	return EXIT_FAIL;
}

/* --fail NAME:MESSAGE into the context. */
static int serve_opt_fail(const struct tool_cmd *cmd, void *dest,
			  const char *value)
{
	struct serve_ctx *ctx = dest;
	const char *colon = strchr(value, ':');
	char *name;

	if (!colon || colon == value)
		return tool_usage_error(cmd, "--fail takes NAME:MESSAGE, not '%s'",
					value);
	name = strndup(value, (size_t)(colon - value));
	if (!name) {
		tool_error("--fail", ENOMEM);
		return EXIT_FAIL;
	}
	ctx->fail_name = name;
	ctx->fail_message = colon + 1;
	return EXIT_OK;
}

static int cmd_serve(int argc, char **argv)
{
	uint64_t qid = 0, timeout_ms = 0, buf_size = 0, count = 0;
	struct serve_ctx ctx = { 0 };
	const char *path = TOOL_DEFAULT_PATH;
	bool verbose = false, uring = false;
	const struct tool_opt opts[] = {
		TOOL_OPT_DEVICE(&path),
		TOOL_OPT_QUEUE(&qid),
		TOOL_OPT_NUM('n', "count", &count, "a COUNT", "count", 1,
			     UINT64_MAX, NULL),
		TOOL_OPT_NUM('t', "timeout", &timeout_ms, "a TIMEOUT_MS",
			     "timeout", 0, TOOL_MAX_TIMEOUT_MS, "ms"),
		TOOL_OPT_NUM('s', "buf-size", &buf_size, "a BUF_SIZE",
			     "buffer size", 0, RPCDEV_MAX_PAYLOAD, "bytes"),
		TOOL_OPT_BOOL('v', "verbose", &verbose),
		TOOL_OPT_CALL(0, "fail", &ctx, "NAME:MESSAGE", serve_opt_fail),
		TOOL_OPT_BOOL(0, "uring", &uring),
		TOOL_OPT_END,
	};
	int ret;

	ret = tool_parse_opts(&tool_cmd_serve, opts, argc, argv);
	if (ret != TOOL_GO_ON)
		return ret;
	if (optind < argc)
		return tool_usage_error(&tool_cmd_serve,
			"unexpected argument '%s'", argv[optind]);
	if (uring && timeout_ms)
		return tool_usage_error(&tool_cmd_serve,
			"--uring waits without a timeout: no -t with it");
	ctx.limit = count;
	ctx.verbose = verbose;
	ret = serve_run(path, (unsigned int)qid, (unsigned int)buf_size,
			timeout_ms, uring, &ctx);
	free((char *)ctx.fail_name);
	return ret;
}

const struct tool_cmd tool_cmd_serve = {
	.name		= "serve",
	.summary	= "serve the device's upcalls (echo, or fail them)",
	.usage		= serve_usage,
	.run		= cmd_serve,
};
