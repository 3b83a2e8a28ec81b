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
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
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
	"  -v             print one line per upcall\n"
	"  --fail NAME:MESSAGE\n"
	"                 answer every upcall with the error NAME and MESSAGE\n"
	"                 (status ERROR) instead of echoing it\n"
	"  --uring        serve from an io_uring (" TOOL_URING_SLOTS_STR " upcalls held at once,\n"
	"                 each answer sent with the next wait); not with -t\n"
	"  -h             show this help\n"
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

	ctx->served++;
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
	struct rpcdev dev;
	int ret;

	ret = serve_catch_signals();
	if (ret) {
		tool_error("sigaction", -ret);
		return EXIT_FAIL;
	}
	if (tool_open_queue(&dev, path, qid, 0, buf_size))
		return EXIT_FAIL;

	if (uring)
		ret = tool_uring_serve(&dev, serve_handler, ctx);
	else
		ret = rpcdev_serve(&dev, serve_handler, ctx,
				   timeout_ms * 1000000ULL);
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

enum { SERVE_OPT_FAIL = 0x100, SERVE_OPT_URING };

static const struct option serve_options[] = {
	{ "fail", required_argument, NULL, SERVE_OPT_FAIL },
	{ "uring", no_argument, NULL, SERVE_OPT_URING },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int cmd_serve(int argc, char **argv)
{
	uint64_t qid = 0, timeout_ms = 0, buf_size = 0, count = 0;
	struct serve_ctx ctx = { 0 };
	const char *path = TOOL_DEFAULT_PATH;
	char *colon;
	int opt, uring = 0;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+d:q:n:t:s:vh", serve_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'd':
			path = optarg;
			break;
		case 'q':
			if (tool_parse_u64(optarg, UINT32_MAX, &qid))
				return tool_usage_error(&tool_cmd_serve,
					"bad queue number '%s'", optarg);
			break;
		case 'n':
			if (tool_parse_u64(optarg, UINT64_MAX, &count) || !count)
				return tool_usage_error(&tool_cmd_serve,
					"bad count '%s'", optarg);
			break;
		case 't':
			/* Up to a year, so that the nanoseconds fit. */
			if (tool_parse_u64(optarg, 365ULL * 24 * 3600 * 1000,
					   &timeout_ms))
				return tool_usage_error(&tool_cmd_serve,
					"bad timeout '%s' (milliseconds)", optarg);
			break;
		case 's':
			if (tool_parse_u64(optarg, RPCDEV_MAX_PAYLOAD, &buf_size))
				return tool_usage_error(&tool_cmd_serve,
					"bad buffer size '%s' (at most %u)",
					optarg, RPCDEV_MAX_PAYLOAD);
			break;
		case 'v':
			ctx.verbose = 1;
			break;
		case SERVE_OPT_FAIL:
			colon = strchr(optarg, ':');
			if (!colon || colon == optarg)
				return tool_usage_error(&tool_cmd_serve,
					"--fail takes NAME:MESSAGE, not '%s'",
					optarg);
			*colon = '\0';
			ctx.fail_name = optarg;
			ctx.fail_message = colon + 1;
			break;
		case SERVE_OPT_URING:
			uring = 1;
			break;
		case 'h':
			fputs(serve_usage, stdout);
			return EXIT_OK;
		case '?':
		default:
			if (optopt == SERVE_OPT_FAIL)
				return tool_usage_error(&tool_cmd_serve,
					"option --fail needs a value");
			if (optopt && strchr("dqnts", optopt))
				return tool_usage_error(&tool_cmd_serve,
					"option -%c needs a value", optopt);
			if (optopt)
				return tool_usage_error(&tool_cmd_serve,
					"unknown option '-%c'", optopt);
			return tool_usage_error(&tool_cmd_serve,
				"unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return tool_usage_error(&tool_cmd_serve,
			"unexpected argument '%s'", argv[optind]);
	if (uring && timeout_ms)
		return tool_usage_error(&tool_cmd_serve,
			"--uring waits without a timeout: no -t with it");
	ctx.limit = count;
	return serve_run(path, (unsigned int)qid, (unsigned int)buf_size,
			 timeout_ms, uring, &ctx);
}

const struct tool_cmd tool_cmd_serve = {
	.name		= "serve",
	.summary	= "serve the device's upcalls (echo, or fail them)",
	.usage		= serve_usage,
	.run		= cmd_serve,
};
