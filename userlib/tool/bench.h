/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * rpcdev bench: what the measurements share.
 *
 * cmd_bench.c runs the measurements, prints the table, the targets of
 * DESIGN.md section 4 and the JSON. bench_base.c measures the baselines
 * (shared memory, eventfd, pipe, UNIX socket, TCP loopback, pipe message
 * rate, memcpy), bench_rpcdev.c the device (upcalls, downcalls, async
 * upcalls, 1 MiB payloads, two queues, the mailbox check), bench_util.c
 * the helpers (pinning, clocks, percentiles, threads).
 *
 * Every measurement is one function filling one struct bench_row; it
 * returns 0 when it ran, -EOPNOTSUPP when it cannot run yet (the row then
 * says "n/a", which is not a failure) or another negative errno when it
 * failed (the bench then exits 1).
 */
#ifndef RPCDEV_TOOL_BENCH_H
#define RPCDEV_TOOL_BENCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The payload of the small-message measurements, in bytes. */
#define BENCH_MSG_SIZE		64
/* The large payload. */
#define BENCH_BIG_SIZE		(1U << 20)

/* What the command line chose. */
struct bench_cfg {
	const char *path;	/* the rpcdev_sim device */
	unsigned int iters;	/* measured round trips per latency row */
	unsigned int warmup;	/* unmeasured ones before them */
	unsigned int shm_iters;	/* the shared-memory ping-pong's (cheaper) */
	unsigned int big_iters;	/* 1 MiB upcalls and memcpy rounds */
	unsigned int rate_msgs;	/* messages of the rate rows */
	unsigned int rate_ms;	/* duration of each call-rate run */
	unsigned int mbox_checks; /* device mailbox checks timed per run */
	unsigned int async_depth; /* queue depth of the async upcall run */
	unsigned int idle_ms;	/* the ADAPTIVE server's idle wait */
	bool user_rings;	/* the driver has RPCDEV_FEAT_USER_RINGS */
	int ncpus;		/* CPUs this process may use */
	int dev_cpu;		/* the device side: firmware, "peer" threads */
	int host_cpu;		/* the host side: servers, callers */
	bool fw_pinned;		/* rpcdev_sim's fw_cpu could be set */
	int fw_spin_us;		/* rpcdev_sim's fw_spin_us, or -1 */
	bool verbose;
};

/* Wait policies of an upcall server (DESIGN.md section 3, "Waiting"). */
enum bench_policy {
	BENCH_BLOCK,
	BENCH_POLL,
	BENCH_ADAPTIVE,
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
};

/* Percentiles of a set of samples, in ns (index n*q, as the device does). */
struct bench_stats {
	uint64_t n;
	uint64_t min, p50, p99, p999, max, mean;
};

/**
 * struct bench_row - one line of the table.
 * @id:		key in the JSON and in --only.
 * @name:	label in the table.
 * @kind:	what the numbers are.
 * @status:	whether it ran.
 * @clock:	"host" or "device": whose clock timed it.
 * @lat:	round-trip percentiles (BENCH_LATENCY; also 1 MiB and memcpy).
 * @rate:	per second (BENCH_RATE; bytes per second for throughput).
 * @rate_unit:	"msg/s", "calls/s" or "B/s".
 * @cost_ns:	BENCH_COST: ns per operation.
 * @host_cpu:	CPU time of the host-side threads over the run's wall time,
 *		in percent of one core; negative when it does not apply.
 * @stamped:	round trips the stages are the mean of (0: none).
 * @stage_ns:	where an upcall's time goes, struct
 *		rpcdev_sim_upcall_result.stage_ns.
 * @note:	why it is n/a or failed, or a remark.
 */
struct bench_row {
	const char *id;
	const char *name;
	enum bench_kind kind;
	enum bench_status status;
	const char *clock;
	struct bench_stats lat;
	double rate;
	const char *rate_unit;
	double cost_ns;
	double host_cpu;
	unsigned int stamped;
	uint64_t stage_ns[4];
	char note[160];
};

/* bench_util.c */
uint64_t bench_now_ns(void);		/* CLOCK_MONOTONIC */
uint64_t bench_thread_cpu_ns(void);	/* CLOCK_THREAD_CPUTIME_ID */
/* Pin the calling thread to @cpu (< 0: leave it); 0 or -errno. */
int bench_pin(int cpu);
/* Sort @s and fill @st. */
void bench_stats_from(uint64_t *s, size_t n, struct bench_stats *st);
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
 * alone, then lanes 0 and 1 (on host_cpu) at once, alternating for
 * BENCH_SCALE_ROUNDS rounds of rate_ms / BENCH_SCALE_ROUNDS each, so that
 * the machine's slow moments hit both. @op does one operation on a lane
 * (0 or -errno). Fills @one and @two (either may be NULL) with the rates
 * (operations per second, all lanes together) and host CPU.
 */
#define BENCH_SCALE_ROUNDS	6
struct bench_scale {
	int (*op)(void *ctx, unsigned int lane);
	void *ctx;
	/* [0]: one lane, [1]: two lanes */
	uint64_t ops[2], lane_ns[2], wall_ns[2], cpu_ns[2];
};
int bench_scale_run(const struct bench_cfg *cfg, struct bench_scale *sc,
		    struct bench_row *one, struct bench_row *two);

/* rpcdev_sim's module parameter @name (an integer): 0 or -errno. */
int bench_sim_param_get(const char *name, int *val);
/*
 * Set it (async-signal-safe). fw_cpu and fw_spin_us apply to the queues
 * attached afterwards: their firmware runs on that CPU, and polls that
 * long before it sleeps.
 */
int bench_sim_param_set(const char *name, int val);

/* bench_base.c: the baselines, between dev_cpu (initiator) and host_cpu. */
enum bench_transport {
	BENCH_SHM,
	BENCH_EVENTFD,
	BENCH_PIPE,
	BENCH_UNIX,
	BENCH_TCP,
};
int bench_pingpong(const struct bench_cfg *cfg, enum bench_transport t,
		   struct bench_row *row);
int bench_pipe_rate(const struct bench_cfg *cfg, struct bench_row *row);
int bench_memcpy(const struct bench_cfg *cfg, struct bench_row *row);
/* A system call loop (getppid) on one CPU, then on both: the machine's own
 * scaling, beside the queues'. */
int bench_syscall_scale(const struct bench_cfg *cfg, struct bench_row *one,
			struct bench_row *two);

/* bench_rpcdev.c: the device. */
/* Sync upcalls with @policy, their stages stamped when @stamps. */
int bench_upcalls(const struct bench_cfg *cfg, enum bench_policy policy,
		  bool stamps, struct bench_row *row);
/* BLOCK upcalls with a device that sleeps too (fw_spin_us = 0). */
int bench_upcalls_device_sleeps(const struct bench_cfg *cfg,
				struct bench_row *row);
int bench_adaptive_idle(const struct bench_cfg *cfg, struct bench_row *row);
int bench_downcalls(const struct bench_cfg *cfg, struct bench_row *row);
int bench_async_upcalls(const struct bench_cfg *cfg, enum bench_policy policy,
			struct bench_row *row);
int bench_big_upcalls(const struct bench_cfg *cfg, struct bench_row *row);
/* Call rate of one queue, then of two, each with its own CPU. */
int bench_queues(const struct bench_cfg *cfg, struct bench_row *one,
		 struct bench_row *two);
int bench_mbox_check(const struct bench_cfg *cfg, struct bench_row *row);
/*
 * Is @path an rpcdev_sim device with at least @queues queues? 0 or -errno.
 * Sets cfg->user_rings.
 */
int bench_check_device(struct bench_cfg *cfg, unsigned int queues,
		       char *why, size_t len);

#endif /* RPCDEV_TOOL_BENCH_H */
