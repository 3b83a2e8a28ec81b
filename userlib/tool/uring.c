// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev tool: the --uring ways of `call`, `serve` and `upcalls`, librpcdev's
 * io_uring helpers on a ring of liburing's, one per run.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <liburing.h>

#include "rpcdev.h"
#include "tool.h"

int tool_uring_call(struct rpcdev *dev, unsigned int method, const void *req,
		    size_t req_len, void *resp, size_t resp_cap,
		    uint64_t timeout_ns, struct rpcdev_call_result *res)
{
	struct __kernel_timespec ts = {
		.tv_sec = (long long)(timeout_ns / 1000000000ULL),
		.tv_nsec = (long long)(timeout_ns % 1000000000ULL),
	};
	struct rpcdev_uring_op op;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init(2, &ring, 0);
	if (ret)
		return ret;
	ret = rpcdev_prep_call(io_uring_get_sqe(&ring), dev, &op, method, req,
			       req_len, resp, resp_cap);
	if (!ret)
		ret = io_uring_submit(&ring);
	/*
	 * Not io_uring_submit_and_wait_timeout(): liburing 2.3 gives a
	 * count and no CQE when the wait times out in the call that submits.
	 */
	if (ret >= 0)
		ret = timeout_ns ? io_uring_wait_cqe_timeout(&ring, &cqe, &ts) :
				   io_uring_wait_cqe(&ring, &cqe);
	if (ret >= 0) {
		ret = rpcdev_uring_result(cqe, &op);
		io_uring_cqe_seen(&ring, cqe);
		if (!ret)
			*res = op.res.call;
	} else if (ret == -ETIME) {
		ret = -ETIMEDOUT;
	}
	/* Gives up a call still waiting: its slot goes to the device. */
	io_uring_queue_exit(&ring);
	return ret;
}

/*
 * The user_data of the stop poll: no op's address, so rpcdev_uring_serve()
 * returns -EPROTO for its CQE.
 */
#define TOOL_URING_STOP_DATA	1

/* A poll for @stop_fd to become readable, prepared on @ring. */
static int tool_uring_arm_stop(struct io_uring *ring, int stop_fd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_poll_add(sqe, stop_fd, POLLIN);
	io_uring_sqe_set_data64(sqe, TOOL_URING_STOP_DATA);
	return 0;
}

/* Is @fd readable now? */
static bool tool_uring_stopped(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

int tool_uring_serve_until(struct rpcdev *const *devs, unsigned int ndevs,
			   rpcdev_upcall_fn handler, void *ctx, int stop_fd)
{
	struct rpcdev_uring_op ops[TOOL_URING_SLOTS];
	struct io_uring ring;
	int ret;

	if (ndevs > TOOL_URING_SLOTS)
		return -EINVAL;
	ret = io_uring_queue_init(2 * TOOL_URING_SLOTS + 1, &ring,
				  IORING_SETUP_SINGLE_ISSUER |
				  IORING_SETUP_DEFER_TASKRUN);
	if (ret)
		return ret;
	if (stop_fd >= 0)
		ret = tool_uring_arm_stop(&ring, stop_fd);
	if (!ret)
		ret = rpcdev_uring_serve(&ring, devs, ndevs, ops,
					 TOOL_URING_SLOTS, handler, ctx);
	/* The stop poll's CQE is none of the ops'. */
	if (ret == -EPROTO && stop_fd >= 0 && tool_uring_stopped(stop_fd))
		ret = 0;
	/* Ends the fetches still in flight (and the poll). */
	io_uring_queue_exit(&ring);
	return ret;
}

int tool_uring_serve(struct rpcdev *dev, rpcdev_upcall_fn handler, void *ctx)
{
	return tool_uring_serve_until(&dev, 1, handler, ctx, -1);
}
