/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The setup the guest suites share: rpcdev and the backend's module
 * loaded with one device (rpcdev_kmod.h says which backend), debugfs
 * mounted, /dev/rpcdev0 open without a queue.
 *
 * DEVICE_FIXTURE(name) defines a harness fixture of that setup whose
 * teardown runs in the harness's parent process and fails the test if a
 * module cannot be unloaded (a leaked reference), except after a failed
 * ASSERT (see kmod_in_test_process()). Its data: @dev, and the debugfs
 * files of queues 0 and 1 (@q0, @q1: the core's counters of the present
 * attachment) and of rpcdev_sim's queue 0 (@sim_q0: its counters over
 * every attachment; that file exists only on the sim, see
 * SKIP_UNLESS_SIM()).
 */
#ifndef RPCDEV_SELFTEST_FIXTURE_H
#define RPCDEV_SELFTEST_FIXTURE_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpcdev.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_kmod.h"

#define DEV_PATH	"/dev/rpcdev0"

/*
 * Load the modules, wait for DEV_PATH, mount debugfs and open the device
 * into @dev. Returns 0, or -errno with *@what naming the step that failed;
 * the modules are then unloaded again.
 */
int fixture_open_device(struct rpcdev *dev, const char **what);

#ifdef __KSELFTEST_HARNESS_H

/* A fixture setup's first step: false when the test is skipped. */
static inline bool device_fixture_open(struct __test_metadata *_metadata,
				       struct rpcdev *dev)
{
	const char *what;
	int ret;

	if (geteuid() != 0)
		SKIP(return false,
		     "loading modules needs root (run it in the test VM)");
	ASSERT_NE(NULL, kmod_backend())
		TH_LOG(KMOD_BACKEND_ENV "=%s: not a backend (sim, ivshmem)",
		       kmod_backend_env());
	kmod_mark_test_process();
	ret = fixture_open_device(dev, &what);
	ASSERT_EQ(0, ret) TH_LOG("%s (modules from %s): %s", what, kmod_dir(),
				 strerror(-ret));
	return true;
}

static inline void device_fixture_close(struct __test_metadata *_metadata)
{
	/* After a failed ASSERT: the next setup unloads them (rpcdev_kmod.h). */
	if (kmod_in_test_process())
		return;
	EXPECT_EQ(0, kmod_unload_stack())
		TH_LOG("a module stayed loaded: a reference was leaked");
}

#define DEVICE_FIXTURE(name)						\
	FIXTURE(name) {							\
		struct rpcdev dev;					\
		char q0[64];						\
		char q1[64];						\
		char sim_q0[96];					\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		if (!device_fixture_open(_metadata, &self->dev))	\
			return;						\
		dbgfs_queue_path(self->q0, sizeof(self->q0), 0, 0);	\
		dbgfs_queue_path(self->q1, sizeof(self->q1), 0, 1);	\
		dbgfs_sim_queue_path(self->sim_q0, sizeof(self->sim_q0), \
				     0, 0);				\
	}								\
	FIXTURE_TEARDOWN_PARENT(name)					\
	{								\
		device_fixture_close(_metadata);			\
	}

/*
 * Skip the test unless the backend is rpcdev_sim; @what names the sim's
 * own thing the test needs ("rpcdev_sim's fw_spin_us parameter").
 */
#define SKIP_UNLESS_SIM(what) do {					\
	if (!kmod_backend() || !kmod_backend()->sim)			\
		SKIP(return, "needs %s, which only rpcdev_sim has ("	\
		     KMOD_BACKEND_ENV "=%s)", what, kmod_backend_env());	\
} while (0)

#endif /* __KSELFTEST_HARNESS_H */

#endif /* RPCDEV_SELFTEST_FIXTURE_H */
