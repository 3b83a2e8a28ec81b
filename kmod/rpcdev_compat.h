/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels rpcdev is built for (Debian's 6.1 and
 * 6.12), kept in this one place so the rest of the driver reads as if there
 * were only one kernel. The RPCDEV_HAVE_* macros come from the feature
 * probes in Kbuild.
 */
#ifndef _RPCDEV_COMPAT_H
#define _RPCDEV_COMPAT_H

/* struct device_type's devnode() took a non-const device before 6.2. */
#ifdef RPCDEV_HAVE_CONST_DEVNODE
#define rpcdev_devnode_device	const struct device
#else
#define rpcdev_devnode_device	struct device
#endif

#endif /* _RPCDEV_COMPAT_H */
