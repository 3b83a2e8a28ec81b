/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The setup the guest suites share: rpcdev and rpcdev_sim (one device)
 * loaded, debugfs mounted, /dev/rpcdev0 open without a queue.
 */
#ifndef RPCDEV_SELFTEST_FIXTURE_H
#define RPCDEV_SELFTEST_FIXTURE_H

#include "rpcdev.h"

#define FIXTURE_DEV_PATH	"/dev/rpcdev0"

/*
 * Load the modules, wait for FIXTURE_DEV_PATH, mount debugfs and open the
 * device into @dev. Returns 0, or -errno with *@what naming the step that
 * failed; the modules are then unloaded again.
 */
int fixture_open_sim(struct rpcdev *dev, const char **what);

#endif /* RPCDEV_SELFTEST_FIXTURE_H */
