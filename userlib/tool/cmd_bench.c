// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev bench [-d PATH] [--quick] [-n ITERATIONS] [--cpus DEV,HOST]
 *              [--only IDS] [--json FILE] [--timeout S] [-v]: the
 * project's benchmark.
 *
 * Measures, in one run, between the same two CPUs: upcalls (BLOCK, POLL,
 * ADAPTIVE, and BLOCK with a device that sleeps too), the ADAPTIVE
 * server's idle CPU, sync downcalls, the async upcall message rate (BLOCK
 * and POLL servers), 1 MiB upcalls, two queues on two CPUs and the
 * device's mailbox check on the simulated device, beside baselines written
 * here (shared-memory, eventfd, pipe, UNIX socket and TCP loopback
 * ping-pongs, a pipe message rate, memcpy of 1 MiB, a system call loop on
 * one and two CPUs). Prints one table, where an upcall's time goes, then
 * one line per target of DESIGN.md section 4 with the measured ratio and
 * whether it is met; optionally the same as JSON.
 *
 * Exit status: 0 when every measurement that exists ran (a row the driver
 * cannot do says n/a, and a target not met is only reported); 1 when a
 * measurement failed; 2 for a wrong command line.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"
#include "tool.h"

#define BENCH_DEFAULT_ITERS	50000
#define BENCH_QUICK_ITERS	1000
#define BENCH_DEFAULT_TIMEOUT_S	900

static const char bench_usage[] =
	"Usage: " TOOL_NAME " bench [-d PATH] [--quick] [-n ITERATIONS] [--cpus DEV,HOST]\n"
	"                    [--only IDS] [--json FILE] [--timeout SECONDS] [-v]\n"
	"Measure rpcdev against the baselines of DESIGN.md section 4, all in one\n"
	"run between the same two CPUs, and say which targets are met.\n"
	"\n"
	"  -d PATH          the simulated device (default " TOOL_DEFAULT_PATH "): an\n"
	"                   rpcdev_sim device with queues 0 and 1 free\n"
	"  -n ITERATIONS    measured round trips per latency row (default 50000;\n"
	"                   shared memory: 10 x as many), each row after\n"
	"                   ITERATIONS/10 unmeasured ones (warm-up)\n"
	"  --quick          a short run (1000 iterations, shorter rate runs)\n"
	"  --cpus DEV,HOST  the device side (simulated firmware, the baselines'\n"
	"                   initiator) on CPU DEV, the host side (servers,\n"
	"                   callers) on CPU HOST (default: the first two CPUs\n"
	"                   this process may run on; one CPU: both on it)\n"
	"  --only IDS       run only these rows (comma-separated ids, below)\n"
	"  --json FILE      also write the results as JSON to FILE; with \"-\"\n"
	"                   the JSON goes to stdout instead of the table\n"
	"  --timeout S      give up (exit 1) after S seconds (default 900)\n"
	"  -v               show progress on stderr\n"
	"  -h               show this help\n"
	"\n"
	"Rows (ids): shm, eventfd, pipe, unix, tcp (ping-pongs of 64 bytes;\n"
	"shm is a cache line each way, eventfd its counter), upcall_block,\n"
	"upcall_block_devsleep (the simulated device sleeps for the reply\n"
	"instead of polling fw_spin_us first, as the eventfd initiator does),\n"
	"upcall_poll, upcall_poll_stamped (the same with the stages stamped:\n"
	"where the time goes), upcall_adaptive, adaptive_idle, downcall,\n"
	"async_upcalls, async_upcalls_poll, pipe_rate, upcall_1mib,\n"
	"memcpy_1mib, syscall_one, syscall_two (a\n"
	"getppid loop: how the machine itself scales to two CPUs), queue_one,\n"
	"queue_two (each queue's caller and firmware on one CPU of its own;\n"
	"one and two are measured in alternation), mbox_check.\n"
	"Upcall rows are timed by the simulated device (its clock is the host's\n"
	"CLOCK_MONOTONIC), the others by the host. \"host CPU\" is the CPU time\n"
	"of the host-side threads over the run's wall time, in percent of one\n"
	"core. The firmware threads are placed with rpcdev_sim's fw_cpu\n"
	"parameter (written, then restored), so the bench must run as root;\n"
	"the TCP baseline brings the loopback interface up if it is down.\n"
	"\n"
	"Exits 0 when every measurement that exists ran (n/a rows and targets\n"
	"not met are reported, not failures), 1 when one failed, 2 for a wrong\n"
	"command line.\n";

enum {
	R_SHM, R_EVENTFD, R_PIPE, R_UNIX, R_TCP,
	R_UP_BLOCK, R_UP_BLOCK_SLEEP, R_UP_POLL, R_UP_POLL_STAMPED,
	R_UP_ADAPTIVE, R_ADAPTIVE_IDLE,
	R_DOWNCALL, R_ASYNC, R_ASYNC_POLL, R_PIPE_RATE, R_UP_1MIB, R_MEMCPY,
	R_SYSCALL_ONE, R_SYSCALL_TWO, R_QUEUE_ONE, R_QUEUE_TWO, R_MBOX,
	R_NR,
};

static struct bench_row bench_rows[R_NR] = {
	[R_SHM]		= { "shm", "shared-memory ping-pong (floor)", BENCH_LATENCY },
	[R_EVENTFD]	= { "eventfd", "eventfd ping-pong", BENCH_LATENCY },
	[R_PIPE]	= { "pipe", "pipe ping-pong", BENCH_LATENCY },
	[R_UNIX]	= { "unix", "UNIX socket ping-pong", BENCH_LATENCY },
	[R_TCP]		= { "tcp", "TCP loopback ping-pong (NODELAY)", BENCH_LATENCY },
	[R_UP_BLOCK]	= { "upcall_block", "upcall BLOCK, 64 B", BENCH_LATENCY },
	[R_UP_BLOCK_SLEEP] = { "upcall_block_devsleep", "upcall BLOCK, 64 B, device sleeps", BENCH_LATENCY },
	[R_UP_POLL]	= { "upcall_poll", "upcall POLL, 64 B", BENCH_LATENCY },
	[R_UP_POLL_STAMPED] = { "upcall_poll_stamped", "upcall POLL, 64 B, stamped", BENCH_LATENCY },
	[R_UP_ADAPTIVE]	= { "upcall_adaptive", "upcall ADAPTIVE, 64 B, burst", BENCH_LATENCY },
	[R_ADAPTIVE_IDLE] = { "adaptive_idle", "ADAPTIVE server, idle", BENCH_CPU },
	[R_DOWNCALL]	= { "downcall", "sync downcall (echo), 64 B", BENCH_LATENCY },
	[R_ASYNC]	= { "async_upcalls", "async upcalls, 64 B, BLOCK server", BENCH_RATE, .rate_unit = "msg/s" },
	[R_ASYNC_POLL]	= { "async_upcalls_poll", "async upcalls, 64 B, POLL server", BENCH_RATE, .rate_unit = "msg/s" },
	[R_PIPE_RATE]	= { "pipe_rate", "pipe messages, 64 B, one way", BENCH_RATE, .rate_unit = "msg/s" },
	[R_UP_1MIB]	= { "upcall_1mib", "upcall 1 MiB, echoed", BENCH_LATENCY, .rate_unit = "B/s" },
	[R_MEMCPY]	= { "memcpy_1mib", "memcpy 1 MiB", BENCH_LATENCY, .rate_unit = "B/s" },
	[R_SYSCALL_ONE]	= { "syscall_one", "system call loop, one CPU", BENCH_RATE, .rate_unit = "calls/s" },
	[R_SYSCALL_TWO]	= { "syscall_two", "system call loop, two CPUs", BENCH_RATE, .rate_unit = "calls/s" },
	[R_QUEUE_ONE]	= { "queue_one", "echo downcalls, one queue", BENCH_RATE, .rate_unit = "calls/s" },
	[R_QUEUE_TWO]	= { "queue_two", "echo downcalls, two queues, two CPUs", BENCH_RATE, .rate_unit = "calls/s" },
	[R_MBOX]	= { "mbox_check", "device mailbox check", BENCH_COST },
};

/* Which number of a row a target compares. */
enum bench_val {
	V_P50,		/* latency p50, ns */
	V_RATE,		/* per second */
	V_COST,		/* ns per operation */
	V_CPU,		/* host CPU, percent */
};

/**
 * struct bench_target - one line of DESIGN.md section 4.
 * @id, @what:	key in the JSON, and the line's text.
 * @num, @den:	rows; the ratio is num's value over den's (den -1: num's
 *		value alone, for an absolute limit).
 * @v:		which value of the rows.
 * @ge:		the ratio must be >= @target (else <=).
 * @target:	the limit.
 * @stretch:	a stricter goal, or 0.
 * @percent:	show the ratio as a percentage.
 * @ctx_what:	if not NULL, the same ratio of two other rows, shown beside
 *		it for comparison (@ctx_num over @ctx_den).
 */
struct bench_target {
	const char *id;
	const char *what;
	int num, den;
	enum bench_val v;
	bool ge;
	double target, stretch;
	bool percent;
	const char *ctx_what;
	int ctx_num, ctx_den;
};

static const struct bench_target bench_targets[] = {
	{ "upcall_poll_vs_shm", "upcall POLL p50 / shared-memory ping-pong p50",
	  R_UP_POLL, R_SHM, V_P50, false, 1.5, 0, false, NULL, 0, 0 },
	{ "upcall_block_vs_eventfd", "upcall BLOCK p50 / eventfd ping-pong p50",
	  R_UP_BLOCK, R_EVENTFD, V_P50, false, 1.0, 0.7, false, NULL, 0, 0 },
	{ "adaptive_vs_poll", "upcall ADAPTIVE p50 in bursts / upcall POLL p50",
	  R_UP_ADAPTIVE, R_UP_POLL, V_P50, false, 1.25, 0, false, NULL, 0, 0 },
	{ "adaptive_idle_cpu", "ADAPTIVE idle host CPU, % of a core",
	  R_ADAPTIVE_IDLE, -1, V_CPU, false, 2.0, 0, false, NULL, 0, 0 },
	{ "tcp_vs_upcall_poll", "TCP loopback p50 / upcall POLL p50",
	  R_TCP, R_UP_POLL, V_P50, true, 50.0, 0, false, NULL, 0, 0 },
	{ "tcp_vs_upcall_block", "TCP loopback p50 / upcall BLOCK p50",
	  R_TCP, R_UP_BLOCK, V_P50, true, 2.0, 0, false, NULL, 0, 0 },
	{ "mbox_vs_upcall_block", "mailbox check / upcall BLOCK p50",
	  R_MBOX, R_UP_BLOCK, V_COST, false, 0.01, 0, true, NULL, 0, 0 },
	{ "mbox_vs_upcall_poll", "mailbox check / upcall POLL p50",
	  R_MBOX, R_UP_POLL, V_COST, false, 0.01, 0, true, NULL, 0, 0 },
	{ "async_vs_pipe", "async upcall rate, POLL server / pipe's",
	  R_ASYNC_POLL, R_PIPE_RATE, V_RATE, true, 10.0, 0, false,
	  "a BLOCK server, one system call per message, / pipe's",
	  R_ASYNC, R_PIPE_RATE },
	{ "upcall_1mib_vs_memcpy", "1 MiB upcall p50 / memcpy 1 MiB p50",
	  R_UP_1MIB, R_MEMCPY, V_P50, false, 2.0, 0, false, NULL, 0, 0 },
	{ "two_queues_vs_one", "two queues' call rate / one queue's",
	  R_QUEUE_TWO, R_QUEUE_ONE, V_RATE, true, 1.8, 0, false,
	  "a system call loop on the same CPUs, two / one (the machine's ceiling)",
	  R_SYSCALL_TWO, R_SYSCALL_ONE },
};

#define BENCH_NR_TARGETS	(sizeof(bench_targets) / sizeof(bench_targets[0]))

enum target_state { T_MET, T_NOT_MET, T_NOT_MEASURED };

struct target_result {
	enum target_state state;
	double ratio;
	bool stretch_met;
	int missing;		/* not measured: the row without a result */
};

/* The value @v of @row (the denominator's p50 for a cost). */
static double bench_value(const struct bench_row *row, enum bench_val v)
{
	switch (v) {
	case V_P50:
		return (double)row->lat.p50;
	case V_RATE:
		return row->rate;
	case V_COST:
		return row->kind == BENCH_COST ? row->cost_ns : (double)row->lat.p50;
	case V_CPU:
		return row->host_cpu;
	}
	return 0;
}

static void bench_eval(const struct bench_target *t, struct target_result *r)
{
	const struct bench_row *num = &bench_rows[t->num];
	const struct bench_row *den = t->den >= 0 ? &bench_rows[t->den] : NULL;
	double a, b;

	memset(r, 0, sizeof(*r));
	r->state = T_NOT_MEASURED;
	r->missing = t->num;
	if (num->status != BENCH_OK)
		return;
	if (den && den->status != BENCH_OK) {
		r->missing = t->den;
		return;
	}
	a = bench_value(num, t->v);
	if (den) {
		/* A cost is compared with the other row's round trip. */
		b = bench_value(den, t->v == V_COST ? V_P50 : t->v);
		if (b <= 0) {
			r->missing = t->den;
			return;
		}
		r->ratio = a / b;
	} else {
		if (a < 0)
			return;
		r->ratio = a;
	}
	if (t->ge) {
		r->state = r->ratio >= t->target ? T_MET : T_NOT_MET;
		r->stretch_met = t->stretch && r->ratio >= t->stretch;
	} else {
		r->state = r->ratio <= t->target ? T_MET : T_NOT_MET;
		r->stretch_met = t->stretch && r->ratio <= t->stretch;
	}
}

static const char *const bench_status_names[] = {
	[BENCH_SKIPPED]	= "skipped",
	[BENCH_OK]	= "ok",
	[BENCH_NA]	= "n/a",
	[BENCH_FAILED]	= "failed",
};

static const char *const bench_state_names[] = {
	[T_MET]			= "met",
	[T_NOT_MET]		= "NOT met",
	[T_NOT_MEASURED]	= "not measured",
};

/* The context ratio of @t, or a negative number when it is not known. */
static double bench_ctx_ratio(const struct bench_target *t)
{
	const struct bench_row *a, *b;

	if (!t->ctx_what)
		return -1;
	a = &bench_rows[t->ctx_num];
	b = &bench_rows[t->ctx_den];
	if (a->status != BENCH_OK || b->status != BENCH_OK ||
	    bench_value(b, t->v) <= 0)
		return -1;
	return bench_value(a, t->v) / bench_value(b, t->v);
}

/* "123.4 k msg/s", "1.23 GB/s" */
static void bench_fmt_rate(char *buf, size_t len, double v, const char *unit)
{
	const char *p = "";
	bool bytes = !strcmp(unit, "B/s");

	if (v >= 1e9) {
		v /= 1e9;
		p = bytes ? "G" : "G ";
	} else if (v >= 1e6) {
		v /= 1e6;
		p = bytes ? "M" : "M ";
	} else if (v >= 1e3) {
		v /= 1e3;
		p = bytes ? "k" : "k ";
	} else if (!bytes) {
		p = "";
	}
	snprintf(buf, len, "%.*f %s%s", v < 10 ? 2 : 1, v, p, unit);
}

static void bench_fmt_us(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%.3f", (double)ns / 1000.0);
}

static void bench_print_table(FILE *out)
{
	char p50[32], p99[32], p999[32], val[40], cpu[16];
	unsigned int i, notes = 0;

	fprintf(out, "%-38s %10s %10s %10s  %-18s %8s %8s  %s\n", "measurement",
		"p50 us", "p99 us", "p99.9 us", "value", "host CPU", "n", "clock");
	for (i = 0; i < R_NR; i++) {
		const struct bench_row *r = &bench_rows[i];
		const char *na = r->status == BENCH_NA ? "n/a" : "FAILED";

		if (r->status == BENCH_SKIPPED)
			continue;
		if (r->status != BENCH_OK) {
			/* Why: in the notes below the table. */
			fprintf(out, "%-38s %10s %10s %10s  %-18s %8s %8s\n",
				r->name, na, na, na, "-", "-", "-");
			continue;
		}
		strcpy(p50, "-");
		strcpy(p99, "-");
		strcpy(p999, "-");
		strcpy(val, "-");
		strcpy(cpu, "-");
		if (r->kind == BENCH_LATENCY) {
			bench_fmt_us(p50, sizeof(p50), r->lat.p50);
			bench_fmt_us(p99, sizeof(p99), r->lat.p99);
			bench_fmt_us(p999, sizeof(p999), r->lat.p999);
		}
		if (r->rate_unit && r->rate > 0)
			bench_fmt_rate(val, sizeof(val), r->rate, r->rate_unit);
		if (r->kind == BENCH_COST)
			snprintf(val, sizeof(val), "%.3f ns/check", r->cost_ns);
		if (r->host_cpu >= 0)
			snprintf(cpu, sizeof(cpu), "%.1f%%", r->host_cpu);
		fprintf(out, "%-38s %10s %10s %10s  %-18s %8s %8" PRIu64 "  %s\n",
			r->name, p50, p99, p999, val, cpu, r->lat.n,
			r->clock ? r->clock : "host");
	}
	for (i = 0; i < R_NR; i++) {
		const struct bench_row *r = &bench_rows[i];

		if (!r->note[0] || r->status == BENCH_SKIPPED)
			continue;
		if (!notes++)
			fprintf(out, "notes:\n");
		fprintf(out, "  %s: %s\n", r->name, r->note);
	}
	for (i = 0, notes = 0; i < R_NR; i++) {
		const struct bench_row *r = &bench_rows[i];
		const uint64_t *s = r->stage_ns;

		if (r->status != BENCH_OK || !r->stamped)
			continue;
		if (!notes++)
			fprintf(out, "where an upcall's time goes (means over the stamped round trips, us):\n"
				"  %-36s %10s %10s %10s %10s %10s\n", "",
				"to irq", "to server", "server", "to device", "sum");
		fprintf(out, "  %-36s %10.3f %10.3f %10.3f %10.3f %10.3f\n",
			r->name, s[0] / 1e3, s[1] / 1e3, s[2] / 1e3, s[3] / 1e3,
			(s[0] + s[1] + s[2] + s[3]) / 1e3);
	}
	if (notes)
		fprintf(out, "  (to irq: device posts -> kernel takes its interrupt; to server:\n"
			"   -> server woken; server: its work and way back into the kernel\n"
			"   or ring; to device: answer posted -> device sees it. User rings\n"
			"   have no interrupt: their first part runs to the server seeing\n"
			"   the upcall, their second is 0.)\n");
}

static void bench_fmt_ratio(char *buf, size_t len, const struct bench_target *t,
			    double v)
{
	if (t->percent)
		snprintf(buf, len, "%.3g %%", v * 100);
	else if (t->den < 0)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.2fx", v);
}

static void bench_print_targets(FILE *out)
{
	struct target_result r;
	char ratio[32], lim[32], str[32];
	unsigned int i;

	fprintf(out, "\ntargets (DESIGN.md section 4):\n");
	for (i = 0; i < BENCH_NR_TARGETS; i++) {
		const struct bench_target *t = &bench_targets[i];
		const char *op = t->ge ? ">=" : "<=";

		bench_eval(t, &r);
		bench_fmt_ratio(lim, sizeof(lim), t, t->target);
		if (r.state == T_NOT_MEASURED)
			strcpy(ratio, "-");
		else
			bench_fmt_ratio(ratio, sizeof(ratio), t, r.ratio);
		fprintf(out, "  %-50s %9s (target %s %s", t->what, ratio, op, lim);
		if (t->stretch) {
			bench_fmt_ratio(str, sizeof(str), t, t->stretch);
			fprintf(out, ", stretch %s %s", op, str);
		}
		fprintf(out, "): %s", bench_state_names[r.state]);
		if (r.state == T_NOT_MEASURED)
			fprintf(out, " (%s: %s)", bench_rows[r.missing].id,
				bench_status_names[bench_rows[r.missing].status]);
		else if (t->stretch)
			fprintf(out, ", stretch %s", r.stretch_met ? "met" : "not met");
		fputc('\n', out);
		if (bench_ctx_ratio(t) >= 0) {
			bench_fmt_ratio(str, sizeof(str), t, bench_ctx_ratio(t));
			fprintf(out, "    beside it: %s: %s\n", t->ctx_what, str);
		}
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	/* JSON has no NaN or infinity. */
	if (v != v || v > 1e300 || v < -1e300)
		fputs("null", f);
	else
		fprintf(f, "%.6g", v);
}

static const char *const bench_kind_names[] = {
	[BENCH_LATENCY]	= "latency",
	[BENCH_RATE]	= "rate",
	[BENCH_COST]	= "cost",
	[BENCH_CPU]	= "cpu",
};

static void bench_print_json(FILE *f, const struct bench_cfg *cfg,
			     const char *kernel, double elapsed, int status)
{
	struct target_result r;
	unsigned int i;

	fprintf(f, "{\n  \"tool\": \"rpcdev bench\",\n  \"format\": 1,\n");
	fprintf(f, "  \"kernel\": ");
	json_str(f, kernel);
	fprintf(f, ",\n  \"cpus\": { \"available\": %d, \"device\": %d, \"host\": %d, \"firmware_pinned\": %s },\n",
		cfg->ncpus, cfg->dev_cpu, cfg->host_cpu,
		cfg->fw_pinned ? "true" : "false");
	fprintf(f, "  \"firmware_spin_us\": ");
	if (cfg->fw_spin_us >= 0)
		fprintf(f, "%d,\n", cfg->fw_spin_us);
	else
		fprintf(f, "null,\n");
	fprintf(f, "  \"iterations\": %u,\n  \"warmup\": %u,\n  \"message_bytes\": %d,\n",
		cfg->iters, cfg->warmup, BENCH_MSG_SIZE);
	fprintf(f, "  \"elapsed_s\": ");
	json_num(f, elapsed);
	fprintf(f, ",\n  \"exit_status\": %d,\n  \"results\": [\n", status);
	for (i = 0; i < R_NR; i++) {
		const struct bench_row *row = &bench_rows[i];

		fprintf(f, "    { \"id\": ");
		json_str(f, row->id);
		fprintf(f, ", \"name\": ");
		json_str(f, row->name);
		fprintf(f, ", \"kind\": \"%s\", \"status\": \"%s\"",
			bench_kind_names[row->kind], bench_status_names[row->status]);
		if (row->status == BENCH_OK) {
			fprintf(f, ", \"clock\": \"%s\", \"samples\": %" PRIu64,
				row->clock ? row->clock : "host", row->lat.n);
			if (row->kind == BENCH_LATENCY)
				fprintf(f, ", \"min_ns\": %" PRIu64 ", \"p50_ns\": %" PRIu64
					", \"p99_ns\": %" PRIu64 ", \"p999_ns\": %" PRIu64
					", \"max_ns\": %" PRIu64 ", \"mean_ns\": %" PRIu64,
					row->lat.min, row->lat.p50, row->lat.p99,
					row->lat.p999, row->lat.max, row->lat.mean);
			if (row->rate_unit && row->rate > 0) {
				fprintf(f, ", \"rate\": ");
				json_num(f, row->rate);
				fprintf(f, ", \"rate_unit\": \"%s\"", row->rate_unit);
			}
			if (row->kind == BENCH_COST) {
				fprintf(f, ", \"ns_per_op\": ");
				json_num(f, row->cost_ns);
			}
			fprintf(f, ", \"host_cpu_pct\": ");
			if (row->host_cpu >= 0)
				json_num(f, row->host_cpu);
			else
				fputs("null", f);
			if (row->stamped)
				fprintf(f, ", \"stamped\": %u, \"stages_ns\": [%" PRIu64
					", %" PRIu64 ", %" PRIu64 ", %" PRIu64 "]",
					row->stamped, row->stage_ns[0],
					row->stage_ns[1], row->stage_ns[2],
					row->stage_ns[3]);
		}
		if (row->note[0]) {
			fprintf(f, ", \"note\": ");
			json_str(f, row->note);
		}
		fprintf(f, " }%s\n", i + 1 < R_NR ? "," : "");
	}
	fprintf(f, "  ],\n  \"targets\": [\n");
	for (i = 0; i < BENCH_NR_TARGETS; i++) {
		const struct bench_target *t = &bench_targets[i];

		bench_eval(t, &r);
		fprintf(f, "    { \"id\": ");
		json_str(f, t->id);
		fprintf(f, ", \"what\": ");
		json_str(f, t->what);
		fprintf(f, ", \"op\": \"%s\", \"target\": ", t->ge ? ">=" : "<=");
		json_num(f, t->target);
		if (t->stretch) {
			fprintf(f, ", \"stretch\": ");
			json_num(f, t->stretch);
		}
		fprintf(f, ", \"status\": \"%s\"", bench_state_names[r.state]);
		if (r.state != T_NOT_MEASURED) {
			fprintf(f, ", \"ratio\": ");
			json_num(f, r.ratio);
			if (t->stretch)
				fprintf(f, ", \"stretch_met\": %s",
					r.stretch_met ? "true" : "false");
		} else {
			fprintf(f, ", \"missing\": ");
			json_str(f, bench_rows[r.missing].id);
		}
		if (bench_ctx_ratio(t) >= 0) {
			fprintf(f, ", \"context\": ");
			json_str(f, t->ctx_what);
			fprintf(f, ", \"context_ratio\": ");
			json_num(f, bench_ctx_ratio(t));
		}
		fprintf(f, " }%s\n", i + 1 < BENCH_NR_TARGETS ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

/* Is row @id in the comma-separated @only (NULL: all)? */
static bool bench_selected(const char *only, const char *id)
{
	size_t n = strlen(id);
	const char *p = only;

	if (!only)
		return true;
	while (p && *p) {
		if (!strncmp(p, id, n) && (p[n] == ',' || !p[n]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

static int bench_check_only(const char *only)
{
	const char *p = only;
	unsigned int i;

	while (p && *p) {
		size_t n = strcspn(p, ",");
		bool found = false;

		for (i = 0; i < R_NR; i++)
			if (strlen(bench_rows[i].id) == n &&
			    !strncmp(p, bench_rows[i].id, n))
				found = true;
		if (!found)
			return -1;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static const char *bench_deadline_msg =
	TOOL_NAME " bench: time limit reached; giving up\n";

/* fw_cpu as it was before the bench, to give back even on a timeout. */
static volatile int bench_old_fw_cpu = -2;

static void bench_on_alarm(int sig)
{
	(void)sig;
	if (write(STDERR_FILENO, bench_deadline_msg, strlen(bench_deadline_msg)) < 0) {
		/* Nothing more to say. */
	}
	if (bench_old_fw_cpu >= -1)
		bench_sim_param_set("fw_cpu", bench_old_fw_cpu);
	_exit(EXIT_FAIL);
}

/* A row's status from its measurement's result. */
static void bench_set_status(struct bench_row *row, int ret, bool *failed)
{
	if (!ret) {
		row->status = BENCH_OK;
	} else if (ret == -EOPNOTSUPP) {
		row->status = BENCH_NA;
	} else {
		row->status = BENCH_FAILED;
		*failed = true;
		if (!row->note[0])
			bench_note(row, "%s", strerror(-ret));
	}
}

/* The CPUs: the first two this process may use, or --cpus. */
static int bench_pick_cpus(struct bench_cfg *cfg, const char *arg)
{
	cpu_set_t set;
	int cpu, n = 0, first = -1, second = -1;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (first < 0)
			first = cpu;
		else if (second < 0)
			second = cpu;
		n++;
	}
	cfg->ncpus = n;
	if (arg) {
		char *end;
		long d, h;

		errno = 0;
		d = strtol(arg, &end, 10);
		if (end == arg || *end != ',')
			return -EINVAL;
		arg = end + 1;
		h = strtol(arg, &end, 10);
		if (errno || end == arg || *end || d < 0 || h < 0 ||
		    d >= CPU_SETSIZE || h >= CPU_SETSIZE ||
		    !CPU_ISSET(d, &set) || !CPU_ISSET(h, &set))
			return -EINVAL;
		cfg->dev_cpu = (int)d;
		cfg->host_cpu = (int)h;
		return 0;
	}
	cfg->dev_cpu = first;
	cfg->host_cpu = second >= 0 ? second : first;
	return 0;
}

typedef int (*bench_fn)(const struct bench_cfg *cfg, struct bench_row *row);

static int run_shm(const struct bench_cfg *c, struct bench_row *r) { return bench_pingpong(c, BENCH_SHM, r); }
static int run_eventfd(const struct bench_cfg *c, struct bench_row *r) { return bench_pingpong(c, BENCH_EVENTFD, r); }
static int run_pipe(const struct bench_cfg *c, struct bench_row *r) { return bench_pingpong(c, BENCH_PIPE, r); }
static int run_unix(const struct bench_cfg *c, struct bench_row *r) { return bench_pingpong(c, BENCH_UNIX, r); }
static int run_tcp(const struct bench_cfg *c, struct bench_row *r) { return bench_pingpong(c, BENCH_TCP, r); }
static int run_block(const struct bench_cfg *c, struct bench_row *r) { return bench_upcalls(c, BENCH_BLOCK, true, r); }
static int run_poll(const struct bench_cfg *c, struct bench_row *r) { return bench_upcalls(c, BENCH_POLL, false, r); }
static int run_poll_stamped(const struct bench_cfg *c, struct bench_row *r) { return bench_upcalls(c, BENCH_POLL, true, r); }
static int run_adaptive(const struct bench_cfg *c, struct bench_row *r) { return bench_upcalls(c, BENCH_ADAPTIVE, false, r); }
static int run_async(const struct bench_cfg *c, struct bench_row *r) { return bench_async_upcalls(c, BENCH_BLOCK, r); }
static int run_async_poll(const struct bench_cfg *c, struct bench_row *r) { return bench_async_upcalls(c, BENCH_POLL, r); }
typedef int (*bench_pair_fn)(const struct bench_cfg *cfg, struct bench_row *one,
			     struct bench_row *two);

/*
 * Each row's measurement, and whether it needs the device. A pair (one CPU,
 * two CPUs) is measured together, interleaved, by the first row's @pair.
 */
static const struct {
	bench_fn fn;
	bool device;
	bench_pair_fn pair;
} bench_fns[R_NR] = {
	[R_SHM]		= { run_shm, false },
	[R_EVENTFD]	= { run_eventfd, false },
	[R_PIPE]	= { run_pipe, false },
	[R_UNIX]	= { run_unix, false },
	[R_TCP]		= { run_tcp, false },
	[R_UP_BLOCK]	= { run_block, true },
	[R_UP_BLOCK_SLEEP] = { bench_upcalls_device_sleeps, true },
	[R_UP_POLL]	= { run_poll, true },
	[R_UP_POLL_STAMPED] = { run_poll_stamped, true },
	[R_UP_ADAPTIVE]	= { run_adaptive, true },
	[R_ADAPTIVE_IDLE] = { bench_adaptive_idle, true },
	[R_DOWNCALL]	= { bench_downcalls, true },
	[R_ASYNC]	= { run_async, true },
	[R_ASYNC_POLL]	= { run_async_poll, true },
	[R_PIPE_RATE]	= { bench_pipe_rate, false },
	[R_UP_1MIB]	= { bench_big_upcalls, true },
	[R_MEMCPY]	= { bench_memcpy, false },
	[R_SYSCALL_ONE]	= { NULL, false, bench_syscall_scale },
	[R_SYSCALL_TWO]	= { NULL, false, NULL },
	[R_QUEUE_ONE]	= { NULL, true, bench_queues },
	[R_QUEUE_TWO]	= { NULL, true, NULL },
	[R_MBOX]	= { bench_mbox_check, true },
};

static int cmd_bench(int argc, char **argv)
{
	enum { OPT_QUICK = 256, OPT_CPUS, OPT_ONLY, OPT_JSON, OPT_TIMEOUT };
	static const struct option longopts[] = {
		{ "quick",	no_argument,		NULL, OPT_QUICK },
		{ "cpus",	required_argument,	NULL, OPT_CPUS },
		{ "only",	required_argument,	NULL, OPT_ONLY },
		{ "json",	required_argument,	NULL, OPT_JSON },
		{ "timeout",	required_argument,	NULL, OPT_TIMEOUT },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_cfg cfg = { .path = TOOL_DEFAULT_PATH };
	const char *cpus = NULL, *only = NULL, *json = NULL;
	uint64_t iters = 0, timeout_s = BENCH_DEFAULT_TIMEOUT_S;
	char why[256] = "", kernel[300];
	bool quick = false, device_ok, failed = false;
	int opt, ret, old_fw_cpu = -1, status;
	struct utsname uts;
	uint64_t start;
	double elapsed;
	FILE *out = stdout;
	unsigned int i;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+d:n:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			cfg.path = optarg;
			break;
		case 'n':
			if (tool_parse_u64(optarg, 1U << 20, &iters) || iters < 10)
				return tool_usage_error(&tool_cmd_bench,
					"bad iteration count '%s' (10 to 1048576)", optarg);
			break;
		case 'v':
			cfg.verbose = true;
			break;
		case OPT_QUICK:
			quick = true;
			break;
		case OPT_CPUS:
			cpus = optarg;
			break;
		case OPT_ONLY:
			only = optarg;
			if (bench_check_only(only))
				return tool_usage_error(&tool_cmd_bench,
					"unknown row in '%s'", only);
			break;
		case OPT_JSON:
			json = optarg;
			break;
		case OPT_TIMEOUT:
			if (tool_parse_u64(optarg, 86400, &timeout_s))
				return tool_usage_error(&tool_cmd_bench,
					"bad timeout '%s' (seconds)", optarg);
			break;
		case 'h':
			fputs(bench_usage, stdout);
			return EXIT_OK;
		default:
			if (optopt)
				return tool_usage_error(&tool_cmd_bench,
					"bad or incomplete option '-%c'", optopt);
			return tool_usage_error(&tool_cmd_bench,
				"bad or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return tool_usage_error(&tool_cmd_bench,
			"unexpected argument '%s'", argv[optind]);
	if (bench_pick_cpus(&cfg, cpus))
		return tool_usage_error(&tool_cmd_bench,
			"bad --cpus '%s': two CPUs this process may use, as DEV,HOST",
			cpus ? cpus : "");

	cfg.iters = iters ? (unsigned int)iters :
		    quick ? BENCH_QUICK_ITERS : BENCH_DEFAULT_ITERS;
	cfg.warmup = cfg.iters / 10;
	cfg.shm_iters = cfg.iters * 10;
	cfg.big_iters = quick ? 5 : 100;
	cfg.rate_msgs = cfg.iters;
	cfg.rate_ms = quick ? 300 : 3000;
	cfg.mbox_checks = quick ? 100000 : 1000000;
	cfg.async_depth = 64;
	cfg.idle_ms = quick ? 300 : 1000;
	if (json && !strcmp(json, "-"))
		out = NULL;

	/* A broken pipe is an error to report, not a reason to die. */
	signal(SIGPIPE, SIG_IGN);
	if (timeout_s) {
		signal(SIGALRM, bench_on_alarm);
		alarm((unsigned int)timeout_s);
	}
	/* The thread that asks for upcall runs sleeps on the device CPU. */
	bench_pin(cfg.dev_cpu);

	uname(&uts);
	snprintf(kernel, sizeof(kernel), "%s", uts.release);
	device_ok = !bench_check_device(&cfg, 2, why, sizeof(why));
	if (device_ok && !bench_sim_param_get("fw_cpu", &old_fw_cpu) &&
	    !bench_sim_param_set("fw_cpu", old_fw_cpu)) {
		cfg.fw_pinned = true;
		bench_old_fw_cpu = old_fw_cpu;
	}
	if (!device_ok || bench_sim_param_get("fw_spin_us", &cfg.fw_spin_us))
		cfg.fw_spin_us = -1;

	if (out) {
		fprintf(out, TOOL_NAME " bench: kernel %s, %d CPUs available; device side on CPU %d, host side on CPU %d%s\n",
			kernel, cfg.ncpus, cfg.dev_cpu, cfg.host_cpu,
			cfg.dev_cpu == cfg.host_cpu ? " (one CPU: shared)" : "");
		fprintf(out, TOOL_NAME " bench: %u iterations per latency row after %u warm-up; firmware threads %s",
			cfg.iters, cfg.warmup,
			cfg.fw_pinned ? "pinned with rpcdev_sim's fw_cpu" :
			device_ok ? "NOT pinned (fw_cpu not writable)" : "unused");
		if (cfg.fw_spin_us >= 0)
			fprintf(out, ", polling %d us before they sleep (fw_spin_us)",
				cfg.fw_spin_us);
		fputc('\n', out);
		if (!device_ok)
			fprintf(out, TOOL_NAME " bench: no device rows: %s\n", why);
		fflush(out);
	}

	start = bench_now_ns();
	for (i = 0; i < R_NR; i++)
		bench_rows[i].host_cpu = -1;
	for (i = 0; i < R_NR; i++) {
		struct bench_row *one = &bench_rows[i], *two = NULL;

		if (!bench_fns[i].fn && !bench_fns[i].pair)
			continue;	/* the second of a pair: done with it */
		if (!bench_selected(only, one->id))
			one = NULL;
		if (bench_fns[i].pair && bench_selected(only, bench_rows[i + 1].id))
			two = &bench_rows[i + 1];
		if (!one && !two)
			continue;	/* BENCH_SKIPPED */
		if (bench_fns[i].device && !device_ok) {
			ret = -ENODEV;
			if (one)
				bench_note(one, "%s", why);
			if (two)
				bench_note(two, "%s", why);
		} else {
			bench_log(&cfg, "%s%s ...", one ? one->name : two->name,
				  one && two ? " and the next" : "");
			if (bench_fns[i].pair)
				ret = bench_fns[i].pair(&cfg, one, two);
			else
				ret = bench_fns[i].fn(&cfg, one);
		}
		if (one)
			bench_set_status(one, ret, &failed);
		if (two)
			bench_set_status(two, ret, &failed);
		bench_log(&cfg, "%s: %s", one ? one->name : two->name,
			  !ret ? "done" : ret == -EOPNOTSUPP ? "n/a" : "FAILED");
	}
	elapsed = (double)(bench_now_ns() - start) / 1e9;
	if (cfg.fw_pinned)
		bench_sim_param_set("fw_cpu", old_fw_cpu);
	alarm(0);
	status = failed ? EXIT_FAIL : EXIT_OK;

	if (out) {
		fputc('\n', out);
		bench_print_table(out);
		bench_print_targets(out);
		fprintf(out, "\n" TOOL_NAME " bench: %s in %.1f s\n",
			failed ? "a measurement FAILED" : "all measurements ran",
			elapsed);
		fflush(out);
	}
	if (json) {
		FILE *f = out ? fopen(json, "w") : stdout;

		if (!f) {
			tool_error(json, errno);
			return EXIT_FAIL;
		}
		bench_print_json(f, &cfg, kernel, elapsed, status);
		if (f != stdout && fclose(f)) {
			tool_error(json, errno);
			return EXIT_FAIL;
		}
		fflush(stdout);
	}
	return status;
}

const struct tool_cmd tool_cmd_bench = {
	.name		= "bench",
	.summary	= "measure rpcdev against the baselines and the targets",
	.usage		= bench_usage,
	.run		= cmd_bench,
};
