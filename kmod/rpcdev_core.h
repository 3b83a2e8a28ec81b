/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the parts of rpcdev.ko:
 *
 *   core.c	devices, /dev/rpcdevN and its file operations, the backend's
 *		entry points (rpcdev_backend.h)
 *   queue.c	attaching a queue to a file, its layout, debugfs
 *   mem.c	a queue's memory in either model, mmap
 *   ucopy.c	user copies made under rdev->lock, which never fault there
 *   call.c	call slots, downcalls on DQ/DC, RPCDEV_IOC_CALL
 *   upcall.c	upcalls on UQ/UR, RPCDEV_IOC_REPLY_AND_WAIT
 *   enter.c	doorbell suppression, RPCDEV_IOC_ENTER for user rings
 *   mbox.c	the mailbox in both directions
 *   uring.c	io_uring commands (file_operations.uring_cmd)
 *   regbuf.c	registered buffers: pinning, the device's view, their uses
 *   trace.c	creates the tracepoints of trace.h
 *
 * Lock order, outermost first:
 *
 *   rdev->lock (rwsem; read by every file operation that may reach the
 *		backend, write by rpcdev_unregister_device())
 *     rdev->qlock (mutex; attach and detach)
 *       q->buf_lock (mutex; registering and unregistering buffers, and
 *		freeing them all at detach; the backend's buf_map and
 *		buf_unmap are called under it)
 *         q->lock (spinlock, irqsave; taken from the interrupt handler)
 *     q->mb_lock (mutex; device-to-host mailbox readers; q->lock is
 *		taken under it to count a message)
 *   mmap_lock (a user copy that faults: never under rdev->lock, see
 *		ucopy.c, so that no user page can hold up a removal)
 *     rdev->fault_lock (rwsem; read by faults on device memory, write
 *		by rpcdev_unregister_device() to zap the mappings)
 *
 * q->lock is innermost: nothing sleeps, calls the backend or wakes a wait
 * queue under it. Backend ops are called with rdev->lock held (for
 * reading, or for writing from rpcdev_unregister_device()), queue_start
 * and queue_stop also under rdev->qlock when a file attaches or goes.
 */
#ifndef _RPCDEV_CORE_H
#define _RPCDEV_CORE_H

#include <linux/cache.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/workqueue.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <asm/barrier.h>

#include "rpcdev_backend.h"

struct io_uring_cmd;
struct rpcdev_file;
struct rpcdev_queue;
struct rpcdev_regbuf;

/**
 * struct rpcdev_device - one device, as the core sees it.
 * @desc:	the backend's description of it; read only while the device
 *		is registered (the backend's module may go after that).
 * @nr_queues:	desc->nr_queues,
 * @features:	desc->features and
 * @mem:	desc->mem, kept for the files that outlive the backend.
 * @name:	"<desc->name>.<instance>", reported by RPCDEV_IOC_INFO.
 * @drvdata:	the backend's, see rpcdev_set_drvdata().
 * @dev:	the class device behind /dev/rpcdevN; holds the reference
 *		count. Its parent is the backend's device (the one that does
 *		DMA, for RPCDEV_MEM_DMA).
 * @cdev:	the character device.
 * @inode:	gives every file of the device one address space, so the
 *		core can zap every user mapping of device memory at once.
 * @minor:	N in /dev/rpcdevN, or -1 before registration.
 * @lock:	taken for reading by every file operation that may call into
 *		the backend or touch queue memory, for writing by
 *		rpcdev_unregister_device() to wait for them to finish.
 * @gone:	0 while the device works; the error every file operation
 *		gives from when it stopped working: -EIO or -ENODEV from
 *		rpcdev_device_lost(), -ENODEV once it is unregistered. Set
 *		with WRITE_ONCE() so that sleepers notice; changes only
 *		towards -ENODEV.
 * @unmapped:	RPCDEV_MEM_DEVICE: the user mappings are zapped; under
 *		@fault_lock.
 * @fault_lock:	orders faults on device memory against their zapping.
 *		Not @lock: a fault may come from a copy_to_user() made under
 *		@lock, and a waiting writer would deadlock it.
 * @parent:	the backend's device, referenced until this structure is
 *		freed: open files may free DMA memory after the backend has
 *		gone.
 * @qlock:	serializes attaching and detaching queues.
 * @wq:		woken when the device goes away, so poll() reports it.
 * @queues:	the queue pairs, @nr_queues of them.
 * @debugfs:	the device's debugfs directory.
 * @pinned_pages: pages of registered buffers pinned on the device's
 *		queues now (debugfs "pinned"), so a test can tell that a
 *		process that went left none behind.
 */
struct rpcdev_device {
	const struct rpcdev_desc *desc;
	u32 nr_queues;
	u64 features;
	enum rpcdev_mem_model mem;
	char name[RPCDEV_NAME_LEN];
	void *drvdata;
	struct device dev;
	struct cdev cdev;
	struct inode *inode;
	int minor;
	struct rw_semaphore lock;
	int gone;
	bool unmapped;
	struct rw_semaphore fault_lock;
	struct device *parent;
	struct mutex qlock;
	wait_queue_head_t wq;
	struct rpcdev_queue *queues;
	struct dentry *debugfs;
	atomic64_t pinned_pages;
};

/* The backend's operations. */
static inline const struct rpcdev_ops *rpcdev_ops(struct rpcdev_device *rdev)
{
	return rdev->desc->ops;
}

/* 0 while the device works, else the error to give (see @gone above). */
static inline int rpcdev_gone(struct rpcdev_device *rdev)
{
	return READ_ONCE(rdev->gone);
}

/* Bits of struct rpcdev_host_ctrl.flags: NEED_WAKEUP, WAKE_UQ, _DC, _MB. */
#define RPCDEV_RING_WAKE_BITS	4

/*
 * The life of a call slot. A slot leaves FREE when a caller takes it and
 * returns to FREE only when no one can touch its buffers any more: after
 * its caller read the result (COMPLETED), or when the device answers a call
 * whose caller gave up (ABANDONED). An abandoned slot whose answer never
 * comes is reclaimed only with the whole queue, after the device stopped.
 */
enum rpcdev_slot_state {
	RPCDEV_SLOT_FREE,
	RPCDEV_SLOT_POSTED,
	RPCDEV_SLOT_COMPLETED,
	RPCDEV_SLOT_ABANDONED,
};

/**
 * struct rpcdev_slot - one downcall slot.
 * @state:	enum rpcdev_slot_state; changed under the queue's lock.
 * @gen:	bumped each time the slot is taken; with the id it forms the
 *		tag, so a late or duplicated answer is recognized.
 * @err:	0, or -EIO when the device's answer was malformed.
 * @result:	the device's answer, checked, once COMPLETED.
 * @ucmd:	the io_uring command (RPCDEV_URING_CALL) that waits for the
 *		answer, or NULL; under the queue's lock.
 * @resp:	with @ucmd: where the payload of the answer goes and
 * @resp_cap:	how much of it, as struct rpcdev_call says.
 * @deadline:	with @ucmd: when the command gives up with -ETIMEDOUT
 *		(CLOCK_MONOTONIC ns), or 0 if it waits until it completes.
 * @req_rb:	the registered buffer the request is in, or NULL, and
 * @resp_rb:	the one the result goes to, or NULL: a use of each is held
 *		until the slot is FREE (regbuf.c).
 * @resp_off:	with @resp_rb: where the result goes in it and
 * @buf_cap:	how much of it.
 */
struct rpcdev_slot {
	enum rpcdev_slot_state state;
	u32 gen;
	int err;
	struct rpcdev_entry result;
	struct io_uring_cmd *ucmd;
	u64 resp;
	u32 resp_cap;
	u64 deadline;
	struct rpcdev_regbuf *req_rb;
	struct rpcdev_regbuf *resp_rb;
	u64 resp_off;
	u32 buf_cap;
};

/*
 * The life of an upcall id, as the kernel tracks it: IDLE while the device
 * owns it, DELIVERED from when a server takes the upcall until it answers,
 * REPLYING while one answer is copied into the id's UR buffer (so that no
 * second answer, nor the kernel's NO_SERVER, can write there meanwhile).
 */
enum rpcdev_upcall_state {
	RPCDEV_UPCALL_IDLE,
	RPCDEV_UPCALL_DELIVERED,
	RPCDEV_UPCALL_REPLYING,
};

/**
 * struct rpcdev_upcall_slot - what the kernel keeps of a delivered upcall.
 * @state:	enum rpcdev_upcall_state; changed under the queue's lock
 *		(WRITE_ONCE), read without it only as a first check.
 * @entry:	the checked UQ entry, for the reply's method and tag.
 */
struct rpcdev_upcall_slot {
	enum rpcdev_upcall_state state;
	struct rpcdev_entry entry;
};

/* rpcdev_upcall_slot.entry.ts[] carries the stages as they pass. */

/**
 * struct rpcdev_queue_stats - counters shown in debugfs. Every one of them
 * changes under the queue's lock, and debugfs reads them under it: one
 * rule, so a reader never sees a counter torn or two counters that
 * disagree about one event.
 * @calls:	downcalls posted.
 * @completed:	answers taken from DC.
 * @timeouts:	calls given up on timeout.
 * @interrupted: calls given up on a signal.
 * @bad:	DC entries or indices rejected as malformed.
 * @upcalls:	upcalls delivered to servers.
 * @replies:	replies sent to the device.
 * @no_server:	upcalls answered RPCDEV_STATUS_NO_SERVER on release.
 * @bad_upcalls: UQ entries or indices rejected as malformed.
 * @mbox_posts:	host-to-device mailbox posts made with the ioctl.
 * @mbox_msgs:	device-to-host mailbox messages read.
 * @interrupts:	interrupts the device raised for the queue.
 * @enters:	RPCDEV_IOC_ENTER calls (user rings).
 */
struct rpcdev_queue_stats {
	u64 calls;
	u64 completed;
	u64 timeouts;
	u64 interrupted;
	u64 bad;
	u64 upcalls;
	u64 replies;
	u64 no_server;
	u64 bad_upcalls;
	u64 mbox_posts;
	u64 mbox_msgs;
	u64 interrupts;
	u64 enters;
};

/*
 * Why the kernel threw away an entry or index the device wrote (the "drop"
 * tracepoint, trace.h); each such drop also counts in stats.bad (DC) or
 * stats.bad_upcalls (UQ).
 */
enum rpcdev_drop_reason {
	/* 0: not dropped */
	RPCDEV_DROP_DC_PROD = 1, /* dc_prod more than depth ahead */
	RPCDEV_DROP_DC_SEQ,	/* a DC entry's seq not its position's */
	RPCDEV_DROP_DC_ID,	/* a DC entry's id past the depth */
	RPCDEV_DROP_DC_TAG,	/* its tag not the slot's present one */
	RPCDEV_DROP_DC_STATE,	/* its slot not waiting for an answer */
	RPCDEV_DROP_UQ_PROD,	/* uq_prod more than depth ahead */
	RPCDEV_DROP_UQ_SEQ,	/* a UQ entry's seq not its position's */
	RPCDEV_DROP_UQ_ID,	/* a UQ entry's id past the depth */
	RPCDEV_DROP_UQ_STATE,	/* its id already delivered, not answered */
	RPCDEV_DROP_UQ_LEN,	/* its len past buf_size: BAD_REQUEST */
};

/* The ring of a "post" or "reply" event, the waiters of a "wake" (trace.h). */
enum rpcdev_trace_ring {
	RPCDEV_TRACE_DQ,
	RPCDEV_TRACE_DC,
	RPCDEV_TRACE_UR,
};

enum rpcdev_trace_waiters {
	RPCDEV_TRACE_CALLERS,	/* q->wq: callers waiting for answers */
	RPCDEV_TRACE_SERVERS,	/* q->uwq, poll(): servers, mailbox, ENTER */
};

/**
 * struct rpcdev_queue - one queue pair of a device.
 * @rdev:	the device.
 * @qid:	its index.
 * @owner:	the file it is attached to, or NULL; under rdev->qlock. Set
 *		before the device starts on the queue and cleared after it
 *		stopped, so rpcdev_queue_wake() reads it without the lock.
 * @user_rings: attached with RPCDEV_ATTACH_USER_RINGS: the owner drives
 *		the rings and the kernel leaves them alone.
 * @timestamps: attached with RPCDEV_ATTACH_TIMESTAMPS.
 * @async_noack: attached with RPCDEV_ATTACH_ASYNC_NOACK.
 * @inline_data: attached with RPCDEV_ATTACH_INLINE: the entries are struct
 *		rpcdev_entry_inline, and small payloads travel in them.
 * @entry_size:	bytes of one ring entry: sizeof(struct rpcdev_entry), or
 *		sizeof(struct rpcdev_entry_inline) with @inline_data.
 * @irq_ns:	when the last interrupt was handled, with @timestamps.
 * @running:	the device was started on it and not yet stopped; changes
 *		under rdev->lock (write) or with it held for reading plus
 *		rdev->qlock.
 * @mem:	its memory, valid while @owner is set.
 * @dctrl:	control page of the device area.
 * @hctrl:	control page of the host area.
 * @dq:		DQ entries (host area).
 * @dc:		DC entries (device area).
 * @uq:		UQ entries (device area).
 * @ur:		UR entries (host area).
 * @lock:	protects what follows; taken from the interrupt handler.
 * @dq_prod:	the kernel's DQ producer index (user space may scribble on
 *		the shared copy; the device must cope, the kernel ignores it).
 * @dc_cons:	the kernel's DC consumer index.
 * @slots:	the downcall slots, depth of them.
 * @nr_free:	slots FREE.
 * @nr_abandoned: slots ABANDONED.
 * @sleepers:	threads sleeping in RPCDEV_IOC_ENTER (user rings), per
 *		bit of the host's flags they asked for (index: bit number).
 * @poll_wake:	RPCDEV_RING_WAKE_* bits poll() armed for good.
 * @uq_cons:	the kernel's UQ consumer index (next upcall to deliver).
 * @ur_prod:	the kernel's UR producer index.
 * @upcalls:	upcall ids, depth of them.
 * @mb_lock:	serializes mailbox readers; protects @mb_cons and @mb_lost.
 * @mb_cons:	the kernel's device-to-host mailbox consumer index.
 * @mb_lost:	mailbox messages overwritten since the last read.
 * @ur_calls:	RPCDEV_URING_CALL commands waiting for their answers,
 * @ur_fetch:	RPCDEV_URING_UPCALL_FETCH and _COMMIT commands waiting for
 *		an upcall, oldest first, and
 * @ur_mbox:	RPCDEV_URING_MBOX_WAIT commands waiting for a message:
 *		struct rpcdev_uring_pdu.node (uring.c), under @lock. A
 *		command on them holds its file, so the queue stays attached.
 * @ur_monitor:	where io_uring cannot cancel commands (6.1), looks for
 *		those whose task or ring is going, while any are pending.
 * @ur_timer:	ends the calls on @ur_calls whose deadline passed; armed
 *		for @ur_next, the earliest deadline it was armed for (0:
 *		not armed), under @lock.
 * @buf_lock:	serializes changes of @bufs (regbuf.c).
 * @bufs:	the registered buffers, by index; changed under @buf_lock
 *		and @lock, read under either.
 * @stats:	counters.
 * @wq:		callers waiting for answers; woken on every answer and when
 *		the device goes away.
 * @uwq:	servers waiting for upcalls; woken by the interrupt and when
 *		the device goes away, with the owner's rpcdev_file.pwq.
 *
 * Queues are served from different CPUs at once, so each starts on a cache
 * line of its own: one queue's wake-ups (@uwq, the last field) would
 * otherwise write the line that holds the next queue's @rdev and flags,
 * which its every call and interrupt reads.
 */
struct rpcdev_queue {
	struct rpcdev_device *rdev;
	u32 qid;
	struct rpcdev_file *owner;
	bool user_rings;
	bool timestamps;
	bool async_noack;
	bool inline_data;
	u32 entry_size;
	u64 irq_ns;
	bool running;
	struct rpcdev_queue_mem mem;
	struct rpcdev_dev_ctrl *dctrl;
	struct rpcdev_host_ctrl *hctrl;
	struct rpcdev_entry *dq;
	struct rpcdev_entry *dc;
	struct rpcdev_entry *uq;
	struct rpcdev_entry *ur;

	spinlock_t lock;
	u32 dq_prod;
	u32 dc_cons;
	struct rpcdev_slot *slots;
	u32 nr_free;
	u32 nr_abandoned;
	u32 sleepers[RPCDEV_RING_WAKE_BITS];
	u32 poll_wake;
	u32 uq_cons;
	u32 ur_prod;
	struct rpcdev_upcall_slot *upcalls;
	struct mutex mb_lock;
	u32 mb_cons;
	u32 mb_lost;
	struct list_head ur_calls;
	struct list_head ur_fetch;
	struct list_head ur_mbox;
	struct delayed_work ur_monitor;
	struct delayed_work ur_timer;
	u64 ur_next;
	struct mutex buf_lock;
	struct rpcdev_regbuf *bufs[RPCDEV_MAX_REG_BUFS];
	struct rpcdev_queue_stats stats;
	wait_queue_head_t wq;
	wait_queue_head_t uwq;
} ____cacheline_aligned_in_smp;

/**
 * struct rpcdev_file - an open /dev/rpcdevN.
 * @rdev:	its device.
 * @q:		its queue once attached (set once, with release semantics).
 * @sink:	the zeroed page its writable mappings of a removed device's
 *		memory fault in, or NULL (set once, by cmpxchg, in a fault).
 * @pwq:	what poll() waits on for the queue's events. The file's, not
 *		the queue's: epoll registers its entry once, at EPOLL_CTL_ADD,
 *		which may come before the queue is attached.
 */
struct rpcdev_file {
	struct rpcdev_device *rdev;
	struct rpcdev_queue *q;
	struct page *sink;
	wait_queue_head_t pwq;
};

/*
 * Wake the servers of @q and its owner's poll(). The poll wait queue is
 * looked at only when someone may sleep on it (wq_has_sleeper() orders
 * the event before the look, as poll_wait() orders its entry before the
 * poll's test), so a queue nobody polls pays one barrier.
 */
static inline void rpcdev_queue_wake(struct rpcdev_queue *q)
{
	struct rpcdev_file *owner = READ_ONCE(q->owner);

	wake_up_all(&q->uwq);
	if (owner && wq_has_sleeper(&owner->pwq))
		wake_up_all(&owner->pwq);
}

/* The file's queue, or NULL before RPCDEV_IOC_QUEUE_ATTACH. */
static inline struct rpcdev_queue *rpcdev_file_queue(struct rpcdev_file *f)
{
	/* Pairs with the smp_store_release() that attaches the queue. */
	return smp_load_acquire(&f->q);
}

/* Payload buffer @id of buffer part @p. */
static inline void *rpcdev_mem_buf(const struct rpcdev_queue_mem *mem,
				   enum rpcdev_part p, u32 id)
{
	return mem->part[p].cpu + (size_t)id * mem->buf_size;
}

/* The entry at ring position @pos of @ring, entries of q->entry_size. */
static inline struct rpcdev_entry *rpcdev_ring_entry(const struct rpcdev_queue *q,
						     struct rpcdev_entry *ring,
						     u32 pos)
{
	return (void *)ring + (size_t)(pos & (q->mem.depth - 1)) * q->entry_size;
}

/* The payload line of entry @e of an inline queue. */
static inline u8 *rpcdev_entry_data(struct rpcdev_entry *e)
{
	return container_of(e, struct rpcdev_entry_inline, hdr)->data;
}

/*
 * Does a payload of @len bytes go in the entry? On an inline queue every
 * payload that fits does: the consumer then reads no buffer line.
 */
static inline bool rpcdev_goes_inline(const struct rpcdev_queue *q, u32 len)
{
	return q->inline_data && len <= RPCDEV_INLINE_MAX;
}

/*
 * Is the RPCDEV_ENTRY_INLINE of a checked copy of an entry the device
 * wrote (flags and len read once) malformed? Only an inline queue has the
 * line, and only RPCDEV_INLINE_MAX bytes of it.
 */
static inline bool rpcdev_inline_bad(const struct rpcdev_queue *q,
				     const struct rpcdev_entry *e)
{
	return e->flags & RPCDEV_ENTRY_INLINE &&
	       (!q->inline_data || e->len > RPCDEV_INLINE_MAX);
}

/**
 * rpcdev_entry_write() - fill in a ring entry and publish it with its seq.
 * @q:		the queue.
 * @e:		the entry in shared memory, at ring position @pos.
 * @src:	what to write (its seq is ignored).
 * @data:	where the payload (@src->len bytes) is now: copied into the
 *		entry, with RPCDEV_ENTRY_INLINE, when it fits there
 *		(rpcdev_goes_inline()); else it must be in the slot's buffer
 *		already.
 * @pos:	the producer's position; the entry gets seq @pos + 1.
 *
 * The payload and every field are visible before the seq that validates
 * them. The caller then publishes its producer index (after dma_wmb()).
 * Always inlined, as it is on the path of every message.
 */
static __always_inline void rpcdev_entry_write(const struct rpcdev_queue *q,
					       struct rpcdev_entry *e,
					       const struct rpcdev_entry *src,
					       const void *data, u32 pos)
{
	u32 flags = src->flags;

	/* A descriptor of registered buffers stays in the DQ buffer. */
	if (!(flags & RPCDEV_ENTRY_BUFS) && rpcdev_goes_inline(q, src->len)) {
		memcpy(rpcdev_entry_data(e), data, src->len);
		flags |= RPCDEV_ENTRY_INLINE;
	}
	WRITE_ONCE(e->id, src->id);
	WRITE_ONCE(e->method, src->method);
	WRITE_ONCE(e->len, src->len);
	WRITE_ONCE(e->flags, flags);
	WRITE_ONCE(e->status, src->status);
	WRITE_ONCE(e->tag, src->tag);
	memcpy(e->ts, src->ts, sizeof(e->ts));
	dma_wmb();
	WRITE_ONCE(e->seq, pos + 1);
	/* The entry before the producer index that announces it. */
	dma_wmb();
}

/*
 * Where the kernel posts next on a ring it produces (DQ, UR): its own
 * index, unless the device consumed past it. That happens only when user
 * space wrote the shared producer index and the device took the garbage
 * it announced; jumping to the device's position makes the kernel's next
 * entry the one the device reads next, so the queue recovers by itself.
 */
static inline u32 rpcdev_resync_prod(u32 prod, u32 dev_cons)
{
	return (s32)(dev_cons - prod) > 0 ? dev_cons : prod;
}

/*
 * Map the result of a wait_event_interruptible*() that also waited for the
 * device to go away: the device's going first (-ENODEV, or -EIO for one
 * whose firmware died, see rpcdev_device_lost()), then -ETIMEDOUT
 * for a timeout and -EINTR for a signal (never -ERESTARTSYS: a restarted
 * call would be made twice), else 0.
 */
static inline int rpcdev_wait_errno(struct rpcdev_device *rdev, long ret)
{
	if (rpcdev_gone(rdev))
		return rpcdev_gone(rdev);
	if (ret == -ETIME)
		return -ETIMEDOUT;
	return ret < 0 ? -EINTR : 0;
}

/**
 * rpcdev_wait_event() - the one way the core sleeps for the device.
 * @rdev:	the device; its going away (or being lost) ends the wait.
 * @wq:		the wait queue to sleep on (a pointer).
 * @cond:	what is waited for.
 * @timeout_ns:	how long at most, in ns; 0 waits without limit.
 *
 * Interruptible by any signal. @cond is evaluated more than once, as in
 * wait_event().
 *
 * Return: 0 once @cond holds, -ENODEV or -EIO if the device went away,
 * -ETIMEDOUT, -EINTR (see rpcdev_wait_errno()).
 */
#define rpcdev_wait_event(rdev, wq, cond, timeout_ns)			\
({									\
	struct rpcdev_device *__rdev = (rdev);				\
	wait_queue_head_t *__wq = (wq);					\
	u64 __timeout = (timeout_ns);					\
	long __ret;							\
									\
	if (__timeout)							\
		__ret = wait_event_interruptible_hrtimeout(*__wq,	\
				(cond) || rpcdev_gone(__rdev),		\
				ns_to_ktime(__timeout));		\
	else								\
		__ret = wait_event_interruptible(*__wq,		\
				(cond) || rpcdev_gone(__rdev));	\
	rpcdev_wait_errno(__rdev, __ret);				\
})

/* queue.c */
void rpcdev_queue_init(struct rpcdev_device *rdev, struct rpcdev_queue *q,
		       u32 qid);
long rpcdev_ioctl_queue_attach(struct rpcdev_file *f,
			       struct rpcdev_queue_attach __user *uarg);
void rpcdev_queue_detach(struct rpcdev_file *f);
void rpcdev_queue_debugfs(struct rpcdev_queue *q, struct dentry *dir);

/* mem.c */
int rpcdev_mem_get(struct rpcdev_queue *q, const struct rpcdev_queue_attach *a);
void rpcdev_mem_put(struct rpcdev_queue *q);
int rpcdev_mem_mmap(struct rpcdev_file *f, struct vm_area_struct *vma);
void rpcdev_mem_unmap_all(struct rpcdev_device *rdev);
void rpcdev_mem_mark_gone(struct rpcdev_queue *q);
void rpcdev_file_mem_release(struct rpcdev_file *f);
int rpcdev_mem_init(void);
void rpcdev_mem_exit(void);

/* ucopy.c */
int rpcdev_user_fault_in(struct rpcdev_device *rdev, const void __user *uaddr,
			 size_t len, bool write);
int rpcdev_copy_from_user(struct rpcdev_device *rdev, void *to,
			  const void __user *from, size_t len);
int rpcdev_copy_to_user(struct rpcdev_device *rdev, void __user *to,
			const void *from, size_t len);

/* call.c */
int rpcdev_slots_init(struct rpcdev_queue *q);
long rpcdev_ioctl_call(struct rpcdev_file *f, struct rpcdev_call __user *ucall);
void rpcdev_reap_completions(struct rpcdev_queue *q);
int rpcdev_call_start(struct rpcdev_queue *q, const struct rpcdev_call *call);
void rpcdev_post(struct rpcdev_queue *q, u32 id, u32 method, u32 len);
int rpcdev_slot_result(struct rpcdev_queue *q, u32 id, struct rpcdev_call *call);
void rpcdev_slot_put(struct rpcdev_queue *q, u32 id);
void rpcdev_slot_free_locked(struct rpcdev_queue *q, u32 id);
void rpcdev_slot_abandon(struct rpcdev_queue *q, u32 id);

/* upcall.c */
int rpcdev_upcalls_init(struct rpcdev_queue *q);
long rpcdev_ioctl_reply_and_wait(struct rpcdev_file *f,
				 struct rpcdev_upcall __user *uarg);
bool rpcdev_upcall_pending(struct rpcdev_queue *q);
void rpcdev_upcalls_fail(struct rpcdev_queue *q);
int rpcdev_upcall_check(const struct rpcdev_upcall *a);
int rpcdev_upcall_answer(struct rpcdev_queue *q, const struct rpcdev_upcall *a);
int rpcdev_uq_take(struct rpcdev_queue *q, struct rpcdev_entry *ue, bool *bell);
void rpcdev_upcall_fill(struct rpcdev_upcall *a, const struct rpcdev_entry *ue);
void rpcdev_upcall_undeliver(struct rpcdev_queue *q, u32 id);
void rpcdev_upcall_seen(struct rpcdev_queue *q, u32 id);

/* enter.c */
long rpcdev_ioctl_enter(struct rpcdev_file *f, struct rpcdev_enter __user *uarg);
void rpcdev_doorbell(struct rpcdev_queue *q);
void rpcdev_doorbell_if_needed(struct rpcdev_queue *q);
void rpcdev_poll_arm(struct rpcdev_queue *q);

/* mbox.c */
long rpcdev_ioctl_mbox_post(struct rpcdev_file *f,
			    struct rpcdev_mbox __user *uarg);
long rpcdev_ioctl_mbox_read(struct rpcdev_file *f,
			    struct rpcdev_mbox_msg __user *uarg);
bool rpcdev_mbox_pending(struct rpcdev_queue *q);
u32 rpcdev_mbox_avail(struct rpcdev_queue *q);
int rpcdev_mbox_take(struct rpcdev_queue *q, struct rpcdev_mbox_msg __user *uarg);

/* uring.c */
void rpcdev_uring_init(struct rpcdev_queue *q);
void rpcdev_uring_detach(struct rpcdev_queue *q);
int rpcdev_fop_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);
void rpcdev_uring_call_done(struct rpcdev_queue *q, struct rpcdev_slot *s,
			    struct list_head *done);
void rpcdev_uring_complete(struct list_head *done);
void rpcdev_uring_deliver(struct rpcdev_queue *q);
void rpcdev_uring_fail(struct rpcdev_queue *q);
u32 rpcdev_uring_pending(struct rpcdev_queue *q);

/* regbuf.c */
long rpcdev_ioctl_buf_register(struct rpcdev_file *f,
			       struct rpcdev_buf_reg __user *uarg);
long rpcdev_ioctl_buf_unregister(struct rpcdev_file *f,
				 struct rpcdev_buf_unreg __user *uarg);
void rpcdev_regbufs_release(struct rpcdev_queue *q);
int rpcdev_regbuf_get(struct rpcdev_queue *q, struct rpcdev_slot *s,
		      const struct rpcdev_call *call);
void rpcdev_regbuf_put(struct rpcdev_slot *s);
void *rpcdev_regbuf_addr(struct rpcdev_regbuf *rb, u64 off);

#endif /* _RPCDEV_CORE_H */
