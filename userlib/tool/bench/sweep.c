// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev bench --sweep: how the cost grows.
 *
 * Each curve of the table below sweeps one parameter of one measurement
 * of device.c: the payload of sync upcalls (POLL and BLOCK servers), the
 * calls in flight (async upcalls to a POLL server on a queue that deep,
 * echo downcalls submitted that many per io_uring_enter()) and the queues
 * (echo downcalls on each, one caller per queue). A point is one call of
 * the row's measurement with the point's value in its struct bench_def
 * (size, depth or queues) and its iterations in its struct bench_cfg: the
 * measurement is the rows' own, not a copy.
 *
 * A value past what the driver allows ends its curve, with the reason:
 * payloads above RPCDEV_MAX_PAYLOAD, depths above RPCDEV_MAX_DEPTH, more
 * queues than the device has. Payloads above the default buffer are
 * upcalls on a queue of two slots of their size, as the 1 MiB row's.
 *
 * A point's iterations are the run's (-n, or the sweep's default): fewer
 * for payloads above RPCDEV_DEFAULT_BUF_SIZE (the same bytes per point,
 * at least SWEEP_MIN_ITERS), more for deep batches (at least
 * SWEEP_MIN_ROUNDS of them).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <linux/rpcdev.h>

#include "rpcdev.h"
#include "bench.h"
#include "../tool.h"

/* The fewest round trips of a payload's point. */
#define SWEEP_MIN_ITERS		50
/* The fewest batches of a point of the batch curve, per 1000 iterations. */
#define SWEEP_MIN_ROUNDS	10

/**
 * struct bench_curve - one curve of the sweep.
 * @id:		its key in the JSON.
 * @name:	its table's title.
 * @param:	what it sweeps.
 * @latency:	its points have latencies (p50, p99); else only a rate.
 * @unit:	the unit of its rate.
 * @def:	the measurement and its fixed arguments; the swept one is set
 *		per point.
 */
struct bench_curve {
	const char *id;
	const char *name;
	enum bench_sweep_param param;
	bool latency;
	const char *unit;
	struct bench_def def;
};

static const struct bench_curve bench_curves[] = {
	{
		.id = "size_poll", .name = "payload size: sync upcalls, POLL server, echoed",
		.param = BENCH_SWEEP_SIZE, .latency = true, .unit = "calls/s",
		.def = { .id = "size_poll", .device = BENCH_DEV_SIM,
			 .needs = RPCDEV_FEAT_USER_RINGS, .run = bench_upcalls,
			 .policy = RPCDEV_WAIT_POLL },
	}, {
		.id = "size_block", .name = "payload size: sync upcalls, BLOCK server, echoed",
		.param = BENCH_SWEEP_SIZE, .latency = true, .unit = "calls/s",
		.def = { .id = "size_block", .device = BENCH_DEV_SIM,
			 .run = bench_upcalls, .policy = RPCDEV_WAIT_BLOCK },
	}, {
		.id = "depth_async", .name = "in flight: async upcalls, 64 B, POLL server",
		.param = BENCH_SWEEP_DEPTH, .unit = "msg/s",
		.def = { .id = "depth_async", .device = BENCH_DEV_SIM,
			 .needs = RPCDEV_FEAT_USER_RINGS,
			 .run = bench_async_upcalls, .policy = RPCDEV_WAIT_POLL,
			 .size = BENCH_MSG_SIZE },
	}, {
		.id = "depth_uring", .name = "in flight: echo downcalls per io_uring_enter, 64 B (latency: of a batch)",
		.param = BENCH_SWEEP_DEPTH, .latency = true, .unit = "calls/s",
		.def = { .id = "depth_uring", .device = BENCH_DEV_SIM,
			 .needs = RPCDEV_FEAT_URING_CMD,
			 .run = bench_downcalls_uring, .flags = BENCH_BATCH },
	}, {
		.id = "queues", .name = "queues: echo downcalls, one caller per queue",
		.param = BENCH_SWEEP_QUEUES, .unit = "calls/s",
		.def = { .id = "queues", .device = BENCH_DEV_SIM,
			 .run_pair = bench_queues },
	},
};

#define BENCH_NR_CURVES	(sizeof(bench_curves) / sizeof(bench_curves[0]))

/* The values of each parameter, in order. */
static const uint64_t sweep_sizes[] = {
	0, 64, 256, 1U << 10, 4U << 10, 16U << 10, 64U << 10, 256U << 10,
	1U << 20, 4U << 20,
};
static const uint64_t sweep_depths[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256 };
static const uint64_t sweep_queues[] = { 1, 2, 3, 4 };

static const struct {
	const char *key;	/* the JSON's "param" */
	const char *head;	/* the table's first column */
	const uint64_t *v;
	unsigned int n;
} sweep_params[BENCH_SWEEP_NR] = {
	[BENCH_SWEEP_SIZE] = { "payload_bytes", "payload", sweep_sizes,
			       sizeof(sweep_sizes) / sizeof(sweep_sizes[0]) },
	[BENCH_SWEEP_DEPTH] = { "in_flight", "in flight", sweep_depths,
				sizeof(sweep_depths) / sizeof(sweep_depths[0]) },
	[BENCH_SWEEP_QUEUES] = { "queues", "queues", sweep_queues,
				 sizeof(sweep_queues) / sizeof(sweep_queues[0]) },
};

/* "64 B", "16 KiB", "1 MiB" */
static void sweep_fmt_size(char *buf, size_t len, uint64_t v)
{
	if (v >= (1U << 20) && !(v % (1U << 20)))
		snprintf(buf, len, "%" PRIu64 " MiB", v >> 20);
	else if (v >= (1U << 10) && !(v % (1U << 10)))
		snprintf(buf, len, "%" PRIu64 " KiB", v >> 10);
	else
		snprintf(buf, len, "%" PRIu64 " B", v);
}

static void sweep_fmt_value(char *buf, size_t len, enum bench_sweep_param p,
			    uint64_t v)
{
	if (p == BENCH_SWEEP_SIZE)
		sweep_fmt_size(buf, len, v);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

/*
 * Is @v past what the driver (or the device) allows for @p? Then true,
 * and why in @why.
 */
static bool sweep_past_limit(const struct bench_cfg *cfg,
			     enum bench_sweep_param p, uint64_t v, char *why,
			     size_t len)
{
	const struct bench_dev *dev = &cfg->dev[BENCH_DEV_SIM];
	char a[32], b[32];

	switch (p) {
	case BENCH_SWEEP_SIZE:
		if (v <= RPCDEV_MAX_PAYLOAD)
			return false;
		sweep_fmt_size(a, sizeof(a), v);
		sweep_fmt_size(b, sizeof(b), RPCDEV_MAX_PAYLOAD);
		snprintf(why, len, "%s is above the largest payload of a call, RPCDEV_MAX_PAYLOAD (%s)",
			 a, b);
		return true;
	case BENCH_SWEEP_DEPTH:
		if (v <= RPCDEV_MAX_DEPTH)
			return false;
		snprintf(why, len, "%" PRIu64 " is above the deepest queue, RPCDEV_MAX_DEPTH (%u)",
			 v, RPCDEV_MAX_DEPTH);
		return true;
	case BENCH_SWEEP_QUEUES:
		if (!dev->ok || v <= dev->nr_queues)
			return false;
		snprintf(why, len, "%s has %u queues", dev->path, dev->nr_queues);
		return true;
	case BENCH_SWEEP_NR:
		break;
	}
	return false;
}

/* Point @v of curve @c: its measurement's arguments and iterations. */
static void sweep_point_args(const struct bench_cfg *cfg,
			     const struct bench_curve *c, uint64_t v,
			     struct bench_cfg *pc, struct bench_def *pd)
{
	uint64_t n = cfg->iters;

	*pc = *cfg;
	*pd = c->def;
	pd->name = c->name;
	switch (c->param) {
	case BENCH_SWEEP_SIZE:
		pd->size = (uint32_t)v;
		if (v > RPCDEV_DEFAULT_BUF_SIZE)
			n = n * RPCDEV_DEFAULT_BUF_SIZE / v;
		if (n < SWEEP_MIN_ITERS)
			n = SWEEP_MIN_ITERS;
		break;
	case BENCH_SWEEP_DEPTH:
		pd->depth = (unsigned int)v;
		if (n < v * SWEEP_MIN_ROUNDS * cfg->iters / 1000)
			n = v * SWEEP_MIN_ROUNDS * cfg->iters / 1000;
		break;
	case BENCH_SWEEP_QUEUES:
		pd->queues = (unsigned int)v;
		break;
	case BENCH_SWEEP_NR:
		break;
	}
	pc->iters = (unsigned int)n;
	pc->warmup = pc->iters / 10;
	pc->rate_msgs = pc->iters;
}

/* Measure point @pt (its value set) of curve @c; fills its row. */
static int sweep_measure(const struct bench_cfg *cfg,
			 const struct bench_curve *c,
			 struct bench_sweep_point *pt)
{
	struct bench_row one = { .host_cpu = -1 };
	struct bench_cfg pc;
	struct bench_def pd;
	int ret;

	sweep_point_args(cfg, c, pt->value, &pc, &pd);
	pt->row.host_cpu = -1;
	ret = bench_can_run(cfg, &pd, &pt->row);
	if (ret)
		return ret;
	bench_log(cfg, "%s: %" PRIu64 " ...", c->name, pt->value);
	/* A pair's first row is the one queue it alternates with. */
	if (pd.run_pair)
		ret = pd.run_pair(&pc, &pd, &one, &pt->row);
	else
		ret = pd.run(&pc, &pd, &pt->row);
	if (ret && !pt->row.note[0])
		bench_note(&pt->row, "%s", one.note[0] ? one.note : strerror(-ret));
	return ret;
}

/*
 * The points of curve @cr, until the driver's limit or one that is not
 * measured; *@done counts them for the progress line.
 */
static void sweep_curve(struct bench_sweep *sw, struct bench_sweep_curve *cr,
			uint64_t *done, uint64_t total)
{
	const struct bench_cfg *cfg = sw->cfg;
	const struct bench_curve *c = cr->curve;
	unsigned int i, n = sweep_params[c->param].n;
	int ret;

	for (i = 0; i < n && i < BENCH_SWEEP_MAX_POINTS; i++) {
		struct bench_sweep_point *pt = &cr->pt[cr->n];
		uint64_t v = sweep_params[c->param].v[i];

		if (sweep_past_limit(cfg, c->param, v, cr->limit, sizeof(cr->limit)))
			break;
		tool_progress_set(cfg->progress, (*done)++, total, c->name);
		pt->value = v;
		cr->n++;
		ret = sweep_measure(cfg, c, pt);
		if (!ret) {
			pt->status = BENCH_OK;
			continue;
		}
		pt->status = ret == -EOPNOTSUPP ? BENCH_NA : BENCH_FAILED;
		if (ret != -EOPNOTSUPP)
			sw->failed = true;
		/* The rest would say the same. */
		break;
	}
}

int bench_sweep_run(const struct bench_cfg *cfg, struct bench_sweep *sw)
{
	uint64_t start = bench_now_ns(), done = 0, total = 0;
	unsigned int i;

	memset(sw, 0, sizeof(*sw));
	sw->cfg = cfg;
	sw->n = BENCH_NR_CURVES;
	sw->curves = calloc(sw->n, sizeof(*sw->curves));
	if (!sw->curves)
		return -ENOMEM;
	for (i = 0; i < sw->n; i++) {
		sw->curves[i].curve = &bench_curves[i];
		total += sweep_params[bench_curves[i].param].n;
	}
	for (i = 0; i < sw->n; i++)
		sweep_curve(sw, &sw->curves[i], &done, total);
	sw->elapsed_s = (double)(bench_now_ns() - start) / 1e9;
	return 0;
}

void bench_sweep_free(struct bench_sweep *sw)
{
	free(sw->curves);
	sw->curves = NULL;
}

/* One line of a curve's table. */
static void sweep_print_point(FILE *out, const struct bench_curve *c,
			      const struct bench_sweep_point *pt)
{
	char v[32], p50[32] = "-", p99[32] = "-", rate[40] = "-";
	const struct bench_row *r = &pt->row;

	sweep_fmt_value(v, sizeof(v), c->param, pt->value);
	if (pt->status != BENCH_OK) {
		const char *s = pt->status == BENCH_NA ? "n/a" : "FAILED";

		fprintf(out, "  %10s %10s %10s  %-18s  %s\n", v, s, s, s, r->note);
		return;
	}
	if (c->latency) {
		bench_fmt_us(p50, sizeof(p50), r->lat.p50);
		bench_fmt_us(p99, sizeof(p99), r->lat.p99);
	}
	if (r->rate > 0)
		bench_fmt_rate(rate, sizeof(rate), r->rate, c->unit);
	fprintf(out, "  %10s %10s %10s  %-18s %8" PRIu64 "\n", v, p50, p99,
		rate, r->lat.n);
}

void bench_sweep_print(FILE *out, const struct bench_sweep *sw)
{
	unsigned int i, j;

	if (sw->cfg->quick)
		fprintf(out, "sweep with --quick: few iterations per point, the figures are indicative\n");
	for (i = 0; i < sw->n; i++) {
		const struct bench_sweep_curve *cr = &sw->curves[i];
		const struct bench_curve *c = cr->curve;

		fprintf(out, "\nsweep: %s\n  %10s %10s %10s  %-18s %8s\n",
			c->name, sweep_params[c->param].head, "p50 us",
			"p99 us", "rate", "n");
		for (j = 0; j < cr->n; j++)
			sweep_print_point(out, c, &cr->pt[j]);
		if (cr->limit[0])
			fprintf(out, "  (stops there: %s)\n", cr->limit);
		else if (c->param == BENCH_SWEEP_DEPTH &&
			 cr->n == sweep_params[c->param].n)
			fprintf(out, "  (up to RPCDEV_MAX_DEPTH, %u: the deepest queue the driver allows)\n",
				RPCDEV_MAX_DEPTH);
	}
}

#define jadd	json_object_object_add

static struct json_object *sweep_json_point(const struct bench_curve *c,
					    const struct bench_sweep_point *pt)
{
	struct json_object *o = json_object_new_object();
	const struct bench_row *r = &pt->row;

	jadd(o, "value", json_object_new_uint64(pt->value));
	jadd(o, "status", json_object_new_string(bench_status_names[pt->status]));
	if (pt->status == BENCH_OK) {
		jadd(o, "samples", json_object_new_uint64(r->lat.n));
		if (c->latency) {
			jadd(o, "p50_ns", json_object_new_uint64(r->lat.p50));
			jadd(o, "p99_ns", json_object_new_uint64(r->lat.p99));
		}
		jadd(o, "rate", tool_json_num(r->rate));
		jadd(o, "host_cpu_pct", r->host_cpu >= 0 ?
		     tool_json_num(r->host_cpu) : NULL);
	}
	if (r->note[0])
		jadd(o, "note", json_object_new_string(r->note));
	return o;
}

static struct json_object *sweep_json_curve(const struct bench_sweep_curve *cr)
{
	const struct bench_curve *c = cr->curve;
	struct json_object *o = json_object_new_object();
	struct json_object *a = json_object_new_array();
	unsigned int i;

	jadd(o, "id", json_object_new_string(c->id));
	jadd(o, "name", json_object_new_string(c->name));
	jadd(o, "param", json_object_new_string(sweep_params[c->param].key));
	jadd(o, "latency", json_object_new_boolean(c->latency));
	jadd(o, "rate_unit", json_object_new_string(c->unit));
	jadd(o, "limit", cr->limit[0] ? json_object_new_string(cr->limit) : NULL);
	for (i = 0; i < cr->n; i++)
		json_object_array_add(a, sweep_json_point(c, &cr->pt[i]));
	/* Last: the longest part of the line. */
	jadd(o, "points", a);
	return o;
}

struct json_object *bench_sweep_json(const struct bench_sweep *sw)
{
	struct json_object *a = json_object_new_array();
	unsigned int i;

	for (i = 0; i < sw->n; i++)
		json_object_array_add(a, sweep_json_curve(&sw->curves[i]));
	return a;
}
