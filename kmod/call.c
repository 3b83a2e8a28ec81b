// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev downcalls: call slots, posting a call on the DQ ring, taking the
 * device's answers off the DC ring, and the synchronous RPCDEV_IOC_CALL.
 *
 * Every DC entry and index comes from memory the device writes, so each is
 * read once into a local copy and checked before it is believed: an answer
 * with a bad position, id or length is counted and dropped, or fails only
 * its own call with -EIO.
 */
#include <linux/cleanup.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "rpcdev_core.h"
#include "trace.h"

int rpcdev_slots_init(struct rpcdev_queue *q)
{
	q->slots = kcalloc(q->mem.depth, sizeof(*q->slots), GFP_KERNEL);
	if (!q->slots)
		return -ENOMEM;
	q->dq_prod = 0;
	q->dc_cons = 0;
	q->nr_free = q->mem.depth;
	q->nr_abandoned = 0;
	return 0;
}

static u64 rpcdev_tag(u32 id, u32 gen)
{
	return (u64)gen << 32 | id;
}

/* Take a free slot: its id, or -EAGAIN when all are in flight. */
static int rpcdev_slot_get(struct rpcdev_queue *q)
{
	u32 id;

	guard(spinlock_irqsave)(&q->lock);
	if (!q->nr_free)
		return -EAGAIN;
	for (id = 0; id < q->mem.depth; id++) {
		struct rpcdev_slot *s = &q->slots[id];

		if (s->state != RPCDEV_SLOT_FREE)
			continue;
		s->state = RPCDEV_SLOT_POSTED;
		s->gen++;
		s->err = 0;
		q->nr_free--;
		return id;
	}
	return -EAGAIN;
}

/*
 * Slot @id is FREE again: no one touches its buffers, nor the registered
 * buffers it named, any more. Called with q->lock held.
 */
void rpcdev_slot_free_locked(struct rpcdev_queue *q, u32 id)
{
	struct rpcdev_slot *s = &q->slots[id];

	rpcdev_regbuf_put(s);
	s->state = RPCDEV_SLOT_FREE;
	q->nr_free++;
}

void rpcdev_slot_put(struct rpcdev_queue *q, u32 id)
{
	guard(spinlock_irqsave)(&q->lock);
	rpcdev_slot_free_locked(q, id);
}

/* Write the DQ entry for slot @id and publish it, then ring the doorbell. */
void rpcdev_post(struct rpcdev_queue *q, u32 id, u32 method, u32 len)
{
	struct rpcdev_entry src = {
		.id = id,
		.method = method,
		.len = len,
	};

	scoped_guard(spinlock_irqsave, &q->lock) {
		u32 pos = rpcdev_resync_prod(q->dq_prod,
					     READ_ONCE(q->dctrl->dq_cons.val));

		src.tag = rpcdev_tag(id, q->slots[id].gen);
		if (q->slots[id].req_rb || q->slots[id].resp_rb)
			src.flags = RPCDEV_ENTRY_BUFS;
		/*
		 * The request was copied into the DQ buffer: inline, from
		 * there (not a descriptor of registered buffers, which stays).
		 */
		rpcdev_entry_write(q, rpcdev_ring_entry(q, q->dq, pos), &src,
				   rpcdev_mem_buf(&q->mem, RPCDEV_PART_DQ_BUF, id),
				   pos);
		q->dq_prod = pos + 1;
		WRITE_ONCE(q->hctrl->dq_prod.val, q->dq_prod);
		q->stats.calls++;
		trace_post(q, RPCDEV_TRACE_DQ, pos, &src);
	}
	rpcdev_doorbell_if_needed(q);
}

/*
 * Is the length of answer @e one the device could write? In the DC buffer
 * up to buf_size; in place (RPCDEV_ENTRY_BUFS) only for a call whose
 * result goes to a registered buffer, up to the room the call gave there.
 */
static bool rpcdev_result_len_ok(const struct rpcdev_queue *q,
				 const struct rpcdev_slot *s,
				 const struct rpcdev_entry *e)
{
	if (e->flags & RPCDEV_ENTRY_BUFS)
		return s->resp_rb && e->len <= s->buf_cap;
	return e->len <= q->mem.buf_size;
}

/*
 * An answer's payload where every reader of it looks: an inline one is
 * copied from the DC entry at @shared into the slot's DC buffer (which
 * only the device and the kernel write, and the device not while the call
 * is the kernel's), so RPCDEV_IOC_CALL and the io_uring commands copy it
 * out from there as any other. A result written in place is never also
 * inline. 0, or -EIO for a malformed length or flags.
 */
static int rpcdev_dc_payload(struct rpcdev_queue *q,
			     const struct rpcdev_slot *s,
			     const struct rpcdev_entry *e,
			     struct rpcdev_entry *shared)
{
	if (!rpcdev_result_len_ok(q, s, e) || rpcdev_inline_bad(q, e))
		return -EIO;
	if (!(e->flags & RPCDEV_ENTRY_INLINE))
		return 0;
	if (e->flags & RPCDEV_ENTRY_BUFS)
		return -EIO;
	memcpy(rpcdev_mem_buf(&q->mem, RPCDEV_PART_DC_BUF, e->id),
	       rpcdev_entry_data(shared), e->len);
	return 0;
}

/*
 * Check one DC entry (a private copy of the one at @shared) against the
 * slot it names and complete that slot; a slot an io_uring command waits
 * for puts that command on @ready. Returns 0, or why the entry is to be
 * dropped. Called with q->lock held.
 */
static int rpcdev_complete_one(struct rpcdev_queue *q,
			       const struct rpcdev_entry *e,
			       struct rpcdev_entry *shared, u32 pos,
			       struct list_head *ready)
{
	struct rpcdev_slot *s;

	if (e->seq != pos + 1)
		return RPCDEV_DROP_DC_SEQ;
	if (e->id >= q->mem.depth)
		return RPCDEV_DROP_DC_ID;
	s = &q->slots[e->id];
	if (e->tag != rpcdev_tag(e->id, s->gen))
		return RPCDEV_DROP_DC_TAG;

	switch (s->state) {
	case RPCDEV_SLOT_POSTED:
		s->result = *e;
		/* Where the payload was is the kernel's business alone. */
		s->result.flags &= ~RPCDEV_ENTRY_INLINE;
		s->err = rpcdev_dc_payload(q, s, e, shared);
		s->state = RPCDEV_SLOT_COMPLETED;
		if (s->ucmd)
			rpcdev_uring_call_done(q, s, ready);
		return 0;
	case RPCDEV_SLOT_ABANDONED:
		/* Its caller left: now the device is done with the buffers. */
		q->nr_abandoned--;
		rpcdev_slot_free_locked(q, e->id);
		return 0;
	default:
		/* A second answer to the same call. */
		return RPCDEV_DROP_DC_STATE;
	}
}

/**
 * rpcdev_reap_completions() - take the device's answers off the DC ring.
 * @q:	a running queue.
 *
 * Called from the backend's interrupt (through rpcdev_queue_interrupt()).
 */
void rpcdev_reap_completions(struct rpcdev_queue *q)
{
	u32 depth = q->mem.depth;
	bool woke = false;
	LIST_HEAD(ready);
	u32 prod;

	scoped_guard(spinlock_irqsave, &q->lock) {
		prod = READ_ONCE(q->dctrl->dc_prod.val);
		if (prod - q->dc_cons > depth) {
			/* An index no device could have produced. */
			q->stats.bad++;
			trace_drop(q, RPCDEV_DROP_DC_PROD, prod, NULL);
			return;
		}
		/* Entries are read after the index that published them. */
		dma_rmb();
		while (q->dc_cons != prod) {
			struct rpcdev_entry *shared, e;
			int drop;

			shared = rpcdev_ring_entry(q, q->dc, q->dc_cons);
			memcpy(&e, shared, sizeof(e));
			drop = rpcdev_complete_one(q, &e, shared, q->dc_cons,
						   &ready);
			if (!drop) {
				q->stats.completed++;
				trace_reply(q, RPCDEV_TRACE_DC, q->dc_cons, &e);
				woke = true;
			} else {
				q->stats.bad++;
				trace_drop(q, drop, q->dc_cons, &e);
			}
			q->dc_cons++;
		}
		WRITE_ONCE(q->hctrl->dc_cons.val, q->dc_cons);
	}
	rpcdev_uring_complete(&ready);
	if (woke) {
		trace_wake(q, RPCDEV_TRACE_CALLERS);
		wake_up_all(&q->wq);
	}
}

/*
 * Give up a POSTED slot: the device may still write its buffers, so it
 * becomes FREE only when the answer comes. Called with q->lock held.
 */
void rpcdev_slot_abandon(struct rpcdev_queue *q, u32 id)
{
	q->slots[id].state = RPCDEV_SLOT_ABANDONED;
	q->nr_abandoned++;
	trace_abandon(q, id);
}

/*
 * Wait for slot @id's answer. On success the slot is COMPLETED and still
 * the caller's; on failure the slot is either freed or abandoned to the
 * device, and the caller must not touch it again.
 */
static int rpcdev_wait(struct rpcdev_queue *q, u32 id, u64 timeout_ns)
{
	struct rpcdev_slot *s = &q->slots[id];
	struct rpcdev_device *rdev = q->rdev;
	int ret;

	ret = rpcdev_wait_event(rdev, &q->wq,
				READ_ONCE(s->state) == RPCDEV_SLOT_COMPLETED,
				timeout_ns);

	guard(spinlock_irqsave)(&q->lock);
	if (s->state == RPCDEV_SLOT_COMPLETED)
		return 0;
	rpcdev_slot_abandon(q, id);
	if (ret == -ETIMEDOUT)
		q->stats.timeouts++;
	else if (ret == -EINTR)
		q->stats.interrupted++;
	return ret;
}

/*
 * Copy slot @id's answer out as RPCDEV_IOC_CALL gives it: the result into
 * @call, the payload to @call->resp. The slot stays the caller's.
 */
int rpcdev_slot_result(struct rpcdev_queue *q, u32 id, struct rpcdev_call *call)
{
	const struct rpcdev_slot *s = &q->slots[id];
	u32 len = s->result.len;

	if (s->err)
		return s->err;
	call->resp_len = len;
	call->status = s->result.status;
	call->res_flags = s->result.flags;
	if (s->resp_rb) {
		/* Written in place, or to be put there from the DC buffer. */
		if (!(s->result.flags & RPCDEV_ENTRY_BUFS))
			memcpy(rpcdev_regbuf_addr(s->resp_rb, s->resp_off),
			       rpcdev_mem_buf(&q->mem, RPCDEV_PART_DC_BUF, id),
			       min(len, s->buf_cap));
		return 0;
	}
	len = min(len, call->resp_cap);
	if (!len)
		return 0;
	return rpcdev_copy_to_user(q->rdev, u64_to_user_ptr(call->resp),
				   rpcdev_mem_buf(&q->mem, RPCDEV_PART_DC_BUF,
						  id), len);
}

/*
 * Check @call's flags and lengths, as struct rpcdev_call lists its errors;
 * 0 or a negative errno.
 */
static int rpcdev_call_check(struct rpcdev_queue *q,
			     const struct rpcdev_call *call)
{
	u32 flags = call->flags;
	u32 max = q->mem.buf_size;

	if (flags & ~(RPCDEV_CALL_REQ_BUF | RPCDEV_CALL_RESP_BUF) ||
	    memchr_inv(call->reserved, 0, sizeof(call->reserved)) ||
	    (!(flags & RPCDEV_CALL_REQ_BUF) && call->req_buf) ||
	    (!(flags & RPCDEV_CALL_RESP_BUF) && call->resp_buf))
		return -EINVAL;
	if (flags && !(q->rdev->features & RPCDEV_FEAT_REG_BUFS))
		return -EOPNOTSUPP;
	/* A request in the DQ buffer shares it with the descriptor. */
	if (flags & RPCDEV_CALL_REQ_BUF)
		return 0;
	if (flags)
		max -= RPCDEV_BUF_DESC_SIZE;
	return call->req_len > max ? -E2BIG : 0;
}

/*
 * Fill in slot @id's DQ buffer: the request, after the descriptor of the
 * registered buffers it names when it names any.
 */
static int rpcdev_call_fill(struct rpcdev_queue *q, u32 id,
			    const struct rpcdev_call *call)
{
	u8 *buf = rpcdev_mem_buf(&q->mem, RPCDEV_PART_DQ_BUF, id);
	struct rpcdev_buf_desc d;

	if (call->flags) {
		memset(&d, 0, sizeof(d));
		d.flags = call->flags;
		if (call->flags & RPCDEV_CALL_REQ_BUF) {
			d.req_buf = call->req_buf;
			d.req_off = call->req;
		}
		if (call->flags & RPCDEV_CALL_RESP_BUF) {
			d.resp_buf = call->resp_buf;
			d.resp_off = call->resp;
			d.resp_cap = call->resp_cap;
		}
		memcpy(buf, &d, sizeof(d));
		buf += RPCDEV_BUF_DESC_SIZE;
	}
	if (!call->req_len || (call->flags & RPCDEV_CALL_REQ_BUF))
		return 0;
	return rpcdev_copy_from_user(q->rdev, buf, u64_to_user_ptr(call->req),
				     call->req_len);
}

/**
 * rpcdev_call_start() - check a downcall and take its slot.
 * @q:		a queue the kernel drives (not user rings).
 * @call:	the caller's argument, copied in.
 *
 * Checks @call as RPCDEV_IOC_CALL does, takes a slot and the registered
 * buffers the call names, and copies the request (or the descriptor of
 * those buffers) into its DQ buffer; the caller posts it with
 * rpcdev_post().
 *
 * Return: the slot's id, or a negative errno (no slot is then held).
 */
int rpcdev_call_start(struct rpcdev_queue *q, const struct rpcdev_call *call)
{
	int id, ret;

	ret = rpcdev_call_check(q, call);
	if (ret)
		return ret;

	id = rpcdev_slot_get(q);
	if (id < 0)
		return id;
	if (call->flags) {
		ret = rpcdev_regbuf_get(q, &q->slots[id], call);
		if (ret)
			goto err_slot;
	}
	ret = rpcdev_call_fill(q, id, call);
	if (ret)
		goto err_slot;
	return id;

err_slot:
	rpcdev_slot_put(q, id);
	return ret;
}

long rpcdev_ioctl_call(struct rpcdev_file *f, struct rpcdev_call __user *ucall)
{
	struct rpcdev_queue *q = rpcdev_file_queue(f);
	struct rpcdev_call call;
	int id, ret;

	if (!q || q->user_rings)
		return -EINVAL;
	ret = rpcdev_copy_from_user(f->rdev, &call, ucall, sizeof(call));
	if (ret)
		return ret;
	id = rpcdev_call_start(q, &call);
	if (id < 0)
		return id;

	rpcdev_post(q, id, call.method, call.req_len);
	ret = rpcdev_wait(q, id, call.timeout_ns);
	if (ret)
		return ret;

	ret = rpcdev_slot_result(q, id, &call);
	rpcdev_slot_put(q, id);
	if (ret)
		return ret;
	return rpcdev_copy_to_user(f->rdev, ucall, &call, sizeof(call));
}
