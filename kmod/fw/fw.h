/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rpcdev's reference firmware, as its hosts see it.
 *
 * The firmware serves one queue pair of linux/rpcdev.h: it takes downcalls
 * off DQ, runs the methods of linux/rpcdev_sim.h and answers on DC; the
 * UPCALLS method calls the host through UQ and UR and times each round
 * trip on the device clock. It trusts nothing in the host's area: it reads
 * each index and entry once into a local copy and checks it, as hardware
 * would, and a malformed entry costs only that entry.
 *
 * A host embeds a struct fw_queue per queue, fills a struct fw_mem with
 * where the queue's memory is, calls fw_queue_start(), runs
 * fw_queue_run() on a thread of its own until fw_should_stop() (see
 * fw_env.h) turns true, and then calls fw_queue_stop(). The hosts are
 * rpcdev_sim.ko (kmod/sim_fw.c) and the ivshmem firmware program
 * (scripts/ivshmem/).
 */
#ifndef _RPCDEV_FW_H
#define _RPCDEV_FW_H

#include "fw_env.h"

#include <linux/rpcdev.h>
#include <linux/rpcdev_sim.h>

/**
 * struct fw_mem - a queue's memory as the firmware reaches it.
 * @depth:	entries per ring and call slots per direction (a power of
 *		two).
 * @buf_size:	bytes of each payload buffer: a multiple of 64, as the attach
 *		rounds it (and the ivshmem firmware checks), so at least one
 *		entry line.
 * @flags:	the queue's RPCDEV_ATTACH_* bits (RPCDEV_ATTACH_INLINE: the
 *		rings' entries are struct rpcdev_entry_inline).
 * @dctrl:	the device's control page (RPCDEV_OFF_DEV).
 * @dc:		the DC ring, in the device's area.
 * @uq:		the UQ ring, in the device's area.
 * @hctrl:	the host's control page (RPCDEV_OFF_HOST).
 * @dq:		the DQ ring, in the host's area.
 * @ur:		the UR ring, in the host's area.
 * @dc_buf:	the DC payload buffers, buffer i at i * buf_size.
 * @uq_buf:	the UQ payload buffers.
 * @dq_buf:	the DQ payload buffers.
 * @ur_buf:	the UR payload buffers.
 */
struct fw_mem {
	u32 depth;
	u32 buf_size;
	u32 flags;
	struct rpcdev_dev_ctrl *dctrl;
	struct rpcdev_entry *dc;
	struct rpcdev_entry *uq;
	struct rpcdev_host_ctrl *hctrl;
	struct rpcdev_entry *dq;
	struct rpcdev_entry *ur;
	u8 *dc_buf;
	u8 *uq_buf;
	u8 *dq_buf;
	u8 *ur_buf;
};

/* Bytes of one ring entry of a queue attached with @flags. */
static inline u32 fw_entry_size(u32 flags)
{
	return flags & RPCDEV_ATTACH_INLINE ?
	       sizeof(struct rpcdev_entry_inline) : sizeof(struct rpcdev_entry);
}

/**
 * struct fw_reply - an answer the firmware owes on DC.
 * @due_ns:	when to post it (fw_now_ns()); 0 when the slot is idle.
 * @entry:	the DC entry to post; its payload is already in DC buffer id.
 */
struct fw_reply {
	u64 due_ns;
	struct rpcdev_entry entry;
};

/**
 * enum fw_fault - what a test may make the firmware do wrong, on purpose,
 * to the answers of downcalls. The host arms them (fw_fault() in
 * fw_env.h); each one is taken by the next answer it applies to.
 * @FW_FAULT_DROP_REPLY:	never post the answer (a device that loses a
 *				call).
 * @FW_FAULT_DELAY_REPLY:	post it this many microseconds after it is
 *				due.
 * @FW_FAULT_REPLY_TWICE:	post it twice.
 * @FW_FAULT_BAD_TAG:		post it with a tag that is not the call's.
 * @FW_FAULT_BAD_ID:		post it with an id past the queue's depth.
 * @FW_FAULT_BAD_SEQ:		post it with a seq that is not its position's.
 * @FW_FAULT_LONG_REPLY:	post it with a length past the queue's
 *				buffers (the payload itself stays in bounds);
 *				an answer that would go inline, marked
 *				RPCDEV_ENTRY_INLINE with a length past
 *				RPCDEV_INLINE_MAX instead.
 * @FW_FAULT_BAD_DC_PROD:	publish DC's producer index after it as a
 *				value no device could have produced (the next
 *				one published is true).
 * @FW_FAULT_STALL:		stop this many microseconds after taking the
 *				next call off DQ, with the rest of the burst
 *				still on it.
 * @FW_FAULT_NR:		how many there are.
 */
enum fw_fault {
	FW_FAULT_DROP_REPLY,
	FW_FAULT_DELAY_REPLY,
	FW_FAULT_REPLY_TWICE,
	FW_FAULT_BAD_TAG,
	FW_FAULT_BAD_ID,
	FW_FAULT_BAD_SEQ,
	FW_FAULT_LONG_REPLY,
	FW_FAULT_BAD_DC_PROD,
	FW_FAULT_STALL,
	FW_FAULT_NR
};

/*
 * How long the interrupt for an answer waits by default while the host
 * keeps posting calls (struct fw_queue's @irq_hold_ns), and the longest
 * a host may ask for, in microseconds.
 */
#define FW_IRQ_HOLD_US		50
#define FW_MAX_IRQ_HOLD_US	(1ULL * USEC_PER_SEC)

/* Longest RPCDEV_SIM_DELAY, delay or stall of a fault: no test wedges it. */
#define FW_MAX_DELAY_US		(60ULL * USEC_PER_SEC)

/* Is @f a fault whose value is a time (microseconds), not a count of shots? */
static inline bool fw_fault_is_time(unsigned int f)
{
	return f == FW_FAULT_DELAY_REPLY || f == FW_FAULT_STALL;
}

/* May fault @f be armed with @val? */
static inline bool fw_fault_valid(unsigned int f, u64 val)
{
	return f < FW_FAULT_NR && (!fw_fault_is_time(f) || val <= FW_MAX_DELAY_US);
}

/*
 * Take fault @f's next shot from *@armed, what a host's fw_fault() keeps
 * of it: 0 when it is not armed; else a count gives 1 and one shot less,
 * a time its microseconds, once. *@armed is written with WRITE_ONCE, so a
 * host may look at it without its lock first.
 */
static inline u64 fw_fault_take(u64 *armed, unsigned int f)
{
	u64 val = *armed;

	if (!val)
		return 0;
	WRITE_ONCE(*armed, fw_fault_is_time(f) ? 0 : val - 1);
	return fw_fault_is_time(f) ? val : 1;
}

/**
 * struct fw_lifetime - counters of a queue over all its starts, for the
 * host to show (the per-start ones, struct rpcdev_sim_stats, are reset).
 * @calls:	downcalls taken.
 * @upcalls:	upcalls made.
 * @no_server:	upcalls answered RPCDEV_STATUS_NO_SERVER.
 * @stopped:	upcalls in flight when the queue was stopped under them
 *		(no answer came: the host took its queue away).
 * @upcall_timeouts: upcalls with no answer in time.
 */
struct fw_lifetime {
	u64 calls;
	u64 upcalls;
	u64 no_server;
	u64 stopped;
	u64 upcall_timeouts;
};

/**
 * struct fw_queue - the firmware state of one queue.
 * @mem:	the queue's memory, from fw_queue_start().
 * @entry_shift: log2 of a ring entry's size (fw_entry_size()).
 * @ring_mask:	mem.depth - 1: where a ring position's entry is.
 * @dq_cons:	firmware's DQ consumer index.
 * @dc_prod:	firmware's DC producer index.
 * @uq_prod:	firmware's UQ producer index.
 * @ur_cons:	firmware's UR consumer index.
 * @mb_prod:	firmware's device-to-host mailbox producer index.
 * @dc_held_ns:	when the oldest answer on DC that the host has not been
 *		interrupted for was posted (fw_now_ns()), or 0: none is.
 * @replies:	answers owed, one per call slot id.
 * @up_busy:	upcall ids in flight.
 * @nr_busy:	how many.
 * @noack:	async upcalls come back by the host's UQ consumer index
 *		(RPCDEV_ATTACH_ASYNC_NOACK), not by answers on UR.
 * @up_noack:	upcall ids in flight that the index gives back (@noack).
 * @uq_async:	per UQ position (mod depth): 1 + the id of the async upcall
 *		posted there that the index gives back, or 0.
 * @uq_freed:	the host's UQ consumer index as far as the device has
 *		taken slots back.
 * @run:	counts RPCDEV_SIM_UPCALLS runs; in the upcalls' tags, so a
 *		late answer to an earlier run is recognized.
 * @up_start:	when each upcall in flight was posted (ns).
 * @lat:	round trip times of the current RPCDEV_SIM_UPCALLS run.
 * @spin_ns:	how long the firmware polls before it arms its doorbell.
 * @irq_hold_ns: how long at most the interrupt for an answer on DC waits
 *		while more calls wait on DQ (0: none waits).
 * @stage_sum:	sums of the parts of stamped round trips in the current
 *		RPCDEV_SIM_UPCALLS run.
 * @stats:	RPCDEV_SIM_STATS counters, per start.
 * @life:	counters over all starts.
 */
struct fw_queue {
	struct fw_mem mem;
	u32 entry_shift;
	u32 ring_mask;
	u32 dq_cons;
	u32 dc_prod;
	u32 uq_prod;
	u32 ur_cons;
	u32 mb_prod;
	u64 dc_held_ns;
	struct fw_reply *replies;
	bool *up_busy;
	u32 nr_busy;
	bool noack;
	bool *up_noack;
	u32 *uq_async;
	u32 uq_freed;
	u32 run;
	u64 *up_start;
	u64 *lat;
	u64 spin_ns;
	u64 irq_hold_ns;
	u64 stage_sum[4];
	struct rpcdev_sim_stats stats;
	struct fw_lifetime life;
};

/* The payload line of entry @e of an inline queue (hdr is its first member). */
static inline u8 *fw_entry_data(const struct rpcdev_entry *e)
{
	return ((struct rpcdev_entry_inline *)e)->data;
}

/* Payload buffer @id of the buffers at @bufs. */
static inline void *fw_buf(struct fw_queue *fq, u8 *bufs, u32 id)
{
	return bufs + (size_t)id * fq->mem.buf_size;
}

/*
 * The payload of entry @e, a checked copy fw_entry_read() (fw_internal.h)
 * made: in the copy itself when it came inline, else in buffer id of @bufs.
 */
static inline void *fw_payload(struct fw_queue *fq,
			       const struct rpcdev_entry *e, u8 *bufs)
{
	if (e->flags & RPCDEV_ENTRY_INLINE)
		return fw_entry_data(e);
	return fw_buf(fq, bufs, e->id);
}

int fw_queue_start(struct fw_queue *fq, const struct fw_mem *mem,
		   u64 spin_ns, u64 irq_hold_ns);
void fw_queue_run(struct fw_queue *fq);
void fw_queue_stop(struct fw_queue *fq);

#endif /* _RPCDEV_FW_H */
