// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: registered buffers (RPCDEV_FEAT_REG_BUFS). A program pins
 * memory of its own on its queue, and calls then name it for their
 * request and their result, which the device reads and writes in place.
 * The kernel must see which calls use a buffer, so these are the BLOCK
 * policy's: RPCDEV_IOC_CALL, never the mapped rings.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "queue.h"

int rpcdev_buf_register(struct rpcdev *dev, void *addr, size_t len)
{
	struct rpcdev_buf_reg r;

	if (dev->fd < 0)
		return -EBADF;
	memset(&r, 0, sizeof(r));
	r.addr = (uintptr_t)addr;
	r.len = len;
	if (ioctl(dev->fd, RPCDEV_IOC_BUF_REGISTER, &r) < 0)
		return -errno;
	return (int)r.index;
}

int rpcdev_buf_unregister(struct rpcdev *dev, unsigned int index)
{
	struct rpcdev_buf_unreg u;

	if (dev->fd < 0)
		return -EBADF;
	memset(&u, 0, sizeof(u));
	u.index = index;
	return ioctl(dev->fd, RPCDEV_IOC_BUF_UNREGISTER, &u) < 0 ? -errno : 0;
}

/* A span's index and length in RPCDEV_IOC_CALL's narrower fields. */
static int span_ok(const struct rpcdev_buf_span *s)
{
	if (!s)
		return 0;
	if (s->index >= RPCDEV_MAX_REG_BUFS)
		return -ENOENT;
	return s->len > UINT32_MAX || s->__resv ? -EINVAL : 0;
}

int rpcdev_call_bufs(struct rpcdev *dev, unsigned int method,
		     const struct rpcdev_buf_span *req,
		     const struct rpcdev_buf_span *resp, uint64_t timeout_ns,
		     struct rpcdev_call_result *res)
{
	struct rpcdev_call c;
	int ret;

	if (dev->fd < 0)
		return -EBADF;
	ret = span_ok(req);
	if (!ret)
		ret = span_ok(resp);
	if (ret)
		return ret;
	rpcdev__call_arg(&c, method, NULL, 0, NULL, 0, timeout_ns);
	if (req) {
		c.flags |= RPCDEV_CALL_REQ_BUF;
		c.req_buf = (__u16)req->index;
		c.req = req->offset;
		c.req_len = (__u32)req->len;
	}
	if (resp) {
		c.flags |= RPCDEV_CALL_RESP_BUF;
		c.resp_buf = (__u16)resp->index;
		c.resp = resp->offset;
		c.resp_cap = (__u32)resp->len;
	}
	if (ioctl(dev->fd, RPCDEV_IOC_CALL, &c) < 0)
		return -errno;
	rpcdev__call_result(&c, res);
	return 0;
}
