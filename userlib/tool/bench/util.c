// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev bench: clocks, pinning, percentiles and medians, threads, scaling
 * runs and rpcdev_sim's module parameters.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define BENCH_SIM_PARAMS	"/sys/module/rpcdev_sim/parameters/"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

double bench_cpu_pct(uint64_t cpu_ns, uint64_t wall_ns)
{
	return wall_ns ? 100.0 * (double)cpu_ns / (double)wall_ns : -1;
}

uint64_t bench_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int bench_pin(int cpu)
{
	cpu_set_t set;
	int ret;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ret = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	return -ret;
}

static int bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

const unsigned int bench_cdf_q[BENCH_CDF_POINTS] = {
	0, 100, 200, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500,
	5000, 5500, 6000, 6500, 7000, 7500, 8000, 8500, 9000, 9500, 9700,
	9800, 9900, 9950, 9980, 9990, 9995, 9999, 10000,
};

void bench_stats_from(uint64_t *s, size_t n, struct bench_stats *st)
{
	unsigned __int128 sum = 0;
	size_t i;

	memset(st, 0, sizeof(*st));
	if (!n)
		return;
	qsort(s, n, sizeof(*s), bench_cmp_u64);
	for (i = 0; i < n; i++)
		sum += s[i];
	st->n = n;
	st->min = s[0];
	st->p50 = s[n / 2];
	st->p99 = s[(unsigned __int128)n * 99 / 100];
	st->p999 = s[(unsigned __int128)n * 999 / 1000];
	st->max = s[n - 1];
	st->mean = (uint64_t)(sum / n);
	for (i = 0; i < BENCH_CDF_POINTS; i++)
		st->cdf[i] = s[(unsigned __int128)(n - 1) * bench_cdf_q[i] / 10000];
	st->ncdf = BENCH_CDF_POINTS;
}

uint64_t bench_median_u64(uint64_t *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), bench_cmp_u64);
	return v[n / 2];
}

static int bench_cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), bench_cmp_dbl);
	return v[n / 2];
}

void bench_note(struct bench_row *row, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(row->note, sizeof(row->note), fmt, ap);
	va_end(ap);
}

void bench_log(const struct bench_cfg *cfg, const char *fmt, ...)
{
	va_list ap;

	if (!cfg->verbose)
		return;
	fputs("rpcdev bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void *bench_trampoline(void *arg)
{
	struct bench_thread *t = arg;

	t->ret = bench_pin(t->cpu);
	if (!t->ret)
		t->ret = t->fn(t->arg);
	return NULL;
}

int bench_spawn(struct bench_thread *t, int cpu, int (*fn)(void *), void *arg)
{
	int ret;

	t->cpu = cpu;
	t->fn = fn;
	t->arg = arg;
	t->ret = 0;
	ret = pthread_create(&t->tid, NULL, bench_trampoline, t);
	t->started = !ret;
	return -ret;
}

int bench_join(struct bench_thread *t)
{
	if (!t->started)
		return 0;
	pthread_join(t->tid, NULL);
	t->started = false;
	return t->ret;
}

int bench_sim_param_get(const char *name, int *val)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), BENCH_SIM_PARAMS "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	*val = atoi(buf);
	return 0;
}

/* Async-signal-safe: the bench's time limit gives fw_cpu back with it. */
int bench_sim_param_set(const char *name, int val)
{
	char buf[16], *p = buf + sizeof(buf), path[128];
	unsigned int v = val < 0 ? 0U - (unsigned int)val : (unsigned int)val;
	size_t n = strlen(BENCH_SIM_PARAMS), m = strlen(name);
	int fd, len, ret = 0;

	if (n + m >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, BENCH_SIM_PARAMS, n);
	memcpy(path + n, name, m + 1);

	*--p = '\n';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (val < 0)
		*--p = '-';
	len = (int)(buf + sizeof(buf) - p);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, p, (size_t)len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The start of a segment's lanes: they wait until every one of them is
 * there (go), or until a lane could not be started (abort).
 */
struct scale_start {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int state;		/* 0: wait, 1: go, -1: abort */
};

/* Set @st's state to @state and wake the lanes. */
static void scale_start_set(struct scale_start *st, int state)
{
	pthread_mutex_lock(&st->lock);
	st->state = state;
	pthread_cond_broadcast(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

/* Wait for the go: true, or false when the segment was called off. */
static bool scale_start_wait(struct scale_start *st)
{
	int state;

	pthread_mutex_lock(&st->lock);
	while (!st->state)
		pthread_cond_wait(&st->cond, &st->lock);
	state = st->state;
	pthread_mutex_unlock(&st->lock);
	return state > 0;
}

/* One lane of a scaling segment. */
struct scale_lane {
	struct bench_scale *sc;
	unsigned int idx;
	uint64_t seg_ns;
	struct scale_start *start;
	uint64_t ops, cpu_ns, wall_ns;
};

static int scale_lane_run(void *arg)
{
	struct scale_lane *l = arg;
	uint64_t cpu0, wall0, deadline;
	int ret = 0;

	if (!scale_start_wait(l->start))
		return 0;
	cpu0 = bench_thread_cpu_ns();
	wall0 = bench_now_ns();
	deadline = wall0 + l->seg_ns;
	do {
		ret = l->sc->op(l->sc->ctx, l->idx);
		l->ops++;
	} while (!ret && bench_now_ns() < deadline);
	l->wall_ns = bench_now_ns() - wall0;
	l->cpu_ns = bench_thread_cpu_ns() - cpu0;
	return ret;
}

int bench_scale_cpu(const struct bench_cfg *cfg, unsigned int lane)
{
	return lane & 1 ? cfg->host_cpu : cfg->dev_cpu;
}

/*
 * One segment of @sc with @lanes lanes at once (1, or sc->lanes); adds to
 * @sc's sums of slot @k (0: one lane, 1: the many).
 */
static int scale_segment(const struct bench_cfg *cfg, struct bench_scale *sc,
			 unsigned int k, uint64_t seg_ns)
{
	struct bench_thread t[BENCH_MAX_LANES] = { { 0 } };
	struct scale_lane l[BENCH_MAX_LANES];
	unsigned int i, started = 0, lanes = k ? sc->lanes : 1;
	struct scale_start start = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	uint64_t wall = 0;
	int ret = 0, r;

	memset(l, 0, sizeof(l));
	for (i = 0; i < lanes; i++) {
		l[i].sc = sc;
		l[i].idx = i;
		l[i].seg_ns = seg_ns;
		l[i].start = &start;
		ret = bench_spawn(&t[i], bench_scale_cpu(cfg, i),
				  scale_lane_run, &l[i]);
		if (ret)
			break;
		started++;
	}
	/* All at once, or none when one could not start. */
	scale_start_set(&start, ret ? -1 : 1);
	for (i = 0; i < started; i++) {
		r = bench_join(&t[i]);
		if (r && !ret)
			ret = r;
	}
	pthread_cond_destroy(&start.cond);
	pthread_mutex_destroy(&start.lock);
	if (ret)
		return ret;
	for (i = 0; i < lanes; i++) {
		sc->ops[k] += l[i].ops;
		sc->lane_ns[k] += l[i].wall_ns;
		sc->cpu_ns[k] += l[i].cpu_ns;
		if (l[i].wall_ns > wall)
			wall = l[i].wall_ns;
	}
	sc->wall_ns[k] += wall;
	return 0;
}

int bench_scale_run(const struct bench_cfg *cfg, struct bench_scale *sc,
		    struct bench_row *one, struct bench_row *two)
{
	uint64_t seg_ns = (uint64_t)cfg->rate_ms * 1000000ULL / BENCH_SCALE_ROUNDS;
	unsigned int r, k;
	int ret;

	if (!sc->lanes)
		sc->lanes = 2;
	if (sc->lanes > BENCH_MAX_LANES)
		return -EINVAL;
	memset(sc->ops, 0, sizeof(sc->ops));
	memset(sc->lane_ns, 0, sizeof(sc->lane_ns));
	memset(sc->wall_ns, 0, sizeof(sc->wall_ns));
	memset(sc->cpu_ns, 0, sizeof(sc->cpu_ns));
	/* Alternate, so that a slow moment of the machine hits both. */
	for (r = 0; r < BENCH_SCALE_ROUNDS; r++) {
		ret = scale_segment(cfg, sc, r & 1 ? 1 : 0, seg_ns);
		if (!ret)
			ret = scale_segment(cfg, sc, r & 1 ? 0 : 1, seg_ns);
		if (ret)
			return ret;
	}
	for (k = 0; k < 2; k++) {
		struct bench_row *row = k ? two : one;
		/* Each lane's rate is its ops over its own time; lanes add up. */
		double rate = sc->lane_ns[k] ?
			1e9 * (double)sc->ops[k] / (double)sc->lane_ns[k] *
			(k ? sc->lanes : 1) : 0;

		if (!row)
			continue;
		row->rate = rate;
		row->lat.n = sc->ops[k];
		row->host_cpu = bench_cpu_pct(sc->cpu_ns[k], sc->wall_ns[k]);
	}
	return 0;
}
