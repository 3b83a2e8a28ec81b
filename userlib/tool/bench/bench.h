/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * rpcdev bench: what the measurements share.
 *
 * The files of this folder:
 *   rows.c       the table of rows: what each runs, what it is compared
 *                with and the target it must meet. The one place a row is
 *                defined: adding a row is one entry there (and, for a new
 *                kind of measurement, its function in one of the files
 *                below).
 *   run.c        the runner: picks the rows (--only), checks what they
 *                need, repeats them in alternating rounds, takes medians
 *                and evaluates the targets.
 *   report.c     the table, where an upcall's time goes, the targets'
 *                lines, the JSON (json-c) and --list.
 *   sweep.c      --sweep: how latency and rate grow with the payload, the
 *                calls in flight and the queues, one curve per entry of
 *                its table, each point one call of a measurement below.
 *   plot.c       --plot: the latency rows' CDFs, drawn by gnuplot (and
 *                the sweep's curves).
 *   cmd_bench.c  the command line and the setup (CPUs, rpcdev_sim's
 *                parameters, the time limit).
 *   baselines.c  measurements without the device (shared memory, eventfd,
 *                pipe, UNIX socket, TCP loopback, pipe message rate,
 *                memcpy, system call loop).
 *   device.c     measurements on the simulated device (upcalls,
 *                downcalls, async upcalls, 1 MiB payloads, two queues,
 *                upcalls on two queues, the mailbox check).
 *   util.c       clocks, pinning, percentiles, threads, scaling runs and
 *                rpcdev_sim's module parameters.
 *
 * Every measurement is one function filling one struct bench_row (or two,
 * for a pair measured together); it returns 0 when it ran, -EOPNOTSUPP
 * when it cannot run yet (the row then says "n/a", which is not a failure)
 * or another negative errno when it failed (the bench then exits 1).
 */
#ifndef RPCDEV_TOOL_BENCH_H
#define RPCDEV_TOOL_BENCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct rpcdev;

struct tool_progress;

/* The payload of the small-message measurements, in bytes. */
#define BENCH_MSG_SIZE		64
/* The large payload. */
#define BENCH_BIG_SIZE		(1U << 20)
/* Most repetitions of a row in one run (--repeat). */
#define BENCH_MAX_REPS		99
/* Rounds whose medians make ratios that hold from run to run. */
#define BENCH_MIN_REPS		5
/* Most targets one row carries. */
#define BENCH_MAX_TARGETS	3

/*
 * The devices a row may need. Each has its path on the command line and is
 * checked once before the rows run; a row on a device that is missing
 * fails with the reason.
 */
enum bench_device {
	BENCH_DEV_NONE,		/* a baseline: no device */
	BENCH_DEV_SIM,		/* a device running the reference firmware:
				 * rpcdev_sim, or rpcdev_ivshmem (-d) */
	BENCH_DEV_NR,
};

/* A device as the bench found it. */
struct bench_dev {
	const char *path;
	bool ok;		/* usable: the rows on it run */
	bool sim;		/* rpcdev_sim: its firmware's placement and
				 * spin budget are the bench's to set */
	uint64_t features;	/* struct rpcdev_info.features */
	unsigned int nr_queues;	/* struct rpcdev_info.nr_queues */
	char why[256];		/* when not ok */
};

/* What the command line chose. */
struct bench_cfg {
	struct bench_dev dev[BENCH_DEV_NR];
	unsigned int reps;	/* rounds: each row measured this many times */
	unsigned int iters;	/* measured round trips per latency row */
	unsigned int warmup;	/* unmeasured ones before them */
	unsigned int shm_iters;	/* the shared-memory ping-pong's (cheaper) */
	unsigned int big_iters;	/* 1 MiB upcalls and memcpy rounds */
	unsigned int rate_msgs;	/* messages of the rate rows */
	unsigned int rate_ms;	/* duration of each call-rate run */
	unsigned int mbox_checks; /* device mailbox checks timed per run */
	unsigned int async_depth; /* queue depth of the async upcall run */
	unsigned int idle_ms;	/* the ADAPTIVE server's idle wait */
	int ncpus;		/* CPUs this process may use */
	int dev_cpu;		/* the device side: firmware, "peer" threads */
	int host_cpu;		/* the host side: servers, callers */
	bool fw_pinned;		/* rpcdev_sim's fw_cpu could be set */
	int fw_spin_us;		/* rpcdev_sim's fw_spin_us, or -1 */
	bool verbose;
	bool quick;		/* --quick: the figures are indicative */
	bool sweep;		/* --sweep: the curves, not the rows */
	const char *fw_tcp;	/* --fw-tcp: the firmware's TCP echo, or NULL */
	struct tool_progress *progress;	/* the progress line, or NULL */
};

/* What a row holds. */
enum bench_kind {
	BENCH_LATENCY,	/* round trips: percentiles (ns) */
	BENCH_RATE,	/* messages or calls per second */
	BENCH_COST,	/* one number, ns per operation */
	BENCH_CPU,	/* only the host CPU */
};

enum bench_status {
	BENCH_SKIPPED,	/* not asked for (--only) */
	BENCH_OK,
	BENCH_NA,	/* cannot be measured yet (not a failure) */
	BENCH_FAILED,
	BENCH_PENDING,	/* asked for, not measured as often as asked yet */
};

/*
 * The quantiles of a host-timed row's distribution (its CDF, for the JSON
 * and the plot), in 1/10000: bench_cdf_q[BENCH_CDF_POINTS] (util.c).
 */
#define BENCH_CDF_POINTS	31
extern const unsigned int bench_cdf_q[BENCH_CDF_POINTS];

/*
 * Percentiles of a set of samples, in ns (index n*q, as the device does);
 * @cdf the samples at bench_cdf_q when @ncdf is BENCH_CDF_POINTS (0: a
 * device-timed row, which has the five percentiles only).
 */
struct bench_stats {
	uint64_t n;
	uint64_t min, p50, p99, p999, max, mean;
	unsigned int ncdf;
	uint64_t cdf[BENCH_CDF_POINTS];
};

/**
 * struct bench_row - what one measurement of a row found.
 * @clock:	"host" or "device": whose clock timed it (NULL: host).
 * @lat:	round-trip percentiles (BENCH_LATENCY; also 1 MiB and memcpy);
 *		@lat.n is the number of operations for the other kinds.
 * @rate:	per second (BENCH_RATE; bytes per second for throughput).
 * @cost_ns:	BENCH_COST: ns per operation.
 * @host_cpu:	CPU time of the host-side threads over the run's wall time,
 *		in percent of one core; negative when it does not apply.
 * @stamped:	round trips the stages are the mean of (0: none).
 * @stage_ns:	where an upcall's time goes, struct
 *		rpcdev_sim_upcall_result.stage_ns.
 * @note:	why it is n/a or failed, or a remark.
 */
struct bench_row {
	const char *clock;
	struct bench_stats lat;
	double rate;
	double cost_ns;
	double host_cpu;
	unsigned int stamped;
	uint64_t stage_ns[4];
	char note[160];
};

/* Which number of a row a target compares. */
enum bench_val {
	BENCH_V_P50,	/* latency p50, ns */
	BENCH_V_RATE,	/* per second */
	BENCH_V_COST,	/* ns per operation (a latency row: its p50) */
	BENCH_V_CPU,	/* host CPU, percent */
};

/**
 * struct bench_target - a figure a row must meet.
 * @id:		key in the JSON.
 * @what:	the line's text.
 * @base:	id of the row it is compared with (the baseline); NULL for a
 *		limit on this row's own value.
 * @base_over_row: the ratio is @base's value over this row's ("TCP is N x
 *		slower"); otherwise this row's over @base's.
 * @val:	which value of the rows.
 * @ge:		the ratio must be >= @limit (else <=).
 * @limit:	the target.
 * @stretch:	a stricter goal, or 0.
 * @percent:	show the ratio as a percentage.
 * @ctx_what:	if not NULL, the same ratio of two other rows, shown beside
 *		it for comparison (@ctx_num's value over @ctx_den's).
 * @ctx_within:	if not 0, the target is met too when the ratio is within
 *		this fraction of that context ratio (the machine's own
 *		ceiling): at least (1 - @ctx_within) times it for a @ge
 *		target, at most (1 + @ctx_within) times it otherwise.
 */
struct bench_target {
	const char *id;
	const char *what;
	const char *base;
	bool base_over_row;
	enum bench_val val;
	bool ge;
	double limit, stretch;
	bool percent;
	const char *ctx_what, *ctx_num, *ctx_den;
	double ctx_within;
};

struct bench_def;

/* A measurement of one row. */
typedef int bench_run_fn(const struct bench_cfg *cfg,
			 const struct bench_def *def, struct bench_row *row);
/*
 * A measurement of two rows at once, interleaved (one CPU, then two);
 * either row may be NULL when --only left it out, not both.
 */
typedef int bench_pair_fn(const struct bench_cfg *cfg,
			  const struct bench_def *def, struct bench_row *one,
			  struct bench_row *two);

/* bench_def.flags */
#define BENCH_STAMPS		(1U << 0) /* the device stamps the stages */
#define BENCH_DEV_SLEEPS	(1U << 1) /* the device sleeps for replies */
#define BENCH_BATCH		(1U << 2) /* BENCH_URING_BATCH calls at once */

/* Calls submitted with one io_uring_enter() by a BENCH_BATCH row. */
#define BENCH_URING_BATCH	32
/*
 * bench_def.policy of an upcall server on io_uring: a BLOCK queue served
 * by rpcdev_uring_serve().
 */
#define BENCH_URING_SERVER	0x100

/**
 * struct bench_def - one row: what it runs, against what, and its targets.
 * @id:		key in the JSON and in --only.
 * @name:	label in the table.
 * @about:	what it measures, for --list (NULL: the name says it).
 * @kind:	what its numbers are.
 * @unit:	the unit of its rate ("msg/s", "calls/s", "B/s"), or NULL.
 * @device:	the device it runs on.
 * @needs:	features of that device it needs (RPCDEV_FEAT_*); without
 *		them the row is n/a.
 * @run:	its measurement; NULL for the second row of a pair.
 * @run_pair:	or the measurement of it and of row @pair together.
 * @pair:	the id of the second row @run_pair fills.
 * @transport:	the arguments of @run: a ping-pong's transport;
 * @policy:	the upcall server's wait policy (enum rpcdev_wait_policy);
 * @flags:	BENCH_STAMPS, BENCH_DEV_SLEEPS;
 * @size:	the payload, in bytes, of the upcall rows;
 * @depth:	calls in flight: the async upcalls' queue depth (0:
 *		cfg->async_depth), a BENCH_BATCH row's batch (0:
 *		BENCH_URING_BATCH);
 * @queues:	the queues of bench_queues()'s second row (0: two).
 * @targets:	what it must meet; the first with a NULL @id ends them.
 */
struct bench_def {
	const char *id;
	const char *name;
	const char *about;
	enum bench_kind kind;
	const char *unit;
	enum bench_device device;
	uint64_t needs;
	bench_run_fn *run;
	bench_pair_fn *run_pair;
	const char *pair;
	unsigned int transport;
	unsigned int policy;
	unsigned int flags;
	uint32_t size;
	unsigned int depth;
	unsigned int queues;
	struct bench_target targets[BENCH_MAX_TARGETS];
};

/* rows.c: the rows, in the order they run and print. */
extern const struct bench_def bench_defs[];
extern const unsigned int bench_nr_defs;
/* The index of row @id (@len bytes of it), or -1. */
int bench_find(const char *id, size_t len);
/*
 * Every row and target that another names exists, every second row of a
 * pair is named by one: 0, or -EINVAL with the first fault in @why.
 */
int bench_defs_check(char *why, size_t len);

/**
 * struct bench_result - a row over the whole run.
 * @def:	its definition.
 * @status:	BENCH_OK when every repetition ran.
 * @nreps:	repetitions measured.
 * @reps:	each one's numbers (cfg->reps of them).
 * @med:	the medians over @reps (with one repetition, that one), its
 *		note the first a repetition left.
 */
struct bench_result {
	const struct bench_def *def;
	enum bench_status status;
	unsigned int nreps;
	struct bench_row *reps;
	struct bench_row med;
};

/* A whole run: every row's result, in the order of bench_defs. */
struct bench_run {
	const struct bench_cfg *cfg;
	struct bench_result *res;
	unsigned int n;
	bool failed;		/* a measurement failed */
	double elapsed_s;
};

enum bench_state { BENCH_MET, BENCH_NOT_MET, BENCH_NOT_MEASURED };

/**
 * struct bench_verdict - a target, evaluated.
 * @state:	met, not met, or not measured.
 * @ratio:	the median over the repetitions of each one's ratio.
 * @lo, @hi:	the smallest and largest of those ratios.
 * @n:		how many.
 * @stretch_met: the median meets the stretch goal.
 * @missing:	not measured: the row without a result.
 * @ctx:	the median of the context ratio, negative when unknown.
 * @ctx_met:	met through @ctx_within alone (the limit itself was not).
 */
struct bench_verdict {
	enum bench_state state;
	double ratio, lo, hi;
	unsigned int n;
	bool stretch_met;
	const struct bench_result *missing;
	double ctx;
	bool ctx_met;
};

/* run.c */
/* Is every id in the comma-separated @only a row? 0 or -1. */
int bench_check_only(const char *only);
/* Run the rows @only names (NULL: all) cfg->reps times; fills @run. */
int bench_run_rows(const struct bench_cfg *cfg, const char *only,
		   struct bench_run *run);
void bench_run_free(struct bench_run *run);
/*
 * Why @def cannot run on this machine, in @row's note: -ENODEV (its device
 * is missing), -EOPNOTSUPP (the device lacks a feature it needs) or 0.
 */
int bench_can_run(const struct bench_cfg *cfg, const struct bench_def *def,
		  struct bench_row *row);
/* The result of row @id. */
const struct bench_result *bench_result_of(const struct bench_run *run,
					   const char *id);
void bench_eval(const struct bench_run *run, const struct bench_result *owner,
		const struct bench_target *t, struct bench_verdict *v);

/* report.c */
/* "123.4 k msg/s", "1.23 GB/s": @v per second in @unit. */
void bench_fmt_rate(char *buf, size_t len, double v, const char *unit);
/* @ns in microseconds, "12.345". */
void bench_fmt_us(char *buf, size_t len, uint64_t ns);
void bench_print_table(FILE *out, const struct bench_run *run);
void bench_print_targets(FILE *out, const struct bench_run *run);
struct json_object;
/* The run as a JSON object (its keys: rpcdev(1), bench --json). */
struct json_object *bench_json(const struct bench_run *run, const char *kernel,
			       int status);
/*
 * The keys every JSON of the bench starts with: the tool, the kernel, the
 * CPUs, the sizes of the run, how long it took and @status.
 */
struct json_object *bench_json_head(const struct bench_cfg *cfg,
				    const char *kernel, double elapsed_s,
				    int status);
/* The rows and their targets, from the table (--list). */
void bench_print_list(FILE *out);
extern const char *const bench_status_names[];

/* plot.c */
/*
 * Draw the latency rows of @json (bench_json()'s, or a file's) into the
 * PNG @png with gnuplot: each row's CDF, log-scale time, side by side.
 * EXIT_OK, or EXIT_FAIL with the reason printed.
 */
int bench_plot(struct json_object *json, const char *png);
/* The same from the JSON file @from. */
int bench_plot_file(const char *from, const char *png);

/*
 * sweep.c: --sweep. Each curve of its table sweeps one parameter of one
 * measurement of device.c over a list of points; a point is one call of
 * that measurement, with the point's value in its struct bench_def.
 */
enum bench_sweep_param {
	BENCH_SWEEP_SIZE,	/* payload bytes: bench_def.size */
	BENCH_SWEEP_DEPTH,	/* calls in flight: bench_def.depth */
	BENCH_SWEEP_QUEUES,	/* queues: bench_def.queues */
	BENCH_SWEEP_NR,
};
/* Most points of a curve. */
#define BENCH_SWEEP_MAX_POINTS	12

/* One point of a curve, measured (or why not). */
struct bench_sweep_point {
	uint64_t value;
	enum bench_status status;
	struct bench_row row;
};

struct bench_curve;

/**
 * struct bench_sweep_curve - a curve, measured.
 * @curve:	its definition (sweep.c's table).
 * @n:		its points, in order: those within the driver's limits.
 * @limit:	why it stops before the list's last value ("" when it does
 *		not).
 */
struct bench_sweep_curve {
	const struct bench_curve *curve;
	unsigned int n;
	struct bench_sweep_point pt[BENCH_SWEEP_MAX_POINTS];
	char limit[160];
};

struct bench_sweep {
	const struct bench_cfg *cfg;
	unsigned int n;
	struct bench_sweep_curve *curves;
	bool failed;		/* a measurement failed */
	double elapsed_s;
};

/* Measure every curve once: 0 (a failure is in @sw->failed) or -errno. */
int bench_sweep_run(const struct bench_cfg *cfg, struct bench_sweep *sw);
void bench_sweep_free(struct bench_sweep *sw);
/* One table per curve. */
void bench_sweep_print(FILE *out, const struct bench_sweep *sw);
/* The curves as the JSON's "sweep" array. */
struct json_object *bench_sweep_json(const struct bench_sweep *sw);
/*
 * Draw the "sweep" of @json into @png, one panel per curve (latency and
 * rate against the swept value, log-scale axes): EXIT_OK or EXIT_FAIL.
 */
int bench_plot_sweep(struct json_object *json, const char *png);

/* util.c */
uint64_t bench_now_ns(void);		/* CLOCK_MONOTONIC */
uint64_t bench_thread_cpu_ns(void);	/* CLOCK_THREAD_CPUTIME_ID */
/* @cpu_ns over @wall_ns in percent of one core; -1 when @wall_ns is 0. */
double bench_cpu_pct(uint64_t cpu_ns, uint64_t wall_ns);
/* Pin the calling thread to @cpu (< 0: leave it); 0 or -errno. */
int bench_pin(int cpu);
/*
 * Sort @s and fill @st. (The one place a host-timed row's samples pass
 * through: what keeps them for a distribution goes here.)
 */
void bench_stats_from(uint64_t *s, size_t n, struct bench_stats *st);
/* The median (the upper one for an even @n) of @v; sorts @v. */
uint64_t bench_median_u64(uint64_t *v, size_t n);
double bench_median(double *v, size_t n);
/* printf into @row->note. */
void bench_note(struct bench_row *row, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Progress on stderr when verbose. */
void bench_log(const struct bench_cfg *cfg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The pause instruction of a spin loop. */
static inline void bench_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/*
 * A thread of a measurement: started pinned to @cpu after bench_spawn(),
 * its result in @ret. bench_join() waits for it.
 */
struct bench_thread {
	pthread_t tid;
	int cpu;
	int ret;
	void *arg;
	int (*fn)(void *arg);
	bool started;
};
int bench_spawn(struct bench_thread *t, int cpu, int (*fn)(void *), void *arg);
int bench_join(struct bench_thread *t);

/*
 * How an operation scales from one CPU to two: lane 0 runs on dev_cpu
 * alone, then lanes 0 and 1 (on host_cpu) at once (or sc->lanes lanes,
 * on the CPUs of bench_scale_cpu()), alternating for
 * BENCH_SCALE_ROUNDS rounds of rate_ms / BENCH_SCALE_ROUNDS each, so that
 * the machine's slow moments hit both. @op does one operation on a lane
 * (0 or -errno). Fills @one and @two (either may be NULL) with the rates
 * (operations per second, all lanes together) and host CPU.
 */
#define BENCH_SCALE_ROUNDS	6
#define BENCH_MAX_LANES		4
struct bench_scale {
	int (*op)(void *ctx, unsigned int lane);
	void *ctx;
	unsigned int lanes;	/* of the many: 1 .. BENCH_MAX_LANES (0: 2) */
	/* [0]: one lane, [1]: the many */
	uint64_t ops[2], lane_ns[2], wall_ns[2], cpu_ns[2];
};
int bench_scale_run(const struct bench_cfg *cfg, struct bench_scale *sc,
		    struct bench_row *one, struct bench_row *two);
/* The CPU of lane @lane: dev_cpu, host_cpu, dev_cpu, ... in turn. */
int bench_scale_cpu(const struct bench_cfg *cfg, unsigned int lane);

/* rpcdev_sim's module parameter @name (an integer): 0 or -errno. */
int bench_sim_param_get(const char *name, int *val);
/*
 * Set it (async-signal-safe). fw_cpu and fw_spin_us apply to the queues
 * attached afterwards: their firmware runs on that CPU, and polls that
 * long before it sleeps.
 */
int bench_sim_param_set(const char *name, int val);

/*
 * baselines.c: the baselines, between dev_cpu (initiator) and host_cpu.
 * bench_pingpong() runs def->transport.
 */
enum bench_transport {
	BENCH_SHM,
	BENCH_EVENTFD,
	BENCH_PIPE,
	BENCH_UNIX,
	BENCH_TCP,
};
/*
 * Write, or read, all @len bytes of @buf on @fd (a socket is written with
 * MSG_NOSIGNAL), through EINTR: 0, or -errno (read: -EPIPE at EOF).
 */
int bench_write_all(int fd, const void *buf, size_t len);
int bench_read_all(int fd, void *buf, size_t len);
bench_run_fn bench_pingpong;
bench_run_fn bench_pipe_rate;
bench_run_fn bench_memcpy;
/* A system call loop (getppid) on one CPU, then on both: the machine's own
 * scaling, beside the queues'. */
bench_pair_fn bench_syscall_scale;

/* device.c: the device (cfg->dev[def->device]). */
/*
 * Open @def's device and attach queue @qid (depth, buf_size: 0 for the
 * defaults) with @policy, librpcdev's wait policy with its flags; on
 * rpcdev_sim its firmware on @fw_cpu, polling @spin_us before it sleeps
 * (< 0: as it is). 0, or -errno with @row's note saying why.
 */
int bench_dev_open(const struct bench_cfg *cfg, const struct bench_def *def,
		   struct rpcdev *dev, unsigned int qid, unsigned int depth,
		   unsigned int buf_size, unsigned int policy, int fw_cpu,
		   int spin_us, struct bench_row *row);
/* The calling thread SCHED_IDLE (@idle), or SCHED_OTHER again. */
void bench_idle(bool idle);
/* Sync upcalls with def->policy, def->flags, def->size. */
bench_run_fn bench_upcalls;
bench_run_fn bench_adaptive_idle;
bench_run_fn bench_downcalls;
/* Sync 1 MiB echoes with request and result in registered buffers. */
bench_run_fn bench_regbuf_downcalls;
/* Sync downcalls over io_uring: one at a time, or BENCH_BATCH. */
bench_run_fn bench_downcalls_uring;
/* Async upcalls of def->size bytes to a def->policy server. */
bench_run_fn bench_async_upcalls;
/* Upcalls of def->size bytes (a large payload), echoed. */
bench_run_fn bench_big_upcalls;
/*
 * Call rate of one queue, then of def->queues (default two), each queue
 * with its own CPU in turn.
 */
bench_pair_fn bench_queues;
/*
 * Sync upcalls on two queues at once: two BLOCK server threads, or
 * (def->policy BENCH_URING_SERVER) one thread serving both from one ring.
 */
bench_run_fn bench_upcalls_2q;
bench_run_fn bench_mbox_check;
/*
 * devmem.c: a ping-pong through the queue's memory between this program
 * and the device's firmware (RPCDEV_SIM_PINGPONG): the device's floor.
 */
bench_run_fn bench_dev_pingpong;
/* TCP ping-pongs with the firmware's echo at cfg->fw_tcp (n/a without). */
bench_run_fn bench_fw_tcp;
/* Is @addr an IPv4 "ADDR:PORT" for --fw-tcp? 0 or -EINVAL. */
int bench_fw_tcp_check(const char *addr);
/*
 * Is cfg->dev[BENCH_DEV_SIM] an rpcdev_sim device with at least @queues
 * queues? Fills its ok, features and why; 0 or -errno.
 */
int bench_check_device(struct bench_cfg *cfg, unsigned int queues);

#endif /* RPCDEV_TOOL_BENCH_H */
