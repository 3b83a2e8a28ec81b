/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * librpcdev internals: how a queue is driven. Not installed.
 *
 * rpcdev_queue_attach_policy() picks one struct rpcdev_queue_ops for the
 * queue by its wait policy, and every public function that works on the
 * queue checks its arguments and calls that table's op:
 *
 *	ioctl.c	RPCDEV_WAIT_BLOCK: the kernel drives the rings
 *		(RPCDEV_IOC_CALL, RPCDEV_IOC_REPLY_AND_WAIT);
 *	ring.c	RPCDEV_WAIT_POLL and RPCDEV_WAIT_ADAPTIVE: the library
 *		drives them through the mappings (RPCDEV_ATTACH_USER_RINGS).
 *
 * io_uring commands (uring.c) are no table of their own: they are the
 * BLOCK table's ioctls submitted on a ring, so they work on queues that
 * table drives and share its steps (rpcdev__call_arg(),
 * rpcdev__upcall_fill(), ...).
 *
 * The files, each calling only those below it (no op calls back into a
 * public function):
 *
 *	rpcdev.c, upcall.c, mbox.c	the public functions
 *	uring.c				the public io_uring helpers
 *	ioctl.c, ring.c			the tables (queue.h, serve.h)
 *	serve.c				the serve loop's answer to a refused
 *					reply (serve.h)
 *	error.c				error payloads
 */
#ifndef LIBRPCDEV_QUEUE_H
#define LIBRPCDEV_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpcdev.h"

/* struct rpcdev.flags: what the queue was attached with. */
#define RPCDEV_F_STAMPS		(1U << 0)	/* RPCDEV_ATTACH_TIMESTAMPS */
#define RPCDEV_F_RING_WAKE	(1U << 1)	/* RPCDEV_FEAT_RING_WAKE */
#define RPCDEV_F_ASYNC_NOACK	(1U << 2)	/* RPCDEV_ATTACH_ASYNC_NOACK */
#define RPCDEV_F_INLINE		(1U << 3)	/* RPCDEV_ATTACH_INLINE */

/**
 * struct rpcdev_queue_ops - one way of driving a queue.
 * @prepare:	before RPCDEV_IOC_QUEUE_ATTACH: add the RPCDEV_ATTACH_*
 *		flags it needs to @a->flags; may ask the device
 *		(RPCDEV_IOC_INFO) and hand its feature bits to @init. NULL:
 *		nothing to add.
 * @init:	once the queue is attached and mapped (dev->layout, dev->part
 *		and dev->policy set): set up what it keeps. 0, or a negative
 *		errno after undoing its own work. NULL: nothing to set up.
 * @fini:	before the queue is unmapped: free what @init set up.
 * @call:	rpcdev_call(), arguments checked (@res may be NULL).
 * @submit:	rpcdev_submit(); NULL: no asynchronous downcalls (-EINVAL).
 * @reap:	rpcdev_reap(); NULL with @submit.
 * @done:	rpcdev_completion_done(); NULL with @submit.
 * @upcall_wait: rpcdev_upcall_wait(), arguments checked.
 * @upcall_reply: rpcdev_upcall_reply(), arguments checked.
 * @upcall_reply_and_wait: rpcdev_upcall_reply_and_wait(), arguments
 *		checked.
 * @serve:	rpcdev_serve(), arguments checked: rpcdev__serve_loop() over
 *		the table's own steps, so a message costs no indirect call
 *		but the handler's.
 * @set_spin:	rpcdev_queue_set_spin(); NULL when the library never spins
 *		(-EINVAL).
 * @interrupt:	rpcdev_interrupt(); NULL with @set_spin.
 *
 * A third way (io_uring, say) is a third table, chosen in rpcdev.c.
 */
struct rpcdev_queue_ops {
	void (*prepare)(struct rpcdev *dev, struct rpcdev_queue_attach *a,
			uint64_t *features);
	int (*init)(struct rpcdev *dev, uint64_t features);
	void (*fini)(struct rpcdev *dev);

	int (*call)(struct rpcdev *dev, unsigned int method, const void *req,
		    size_t req_len, void *resp, size_t resp_cap,
		    uint64_t timeout_ns, struct rpcdev_call_result *res);
	int (*submit)(struct rpcdev *dev, const struct rpcdev_async_call *calls,
		      unsigned int n);
	int (*reap)(struct rpcdev *dev, struct rpcdev_completion *out,
		    unsigned int max, unsigned int min, uint64_t timeout_ns);
	int (*done)(struct rpcdev *dev, unsigned int id);

	int (*upcall_wait)(struct rpcdev *dev, uint64_t timeout_ns,
			   struct rpcdev_upcall_req *up);
	int (*upcall_reply)(struct rpcdev *dev,
			    const struct rpcdev_upcall_reply *reply);
	int (*upcall_reply_and_wait)(struct rpcdev *dev,
				     const struct rpcdev_upcall_reply *reply,
				     uint64_t timeout_ns,
				     struct rpcdev_upcall_req *up);
	int (*serve)(struct rpcdev *dev, rpcdev_upcall_fn handler, void *ctx,
		     uint64_t timeout_ns);

	int (*set_spin)(struct rpcdev *dev, uint64_t max_ns);
	int (*interrupt)(struct rpcdev *dev);
};

/* ioctl.c */
extern const struct rpcdev_queue_ops rpcdev__ioctl_ops;
/* ring.c */
extern const struct rpcdev_queue_ops rpcdev__ring_ops;

/* ioctl.c, for uring.c too */
void rpcdev__call_arg(struct rpcdev_call *c, unsigned int method,
		      const void *req, size_t req_len, void *resp,
		      size_t resp_cap, uint64_t timeout_ns);
void rpcdev__call_result(const struct rpcdev_call *c,
			 struct rpcdev_call_result *res);
int rpcdev__upcall_set_reply(struct rpcdev_upcall *a,
			     const struct rpcdev_upcall_reply *reply);
int rpcdev__upcall_fill(struct rpcdev *dev, const struct rpcdev_upcall *a,
			struct rpcdev_upcall_req *up);

static inline bool rpcdev__has_queue(const struct rpcdev *dev)
{
	return dev->ops != NULL;
}

/* Buffer @id of a mapped buffer array (dev->part.uq_buf, ...). */
static inline void *rpcdev__buf(const struct rpcdev *dev, void *part,
				unsigned int id)
{
	return (char *)part + (size_t)id * dev->layout.buf_size;
}

#endif /* LIBRPCDEV_QUEUE_H */
