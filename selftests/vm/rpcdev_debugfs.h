/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for guest tests: read the rpcdev driver's debugfs files, which
 * are lines of "key value" (a per-queue file looks like "attached 1\n
 * depth 16\nfree 16\nabandoned 0\ncalls 3\n..."), and wait for a value.
 * Every helper returns 0 or a negative errno, so a test can assert the
 * exact result; none of them sleeps longer than the timeout it is given.
 */
#ifndef RPCDEV_SELFTEST_DEBUGFS_H
#define RPCDEV_SELFTEST_DEBUGFS_H

#include <stddef.h>

#define DBGFS_ROOT		"/sys/kernel/debug"

/* How often dbgfs_wait_key() reads the file, in milliseconds. */
#define DBGFS_POLL_MS		10

/*
 * Make sure debugfs is mounted at DBGFS_ROOT, mounting it if it is not.
 * Returns 0, or -errno of statfs(2) or mount(2).
 */
int dbgfs_mount(void);

/* DBGFS_ROOT "/rpcdev/rpcdev<minor>/q<qid>" into @buf of @len bytes. */
void dbgfs_queue_path(char *buf, size_t len, unsigned int minor,
		      unsigned int qid);

/*
 * DBGFS_ROOT "/rpcdev_sim/rpcdev_sim.<dev>/q<qid>" into @buf of @len bytes:
 * rpcdev_sim's counters of a queue over all its attachments ("calls",
 * "upcalls", "no_server" answers, upcalls in flight when the queue "stopped",
 * "upcall_timeouts").
 */
void dbgfs_sim_queue_path(char *buf, size_t len, unsigned int dev,
			  unsigned int qid);

/*
 * Read @path and set *@val to the value on the line whose first word is
 * @key. Returns 0; -ENOENT if the file has no such line; -EINVAL if the
 * value is not a number; -errno of open(2) or read(2) (-ENOENT when the
 * file does not exist).
 */
int dbgfs_read_key(const char *path, const char *key,
		   unsigned long long *val);

/*
 * The value of @key in @path, or ~0ULL when it cannot be read: for
 * asserting a counter's exact value in one expression.
 */
unsigned long long dbg(const char *path, const char *key);

/*
 * Read @path every DBGFS_POLL_MS until @key has the value @want, for up to
 * @timeout_ms. Returns 0 once it has; -ETIMEDOUT if it never had (a file or
 * key that is missing counts as not having it yet).
 */
int dbgfs_wait_key(const char *path, const char *key, unsigned long long want,
		   int timeout_ms);

/*
 * As dbgfs_wait_key(), but until @key has a value of at least @want (for a
 * counter that may move past @want between two reads).
 */
int dbgfs_wait_key_min(const char *path, const char *key,
		       unsigned long long want, int timeout_ms);

#endif /* RPCDEV_SELFTEST_DEBUGFS_H */
