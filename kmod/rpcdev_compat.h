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

/* vm_flags became read-only behind vm_flags_set() and friends in 6.3. */
#ifdef RPCDEV_HAVE_VM_FLAGS_SET
#define rpcdev_vm_flags_set	vm_flags_set
#define rpcdev_vm_flags_clear	vm_flags_clear
#else
#include <linux/mm.h>

static inline void rpcdev_vm_flags_set(struct vm_area_struct *vma,
				       vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void rpcdev_vm_flags_clear(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#endif /* _RPCDEV_COMPAT_H */
