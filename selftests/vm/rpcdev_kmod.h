/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for guest tests: load and unload the rpcdev modules, wait for
 * device nodes, drop privileges. No harness macros here: every helper
 * returns 0 or a negative errno, so a test can assert the exact result.
 *
 * The modules are looked for in $RPCDEV_MODDIR, default /lib/rpcdev.
 */
#ifndef RPCDEV_SELFTEST_KMOD_H
#define RPCDEV_SELFTEST_KMOD_H

#include <stdbool.h>
#include <sys/types.h>

#define KMOD_CORE		"rpcdev"
#define KMOD_SIM		"rpcdev_sim"
#define KMOD_DEFAULT_DIR	"/lib/rpcdev"

/* How long to wait for a device node to appear or go, in milliseconds. */
#define KMOD_NODE_TIMEOUT_MS	2000

/* Directory holding rpcdev.ko and rpcdev_sim.ko. */
const char *kmod_dir(void);

/*
 * Load <kmod_dir()>/<name>.ko with finit_module(2) and the parameter string
 * @params (NULL means none). Returns 0 or -errno from open(2) or
 * finit_module(2) (-EEXIST if already loaded, -EINVAL for a rejected
 * parameter, ...).
 */
int kmod_load(const char *name, const char *params);

/*
 * One delete_module(2) call with O_NONBLOCK. Returns 0 or -errno: -ENOENT
 * if not loaded, -EWOULDBLOCK if in use (by a module or by an open file).
 */
int kmod_unload(const char *name);

/*
 * Unload @name if loaded, for cleanup: retries for a while if it is still
 * in use (a file being released). Returns 0 if @name is not loaded
 * afterwards, else the last -errno.
 */
int kmod_unload_settle(const char *name);

/*
 * Unload anything left over, then load rpcdev with @core_params and
 * rpcdev_sim with @sim_params (NULL @sim_params: do not load the sim).
 * On failure nothing is left loaded. Returns 0 or -errno of the load that
 * failed.
 */
int kmod_load_stack(const char *core_params, const char *sim_params);

/*
 * Unload rpcdev_sim, then rpcdev; a module that is not loaded is fine.
 * Returns 0 or the first -errno.
 */
int kmod_unload_stack(void);

/*
 * The kselftest harness runs a test in a child of the process that runs
 * FIXTURE_TEARDOWN_PARENT. When an ASSERT fails it longjmp()s back into the
 * harness, which then (its "child" variable being clobbered by the jump)
 * may run the parent's teardown in the test process itself, with the
 * test's files still open, and the real parent skips it. A fixture's setup
 * calls kmod_mark_test_process(); its teardown asks kmod_in_test_process()
 * and, if so, leaves the modules for the next setup to unload instead of
 * reporting a false leak.
 */
void kmod_mark_test_process(void);
bool kmod_in_test_process(void);

/* "/dev/rpcdev<index>" into @buf of @len bytes. */
void kmod_dev_path(char *buf, size_t len, unsigned int index);

/*
 * Wait up to @timeout_ms for @path to exist (@exist true) or not to exist
 * (@exist false). Returns 0 when it is so, -ETIMEDOUT otherwise.
 */
int kmod_wait_path(const char *path, bool exist, int timeout_ms);

/*
 * In a forked child: set supplementary groups to @groups (@ngroups
 * entries, may be 0), gid to @gid and uid to @uid (losing root's
 * capabilities), then open @path read-write. Returns 0 if the open
 * succeeded, else -errno of the step that failed.
 */
int kmod_open_as(const char *path, uid_t uid, gid_t gid,
		 const gid_t *groups, size_t ngroups);

#endif /* RPCDEV_SELFTEST_KMOD_H */
