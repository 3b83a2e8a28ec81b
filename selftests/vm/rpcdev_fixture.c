// SPDX-License-Identifier: GPL-2.0
/* The setup the guest suites share; see rpcdev_fixture.h. */
#include <stdbool.h>

#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_kmod.h"

int fixture_open_device(struct rpcdev *dev, const char **what)
{
	bool sim = kmod_backend() && kmod_backend()->sim;
	int ret;

	*what = sim ? "loading rpcdev and rpcdev_sim" :
		      "loading rpcdev and its backend";
	ret = kmod_load_stack("", "devices=1");
	if (ret)
		return ret;
	*what = sim ? "waiting for " DEV_PATH :
		      "waiting for " DEV_PATH " (does the VM have the "
		      "backend's device, and is its firmware running?)";
	ret = kmod_wait_path(DEV_PATH, true, KMOD_NODE_TIMEOUT_MS);
	if (!ret) {
		*what = "mounting debugfs";
		ret = dbgfs_mount();
	}
	if (!ret) {
		*what = "opening " DEV_PATH;
		ret = rpcdev_open(dev, DEV_PATH);
	}
	if (ret)
		kmod_unload_stack();
	return ret;
}
