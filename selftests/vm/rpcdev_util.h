/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers every guest suite uses: sleeping, an unmapped address, a
 * signal that interrupts, poll(2) and epoll(7) once, waiting for a word of
 * shared memory, and the rpcdev tool. No harness macros in the functions:
 * each returns a value or -errno, so a test asserts the exact result.
 * SKIP_WITHOUT_TOOL() is a macro for tests and needs kselftest_harness.h.
 */
#ifndef RPCDEV_SELFTEST_UTIL_H
#define RPCDEV_SELFTEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>

#include "rpcdev.h"

#define NSEC_PER_MSEC	1000000ULL
#define USEC_PER_MSEC	1000ULL
#define MIB		(1U << 20)

/* Upper bound of every wait for the driver or the device, in ms. */
#define WAIT_MS		10000

/* How often the waits below look again, in milliseconds. */
#define UTIL_POLL_MS	10

/* Sleep @ms milliseconds (or @us microseconds), resumed after signals. */
void sleep_ms(int ms);
void sleep_us(long us);

long page_size(void);

/* mmap(2) MAP_SHARED of @fd as 0 or -errno; the address in *@addr. */
int map_errno(int fd, size_t len, int prot, __u64 off, void **addr);

/* An address that is certainly not mapped: a page mapped, then unmapped. */
void *unmapped_address(void);

/*
 * Install a handler that does nothing for @sig with sigaction flags @flags
 * (SA_RESTART or 0), so the signal interrupts a system call instead of
 * killing the process. 0 or -errno.
 */
int catch_signal(int sig, int flags);

/* poll(2) @fd once for @events; the revents (0 on timeout), or -errno. */
int poll_events(int fd, short events, int timeout_ms);

/* An epoll instance watching @fd for @events (close it), or -errno. */
int epoll_watch(int fd, unsigned int events);

/* epoll_wait(2) once on instance @ep; the events of its one fd, 0, or -errno. */
int epoll_wait_once(int ep, int timeout_ms);

/* epoll_wait(2) once on @fd for @events; the events, 0, or -errno. */
int epoll_events(int fd, unsigned int events, int timeout_ms);

/*
 * Fork a child that runs @child(@ready, @arg): it writes a byte to @ready
 * once it got where the test wants it, and never returns. The parent waits
 * for that byte (at most WAIT_MS), then kills the child with SIGKILL if
 * @kill_it (else lets it exit by itself) and reaps it. Returns 0 when the
 * child got ready and ended so (killed; or, without @kill_it, exited 0),
 * else -errno, or minus the child's exit status.
 */
int fork_until_ready(void (*child)(int ready, void *arg), void *arg,
		     bool kill_it);

/*
 * Wait until *@p == @want (a word the device or the kernel writes), for
 * up to WAIT_MS. 0 or -ETIMEDOUT.
 */
int wait_word(const volatile __u32 *p, __u32 want);

/*
 * As wait_word(), until the free-running index *@p is at least @want (it
 * may move past @want between two looks).
 */
int wait_word_min(const volatile __u32 *p, __u32 want);

/*
 * The device's control page of @dev's queue (its producer and consumer
 * indices: what the device has posted and taken, whatever the backend).
 */
const struct rpcdev_dev_ctrl *device_ctrl(struct rpcdev *dev);

/*
 * Wait until thread @tid of this process sleeps (state S in
 * /proc/self/task/TID/stat), for up to WAIT_MS. 0 or -ETIMEDOUT.
 */
int wait_thread_sleeping(pid_t tid);

/*
 * The number of UR entries the host has posted on @dev's queue: its
 * answers to upcalls (and, on a queue without RPCDEV_ATTACH_ASYNC_NOACK,
 * acknowledgements of async ones), whoever drives the ring.
 */
unsigned int host_ur_prod(struct rpcdev *dev);

/* The host's UQ consumer index of @dev's queue (user rings only). */
unsigned int host_uq_cons(struct rpcdev *dev);

/*
 * A stress's count of calls per thread or process: @max, or a tenth of
 * RPCDEV_STRESS_COUNT where the runner sets it for a slow kernel (the
 * debug flavour), when that is from 100 to @max.
 */
unsigned int stress_tenth(unsigned int max);

/*
 * The rpcdev tool in the guest: $RPCDEV_TOOL, else the first of /bin,
 * /sbin, /usr/bin, /usr/sbin, /usr/local/bin that has it; NULL if none.
 */
const char *guest_tool(void);

struct run_result;

/*
 * Run the guest's rpcdev tool with the arguments @args (NULL-terminated,
 * at most seven) and collect what it did into @res (lib/run_tool.h).
 * Returns 0, -ENOENT when there is no tool, or run_capture()'s -errno.
 */
int guest_tool_run(struct run_result *res, const char *const *args);

/* guest_tool_run() with the arguments listed: run_tool(res, "info", "-a"). */
#define run_tool(res, ...) \
	guest_tool_run(res, (const char *const[]){ __VA_ARGS__, NULL })

/* The same, run as @opts says (lib/run_tool.h: another user, a terminal). */
struct run_opts;
int guest_tool_run_opts(struct run_result *res, const struct run_opts *opts,
			const char *const *args);
#define run_tool_opts(res, opts, ...) \
	guest_tool_run_opts(res, opts, (const char *const[]){ __VA_ARGS__, NULL })

/*
 * Write @text to the file @path in one write(2): a module parameter, a
 * debugfs fault to arm. 0, or -errno of open(2) or write(2) (what the
 * file refused).
 */
int write_text(const char *path, const char *text);

/*
 * A page whose first touch stalls until the test fills it: a userfaultfd
 * registered for missing pages over one anonymous page. For a user copy
 * the kernel makes and must not make while it holds up others.
 */
struct stalled_page {
	int uffd;
	void *page;
	size_t size;
};

/* Set one up: 0, -errno, or -EOPNOTSUPP where the kernel has no userfaultfd. */
int stalled_page_init(struct stalled_page *sp);

/* Wait until someone touches the page: 0, -ETIMEDOUT (WAIT_MS), -EPROTO. */
int stalled_page_touched(struct stalled_page *sp);

/* Fill the page with @len bytes of @src (zeros after): the toucher goes on. */
int stalled_page_release(struct stalled_page *sp, const void *src, size_t len);

/* Unmap the page and close the userfaultfd. */
void stalled_page_fini(struct stalled_page *sp);

/* Is @line (with its newline) a whole line of @text? */
int has_line(const char *text, const char *line);

#define SKIP_WITHOUT_TOOL() do {					\
	if (!guest_tool())						\
		SKIP(return, "no rpcdev tool in the guest (set RPCDEV_TOOL)"); \
} while (0)

#endif /* RPCDEV_SELFTEST_UTIL_H */
