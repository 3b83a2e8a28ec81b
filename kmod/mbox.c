// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev mailbox: messages each side checks without a round trip.
 *
 * Host to device: RPCDEV_MBOX_SLOTS words in the host area, each a value
 * and a sequence number the device reads with one 64-bit load (a pause
 * request is a store here, and checking for one is a load there).
 *
 * Device to host: a small ring of values in the device area; a waiting
 * message makes the file readable with EPOLLPRI.
 */
#include <linux/cleanup.h>
#include <linux/uaccess.h>

#include "rpcdev_core.h"

long rpcdev_ioctl_mbox_post(struct rpcdev_file *f,
			    struct rpcdev_mbox __user *uarg)
{
	struct rpcdev_queue *q = rpcdev_file_queue(f);
	struct rpcdev_mbox m;
	int ret;
	u64 w;

	if (!q)
		return -EINVAL;
	ret = rpcdev_copy_from_user(f->rdev, &m, uarg, sizeof(m));
	if (ret)
		return ret;
	if (m.slot >= RPCDEV_MBOX_SLOTS || m.pad)
		return -EINVAL;

	scoped_guard(spinlock_irqsave, &q->lock) {
		/* The owner may also store here itself: start from its word. */
		w = READ_ONCE(q->hctrl->mbox[m.slot]);
		m.seq = RPCDEV_MBOX_SEQ(w) + 1;
		/* One store: the device never sees a torn value and seq. */
		WRITE_ONCE(q->hctrl->mbox[m.slot], (u64)m.seq << 32 | m.value);
		q->stats.mbox_posts++;
	}
	return rpcdev_copy_to_user(f->rdev, &uarg->seq, &m.seq, sizeof(m.seq));
}

/* Messages waiting, as far as the producer index tells. */
u32 rpcdev_mbox_avail(struct rpcdev_queue *q)
{
	return READ_ONCE(q->dctrl->mb_prod.val) - READ_ONCE(q->mb_cons);
}

bool rpcdev_mbox_pending(struct rpcdev_queue *q)
{
	return rpcdev_mbox_avail(q) != 0;
}

/*
 * Take the oldest message into @uarg if that needs no page fault: -EFAULT
 * when it would (nothing is consumed), else as rpcdev_mbox_take().
 */
static int rpcdev_mbox_take_nofault(struct rpcdev_queue *q,
				    struct rpcdev_mbox_msg __user *uarg)
{
	struct rpcdev_mbox_msg m = {};
	u32 avail, skip = 0;

	/*
	 * A sleeping lock: the message is consumed only once it is copied.
	 * rdev->lock cannot be let go under it to fault the page in (that
	 * would take the two in the wrong order), so the copy may not fault.
	 */
	guard(mutex)(&q->mb_lock);
	avail = rpcdev_mbox_avail(q);
	if (!avail)
		return -EAGAIN;
	if (avail > RPCDEV_MBOX_DEPTH) {
		/* Overwritten before we read them: skip to the oldest. */
		skip = avail - RPCDEV_MBOX_DEPTH;
		avail = RPCDEV_MBOX_DEPTH;
	}
	/* The message is read after the index that published it. */
	dma_rmb();
	m.value = READ_ONCE(q->dctrl->mb_msgs[(q->mb_cons + skip) %
					      RPCDEV_MBOX_DEPTH]);
	m.pending = avail - 1;
	m.lost = q->mb_lost + skip;
	if (copy_to_user_nofault(uarg, &m, sizeof(m))) {
		q->mb_lost += skip;
		q->mb_cons += skip;
		return -EFAULT;
	}
	q->mb_lost = 0;
	WRITE_ONCE(q->mb_cons, q->mb_cons + skip + 1);
	WRITE_ONCE(q->hctrl->mb_cons.val, q->mb_cons);
	scoped_guard(spinlock_irqsave, &q->lock)
		q->stats.mbox_msgs++;
	return 0;
}

/**
 * rpcdev_mbox_take() - take the oldest device-to-host message.
 * @q:		an attached queue; rdev->lock is held for reading.
 * @uarg:	where the message goes, as RPCDEV_IOC_MBOX_READ gives it.
 *
 * Return: 0, -EAGAIN when no message waits, or an errno of
 * rpcdev_user_fault_in() (nothing consumed).
 */
int rpcdev_mbox_take(struct rpcdev_queue *q, struct rpcdev_mbox_msg __user *uarg)
{
	int ret;

	for (;;) {
		ret = rpcdev_mbox_take_nofault(q, uarg);
		if (ret != -EFAULT)
			return ret;
		ret = rpcdev_user_fault_in(q->rdev, uarg, sizeof(*uarg), true);
		if (ret)
			return ret;
	}
}

long rpcdev_ioctl_mbox_read(struct rpcdev_file *f,
			    struct rpcdev_mbox_msg __user *uarg)
{
	struct rpcdev_queue *q = rpcdev_file_queue(f);

	if (!q)
		return -EINVAL;
	return rpcdev_mbox_take(q, uarg);
}
