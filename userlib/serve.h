/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * librpcdev internals: rpcdev_serve()'s loop, one for every way of
 * driving a queue. Not installed.
 */
#ifndef LIBRPCDEV_SERVE_H
#define LIBRPCDEV_SERVE_H

#include <errno.h>
#include <stdbool.h>

#include "rpcdev.h"

/* The answer a handler starts from: OK, empty, in place. */
static inline void rpcdev__reply_init(struct rpcdev_upcall_reply *reply,
				      const struct rpcdev_upcall_req *up)
{
	*reply = (struct rpcdev_upcall_reply){
		.id = up->id,
		.status = RPCDEV_STATUS_OK,
	};
}

/*
 * serve.c: the answer to send instead when the answer to @up was refused
 * with @err: an error of the library's own ("ReplyError"), so the device
 * is not left waiting. Returns true when there is one to send (@err says
 * the answer was malformed), false when nothing more can be sent (-EIO,
 * -ENODEV, ...).
 */
bool rpcdev__serve_fallback(const struct rpcdev_upcall_req *up, int err,
			    struct rpcdev_upcall_reply *fallback);

typedef int (*rpcdev__wait_step)(struct rpcdev *dev, uint64_t timeout_ns,
				 struct rpcdev_upcall_req *up);
typedef int (*rpcdev__reply_step)(struct rpcdev *dev,
				  const struct rpcdev_upcall_reply *reply);
typedef int (*rpcdev__reply_wait_step)(struct rpcdev *dev,
				       const struct rpcdev_upcall_reply *reply,
				       uint64_t timeout_ns,
				       struct rpcdev_upcall_req *up);

/*
 * rpcdev_serve()'s loop: @wait takes an upcall, @reply answers one,
 * @reply_and_wait answers and takes the next (the reply is read before
 * @up is overwritten). Each table instantiates it in its serve op with
 * its own steps, as constants: forced inline, so on user rings the steps
 * are inlined into it and a message costs no call but the handler's
 * (under emulation every call and return costs a lookup).
 */
static inline __attribute__((always_inline)) int
rpcdev__serve_loop(struct rpcdev *dev, rpcdev_upcall_fn handler, void *ctx,
		   uint64_t timeout_ns, rpcdev__wait_step wait,
		   rpcdev__reply_step reply,
		   rpcdev__reply_wait_step reply_and_wait)
{
	struct rpcdev_upcall_reply answer, fallback;
	struct rpcdev_upcall_req up;
	int ret, stop;

	ret = wait(dev, timeout_ns, &up);
	while (!ret) {
		rpcdev__reply_init(&answer, &up);
		stop = handler(ctx, &up, &answer);
		/* Only an acknowledgement: nothing to refuse. */
		if (up.flags & RPCDEV_ENTRY_ASYNC)
			rpcdev__reply_init(&answer, &up);
		if (stop) {
			ret = reply(dev, &answer);
			if (ret && rpcdev__serve_fallback(&up, ret, &fallback))
				reply(dev, &fallback);
			return ret ? ret : stop;
		}
		ret = reply_and_wait(dev, &answer, timeout_ns, &up);
		/* Refused: nothing was sent, and @up is the one answered. */
		if ((ret == -EINVAL || ret == -E2BIG || ret == -EFAULT) &&
		    rpcdev__serve_fallback(&up, ret, &fallback))
			reply(dev, &fallback);
	}
	return ret;
}

#endif /* LIBRPCDEV_SERVE_H */
