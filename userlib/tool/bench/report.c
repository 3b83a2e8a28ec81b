// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev bench: what it prints. The table of rows, where an upcall's time
 * goes, one line per target with the measured ratio and whether it is met,
 * the same as JSON, and the list of rows and targets (--list). All of it
 * from the rows' table (rows.c) and a run's results (run.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"

const char *const bench_status_names[] = {
	[BENCH_SKIPPED]	= "skipped",
	[BENCH_OK]	= "ok",
	[BENCH_NA]	= "n/a",
	[BENCH_FAILED]	= "failed",
	[BENCH_PENDING]	= "pending",
};

static const char *const bench_state_names[] = {
	[BENCH_MET]		= "met",
	[BENCH_NOT_MET]		= "NOT met",
	[BENCH_NOT_MEASURED]	= "not measured",
};

static const char *const bench_kind_names[] = {
	[BENCH_LATENCY]	= "latency",
	[BENCH_RATE]	= "rate",
	[BENCH_COST]	= "cost",
	[BENCH_CPU]	= "cpu",
};

/* Each target of each row, in the table's order. */
#define for_each_target(d, t)						\
	for (d = bench_defs; d < bench_defs + bench_nr_defs; d++)	\
		for (t = d->targets;					\
		     t < d->targets + BENCH_MAX_TARGETS && t->id; t++)

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
	}
	snprintf(buf, len, "%.*f %s%s", v < 10 ? 2 : 1, v, p, unit);
}

static void bench_fmt_us(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%.3f", (double)ns / 1000.0);
}

/* One row of the table. */
static void bench_print_row(FILE *out, const struct bench_result *res)
{
	char p50[32] = "-", p99[32] = "-", p999[32] = "-", val[40] = "-";
	char cpu[16] = "-";
	const struct bench_def *d = res->def;
	const struct bench_row *r = &res->med;
	const char *na = res->status == BENCH_NA ? "n/a" : "FAILED";

	if (res->status != BENCH_OK) {
		/* Why: in the notes below the table. */
		fprintf(out, "%-38s %10s %10s %10s  %-18s %8s %8s\n",
			d->name, na, na, na, "-", "-", "-");
		return;
	}
	if (d->kind == BENCH_LATENCY) {
		bench_fmt_us(p50, sizeof(p50), r->lat.p50);
		bench_fmt_us(p99, sizeof(p99), r->lat.p99);
		bench_fmt_us(p999, sizeof(p999), r->lat.p999);
	}
	if (d->unit && r->rate > 0)
		bench_fmt_rate(val, sizeof(val), r->rate, d->unit);
	if (d->kind == BENCH_COST)
		snprintf(val, sizeof(val), "%.3f ns/check", r->cost_ns);
	if (r->host_cpu >= 0)
		snprintf(cpu, sizeof(cpu), "%.1f%%", r->host_cpu);
	fprintf(out, "%-38s %10s %10s %10s  %-18s %8s %8" PRIu64 "  %s\n",
		d->name, p50, p99, p999, val, cpu, r->lat.n,
		r->clock ? r->clock : "host");
}

/* Where the time of the stamped rows' upcalls goes. */
static void bench_print_stages(FILE *out, const struct bench_run *run)
{
	unsigned int i, rows = 0;

	for (i = 0; i < run->n; i++) {
		const struct bench_result *res = &run->res[i];
		const uint64_t *s = res->med.stage_ns;

		if (res->status != BENCH_OK || !res->med.stamped)
			continue;
		if (!rows++)
			fprintf(out, "where an upcall's time goes (means over the stamped round trips, us):\n"
				"  %-36s %10s %10s %10s %10s %10s\n", "",
				"to irq", "to server", "server", "to device", "sum");
		fprintf(out, "  %-36s %10.3f %10.3f %10.3f %10.3f %10.3f\n",
			res->def->name, s[0] / 1e3, s[1] / 1e3, s[2] / 1e3,
			s[3] / 1e3, (s[0] + s[1] + s[2] + s[3]) / 1e3);
	}
	if (rows)
		fprintf(out, "  (to irq: device posts -> kernel takes its interrupt; to server:\n"
			"   -> server woken; server: its work and way back into the kernel\n"
			"   or ring; to device: answer posted -> device sees it. User rings\n"
			"   have no interrupt: their first part runs to the server seeing\n"
			"   the upcall, their second is 0.)\n");
}

void bench_print_table(FILE *out, const struct bench_run *run)
{
	unsigned int i, notes = 0;

	if (run->cfg->reps > 1)
		fprintf(out, "medians of %u repetitions, in rounds of alternating order:\n",
			run->cfg->reps);
	fprintf(out, "%-38s %10s %10s %10s  %-18s %8s %8s  %s\n", "measurement",
		"p50 us", "p99 us", "p99.9 us", "value", "host CPU", "n", "clock");
	for (i = 0; i < run->n; i++)
		if (run->res[i].status != BENCH_SKIPPED)
			bench_print_row(out, &run->res[i]);
	for (i = 0; i < run->n; i++) {
		const struct bench_result *res = &run->res[i];

		if (!res->med.note[0] || res->status == BENCH_SKIPPED)
			continue;
		if (!notes++)
			fprintf(out, "notes:\n");
		fprintf(out, "  %s: %s\n", res->def->name, res->med.note);
	}
	bench_print_stages(out, run);
}

static void bench_fmt_ratio(char *buf, size_t len, const struct bench_target *t,
			    double v)
{
	if (t->percent)
		snprintf(buf, len, "%.3g %%", v * 100);
	else if (!t->base)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.2fx", v);
}

/* "<= 1.50x" and ", stretch <= 0.70x" */
static void bench_fmt_limit(char *buf, size_t len, const struct bench_target *t)
{
	const char *op = t->ge ? ">=" : "<=";
	char lim[32], str[32];

	bench_fmt_ratio(lim, sizeof(lim), t, t->limit);
	if (!t->stretch) {
		snprintf(buf, len, "%s %s", op, lim);
		return;
	}
	bench_fmt_ratio(str, sizeof(str), t, t->stretch);
	snprintf(buf, len, "%s %s, stretch %s %s", op, lim, op, str);
}

static void bench_print_target(FILE *out, const struct bench_run *run,
			       const struct bench_def *d,
			       const struct bench_target *t)
{
	const struct bench_result *owner = &run->res[d - bench_defs];
	char ratio[32] = "-", lim[80], lo[32], hi[32];
	struct bench_verdict v;

	bench_eval(run, owner, t, &v);
	bench_fmt_limit(lim, sizeof(lim), t);
	if (v.state != BENCH_NOT_MEASURED)
		bench_fmt_ratio(ratio, sizeof(ratio), t, v.ratio);
	fprintf(out, "  %-50s %9s (target %s): %s", t->what, ratio, lim,
		bench_state_names[v.state]);
	if (v.state == BENCH_NOT_MEASURED)
		fprintf(out, " (%s: %s)", v.missing->def->id,
			bench_status_names[v.missing->status]);
	else if (t->stretch)
		fprintf(out, ", stretch %s", v.stretch_met ? "met" : "not met");
	fputc('\n', out);
	if (v.n > 1) {
		bench_fmt_ratio(lo, sizeof(lo), t, v.lo);
		bench_fmt_ratio(hi, sizeof(hi), t, v.hi);
		fprintf(out, "    median of %u rounds, from %s to %s\n", v.n, lo, hi);
	}
	if (v.ctx >= 0) {
		bench_fmt_ratio(lo, sizeof(lo), t, v.ctx);
		fprintf(out, "    beside it: %s: %s\n", t->ctx_what, lo);
	}
}

void bench_print_targets(FILE *out, const struct bench_run *run)
{
	const struct bench_target *t;
	const struct bench_def *d;

	fprintf(out, "\ntargets:\n");
	for_each_target(d, t)
		bench_print_target(out, run, d, t);
}

void bench_print_list(FILE *out)
{
	const struct bench_target *t;
	const struct bench_def *d;
	char lim[80];

	for (d = bench_defs; d < bench_defs + bench_nr_defs; d++) {
		fprintf(out, "%s: %s (%s%s)\n", d->id, d->name,
			bench_kind_names[d->kind],
			d->device == BENCH_DEV_NONE ? ", a baseline" : "");
		if (d->about)
			fprintf(out, "    %s\n", d->about);
		for (t = d->targets; t < d->targets + BENCH_MAX_TARGETS && t->id; t++) {
			bench_fmt_limit(lim, sizeof(lim), t);
			fprintf(out, "    target %s: %s %s\n", t->id, t->what, lim);
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

/* "key": value, for a number that may be unknown (negative). */
static void json_opt(FILE *f, const char *key, double v)
{
	fprintf(f, ", \"%s\": ", key);
	if (v >= 0)
		json_num(f, v);
	else
		fputs("null", f);
}

/* The numbers of a row that ran. */
static void json_row_values(FILE *f, const struct bench_result *res)
{
	const struct bench_def *d = res->def;
	const struct bench_row *r = &res->med;

	fprintf(f, ", \"clock\": \"%s\", \"samples\": %" PRIu64,
		r->clock ? r->clock : "host", r->lat.n);
	if (d->kind == BENCH_LATENCY)
		fprintf(f, ", \"min_ns\": %" PRIu64 ", \"p50_ns\": %" PRIu64
			", \"p99_ns\": %" PRIu64 ", \"p999_ns\": %" PRIu64
			", \"max_ns\": %" PRIu64 ", \"mean_ns\": %" PRIu64,
			r->lat.min, r->lat.p50, r->lat.p99, r->lat.p999,
			r->lat.max, r->lat.mean);
	if (d->unit && r->rate > 0) {
		fprintf(f, ", \"rate\": ");
		json_num(f, r->rate);
		fprintf(f, ", \"rate_unit\": \"%s\"", d->unit);
	}
	if (d->kind == BENCH_COST) {
		fprintf(f, ", \"ns_per_op\": ");
		json_num(f, r->cost_ns);
	}
	json_opt(f, "host_cpu_pct", r->host_cpu);
	if (r->stamped)
		fprintf(f, ", \"stamped\": %u, \"stages_ns\": [%" PRIu64
			", %" PRIu64 ", %" PRIu64 ", %" PRIu64 "]",
			r->stamped, r->stage_ns[0], r->stage_ns[1],
			r->stage_ns[2], r->stage_ns[3]);
}

static void json_row(FILE *f, const struct bench_result *res, bool last)
{
	fprintf(f, "    { \"id\": ");
	json_str(f, res->def->id);
	fprintf(f, ", \"name\": ");
	json_str(f, res->def->name);
	fprintf(f, ", \"kind\": \"%s\", \"status\": \"%s\"",
		bench_kind_names[res->def->kind], bench_status_names[res->status]);
	if (res->status == BENCH_OK)
		json_row_values(f, res);
	if (res->med.note[0]) {
		fprintf(f, ", \"note\": ");
		json_str(f, res->med.note);
	}
	fprintf(f, " }%s\n", last ? "" : ",");
}

static void json_target(FILE *f, const struct bench_run *run,
			const struct bench_def *d, const struct bench_target *t,
			bool last)
{
	struct bench_verdict v;

	bench_eval(run, &run->res[d - bench_defs], t, &v);
	fprintf(f, "    { \"id\": ");
	json_str(f, t->id);
	fprintf(f, ", \"row\": ");
	json_str(f, d->id);
	fprintf(f, ", \"what\": ");
	json_str(f, t->what);
	fprintf(f, ", \"op\": \"%s\", \"target\": ", t->ge ? ">=" : "<=");
	json_num(f, t->limit);
	if (t->stretch) {
		fprintf(f, ", \"stretch\": ");
		json_num(f, t->stretch);
	}
	fprintf(f, ", \"status\": \"%s\"", bench_state_names[v.state]);
	if (v.state != BENCH_NOT_MEASURED) {
		fprintf(f, ", \"ratio\": ");
		json_num(f, v.ratio);
		if (v.n > 1) {
			fprintf(f, ", \"rounds\": %u, \"ratio_min\": ", v.n);
			json_num(f, v.lo);
			fprintf(f, ", \"ratio_max\": ");
			json_num(f, v.hi);
		}
		if (t->stretch)
			fprintf(f, ", \"stretch_met\": %s",
				v.stretch_met ? "true" : "false");
	} else {
		fprintf(f, ", \"missing\": ");
		json_str(f, v.missing->def->id);
	}
	if (v.ctx >= 0) {
		fprintf(f, ", \"context\": ");
		json_str(f, t->ctx_what);
		fprintf(f, ", \"context_ratio\": ");
		json_num(f, v.ctx);
	}
	fprintf(f, " }%s\n", last ? "" : ",");
}

/* The header: the machine and the run's parameters. */
static void json_head(FILE *f, const struct bench_run *run, const char *kernel,
		      int status)
{
	const struct bench_cfg *cfg = run->cfg;

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
	fprintf(f, "  \"iterations\": %u,\n  \"warmup\": %u,\n  \"repetitions\": %u,\n  \"message_bytes\": %d,\n",
		cfg->iters, cfg->warmup, cfg->reps, BENCH_MSG_SIZE);
	fprintf(f, "  \"elapsed_s\": ");
	json_num(f, run->elapsed_s);
	fprintf(f, ",\n  \"exit_status\": %d,\n", status);
}

void bench_print_json(FILE *f, const struct bench_run *run,
		      const char *kernel, int status)
{
	const struct bench_target *t, *last = NULL;
	const struct bench_def *d;
	unsigned int i;

	json_head(f, run, kernel, status);
	fprintf(f, "  \"results\": [\n");
	for (i = 0; i < run->n; i++)
		json_row(f, &run->res[i], i + 1 == run->n);
	fprintf(f, "  ],\n  \"targets\": [\n");
	for_each_target(d, t)
		last = t;
	for_each_target(d, t)
		json_target(f, run, d, t, t == last);
	fprintf(f, "  ]\n}\n");
}
