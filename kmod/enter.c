// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev enter: doorbells and sleeps for programs that drive a queue's
 * rings themselves (RPCDEV_ATTACH_USER_RINGS), as io_uring_enter() is for
 * io_uring; and the doorbell suppression the kernel's own paths share.
 *
 * Both directions suppress notifications the way virtio does: a side that
 * polls leaves its flag clear and costs the other side nothing; a side
 * about to sleep sets its flag, issues a full barrier, re-reads the
 * producer indices and only then sleeps, while the producer publishes its
 * index, issues a full barrier and then reads the flag. Either the sleeper
 * sees the new index or the producer sees the flag, so no wakeup is lost.
 */
#include <linux/cleanup.h>
#include <linux/log2.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "rpcdev_core.h"
#include "trace.h"

/**
 * rpcdev_doorbell() - ring the device for a queue.
 * @q:	a running queue.
 *
 * Every doorbell of the core goes through here, so that it is traced.
 */
void rpcdev_doorbell(struct rpcdev_queue *q)
{
	trace_doorbell(q);
	rpcdev_ops(q->rdev)->doorbell(q->rdev, q->qid);
}

/**
 * rpcdev_doorbell_if_needed() - ring the device after posting, if it sleeps.
 * @q:	a running queue on which the host just published DQ or UR entries.
 */
void rpcdev_doorbell_if_needed(struct rpcdev_queue *q)
{
	/* Our producer index before the device's flag. */
	smp_mb();
	if (READ_ONCE(q->dctrl->flags.val) & RPCDEV_DEV_NEED_DOORBELL)
		rpcdev_doorbell(q);
}

#define RPCDEV_ENTER_WAIT_RINGS	(RPCDEV_ENTER_WAIT_UQ | RPCDEV_ENTER_WAIT_DC | \
				 RPCDEV_ENTER_WAIT_MB)
#define RPCDEV_ENTER_FLAGS	(RPCDEV_ENTER_DOORBELL | RPCDEV_ENTER_WAIT | \
				 RPCDEV_ENTER_WAIT_RINGS)

/*
 * The host flags word asks for what any sleeper asked for. Called with the
 * queue's lock held after a sleeper came or went.
 */
static void rpcdev_host_flags_update(struct rpcdev_queue *q)
{
	u32 flags = q->poll_wake;
	unsigned int bit;

	BUILD_BUG_ON(ilog2(RPCDEV_RING_WAKE_MB) + 1 != RPCDEV_RING_WAKE_BITS);
	lockdep_assert_held(&q->lock);
	for (bit = 0; bit < RPCDEV_RING_WAKE_BITS; bit++)
		if (q->sleepers[bit])
			flags |= BIT(bit);
	WRITE_ONCE(q->hctrl->flags.val, flags);
}

/*
 * The host flags an ENTER wait sets: one bit per ring named, or
 * RPCDEV_RING_NEED_WAKEUP for all of them.
 */
static u32 rpcdev_enter_wake(u32 flags)
{
	u32 wake = 0;

	if (flags & RPCDEV_ENTER_WAIT_UQ)
		wake |= RPCDEV_RING_WAKE_UQ;
	if (flags & RPCDEV_ENTER_WAIT_DC)
		wake |= RPCDEV_RING_WAKE_DC;
	if (flags & RPCDEV_ENTER_WAIT_MB)
		wake |= RPCDEV_RING_WAKE_MB;
	return wake ?: RPCDEV_RING_NEED_WAKEUP;
}

static void rpcdev_sleepers_add(struct rpcdev_queue *q, u32 wake, int delta)
{
	unsigned int bit;

	guard(spinlock_irqsave)(&q->lock);
	for (bit = 0; bit < RPCDEV_RING_WAKE_BITS; bit++)
		if (wake & BIT(bit))
			q->sleepers[bit] += delta;
	rpcdev_host_flags_update(q);
}

/**
 * rpcdev_poll_arm() - ask for interrupts on UQ and the mailbox for good.
 * @q:	a user-rings queue that poll() is about to sleep on.
 *
 * poll() has no hook for when its sleep ends, so the bits stay set while
 * the queue is attached: a program that polls its file is an event loop
 * that wants every wakeup.
 */
void rpcdev_poll_arm(struct rpcdev_queue *q)
{
	scoped_guard(spinlock_irqsave, &q->lock) {
		q->poll_wake = RPCDEV_RING_WAKE_UQ | RPCDEV_RING_WAKE_MB;
		rpcdev_host_flags_update(q);
	}
	/* The flags before the producer indices poll() reads next. */
	smp_mb();
}

/* Has the device produced past any of the positions waited for? */
static bool rpcdev_enter_ready(struct rpcdev_queue *q,
			       const struct rpcdev_enter *e, u32 wake)
{
	const struct rpcdev_dev_ctrl *d = q->dctrl;
	bool all = wake & RPCDEV_RING_NEED_WAKEUP;

	if ((all || wake & RPCDEV_RING_WAKE_UQ) &&
	    READ_ONCE(d->uq_prod.val) != e->uq_pos)
		return true;
	if ((all || wake & RPCDEV_RING_WAKE_DC) &&
	    READ_ONCE(d->dc_prod.val) != e->dc_pos)
		return true;
	if ((all || wake & RPCDEV_RING_WAKE_MB) &&
	    READ_ONCE(d->mb_prod.val) != e->mb_pos)
		return true;
	return false;
}

static int rpcdev_enter_wait(struct rpcdev_queue *q,
			     const struct rpcdev_enter *e)
{
	u32 wake = rpcdev_enter_wake(e->flags);
	int ret;

	/*
	 * Sleepers are counted per bit (a server waiting for UQ and a caller
	 * waiting for DC, say): the first sets a bit, the last clears it, or
	 * one waking thread would leave the other without interrupts.
	 */
	rpcdev_sleepers_add(q, wake, 1);
	/* The flags before the indices we re-read (the device: the reverse). */
	smp_mb();
	ret = rpcdev_wait_event(q->rdev, &q->uwq,
				rpcdev_enter_ready(q, e, wake), e->timeout_ns);
	/* Back to polling: no interrupts until the program sleeps again. */
	rpcdev_sleepers_add(q, wake, -1);
	/* Nothing was consumed: an error loses no state, it only tells why. */
	return ret;
}

long rpcdev_ioctl_enter(struct rpcdev_file *f, struct rpcdev_enter __user *uarg)
{
	struct rpcdev_queue *q = rpcdev_file_queue(f);
	struct rpcdev_enter e;
	int ret;

	if (!q || !q->user_rings)
		return -EINVAL;
	ret = rpcdev_copy_from_user(q->rdev, &e, uarg, sizeof(e));
	if (ret)
		return ret;
	if (!e.flags || e.flags & ~RPCDEV_ENTER_FLAGS ||
	    memchr_inv(e.reserved, 0, sizeof(e.reserved)))
		return -EINVAL;

	scoped_guard(spinlock_irqsave, &q->lock)
		q->stats.enters++;
	if (e.flags & RPCDEV_ENTER_DOORBELL)
		rpcdev_doorbell(q);
	if (e.flags & (RPCDEV_ENTER_WAIT | RPCDEV_ENTER_WAIT_RINGS))
		return rpcdev_enter_wait(q, &e);
	return 0;
}
