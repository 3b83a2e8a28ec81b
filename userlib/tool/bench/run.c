// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev bench: the runner.
 *
 * Every row asked for is measured cfg->reps times, in rounds: each round
 * measures every row once, in the table's order, and the next round in the
 * reverse order, so that a row and the baseline it is compared with
 * alternate and a slow stretch of the machine falls on both. A row's
 * numbers are the medians over its repetitions; a target's ratio is the
 * median of the ratios of each round (row and baseline of the same round),
 * given with their spread. With one repetition, that is the one run.
 *
 * A row whose device is missing fails (the bench exits 1); one whose
 * device lacks a feature it needs is n/a; a row that failed or was n/a in
 * one round is not run again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rpcdev.h"
#include "bench.h"
#include "../tool.h"

int bench_check_only(const char *only)
{
	const char *p = only;

	while (p && *p) {
		size_t n = strcspn(p, ",");

		if (bench_find(p, n) < 0)
			return -1;
		p += n;
		if (*p)
			p++;
	}
	return 0;
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

const struct bench_result *bench_result_of(const struct bench_run *run,
					   const char *id)
{
	int i = bench_find(id, strlen(id));

	return i < 0 ? NULL : &run->res[i];
}

/* The next repetition of @res's row, after its measurement returned @ret. */
static void bench_record(struct bench_run *run, struct bench_result *res,
			 int ret)
{
	struct bench_row *row = &res->reps[res->nreps];

	if (!ret) {
		res->nreps++;
		res->status = res->nreps == run->cfg->reps ? BENCH_OK :
			      BENCH_PENDING;
		return;
	}
	if (ret == -EOPNOTSUPP) {
		res->status = BENCH_NA;
	} else {
		res->status = BENCH_FAILED;
		run->failed = true;
		if (!row->note[0])
			bench_note(row, "%s", strerror(-ret));
	}
	/* The reason is the row's note. */
	memcpy(res->med.note, row->note, sizeof(res->med.note));
}

/* Still to measure in this run: asked for, not given up on. */
static bool bench_wanted(const struct bench_result *res)
{
	return res && res->status == BENCH_PENDING;
}

int bench_can_run(const struct bench_cfg *cfg,
			 const struct bench_def *def, struct bench_row *row)
{
	const struct bench_dev *dev = &cfg->dev[def->device];
	uint64_t missing;
	unsigned int bit;

	if (def->device == BENCH_DEV_NONE)
		return 0;
	if (!dev->ok) {
		bench_note(row, "%s", dev->why);
		return -ENODEV;
	}
	missing = def->needs & ~dev->features;
	if (!missing)
		return 0;
	bit = (unsigned int)__builtin_ctzll(missing);
	bench_note(row, "needs the driver's %s feature, which %s lacks",
		   rpcdev_feature_name(bit) ? rpcdev_feature_name(bit) : "?",
		   dev->path);
	return -EOPNOTSUPP;
}

/* Measure row @i (and its pair) once. */
static void bench_run_one(struct bench_run *run, unsigned int i)
{
	const struct bench_cfg *cfg = run->cfg;
	const struct bench_def *def = &bench_defs[i];
	struct bench_result *one = &run->res[i], *two = NULL;
	struct bench_row *r1, *r2 = NULL;
	const char *name;
	int ret;

	if (!def->run && !def->run_pair)
		return;		/* the second of a pair: its first measures it */
	if (def->pair)
		two = (struct bench_result *)bench_result_of(run, def->pair);
	if (!bench_wanted(one))
		one = NULL;
	if (!bench_wanted(two))
		two = NULL;
	if (!one && !two)
		return;
	r1 = one ? &one->reps[one->nreps] : NULL;
	r2 = two ? &two->reps[two->nreps] : NULL;
	name = one ? def->name : two->def->name;
	ret = bench_can_run(cfg, def, r1 ? r1 : r2);
	if (!ret) {
		bench_log(cfg, "%s%s ...", name, one && two ? " and the next" : "");
		if (def->run_pair)
			ret = def->run_pair(cfg, def, r1, r2);
		else
			ret = def->run(cfg, def, r1);
		bench_log(cfg, "%s: %s", name, !ret ? "done" :
			  ret == -EOPNOTSUPP ? "n/a" : "FAILED");
	} else if (r1 && r2) {
		memcpy(r2->note, r1->note, sizeof(r2->note));
	}
	if (one)
		bench_record(run, one, ret);
	if (two)
		bench_record(run, two, ret);
}

/* Median of the uint64_t at @off in each of @n rows. */
static uint64_t bench_med_u64(const struct bench_row *rows, unsigned int n,
			      size_t off)
{
	uint64_t v[BENCH_MAX_REPS];
	unsigned int i;

	for (i = 0; i < n; i++)
		memcpy(&v[i], (const char *)&rows[i] + off, sizeof(v[i]));
	return bench_median_u64(v, n);
}

static double bench_med_dbl(const struct bench_row *rows, unsigned int n,
			    size_t off)
{
	double v[BENCH_MAX_REPS];
	unsigned int i;

	for (i = 0; i < n; i++)
		memcpy(&v[i], (const char *)&rows[i] + off, sizeof(v[i]));
	return bench_median(v, n);
}

/* @res->med from its repetitions: each number's median, the counts summed. */
static void bench_summarize(struct bench_result *res)
{
	static const size_t u64s[] = {
		offsetof(struct bench_row, lat.min),
		offsetof(struct bench_row, lat.p50),
		offsetof(struct bench_row, lat.p99),
		offsetof(struct bench_row, lat.p999),
		offsetof(struct bench_row, lat.max),
		offsetof(struct bench_row, lat.mean),
		offsetof(struct bench_row, stage_ns[0]),
		offsetof(struct bench_row, stage_ns[1]),
		offsetof(struct bench_row, stage_ns[2]),
		offsetof(struct bench_row, stage_ns[3]),
	};
	static const size_t dbls[] = {
		offsetof(struct bench_row, rate),
		offsetof(struct bench_row, cost_ns),
		offsetof(struct bench_row, host_cpu),
	};
	struct bench_row *m = &res->med;
	unsigned int i, n = res->nreps;
	uint64_t v;
	double d;

	if (res->status != BENCH_OK)
		return;
	if (n == 1) {
		*m = res->reps[0];
		return;
	}
	for (i = 0; i < sizeof(u64s) / sizeof(u64s[0]); i++) {
		v = bench_med_u64(res->reps, n, u64s[i]);
		memcpy((char *)m + u64s[i], &v, sizeof(v));
	}
	for (i = 0; i < sizeof(dbls) / sizeof(dbls[0]); i++) {
		d = bench_med_dbl(res->reps, n, dbls[i]);
		memcpy((char *)m + dbls[i], &d, sizeof(d));
	}
	m->lat.ncdf = res->reps[0].lat.ncdf;
	for (i = 0; i < m->lat.ncdf; i++) {
		v = bench_med_u64(res->reps, n, offsetof(struct bench_row, lat.cdf) +
				  i * sizeof(m->lat.cdf[0]));
		m->lat.cdf[i] = v;
	}
	m->clock = res->reps[0].clock;
	m->stamped = res->reps[0].stamped;
	m->lat.n = 0;
	for (i = 0; i < n; i++) {
		m->lat.n += res->reps[i].lat.n;
		if (!m->note[0])
			memcpy(m->note, res->reps[i].note, sizeof(m->note));
	}
}

int bench_run_rows(const struct bench_cfg *cfg, const char *only,
		   struct bench_run *run)
{
	uint64_t start = bench_now_ns(), done = 0, total = 0;
	unsigned int i, r, k;

	memset(run, 0, sizeof(*run));
	run->cfg = cfg;
	run->n = bench_nr_defs;
	run->res = calloc(run->n, sizeof(*run->res));
	if (!run->res)
		return -ENOMEM;
	for (i = 0; i < run->n; i++) {
		struct bench_result *res = &run->res[i];

		res->def = &bench_defs[i];
		res->status = BENCH_SKIPPED;
		res->med.host_cpu = -1;
		if (!bench_selected(only, res->def->id))
			continue;
		res->status = BENCH_PENDING;
		total += cfg->reps;
		res->reps = calloc(cfg->reps, sizeof(*res->reps));
		if (!res->reps) {
			bench_run_free(run);
			return -ENOMEM;
		}
		for (k = 0; k < cfg->reps; k++)
			res->reps[k].host_cpu = -1;
	}
	for (r = 0; r < cfg->reps; r++) {
		if (cfg->reps > 1)
			bench_log(cfg, "round %u of %u", r + 1, cfg->reps);
		for (k = 0; k < run->n; k++) {
			i = r & 1 ? run->n - 1 - k : k;
			if (!run->res[i].reps)	/* not asked for */
				continue;
			tool_progress_set(cfg->progress, done++, total,
					  run->res[i].def->name);
			bench_run_one(run, i);
		}
	}
	for (i = 0; i < run->n; i++)
		bench_summarize(&run->res[i]);
	run->elapsed_s = (double)(bench_now_ns() - start) / 1e9;
	return 0;
}

void bench_run_free(struct bench_run *run)
{
	unsigned int i;

	for (i = 0; run->res && i < run->n; i++)
		free(run->res[i].reps);
	free(run->res);
	run->res = NULL;
}

/* The value @v of @row, a row of kind @kind (a latency's p50 for a cost). */
static double bench_value(const struct bench_row *row, enum bench_kind kind,
			  enum bench_val v)
{
	switch (v) {
	case BENCH_V_P50:
		return (double)row->lat.p50;
	case BENCH_V_RATE:
		return row->rate;
	case BENCH_V_COST:
		return kind == BENCH_COST ? row->cost_ns : (double)row->lat.p50;
	case BENCH_V_CPU:
		return row->host_cpu;
	}
	return 0;
}

/*
 * The ratios of @num's value over @den's (NULL: @num's value alone), one
 * per repetition, into @ratio; how many, or 0 (and the row without a
 * result in *@missing) when there are none.
 */
static unsigned int bench_ratios(const struct bench_result *num,
				 const struct bench_result *den,
				 enum bench_val v, double *ratio,
				 const struct bench_result **missing)
{
	unsigned int r;
	double a, b;

	*missing = num;
	if (num->status != BENCH_OK)
		return 0;
	if (den && den->status != BENCH_OK) {
		*missing = den;
		return 0;
	}
	for (r = 0; r < num->nreps; r++) {
		a = bench_value(&num->reps[r], num->def->kind, v);
		if (!den) {
			if (a < 0)
				return 0;
			ratio[r] = a;
			continue;
		}
		b = bench_value(&den->reps[r], den->def->kind, v);
		if (b <= 0) {
			*missing = den;
			return 0;
		}
		ratio[r] = a / b;
	}
	return num->nreps;
}

void bench_eval(const struct bench_run *run, const struct bench_result *owner,
		const struct bench_target *t, struct bench_verdict *v)
{
	const struct bench_result *num = owner, *den = NULL, *miss;
	double ratio[BENCH_MAX_REPS];
	unsigned int n;

	memset(v, 0, sizeof(*v));
	v->state = BENCH_NOT_MEASURED;
	v->ctx = -1;
	if (t->base) {
		den = bench_result_of(run, t->base);
		if (t->base_over_row) {
			num = den;
			den = owner;
		}
	}
	if (t->ctx_what) {
		n = bench_ratios(bench_result_of(run, t->ctx_num),
				 bench_result_of(run, t->ctx_den), t->val,
				 ratio, &miss);
		if (n)
			v->ctx = bench_median(ratio, n);
	}
	n = bench_ratios(num, den, t->val, ratio, &v->missing);
	if (!n)
		return;
	v->n = n;
	v->ratio = bench_median(ratio, n);	/* sorts them */
	v->lo = ratio[0];
	v->hi = ratio[n - 1];
	v->missing = NULL;
	if (t->ge) {
		v->state = v->ratio >= t->limit ? BENCH_MET : BENCH_NOT_MET;
		v->stretch_met = t->stretch && v->ratio >= t->stretch;
	} else {
		v->state = v->ratio <= t->limit ? BENCH_MET : BENCH_NOT_MET;
		v->stretch_met = t->stretch && v->ratio <= t->stretch;
	}
	/* Or as close to what the machine itself reaches as allowed. */
	if (v->state == BENCH_NOT_MET && t->ctx_within && v->ctx > 0 &&
	    (t->ge ? v->ratio >= v->ctx * (1 - t->ctx_within) :
		     v->ratio <= v->ctx * (1 + t->ctx_within))) {
		v->state = BENCH_MET;
		v->ctx_met = true;
	}
}
