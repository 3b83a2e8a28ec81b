// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: the mailbox. Host to device: a value and a sequence number in
 * one 64-bit word per slot of the mapped host control page, posted with an
 * ioctl or a plain store. Device to host: a small ring of messages, read
 * with an ioctl.
 * See rpcdev.h for the documentation of each function.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "queue.h"

/* Checks every entry point makes: 0, or the errno to return. */
static int mbox_check(const struct rpcdev *dev)
{
	if (dev->fd < 0)
		return -EBADF;
	if (!rpcdev__has_queue(dev))
		return -EINVAL;
	return 0;
}

int rpcdev_mbox_post(struct rpcdev *dev, unsigned int slot, uint32_t value,
		     uint32_t *seq)
{
	struct rpcdev_mbox m;
	int ret;

	ret = mbox_check(dev);
	if (ret)
		return ret;
	memset(&m, 0, sizeof(m));
	m.slot = slot;
	m.value = value;
	if (ioctl(dev->fd, RPCDEV_IOC_MBOX_POST, &m) < 0)
		return -errno;
	if (seq)
		*seq = m.seq;
	return 0;
}

int rpcdev_mbox_store(struct rpcdev *dev, unsigned int slot, uint32_t value,
		      uint32_t *seq)
{
	struct rpcdev_host_ctrl *ctrl;
	uint64_t word;
	uint32_t next;
	int ret;

	ret = mbox_check(dev);
	if (ret)
		return ret;
	/* Checked here: nothing else stands between slot and the store. */
	if (slot >= RPCDEV_MBOX_SLOTS)
		return -EINVAL;
	ctrl = dev->part.host_ctrl;

	word = __atomic_load_n(&ctrl->mbox[slot], __ATOMIC_RELAXED);
	next = RPCDEV_MBOX_SEQ(word) + 1;
	/* One store: the device never sees a torn value and sequence. */
	__atomic_store_n(&ctrl->mbox[slot], (uint64_t)next << 32 | value,
			 __ATOMIC_RELEASE);
	if (seq)
		*seq = next;
	return 0;
}

int rpcdev_mbox_read(struct rpcdev *dev, struct rpcdev_mbox_msg *msg)
{
	int ret;

	ret = mbox_check(dev);
	if (ret)
		return ret;
	if (!msg)
		return -EINVAL;
	if (ioctl(dev->fd, RPCDEV_IOC_MBOX_READ, msg) < 0)
		return -errno;
	return 0;
}
