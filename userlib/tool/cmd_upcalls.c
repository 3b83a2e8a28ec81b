// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev upcalls [-d PATH] [-q QID] [-n COUNT] [-s SIZE] [-m METHOD]
 *                [-p POLICY] [--async] [--histogram] [--json] [--uring]:
 * the device-to-host direction, end to end. A thread of this process
 * serves the queue's upcalls with an echo server (rpcdev_serve(), with the
 * wait policy asked for; with --uring rpcdev_uring_serve() on a BLOCK
 * queue, tool_uring_serve_until()) while the main thread asks rpcdev_sim
 * to make COUNT upcalls (RPCDEV_SIM_UPCALLS) and prints what the device
 * measured. The server stops at the last upcall, or when the run is over
 * without it: rpcdev_serve() looks every UPC_IDLE_NS, the io_uring server
 * is woken by an eventfd.
 *
 * Output, on stdout, one "name: value" line each:
 *	count, size, mode (sync or async), policy, done, failed, no_server,
 *	timed_out, mismatched, then min_us, p50_us, p99_us, p999_us, max_us,
 *	mean_us (round trips on the device clock, in microseconds), total_us
 *	(the whole run) and per_second (upcalls answered per second); with
 *	--histogram, "histogram: N intervals" and one line per bucket of the
 *	intervals between consecutive upcalls at the server (host clock).
 *	--json: the same keys in one JSON object.
 * Exit status: 0 when every upcall was answered OK (and, sync, echoed
 * exactly); 1 otherwise or when a system call failed; 2 for a wrong
 * command line.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <json-c/json.h>
#include <linux/rpcdev_sim.h>

#include "rpcdev.h"
#include "tool.h"

#define UPC_DEFAULT_COUNT	1000
#define UPC_DEFAULT_SIZE	64
#define UPC_DEFAULT_METHOD	1
#define UPC_MAX_DEPTH		16
/* The server looks whether the run is over this often while idle. */
#define UPC_IDLE_NS		(200 * 1000000ULL)
/* struct upc_opts.policy before -p: ADAPTIVE, or BLOCK with --uring. */
#define UPC_POLICY_UNSET	UINT32_MAX

static const char upcalls_usage[] =
	"Usage: " TOOL_NAME " upcalls [-d PATH] [-q QID] [-n COUNT] [-s SIZE]\n"
	"                      [-m METHOD] [-p POLICY] [--async] [--histogram]\n"
	"                      [--json] [--uring]\n"
	"Have rpcdev_sim call this process COUNT times and show the round trips\n"
	"as the device measured them. A thread serves the calls with an echo\n"
	"server (librpcdev's rpcdev_serve(), or rpcdev_uring_serve() with\n"
	"--uring; the payloads read and written in place).\n"
	"\n"
	"  -d PATH        the device, an rpcdev_sim one (default " TOOL_DEFAULT_PATH ")\n"
	"  -q QID         the queue to use (default 0); it must be free\n"
	"  -n COUNT       upcalls to make (default 1000, at most 1048576)\n"
	"  -s SIZE        payload bytes of each (default 64, at most 1048576)\n"
	"  -m METHOD      the method number the device calls (default 1)\n"
	"  -p POLICY      how the server waits: adaptive (the default: spins a\n"
	"                 while, then sleeps), block (one system call per\n"
	"                 upcall) or poll (spins on the mapped ring); with\n"
	"                 --uring only block, its default\n"
	"  --async        fire-and-forget upcalls (the device does not wait for\n"
	"                 each answer; it times their acknowledgements)\n"
	"  --histogram    then a histogram of the intervals between consecutive\n"
	"                 upcalls at the server (this host's clock; each is one\n"
	"                 round trip and the device's step to the next): one\n"
	"                 line per bucket, two buckets per power of two, a bar\n"
	"                 of '#' each (not with --async)\n"
	"  --json         print the same as one JSON object instead\n"
	"  --uring        serve from an io_uring (librpcdev's rpcdev_uring_serve(),\n"
	"                 " TOOL_URING_SLOTS_STR " upcalls held at once, each answer sent with the\n"
	"                 next wait) on a queue attached BLOCK: no -p but block\n"
	"  -h, --help     show this help\n"
	"\n"
	"Prints \"name: value\" lines: count, size, mode, policy, then the\n"
	"device's counts done, failed, no_server, timed_out, mismatched (sync\n"
	"replies that were not the request), then the round trips on the\n"
	"device clock:\n"
	"min_us, p50_us, p99_us, p999_us, max_us, mean_us; then total_us (the\n"
	"whole run) and per_second (upcalls answered per second); with\n"
	"--histogram, \"histogram: N intervals\" and its lines. Exits 0 if\n"
	"every upcall was answered OK (and echoed exactly), 1 otherwise or if a\n"
	"system call failed, 2 for a wrong command line.\n";

/* The echo server thread. */
struct upc_server {
	struct rpcdev *dev;
	uint64_t want;		/* upcalls the device will make */
	uint64_t served;	/* atomic: the progress line reads it */
	uint64_t *stamps;	/* --histogram: when each came (want of them) */
	int finished;		/* the run is over: stop when idle */
	int stop_fd;		/* --uring: an eventfd written then, else -1 */
	int ret;		/* what rpcdev_serve() ended with */
	pthread_t thread;
};

static uint64_t upc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int upc_echo(void *arg, const struct rpcdev_upcall_req *up,
		    struct rpcdev_upcall_reply *reply)
{
	struct upc_server *s = arg;

	if (s->stamps && s->served < s->want)
		s->stamps[s->served] = upc_now_ns();
	if (!(up->flags & RPCDEV_ENTRY_ASYNC)) {
		memcpy(up->reply, up->data, up->len);
		reply->len = up->len;
	}
	__atomic_store_n(&s->served, s->served + 1, __ATOMIC_RELAXED);
	return s->served == s->want ? RPCDEV_SERVE_STOP : 0;
}

static void *upc_server_main(void *arg)
{
	struct upc_server *s = arg;
	int ret;

	/* Normally the last upcall stops it; else the end of the run does. */
	if (s->stop_fd >= 0) {
		s->ret = tool_uring_serve_until(&s->dev, 1, upc_echo, s,
						s->stop_fd);
		return NULL;
	}
	do {
		ret = rpcdev_serve(s->dev, upc_echo, s, UPC_IDLE_NS);
	} while ((ret == -ETIMEDOUT || ret == -EINTR) &&
		 !__atomic_load_n(&s->finished, __ATOMIC_ACQUIRE));
	s->ret = ret;
	return NULL;
}

/* The run is over: make the server stop once idle, and wait for it. */
static void upc_server_stop(struct upc_server *s)
{
	__atomic_store_n(&s->finished, 1, __ATOMIC_RELEASE);
	if (s->stop_fd >= 0)
		eventfd_write(s->stop_fd, 1);
	pthread_join(s->thread, NULL);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
}

/* Depth for payloads of @buf_size: as deep as the buffers allow, <= 16. */
static unsigned int upc_depth(uint64_t buf_size)
{
	unsigned int depth = UPC_MAX_DEPTH;

	while (depth > 1 && (uint64_t)depth * buf_size > RPCDEV_MAX_BUFS)
		depth /= 2;
	return depth;
}

/* A number of microseconds from little-endian ns, written "%.3f". */
static struct json_object *upc_us(uint64_t le_ns)
{
	double us = (double)le64toh(le_ns) / 1000.0;
	char buf[32];

	snprintf(buf, sizeof(buf), "%.3f", us);
	return json_object_new_double_s(us, buf);
}

static struct json_object *upc_u32(uint32_t le)
{
	return json_object_new_int64(le32toh(le));
}

/* What the run found, in the order it prints. */
static struct json_object *upc_result(const struct rpcdev_sim_upcalls *req,
				      unsigned int policy,
				      const struct rpcdev_sim_upcall_result *r)
{
	struct json_object *o = json_object_new_object();
	uint64_t total = le64toh(r->total_ns);
	double rate = total ? (double)le32toh(r->done) * 1e9 / (double)total : 0;
	char buf[32];

	json_object_object_add(o, "count", json_object_new_int64(req->count));
	json_object_object_add(o, "size", json_object_new_int64(req->size));
	json_object_object_add(o, "mode", json_object_new_string(
		req->flags & RPCDEV_SIM_UPCALL_ASYNC ? "async" : "sync"));
	json_object_object_add(o, "policy", json_object_new_string(
		rpcdev_policy_name(policy)));
	json_object_object_add(o, "done", upc_u32(r->done));
	json_object_object_add(o, "failed", upc_u32(r->failed));
	json_object_object_add(o, "no_server", upc_u32(r->no_server));
	json_object_object_add(o, "timed_out", upc_u32(r->timed_out));
	json_object_object_add(o, "mismatched", upc_u32(r->mismatched));
	json_object_object_add(o, "min_us", upc_us(r->min_ns));
	json_object_object_add(o, "p50_us", upc_us(r->p50_ns));
	json_object_object_add(o, "p99_us", upc_us(r->p99_ns));
	json_object_object_add(o, "p999_us", upc_us(r->p999_ns));
	json_object_object_add(o, "max_us", upc_us(r->max_ns));
	json_object_object_add(o, "mean_us", upc_us(r->mean_ns));
	json_object_object_add(o, "total_us", upc_us(r->total_ns));
	snprintf(buf, sizeof(buf), "%.0f", rate);
	json_object_object_add(o, "per_second", json_object_new_double_s(rate, buf));
	return o;
}

/*
 * Print @o: as JSON, or one "name: value" line per key; then the
 * histogram of the intervals between the @n upcalls @stamps has (NULL:
 * none).
 */
static void upc_print(struct json_object *o, bool json,
		      const uint64_t *stamps, uint64_t n)
{
	struct tool_hist hist = { 0 };
	uint64_t i;

	for (i = 1; stamps && i < n; i++)
		tool_hist_add(&hist, stamps[i] - stamps[i - 1]);
	if (json) {
		if (stamps) {
			json_object_object_add(o, "intervals",
					       json_object_new_uint64(hist.n));
			json_object_object_add(o, "histogram", tool_hist_json(&hist));
		}
		tool_json_print(stdout, o);
		return;
	}
	json_object_object_foreach(o, key, val)
		printf("%s: %s\n", key, json_object_get_string(val));
	if (stamps) {
		printf("histogram: %" PRIu64 " intervals\n", hist.n);
		tool_hist_print(stdout, &hist);
	}
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

/* What the command line asked for. */
struct upc_opts {
	const char *path;
	uint64_t qid, count, size, method;
	unsigned int policy;	/* UPC_POLICY_UNSET until -p */
	bool async, histogram, json, uring;
};

static int upc_run(const struct upc_opts *o, struct rpcdev_sim_upcalls *req)
{
	struct rpcdev_sim_upcall_result r;
	struct tool_progress progress;
	struct upc_server server;
	struct json_object *res;
	unsigned int buf_size;
	struct rpcdev dev;
	int ret, status;

	memset(&server, 0, sizeof(server));
	server.want = req->count;
	server.stop_fd = -1;
	if (o->histogram) {
		server.stamps = calloc(req->count, sizeof(*server.stamps));
		if (!server.stamps) {
			tool_error("--histogram", ENOMEM);
			return EXIT_FAIL;
		}
	}
	buf_size = req->size > RPCDEV_DEFAULT_BUF_SIZE ? req->size : 0;
	if (tool_open_queue_policy(&dev, o->path, (unsigned int)o->qid,
				   upc_depth(buf_size ?: RPCDEV_DEFAULT_BUF_SIZE),
				   buf_size, o->policy)) {
		free(server.stamps);
		return EXIT_FAIL;
	}
	if (o->uring) {
		server.stop_fd = eventfd(0, EFD_CLOEXEC);
		if (server.stop_fd < 0) {
			tool_error("eventfd", errno);
			rpcdev_close(&dev);
			free(server.stamps);
			return EXIT_FAIL;
		}
	}

	server.dev = &dev;
	ret = pthread_create(&server.thread, NULL, upc_server_main, &server);
	if (ret) {
		tool_error("pthread_create", ret);
		if (server.stop_fd >= 0)
			close(server.stop_fd);
		rpcdev_close(&dev);
		free(server.stamps);
		return EXIT_FAIL;
	}

	tool_progress_start(&progress, TOOL_NAME " upcalls", req->count,
			    &server.served);
	status = upc_downcall(&dev, req, &r);
	tool_progress_stop(&progress);
	upc_server_stop(&server);
	rpcdev_close(&dev);
	if (!status) {
		res = upc_result(req, o->policy, &r);
		upc_print(res, o->json, server.stamps,
			  server.served < req->count ? server.served : req->count);
		json_object_put(res);
	}
	free(server.stamps);
	if (status)
		return status;

	/* 0: the io_uring server stopped by the end of the run. */
	if (server.ret != RPCDEV_SERVE_STOP && server.ret != -ETIMEDOUT &&
	    server.ret != -EINTR && server.ret != 0) {
		tool_error("serve", -server.ret);
		return EXIT_FAIL;
	}
	if (le32toh(r.done) != req->count || r.failed || r.timed_out ||
	    r.mismatched)
		return EXIT_FAIL;
	return EXIT_OK;
}

/* -p POLICY */
static int upc_opt_policy(const struct tool_cmd *cmd, void *dest,
			  const char *value)
{
	int ret = rpcdev_policy_parse(value);

	if (ret < 0)
		return tool_usage_error(cmd,
			"bad policy '%s' (adaptive, block or poll)", value);
	*(unsigned int *)dest = (unsigned int)ret;
	return EXIT_OK;
}

/*
 * The policy of the queue: -p's, else ADAPTIVE; with --uring BLOCK, the
 * one rpcdev_uring_serve() serves. EXIT_OK, or a usage error.
 */
static int upc_policy(struct upc_opts *o)
{
	if (o->uring && o->policy != UPC_POLICY_UNSET &&
	    o->policy != RPCDEV_WAIT_BLOCK)
		return tool_usage_error(&tool_cmd_upcalls,
			"--uring serves a BLOCK queue: not with -p %s",
			rpcdev_policy_name(o->policy));
	if (o->uring)
		o->policy = RPCDEV_WAIT_BLOCK;
	else if (o->policy == UPC_POLICY_UNSET)
		o->policy = RPCDEV_WAIT_ADAPTIVE;
	return EXIT_OK;
}

static int cmd_upcalls(int argc, char **argv)
{
	struct upc_opts o = {
		.path = TOOL_DEFAULT_PATH,
		.count = UPC_DEFAULT_COUNT,
		.size = UPC_DEFAULT_SIZE,
		.method = UPC_DEFAULT_METHOD,
		.policy = UPC_POLICY_UNSET,
	};
	const struct tool_opt opts[] = {
		TOOL_OPT_DEVICE(&o.path),
		TOOL_OPT_QUEUE(&o.qid),
		TOOL_OPT_NUM('n', "count", &o.count, "a COUNT", "count", 1,
			     1U << 20, NULL),
		TOOL_OPT_NUM('s', "size", &o.size, "a SIZE", "size", 0,
			     RPCDEV_MAX_PAYLOAD, "bytes"),
		TOOL_OPT_NUM('m', "method", &o.method, "a METHOD", "method", 0,
			     UINT32_MAX, NULL),
		TOOL_OPT_CALL('p', "policy", &o.policy, "a POLICY",
			      upc_opt_policy),
		TOOL_OPT_BOOL(0, "async", &o.async),
		TOOL_OPT_BOOL(0, "histogram", &o.histogram),
		TOOL_OPT_JSON(&o.json),
		TOOL_OPT_BOOL(0, "uring", &o.uring),
		TOOL_OPT_END,
	};
	struct rpcdev_sim_upcalls req;
	int ret;

	ret = tool_parse_opts(&tool_cmd_upcalls, opts, argc, argv);
	if (ret != TOOL_GO_ON)
		return ret;
	if (optind < argc)
		return tool_usage_error(&tool_cmd_upcalls,
			"unexpected argument '%s'", argv[optind]);
	if (o.async && o.histogram)
		return tool_usage_error(&tool_cmd_upcalls,
			"--histogram times sync round trips: not with --async");
	ret = upc_policy(&o);
	if (ret != EXIT_OK)
		return ret;

	memset(&req, 0, sizeof(req));
	req.count = (uint32_t)o.count;
	req.method = (uint32_t)o.method;
	req.size = (uint32_t)o.size;
	req.flags = o.async ? RPCDEV_SIM_UPCALL_ASYNC : RPCDEV_SIM_UPCALL_VERIFY;
	return upc_run(&o, &req);
}

const struct tool_cmd tool_cmd_upcalls = {
	.name		= "upcalls",
	.summary	= "time N upcalls from rpcdev_sim to an echo server here",
	.usage		= upcalls_usage,
	.run		= cmd_upcalls,
};
