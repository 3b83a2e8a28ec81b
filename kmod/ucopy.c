// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev user copies: every copy between user memory and the kernel that a
 * file operation makes with rdev->lock held for reading.
 *
 * A fault on user memory may take as long as user space likes: a page a
 * userfaultfd holds back, a mapping of a file whose FUSE server sleeps.
 * rpcdev_unregister_device() takes rdev->lock for writing, so a copy that
 * faulted under the read lock would hold up a device's removal (module
 * unload, hot unplug) for as long as that. These copies therefore never
 * fault under the lock: each is tried with page faults disabled, and when
 * it needs one the lock is let go while the pages are faulted in, then
 * taken again and the device looked at again. A device removed meanwhile
 * ends the copy with its errno; nothing of its memory was touched
 * without the lock.
 */
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "rpcdev_core.h"

/**
 * rpcdev_user_fault_in() - fault in user pages without rdev->lock.
 * @rdev:	the device, whose lock the caller holds for reading.
 * @uaddr:	the user memory.
 * @len:	its length.
 * @write:	whether the copy writes it.
 *
 * Lets go of rdev->lock while it faults the pages in, and takes it again.
 * The caller's state under the lock may have changed meanwhile only by
 * the device's going, which the return value tells.
 *
 * Return: 0 when the pages are in; -EFAULT when they cannot be, -EINTR on
 * a fatal signal, or the device's errno once it is gone.
 */
int rpcdev_user_fault_in(struct rpcdev_device *rdev, const void __user *uaddr,
			 size_t len, bool write)
{
	size_t left;
	int gone;

	up_read(&rdev->lock);
	if (write)
		left = fault_in_writeable((char __user *)uaddr, len);
	else
		left = fault_in_readable(uaddr, len);
	down_read(&rdev->lock);
	gone = rpcdev_gone(rdev);
	if (gone)
		return gone;
	if (left)
		return -EFAULT;
	return fatal_signal_pending(current) ? -EINTR : 0;
}

/**
 * rpcdev_copy_from_user() - copy_from_user() that never faults under the lock.
 * @rdev:	the device, whose lock the caller holds for reading.
 * @to:		kernel memory (device memory too: the lock keeps it).
 * @from:	user memory.
 * @len:	bytes to copy.
 *
 * Return: 0, or an errno of rpcdev_user_fault_in().
 */
int rpcdev_copy_from_user(struct rpcdev_device *rdev, void *to,
			  const void __user *from, size_t len)
{
	int ret;

	while (copy_from_user_nofault(to, from, len)) {
		ret = rpcdev_user_fault_in(rdev, from, len, false);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * rpcdev_copy_to_user() - copy_to_user() that never faults under the lock.
 * @rdev:	the device, whose lock the caller holds for reading.
 * @to:		user memory.
 * @from:	kernel memory.
 * @len:	bytes to copy.
 *
 * Return: 0, or an errno of rpcdev_user_fault_in().
 */
int rpcdev_copy_to_user(struct rpcdev_device *rdev, void __user *to,
			const void *from, size_t len)
{
	int ret;

	while (copy_to_user_nofault(to, from, len)) {
		ret = rpcdev_user_fault_in(rdev, to, len, true);
		if (ret)
			return ret;
	}
	return 0;
}
