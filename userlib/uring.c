// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: rpcdev's io_uring commands (see "io_uring commands" in
 * <linux/rpcdev.h>) prepared into SQEs and read back from CQEs. Only the
 * kernel's <linux/io_uring.h> is needed here, not liburing: the library
 * gains no dependency, and a program gets its SQEs from whatever it
 * drives its ring with. The commands are the ioctls of the BLOCK table
 * (ioctl.c), whose argument building and checking they share.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <linux/io_uring.h>

#include "queue.h"

/* Can @dev's queue take io_uring commands? The kernel drives its rings. */
static int uring_usable(const struct io_uring_sqe *sqe,
			const struct rpcdev *dev, const struct rpcdev_uring_op *op)
{
	if (!sqe || !dev || !op)
		return -EINVAL;
	if (dev->fd < 0)
		return -EBADF;
	if (!rpcdev__has_queue(dev) || dev->ops != &rpcdev__ioctl_ops)
		return -EINVAL;
	return 0;
}

/*
 * Fill @sqe with command @cmd_op on @dev, its argument in @op (already
 * filled in, of @kind).
 */
static void uring_prep(struct io_uring_sqe *sqe, struct rpcdev *dev,
		       struct rpcdev_uring_op *op, unsigned int kind,
		       unsigned int cmd_op, const void *arg)
{
	struct rpcdev_uring_cmd c = { .addr = (uintptr_t)arg };

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = dev->fd;
	sqe->cmd_op = cmd_op;
	memcpy(sqe->cmd, &c, sizeof(c));
	sqe->user_data = (uintptr_t)op;
	op->dev = dev;
	op->kind = kind;
	op->__resv0 = 0;
	memset(&op->res, 0, sizeof(op->res));
}

int rpcdev_prep_call_timeout(struct io_uring_sqe *sqe, struct rpcdev *dev,
			     struct rpcdev_uring_op *op, unsigned int method,
			     const void *req, size_t req_len, void *resp,
			     size_t resp_cap, uint64_t timeout_ns)
{
	int ret = uring_usable(sqe, dev, op);

	if (ret)
		return ret;
	if (req_len > dev->layout.buf_size)
		return -E2BIG;
	rpcdev__call_arg(&op->arg.call, method, req, req_len, resp, resp_cap,
			 timeout_ns);
	uring_prep(sqe, dev, op, RPCDEV_URING_OP_CALL, RPCDEV_URING_CALL,
		   &op->arg.call);
	return 0;
}

int rpcdev_prep_call(struct io_uring_sqe *sqe, struct rpcdev *dev,
		     struct rpcdev_uring_op *op, unsigned int method,
		     const void *req, size_t req_len, void *resp,
		     size_t resp_cap)
{
	return rpcdev_prep_call_timeout(sqe, dev, op, method, req, req_len,
					resp, resp_cap, 0);
}

/* A FETCH, or with @reply a COMMIT. */
static int uring_prep_upcall(struct io_uring_sqe *sqe, struct rpcdev *dev,
			     struct rpcdev_uring_op *op,
			     const struct rpcdev_upcall_reply *reply)
{
	struct rpcdev_upcall a;
	int ret = uring_usable(sqe, dev, op);

	if (ret)
		return ret;
	memset(&a, 0, sizeof(a));
	a.flags = RPCDEV_UPCALL_WAIT;
	if (reply) {
		ret = rpcdev__upcall_set_reply(&a, reply);
		if (ret)
			return ret;
	}
	op->arg.upcall = a;
	uring_prep(sqe, dev, op, RPCDEV_URING_OP_UPCALL,
		   reply ? RPCDEV_URING_UPCALL_COMMIT : RPCDEV_URING_UPCALL_FETCH,
		   &op->arg.upcall);
	return 0;
}

int rpcdev_prep_upcall_fetch(struct io_uring_sqe *sqe, struct rpcdev *dev,
			     struct rpcdev_uring_op *op)
{
	return uring_prep_upcall(sqe, dev, op, NULL);
}

int rpcdev_prep_upcall_commit(struct io_uring_sqe *sqe, struct rpcdev *dev,
			      struct rpcdev_uring_op *op,
			      const struct rpcdev_upcall_reply *reply)
{
	if (!reply)
		return -EINVAL;
	return uring_prep_upcall(sqe, dev, op, reply);
}

int rpcdev_prep_mbox_wait(struct io_uring_sqe *sqe, struct rpcdev *dev,
			  struct rpcdev_uring_op *op)
{
	int ret = uring_usable(sqe, dev, op);

	if (ret)
		return ret;
	memset(&op->arg.msg, 0, sizeof(op->arg.msg));
	uring_prep(sqe, dev, op, RPCDEV_URING_OP_MBOX, RPCDEV_URING_MBOX_WAIT,
		   &op->arg.msg);
	return 0;
}

int rpcdev_uring_result(const struct io_uring_cqe *cqe,
			struct rpcdev_uring_op *op)
{
	if (!cqe || !op || !op->dev)
		return -EINVAL;
	if (cqe->res < 0)
		return cqe->res;
	switch (op->kind) {
	case RPCDEV_URING_OP_CALL:
		rpcdev__call_result(&op->arg.call, &op->res.call);
		return 0;
	case RPCDEV_URING_OP_UPCALL:
		return rpcdev__upcall_fill(op->dev, &op->arg.upcall, &op->res.up);
	case RPCDEV_URING_OP_MBOX:
		op->res.msg = op->arg.msg;
		return 0;
	default:
		return -EINVAL;
	}
}
