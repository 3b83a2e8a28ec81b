/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rpcdev tracepoints, in tracefs as events/rpcdev/<event>. Every event
 * names its queue as dev (N of /dev/rpcdevN) and qid, so a trace of a
 * busy machine can be cut down to one queue with a filter on them.
 *
 *   post	the kernel published a downcall on DQ
 *   doorbell	the kernel rang the device for a queue
 *   interrupt	the core's handler ran for a queue's interrupt
 *   wake	an interrupt woke a queue's waiters (there may be none)
 *   reply	an answer taken off DC, or one the kernel posted on UR
 *   drop	an entry or index from the device thrown away, and why
 *   abandon	a caller gave up on a call still posted
 *
 * pos is the entry's position on its ring (the seq it carries less one);
 * a drop of a producer index gives the bad index as pos instead.
 *
 * kmod/trace.c creates them; every other file only includes this one.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM rpcdev

#if !defined(_RPCDEV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _RPCDEV_TRACE_H

#include <linux/tracepoint.h>

#include "rpcdev_core.h"

/*
 * Enum values are exported so that tools which parse the format file
 * (perf, trace-cmd) can print the names too, not only the kernel.
 */
TRACE_DEFINE_ENUM(RPCDEV_DROP_DC_PROD);
TRACE_DEFINE_ENUM(RPCDEV_DROP_DC_SEQ);
TRACE_DEFINE_ENUM(RPCDEV_DROP_DC_ID);
TRACE_DEFINE_ENUM(RPCDEV_DROP_DC_TAG);
TRACE_DEFINE_ENUM(RPCDEV_DROP_DC_STATE);
TRACE_DEFINE_ENUM(RPCDEV_DROP_UQ_PROD);
TRACE_DEFINE_ENUM(RPCDEV_DROP_UQ_SEQ);
TRACE_DEFINE_ENUM(RPCDEV_DROP_UQ_ID);
TRACE_DEFINE_ENUM(RPCDEV_DROP_UQ_STATE);
TRACE_DEFINE_ENUM(RPCDEV_DROP_UQ_LEN);

#define rpcdev_show_drop_reason(r)					\
	__print_symbolic(r,						\
			 { RPCDEV_DROP_DC_PROD,	"dc_prod" },		\
			 { RPCDEV_DROP_DC_SEQ,	"dc_seq" },		\
			 { RPCDEV_DROP_DC_ID,	"dc_id" },		\
			 { RPCDEV_DROP_DC_TAG,	"dc_tag" },		\
			 { RPCDEV_DROP_DC_STATE, "dc_state" },		\
			 { RPCDEV_DROP_UQ_PROD,	"uq_prod" },		\
			 { RPCDEV_DROP_UQ_SEQ,	"uq_seq" },		\
			 { RPCDEV_DROP_UQ_ID,	"uq_id" },		\
			 { RPCDEV_DROP_UQ_STATE, "uq_state" },		\
			 { RPCDEV_DROP_UQ_LEN,	"uq_len" })

TRACE_DEFINE_ENUM(RPCDEV_TRACE_DQ);
TRACE_DEFINE_ENUM(RPCDEV_TRACE_DC);
TRACE_DEFINE_ENUM(RPCDEV_TRACE_UR);

#define rpcdev_show_ring(r)						\
	__print_symbolic(r,						\
			 { RPCDEV_TRACE_DQ, "dq" },			\
			 { RPCDEV_TRACE_DC, "dc" },			\
			 { RPCDEV_TRACE_UR, "ur" })

TRACE_DEFINE_ENUM(RPCDEV_TRACE_CALLERS);
TRACE_DEFINE_ENUM(RPCDEV_TRACE_SERVERS);

#define rpcdev_show_waiters(w)						\
	__print_symbolic(w,						\
			 { RPCDEV_TRACE_CALLERS, "callers" },		\
			 { RPCDEV_TRACE_SERVERS, "servers" })

/* Events that name a queue and nothing else. */
DECLARE_EVENT_CLASS(rpcdev_queue_class,
		    TP_PROTO(const struct rpcdev_queue *q),
		    TP_ARGS(q),
		    TP_STRUCT__entry(__field(int, dev)
				     __field(u32, qid)),
		    TP_fast_assign(__entry->dev = q->rdev->minor;
				   __entry->qid = q->qid;),
		    TP_printk("dev=%d qid=%u", __entry->dev, __entry->qid)
);

DEFINE_EVENT(rpcdev_queue_class, doorbell,
	     TP_PROTO(const struct rpcdev_queue *q),
	     TP_ARGS(q)
);

DEFINE_EVENT(rpcdev_queue_class, interrupt,
	     TP_PROTO(const struct rpcdev_queue *q),
	     TP_ARGS(q)
);

TRACE_EVENT(wake,
	    TP_PROTO(const struct rpcdev_queue *q,
		     enum rpcdev_trace_waiters who),
	    TP_ARGS(q, who),
	    TP_STRUCT__entry(__field(int, dev)
			     __field(u32, qid)
			     __field(u32, who)),
	    TP_fast_assign(__entry->dev = q->rdev->minor;
			   __entry->qid = q->qid;
			   __entry->who = who;),
	    TP_printk("dev=%d qid=%u who=%s", __entry->dev, __entry->qid,
		      rpcdev_show_waiters(__entry->who))
);

/*
 * Entries the kernel wrote on DQ or UR, or took off DC. A post is always
 * on DQ with status 0, so its line leaves both out.
 */
DECLARE_EVENT_CLASS(rpcdev_entry_class,
		    TP_PROTO(const struct rpcdev_queue *q,
			     enum rpcdev_trace_ring ring, u32 pos,
			     const struct rpcdev_entry *e),
		    TP_ARGS(q, ring, pos, e),
		    TP_STRUCT__entry(__field(int, dev)
				     __field(u32, qid)
				     __field(u32, ring)
				     __field(u32, pos)
				     __field(u32, id)
				     __field(u32, method)
				     __field(u32, len)
				     __field(s32, status)),
		    TP_fast_assign(__entry->dev = q->rdev->minor;
				   __entry->qid = q->qid;
				   __entry->ring = ring;
				   __entry->pos = pos;
				   __entry->id = e->id;
				   __entry->method = e->method;
				   __entry->len = e->len;
				   __entry->status = e->status;),
		    TP_printk("dev=%d qid=%u ring=%s pos=%u id=%u method=%u len=%u status=%d",
			      __entry->dev, __entry->qid,
			      rpcdev_show_ring(__entry->ring), __entry->pos,
			      __entry->id, __entry->method, __entry->len,
			      __entry->status)
);

DEFINE_EVENT_PRINT(rpcdev_entry_class, post,
		   TP_PROTO(const struct rpcdev_queue *q,
			    enum rpcdev_trace_ring ring, u32 pos,
			    const struct rpcdev_entry *e),
		   TP_ARGS(q, ring, pos, e),
		   TP_printk("dev=%d qid=%u pos=%u id=%u method=%u len=%u",
			     __entry->dev, __entry->qid, __entry->pos,
			     __entry->id, __entry->method, __entry->len)
);

/*
 * An answer: one the device gave on DC (its status is the device's), or
 * one the kernel posted on UR (a server's, or BAD_REQUEST or NO_SERVER).
 */
DEFINE_EVENT(rpcdev_entry_class, reply,
	     TP_PROTO(const struct rpcdev_queue *q,
		      enum rpcdev_trace_ring ring, u32 pos,
		      const struct rpcdev_entry *e),
	     TP_ARGS(q, ring, pos, e)
);

/*
 * @e is the private copy of the entry dropped, or NULL when the producer
 * index itself was bad (then @pos is that index).
 */
TRACE_EVENT(drop,
	    TP_PROTO(const struct rpcdev_queue *q,
		     enum rpcdev_drop_reason reason, u32 pos,
		     const struct rpcdev_entry *e),
	    TP_ARGS(q, reason, pos, e),
	    TP_STRUCT__entry(__field(int, dev)
			     __field(u32, qid)
			     __field(u32, reason)
			     __field(u32, pos)
			     __field(u32, seq)
			     __field(u32, id)
			     __field(u32, len)),
	    TP_fast_assign(__entry->dev = q->rdev->minor;
			   __entry->qid = q->qid;
			   __entry->reason = reason;
			   __entry->pos = pos;
			   __entry->seq = e ? e->seq : 0;
			   __entry->id = e ? e->id : 0;
			   __entry->len = e ? e->len : 0;),
	    TP_printk("dev=%d qid=%u reason=%s pos=%u seq=%u id=%u len=%u",
		      __entry->dev, __entry->qid,
		      rpcdev_show_drop_reason(__entry->reason), __entry->pos,
		      __entry->seq, __entry->id, __entry->len)
);

/* Called with q->lock held, so abandoned is the count this one made. */
TRACE_EVENT(abandon,
	    TP_PROTO(const struct rpcdev_queue *q, u32 id),
	    TP_ARGS(q, id),
	    TP_STRUCT__entry(__field(int, dev)
			     __field(u32, qid)
			     __field(u32, id)
			     __field(u32, abandoned)),
	    TP_fast_assign(__entry->dev = q->rdev->minor;
			   __entry->qid = q->qid;
			   __entry->id = id;
			   __entry->abandoned = q->nr_abandoned;),
	    TP_printk("dev=%d qid=%u id=%u abandoned=%u", __entry->dev,
		      __entry->qid, __entry->id, __entry->abandoned)
);

#endif /* _RPCDEV_TRACE_H */

/* This part must be outside the guard: define_trace.h reads it again. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
