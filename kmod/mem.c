// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev queue memory: the six parts of a queue in either memory model
 * (rpcdev_backend.h), and mapping them into the owning process with the
 * same read-only/writable split and mmap offsets whichever model it is.
 *
 * RPCDEV_MEM_DMA: host memory the device reaches by DMA. The core
 * allocates the parts with dma_alloc_coherent() and maps them with
 * dma_mmap_coherent(); they are freed when the owning file is released,
 * which happens after the last mapping of it is gone and after the device
 * was stopped, so neither user space nor the device reaches freed memory.
 *
 * RPCDEV_MEM_DEVICE: device memory the host maps (a PCI BAR). The backend
 * places the parts in memory it mapped write-back and owns; the core zeroes
 * them and maps them to user space one page at a time on fault, under
 * rdev->fault_lock. When the device is unregistered the core zaps every
 * such mapping before the backend unmaps the memory: a program never keeps
 * a window onto an address range the device gave back. A later fault maps
 * a tombstone instead (rpcdev_mem_fault_gone()), so that a program
 * polling its rings reads RPCDEV_DEV_GONE and ends its wait rather than
 * dying of SIGBUS.
 *
 * Either way, once a removed device stopped a queue,
 * rpcdev_mem_mark_gone() sets RPCDEV_DEV_GONE in its device control page.
 */
#include <linux/cleanup.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "rpcdev_compat.h"
#include "rpcdev_core.h"

/*
 * The tombstone of a removed device's read-only parts: its control page
 * (zeros and RPCDEV_DEV_GONE in the flags) and every other page (zeros).
 * Never written after rpcdev_mem_init(), and mapped read-only only.
 */
static struct page *rpcdev_tomb_ctrl;
static struct page *rpcdev_tomb_zero;

/* The bytes each part needs, as the layout says. */
static size_t rpcdev_part_size(const struct rpcdev_queue_attach *a,
			       enum rpcdev_part i)
{
	if (i == RPCDEV_PART_DEV)
		return a->dev_size;
	if (i == RPCDEV_PART_HOST)
		return a->host_size;
	return a->bufs_size;
}

static void rpcdev_mem_free_dma(struct rpcdev_queue *q)
{
	struct rpcdev_queue_mem *m = &q->mem;
	int i;

	for (i = RPCDEV_NR_PARTS - 1; i >= 0; i--) {
		struct rpcdev_mem_part *p = &m->part[i];

		if (p->cpu)
			dma_free_coherent(q->rdev->parent, p->size, p->cpu,
					  p->dma);
	}
}

static int rpcdev_mem_alloc_dma(struct rpcdev_queue *q)
{
	struct rpcdev_queue_mem *m = &q->mem;
	int i;

	for (i = 0; i < RPCDEV_NR_PARTS; i++) {
		struct rpcdev_mem_part *p = &m->part[i];

		p->size = rpcdev_part_size(&m->layout, i);
		/*
		 * dma_alloc_coherent() zeroes: no stale bytes reach anyone.
		 * A big part may not be had; that is ENOMEM, not a warning.
		 */
		p->cpu = dma_alloc_coherent(q->rdev->parent, p->size, &p->dma,
					    GFP_KERNEL | __GFP_NOWARN);
		if (!p->cpu) {
			rpcdev_mem_free_dma(q);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Ask the backend where the parts are, and believe only what fits. */
static int rpcdev_mem_place_device(struct rpcdev_queue *q)
{
	struct rpcdev_device *rdev = q->rdev;
	struct rpcdev_queue_mem *m = &q->mem;
	int i, ret;

	ret = rpcdev_ops(rdev)->queue_mem(rdev, q->qid, m);
	if (ret)
		return ret;
	for (i = 0; i < RPCDEV_NR_PARTS; i++) {
		struct rpcdev_mem_part *p = &m->part[i];

		if (WARN_ON_ONCE(!p->cpu || !PAGE_ALIGNED(p->phys) ||
				 !PAGE_ALIGNED(p->size) ||
				 p->size < rpcdev_part_size(&m->layout, i)))
			return -EINVAL;
	}
	/*
	 * The last owner's bytes, or the device's, are no one else's: the
	 * device does not touch a stopped queue's parts, so this is safe.
	 */
	for (i = 0; i < RPCDEV_NR_PARTS; i++)
		memset(m->part[i].cpu, 0, m->part[i].size);
	return 0;
}

/**
 * rpcdev_mem_get() - the memory of a queue about to be attached.
 * @q:	the queue, not running.
 * @a:	the checked attach request.
 *
 * Return: 0 with q->mem filled in and zeroed, or a negative errno.
 */
int rpcdev_mem_get(struct rpcdev_queue *q, const struct rpcdev_queue_attach *a)
{
	struct rpcdev_queue_mem *m = &q->mem;
	int ret;

	memset(m, 0, sizeof(*m));
	m->depth = a->depth;
	m->buf_size = a->buf_size;
	m->layout = *a;
	if (q->rdev->mem == RPCDEV_MEM_DEVICE)
		ret = rpcdev_mem_place_device(q);
	else
		ret = rpcdev_mem_alloc_dma(q);
	if (ret)
		memset(m, 0, sizeof(*m));
	return ret;
}

/**
 * rpcdev_mem_put() - give up the memory of a queue that was detached.
 * @q:	the queue, stopped, with no mapping left.
 *
 * Device memory stays the backend's; DMA memory is freed. Callable after
 * the device was unregistered: it calls no op of the backend.
 */
void rpcdev_mem_put(struct rpcdev_queue *q)
{
	if (q->rdev->mem == RPCDEV_MEM_DMA)
		rpcdev_mem_free_dma(q);
	memset(&q->mem, 0, sizeof(q->mem));
}

/*
 * The page a fault gets once the device memory is gone: the tombstone for
 * the read-only parts, the file's own zeroed sink for the writable ones,
 * so what one program writes there no one else reads. Under
 * rdev->fault_lock (read).
 */
static vm_fault_t rpcdev_mem_fault_gone(struct vm_fault *vmf,
					struct rpcdev_file *f, u64 part,
					u64 off)
{
	struct page *page, *old;

	if (part < RPCDEV_PART_HOST) {
		page = part == RPCDEV_PART_DEV && !off ? rpcdev_tomb_ctrl :
							 rpcdev_tomb_zero;
		return vmf_insert_pfn(vmf->vma, vmf->address,
				      page_to_pfn(page));
	}
	page = READ_ONCE(f->sink);
	if (!page) {
		page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!page)
			return VM_FAULT_OOM;
		/* Two faults may race here: one page wins, for good. */
		old = cmpxchg(&f->sink, NULL, page);
		if (old) {
			__free_page(page);
			page = old;
		}
	}
	return vmf_insert_pfn(vmf->vma, vmf->address, page_to_pfn(page));
}

/*
 * A fault on device memory. The vma's offset is the mmap offset the
 * program asked for (RPCDEV_OFF_* + a place in the part), checked when it
 * was mapped.
 *
 * The page gets the vma's protection, which is write-back for a shared
 * mapping, the memory type the backend mapped the memory with. On x86,
 * vmf_insert_pfn() also looks the range up in PAT's memtype tree and takes
 * the type that reservation has, so the user's and the kernel's views of
 * the memory never disagree on caching (an alias of different types is
 * undefined there).
 */
static vm_fault_t rpcdev_mem_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct rpcdev_file *f = vma->vm_private_data;
	struct rpcdev_device *rdev = f->rdev;
	struct rpcdev_queue *q = rpcdev_file_queue(f);
	u64 off = (u64)vmf->pgoff << PAGE_SHIFT;
	const struct rpcdev_mem_part *p;
	u64 part;

	part = off / RPCDEV_OFF_DC_BUF;
	off %= RPCDEV_OFF_DC_BUF;
	if (!q || part >= RPCDEV_NR_PARTS)
		return VM_FAULT_SIGBUS;
	p = &q->mem.part[part];
	if (off >= p->size)
		return VM_FAULT_SIGBUS;

	guard(rwsem_read)(&rdev->fault_lock);
	if (rdev->unmapped)
		return rpcdev_mem_fault_gone(vmf, f, part, off);
	return vmf_insert_pfn(vma, vmf->address, PHYS_PFN(p->phys + off));
}

static const struct vm_operations_struct rpcdev_mem_vm_ops = {
	.fault = rpcdev_mem_fault,
};

/**
 * rpcdev_mem_mmap() - map a part of the file's queue.
 * @f:		the file.
 * @vma:	the mapping; its offset names the part (RPCDEV_OFF_*) and a
 *		place in it.
 *
 * Return: 0, -EINVAL for a file without a queue, a bad offset or size or a
 * private writable mapping of device memory, -EACCES for a writable
 * mapping of a part the device writes.
 */
int rpcdev_mem_mmap(struct rpcdev_file *f, struct vm_area_struct *vma)
{
	struct rpcdev_queue *q = rpcdev_file_queue(f);
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	unsigned long size = vma->vm_end - vma->vm_start;
	struct rpcdev_mem_part *p;
	u64 part;

	if (!q)
		return -EINVAL;

	/* The offset names the part (RPCDEV_OFF_*), then a place in it. */
	part = off / RPCDEV_OFF_DC_BUF;
	off %= RPCDEV_OFF_DC_BUF;
	if (part >= RPCDEV_NR_PARTS)
		return -EINVAL;
	p = &q->mem.part[part];
	if (off >= p->size || size > p->size - off)
		return -EINVAL;

	if (part < RPCDEV_PART_HOST) {
		/* What the device and the kernel write stays read-only. */
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		rpcdev_vm_flags_clear(vma, VM_MAYWRITE);
	}

	/* A child does not inherit the queue: its mappings stay behind. */
	rpcdev_vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);

	if (q->rdev->mem == RPCDEV_MEM_DMA) {
		vma->vm_pgoff = off >> PAGE_SHIFT;
		return dma_mmap_coherent(q->rdev->parent, vma, p->cpu, p->dma,
					 p->size);
	}

	/* Device memory has no pages to copy on write. */
	if ((vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE)
		return -EINVAL;
	rpcdev_vm_flags_set(vma, VM_IO | VM_PFNMAP);
	vma->vm_private_data = f;
	vma->vm_ops = &rpcdev_mem_vm_ops;
	return 0;
}

/**
 * rpcdev_mem_unmap_all() - zap every user mapping of a device's memory.
 * @rdev:	a device being unregistered.
 *
 * For RPCDEV_MEM_DEVICE: when this returns no program maps the device's
 * memory, and none will. DMA memory stays mapped: it is the host's, and
 * freed only after the last mapping.
 */
void rpcdev_mem_unmap_all(struct rpcdev_device *rdev)
{
	if (rdev->mem != RPCDEV_MEM_DEVICE)
		return;
	guard(rwsem_write)(&rdev->fault_lock);
	rdev->unmapped = true;
	unmap_mapping_range(rdev->inode->i_mapping, 0, 0, 1);
}

/**
 * rpcdev_mem_mark_gone() - tell a program polling a queue that the device
 * was removed.
 * @q:	a queue the removed device stopped, still attached: its memory is
 *	the core's (DMA memory, or device memory not yet given back).
 *
 * Sets RPCDEV_DEV_GONE in the device control page, where the program's
 * polling loads find it; the stopped device writes there no more.
 */
void rpcdev_mem_mark_gone(struct rpcdev_queue *q)
{
	struct rpcdev_dev_ctrl *ctrl = q->mem.part[RPCDEV_PART_DEV].cpu;

	WRITE_ONCE(ctrl->flags.val,
		   READ_ONCE(ctrl->flags.val) | RPCDEV_DEV_GONE);
}

/**
 * rpcdev_file_mem_release() - free what a file's mappings of a removed
 * device's memory used.
 * @f:	a file being released: none of its mappings is left.
 */
void rpcdev_file_mem_release(struct rpcdev_file *f)
{
	if (f->sink)
		__free_page(f->sink);
}

/**
 * rpcdev_mem_init() - make the tombstone pages, at module load.
 *
 * Return: 0 or -ENOMEM.
 */
int rpcdev_mem_init(void)
{
	struct rpcdev_dev_ctrl *ctrl;

	rpcdev_tomb_zero = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!rpcdev_tomb_zero)
		return -ENOMEM;
	rpcdev_tomb_ctrl = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!rpcdev_tomb_ctrl) {
		__free_page(rpcdev_tomb_zero);
		return -ENOMEM;
	}
	ctrl = page_address(rpcdev_tomb_ctrl);
	ctrl->flags.val = RPCDEV_DEV_GONE;
	return 0;
}

/**
 * rpcdev_mem_exit() - free the tombstone pages, at module unload: no file
 * is open, so nothing maps them.
 */
void rpcdev_mem_exit(void)
{
	__free_page(rpcdev_tomb_ctrl);
	__free_page(rpcdev_tomb_zero);
}
