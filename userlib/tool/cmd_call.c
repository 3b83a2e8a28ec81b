// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev call [-d PATH] [-q QID] [-t TIMEOUT_MS] [--json] [--uring] METHOD
 * [PAYLOAD]: one synchronous downcall, its status and its answer (--json:
 * as one JSON object, with the call's time on the host clock; --uring: as
 * an io_uring command).
 *
 * Output, on stdout:
 *	status: <NAME>
 *	length: <bytes>
 *	<the payload: as text if it is printable, else a hex dump; for the
 *	 stats method of rpcdev_sim, one "<counter>: N" line per counter;
 *	 nothing for an error payload, which goes to stderr>
 * Exit status: 0 when the device answered with RPCDEV_STATUS_OK, 1 when the
 * call failed or the device answered with another status (the reason on
 * stderr: the error's name and message for RPCDEV_STATUS_ERROR), 2 for a
 * wrong command line.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <linux/rpcdev_sim.h>

#include "rpcdev.h"
#include "tool.h"

#define CALL_DEFAULT_PATH	TOOL_DEFAULT_PATH
#define CALL_DEFAULT_TIMEOUT_MS	10000
#define CALL_HEX_PER_LINE	16

static const char call_usage[] =
	"Usage: " TOOL_NAME " call [-d PATH] [-q QID] [-t TIMEOUT_MS] [--json] [--uring]\n"
	"                   METHOD [PAYLOAD]\n"
	"Call a method of the device and print the status and the answer.\n"
	"\n"
	"  METHOD         a number, or a method of rpcdev_sim: echo, fail,\n"
	"                 delay, stats\n"
	"  PAYLOAD        the request: its bytes as given (none if omitted);\n"
	"                 for delay, the delay in microseconds\n"
	"  -d PATH        the device (default " CALL_DEFAULT_PATH ")\n"
	"  -q QID         the queue to use (default 0); it must be free\n"
	"  -t TIMEOUT_MS  give up after this long (default 10000; 0 = never)\n"
	"  --json         print the answer as JSON instead, with the call's\n"
	"                 time on this host's clock (elapsed_us)\n"
	"  --uring        make the call as an io_uring command, not an ioctl\n"
	"  -h, --help     show this help\n"
	"\n"
	"Prints \"status: NAME\", \"length: N\", then the answer: as text if\n"
	"it is printable, else in hex (stats: one \"name: N\" line per counter).\n"
	"With --json: one object, keys method, status, length, elapsed_us, and\n"
	"text, hex or stats (the answer), or error (name and message).\n"
	"An error's name and message go to stderr. Exits 0 if the status is\n"
	"OK, 1 if the call failed or the status is not OK, 2 for a wrong\n"
	"command line.\n";

static const struct {
	const char *name;
	unsigned int method;
} call_methods[] = {
	{ "echo",	RPCDEV_SIM_ECHO },
	{ "fail",	RPCDEV_SIM_FAIL },
	{ "delay",	RPCDEV_SIM_DELAY },
	{ "stats",	RPCDEV_SIM_STATS },
};

#define CALL_NR_METHODS	(sizeof(call_methods) / sizeof(call_methods[0]))

/* A method's number from its name or number; 0 or -1. */
static int call_parse_method(const char *s, unsigned int *method)
{
	uint64_t v;
	unsigned int i;

	for (i = 0; i < CALL_NR_METHODS; i++) {
		if (!strcmp(s, call_methods[i].name)) {
			*method = call_methods[i].method;
			return 0;
		}
	}
	if (tool_parse_u64(s, UINT32_MAX, &v))
		return -1;
	*method = (unsigned int)v;
	return 0;
}

/* Text we can print as it is: printable characters, tabs and newlines. */
static int call_is_text(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isprint(p[i]) && p[i] != '\n' && p[i] != '\t')
			return 0;
	return 1;
}

static void call_print_hex(FILE *out, const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % CALL_HEX_PER_LINE == 0)
			fprintf(out, "%08zx:", i);
		fprintf(out, " %02x", p[i]);
		if (i % CALL_HEX_PER_LINE == CALL_HEX_PER_LINE - 1 || i + 1 == len)
			fputc('\n', out);
	}
}

static void call_print_payload(FILE *out, const unsigned char *p, size_t len)
{
	if (!len)
		return;
	if (call_is_text(p, len)) {
		fwrite(p, 1, len, out);
		if (p[len - 1] != '\n')
			fputc('\n', out);
	} else {
		call_print_hex(out, p, len);
	}
}

/* The fields of struct rpcdev_sim_stats, in order. */
static const char *const call_stats_names[] = { "calls", "bad", "upcalls" };

#define CALL_NR_STATS	(sizeof(call_stats_names) / sizeof(call_stats_names[0]))

/*
 * The answer of rpcdev_sim's stats method, little-endian __u64s, into
 * @v: how many, or -1 when it does not look like one.
 */
static int call_stats(const unsigned char *p, size_t len,
		      uint64_t v[CALL_NR_STATS])
{
	unsigned int i, b;

	if (!len || len % 8 || len / 8 > CALL_NR_STATS)
		return -1;
	for (i = 0; i < len / 8; i++)
		for (v[i] = 0, b = 0; b < 8; b++)
			v[i] |= (uint64_t)p[8 * i + b] << (8 * b);
	return (int)(len / 8);
}

/* Those counters, one line each; 0, or -1 (nothing printed). */
static int call_print_stats(FILE *out, const unsigned char *p, size_t len)
{
	uint64_t v[CALL_NR_STATS];
	int i, n = call_stats(p, len, v);

	for (i = 0; i < n; i++)
		fprintf(out, "%s: %" PRIu64 "\n", call_stats_names[i], v[i]);
	return n < 0 ? -1 : 0;
}

/* Explain on stderr why an answer is not OK. */
static void call_report_status(const char *label,
			       const struct rpcdev_call_result *res,
			       const void *resp, size_t got)
{
	const char *name = rpcdev_status_name(res->status);
	struct rpcdev_error err;

	if (res->status == RPCDEV_STATUS_ERROR &&
	    (res->flags & RPCDEV_ENTRY_ERROR)) {
		/* A cut or malformed payload is shown as far as it goes. */
		rpcdev_error_split(resp, got, &err);
		fprintf(stderr, TOOL_NAME ": %s: %.*s: %.*s\n", label,
			(int)err.name_len, err.name,
			(int)err.message_len, err.message);
		return;
	}
	if (name)
		fprintf(stderr, TOOL_NAME ": %s: the device answered %s\n",
			label, name);
	else
		fprintf(stderr, TOOL_NAME ": %s: the device answered status %d\n",
			label, res->status);
}

/* What one call is: where, what, and how it is printed. */
struct call_req {
	const char *path;
	unsigned int qid;
	uint64_t timeout_ms;
	const char *label;	/* the METHOD as typed */
	unsigned int method;
	const void *req;
	size_t req_len;
	bool decode_stats;	/* the answer is rpcdev_sim's counters */
	bool json;
	bool uring;		/* an io_uring command, not an ioctl */
};

/* The answer as a JSON object (the payload, counters or error in it). */
static struct json_object *call_json(const struct call_req *c,
				     const struct rpcdev_call_result *res,
				     const unsigned char *resp, size_t got,
				     uint64_t elapsed_ns)
{
	struct json_object *o = json_object_new_object(), *stats;
	const char *name = rpcdev_status_name(res->status);
	uint64_t v[CALL_NR_STATS];
	struct rpcdev_error err;
	char *hex;
	int i, n;

	json_object_object_add(o, "method", json_object_new_string(c->label));
	json_object_object_add(o, "status", name ? json_object_new_string(name) :
			       json_object_new_int(res->status));
	json_object_object_add(o, "length", json_object_new_int64(res->resp_len));
	json_object_object_add(o, "elapsed_us", tool_json_num(elapsed_ns / 1e3));
	if (res->flags & RPCDEV_ENTRY_ERROR) {
		rpcdev_error_split(resp, got, &err);
		stats = json_object_new_object();
		json_object_object_add(stats, "name", json_object_new_string_len(
			err.name, (int)err.name_len));
		json_object_object_add(stats, "message", json_object_new_string_len(
			err.message, (int)err.message_len));
		json_object_object_add(o, "error", stats);
	} else if (c->decode_stats && res->status == RPCDEV_STATUS_OK &&
		   (n = call_stats(resp, got, v)) >= 0) {
		stats = json_object_new_object();
		for (i = 0; i < n; i++)
			json_object_object_add(stats, call_stats_names[i],
					       json_object_new_uint64(v[i]));
		json_object_object_add(o, "stats", stats);
	} else if (call_is_text(resp, got)) {
		json_object_object_add(o, "text", json_object_new_string_len(
			(const char *)resp, (int)got));
	} else {
		hex = malloc(2 * got + 1);
		for (i = 0; hex && i < (int)got; i++)
			snprintf(hex + 2 * i, 3, "%02x", resp[i]);
		if (hex) {
			hex[2 * got] = '\0';
			json_object_object_add(o, "hex", json_object_new_string(hex));
		}
		free(hex);
	}
	return o;
}

/* The answer, as "name: value" lines. */
static void call_print(const struct call_req *c,
		       const struct rpcdev_call_result *res,
		       const unsigned char *resp, size_t got)
{
	const char *name = rpcdev_status_name(res->status);

	if (name)
		printf("status: %s\n", name);
	else
		printf("status: %d\n", res->status);
	printf("length: %u\n", res->resp_len);
	/* Counters, or the payload unless it is an error (for stderr). */
	if (res->status != RPCDEV_STATUS_OK || !c->decode_stats ||
	    call_print_stats(stdout, resp, got)) {
		if (!(res->flags & RPCDEV_ENTRY_ERROR))
			call_print_payload(stdout, resp, got);
	}
	fflush(stdout);
}

static uint64_t call_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Attach the queue, make the call, print the answer; the exit status. */
static int call_run(const struct call_req *c)
{
	struct rpcdev_call_result res;
	struct tool_progress progress;
	struct json_object *json;
	unsigned int buf_size = 0;
	uint64_t start, elapsed;
	struct rpcdev dev;
	char note[96];
	size_t got;
	void *resp;
	int ret;

	/*
	 * One slot, big enough for the request (command-line arguments are
	 * far below RPCDEV_MAX_PAYLOAD) and for answers of at least the
	 * default size.
	 */
	if (c->req_len > RPCDEV_DEFAULT_BUF_SIZE)
		buf_size = (unsigned int)c->req_len;

	if (tool_open_queue(&dev, c->path, c->qid, 1, buf_size))
		return EXIT_FAIL;

	buf_size = rpcdev_queue_buf_size(&dev);
	resp = malloc(buf_size);
	if (!resp) {
		tool_error(c->label, ENOMEM);
		rpcdev_close(&dev);
		return EXIT_FAIL;
	}
	snprintf(note, sizeof(note), "waiting for the answer to %s", c->label);
	tool_progress_start(&progress, TOOL_NAME " call", 0, NULL);
	tool_progress_set(&progress, 0, 0, note);
	start = call_now_ns();
	if (c->uring)
		ret = tool_uring_call(&dev, c->method, c->req, c->req_len, resp,
				      buf_size, c->timeout_ms * 1000000ULL, &res);
	else
		ret = rpcdev_call(&dev, c->method, c->req, c->req_len, resp,
				  buf_size, c->timeout_ms * 1000000ULL, &res);
	elapsed = call_now_ns() - start;
	tool_progress_stop(&progress);
	rpcdev_close(&dev);
	if (ret < 0) {
		tool_error(c->label, -ret);
		free(resp);
		return EXIT_FAIL;
	}

	got = res.resp_len < buf_size ? res.resp_len : buf_size;
	if (c->json) {
		json = call_json(c, &res, resp, got, elapsed);
		tool_json_print(stdout, json);
		json_object_put(json);
	} else {
		call_print(c, &res, resp, got);
	}
	if (res.status != RPCDEV_STATUS_OK)
		call_report_status(c->label, &res, resp, got);
	free(resp);
	return res.status == RPCDEV_STATUS_OK ? EXIT_OK : EXIT_FAIL;
}

static int cmd_call(int argc, char **argv)
{
	struct call_req c = {
		.path = CALL_DEFAULT_PATH,
		.timeout_ms = CALL_DEFAULT_TIMEOUT_MS,
	};
	uint64_t qid = 0, us;
	const struct tool_opt opts[] = {
		TOOL_OPT_DEVICE(&c.path),
		TOOL_OPT_QUEUE(&qid),
		TOOL_OPT_NUM('t', "timeout", &c.timeout_ms, "a TIMEOUT_MS",
			     "timeout", 0, TOOL_MAX_TIMEOUT_MS, "ms"),
		TOOL_OPT_JSON(&c.json),
		TOOL_OPT_BOOL(0, "uring", &c.uring),
		TOOL_OPT_END,
	};
	const char *payload = NULL;
	uint8_t delay[8];
	int ret, i;

	ret = tool_parse_opts(&tool_cmd_call, opts, argc, argv);
	if (ret != TOOL_GO_ON)
		return ret;
	if (optind >= argc)
		return tool_usage_error(&tool_cmd_call, "no METHOD given");
	c.label = argv[optind++];
	if (optind < argc)
		payload = argv[optind++];
	if (optind < argc)
		return tool_usage_error(&tool_cmd_call,
			"unexpected argument '%s'", argv[optind]);
	if (call_parse_method(c.label, &c.method))
		return tool_usage_error(&tool_cmd_call,
			"unknown method '%s'", c.label);

	c.req = payload;
	c.req_len = payload ? strlen(payload) : 0;
	if (c.method == RPCDEV_SIM_DELAY && !strcmp(c.label, "delay")) {
		if (!payload || tool_parse_u64(payload, UINT64_MAX, &us))
			return tool_usage_error(&tool_cmd_call,
				"delay needs a number of microseconds");
		/* The simulated device takes a little-endian __u64. */
		for (i = 0; i < 8; i++)
			delay[i] = (uint8_t)(us >> (8 * i));
		c.req = delay;
		c.req_len = sizeof(delay);
	}
	c.qid = (unsigned int)qid;
	c.decode_stats = c.method == RPCDEV_SIM_STATS && !strcmp(c.label, "stats");
	return call_run(&c);
}

const struct tool_cmd tool_cmd_call = {
	.name		= "call",
	.summary	= "call a method of a device and show the answer",
	.usage		= call_usage,
	.run		= cmd_call,
};
