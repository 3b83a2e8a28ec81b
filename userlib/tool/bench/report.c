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
#include <json-c/json.h>

#include "bench.h"
#include "../tool.h"

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

void bench_fmt_rate(char *buf, size_t len, double v, const char *unit)
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

void bench_fmt_us(char *buf, size_t len, uint64_t ns)
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

/*
 * "<= 1.50x", then ", stretch <= 0.70x" or ", or within 5 % of the
 * context's".
 */
static void bench_fmt_limit(char *buf, size_t len, const struct bench_target *t)
{
	const char *op = t->ge ? ">=" : "<=";
	char lim[32], str[32];
	int n;

	bench_fmt_ratio(lim, sizeof(lim), t, t->limit);
	n = snprintf(buf, len, "%s %s", op, lim);
	if (t->stretch && n >= 0 && (size_t)n < len) {
		bench_fmt_ratio(str, sizeof(str), t, t->stretch);
		n += snprintf(buf + n, len - n, ", stretch %s %s", op, str);
	}
	if (t->ctx_within && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, ", or within %g %% of the ceiling",
			 t->ctx_within * 100);
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
	if (v.ctx_met)
		fprintf(out, " (within %g %% of the ceiling)", t->ctx_within * 100);
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

/* JSON, with json-c. */
#define jadd	json_object_object_add
#define jstr	json_object_new_string

/* A number that may be unknown (negative): null then. */
static struct json_object *json_opt(double v)
{
	return v >= 0 ? tool_json_num(v) : NULL;
}

/*
 * The latency distribution of a row: quantiles q (fractions) and their
 * round trips, ns. A host-timed row has the BENCH_CDF_POINTS of its
 * samples; a device-timed one the five the device reports.
 */
static struct json_object *json_cdf(const struct bench_stats *st)
{
	static const unsigned int dev_q[] = { 0, 5000, 9900, 9990, 10000 };
	const uint64_t dev_ns[] = { st->min, st->p50, st->p99, st->p999, st->max };
	struct json_object *o = json_object_new_object();
	struct json_object *q = json_object_new_array();
	struct json_object *ns = json_object_new_array();
	unsigned int i, n = st->ncdf ? BENCH_CDF_POINTS : 5;

	for (i = 0; i < n; i++) {
		json_object_array_add(q, tool_json_num(
			(st->ncdf ? bench_cdf_q[i] : dev_q[i]) / 10000.0));
		json_object_array_add(ns, json_object_new_uint64(
			st->ncdf ? st->cdf[i] : dev_ns[i]));
	}
	jadd(o, "q", q);
	jadd(o, "ns", ns);
	return o;
}

/* The numbers of a row that ran. */
static void json_row_values(struct json_object *o, const struct bench_result *res)
{
	const struct bench_def *d = res->def;
	const struct bench_row *r = &res->med;

	jadd(o, "clock", jstr(r->clock ? r->clock : "host"));
	jadd(o, "samples", json_object_new_uint64(r->lat.n));
	if (d->kind == BENCH_LATENCY) {
		jadd(o, "min_ns", json_object_new_uint64(r->lat.min));
		jadd(o, "p50_ns", json_object_new_uint64(r->lat.p50));
		jadd(o, "p99_ns", json_object_new_uint64(r->lat.p99));
		jadd(o, "p999_ns", json_object_new_uint64(r->lat.p999));
		jadd(o, "max_ns", json_object_new_uint64(r->lat.max));
		jadd(o, "mean_ns", json_object_new_uint64(r->lat.mean));
	}
	if (d->unit && r->rate > 0) {
		jadd(o, "rate", tool_json_num(r->rate));
		jadd(o, "rate_unit", jstr(d->unit));
	}
	if (d->kind == BENCH_COST)
		jadd(o, "ns_per_op", tool_json_num(r->cost_ns));
	jadd(o, "host_cpu_pct", json_opt(r->host_cpu));
	if (r->stamped) {
		struct json_object *st = json_object_new_array();
		unsigned int i;

		for (i = 0; i < 4; i++)
			json_object_array_add(st, json_object_new_uint64(r->stage_ns[i]));
		jadd(o, "stamped", json_object_new_int64(r->stamped));
		jadd(o, "stages_ns", st);
	}
}

static struct json_object *json_row(const struct bench_result *res)
{
	struct json_object *o = json_object_new_object();

	jadd(o, "id", jstr(res->def->id));
	jadd(o, "name", jstr(res->def->name));
	jadd(o, "kind", jstr(bench_kind_names[res->def->kind]));
	jadd(o, "status", jstr(bench_status_names[res->status]));
	if (res->status == BENCH_OK)
		json_row_values(o, res);
	if (res->med.note[0])
		jadd(o, "note", jstr(res->med.note));
	/* Last: the longest part of the line. */
	if (res->status == BENCH_OK && res->def->kind == BENCH_LATENCY)
		jadd(o, "cdf", json_cdf(&res->med.lat));
	return o;
}

static struct json_object *json_target(const struct bench_run *run,
				       const struct bench_def *d,
				       const struct bench_target *t)
{
	struct json_object *o = json_object_new_object();
	struct bench_verdict v;

	bench_eval(run, &run->res[d - bench_defs], t, &v);
	jadd(o, "id", jstr(t->id));
	jadd(o, "row", jstr(d->id));
	jadd(o, "what", jstr(t->what));
	jadd(o, "op", jstr(t->ge ? ">=" : "<="));
	jadd(o, "target", tool_json_num(t->limit));
	if (t->stretch)
		jadd(o, "stretch", tool_json_num(t->stretch));
	jadd(o, "status", jstr(bench_state_names[v.state]));
	if (v.state != BENCH_NOT_MEASURED) {
		jadd(o, "ratio", tool_json_num(v.ratio));
		if (v.n > 1) {
			jadd(o, "rounds", json_object_new_int64(v.n));
			jadd(o, "ratio_min", tool_json_num(v.lo));
			jadd(o, "ratio_max", tool_json_num(v.hi));
		}
		if (t->stretch)
			jadd(o, "stretch_met", json_object_new_boolean(v.stretch_met));
		if (t->ctx_within)
			jadd(o, "met_by_ceiling", json_object_new_boolean(v.ctx_met));
	} else {
		jadd(o, "missing", jstr(v.missing->def->id));
	}
	if (t->ctx_within)
		jadd(o, "within_ceiling", tool_json_num(t->ctx_within));
	if (v.ctx >= 0) {
		jadd(o, "context", jstr(t->ctx_what));
		jadd(o, "context_ratio", tool_json_num(v.ctx));
	}
	return o;
}

struct json_object *bench_json_head(const struct bench_cfg *cfg,
				    const char *kernel, double elapsed_s,
				    int status)
{
	struct json_object *o = json_object_new_object(), *cpus;

	jadd(o, "tool", jstr("rpcdev bench"));
	jadd(o, "format", json_object_new_int(2));
	jadd(o, "kernel", jstr(kernel));
	cpus = json_object_new_object();
	jadd(cpus, "available", json_object_new_int(cfg->ncpus));
	jadd(cpus, "device", json_object_new_int(cfg->dev_cpu));
	jadd(cpus, "host", json_object_new_int(cfg->host_cpu));
	jadd(cpus, "firmware_pinned", json_object_new_boolean(cfg->fw_pinned));
	jadd(o, "cpus", cpus);
	jadd(o, "firmware_spin_us", cfg->fw_spin_us >= 0 ?
	     json_object_new_int(cfg->fw_spin_us) : NULL);
	jadd(o, "iterations", json_object_new_int64(cfg->iters));
	jadd(o, "warmup", json_object_new_int64(cfg->warmup));
	jadd(o, "repetitions", json_object_new_int64(cfg->reps));
	jadd(o, "message_bytes", json_object_new_int(BENCH_MSG_SIZE));
	jadd(o, "elapsed_s", tool_json_num(elapsed_s));
	jadd(o, "exit_status", json_object_new_int(status));
	return o;
}

struct json_object *bench_json(const struct bench_run *run, const char *kernel,
			       int status)
{
	struct json_object *o, *a;
	const struct bench_target *t;
	const struct bench_def *d;
	unsigned int i;

	o = bench_json_head(run->cfg, kernel, run->elapsed_s, status);
	a = json_object_new_array();
	for (i = 0; i < run->n; i++)
		json_object_array_add(a, json_row(&run->res[i]));
	jadd(o, "results", a);
	a = json_object_new_array();
	for_each_target(d, t)
		json_object_array_add(a, json_target(run, d, t));
	jadd(o, "targets", a);
	return o;
}
