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
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "rpcdev_core.h"

/**
 * rpcdev_doorbell_if_needed() - ring the device after posting, if it sleeps.
 * @q:	a running queue on which the host just published DQ or UR entries.
 */
void rpcdev_doorbell_if_needed(struct rpcdev_queue *q)
{
	/* Our producer index before the device's flag. */
	smp_mb();
	if (READ_ONCE(q->dctrl->flags.val) & RPCDEV_DEV_NEED_DOORBELL)
		q->rdev->ops->doorbell(q->rdev, q->qid);
}

/* Has the device produced past any of the positions the program gave? */
static bool rpcdev_enter_ready(struct rpcdev_queue *q,
			       const struct rpcdev_enter *e)
{
	const struct rpcdev_dev_ctrl *d = q->dctrl;

	return READ_ONCE(d->uq_prod.val) != e->uq_pos ||
	       READ_ONCE(d->dc_prod.val) != e->dc_pos ||
	       READ_ONCE(d->mb_prod.val) != e->mb_pos ||
	       READ_ONCE(q->rdev->dead);
}

static int rpcdev_enter_wait(struct rpcdev_queue *q,
			     const struct rpcdev_enter *e)
{
	int ret;

	/*
	 * One flag for all the queue's sleepers (a server waiting for UQ and
	 * a caller waiting for DC, say): the first sets it, the last clears
	 * it, or one waking thread would leave the other without interrupts.
	 */
	scoped_guard(spinlock_irqsave, &q->lock)
		if (!q->sleepers++)
			WRITE_ONCE(q->hctrl->flags.val, RPCDEV_RING_NEED_WAKEUP);
	/* The flag before the indices we re-read (the device: the reverse). */
	smp_mb();
	if (e->timeout_ns)
		ret = wait_event_interruptible_hrtimeout(q->uwq,
				rpcdev_enter_ready(q, e),
				ns_to_ktime(e->timeout_ns));
	else
		ret = wait_event_interruptible(q->uwq, rpcdev_enter_ready(q, e));
	/* Back to polling: no interrupts until the program sleeps again. */
	scoped_guard(spinlock_irqsave, &q->lock)
		if (!--q->sleepers)
			WRITE_ONCE(q->hctrl->flags.val, 0);

	if (READ_ONCE(q->rdev->dead))
		return -ENODEV;
	if (ret == -ETIME)
		return -ETIMEDOUT;
	/* Nothing was consumed: no state to lose, but say what happened. */
	return ret ? -EINTR : 0;
}

long rpcdev_ioctl_enter(struct rpcdev_file *f, struct rpcdev_enter __user *uarg)
{
	struct rpcdev_queue *q = rpcdev_file_queue(f);
	struct rpcdev_enter e;

	if (!q || !q->user_rings)
		return -EINVAL;
	if (copy_from_user(&e, uarg, sizeof(e)))
		return -EFAULT;
	if (!e.flags || e.flags & ~(RPCDEV_ENTER_DOORBELL | RPCDEV_ENTER_WAIT) ||
	    memchr_inv(e.reserved, 0, sizeof(e.reserved)))
		return -EINVAL;

	scoped_guard(spinlock_irqsave, &q->lock)
		q->stats.enters++;
	if (e.flags & RPCDEV_ENTER_DOORBELL)
		q->rdev->ops->doorbell(q->rdev, q->qid);
	if (e.flags & RPCDEV_ENTER_WAIT)
		return rpcdev_enter_wait(q, &e);
	return 0;
}
