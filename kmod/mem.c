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
 * such mapping before the backend unmaps the memory, and a later fault
 * gets SIGBUS: a program never keeps a window onto an address range the
 * device gave back.
 */
#include <linux/cleanup.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "rpcdev_compat.h"
#include "rpcdev_core.h"

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
		return VM_FAULT_SIGBUS;
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
