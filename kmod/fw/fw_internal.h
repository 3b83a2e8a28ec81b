/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the firmware's own files share: shared memory as the firmware sees
 * it, posting an entry, interrupting the host, waiting, and the methods
 * each file implements.
 *
 *	fw_queue.c	the firmware's loop: downcalls, their answers, and
 *			the simple methods
 *	fw_upcall.c	RPCDEV_SIM_UPCALLS: calling the host and timing it
 *	fw_mbox.c	RPCDEV_SIM_WATCH, _NOTIFY, _MBOX_COST and _PINGPONG
 */
#ifndef _RPCDEV_FW_INTERNAL_H
#define _RPCDEV_FW_INTERNAL_H

#include "fw.h"

/* The name of the errors the firmware raises itself. */
#define FW_ERROR_NAME		"SimError"

/* Checks of a ring between two looks at the clock while polling. */
#define FW_SPIN_BATCH		32

/* The entry at ring position @pos of @ring. */
static inline struct rpcdev_entry *fw_ring(struct fw_queue *fq,
					   struct rpcdev_entry *ring, u32 pos)
{
	return (void *)ring + ((size_t)(pos & fq->ring_mask) << fq->entry_shift);
}

/*
 * Copy the entry at ring position @pos of @ring, one the host wrote, into
 * @dst, in one read: its payload line too on an inline queue, before the
 * caller moves its consumer index past it. False when its
 * RPCDEV_ENTRY_INLINE cannot be right (no such line, or a longer len):
 * the entry is malformed. A length past the buffers is the caller's to
 * check.
 */
static inline bool fw_entry_read(struct fw_queue *fq, struct rpcdev_entry *ring,
				 u32 pos, struct rpcdev_entry_inline *dst)
{
	const struct rpcdev_entry *e = fw_ring(fq, ring, pos);

	/* Copies of a fixed size: a few moves each, not a call. */
	memcpy(&dst->hdr, e, sizeof(dst->hdr));
	if (!(fq->mem.flags & RPCDEV_ATTACH_INLINE))
		return !(dst->hdr.flags & RPCDEV_ENTRY_INLINE);
	memcpy(dst->data, fw_entry_data(e), sizeof(dst->data));
	return !(dst->hdr.flags & RPCDEV_ENTRY_INLINE) ||
	       dst->hdr.len <= RPCDEV_INLINE_MAX;
}

/*
 * Publish @src at ring position @pos of @ring: every field and the payload
 * are visible before the seq that validates them (pos + 1), and the seq
 * before the producer index the caller writes next. On an inline queue a
 * payload that fits goes in the entry, from buffer @src->id of @bufs where
 * the firmware wrote it (RPCDEV_ENTRY_INLINE): the host reads no buffer
 * line for it. An id a fault broke (FW_FAULT_BAD_ID) names no buffer:
 * that entry keeps its payload where it is.
 */
static inline void fw_entry_write(struct fw_queue *fq,
				  struct rpcdev_entry *ring, u8 *bufs,
				  const struct rpcdev_entry *src, u32 pos)
{
	struct rpcdev_entry *e = fw_ring(fq, ring, pos);
	size_t off = offsetof(struct rpcdev_entry, id);
	struct rpcdev_entry tmp = *src;

	tmp.seq = pos + 1;
	/* A result written in place (RPCDEV_ENTRY_BUFS) has no payload here. */
	if (fq->mem.flags & RPCDEV_ATTACH_INLINE &&
	    !(src->flags & RPCDEV_ENTRY_BUFS) &&
	    src->len <= RPCDEV_INLINE_MAX && src->id < fq->mem.depth) {
		/*
		 * The whole line, whatever the length: a buffer holds at
		 * least one (buf_size is a multiple of 64), the host reads
		 * len bytes of it, and a copy of a fixed size is a few moves
		 * where one of len bytes is a call.
		 */
		memcpy(fw_entry_data(e), fw_buf(fq, bufs, src->id),
		       RPCDEV_INLINE_MAX);
		tmp.flags |= RPCDEV_ENTRY_INLINE;
	}
	fw_tamper_entry(fq, &tmp);
	/* Everything after the seq, in one copy. */
	memcpy((u8 *)e + off, (const u8 *)&tmp + off, sizeof(*e) - off);
	dma_wmb();
	WRITE_ONCE(e->seq, tmp.seq);
	dma_wmb();
}

/* Publish the firmware's index @val of a ring in the device's area. */
static inline void fw_publish(struct fw_queue *fq, struct rpcdev_ring_idx *idx,
			      u32 val)
{
	WRITE_ONCE(idx->val, fw_tamper_index(fq, val));
}

/*
 * Interrupt the host if it sleeps for the ring whose RPCDEV_RING_WAKE_* bit
 * is @ring, or for every ring (virtio's event suppression).
 */
static inline void fw_notify(struct fw_queue *fq, u32 ring)
{
	/* The entry and index are visible before the flags are read. */
	smp_mb();
	if (READ_ONCE(fq->mem.hctrl->flags.val) &
	    (RPCDEV_RING_NEED_WAKEUP | ring))
		fw_interrupt(fq);
}

/* Interrupt the host for the answers held back on DC, if there are any. */
static inline void fw_dc_flush(struct fw_queue *fq)
{
	if (!fq->dc_held_ns)
		return;
	fq->dc_held_ns = 0;
	fw_notify(fq, RPCDEV_RING_WAKE_DC);
}

/*
 * One batch of checks of @ready(@fq): most answers come while the device
 * polls, and then it needs no look at the clock. Inlined with its @ready,
 * so the loop makes no indirect call.
 */
static __always_inline bool fw_spin(struct fw_queue *fq,
				    bool (*ready)(struct fw_queue *))
{
	unsigned int i;

	for (i = 0; i < FW_SPIN_BATCH; i++) {
		if (ready(fq))
			return true;
		fw_relax();
	}
	return false;
}

/*
 * Wait until @ready(@fq), @deadline (ns; U64_MAX: none) or a stop. The
 * device first polls for fq->spin_ns, then arms its doorbell and sleeps:
 * it sets RPCDEV_DEV_NEED_DOORBELL, issues a full barrier and re-checks,
 * and the host reads the flag after publishing its producer index, so no
 * doorbell is lost and a polling device costs the host no system call.
 */
static __always_inline bool fw_wait(struct fw_queue *fq,
				    bool (*ready)(struct fw_queue *),
				    u64 deadline)
{
	u64 spin_end = fw_now_ns() + fq->spin_ns;

	for (;;) {
		u64 now;

		/* Poll a while between looks at the clock and the scheduler. */
		if (fw_spin(fq, ready))
			return true;
		now = fw_now_ns();
		if (fw_should_stop(fq) || now >= deadline)
			return false;
		if (now < spin_end) {
			fw_yield();
			continue;
		}
		WRITE_ONCE(fq->mem.dctrl->flags.val, RPCDEV_DEV_NEED_DOORBELL);
		/* The flag before the producer indices ready() reads. */
		smp_mb();
		if (!ready(fq))
			fw_sleep(fq, ready, deadline);
		WRITE_ONCE(fq->mem.dctrl->flags.val, 0);
	}
}

/*
 * After a take found nothing: poll @seen a batch (an answer on its way
 * needs no look at the clock), then wait for @ready until *@deadline, set
 * @timeout from the first look at the clock. @ready must be true only
 * when the take would find something, or the caller spins: the bounds on
 * a host index are the take's own. Returns 1 to take again, 0
 * on timeout, -ESHUTDOWN when the queue is stopping (after a wait cut
 * short by the stop, the caller takes once more first).
 */
static __always_inline int fw_wait_more(struct fw_queue *fq,
					bool (*seen)(struct fw_queue *),
					bool (*ready)(struct fw_queue *),
					u64 *deadline, u64 timeout)
{
	/* Every take loop comes round here: let the host's others run. */
	fw_preempt_point();
	if (fw_should_stop(fq))
		return -ESHUTDOWN;
	if (fw_spin(fq, seen))
		return 1;
	if (!*deadline)
		*deadline = fw_now_ns() + timeout;
	if (!fw_wait(fq, ready, *deadline) && !fw_should_stop(fq))
		return 0;
	return 1;
}

/* fw_queue.c */
void fw_error(struct fw_queue *fq, struct rpcdev_entry *ans,
	      const char *name, const void *msg, u32 msg_len);
void fw_result(struct fw_queue *fq, struct rpcdev_entry *ans,
	       const void *src, u32 len);

/* fw_upcall.c */
int fw_upcalls(struct fw_queue *fq, const struct rpcdev_entry *call,
	       struct rpcdev_entry *ans);

/* fw_mbox.c */
int fw_watch(struct fw_queue *fq, const struct rpcdev_entry *call,
	     struct rpcdev_entry *ans);
int fw_mbox_cost(struct fw_queue *fq, const struct rpcdev_entry *call,
		 struct rpcdev_entry *ans);
void fw_mbox_notify(struct fw_queue *fq, const struct rpcdev_entry *call,
		    struct rpcdev_entry *ans);
int fw_mbox_pingpong(struct fw_queue *fq, const struct rpcdev_entry *call,
		     struct rpcdev_entry *ans);

#endif /* _RPCDEV_FW_INTERNAL_H */
