// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev queues: attaching a queue pair to a file, the DMA-coherent memory
 * of its rings and buffers, mapping that memory into the owner, and
 * detaching it again when the file is closed.
 *
 * Each queue has two areas (see the uapi header): the device area, written
 * by the device and the kernel and mapped read-only, and the host area,
 * written by the host and mapped writable. Both are freed only when the
 * owning file is released, which happens after the last mapping of it is
 * gone and after the device was stopped, so neither user space nor the
 * device can reach freed memory.
 */
#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
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
	init_waitqueue_head(&q->wq);
	init_waitqueue_head(&q->uwq);
}

/*
 * Check and complete the caller's request, and lay out both areas: a
 * control page, the two entry arrays, then page-aligned payload buffers.
 */
static int rpcdev_queue_layout(struct rpcdev_device *rdev,
			       struct rpcdev_queue_attach *a)
{
	u64 entries, bufs;

	if (a->flags || memchr_inv(a->reserved, 0, sizeof(a->reserved)))
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
	if (2 * bufs > RPCDEV_MAX_AREA)
		return -E2BIG;
	entries = (u64)a->depth * sizeof(struct rpcdev_entry);

	a->dc_off = PAGE_SIZE;
	a->uq_off = a->dc_off + entries;
	a->dc_buf_off = PAGE_ALIGN(a->uq_off + entries);
	a->uq_buf_off = a->dc_buf_off + bufs;
	a->dev_size = PAGE_ALIGN(a->uq_buf_off + bufs);

	a->dq_off = PAGE_SIZE;
	a->ur_off = a->dq_off + entries;
	a->dq_buf_off = PAGE_ALIGN(a->ur_off + entries);
	a->ur_buf_off = a->dq_buf_off + bufs;
	a->host_size = PAGE_ALIGN(a->ur_buf_off + bufs);
	return 0;
}

static void rpcdev_queue_free_mem(struct rpcdev_queue *q)
{
	struct rpcdev_queue_mem *m = &q->mem;
	struct device *dma_dev = q->rdev->dma_dev;

	kfree(q->upcalls);
	q->upcalls = NULL;
	kfree(q->slots);
	q->slots = NULL;
	if (m->host)
		dma_free_coherent(dma_dev, m->host_size, m->host, m->host_dma);
	if (m->dev)
		dma_free_coherent(dma_dev, m->dev_size, m->dev, m->dev_dma);
	memset(m, 0, sizeof(*m));
}

static int rpcdev_queue_alloc_mem(struct rpcdev_queue *q,
				  const struct rpcdev_queue_attach *a)
{
	struct rpcdev_queue_mem *m = &q->mem;
	struct device *dma_dev = q->rdev->dma_dev;

	m->depth = a->depth;
	m->buf_size = a->buf_size;
	m->layout = *a;
	m->dev_size = a->dev_size;
	m->host_size = a->host_size;

	/* dma_alloc_coherent() zeroes: no stale bytes reach user space. */
	m->dev = dma_alloc_coherent(dma_dev, m->dev_size, &m->dev_dma,
				    GFP_KERNEL);
	m->host = dma_alloc_coherent(dma_dev, m->host_size, &m->host_dma,
				     GFP_KERNEL);
	if (!m->dev || !m->host)
		goto err;

	q->dctrl = m->dev;
	q->hctrl = m->host;
	q->dc = m->dev + a->dc_off;
	q->dc_buf = m->dev + a->dc_buf_off;
	q->uq = m->dev + a->uq_off;
	q->dq = m->host + a->dq_off;
	q->dq_buf = m->host + a->dq_buf_off;
	q->ur = m->host + a->ur_off;
	q->ur_buf = m->host + a->ur_buf_off;
	q->mb_cons = 0;
	q->mb_lost = 0;

	if (rpcdev_slots_init(q) || rpcdev_upcalls_init(q))
		goto err;
	return 0;

err:
	rpcdev_queue_free_mem(q);
	return -ENOMEM;
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

	/* The kernel sleeps for its answers: it wants every interrupt. */
	WRITE_ONCE(q->hctrl->flags.val, RPCDEV_RING_NEED_WAKEUP);
	ret = rdev->ops->queue_start(rdev, q->qid, &q->mem);
	if (ret) {
		rpcdev_queue_free_mem(q);
		return ret;
	}
	q->running = true;
	memset(&q->stats, 0, sizeof(q->stats));
	q->owner = f;
	/* Pairs with smp_load_acquire() in the users of f->q. */
	smp_store_release(&f->q, q);
	return 0;
}

long rpcdev_queue_attach(struct rpcdev_file *f,
			 struct rpcdev_queue_attach __user *uarg)
{
	struct rpcdev_queue_attach a;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	ret = rpcdev_queue_layout(f->rdev, &a);
	if (ret)
		return ret;
	ret = rpcdev_queue_take(f, &a);
	if (ret)
		return ret;

	/*
	 * The queue stays attached if the result cannot be written back:
	 * the caller learns of it from EFAULT and gets it back by closing.
	 */
	if (copy_to_user(uarg, &a, sizeof(a)))
		return -EFAULT;
	return 0;
}

/**
 * rpcdev_queue_detach() - give up a file's queue when the file is released.
 * @f:	the file.
 *
 * Stops the device on the queue (unless the device is already gone, in
 * which case rpcdev_unregister_device() stopped it), then frees its memory.
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
		rdev->ops->queue_stop(rdev, q->qid);
		q->running = false;
	}
	rpcdev_queue_free_mem(q);
	q->owner = NULL;
	f->q = NULL;
}

int rpcdev_queue_mmap(struct rpcdev_file *f, struct vm_area_struct *vma)
{
	struct rpcdev_queue *q = rpcdev_file_queue(f);
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned long size = vma->vm_end - vma->vm_start;
	dma_addr_t dma;
	size_t area;
	void *cpu;

	if (!q)
		return -EINVAL;

	if (off >= RPCDEV_OFF_HOST) {
		off -= RPCDEV_OFF_HOST;
		cpu = q->mem.host;
		dma = q->mem.host_dma;
		area = q->mem.host_size;
	} else {
		/* What the device and the kernel write stays read-only. */
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		rpcdev_vm_flags_clear(vma, VM_MAYWRITE);
		cpu = q->mem.dev;
		dma = q->mem.dev_dma;
		area = q->mem.dev_size;
	}
	if (off >= area || size > area - off)
		return -EINVAL;

	/* A child does not inherit the queue: its mappings stay behind. */
	rpcdev_vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_pgoff = off >> PAGE_SHIFT;
	return dma_mmap_coherent(q->rdev->dma_dev, vma, cpu, dma, area);
}

static int rpcdev_queue_show(struct seq_file *m, void *unused)
{
	struct rpcdev_queue *q = m->private;
	struct rpcdev_queue_stats st;
	u32 depth, nr_free, nr_abandoned;
	bool attached;

	scoped_guard(mutex, &q->rdev->qlock) {
		attached = q->owner;
		depth = q->mem.depth;
		scoped_guard(spinlock_irqsave, &q->lock) {
			st = q->stats;
			nr_free = q->nr_free;
			nr_abandoned = q->nr_abandoned;
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
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(rpcdev_queue);

void rpcdev_queue_debugfs(struct rpcdev_queue *q, struct dentry *dir)
{
	char name[16];

	snprintf(name, sizeof(name), "q%u", q->qid);
	debugfs_create_file(name, 0400, dir, q, &rpcdev_queue_fops);
}
