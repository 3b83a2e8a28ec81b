/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for guest tests: load and unload the rpcdev modules, wait for
 * device nodes, drop privileges. No harness macros here: every helper
 * returns 0 or a negative errno, so a test can assert the exact result.
 *
 * The modules are looked for in $RPCDEV_MODDIR, default /lib/rpcdev. The
 * backend, the module that gives rpcdev its device, is chosen at run time
 * by $RPCDEV_TEST_BACKEND: "sim" (rpcdev_sim.ko, the default) or "ivshmem"
 * (rpcdev_ivshmem.ko, whose device exists only in a VM that has an
 * ivshmem-doorbell PCI device with its firmware running).
 */
#ifndef RPCDEV_SELFTEST_KMOD_H
#define RPCDEV_SELFTEST_KMOD_H

#include <stdbool.h>
#include <sys/types.h>

#define KMOD_CORE		"rpcdev"
#define KMOD_SIM		"rpcdev_sim"
#define KMOD_IVSHMEM		"rpcdev_ivshmem"
#define KMOD_DEFAULT_DIR	"/lib/rpcdev"
#define KMOD_BACKEND_ENV	"RPCDEV_TEST_BACKEND"

/* How long to wait for a device node to appear or go, in milliseconds. */
#define KMOD_NODE_TIMEOUT_MS	2000

/* Directory holding rpcdev.ko and the backends' modules. */
const char *kmod_dir(void);

/**
 * struct kmod_backend - the backend the tests run against.
 * @name:	its name in $RPCDEV_TEST_BACKEND ("sim", "ivshmem").
 * @module:	its module, which registers its devices when loaded and
 *		removes them when unloaded.
 * @sim:	true for rpcdev_sim. Only it has module parameters (devices,
 *		queues, fw_cpu, fw_spin_us, fw_irq_hold_us), debugfs counters
 *		of its own (rpcdev_sim/rpcdev_sim.N/qM) and can be loaded again
 *		with other parameters; tests that need those skip on the
 *		others.
 */
struct kmod_backend {
	const char *name;
	const char *module;
	bool sim;
};

/*
 * The backend $RPCDEV_TEST_BACKEND names; unset or empty means "sim".
 * NULL when it names no backend these tests know.
 */
const struct kmod_backend *kmod_backend(void);

/* What $RPCDEV_TEST_BACKEND says ("" when unset), for messages. */
const char *kmod_backend_env(void);

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
 * Unload anything left over, then load rpcdev with @core_params and the
 * backend's module: rpcdev_sim with @sim_params, any other backend with
 * no parameters (they take none). A NULL @sim_params loads no backend.
 * On failure nothing is left loaded. Returns 0 or -errno of the load that
 * failed (-EINVAL for an unknown backend).
 */
int kmod_load_stack(const char *core_params, const char *sim_params);

/*
 * Set rpcdev_sim's run-time parameter @name (fw_cpu, fw_spin_us,
 * fw_irq_hold_us: they apply to queues started from then on) to @value,
 * through /sys/module/rpcdev_sim/parameters/. Returns 0 or -errno of
 * open(2) or write(2) (-ENOENT when rpcdev_sim is not loaded).
 */
int kmod_sim_param(const char *name, long value);

/*
 * Unload the backend's module, then rpcdev; a module that is not loaded
 * is fine. Returns 0 or the first -errno.
 */
int kmod_unload_stack(void);

/*
 * Load the backend's module alone (rpcdev must be loaded): rpcdev_sim with
 * @sim_params, another backend with none. Returns 0 or -errno as
 * kmod_load() (-EINVAL for an unknown backend).
 */
int kmod_load_backend(const char *sim_params);

/*
 * Remove the backend's devices by unloading its module, with the files
 * of its devices still open or not (one delete_module(2), as
 * kmod_unload()). Returns 0 or -errno.
 */
int kmod_remove_devices(void);

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
