// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev registered buffers (RPCDEV_FEAT_REG_BUFS): memory of the program's
 * own that the device reads and writes in place, so a large payload is
 * copied neither into nor out of the queue's buffers.
 *
 * RPCDEV_IOC_BUF_REGISTER pins the pages (FOLL_LONGTERM: the device may
 * hold them for as long as the program likes), maps them into the kernel
 * with vmap() (the device's view, for a backend whose device reaches host
 * memory through the CPU) and hands them to the backend's buf_map op. The
 * pages count in the process's pinned_vm (VmPin in /proc/PID/status),
 * against its RLIMIT_MEMLOCK as RDMA's and io_uring's pins do.
 *
 * Who may touch a buffer when:
 *
 *  - a call that names a buffer takes a use of it (rpcdev_regbuf_get())
 *    for as long as its slot is not FREE: until its caller read the
 *    result, or, for a call given up, until the device answered it. The
 *    kernel writes a result the device did not write in place into the
 *    buffer while it holds that use.
 *  - RPCDEV_IOC_BUF_UNREGISTER of a buffer in use fails with -EBUSY;
 *    otherwise the buffer leaves the table first (no new call finds it),
 *    then the backend's buf_unmap op returns only once the device is done
 *    with it, and only then are the pages unpinned.
 *  - when the file goes, the queue is stopped first (the device then
 *    touches nothing of it, registered buffers included), and then every
 *    buffer is unpinned, in use or not.
 *
 * So the device never reaches a page after it was unpinned, and a process
 * killed in the middle of a call leaves nothing pinned once its file is
 * released.
 *
 * Locks: q->buf_lock (a mutex) serializes registering and unregistering
 * on a queue, and the detach that frees them all; q->bufs[] changes under
 * it and under q->lock, so the call path reads it under q->lock alone, as
 * it does the uses it counts. See rpcdev_core.h for the order.
 */
#include <linux/cleanup.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "rpcdev_core.h"

/**
 * struct rpcdev_regbuf - one registered buffer.
 * @dev:	what the backend is given: the vmap, the pinned pages.
 * @mm:		the address space whose pinned_vm counts the pages (held
 *		with mmgrab(), as the file may be released by another).
 * @users:	calls whose slot names it; under q->lock.
 */
struct rpcdev_regbuf {
	struct rpcdev_reg_buf dev;
	struct mm_struct *mm;
	u32 users;
};

/* Count @nr pinned pages to @mm, within RLIMIT_MEMLOCK unless privileged. */
static int rpcdev_regbuf_account(struct mm_struct *mm, u32 nr)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	s64 pinned = atomic64_add_return(nr, &mm->pinned_vm);

	if (pinned > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(nr, &mm->pinned_vm);
		return -ENOMEM;
	}
	return 0;
}

/* Give back a buffer no device can reach any more, in reverse of its pin. */
static void rpcdev_regbuf_free(struct rpcdev_device *rdev,
			       struct rpcdev_regbuf *rb)
{
	u32 nr = rb->dev.nr_pages;

	vunmap(rb->dev.cpu);
	/* The device may have written any of them. */
	unpin_user_pages_dirty_lock(rb->dev.pages, nr, true);
	atomic64_sub(nr, &rdev->pinned_pages);
	atomic64_sub(nr, &rb->mm->pinned_vm);
	mmdrop(rb->mm);
	kvfree(rb->dev.pages);
	kfree(rb);
}

/*
 * Pin the @nr pages at @addr into @rb->dev.pages, without rdev->lock: a
 * fault may take as long as user space likes (see ucopy.c), and a removal
 * must not wait for it. Returns 0, or a negative errno with nothing pinned.
 */
static int rpcdev_regbuf_pin_pages(struct rpcdev_device *rdev,
				   struct rpcdev_regbuf *rb, u64 addr, u32 nr)
{
	int pinned, gone;

	up_read(&rdev->lock);
	pinned = pin_user_pages_fast(addr, nr, FOLL_WRITE | FOLL_LONGTERM,
				     rb->dev.pages);
	down_read(&rdev->lock);

	gone = rpcdev_gone(rdev);
	if (pinned > 0 && (gone || pinned != nr))
		unpin_user_pages(rb->dev.pages, pinned);
	if (gone)
		return gone;
	if (pinned < 0)
		return pinned;
	return pinned == nr ? 0 : -EFAULT;
}

/* Pin, account and map @len bytes at @addr (both checked page aligned). */
static struct rpcdev_regbuf *rpcdev_regbuf_pin(struct rpcdev_device *rdev,
					       u64 addr, u64 len)
{
	u32 nr = len >> PAGE_SHIFT;
	struct rpcdev_regbuf *rb;
	int ret;

	rb = kzalloc(sizeof(*rb), GFP_KERNEL_ACCOUNT);
	if (!rb)
		return ERR_PTR(-ENOMEM);
	rb->dev.pages = kvcalloc(nr, sizeof(*rb->dev.pages),
				 GFP_KERNEL_ACCOUNT);
	if (!rb->dev.pages) {
		ret = -ENOMEM;
		goto err_rb;
	}
	rb->dev.nr_pages = nr;
	rb->dev.size = len;
	rb->mm = current->mm;
	mmgrab(rb->mm);
	ret = rpcdev_regbuf_account(rb->mm, nr);
	if (ret)
		goto err_mm;
	ret = rpcdev_regbuf_pin_pages(rdev, rb, addr, nr);
	if (ret)
		goto err_account;
	rb->dev.cpu = vmap(rb->dev.pages, nr, VM_MAP, PAGE_KERNEL);
	if (!rb->dev.cpu) {
		ret = -ENOMEM;
		goto err_pin;
	}
	atomic64_add(nr, &rdev->pinned_pages);
	return rb;

err_pin:
	unpin_user_pages(rb->dev.pages, nr);
err_account:
	atomic64_sub(nr, &rb->mm->pinned_vm);
err_mm:
	mmdrop(rb->mm);
	kvfree(rb->dev.pages);
err_rb:
	kfree(rb);
	return ERR_PTR(ret);
}

/* Give @rb the lowest free index of @q and the device a view of it. */
static int rpcdev_regbuf_install(struct rpcdev_queue *q,
				 struct rpcdev_regbuf *rb)
{
	struct rpcdev_device *rdev = q->rdev;
	u32 i;
	int ret;

	guard(mutex)(&q->buf_lock);
	for (i = 0; i < RPCDEV_MAX_REG_BUFS && q->bufs[i]; i++)
		;
	if (i == RPCDEV_MAX_REG_BUFS)
		return -ENOSPC;
	/* The device can reach it before any call can name it. */
	ret = rpcdev_ops(rdev)->buf_map(rdev, q->qid, i, &rb->dev);
	if (ret)
		return ret;
	scoped_guard(spinlock_irqsave, &q->lock)
		q->bufs[i] = rb;
	return i;
}

/* The file's queue, if it may have registered buffers; or an errno. */
static struct rpcdev_queue *rpcdev_regbuf_queue(struct rpcdev_file *f)
{
	struct rpcdev_queue *q = rpcdev_file_queue(f);

	if (!(f->rdev->features & RPCDEV_FEAT_REG_BUFS))
		return ERR_PTR(-EOPNOTSUPP);
	/* With user rings the kernel never sees which calls use a buffer. */
	if (!q || q->user_rings)
		return ERR_PTR(-EINVAL);
	return q;
}

long rpcdev_ioctl_buf_register(struct rpcdev_file *f,
			       struct rpcdev_buf_reg __user *uarg)
{
	struct rpcdev_device *rdev = f->rdev;
	struct rpcdev_queue *q = rpcdev_regbuf_queue(f);
	struct rpcdev_regbuf *rb;
	struct rpcdev_buf_reg a;
	int ret;

	if (IS_ERR(q))
		return PTR_ERR(q);
	ret = rpcdev_copy_from_user(rdev, &a, uarg, sizeof(a));
	if (ret)
		return ret;
	if (a.flags || memchr_inv(a.reserved, 0, sizeof(a.reserved)))
		return -EINVAL;
	if (!a.len || !PAGE_ALIGNED(a.addr) || !PAGE_ALIGNED(a.len))
		return -EINVAL;
	if (a.len > RPCDEV_MAX_REG_BUF_SIZE)
		return -E2BIG;

	rb = rpcdev_regbuf_pin(rdev, a.addr, a.len);
	if (IS_ERR(rb))
		return PTR_ERR(rb);
	ret = rpcdev_regbuf_install(q, rb);
	if (ret < 0) {
		rpcdev_regbuf_free(rdev, rb);
		return ret;
	}
	a.index = ret;
	/* It stays registered if this fails: the file's close gives it back. */
	return rpcdev_copy_to_user(rdev, uarg, &a, sizeof(a));
}

long rpcdev_ioctl_buf_unregister(struct rpcdev_file *f,
				 struct rpcdev_buf_unreg __user *uarg)
{
	struct rpcdev_device *rdev = f->rdev;
	struct rpcdev_queue *q = rpcdev_regbuf_queue(f);
	struct rpcdev_buf_unreg a;
	struct rpcdev_regbuf *rb;
	int ret;

	if (IS_ERR(q))
		return PTR_ERR(q);
	ret = rpcdev_copy_from_user(rdev, &a, uarg, sizeof(a));
	if (ret)
		return ret;
	if (a.flags || memchr_inv(a.reserved, 0, sizeof(a.reserved)))
		return -EINVAL;
	if (a.index >= RPCDEV_MAX_REG_BUFS)
		return -ENOENT;

	guard(mutex)(&q->buf_lock);
	scoped_guard(spinlock_irqsave, &q->lock) {
		rb = q->bufs[a.index];
		if (!rb)
			return -ENOENT;
		if (rb->users)
			return -EBUSY;
		/* From here on no call can name it. */
		q->bufs[a.index] = NULL;
	}
	/* Returns once the device is done with it: then it may be unpinned. */
	rpcdev_ops(rdev)->buf_unmap(rdev, q->qid, a.index);
	rpcdev_regbuf_free(rdev, rb);
	return 0;
}

/**
 * rpcdev_regbufs_release() - unpin every buffer of a queue being detached.
 * @q:	the queue; the device was stopped on it (and so forgot its
 *	buffers), and no call of it will be looked at again.
 */
void rpcdev_regbufs_release(struct rpcdev_queue *q)
{
	u32 i;

	guard(mutex)(&q->buf_lock);
	for (i = 0; i < RPCDEV_MAX_REG_BUFS; i++) {
		struct rpcdev_regbuf *rb = q->bufs[i];

		if (!rb)
			continue;
		scoped_guard(spinlock_irqsave, &q->lock)
			q->bufs[i] = NULL;
		rpcdev_regbuf_free(q->rdev, rb);
	}
}

/*
 * Registered buffer @index of @q with [@off, @off + @len) inside it, or
 * an ERR_PTR: -ENOENT for no buffer there, -ENOSPC for a range past its
 * end. Called with q->lock held.
 */
static struct rpcdev_regbuf *rpcdev_regbuf_find(struct rpcdev_queue *q,
						u32 index, u64 off, u64 len)
{
	struct rpcdev_regbuf *rb;

	if (index >= RPCDEV_MAX_REG_BUFS || !q->bufs[index])
		return ERR_PTR(-ENOENT);
	rb = q->bufs[index];
	if (off > rb->dev.size || len > rb->dev.size - off)
		return ERR_PTR(-ENOSPC);
	return rb;
}

/**
 * rpcdev_regbuf_get() - take the registered buffers a call names.
 * @q:		the queue.
 * @s:		the call's slot, just taken (POSTED, not yet on DQ).
 * @call:	the call, its flags and reserved fields checked.
 *
 * Records them in @s, a use of each, for rpcdev_regbuf_put() to give back
 * when the slot becomes FREE.
 *
 * Return: 0, or -ENOENT or -ENOSPC as rpcdev_regbuf_find() says (nothing
 * is then taken).
 */
int rpcdev_regbuf_get(struct rpcdev_queue *q, struct rpcdev_slot *s,
		      const struct rpcdev_call *call)
{
	struct rpcdev_regbuf *req = NULL, *resp = NULL;

	guard(spinlock_irqsave)(&q->lock);
	if (call->flags & RPCDEV_CALL_REQ_BUF) {
		req = rpcdev_regbuf_find(q, call->req_buf, call->req,
					 call->req_len);
		if (IS_ERR(req))
			return PTR_ERR(req);
	}
	if (call->flags & RPCDEV_CALL_RESP_BUF) {
		resp = rpcdev_regbuf_find(q, call->resp_buf, call->resp,
					  call->resp_cap);
		if (IS_ERR(resp))
			return PTR_ERR(resp);
	}
	if (req)
		req->users++;
	if (resp)
		resp->users++;
	s->req_rb = req;
	s->resp_rb = resp;
	s->resp_off = call->resp;
	s->buf_cap = call->resp_cap;
	return 0;
}

/*
 * Give back the uses slot @s holds, as it becomes FREE. Called with
 * q->lock held.
 */
void rpcdev_regbuf_put(struct rpcdev_slot *s)
{
	if (s->req_rb)
		s->req_rb->users--;
	if (s->resp_rb)
		s->resp_rb->users--;
	s->req_rb = NULL;
	s->resp_rb = NULL;
}

/* Where the bytes at @off of registered buffer @rb are, for the kernel. */
void *rpcdev_regbuf_addr(struct rpcdev_regbuf *rb, u64 off)
{
	return rb->dev.cpu + off;
}
