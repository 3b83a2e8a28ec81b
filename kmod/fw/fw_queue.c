// SPDX-License-Identifier: GPL-2.0
/*
 * The firmware's loop: take the downcalls the host posted on DQ, run them,
 * answer on DC when each answer is due, and sleep on the doorbell when
 * there is nothing to do. The simple methods live here; RPCDEV_SIM_UPCALLS
 * in fw_upcall.c and the mailbox methods in fw_mbox.c.
 */
#include "fw_internal.h"

/* Fill in an error answer: "<name>\0<message>\0", cut to fit. */
void fw_error(struct fw_queue *fq, struct rpcdev_entry *ans,
	      const char *name, const void *msg, u32 msg_len)
{
	u8 *resp = fw_buf(fq, fq->mem.dc_buf, ans->id);
	u32 nlen = strlen(name) + 1;

	ans->len = min_t(u32, nlen + msg_len + 1, fq->mem.buf_size);
	memcpy(resp, name, nlen);
	memmove(resp + nlen, msg, ans->len - nlen - 1);
	resp[ans->len - 1] = 0;
	ans->status = RPCDEV_STATUS_ERROR;
	ans->flags = RPCDEV_ENTRY_ERROR;
}

/*
 * Answer with the @len bytes at @src, in the call's DC buffer, or with an
 * error when they do not fit the queue's buffers: the device never writes
 * past the buffer of the call it answers, whatever buf_size the host chose.
 */
void fw_result(struct fw_queue *fq, struct rpcdev_entry *ans,
	       const void *src, u32 len)
{
	static const char msg[] = "the result is larger than the queue's buffers";

	if (len > fq->mem.buf_size) {
		fw_error(fq, ans, FW_ERROR_NAME, msg, sizeof(msg) - 1);
		return;
	}
	memcpy(fw_buf(fq, fq->mem.dc_buf, ans->id), src, len);
	ans->len = len;
}

/* Downcall answers. */

/* A wait that only a deadline or a stop ends. */
static bool fw_never(struct fw_queue *fq __always_unused)
{
	return false;
}

/* An answer as the armed faults break it (enum fw_fault). */
static void fw_break_answer(struct fw_queue *fq, struct rpcdev_entry *e)
{
	if (fw_fault(fq, FW_FAULT_BAD_TAG))
		e->tag = ~e->tag;
	if (fw_fault(fq, FW_FAULT_BAD_ID))
		e->id = fq->mem.depth;
	if (!fw_fault(fq, FW_FAULT_LONG_REPLY))
		return;
	/* An inline answer claims more than its line holds. */
	if (fq->mem.flags & RPCDEV_ATTACH_INLINE &&
	    e->len <= RPCDEV_INLINE_MAX) {
		e->flags |= RPCDEV_ENTRY_INLINE;
		e->len = RPCDEV_INLINE_MAX + 1;
		return;
	}
	e->len = fq->mem.buf_size + 1;
}

/* Post an answer on DC, or return false when the host has not made room. */
static bool fw_dc_post(struct fw_queue *fq, const struct rpcdev_entry *src)
{
	u32 pos = fq->dc_prod, prod = pos + 1;
	struct rpcdev_entry e = *src;

	if (pos - READ_ONCE(fq->mem.hctrl->dc_cons.val) >= fq->mem.depth)
		return false;
	fw_break_answer(fq, &e);
	fw_entry_write(fq, fq->mem.dc, fq->mem.dc_buf, &e, pos);
	if (fw_fault(fq, FW_FAULT_BAD_SEQ)) {
		/* After the entry's own seq, before the index: one store. */
		WRITE_ONCE(fw_ring(fq, fq->mem.dc, pos)->seq, pos + 2);
		dma_wmb();
	}
	fq->dc_prod = prod;
	if (fw_fault(fq, FW_FAULT_BAD_DC_PROD))
		prod += fq->mem.depth + 1;
	fw_publish(fq, &fq->mem.dctrl->dc_prod, prod);
	return true;
}

/* New calls on DQ? An index no host could have written is no work. */
static bool fw_has_work(struct fw_queue *fq)
{
	u32 n = READ_ONCE(fq->mem.hctrl->dq_prod.val) - fq->dq_cons;

	return n && n <= fq->mem.depth;
}

/*
 * Post the answers that are due; the time of the next one, or U64_MAX.
 *
 * Their interrupt waits while more calls wait on DQ, up to irq_hold_ns
 * after the first answer it would have been for, as a NIC moderates its
 * interrupts: a burst of calls then costs the host one interrupt, not one
 * per answer. Only a method that finishes at once runs while answers wait
 * (fw_method_is_quick()), so a call taken meanwhile delays them by its
 * copy of at most a buffer; the firmware interrupts for them before it
 * runs any other, before a stall and when it stops.
 */
static u64 fw_post_due(struct fw_queue *fq)
{
	u64 now = fw_now_ns(), next = U64_MAX;
	bool posted = false;
	u32 id;

	for (id = 0; id < fq->mem.depth; id++) {
		struct fw_reply *r = &fq->replies[id];

		if (!r->due_ns)
			continue;
		if (r->due_ns <= now && fw_fault(fq, FW_FAULT_DROP_REPLY)) {
			r->due_ns = 0;	/* as if posted: the id is free again */
		} else if (r->due_ns <= now && fw_dc_post(fq, &r->entry)) {
			r->due_ns = 0;
			posted = true;
			/* DC full: the second copy is not owed, just lost. */
			if (fw_fault(fq, FW_FAULT_REPLY_TWICE))
				fw_dc_post(fq, &r->entry);
		} else {
			/* Not due, or DC full: look again soon. */
			next = min(next, max(r->due_ns, now + NSEC_PER_MSEC));
		}
	}
	if (posted && !fq->dc_held_ns)
		fq->dc_held_ns = now ?: 1;
	if (fq->dc_held_ns &&
	    (!fw_has_work(fq) || now - fq->dc_held_ns >= fq->irq_hold_ns))
		fw_dc_flush(fq);
	return next;
}

/* Downcalls. */

/*
 * Does @method finish at once: a copy of at most a buffer, or less? The
 * others call the host, wait for it or loop for as long as it asks.
 */
static bool fw_method_is_quick(u32 method)
{
	switch (method) {
	case RPCDEV_SIM_ECHO:
	case RPCDEV_SIM_FAIL:
	case RPCDEV_SIM_DELAY:
	case RPCDEV_SIM_STATS:
	case RPCDEV_SIM_NOTIFY:
		return true;
	default:
		return false;
	}
}

/*
 * RPCDEV_SIM_DELAY's answer, due when its request (a __le64 of
 * microseconds, at @req) says, from @now: the time it is due.
 */
static u64 fw_delay_due(const struct rpcdev_entry *call, const void *req,
			struct rpcdev_entry *ans, u64 now)
{
	__le64 us;

	if (call->len != sizeof(us)) {
		ans->status = RPCDEV_STATUS_BAD_REQUEST;
		return now;
	}
	memcpy(&us, req, sizeof(us));
	return now + min(le64_to_cpu(us), FW_MAX_DELAY_US) * NSEC_PER_USEC;
}

/* Is descriptor @d (a private copy) one the firmware understands? */
static bool fw_buf_desc_ok(struct fw_queue *fq, const struct rpcdev_buf_desc *d,
			   u32 len)
{
	static const u32 zero[sizeof(d->reserved) / sizeof(u32)];

	if (!d->flags ||
	    d->flags & ~(RPCDEV_CALL_REQ_BUF | RPCDEV_CALL_RESP_BUF) ||
	    memcmp(d->reserved, zero, sizeof(zero)))
		return false;
	/* A request in the DQ buffer follows the descriptor there. */
	return (d->flags & RPCDEV_CALL_REQ_BUF) ||
	       len <= fq->mem.buf_size - RPCDEV_BUF_DESC_SIZE;
}

/*
 * Copy @len bytes from @src to @dst as a device's copy engine would: a word
 * at a time where both are aligned and apart. Not memmove(): the kernel's
 * is a "rep movsb" where the CPU says it is fast, which an emulated CPU
 * (QEMU's TCG, where the tests and the bench run) executes a byte at a
 * time, five times slower than a program's memcpy. The volatile stores
 * keep the compiler from making the loop a memcpy() call again.
 */
static void fw_copy(u8 *dst, const u8 *src, u32 len)
{
	const u64 *s = (const u64 *)src;
	u64 *d = (u64 *)dst;
	u32 i, n = len / sizeof(u64);

	if (((uintptr_t)dst | (uintptr_t)src) % sizeof(u64) ||
	    (dst < src + len && src < dst + len)) {
		memmove(dst, src, len);
		return;
	}
	/* A cache line per round: fewer instructions to emulate per byte. */
	for (i = 0; i + 8 <= n; i += 8) {
		u64 w0 = s[i], w1 = s[i + 1], w2 = s[i + 2], w3 = s[i + 3];
		u64 w4 = s[i + 4], w5 = s[i + 5], w6 = s[i + 6], w7 = s[i + 7];

		WRITE_ONCE(d[i], w0);
		WRITE_ONCE(d[i + 1], w1);
		WRITE_ONCE(d[i + 2], w2);
		WRITE_ONCE(d[i + 3], w3);
		WRITE_ONCE(d[i + 4], w4);
		WRITE_ONCE(d[i + 5], w5);
		WRITE_ONCE(d[i + 6], w6);
		WRITE_ONCE(d[i + 7], w7);
	}
	for (; i < n; i++)
		WRITE_ONCE(d[i], s[i]);
	for (i *= sizeof(u64); i < len; i++)
		dst[i] = src[i];
}

/*
 * Run ECHO, FAIL or DELAY with the request at @req and, if @resp, room
 * for the result there (@d's resp_cap bytes): ECHO writes it in place.
 * Other methods have nothing to read or write there. Returns when the
 * answer is due (ns).
 */
static u64 fw_run_in_place(struct fw_queue *fq, const struct rpcdev_entry *call,
			   struct rpcdev_entry *ans,
			   const struct rpcdev_buf_desc *d, const u8 *req,
			   u8 *resp)
{
	u64 now = fw_now_ns();

	switch (call->method) {
	case RPCDEV_SIM_ECHO:
		if (resp && call->len <= d->resp_cap) {
			/* One buffer may hold both: they may overlap. */
			fw_copy(resp, req, call->len);
			ans->len = call->len;
			ans->flags = RPCDEV_ENTRY_BUFS;
		} else {
			fw_result(fq, ans, req, call->len);
		}
		break;
	case RPCDEV_SIM_FAIL:
		fw_error(fq, ans, FW_ERROR_NAME, req, call->len);
		break;
	case RPCDEV_SIM_DELAY:
		return fw_delay_due(call, req, ans, now);
	default:
		ans->status = RPCDEV_STATUS_BAD_REQUEST;
		break;
	}
	return now;
}

/*
 * A call whose payloads are in registered buffers (RPCDEV_ENTRY_BUFS): its
 * DQ buffer starts with a struct rpcdev_buf_desc, read once and checked.
 * A host that cannot reach registered buffers (fw_buf_at() finds none)
 * answers RPCDEV_STATUS_BAD_REQUEST, as to any descriptor that does not
 * resolve. Returns when the answer is due (ns).
 */
static u64 fw_run_buf_call(struct fw_queue *fq, const struct rpcdev_entry *call,
			   struct rpcdev_entry *ans)
{
	u8 *dq = fw_buf(fq, fq->mem.dq_buf, call->id);
	struct rpcdev_buf_desc d;
	u8 *req, *resp = NULL;
	u64 due = 0;

	if (fq->mem.buf_size < RPCDEV_BUF_DESC_SIZE)
		goto bad;
	memcpy(&d, dq, sizeof(d));
	if (!fw_buf_desc_ok(fq, &d, call->len))
		goto bad;

	/* The buffers cannot go until the unlock: the host waits for it. */
	fw_bufs_lock(fq);
	if (d.flags & RPCDEV_CALL_REQ_BUF)
		req = fw_buf_at(fq, d.req_buf, d.req_off, call->len);
	else
		req = dq + RPCDEV_BUF_DESC_SIZE;
	if (d.flags & RPCDEV_CALL_RESP_BUF)
		resp = fw_buf_at(fq, d.resp_buf, d.resp_off, d.resp_cap);
	if (req && (resp || !(d.flags & RPCDEV_CALL_RESP_BUF)))
		due = fw_run_in_place(fq, call, ans, &d, req, resp);
	fw_bufs_unlock(fq);
	if (due)
		return due;
bad:
	fq->stats.bad++;
	fw_dbg("DQ call %u: registered buffers that do not resolve\n",
	       call->id);
	ans->status = RPCDEV_STATUS_BAD_REQUEST;
	return fw_now_ns();
}

/*
 * Run one checked call, filling in its answer. Returns when the answer is
 * due (ns), or 0 when the queue is stopping and no answer is to be posted.
 */
static u64 fw_run_call(struct fw_queue *fq, const struct rpcdev_entry *call,
		       struct rpcdev_entry *ans)
{
	void *req = fw_payload(fq, call, fq->mem.dq_buf);
	void *resp = fw_buf(fq, fq->mem.dc_buf, call->id);
	u64 now = fw_now_ns();

	switch (call->method) {
	case RPCDEV_SIM_ECHO:
		memcpy(resp, req, call->len);
		ans->len = call->len;
		break;
	case RPCDEV_SIM_FAIL:
		fw_error(fq, ans, FW_ERROR_NAME, req, call->len);
		break;
	case RPCDEV_SIM_DELAY:
		return fw_delay_due(call, req, ans, now);
	case RPCDEV_SIM_STATS:
		fw_result(fq, ans, &fq->stats, sizeof(fq->stats));
		break;
	case RPCDEV_SIM_UPCALLS:
		if (fw_upcalls(fq, call, ans))
			return 0;
		break;
	case RPCDEV_SIM_WATCH:
		if (fw_watch(fq, call, ans))
			return 0;
		break;
	case RPCDEV_SIM_NOTIFY:
		fw_mbox_notify(fq, call, ans);
		break;
	case RPCDEV_SIM_MBOX_COST:
		if (fw_mbox_cost(fq, call, ans))
			return 0;
		break;
	case RPCDEV_SIM_PINGPONG:
		if (fw_mbox_pingpong(fq, call, ans))
			return 0;
		break;
	default:
		if (!fw_host_method(fq, call, ans))
			ans->status = RPCDEV_STATUS_NO_METHOD;
		break;
	}
	return fw_now_ns();
}

/* FW_FAULT_STALL: stop for a while, whatever the host rings. */
static void fw_stall(struct fw_queue *fq)
{
	u64 us = fw_fault(fq, FW_FAULT_STALL);
	u64 until = fw_now_ns() + us * NSEC_PER_USEC;

	if (us)
		fw_dc_flush(fq);
	while (us && fw_now_ns() < until && !fw_should_stop(fq))
		fw_sleep(fq, fw_never, until);
}

/* Take the calls the host posted on DQ. */
static void fw_take_calls(struct fw_queue *fq)
{
	u32 depth = fq->mem.depth;
	u32 prod = READ_ONCE(fq->mem.hctrl->dq_prod.val);

	/* A producer index no host could have written: ignore it. */
	if (prod - fq->dq_cons > depth)
		return;
	dma_rmb();

	while (fq->dq_cons != prod && !fw_should_stop(fq)) {
		struct rpcdev_entry_inline in;
		struct rpcdev_entry *call = &in.hdr, ans = {};
		struct fw_reply *r;
		bool inline_ok;
		u32 pos;

		/* A ring full of long calls keeps no CPU to itself. */
		fw_preempt_point();
		pos = fq->dq_cons++;
		/* An inline request is in the copy: the entry may go now. */
		inline_ok = fw_entry_read(fq, fq->mem.dq, pos, &in);
		fw_publish(fq, &fq->mem.dctrl->dq_cons, fq->dq_cons);
		fq->stats.calls++;
		fq->life.calls++;
		/* Without a good seq and id there is no one to answer. */
		if (call->seq != pos + 1 || call->id >= depth ||
		    fq->replies[call->id].due_ns) {
			fq->stats.bad++;
			fw_dbg("DQ %u: bad entry (seq %u id %u)\n", pos,
			       call->seq, call->id);
			continue;
		}
		/* Answers held back wait for no method that may run long. */
		if (!fw_method_is_quick(call->method))
			fw_dc_flush(fq);
		r = &fq->replies[call->id];
		ans.id = call->id;
		ans.method = call->method;
		ans.tag = call->tag;
		if (!inline_ok || (call->flags & RPCDEV_ENTRY_BUFS &&
				   call->flags & RPCDEV_ENTRY_INLINE)) {
			/* A descriptor is never inline: it is in the buffer. */
			fq->stats.bad++;
			ans.status = RPCDEV_STATUS_BAD_REQUEST;
			r->due_ns = fw_now_ns();
		} else if (call->flags & RPCDEV_ENTRY_BUFS) {
			r->due_ns = fw_run_buf_call(fq, call, &ans);
		} else if (call->len > fq->mem.buf_size) {
			fq->stats.bad++;
			ans.status = RPCDEV_STATUS_BAD_REQUEST;
			r->due_ns = fw_now_ns();
		} else {
			r->due_ns = fw_run_call(fq, call, &ans);
		}
		if (r->due_ns)
			r->due_ns += fw_fault(fq, FW_FAULT_DELAY_REPLY) *
				     NSEC_PER_USEC;
		r->entry = ans;
		fw_stall(fq);
		/* Answer at once what is due, so DELAY does not hold it up. */
		fw_post_due(fq);
	}
}

/**
 * fw_queue_run() - the firmware of a started queue, until fw_should_stop().
 * @fq:		the queue.
 */
void fw_queue_run(struct fw_queue *fq)
{
	while (!fw_should_stop(fq)) {
		u64 next;

		/* A host that keeps DQ busy does not keep the CPU. */
		fw_preempt_point();
		fw_take_calls(fq);
		next = fw_post_due(fq);
		if (next > fw_now_ns())
			fw_wait(fq, fw_has_work, next);
	}
	/* No answer the host could still take is left unannounced. */
	fw_dc_flush(fq);
}

static void fw_queue_free(struct fw_queue *fq)
{
	fw_free(fq->uq_async);
	fq->uq_async = NULL;
	fw_free(fq->up_noack);
	fq->up_noack = NULL;
	fw_free(fq->up_start);
	fq->up_start = NULL;
	fw_free(fq->up_busy);
	fq->up_busy = NULL;
	fw_free(fq->replies);
	fq->replies = NULL;
}

_Static_assert(sizeof(struct rpcdev_entry) == 1 << 6 &&
	       sizeof(struct rpcdev_entry_inline) == 1 << 7,
	       "fw_ring() shifts by the entry sizes");

/**
 * fw_queue_start() - set up the firmware of a queue before it runs.
 * @fq:		the queue; its lifetime counters are kept.
 * @mem:	its memory, as the firmware reaches it.
 * @spin_ns:	how long the firmware polls before it sleeps.
 * @irq_hold_ns: how long at most an answer's interrupt waits while more
 *		calls wait (FW_IRQ_HOLD_US is the usual choice; 0: never).
 *
 * Return: 0, or -ENOMEM.
 */
int fw_queue_start(struct fw_queue *fq, const struct fw_mem *mem,
		   u64 spin_ns, u64 irq_hold_ns)
{
	u32 depth = mem->depth;

	fq->spin_ns = spin_ns;
	fq->irq_hold_ns = irq_hold_ns;
	fq->mem = *mem;
	/* Entries are one line, or two (inline): a shift, not a multiply. */
	fq->entry_shift = mem->flags & RPCDEV_ATTACH_INLINE ? 7 : 6;
	fq->ring_mask = depth - 1;
	fq->dq_cons = 0;
	fq->dc_prod = 0;
	fq->uq_prod = 0;
	fq->ur_cons = 0;
	fq->mb_prod = 0;
	fq->dc_held_ns = 0;
	fq->nr_busy = 0;
	fq->uq_freed = 0;
	fq->noack = mem->flags & RPCDEV_ATTACH_ASYNC_NOACK;
	memset(&fq->stats, 0, sizeof(fq->stats));
	fq->replies = fw_calloc(depth, sizeof(*fq->replies));
	fq->up_busy = fw_calloc(depth, sizeof(*fq->up_busy));
	fq->up_start = fw_calloc(depth, sizeof(*fq->up_start));
	fq->up_noack = fw_calloc(depth, sizeof(*fq->up_noack));
	fq->uq_async = fw_calloc(depth, sizeof(*fq->uq_async));
	if (!fq->replies || !fq->up_busy || !fq->up_start || !fq->up_noack ||
	    !fq->uq_async) {
		fw_queue_free(fq);
		return -ENOMEM;
	}
	return 0;
}

/**
 * fw_queue_stop() - free what fw_queue_start() set up, once fw_queue_run()
 * has returned: the firmware no longer touches the queue's memory.
 * @fq:		the queue.
 */
void fw_queue_stop(struct fw_queue *fq)
{
	fw_queue_free(fq);
	memset(&fq->mem, 0, sizeof(fq->mem));
}
