// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev upcalls [-d PATH] [-q QID] [-n COUNT] [-s SIZE] [-m METHOD]
 *                [-p POLICY] [--async]: the device-to-host direction, end
 * to end. A thread of this process serves the queue's upcalls with an echo
 * server (rpcdev_serve(), with the wait policy asked for) while the main
 * thread asks rpcdev_sim to make COUNT upcalls (RPCDEV_SIM_UPCALLS) and
 * prints what the device measured.
 *
 * Output, on stdout, one "name: value" line each:
 *	count, size, mode (sync or async), policy, done, failed, no_server,
 *	timed_out, mismatched, then min_us, p50_us, p99_us, p999_us, max_us,
 *	mean_us (round trips on the device clock, in microseconds), total_us
 *	(the whole run) and per_second (upcalls answered per second)
 * Exit status: 0 when every upcall was answered OK (and, sync, echoed
 * exactly); 1 otherwise or when a system call failed; 2 for a wrong
 * command line.
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/rpcdev_sim.h>

#include "rpcdev.h"
#include "tool.h"

#define UPC_DEFAULT_COUNT	1000
#define UPC_DEFAULT_SIZE	64
#define UPC_DEFAULT_METHOD	1
#define UPC_MAX_DEPTH		16
/* The server looks whether the run is over this often while idle. */
#define UPC_IDLE_NS		(200 * 1000000ULL)

static const char upcalls_usage[] =
	"Usage: " TOOL_NAME " upcalls [-d PATH] [-q QID] [-n COUNT] [-s SIZE]\n"
	"                      [-m METHOD] [-p POLICY] [--async]\n"
	"Have rpcdev_sim call this process COUNT times and show the round trips\n"
	"as the device measured them. A thread serves the calls with an echo\n"
	"server (librpcdev's rpcdev_serve(), the payloads read and written in\n"
	"place).\n"
	"\n"
	"  -d PATH        the device, an rpcdev_sim one (default " TOOL_DEFAULT_PATH ")\n"
	"  -q QID         the queue to use (default 0); it must be free\n"
	"  -n COUNT       upcalls to make (default 1000, at most 1048576)\n"
	"  -s SIZE        payload bytes of each (default 64, at most 1048576)\n"
	"  -m METHOD      the method number the device calls (default 1)\n"
	"  -p POLICY      how the server waits: adaptive (the default: spins a\n"
	"                 while, then sleeps), block (one system call per\n"
	"                 upcall) or poll (spins on the mapped ring)\n"
	"  --async        fire-and-forget upcalls (the device does not wait for\n"
	"                 each answer; it times their acknowledgements)\n"
	"  -h             show this help\n"
	"\n"
	"Prints \"name: value\" lines: count, size, mode, policy, then the\n"
	"device's counts done, failed, no_server, timed_out, mismatched (sync\n"
	"replies that were not the request), then the round trips on the\n"
	"device clock:\n"
	"min_us, p50_us, p99_us, p999_us, max_us, mean_us; then total_us (the\n"
	"whole run) and per_second (upcalls answered per second). Exits 0 if\n"
	"every upcall was answered OK (and echoed exactly), 1 otherwise or if a\n"
	"system call failed, 2 for a wrong command line.\n";

/* The echo server thread. */
struct upc_server {
	struct rpcdev *dev;
	uint64_t want;		/* upcalls the device will make */
	uint64_t served;
	int finished;		/* the run is over: stop when idle */
	int ret;		/* what rpcdev_serve() ended with */
	pthread_t thread;
};

static int upc_echo(void *arg, const struct rpcdev_upcall_req *up,
		    struct rpcdev_upcall_reply *reply)
{
	struct upc_server *s = arg;

	if (!(up->flags & RPCDEV_ENTRY_ASYNC)) {
		memcpy(up->reply, up->data, up->len);
		reply->len = up->len;
	}
	return ++s->served == s->want ? RPCDEV_SERVE_STOP : 0;
}

static void *upc_server_main(void *arg)
{
	struct upc_server *s = arg;
	int ret;

	/* Normally the last upcall stops it; else the end of the run does. */
	do {
		ret = rpcdev_serve(s->dev, upc_echo, s, UPC_IDLE_NS);
	} while ((ret == -ETIMEDOUT || ret == -EINTR) &&
		 !__atomic_load_n(&s->finished, __ATOMIC_ACQUIRE));
	s->ret = ret;
	return NULL;
}

/* Depth for payloads of @buf_size: as deep as the buffers allow, <= 16. */
static unsigned int upc_depth(uint64_t buf_size)
{
	unsigned int depth = UPC_MAX_DEPTH;

	while (depth > 1 && (uint64_t)depth * buf_size > RPCDEV_MAX_BUFS)
		depth /= 2;
	return depth;
}

static double upc_us(uint64_t le_ns)
{
	return (double)le64toh(le_ns) / 1000.0;
}

static void upc_print(const struct rpcdev_sim_upcalls *req,
		      unsigned int policy,
		      const struct rpcdev_sim_upcall_result *r)
{
	uint64_t total;

	printf("count: %u\n", req->count);
	printf("size: %u\n", req->size);
	printf("mode: %s\n", req->flags & RPCDEV_SIM_UPCALL_ASYNC ?
	       "async" : "sync");
	printf("policy: %s\n", rpcdev_policy_name(policy));
	printf("done: %u\n", le32toh(r->done));
	printf("failed: %u\n", le32toh(r->failed));
	printf("no_server: %u\n", le32toh(r->no_server));
	printf("timed_out: %u\n", le32toh(r->timed_out));
	printf("mismatched: %u\n", le32toh(r->mismatched));
	printf("min_us: %.3f\n", upc_us(r->min_ns));
	printf("p50_us: %.3f\n", upc_us(r->p50_ns));
	printf("p99_us: %.3f\n", upc_us(r->p99_ns));
	printf("p999_us: %.3f\n", upc_us(r->p999_ns));
	printf("max_us: %.3f\n", upc_us(r->max_ns));
	printf("mean_us: %.3f\n", upc_us(r->mean_ns));
	total = le64toh(r->total_ns);
	printf("total_us: %.3f\n", (double)total / 1000.0);
	printf("per_second: %.0f\n",
	       total ? (double)le32toh(r->done) * 1e9 / (double)total : 0.0);
	fflush(stdout);
}

/* Run the downcall that makes the upcalls; 0, or EXIT_FAIL (reported). */
static int upc_downcall(struct rpcdev *dev, struct rpcdev_sim_upcalls *req,
			struct rpcdev_sim_upcall_result *r)
{
	struct rpcdev_sim_upcalls le = *req;
	struct rpcdev_call_result res;
	struct rpcdev_error err;
	int ret;

	le.count = htole32(req->count);
	le.method = htole32(req->method);
	le.size = htole32(req->size);
	le.flags = htole32(req->flags);
	ret = rpcdev_call(dev, RPCDEV_SIM_UPCALLS, &le, sizeof(le), r,
			  sizeof(*r), 0, &res);
	if (ret < 0) {
		tool_error("upcalls", -ret);
		return EXIT_FAIL;
	}
	if (res.status == RPCDEV_STATUS_ERROR &&
	    (res.flags & RPCDEV_ENTRY_ERROR)) {
		rpcdev_error_split(r, res.resp_len < sizeof(*r) ?
				   res.resp_len : sizeof(*r), &err);
		fprintf(stderr, TOOL_NAME ": upcalls: %.*s: %.*s\n",
			(int)err.name_len, err.name, (int)err.message_len,
			err.message);
		return EXIT_FAIL;
	}
	if (res.status != RPCDEV_STATUS_OK || res.resp_len != sizeof(*r)) {
		fprintf(stderr, TOOL_NAME ": upcalls: the device answered %s "
			"(is it rpcdev_sim?)\n",
			rpcdev_status_name(res.status) ?: "an unknown status");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static int upc_run(const char *path, unsigned int qid, unsigned int policy,
		   struct rpcdev_sim_upcalls *req)
{
	struct rpcdev_sim_upcall_result r;
	struct upc_server server;
	unsigned int buf_size;
	struct rpcdev dev;
	int ret, status;

	buf_size = req->size > RPCDEV_DEFAULT_BUF_SIZE ? req->size : 0;
	if (tool_open_queue_policy(&dev, path, qid,
				   upc_depth(buf_size ?: RPCDEV_DEFAULT_BUF_SIZE),
				   buf_size, policy))
		return EXIT_FAIL;

	memset(&server, 0, sizeof(server));
	server.dev = &dev;
	server.want = req->count;
	ret = pthread_create(&server.thread, NULL, upc_server_main, &server);
	if (ret) {
		tool_error("pthread_create", ret);
		rpcdev_close(&dev);
		return EXIT_FAIL;
	}

	status = upc_downcall(&dev, req, &r);
	__atomic_store_n(&server.finished, 1, __ATOMIC_RELEASE);
	pthread_join(server.thread, NULL);
	rpcdev_close(&dev);
	if (status)
		return status;

	upc_print(req, policy, &r);
	if (server.ret != RPCDEV_SERVE_STOP && server.ret != -ETIMEDOUT &&
	    server.ret != -EINTR) {
		tool_error("serve", -server.ret);
		return EXIT_FAIL;
	}
	if (le32toh(r.done) != req->count || r.failed || r.timed_out ||
	    r.mismatched)
		return EXIT_FAIL;
	return EXIT_OK;
}

enum { UPC_OPT_ASYNC = 0x100 };

static const struct option upc_options[] = {
	{ "async", no_argument, NULL, UPC_OPT_ASYNC },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int cmd_upcalls(int argc, char **argv)
{
	uint64_t qid = 0, count = UPC_DEFAULT_COUNT, size = UPC_DEFAULT_SIZE;
	uint64_t method = UPC_DEFAULT_METHOD;
	const char *path = TOOL_DEFAULT_PATH;
	unsigned int policy = RPCDEV_WAIT_ADAPTIVE;
	struct rpcdev_sim_upcalls req;
	int opt, ret, async = 0;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+d:q:n:s:m:p:h", upc_options,
				  NULL)) != -1) {
		switch (opt) {
		case 'd':
			path = optarg;
			break;
		case 'q':
			if (tool_parse_u64(optarg, UINT32_MAX, &qid))
				return tool_usage_error(&tool_cmd_upcalls,
					"bad queue number '%s'", optarg);
			break;
		case 'n':
			if (tool_parse_u64(optarg, 1U << 20, &count) || !count)
				return tool_usage_error(&tool_cmd_upcalls,
					"bad count '%s' (1 to %u)", optarg,
					1U << 20);
			break;
		case 's':
			if (tool_parse_u64(optarg, RPCDEV_MAX_PAYLOAD, &size))
				return tool_usage_error(&tool_cmd_upcalls,
					"bad size '%s' (at most %u)", optarg,
					RPCDEV_MAX_PAYLOAD);
			break;
		case 'm':
			if (tool_parse_u64(optarg, UINT32_MAX, &method))
				return tool_usage_error(&tool_cmd_upcalls,
					"bad method '%s'", optarg);
			break;
		case 'p':
			ret = rpcdev_policy_parse(optarg);
			if (ret < 0)
				return tool_usage_error(&tool_cmd_upcalls,
					"bad policy '%s' (adaptive, block or poll)",
					optarg);
			policy = (unsigned int)ret;
			break;
		case UPC_OPT_ASYNC:
			async = 1;
			break;
		case 'h':
			fputs(upcalls_usage, stdout);
			return EXIT_OK;
		case '?':
		default:
			if (optopt && strchr("dqnsmp", optopt))
				return tool_usage_error(&tool_cmd_upcalls,
					"option -%c needs a value", optopt);
			if (optopt)
				return tool_usage_error(&tool_cmd_upcalls,
					"unknown option '-%c'", optopt);
			return tool_usage_error(&tool_cmd_upcalls,
				"unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return tool_usage_error(&tool_cmd_upcalls,
			"unexpected argument '%s'", argv[optind]);

	memset(&req, 0, sizeof(req));
	req.count = (uint32_t)count;
	req.method = (uint32_t)method;
	req.size = (uint32_t)size;
	req.flags = async ? RPCDEV_SIM_UPCALL_ASYNC : RPCDEV_SIM_UPCALL_VERIFY;
	return upc_run(path, (unsigned int)qid, policy, &req);
}

const struct tool_cmd tool_cmd_upcalls = {
	.name		= "upcalls",
	.summary	= "time N upcalls from rpcdev_sim to an echo server here",
	.usage		= upcalls_usage,
	.run		= cmd_upcalls,
};
