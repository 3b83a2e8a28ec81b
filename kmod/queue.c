// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev queues: attaching a queue pair to a file, laying out its rings and
 * buffers, starting the device on them, and detaching the queue again when
 * the file is closed; the queue's counters in debugfs.
 *
 * Each queue has six parts (see the uapi header): three written by the
 * device and mapped read-only, three written by the host and mapped
 * writable. Where they live, and how they are mapped, is mem.c's.
 */
#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "rpcdev_compat.h"
#include "rpcdev_core.h"

void rpcdev_queue_init(struct rpcdev_device *rdev, struct rpcdev_queue *q,
		       u32 qid)
{
	q->rdev = rdev;
	q->qid = qid;
	spin_lock_init(&q->lock);
	mutex_init(&q->mb_lock);
	mutex_init(&q->buf_lock);
	init_waitqueue_head(&q->wq);
	init_waitqueue_head(&q->uwq);
	rpcdev_uring_init(q);
}

/*
 * Check and complete the caller's request, and lay out the queue: each
 * control part is a control page followed by its two entry arrays; each
 * buffer part holds depth buffers.
 */
static int rpcdev_attach_layout(struct rpcdev_device *rdev,
				struct rpcdev_queue_attach *a)
{
	u64 entries, bufs;

	if (a->flags & ~(RPCDEV_ATTACH_USER_RINGS | RPCDEV_ATTACH_TIMESTAMPS |
			 RPCDEV_ATTACH_ASYNC_NOACK | RPCDEV_ATTACH_INLINE) ||
	    memchr_inv(a->reserved, 0, sizeof(a->reserved)))
		return -EINVAL;
	/* Only a program driving the rings can give slots back by its index. */
	if (a->flags & RPCDEV_ATTACH_ASYNC_NOACK &&
	    (!(a->flags & RPCDEV_ATTACH_USER_RINGS) ||
	     !(rdev->features & RPCDEV_FEAT_ASYNC_NOACK)))
		return -EINVAL;
	/* The device must know where the payload of each entry is. */
	if (a->flags & RPCDEV_ATTACH_INLINE &&
	    !(rdev->features & RPCDEV_FEAT_INLINE))
		return -EINVAL;
	if (a->qid >= rdev->nr_queues)
		return -EINVAL;
	if (!a->depth)
		a->depth = RPCDEV_DEFAULT_DEPTH;
	if (!is_power_of_2(a->depth) || a->depth > RPCDEV_MAX_DEPTH)
		return -EINVAL;
	if (!a->buf_size)
		a->buf_size = RPCDEV_DEFAULT_BUF_SIZE;
	if (a->buf_size > RPCDEV_MAX_PAYLOAD)
		return -E2BIG;
	a->buf_size = ALIGN(a->buf_size, SMP_CACHE_BYTES);

	bufs = (u64)a->depth * a->buf_size;
	if (bufs > RPCDEV_MAX_BUFS)
		return -E2BIG;
	entries = (u64)a->depth * (a->flags & RPCDEV_ATTACH_INLINE ?
				   sizeof(struct rpcdev_entry_inline) :
				   sizeof(struct rpcdev_entry));

	a->dc_off = PAGE_SIZE;
	a->uq_off = a->dc_off + entries;
	a->dev_size = PAGE_ALIGN(a->uq_off + entries);
	a->dq_off = PAGE_SIZE;
	a->ur_off = a->dq_off + entries;
	a->host_size = PAGE_ALIGN(a->ur_off + entries);
	a->bufs_size = PAGE_ALIGN(bufs);
	return 0;
}

static void rpcdev_queue_free_mem(struct rpcdev_queue *q)
{
	kfree(q->upcalls);
	q->upcalls = NULL;
	kfree(q->slots);
	q->slots = NULL;
	rpcdev_mem_put(q);
}

static int rpcdev_queue_alloc_mem(struct rpcdev_queue *q,
				  const struct rpcdev_queue_attach *a)
{
	struct rpcdev_queue_mem *m = &q->mem;
	int ret;

	ret = rpcdev_mem_get(q, a);
	if (ret)
		return ret;

	q->dctrl = m->part[RPCDEV_PART_DEV].cpu;
	q->dc = m->part[RPCDEV_PART_DEV].cpu + a->dc_off;
	q->uq = m->part[RPCDEV_PART_DEV].cpu + a->uq_off;
	q->hctrl = m->part[RPCDEV_PART_HOST].cpu;
	q->dq = m->part[RPCDEV_PART_HOST].cpu + a->dq_off;
	q->ur = m->part[RPCDEV_PART_HOST].cpu + a->ur_off;
	q->mb_cons = 0;
	q->mb_lost = 0;
	q->poll_wake = 0;

	if (rpcdev_slots_init(q) || rpcdev_upcalls_init(q)) {
		rpcdev_queue_free_mem(q);
		return -ENOMEM;
	}
	return 0;
}

/* Attach @qid to @f; called with rdev->lock held for reading. */
static int rpcdev_queue_take(struct rpcdev_file *f,
			     const struct rpcdev_queue_attach *a)
{
	struct rpcdev_device *rdev = f->rdev;
	struct rpcdev_queue *q = &rdev->queues[a->qid];
	int ret;

	guard(mutex)(&rdev->qlock);
	if (f->q)
		return -EALREADY;
	if (q->owner)
		return -EBUSY;

	ret = rpcdev_queue_alloc_mem(q, a);
	if (ret)
		return ret;

	/*
	 * The kernel sleeps for its answers: it wants every interrupt. A
	 * program driving the rings itself polls until it asks for them.
	 */
	q->user_rings = a->flags & RPCDEV_ATTACH_USER_RINGS;
	q->timestamps = a->flags & RPCDEV_ATTACH_TIMESTAMPS;
	q->async_noack = a->flags & RPCDEV_ATTACH_ASYNC_NOACK;
	q->inline_data = a->flags & RPCDEV_ATTACH_INLINE;
	q->entry_size = q->inline_data ? sizeof(struct rpcdev_entry_inline) :
					 sizeof(struct rpcdev_entry);
	if (!q->user_rings)
		WRITE_ONCE(q->hctrl->flags.val, RPCDEV_RING_NEED_WAKEUP);
	/* No interrupt comes before queue_start: no lock needed yet. */
	memset(&q->stats, 0, sizeof(q->stats));
	/* Before the first interrupt: its wakeup reaches a poll already. */
	WRITE_ONCE(q->owner, f);
	ret = rpcdev_ops(rdev)->queue_start(rdev, q->qid, &q->mem, a->flags);
	if (ret) {
		WRITE_ONCE(q->owner, NULL);
		rpcdev_queue_free_mem(q);
		return ret;
	}
	q->running = true;
	/* Pairs with smp_load_acquire() in the users of f->q. */
	smp_store_release(&f->q, q);
	return 0;
}

long rpcdev_ioctl_queue_attach(struct rpcdev_file *f,
			       struct rpcdev_queue_attach __user *uarg)
{
	struct rpcdev_queue_attach a;
	int ret;

	ret = rpcdev_copy_from_user(f->rdev, &a, uarg, sizeof(a));
	if (ret)
		return ret;
	ret = rpcdev_attach_layout(f->rdev, &a);
	if (ret)
		return ret;
	ret = rpcdev_queue_take(f, &a);
	if (ret)
		return ret;

	/*
	 * The queue stays attached if the result cannot be written back:
	 * the caller learns of it from EFAULT and gets it back by closing.
	 */
	return rpcdev_copy_to_user(f->rdev, uarg, &a, sizeof(a));
}

/**
 * rpcdev_queue_detach() - give up a file's queue when the file is released.
 * @f:	the file.
 *
 * Stops the device on the queue (unless the device is already gone, in
 * which case rpcdev_unregister_device() stopped it), then gives up its
 * memory.
 * No mapping of it is left: a mapping holds the file, and this runs when
 * the last reference to the file is dropped.
 */
void rpcdev_queue_detach(struct rpcdev_file *f)
{
	struct rpcdev_device *rdev = f->rdev;
	struct rpcdev_queue *q = f->q;

	if (!q)
		return;

	guard(rwsem_read)(&rdev->lock);
	guard(mutex)(&rdev->qlock);
	if (q->running) {
		/* Tell the device no one will answer before it stops. */
		rpcdev_upcalls_fail(q);
		rpcdev_ops(rdev)->queue_stop(rdev, q->qid);
		q->running = false;
	}
	rpcdev_uring_detach(q);
	/* Only now that the device stopped: it reached them until then. */
	rpcdev_regbufs_release(q);
	rpcdev_queue_free_mem(q);
	/* The device stopped: no interrupt looks at the file any more. */
	WRITE_ONCE(q->owner, NULL);
	f->q = NULL;
}

/*
 * debugfs rpcdev/rpcdevN/qM: one "key value" line per field, so tests and
 * people can read a counter without a parser. The counters (struct
 * rpcdev_queue_stats) start at 0 with each attachment. Only "attached"
 * is printed while the queue is not attached.
 *
 *   attached		1 while a file has the queue, else 0
 *   depth		entries per ring (and call slots, upcall ids)
 *   free		call slots FREE, depth when no call is in flight
 *   abandoned		call slots given up, still waiting for an answer
 *   calls		downcalls posted on DQ
 *   completed		answers taken off DC (abandoned calls' included)
 *   timeouts		calls given up on their timeout
 *   interrupted	calls given up on a signal
 *   bad		DC entries and dc_prod values dropped as malformed
 *   upcalls		upcalls delivered to servers
 *   replies		answers the kernel posted on UR (servers', and its
 *			own BAD_REQUEST and NO_SERVER)
 *   no_server		upcalls answered NO_SERVER as their server went
 *   bad_upcalls	UQ entries and uq_prod values rejected as malformed
 *   mbox_posts		host-to-device mailbox posts made with the ioctl
 *   mbox_msgs		device-to-host mailbox messages read
 *   interrupts		interrupts the device raised for the queue
 *   enters		RPCDEV_IOC_ENTER calls (user rings)
 *   user_rings		1 if attached with RPCDEV_ATTACH_USER_RINGS
 *   inline		1 if attached with RPCDEV_ATTACH_INLINE
 *   uring_pending	io_uring commands waiting on the queue now
 *
 * The "drop" tracepoint (trace.h) tells which entry "bad" or
 * "bad_upcalls" counted, and why.
 */
static int rpcdev_queue_show(struct seq_file *m, void *unused)
{
	struct rpcdev_queue *q = m->private;
	struct rpcdev_queue_stats st;
	u32 depth, nr_free, nr_abandoned, uring;
	bool attached, user_rings, inline_data;

	scoped_guard(mutex, &q->rdev->qlock) {
		attached = q->owner;
		user_rings = q->user_rings;
		inline_data = q->inline_data;
		depth = q->mem.depth;
		scoped_guard(spinlock_irqsave, &q->lock) {
			st = q->stats;
			nr_free = q->nr_free;
			nr_abandoned = q->nr_abandoned;
			uring = rpcdev_uring_pending(q);
		}
	}
	seq_printf(m, "attached %d\n", attached);
	if (!attached)
		return 0;
	seq_printf(m, "depth %u\nfree %u\nabandoned %u\n", depth, nr_free,
		   nr_abandoned);
	seq_printf(m, "calls %llu\ncompleted %llu\ntimeouts %llu\n",
		   st.calls, st.completed, st.timeouts);
	seq_printf(m, "interrupted %llu\nbad %llu\n", st.interrupted, st.bad);
	seq_printf(m, "upcalls %llu\nreplies %llu\nno_server %llu\n",
		   st.upcalls, st.replies, st.no_server);
	seq_printf(m, "bad_upcalls %llu\nmbox_posts %llu\nmbox_msgs %llu\n",
		   st.bad_upcalls, st.mbox_posts, st.mbox_msgs);
	seq_printf(m, "interrupts %llu\nenters %llu\nuser_rings %d\n",
		   st.interrupts, st.enters, user_rings);
	seq_printf(m, "uring_pending %u\ninline %d\n", uring, inline_data);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rpcdev_queue);

void rpcdev_queue_debugfs(struct rpcdev_queue *q, struct dentry *dir)
{
	char name[16];

	snprintf(name, sizeof(name), "q%u", q->qid);
	debugfs_create_file(name, 0400, dir, q, &rpcdev_queue_fops);
}
