// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: rpcdev_uring_serve(), the serve loop of rpcdev_serve() over
 * an io_uring: one thread, one ring, the upcalls of several queues (of
 * one or more devices), one FETCH or COMMIT in flight per slot it holds.
 *
 * The ring is the program's, set up with liburing; the loop uses liburing's
 * inline functions and two of its library functions, io_uring_submit()
 * and io_uring_submit_and_wait(), as weak references: librpcdev links no
 * liburing and needs none, and the loop works in any program that links
 * it (a static one must pull those two in, as any use of them does).
 */
#include <errno.h>
#include <stdint.h>
#include <liburing.h>

#include "queue.h"
#include "serve.h"

#pragma weak io_uring_submit
#pragma weak io_uring_submit_and_wait

/* An SQE, submitting what is prepared to make room if need be. */
static struct io_uring_sqe *serve_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe && io_uring_submit(ring) >= 0)
		sqe = io_uring_get_sqe(ring);
	return sqe;
}

/*
 * The answer in @op was refused (-EINVAL, -E2BIG, -EFAULT): nothing was
 * sent and the upcall is still ours. Send the library's error instead.
 */
static void serve_refused(struct rpcdev_uring_op *op, int err)
{
	struct rpcdev_upcall_reply fallback;
	struct rpcdev_upcall a = op->arg.upcall;
	struct rpcdev_upcall_req up;

	a.id = a.reply_id;
	a.len = 0;
	if (rpcdev__upcall_fill(op->dev, &a, &up) == 0 &&
	    rpcdev__serve_fallback(&up, err, &fallback))
		rpcdev_upcall_reply(op->dev, &fallback);
}

/*
 * One CQE of the loop's: hand the upcall to @handler and prepare its
 * answer with the next fetch. 0 to go on, else what ends the loop.
 */
static int serve_one(struct io_uring *ring, struct rpcdev_uring_op *op,
		     const struct io_uring_cqe *cqe, rpcdev_upcall_fn handler,
		     void *ctx)
{
	struct rpcdev_upcall_req *up = &op->res.up;
	struct rpcdev_upcall_reply answer;
	struct io_uring_sqe *sqe;
	int ret, stop;

	ret = rpcdev_uring_result(cqe, op);
	if (ret) {
		if ((ret == -EINVAL || ret == -E2BIG || ret == -EFAULT) &&
		    op->arg.upcall.flags & RPCDEV_UPCALL_REPLY)
			serve_refused(op, ret);
		return ret;
	}
	rpcdev__reply_init(&answer, up);
	stop = handler(ctx, up, &answer);
	/* Only an acknowledgement: nothing to refuse. */
	if (up->flags & RPCDEV_ENTRY_ASYNC)
		rpcdev__reply_init(&answer, up);
	if (stop) {
		struct rpcdev_upcall_reply fallback;

		ret = rpcdev_upcall_reply(op->dev, &answer);
		if (ret && rpcdev__serve_fallback(up, ret, &fallback))
			rpcdev_upcall_reply(op->dev, &fallback);
		return ret ? ret : stop;
	}
	sqe = serve_sqe(ring);
	if (!sqe) {
		ret = rpcdev_upcall_reply(op->dev, &answer);
		return ret ? ret : -EBUSY;
	}
	ret = rpcdev_prep_upcall_commit(sqe, op->dev, op, &answer);
	if (ret) {
		/* Only -E2BIG: a length no buffer has. */
		struct rpcdev_upcall_reply fallback;

		io_uring_prep_nop(sqe);
		io_uring_sqe_set_data(sqe, NULL);
		if (rpcdev__serve_fallback(up, ret, &fallback))
			rpcdev_upcall_reply(op->dev, &fallback);
		return ret;
	}
	return 0;
}

/* Is @data one of @ops? */
static struct rpcdev_uring_op *serve_op(uint64_t data,
					struct rpcdev_uring_op *ops,
					unsigned int nops)
{
	uintptr_t p = (uintptr_t)data, base = (uintptr_t)ops;

	if (p < base || p >= base + nops * sizeof(*ops) ||
	    (p - base) % sizeof(*ops))
		return NULL;
	return (struct rpcdev_uring_op *)p;
}

int rpcdev_uring_serve(struct io_uring *ring, struct rpcdev *const *devs,
		       unsigned int ndevs, struct rpcdev_uring_op *ops,
		       unsigned int nops, rpcdev_upcall_fn handler, void *ctx)
{
	struct io_uring_sqe sqe0;
	struct io_uring_cqe *cqe;
	unsigned int i;
	int ret;

	if (!ring || !devs || !ndevs || !ops || nops < ndevs || !handler)
		return -EINVAL;
	if (!io_uring_submit || !io_uring_submit_and_wait)
		return -ENOSYS;
	/* Every queue usable before any SQE is taken. */
	for (i = 0; i < ndevs; i++) {
		ret = rpcdev_prep_upcall_fetch(&sqe0, devs[i], &ops[i]);
		if (ret)
			return ret;
	}
	for (i = 0; i < nops; i++) {
		struct io_uring_sqe *sqe = serve_sqe(ring);

		if (!sqe)
			return -EBUSY;
		rpcdev_prep_upcall_fetch(sqe, devs[i % ndevs], &ops[i]);
	}
	for (;;) {
		ret = io_uring_submit_and_wait(ring, 1);
		if (ret < 0)
			return ret;
		while (!__io_uring_peek_cqe(ring, &cqe, NULL) && cqe) {
			struct rpcdev_uring_op *op;

			op = serve_op(cqe->user_data, ops, nops);
			if (!op) {
				io_uring_cqe_seen(ring, cqe);
				return -EPROTO;
			}
			ret = serve_one(ring, op, cqe, handler, ctx);
			io_uring_cqe_seen(ring, cqe);
			if (ret) {
				/* What is prepared goes out, answers too. */
				io_uring_submit(ring);
				return ret;
			}
		}
	}
}
