/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * librpcdev internals: the POLL and ADAPTIVE wait policies (ring.c), for
 * queues attached with RPCDEV_ATTACH_USER_RINGS. Not installed.
 */
#ifndef LIBRPCDEV_RING_H
#define LIBRPCDEV_RING_H

#include <errno.h>

#include "rpcdev.h"

/* What the library keeps of an upcall it took, for the answer. */
struct rpcdev_ring_slot {
	uint64_t tag;
	uint32_t method;
	uint32_t flags;		/* the entry's, and RING_SLOT_TAKEN */
	uint64_t posted_ns;	/* the device's ts[0] */
	uint64_t seen_ns;	/* when this library saw the upcall */
};

/* What the library keeps of a downcall it posted (async or sync). */
struct rpcdev_ring_call {
	uint64_t user_data;
	uint64_t tag;
	unsigned int state;	/* RING_CALL_* */
};

#define RING_CALL_FREE		0	/* the slot is the library's */
#define RING_CALL_POSTED	1	/* the device has the call */
#define RING_CALL_DONE		2	/* reaped: the caller reads the answer */

/* struct rpcdev_ring_slot.flags: the upcall was taken and not answered. */
#define RING_SLOT_TAKEN		(1U << 31)

/* struct rpcdev.flags */
#define RPCDEV_F_QUEUE		(1U << 0)	/* a queue is attached and mapped */
#define RPCDEV_F_STAMPS		(1U << 1)	/* RPCDEV_ATTACH_TIMESTAMPS */
#define RPCDEV_F_RING_WAKE	(1U << 2)	/* RPCDEV_FEAT_RING_WAKE */
#define RPCDEV_F_KICK_PENDING	(1U << 3)	/* posts not yet rung for */
#define RPCDEV_F_ASYNC_NOACK	(1U << 4)	/* RPCDEV_ATTACH_ASYNC_NOACK */
#define RPCDEV_F_UQ_HELD	(1U << 5)	/* uq_cons held behind an async */
#define RPCDEV_F_RING_FLAGS	(RPCDEV_F_STAMPS | RPCDEV_F_RING_WAKE | \
				 RPCDEV_F_KICK_PENDING | RPCDEV_F_ASYNC_NOACK | \
				 RPCDEV_F_UQ_HELD)

int rpcdev__ring_init(struct rpcdev *dev, unsigned int policy,
		      uint32_t attach_flags, uint64_t features);
void rpcdev__ring_fini(struct rpcdev *dev);
int rpcdev__ring_upcall_wait(struct rpcdev *dev, uint64_t timeout_ns,
			     struct rpcdev_upcall_req *up);
int rpcdev__ring_upcall_reply(struct rpcdev *dev,
			      const struct rpcdev_upcall_reply *reply);
int rpcdev__ring_upcall_reply_and_wait(struct rpcdev *dev,
				       const struct rpcdev_upcall_reply *reply,
				       uint64_t timeout_ns,
				       struct rpcdev_upcall_req *up);
int rpcdev__ring_serve(struct rpcdev *dev, rpcdev_upcall_fn handler,
		       void *ctx, uint64_t timeout_ns);
/* upcall.c: answer an upcall whose answer was refused with an error. */
void rpcdev__serve_refused(struct rpcdev *dev,
			   const struct rpcdev_upcall_req *up, int err);

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
 * rpcdev_serve()'s loop, for either kind of queue: @wait takes an upcall,
 * @reply answers one, @reply_and_wait answers and takes the next (the
 * reply is read before @up is overwritten). Forced inline, and called
 * with constant steps, so on user rings the steps are inlined into it and
 * a message costs no call but the handler's (under emulation every call
 * and return costs a lookup).
 */
static inline __attribute__((always_inline)) int
rpcdev__serve_loop(struct rpcdev *dev, rpcdev_upcall_fn handler, void *ctx,
		   uint64_t timeout_ns,
		   int (*wait)(struct rpcdev *, uint64_t,
			       struct rpcdev_upcall_req *),
		   int (*reply)(struct rpcdev *,
				const struct rpcdev_upcall_reply *),
		   int (*reply_and_wait)(struct rpcdev *,
					 const struct rpcdev_upcall_reply *,
					 uint64_t, struct rpcdev_upcall_req *))
{
	struct rpcdev_upcall_reply answer;
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
			if (ret) {
				rpcdev__serve_refused(dev, &up, ret);
				return ret;
			}
			return stop;
		}
		ret = reply_and_wait(dev, &answer, timeout_ns, &up);
		if (ret == -EINVAL || ret == -E2BIG || ret == -EFAULT)
			rpcdev__serve_refused(dev, &up, ret);
	}
	return ret;
}
int rpcdev__ring_submit(struct rpcdev *dev,
			const struct rpcdev_async_call *calls, unsigned int n);
int rpcdev__ring_reap(struct rpcdev *dev, struct rpcdev_completion *out,
		      unsigned int max, unsigned int min, uint64_t timeout_ns);
int rpcdev__ring_done(struct rpcdev *dev, unsigned int id);
int rpcdev__ring_call(struct rpcdev *dev, unsigned int method, const void *req,
		      size_t req_len, void *resp, size_t resp_cap,
		      uint64_t timeout_ns, struct rpcdev_call_result *res);

#endif /* LIBRPCDEV_RING_H */
