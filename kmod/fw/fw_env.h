/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The environment the portable firmware runs in.
 *
 * The firmware's logic (kmod/fw/ *.c) is written once, in kernel style, and
 * built into two hosts: rpcdev_sim.ko, where it runs in kernel threads
 * beside the driver (kmod/sim_fw.c is that host), and the ivshmem firmware,
 * a program on the other side of a PCI boundary (scripts/ivshmem/). This
 * header gives both the same primitives: the kernel's own where the kernel
 * builds the firmware, and equivalents from the C library and the compiler
 * where a program does (scripts/ivshmem/fw_env_user.h). Each host also implements the few functions
 * declared at the end (sleeping, interrupting, stopping), on its own
 * wait queue or eventfd.
 */
#ifndef _RPCDEV_FW_ENV_H
#define _RPCDEV_FW_ENV_H

#ifdef __KERNEL__

#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/types.h>
#include <asm/barrier.h>
#include <asm/byteorder.h>

/* The device clock: CLOCK_MONOTONIC, the clock the kernel stamps with. */
static inline u64 fw_now_ns(void)
{
	return ktime_get_ns();
}

/* Let others run between batches of polling (a soft CPU need not). */
static inline void fw_yield(void)
{
	cond_resched();
}

/*
 * A scheduling point between two pieces of work: a kernel thread that is
 * not preempted (PREEMPT_NONE, _VOLUNTARY) would otherwise keep its CPU
 * from every other task for as long as the host keeps it busy. Cheap
 * enough for every round of every loop: a flag test.
 */
static inline void fw_preempt_point(void)
{
	cond_resched();
}

static inline void *fw_calloc(size_t n, size_t size)
{
	return kvcalloc(n, size, GFP_KERNEL);
}

static inline void fw_free(void *p)
{
	kvfree(p);
}

struct fw_queue;
struct rpcdev_entry;

/*
 * The simulated device is well-behaved and has no methods of its own: a
 * test host's hooks (see below) are nothing here.
 */
static inline void fw_tamper_entry(struct fw_queue *fq, struct rpcdev_entry *e)
{
}

static inline u32 fw_tamper_index(struct fw_queue *fq, u32 val)
{
	return val;
}

static inline bool fw_host_method(struct fw_queue *fq,
				  const struct rpcdev_entry *call,
				  struct rpcdev_entry *ans)
{
	return false;
}

#define fw_relax()		cpu_relax()
#define fw_sort(base, n, size, cmp)	sort(base, n, size, cmp, NULL)
#define fw_dbg(fmt, ...)	pr_debug("rpcdev fw: " fmt, ##__VA_ARGS__)

#else
/* A program: the ivshmem firmware's shim, from its own directory. */
#include "fw_env_user.h"
#endif /* __KERNEL__ */

struct fw_queue;

/*
 * What each host implements for its queues.
 *
 * fw_tamper_entry():	(inline) a test host's chance to break an entry
 *			on purpose before the firmware publishes it (a
 *			hostile device: its seq, id or length);
 * fw_tamper_index():	(inline) the same for a producer or consumer
 *			index: returns the value to publish;
 * fw_host_method():	(inline) a method of the host's own, tried before
 *			the firmware answers RPCDEV_STATUS_NO_METHOD; true
 *			when it filled in @ans.
 * fw_yield():		(inline) let others run while the firmware polls.
 * fw_preempt_point():	(inline) a point where the host may run others,
 *			made by every round of every firmware loop, so no
 *			input the host's users give keeps a CPU from its
 *			other tasks (a program, which its OS preempts
 *			anyway, needs nothing there).
 *
 * fw_should_stop():	the host wants the queue stopped: the firmware
 *			returns from what it is doing (a kernel thread's
 *			kthread_should_stop(), a program's flag).
 * fw_sleep():		sleep until @ready(@fq) is true, @deadline (ns of
 *			fw_now_ns(); U64_MAX: none) passes, a stop is
 *			asked for, or something woke the sleeper early (the
 *			caller checks again). Called with
 *			RPCDEV_DEV_NEED_DOORBELL set and a full barrier
 *			issued, so a doorbell rung after @ready's last
 *			look wakes it.
 * fw_interrupt():	raise the queue's interrupt in the host.
 * fw_fault():		is fault @f (enum fw_fault, fw.h) armed on @fq?
 *			Takes it and returns its value (a count's one shot
 *			gives 1, a delay its microseconds), or 0 when it is
 *			not armed: a host without fault injection returns 0.
 * fw_bufs_lock():	hold the queue's registered buffers
 *			(RPCDEV_FEAT_REG_BUFS): none goes away until
 *			fw_bufs_unlock(), as the host waits for it.
 * fw_buf_at():		with them held: where bytes [@off, @off + @len) of
 *			registered buffer @index are, or NULL when the queue
 *			has no such buffer or it is shorter. A host whose
 *			device cannot reach host memory outside the queue
 *			(the ivshmem firmware: BAR2 only) always says NULL.
 */
bool fw_should_stop(struct fw_queue *fq);
void fw_sleep(struct fw_queue *fq, bool (*ready)(struct fw_queue *fq),
	      u64 deadline);
void fw_interrupt(struct fw_queue *fq);
u64 fw_fault(struct fw_queue *fq, unsigned int f);
void fw_bufs_lock(struct fw_queue *fq);
void fw_bufs_unlock(struct fw_queue *fq);
void *fw_buf_at(struct fw_queue *fq, u32 index, u64 off, u64 len);

#endif /* _RPCDEV_FW_ENV_H */
