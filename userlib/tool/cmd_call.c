// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev call [-d PATH] [-q QID] [-t TIMEOUT_MS] [--uring] METHOD [PAYLOAD]:
 * one synchronous downcall, its status and its answer.
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
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/rpcdev_sim.h>

#include "rpcdev.h"
#include "tool.h"

#define CALL_DEFAULT_PATH	TOOL_DEFAULT_PATH
#define CALL_DEFAULT_TIMEOUT_MS	10000
#define CALL_HEX_PER_LINE	16

static const char call_usage[] =
	"Usage: " TOOL_NAME " call [-d PATH] [-q QID] [-t TIMEOUT_MS] [--uring]\n"
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
	"  --uring        make the call as an io_uring command, not an ioctl\n"
	"  -h             show this help\n"
	"\n"
	"Prints \"status: NAME\", \"length: N\", then the answer: as text if\n"
	"it is printable, else in hex (stats: one \"name: N\" line per counter).\n"
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
 * The answer of rpcdev_sim's stats method, little-endian __u64s, one line
 * per field; 0, or -1 (nothing printed) when it does not look like one.
 */
static int call_print_stats(FILE *out, const unsigned char *p, size_t len)
{
	unsigned int i, b;
	uint64_t v;

	if (!len || len % 8 || len / 8 > CALL_NR_STATS)
		return -1;
	for (i = 0; i < len / 8; i++) {
		for (v = 0, b = 0; b < 8; b++)
			v |= (uint64_t)p[8 * i + b] << (8 * b);
		fprintf(out, "%s: %" PRIu64 "\n", call_stats_names[i], v);
	}
	return 0;
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

/* Attach @qid of @path, make the call, print the answer; the exit status. */
static int call_run(const char *path, unsigned int qid, uint64_t timeout_ms,
		    int uring, const char *label, unsigned int method,
		    const void *req, size_t req_len, int decode_stats)
{
	struct rpcdev_call_result res;
	unsigned int buf_size = 0;
	struct rpcdev dev;
	const char *name;
	size_t got;
	void *resp;
	int ret;

	/*
	 * One slot, big enough for the request (command-line arguments are
	 * far below RPCDEV_MAX_PAYLOAD) and for answers of at least the
	 * default size.
	 */
	if (req_len > RPCDEV_DEFAULT_BUF_SIZE)
		buf_size = (unsigned int)req_len;

	if (tool_open_queue(&dev, path, qid, 1, buf_size))
		return EXIT_FAIL;

	buf_size = rpcdev_queue_buf_size(&dev);
	resp = malloc(buf_size);
	if (!resp) {
		tool_error(label, ENOMEM);
		rpcdev_close(&dev);
		return EXIT_FAIL;
	}
	if (uring)
		ret = tool_uring_call(&dev, method, req, req_len, resp,
				      buf_size, timeout_ms * 1000000ULL, &res);
	else
		ret = rpcdev_call(&dev, method, req, req_len, resp, buf_size,
				  timeout_ms * 1000000ULL, &res);
	rpcdev_close(&dev);
	if (ret < 0) {
		tool_error(label, -ret);
		free(resp);
		return EXIT_FAIL;
	}

	got = res.resp_len < buf_size ? res.resp_len : buf_size;
	name = rpcdev_status_name(res.status);
	if (name)
		printf("status: %s\n", name);
	else
		printf("status: %d\n", res.status);
	printf("length: %u\n", res.resp_len);
	/* Counters, or the payload unless it is an error (for stderr). */
	if (res.status != RPCDEV_STATUS_OK || !decode_stats ||
	    call_print_stats(stdout, resp, got)) {
		if (!(res.flags & RPCDEV_ENTRY_ERROR))
			call_print_payload(stdout, resp, got);
	}
	fflush(stdout);
	if (res.status != RPCDEV_STATUS_OK)
		call_report_status(label, &res, resp, got);
	free(resp);
	return res.status == RPCDEV_STATUS_OK ? EXIT_OK : EXIT_FAIL;
}

static int cmd_call(int argc, char **argv)
{
	uint64_t qid = 0, timeout_ms = CALL_DEFAULT_TIMEOUT_MS, us;
	const char *path = CALL_DEFAULT_PATH, *payload = NULL, *mname;
	unsigned int method;
	static const struct option options[] = {
		{ "uring", no_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint8_t delay[8];
	const void *req;
	size_t req_len;
	int opt, i, uring = 0;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+d:q:t:h", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			path = optarg;
			break;
		case 'q':
			if (tool_parse_u64(optarg, UINT32_MAX, &qid))
				return tool_usage_error(&tool_cmd_call,
					"bad queue number '%s'", optarg);
			break;
		case 't':
			/* Up to a year, so that the nanoseconds fit. */
			if (tool_parse_u64(optarg, 365ULL * 24 * 3600 * 1000,
					   &timeout_ms))
				return tool_usage_error(&tool_cmd_call,
					"bad timeout '%s' (milliseconds)", optarg);
			break;
		case 'U':
			uring = 1;
			break;
		case 'h':
			fputs(call_usage, stdout);
			return EXIT_OK;
		case '?':
		default:
			if (!optopt)
				return tool_usage_error(&tool_cmd_call,
					"unknown option '%s'", argv[optind - 1]);
			if (optopt == 'd' || optopt == 'q' || optopt == 't')
				return tool_usage_error(&tool_cmd_call,
					"option -%c needs a value", optopt);
			return tool_usage_error(&tool_cmd_call,
				"unknown option '-%c'", optopt);
		}
	}
	if (optind >= argc)
		return tool_usage_error(&tool_cmd_call, "no METHOD given");
	mname = argv[optind++];
	if (optind < argc)
		payload = argv[optind++];
	if (optind < argc)
		return tool_usage_error(&tool_cmd_call,
			"unexpected argument '%s'", argv[optind]);
	if (call_parse_method(mname, &method))
		return tool_usage_error(&tool_cmd_call,
			"unknown method '%s'", mname);

	req = payload;
	req_len = payload ? strlen(payload) : 0;
	if (method == RPCDEV_SIM_DELAY && !strcmp(mname, "delay")) {
		if (!payload || tool_parse_u64(payload, UINT64_MAX, &us))
			return tool_usage_error(&tool_cmd_call,
				"delay needs a number of microseconds");
		/* The simulated device takes a little-endian __u64. */
		for (i = 0; i < 8; i++)
			delay[i] = (uint8_t)(us >> (8 * i));
		req = delay;
		req_len = sizeof(delay);
	}
	return call_run(path, (unsigned int)qid, timeout_ms, uring,
			mname, method, req, req_len,
			method == RPCDEV_SIM_STATS && !strcmp(mname, "stats"));
}

const struct tool_cmd tool_cmd_call = {
	.name		= "call",
	.summary	= "call a method of a device and show the answer",
	.usage		= call_usage,
	.run		= cmd_call,
};
