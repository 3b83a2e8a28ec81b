// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: the RPCDEV_WAIT_BLOCK way of driving a queue. The kernel
 * drives the rings: a downcall is one RPCDEV_IOC_CALL, serving upcalls is
 * RPCDEV_IOC_REPLY_AND_WAIT, and every wait sleeps in the kernel. Payloads
 * of upcalls stay where the device and the server put them: the request
 * in the mapped UQ buffer of the upcall's slot, the reply in the mapped
 * UR buffer of the same slot.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "queue.h"
#include "serve.h"

/* RPCDEV_IOC_CALL's argument for a call. */
void rpcdev__call_arg(struct rpcdev_call *c, unsigned int method,
		      const void *req, size_t req_len, void *resp,
		      size_t resp_cap, uint64_t timeout_ns)
{
	memset(c, 0, sizeof(*c));
	c->method = method;
	c->req = (uintptr_t)req;
	c->req_len = (__u32)req_len;
	c->resp = (uintptr_t)resp;
	c->resp_cap = resp_cap > UINT32_MAX ? UINT32_MAX : (__u32)resp_cap;
	c->timeout_ns = timeout_ns;
}

/* The answer the kernel wrote into @c, into @res (if not NULL). */
void rpcdev__call_result(const struct rpcdev_call *c,
			 struct rpcdev_call_result *res)
{
	if (!res)
		return;
	memset(res, 0, sizeof(*res));
	res->status = c->status;
	res->flags = c->res_flags;
	res->resp_len = c->resp_len;
}

static int ioctl_call(struct rpcdev *dev, unsigned int method,
		      const void *req, size_t req_len, void *resp,
		      size_t resp_cap, uint64_t timeout_ns,
		      struct rpcdev_call_result *res)
{
	struct rpcdev_call c;

	rpcdev__call_arg(&c, method, req, req_len, resp, resp_cap, timeout_ns);
	if (ioctl(dev->fd, RPCDEV_IOC_CALL, &c) < 0)
		return -errno;
	rpcdev__call_result(&c, res);
	return 0;
}

/* Put @reply into the REPLY half of @a; 0 or -E2BIG. */
int rpcdev__upcall_set_reply(struct rpcdev_upcall *a,
			     const struct rpcdev_upcall_reply *reply)
{
	/* No buffer is this big; do not let the length wrap. */
	if (reply->len > UINT32_MAX)
		return -E2BIG;
	a->flags |= RPCDEV_UPCALL_REPLY;
	a->reply_id = reply->id;
	a->reply_status = reply->status;
	a->reply_flags = reply->flags;
	a->reply_len = (__u32)reply->len;
	a->reply_data = (uintptr_t)reply->data;
	return 0;
}

/*
 * Describe the upcall the kernel returned in @a; 0, or -EIO if it is not
 * one of this queue's.
 */
int rpcdev__upcall_fill(struct rpcdev *dev, const struct rpcdev_upcall *a,
			struct rpcdev_upcall_req *up)
{
	const struct rpcdev_queue_attach *l = &dev->layout;

	if (a->id >= l->depth || a->len > l->buf_size)
		return -EIO;
	memset(up, 0, sizeof(*up));
	up->id = a->id;
	up->method = a->method;
	up->flags = a->entry_flags;
	up->tag = a->tag;
	up->data = rpcdev__buf(dev, dev->part.uq_buf, a->id);
	up->len = a->len;
	up->reply = rpcdev__buf(dev, dev->part.ur_buf, a->id);
	up->reply_cap = l->buf_size;
	return 0;
}

/*
 * One RPCDEV_IOC_REPLY_AND_WAIT with @a (flags set); the upcall into @up
 * when the call waited.
 */
static int upcall_ioctl(struct rpcdev *dev, struct rpcdev_upcall *a,
			struct rpcdev_upcall_req *up)
{
	if (ioctl(dev->fd, RPCDEV_IOC_REPLY_AND_WAIT, a) < 0)
		return -errno;
	if (!(a->flags & RPCDEV_UPCALL_WAIT))
		return 0;
	return rpcdev__upcall_fill(dev, a, up);
}

static int ioctl_upcall_wait(struct rpcdev *dev, uint64_t timeout_ns,
			     struct rpcdev_upcall_req *up)
{
	struct rpcdev_upcall a;

	memset(&a, 0, sizeof(a));
	a.flags = RPCDEV_UPCALL_WAIT;
	a.timeout_ns = timeout_ns;
	return upcall_ioctl(dev, &a, up);
}

static int ioctl_upcall_reply(struct rpcdev *dev,
			      const struct rpcdev_upcall_reply *reply)
{
	struct rpcdev_upcall a;
	int ret;

	memset(&a, 0, sizeof(a));
	ret = rpcdev__upcall_set_reply(&a, reply);
	if (ret)
		return ret;
	return upcall_ioctl(dev, &a, NULL);
}

static int ioctl_upcall_reply_and_wait(struct rpcdev *dev,
				       const struct rpcdev_upcall_reply *reply,
				       uint64_t timeout_ns,
				       struct rpcdev_upcall_req *up)
{
	struct rpcdev_upcall a;
	int ret;

	memset(&a, 0, sizeof(a));
	ret = rpcdev__upcall_set_reply(&a, reply);
	if (ret)
		return ret;
	a.flags |= RPCDEV_UPCALL_WAIT;
	a.timeout_ns = timeout_ns;
	return upcall_ioctl(dev, &a, up);
}

/* One system call per upcall: the answer and the next wait in one. */
static int ioctl_serve(struct rpcdev *dev, rpcdev_upcall_fn handler,
		       void *ctx, uint64_t timeout_ns)
{
	return rpcdev__serve_loop(dev, handler, ctx, timeout_ns,
				  ioctl_upcall_wait, ioctl_upcall_reply,
				  ioctl_upcall_reply_and_wait);
}

/* No asynchronous downcalls, no spinning: the kernel does the waiting. */
const struct rpcdev_queue_ops rpcdev__ioctl_ops = {
	.call			= ioctl_call,
	.upcall_wait		= ioctl_upcall_wait,
	.upcall_reply		= ioctl_upcall_reply,
	.upcall_reply_and_wait	= ioctl_upcall_reply_and_wait,
	.serve			= ioctl_serve,
};
