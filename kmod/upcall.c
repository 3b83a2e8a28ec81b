// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev upcalls: the device calls the host. The device posts upcalls on
 * the UQ ring; servers take them with RPCDEV_IOC_REPLY_AND_WAIT, read the
 * payload in place in the read-only device area, and answer on the UR ring
 * in the same system call that waits for the next upcall (as ublk's
 * COMMIT_AND_FETCH and binder's write-read do).
 *
 * UQ entries are read once and checked like DC entries. An upcall the
 * kernel cannot deliver (bad length) is answered RPCDEV_STATUS_BAD_REQUEST
 * at once; one without a usable id cannot be answered and is dropped.
 * When the owning file goes, every upcall not yet answered is answered
 * RPCDEV_STATUS_NO_SERVER, so the device never waits for a dead server.
 */
#include <linux/cleanup.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "rpcdev_core.h"
#include "trace.h"

int rpcdev_upcalls_init(struct rpcdev_queue *q)
{
	q->upcalls = kcalloc(q->mem.depth, sizeof(*q->upcalls), GFP_KERNEL);
	if (!q->upcalls)
		return -ENOMEM;
	WRITE_ONCE(q->uq_cons, 0);
	q->ur_prod = 0;
	return 0;
}

/*
 * Post the answer to upcall @ue on UR. Called with q->lock held; the
 * caller rings the doorbell. Fails with -EIO if the device has not consumed
 * UR, which a device that reuses an id only after its answer never causes.
 */
static int rpcdev_ur_post(struct rpcdev_queue *q, const struct rpcdev_entry *ue,
			  s32 status, u32 flags, u32 len)
{
	u32 pos = rpcdev_resync_prod(q->ur_prod,
				     READ_ONCE(q->dctrl->ur_cons.val));
	struct rpcdev_entry src = {
		.id = ue->id,
		.method = ue->method,
		.len = len,
		.flags = flags,
		.status = status,
		.tag = ue->tag,
	};

	if (q->timestamps) {
		memcpy(src.ts, ue->ts, sizeof(src.ts[0]) * 3);
		src.ts[3] = ktime_get_ns();
	}

	if (pos - READ_ONCE(q->dctrl->ur_cons.val) >= q->mem.depth)
		return -EIO;
	/* The answer is in the UR buffer: inline, from there. */
	rpcdev_entry_write(q, rpcdev_ring_entry(q, q->ur, pos), &src,
			   rpcdev_mem_buf(&q->mem, RPCDEV_PART_UR_BUF, ue->id),
			   pos);
	q->ur_prod = pos + 1;
	WRITE_ONCE(q->hctrl->ur_prod.val, q->ur_prod);
	q->stats.replies++;
	trace_reply(q, RPCDEV_TRACE_UR, pos, &src);
	return 0;
}

/* The device's UQ producer index, or the kernel's own if it is corrupt. */
static u32 rpcdev_uq_prod(struct rpcdev_queue *q)
{
	u32 prod = READ_ONCE(q->dctrl->uq_prod.val);

	if (prod - q->uq_cons > q->mem.depth) {
		q->stats.bad_upcalls++;
		trace_drop(q, RPCDEV_DROP_UQ_PROD, prod, NULL);
		return q->uq_cons;
	}
	/* Entries are read after the index that published them. */
	dma_rmb();
	return prod;
}

/*
 * Is there an upcall to deliver? A corrupt index does not count. On user
 * rings the program's own consumer index tells.
 */
bool rpcdev_upcall_pending(struct rpcdev_queue *q)
{
	u32 cons = q->user_rings ? READ_ONCE(q->hctrl->uq_cons.val) :
				   READ_ONCE(q->uq_cons);
	u32 n = READ_ONCE(q->dctrl->uq_prod.val) - cons;

	return n && n <= q->mem.depth;
}

/*
 * Stamp an upcall as it is delivered: ts[0], the device's, stays; ts[1] is
 * the interrupt that announced it, ts[2] now. A server that was not asleep
 * takes an upcall before its interrupt is handled (or the last interrupt
 * handled is an older upcall's): then no interrupt was on the way, and
 * ts[1] = ts[2].
 */
static void rpcdev_upcall_stamp(struct rpcdev_queue *q, struct rpcdev_entry *e)
{
	u64 now = ktime_get_ns(), irq = READ_ONCE(q->irq_ns);

	e->ts[1] = irq >= e->ts[0] && irq <= now ? irq : now;
	e->ts[2] = now;
}

/**
 * rpcdev_upcall_seen() - the server learns of a delivered upcall only now.
 * @q:	the queue (q->timestamps).
 * @id:	the upcall, DELIVERED to a command that completes from its task.
 *
 * An io_uring FETCH is handed its upcall in the interrupt, and its task
 * learns of it when the task work runs: ts[2] is then, so that the wake-up
 * is counted before it, as for a server asleep in an ioctl.
 */
void rpcdev_upcall_seen(struct rpcdev_queue *q, u32 id)
{
	if (q->timestamps)
		WRITE_ONCE(q->upcalls[id].entry.ts[2], ktime_get_ns());
}

/* 0 if upcall @ue at @pos can be delivered, else why it cannot. */
static int rpcdev_uq_check(struct rpcdev_queue *q,
			   const struct rpcdev_entry *ue, u32 pos)
{
	if (ue->seq != pos + 1)
		return RPCDEV_DROP_UQ_SEQ;
	if (ue->id >= q->mem.depth)
		return RPCDEV_DROP_UQ_ID;
	if (q->upcalls[ue->id].state != RPCDEV_UPCALL_IDLE)
		return RPCDEV_DROP_UQ_STATE;
	if (ue->len > q->mem.buf_size || rpcdev_inline_bad(q, ue))
		return RPCDEV_DROP_UQ_LEN;
	return 0;
}

/*
 * Take the next deliverable upcall off UQ into @ue. Returns 1 when one was
 * taken, 0 when UQ is empty; answers or drops malformed entries on the
 * way. Called with q->lock held; *@bell is set when UR was written.
 */
int rpcdev_uq_take(struct rpcdev_queue *q, struct rpcdev_entry *ue, bool *bell)
{
	u32 prod = rpcdev_uq_prod(q);

	while (q->uq_cons != prod) {
		u32 pos = q->uq_cons;
		struct rpcdev_entry *shared = rpcdev_ring_entry(q, q->uq, pos);
		struct rpcdev_upcall_slot *u;
		int drop;

		memcpy(ue, shared, sizeof(*ue));
		drop = rpcdev_uq_check(q, ue, pos);
		/*
		 * A server reads the payload in place in UQ buffer id: an
		 * inline one goes there (the device leaves that buffer alone
		 * until the upcall is answered), and before the index moves,
		 * after which the device may reuse the entry. A dropped
		 * entry keeps its flag, for the trace of why.
		 */
		if (!drop && ue->flags & RPCDEV_ENTRY_INLINE) {
			memcpy(rpcdev_mem_buf(&q->mem, RPCDEV_PART_UQ_BUF, ue->id),
			       rpcdev_entry_data(shared), ue->len);
			ue->flags &= ~RPCDEV_ENTRY_INLINE;
		}
		/* rpcdev_upcall_pending() reads it without the lock. */
		WRITE_ONCE(q->uq_cons, pos + 1);
		WRITE_ONCE(q->hctrl->uq_cons.val, pos + 1);
		if (drop) {
			q->stats.bad_upcalls++;
			trace_drop(q, drop, pos, ue);
			if (drop != RPCDEV_DROP_UQ_LEN)
				continue;
			/* Its id is usable: the device learns of it. */
			if (!rpcdev_ur_post(q, ue, RPCDEV_STATUS_BAD_REQUEST,
					    0, 0))
				*bell = true;
			continue;
		}
		u = &q->upcalls[ue->id];
		WRITE_ONCE(u->state, RPCDEV_UPCALL_DELIVERED);
		u->entry = *ue;
		if (q->timestamps)
			rpcdev_upcall_stamp(q, &u->entry);
		q->stats.upcalls++;
		return 1;
	}
	return 0;
}

/* The reply half of RPCDEV_IOC_REPLY_AND_WAIT. */
int rpcdev_upcall_answer(struct rpcdev_queue *q, const struct rpcdev_upcall *a)
{
	struct rpcdev_upcall_slot *u;
	int ret;

	/* A server answers OK or ERROR; the other statuses are the kernel's. */
	if (a->reply_id >= q->mem.depth || a->reply_flags & ~RPCDEV_ENTRY_ERROR ||
	    (a->reply_status != RPCDEV_STATUS_OK &&
	     a->reply_status != RPCDEV_STATUS_ERROR))
		return -EINVAL;
	if (a->reply_len > q->mem.buf_size)
		return -E2BIG;
	u = &q->upcalls[a->reply_id];

	/*
	 * Claim the id before its buffer is written: a second answer to it,
	 * from another thread, fails at once instead of copying its bytes
	 * over an answer already posted. The copy may fault and sleep, so it
	 * runs outside the lock; the claim keeps the buffer ours meanwhile.
	 */
	scoped_guard(spinlock_irqsave, &q->lock) {
		if (u->state != RPCDEV_UPCALL_DELIVERED)
			return -EINVAL;
		WRITE_ONCE(u->state, RPCDEV_UPCALL_REPLYING);
	}

	ret = 0;
	if (a->reply_data && a->reply_len)
		ret = rpcdev_copy_from_user(q->rdev,
					    rpcdev_mem_buf(&q->mem,
							   RPCDEV_PART_UR_BUF,
							   a->reply_id),
					    u64_to_user_ptr(a->reply_data),
					    a->reply_len);

	scoped_guard(spinlock_irqsave, &q->lock) {
		if (!ret && u->entry.flags & RPCDEV_ENTRY_ASYNC)
			ret = rpcdev_ur_post(q, &u->entry, RPCDEV_STATUS_OK,
					     RPCDEV_ENTRY_ASYNC, 0);
		else if (!ret)
			ret = rpcdev_ur_post(q, &u->entry, a->reply_status,
					     a->reply_flags, a->reply_len);
		/* A failed answer leaves the upcall to be answered again. */
		WRITE_ONCE(u->state, ret ? RPCDEV_UPCALL_DELIVERED :
					   RPCDEV_UPCALL_IDLE);
	}
	if (ret)
		return ret;
	rpcdev_doorbell_if_needed(q);
	return 0;
}

/* The wait half: deliver the next upcall into @a. */
static int rpcdev_upcall_next(struct rpcdev_queue *q, struct rpcdev_upcall *a)
{
	struct rpcdev_device *rdev = q->rdev;
	struct rpcdev_entry ue;
	bool bell = false;
	int ret, got;

	for (;;) {
		scoped_guard(spinlock_irqsave, &q->lock)
			got = rpcdev_uq_take(q, &ue, &bell);
		if (bell)
			rpcdev_doorbell(q);
		if (got)
			break;

		ret = rpcdev_wait_event(rdev, &q->uwq,
					rpcdev_upcall_pending(q), a->timeout_ns);
		if (ret)
			return ret;
	}

	rpcdev_upcall_fill(a, &ue);
	return 0;
}

/* The wait half's results: upcall @ue as a server learns of it. */
void rpcdev_upcall_fill(struct rpcdev_upcall *a, const struct rpcdev_entry *ue)
{
	a->id = ue->id;
	a->method = ue->method;
	a->len = ue->len;
	a->entry_flags = ue->flags & RPCDEV_ENTRY_ASYNC;
	a->tag = ue->tag;
}

/* Check the flags and reserved fields of @a as RPCDEV_IOC_REPLY_AND_WAIT. */
int rpcdev_upcall_check(const struct rpcdev_upcall *a)
{
	if (!a->flags ||
	    a->flags & ~(RPCDEV_UPCALL_REPLY | RPCDEV_UPCALL_WAIT) || a->pad ||
	    memchr_inv(a->reserved, 0, sizeof(a->reserved)))
		return -EINVAL;
	return 0;
}

/**
 * rpcdev_upcall_undeliver() - answer for an upcall its server cannot learn of.
 * @q:	a running queue.
 * @id:	an upcall delivered (taken off UQ) whose server never heard of it.
 *
 * Answers it RPCDEV_STATUS_NO_SERVER rather than leave the device waiting.
 */
void rpcdev_upcall_undeliver(struct rpcdev_queue *q, u32 id)
{
	struct rpcdev_upcall_slot *u = &q->upcalls[id];

	scoped_guard(spinlock_irqsave, &q->lock) {
		/* Only the thread it was delivered to may answer it. */
		if (u->state != RPCDEV_UPCALL_DELIVERED)
			return;
		WRITE_ONCE(u->state, RPCDEV_UPCALL_IDLE);
		rpcdev_ur_post(q, &u->entry, RPCDEV_STATUS_NO_SERVER, 0, 0);
	}
	rpcdev_doorbell(q);
}

long rpcdev_ioctl_reply_and_wait(struct rpcdev_file *f,
				 struct rpcdev_upcall __user *uarg)
{
	struct rpcdev_queue *q = rpcdev_file_queue(f);
	struct rpcdev_upcall a;
	int ret;

	if (!q || q->user_rings)
		return -EINVAL;
	ret = rpcdev_copy_from_user(f->rdev, &a, uarg, sizeof(a));
	if (ret)
		return ret;
	ret = rpcdev_upcall_check(&a);
	if (ret)
		return ret;

	if (a.flags & RPCDEV_UPCALL_REPLY) {
		ret = rpcdev_upcall_answer(q, &a);
		if (ret)
			return ret;
	}
	if (!(a.flags & RPCDEV_UPCALL_WAIT))
		return 0;

	ret = rpcdev_upcall_next(q, &a);
	if (ret)
		return ret;
	ret = rpcdev_copy_to_user(f->rdev, uarg, &a, sizeof(a));
	/* A removed device's queue takes no more answers. */
	if (ret && !rpcdev_gone(f->rdev))
		rpcdev_upcall_undeliver(q, a.id);
	return ret;
}

/*
 * Take UQ and UR back from a user-rings program that is gone: it consumed
 * UQ and produced UR through its mapping, so the kernel's own indices are
 * still those of the attach. The program's are taken if the device could
 * have seen them: UQ's consumer not past the device's producer and at most
 * a ring behind it, UR's producer at most a ring ahead of the device's
 * consumer. A corrupt UQ consumer leaves nothing to answer (which entries
 * it would name is anyone's guess); a corrupt UR producer has UR written
 * from the device's consumer on. Called with q->lock held; no mapping of
 * the queue is left, so the indices no longer move.
 */
static void rpcdev_upcalls_take_back(struct rpcdev_queue *q)
{
	u32 uq_prod = READ_ONCE(q->dctrl->uq_prod.val);
	u32 uq_cons = READ_ONCE(q->hctrl->uq_cons.val);
	u32 ur_cons = READ_ONCE(q->dctrl->ur_cons.val);
	u32 ur_prod = READ_ONCE(q->hctrl->ur_prod.val);

	if (uq_prod - uq_cons > q->mem.depth) {
		q->stats.bad_upcalls++;
		uq_cons = uq_prod;
	}
	WRITE_ONCE(q->uq_cons, uq_cons);
	q->ur_prod = ur_prod - ur_cons <= q->mem.depth ? ur_prod : ur_cons;
}

/**
 * rpcdev_upcalls_fail() - answer every upcall the server will never answer.
 * @q:	a running queue whose owner is going away.
 *
 * Delivered upcalls and those still on UQ get RPCDEV_STATUS_NO_SERVER, then
 * the doorbell rings, so the device learns of it before it is stopped. On
 * user rings the kernel knows of no delivered upcall (the program took
 * them itself): those the program took and did not answer end with the
 * queue's stop; those still on UQ are answered here.
 */
void rpcdev_upcalls_fail(struct rpcdev_queue *q)
{
	struct rpcdev_entry ue;
	bool bell = false;
	u32 id;

	scoped_guard(spinlock_irqsave, &q->lock) {
		if (q->user_rings)
			rpcdev_upcalls_take_back(q);
		for (id = 0; id < q->mem.depth; id++) {
			struct rpcdev_upcall_slot *u = &q->upcalls[id];

			/*
			 * No answer is being copied: the owner's last file
			 * reference is gone, and with it every system call.
			 */
			if (u->state != RPCDEV_UPCALL_DELIVERED)
				continue;
			WRITE_ONCE(u->state, RPCDEV_UPCALL_IDLE);
			if (!rpcdev_ur_post(q, &u->entry,
					    RPCDEV_STATUS_NO_SERVER, 0, 0))
				q->stats.no_server++;
		}
		while (rpcdev_uq_take(q, &ue, &bell)) {
			WRITE_ONCE(q->upcalls[ue.id].state, RPCDEV_UPCALL_IDLE);
			if (!rpcdev_ur_post(q, &ue, RPCDEV_STATUS_NO_SERVER,
					    0, 0))
				q->stats.no_server++;
		}
	}
	rpcdev_doorbell(q);
}
