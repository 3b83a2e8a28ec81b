// SPDX-License-Identifier: GPL-2.0
/*
 * The mailbox methods: RPCDEV_SIM_WATCH spins on a host-to-device slot as a
 * device's pause check would, RPCDEV_SIM_MBOX_COST times such checks,
 * RPCDEV_SIM_NOTIFY posts on the device-to-host ring, and
 * RPCDEV_SIM_PINGPONG answers each post in a slot with a message there.
 */
#include "fw_internal.h"

/* Longest RPCDEV_SIM_WATCH. */
#define FW_MAX_WATCH_US		(10ULL * USEC_PER_SEC)

static const char fw_timeout_name[] = "TimeoutError";

/* Checks of one RPCDEV_SIM_MBOX_COST between two scheduling points. */
#define FW_MBOX_COST_ROUND	(1U << 16)

/* Most rounds of one RPCDEV_SIM_PINGPONG. */
#define FW_MAX_PINGPONG		(1024U * 1024 * 16)

/*
 * Post @value on the device-to-host mailbox ring, with no interrupt; false
 * when the host has not made room.
 */
static bool fw_mb_post(struct fw_queue *fq, u64 value)
{
	u32 pos = fq->mb_prod;

	if (pos - READ_ONCE(fq->mem.hctrl->mb_cons.val) >= RPCDEV_MBOX_DEPTH)
		return false;
	WRITE_ONCE(fq->mem.dctrl->mb_msgs[pos % RPCDEV_MBOX_DEPTH], value);
	/* The message before the index that announces it. */
	dma_wmb();
	fq->mb_prod = pos + 1;
	fw_publish(fq, &fq->mem.dctrl->mb_prod, fq->mb_prod);
	return true;
}

/* RPCDEV_SIM_WATCH: spin on one slot, as a device's pause check would. */
int fw_watch(struct fw_queue *fq, const struct rpcdev_entry *call,
	     struct rpcdev_entry *ans)
{
	struct rpcdev_sim_watch_result res = {};
	struct rpcdev_sim_watch req;
	u64 deadline, w;

	if (call->len != sizeof(req))
		goto bad;
	memcpy(&req, fw_payload(fq, call, fq->mem.dq_buf), sizeof(req));
	if (req.slot >= RPCDEV_MBOX_SLOTS || req.pad)
		goto bad;
	deadline = fw_now_ns() +
		   min_t(u64, req.timeout_us, FW_MAX_WATCH_US) * NSEC_PER_USEC;

	for (;;) {
		/* The check itself: one load. */
		w = READ_ONCE(fq->mem.hctrl->mbox[req.slot]);
		res.checks++;
		if (RPCDEV_MBOX_SEQ(w) != req.seq)
			break;
		if (fw_should_stop(fq))
			return -ESHUTDOWN;
		if (fw_now_ns() >= deadline) {
			fw_error(fq, ans, fw_timeout_name, "no post seen",
				 sizeof("no post seen") - 1);
			return 0;
		}
		fw_yield();
		fw_relax();
	}
	res.seen_ns = fw_now_ns();
	res.value = RPCDEV_MBOX_VAL(w);
	res.seq = RPCDEV_MBOX_SEQ(w);
	fw_result(fq, ans, &res, sizeof(res));
	return 0;
bad:
	ans->status = RPCDEV_STATUS_BAD_REQUEST;
	return 0;
}

/*
 * RPCDEV_SIM_MBOX_COST: time count checks of a slot. Returns -ESHUTDOWN
 * when the queue is being stopped (then no one waits for the answer).
 */
int fw_mbox_cost(struct fw_queue *fq, const struct rpcdev_entry *call,
		 struct rpcdev_entry *ans)
{
	struct rpcdev_sim_mbox_cost req;
	u64 start, ns, w = 0;
	u32 i, n, done;

	if (call->len != sizeof(req)) {
		ans->status = RPCDEV_STATUS_BAD_REQUEST;
		return 0;
	}
	memcpy(&req, fw_payload(fq, call, fq->mem.dq_buf), sizeof(req));
	if (req.slot >= RPCDEV_MBOX_SLOTS || !req.count || req.count > 1U << 24) {
		ans->status = RPCDEV_STATUS_BAD_REQUEST;
		return 0;
	}
	/*
	 * In rounds with a scheduling point between them, outside the time
	 * measured: 2^24 checks are seconds of an emulated CPU.
	 */
	for (done = 0, ns = 0; done < req.count; done += n) {
		n = min(req.count - done, FW_MBOX_COST_ROUND);
		fw_preempt_point();
		if (fw_should_stop(fq))
			return -ESHUTDOWN;
		start = fw_now_ns();
		for (i = 0; i < n; i++)
			w += READ_ONCE(fq->mem.hctrl->mbox[req.slot]);
		ns += fw_now_ns() - start;
	}
	/* Keep the loads: their sum is not used otherwise. */
	OPTIMIZER_HIDE_VAR(w);
	fw_result(fq, ans, &ns, sizeof(ns));
	return 0;
}

/* RPCDEV_SIM_NOTIFY: post messages until done or the ring is full. */
void fw_mbox_notify(struct fw_queue *fq,
		    const struct rpcdev_entry *call,
		    struct rpcdev_entry *ans)
{
	struct rpcdev_sim_notify req;
	u32 posted;

	if (call->len != sizeof(req)) {
		ans->status = RPCDEV_STATUS_BAD_REQUEST;
		return;
	}
	memcpy(&req, fw_payload(fq, call, fq->mem.dq_buf), sizeof(req));
	if (req.pad) {
		ans->status = RPCDEV_STATUS_BAD_REQUEST;
		return;
	}
	for (posted = 0; posted < req.count; posted++)
		if (!fw_mb_post(fq, req.value + posted))
			break;
	if (posted)
		fw_notify(fq, RPCDEV_RING_WAKE_MB);
	fw_result(fq, ans, &posted, sizeof(posted));
}

/* Wait for a new post in a slot into *@w; false on timeout or a stop. */
static bool fw_mbox_next(struct fw_queue *fq, u32 slot, u32 seq, u64 deadline,
			 u64 *w)
{
	for (;;) {
		unsigned int i;

		for (i = 0; i < FW_SPIN_BATCH; i++) {
			*w = READ_ONCE(fq->mem.hctrl->mbox[slot]);
			if (RPCDEV_MBOX_SEQ(*w) != seq)
				return true;
			fw_relax();
		}
		if (fw_should_stop(fq) || fw_now_ns() >= deadline)
			return false;
		fw_yield();
	}
}

/*
 * RPCDEV_SIM_PINGPONG: answer each post in a host-to-device slot with a
 * device-to-host message, by shared memory alone: no interrupt, no
 * doorbell, the floor of any call through this memory.
 */
int fw_mbox_pingpong(struct fw_queue *fq, const struct rpcdev_entry *call,
		     struct rpcdev_entry *ans)
{
	struct rpcdev_sim_pingpong_result res = {};
	struct rpcdev_sim_pingpong req;
	u64 start, timeout, w;
	u32 seq;

	if (call->len != sizeof(req))
		goto bad;
	memcpy(&req, fw_payload(fq, call, fq->mem.dq_buf), sizeof(req));
	if (req.slot >= RPCDEV_MBOX_SLOTS || req.pad ||
	    req.count > FW_MAX_PINGPONG)
		goto bad;
	timeout = min_t(u64, req.timeout_us ?: FW_MAX_WATCH_US,
			FW_MAX_WATCH_US) * NSEC_PER_USEC;
	seq = req.seq;
	start = fw_now_ns();
	while (res.done < req.count) {
		fw_preempt_point();
		if (!fw_mbox_next(fq, req.slot, seq, fw_now_ns() + timeout,
				  &w)) {
			if (fw_should_stop(fq))
				return -ESHUTDOWN;
			break;
		}
		seq = RPCDEV_MBOX_SEQ(w);
		/* The host takes each answer before it posts again. */
		if (!fw_mb_post(fq, RPCDEV_MBOX_VAL(w)))
			break;
		res.done++;
	}
	res.total_ns = fw_now_ns() - start;
	fw_result(fq, ans, &res, sizeof(res));
	return 0;
bad:
	ans->status = RPCDEV_STATUS_BAD_REQUEST;
	return 0;
}

