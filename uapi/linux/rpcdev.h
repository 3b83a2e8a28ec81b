/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rpcdev: remote procedure calls between a host program and a device.
 *
 * This header is the whole ABI between user space, the rpcdev core driver
 * and every device backend. Each device appears as /dev/rpcdevN, a character
 * device that is root-only unless the rpcdev module's "group" and "mode"
 * parameters grant more.
 *
 * All structures use fixed-width types and explicit padding. Fields marked
 * "in" are read by the kernel; fields marked "out" are written by it. Every
 * reserved field and padding word a caller passes in must be zero, or the
 * ioctl fails with EINVAL, so that a later ABI version can give them a
 * meaning. The ABI version and the feature word returned by
 * RPCDEV_IOC_INFO tell a program what the running kernel supports.
 */
#ifndef _UAPI_LINUX_RPCDEV_H
#define _UAPI_LINUX_RPCDEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * RPCDEV_ABI_VERSION - version of this ABI.
 *
 * Bumped only for a change that an old program could misread; additions
 * that a program can detect through the feature word do not bump it.
 */
#define RPCDEV_ABI_VERSION	1

/* RPCDEV_NAME_LEN - size of a device name, including the terminating NUL. */
#define RPCDEV_NAME_LEN		32

/* RPCDEV_MAX_QUEUES - upper bound on the queue pairs one device may have. */
#define RPCDEV_MAX_QUEUES	64

/*
 * Feature bits reported in struct rpcdev_info.features.
 *
 * A bit is set when both the running core driver and this device support
 * the feature. Unknown bits are to be ignored by programs.
 *
 * RPCDEV_FEAT_INFO:	RPCDEV_IOC_INFO is supported (always set; lets a
 *			program tell a zeroed reply from a real one).
 */
#define RPCDEV_FEAT_INFO	(1ULL << 0)

/**
 * struct rpcdev_info - what RPCDEV_IOC_INFO reports about a device.
 * @abi_version:	out: RPCDEV_ABI_VERSION of the running core driver.
 * @nr_queues:		out: number of queue pairs the device offers.
 * @features:		out: RPCDEV_FEAT_* bits supported by the core and
 *			this device.
 * @name:		out: the backend's name for the device, for example
 *			"rpcdev_sim.0"; NUL-terminated, the rest of the array
 *			zero-filled.
 * @minor:		out: N in /dev/rpcdevN.
 * @reserved:		out: zero in this version.
 *
 * The kernel fills the whole structure, reserved fields included, so no
 * byte of it is left over from an earlier use of the caller's buffer.
 */
struct rpcdev_info {
	__u32 abi_version;
	__u32 nr_queues;
	__u64 features;
	char name[RPCDEV_NAME_LEN];
	__u32 minor;
	__u32 reserved[7];
};

/* RPCDEV_IOC_MAGIC - the ioctl type byte of every rpcdev ioctl. */
#define RPCDEV_IOC_MAGIC	0xb8

/*
 * RPCDEV_IOC_INFO - describe the device.
 *
 * Argument: struct rpcdev_info *, written by the kernel.
 * Returns 0, or -1 with errno:
 *	EFAULT	the argument points to memory that cannot be written;
 *	ENODEV	the device has been removed since the file was opened.
 * Any command number rpcdev does not know fails with ENOTTY.
 */
#define RPCDEV_IOC_INFO		_IOR(RPCDEV_IOC_MAGIC, 0x00, struct rpcdev_info)

#endif /* _UAPI_LINUX_RPCDEV_H */
