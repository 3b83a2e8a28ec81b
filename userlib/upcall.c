// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: serving upcalls, the device calling the host, on top of
 * RPCDEV_IOC_REPLY_AND_WAIT. Payloads stay where the device and the server
 * put them: the request in the mapped UQ buffer of the upcall's slot, the
 * reply in the mapped UR buffer of the same slot.
 * See rpcdev.h for the documentation of each function.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "ring.h"
#include "rpcdev.h"

/* Checks every entry point makes: 0, or the errno to return. */
static int upcall_check(const struct rpcdev *dev)
{
	if (rpcdev_fd(dev) < 0)
		return -EBADF;
	if (rpcdev_queue_id(dev) < 0)
		return -EINVAL;
	return 0;
}

/* Put @reply into the REPLY half of @a; 0 or -E2BIG. */
static int upcall_set_reply(struct rpcdev_upcall *a,
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

/* Describe the upcall the kernel returned in @a; 0, or -EIO if it is not
 * one of this queue's. */
static int upcall_fill(struct rpcdev *dev, const struct rpcdev_upcall *a,
		       struct rpcdev_upcall_req *up)
{
	unsigned int buf_size = rpcdev_queue_buf_size(dev);
	const void *data = rpcdev_queue_buf(dev, RPCDEV_OFF_UQ_BUF, a->id);
	void *reply = rpcdev_queue_buf(dev, RPCDEV_OFF_UR_BUF, a->id);

	if (!data || !reply || a->len > buf_size)
		return -EIO;
	memset(up, 0, sizeof(*up));
	up->id = a->id;
	up->method = a->method;
	up->flags = a->entry_flags;
	up->tag = a->tag;
	up->data = data;
	up->len = a->len;
	up->reply = reply;
	up->reply_cap = buf_size;
	return 0;
}

/* One RPCDEV_IOC_REPLY_AND_WAIT with @a (flags set); the upcall into @up
 * when the call waited. */
static int upcall_ioctl(struct rpcdev *dev, struct rpcdev_upcall *a,
			struct rpcdev_upcall_req *up)
{
	if (ioctl(rpcdev_fd(dev), RPCDEV_IOC_REPLY_AND_WAIT, a) < 0)
		return -errno;
	if (!(a->flags & RPCDEV_UPCALL_WAIT))
		return 0;
	return upcall_fill(dev, a, up);
}

int rpcdev_upcall_wait(struct rpcdev *dev, uint64_t timeout_ns,
		       struct rpcdev_upcall_req *up)
{
	struct rpcdev_upcall a;
	int ret;

	ret = upcall_check(dev);
	if (ret)
		return ret;
	if (!up)
		return -EINVAL;
	if (dev->ring.policy != RPCDEV_WAIT_BLOCK)
		return rpcdev__ring_upcall_wait(dev, timeout_ns, up);
	memset(&a, 0, sizeof(a));
	a.flags = RPCDEV_UPCALL_WAIT;
	a.timeout_ns = timeout_ns;
	return upcall_ioctl(dev, &a, up);
}

int rpcdev_upcall_reply(struct rpcdev *dev,
			const struct rpcdev_upcall_reply *reply)
{
	struct rpcdev_upcall a;
	int ret;

	ret = upcall_check(dev);
	if (ret)
		return ret;
	if (!reply)
		return -EINVAL;
	if (dev->ring.policy != RPCDEV_WAIT_BLOCK)
		return rpcdev__ring_upcall_reply(dev, reply);
	memset(&a, 0, sizeof(a));
	ret = upcall_set_reply(&a, reply);
	if (ret)
		return ret;
	return upcall_ioctl(dev, &a, NULL);
}

int rpcdev_upcall_reply_and_wait(struct rpcdev *dev,
				 const struct rpcdev_upcall_reply *reply,
				 uint64_t timeout_ns,
				 struct rpcdev_upcall_req *up)
{
	struct rpcdev_upcall a;
	int ret;

	ret = upcall_check(dev);
	if (ret)
		return ret;
	if (!reply || !up)
		return -EINVAL;
	if (dev->ring.policy != RPCDEV_WAIT_BLOCK)
		return rpcdev__ring_upcall_reply_and_wait(dev, reply,
							  timeout_ns, up);
	memset(&a, 0, sizeof(a));
	ret = upcall_set_reply(&a, reply);
	if (ret)
		return ret;
	a.flags |= RPCDEV_UPCALL_WAIT;
	a.timeout_ns = timeout_ns;
	return upcall_ioctl(dev, &a, up);
}

int rpcdev_error_build(void *buf, size_t cap, const char *name,
		       const char *message)
{
	size_t nlen, mlen;
	char *p = buf;

	if (!buf || !name)
		return -EINVAL;
	if (!message)
		message = "";
	nlen = strlen(name);
	mlen = strlen(message);
	/* The name, its NUL and the message's NUL must fit; the length an int. */
	if (cap < 2 || nlen > cap - 2 || nlen > INT32_MAX - 2)
		return -ENOSPC;
	if (mlen > cap - 2 - nlen)
		mlen = cap - 2 - nlen;
	if (mlen > (size_t)INT32_MAX - 2 - nlen)
		mlen = (size_t)INT32_MAX - 2 - nlen;
	memcpy(p, name, nlen);
	p[nlen] = '\0';
	memcpy(p + nlen + 1, message, mlen);
	p[nlen + 1 + mlen] = '\0';
	return (int)(nlen + mlen + 2);
}

int rpcdev_reply_error(const struct rpcdev_upcall_req *up,
		       struct rpcdev_upcall_reply *reply, const char *name,
		       const char *message)
{
	int len;

	if (!up || !reply)
		return -EINVAL;
	len = rpcdev_error_build(up->reply, up->reply_cap, name, message);
	if (len < 0)
		return len;
	reply->id = up->id;
	reply->status = RPCDEV_STATUS_ERROR;
	reply->flags = RPCDEV_ENTRY_ERROR;
	reply->len = (size_t)len;
	reply->data = NULL;
	return 0;
}

/*
 * The kernel refused the handler's answer (@err): answer the upcall with
 * an error of our own, so the device is not left waiting for it.
 */
void rpcdev__serve_refused(struct rpcdev *dev,
			   const struct rpcdev_upcall_req *up, int err)
{
	struct rpcdev_upcall_reply fallback;
	const char *what;

	switch (err) {
	case -E2BIG:
		what = "reply longer than the reply buffer";
		break;
	case -EFAULT:
		what = "reply data not readable";
		break;
	case -EINVAL:
		what = "invalid reply";
		break;
	default:
		/* -EIO, -ENODEV, ...: nothing more can be sent. */
		return;
	}
	rpcdev__reply_init(&fallback, up);
	if (rpcdev_reply_error(up, &fallback, "ReplyError", what))
		fallback.status = RPCDEV_STATUS_ERROR;
	rpcdev_upcall_reply(dev, &fallback);
}

int rpcdev_serve(struct rpcdev *dev, rpcdev_upcall_fn handler, void *ctx,
		 uint64_t timeout_ns)
{
	int ret;

	ret = upcall_check(dev);
	if (ret)
		return ret;
	if (!handler)
		return -EINVAL;
	if (dev->ring.policy != RPCDEV_WAIT_BLOCK)
		return rpcdev__ring_serve(dev, handler, ctx, timeout_ns);
	return rpcdev__serve_loop(dev, handler, ctx, timeout_ns,
				  rpcdev_upcall_wait, rpcdev_upcall_reply,
				  rpcdev_upcall_reply_and_wait);
}
