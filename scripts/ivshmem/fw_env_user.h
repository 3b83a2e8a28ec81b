/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ivshmem firmware's half of kmod/fw/fw_env.h: the kernel primitives
 * the portable firmware uses, from the C library and the compiler, for a
 * program that shares ordinary cacheable memory with another CPU (a vCPU
 * of the guest).
 */
#ifndef _RPCDEV_FW_ENV_USER_H
#define _RPCDEV_FW_ENV_USER_H


#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#define U64_MAX			((u64)~0ULL)
#define NSEC_PER_USEC		1000ULL
#define NSEC_PER_MSEC		1000000ULL
#define USEC_PER_SEC		1000000ULL
#ifndef ESHUTDOWN
#define ESHUTDOWN		108
#endif

#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#ifndef __always_unused
#define __always_unused		__attribute__((__unused__))
#endif

#define min(a, b)		((a) < (b) ? (a) : (b))
#define max(a, b)		((a) > (b) ? (a) : (b))
#define min_t(t, a, b)		min((t)(a), (t)(b))

/* One access of exactly the width of @x, never split, merged or cached. */
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))

/*
 * The other side is another CPU (a vCPU of the guest), and the memory is
 * ordinary cacheable memory: the SMP barriers are the ones that order it.
 */
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define dma_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define dma_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)

#define cpu_to_le64(x)		htole64(x)
#define le64_to_cpu(x)		le64toh(x)

/* Keep a value the compiler would otherwise prove unused. */
#define OPTIMIZER_HIDE_VAR(v)	__asm__ volatile("" : "+r"(v))

#if defined(__x86_64__) || defined(__i386__)
#define fw_relax()		__builtin_ia32_pause()
#else
#define fw_relax()		__asm__ volatile("" ::: "memory")
#endif

#define fw_sort(base, n, size, cmp)	qsort(base, n, size, cmp)

static inline u64 div_u64(u64 n, u32 d)
{
	return n / d;
}

static inline u64 fw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

static inline void *fw_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}

static inline void fw_free(void *p)
{
	free(p);
}

struct fw_queue;
struct rpcdev_entry;

/* The hooks of kmod/fw/fw_env.h, in env.c. */
void fw_tamper_entry(struct fw_queue *fq, struct rpcdev_entry *e);
u32 fw_tamper_index(struct fw_queue *fq, u32 val);
bool fw_host_method(struct fw_queue *fq, const struct rpcdev_entry *call,
		    struct rpcdev_entry *ans);

void fw_yield(void);

/* The OS preempts a program's threads: no scheduling point is needed. */
static inline void fw_preempt_point(void)
{
}
void fw_dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));


#endif /* _RPCDEV_FW_ENV_USER_H */
