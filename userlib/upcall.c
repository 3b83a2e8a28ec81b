// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: serving upcalls, the device calling the host. Each function
 * checks its arguments and hands the work to the queue's table (queue.h):
 * RPCDEV_IOC_REPLY_AND_WAIT on BLOCK queues (ioctl.c), the mapped rings on
 * POLL and ADAPTIVE ones (ring.c).
 * See rpcdev.h for the documentation of each function.
 */
#include <errno.h>

#include "queue.h"

/* Checks every entry point makes: 0, or the errno to return. */
static int upcall_check(const struct rpcdev *dev)
{
	if (dev->fd < 0)
		return -EBADF;
	if (!rpcdev__has_queue(dev))
		return -EINVAL;
	return 0;
}

int rpcdev_upcall_wait(struct rpcdev *dev, uint64_t timeout_ns,
		       struct rpcdev_upcall_req *up)
{
	int ret = upcall_check(dev);

	if (ret)
		return ret;
	if (!up)
		return -EINVAL;
	return dev->ops->upcall_wait(dev, timeout_ns, up);
}

int rpcdev_upcall_reply(struct rpcdev *dev,
			const struct rpcdev_upcall_reply *reply)
{
	int ret = upcall_check(dev);

	if (ret)
		return ret;
	if (!reply)
		return -EINVAL;
	return dev->ops->upcall_reply(dev, reply);
}

int rpcdev_upcall_reply_and_wait(struct rpcdev *dev,
				 const struct rpcdev_upcall_reply *reply,
				 uint64_t timeout_ns,
				 struct rpcdev_upcall_req *up)
{
	int ret = upcall_check(dev);

	if (ret)
		return ret;
	if (!reply || !up)
		return -EINVAL;
	return dev->ops->upcall_reply_and_wait(dev, reply, timeout_ns, up);
}

int rpcdev_serve(struct rpcdev *dev, rpcdev_upcall_fn handler, void *ctx,
		 uint64_t timeout_ns)
{
	int ret = upcall_check(dev);

	if (ret)
		return ret;
	if (!handler)
		return -EINVAL;
	return dev->ops->serve(dev, handler, ctx, timeout_ns);
}
