/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the rpcdev core and a device backend.
 *
 * A backend (the simulated device, a PCI device, ...) describes itself with
 * a struct rpcdev_desc: its name, queue count, features, memory model and
 * ops. It allocates a device with rpcdev_alloc_device(), may hang its own
 * data on it with rpcdev_set_drvdata(), and hands it to the core with
 * rpcdev_register_device(). From then on the core owns the character device
 * /dev/rpcdevN and talks to the device only through the ops; it never knows
 * which backend it has. The backend tells the core about its interrupts
 * with rpcdev_queue_interrupt(), and that the device stopped answering for
 * good (its firmware died) with rpcdev_device_lost().
 *
 * Lifetime: the device is reference counted. Open files keep it alive after
 * the backend has called rpcdev_unregister_device(), but once that call
 * returns the core never calls the backend's ops again, touches none of the
 * memory the backend provided, and every open file sees -ENODEV, so the
 * backend may free what it owns and its module may be unloaded while files
 * are still open.
 *
 * Everything the core keeps about a device is private to it (rpcdev_core.h).
 */
#ifndef _RPCDEV_BACKEND_H
#define _RPCDEV_BACKEND_H

#include <linux/device.h>
#include <linux/types.h>
#include <linux/rpcdev.h>

struct rpcdev_device;

/*
 * The parts of a queue's memory, in the order of their mmap offsets
 * (RPCDEV_OFF_DEV is part 0, RPCDEV_OFF_DC_BUF part 1, ...). The first
 * RPCDEV_PART_HOST parts are written by the device, the others by the host.
 */
enum rpcdev_part {
	RPCDEV_PART_DEV,
	RPCDEV_PART_DC_BUF,
	RPCDEV_PART_UQ_BUF,
	RPCDEV_PART_HOST,
	RPCDEV_PART_DQ_BUF,
	RPCDEV_PART_UR_BUF,
	RPCDEV_NR_PARTS,
};

/**
 * enum rpcdev_mem_model - where a backend's queues live.
 * @RPCDEV_MEM_DMA:	host memory the device reaches by DMA (the simulated
 *			device; PCIe devices with bus-master DMA). The core
 *			allocates each part with dma_alloc_coherent() on the
 *			parent device, maps it with dma_mmap_coherent() and
 *			frees it when the owning file is released; the
 *			backend only learns the addresses in queue_start.
 * @RPCDEV_MEM_DEVICE:	device memory the host maps (a BAR, an NTB window).
 *			The backend's queue_mem op places the parts in memory
 *			it mapped write-back and keeps mapped until
 *			rpcdev_unregister_device() returns. The core maps
 *			them to the owner page by page on fault and zaps
 *			those mappings when the device is unregistered, as
 *			the memory goes with the device.
 */
enum rpcdev_mem_model {
	RPCDEV_MEM_DMA,
	RPCDEV_MEM_DEVICE,
};

/**
 * struct rpcdev_mem_part - one part of a queue's memory.
 * @cpu:	its kernel address.
 * @dma:	RPCDEV_MEM_DMA: its DMA address, for the device.
 * @phys:	RPCDEV_MEM_DEVICE: its CPU physical address, page aligned,
 *		for mapping it to user space.
 * @size:	its size, a multiple of PAGE_SIZE.
 */
struct rpcdev_mem_part {
	void *cpu;
	dma_addr_t dma;
	phys_addr_t phys;
	size_t size;
};

/**
 * struct rpcdev_queue_mem - the memory of one queue, as the device sees it.
 * @depth:	entries per ring and call slots per direction.
 * @buf_size:	bytes of each payload buffer.
 * @part:	the parts, indexed by enum rpcdev_part.
 * @layout:	the checked attach request: the size each part needs
 *		(dev_size, host_size, bufs_size) and the offsets of the
 *		rings inside their parts.
 */
struct rpcdev_queue_mem {
	u32 depth;
	u32 buf_size;
	struct rpcdev_mem_part part[RPCDEV_NR_PARTS];
	struct rpcdev_queue_attach layout;
};

/**
 * struct rpcdev_reg_buf - a registered buffer (RPCDEV_FEAT_REG_BUFS), as
 * the device is given it.
 * @cpu:	a kernel mapping (vmap) of the whole buffer, for a device that
 *		reaches host memory through the CPU (rpcdev_sim's firmware).
 * @pages:	its pinned pages, @nr_pages of them, for a backend that maps
 *		them for DMA itself.
 * @nr_pages:	how many.
 * @size:	its bytes, @nr_pages * PAGE_SIZE.
 *
 * The core keeps it valid, and the pages pinned, from @buf_map until
 * @buf_unmap or @queue_stop has returned.
 */
struct rpcdev_reg_buf {
	void *cpu;
	struct page **pages;
	u32 nr_pages;
	u64 size;
};

/**
 * struct rpcdev_ops - what the core asks of a device backend. All may sleep
 * unless said otherwise, and none is called concurrently with another for
 * the same queue.
 * @queue_mem:	RPCDEV_MEM_DEVICE only: place the parts of queue @qid
 *		(sized by @mem->layout) in device memory, zeroed, and fill
 *		in @mem->part[]. The core never frees them: the queue's
 *		memory is the backend's, reused at the next attach.
 *		Returns 0, or -ENOMEM when they do not fit.
 * @queue_start: Point the device at a queue's memory and let it run.
 *		@flags are the queue's RPCDEV_ATTACH_* bits, which tell how
 *		the host drives the rings. The memory stays valid until
 *		@queue_stop returns.
 * @queue_stop:	Stop the device touching the queue's memory: when this
 *		returns it reads and writes none of it and raises no
 *		interrupt for the queue. Called when the owning file is
 *		closed, and for every running queue when the device is
 *		unregistered.
 * @doorbell:	The host posted entries on the queue's DQ or UR ring. Called
 *		from the posting task; must not sleep.
 * @buf_map:	RPCDEV_FEAT_REG_BUFS only: let the device of running queue
 *		@qid reach registered buffer @index (below
 *		RPCDEV_MAX_REG_BUFS, not mapped now), as struct
 *		rpcdev_buf_desc names it. Returns 0 or a negative errno.
 * @buf_unmap:	RPCDEV_FEAT_REG_BUFS only: the reverse, for a running queue:
 *		when it returns the device touches the buffer no more (a
 *		device in the middle of a call on it finishes first). The
 *		core calls it only for a buffer no call in flight names.
 *		@queue_stop forgets every buffer of the queue by itself.
 */
struct rpcdev_ops {
	int (*queue_mem)(struct rpcdev_device *rdev, u32 qid,
			 struct rpcdev_queue_mem *mem);
	int (*queue_start)(struct rpcdev_device *rdev, u32 qid,
			   const struct rpcdev_queue_mem *mem, u32 flags);
	void (*queue_stop)(struct rpcdev_device *rdev, u32 qid);
	void (*doorbell)(struct rpcdev_device *rdev, u32 qid);
	int (*buf_map)(struct rpcdev_device *rdev, u32 qid, u32 index,
		       const struct rpcdev_reg_buf *buf);
	void (*buf_unmap)(struct rpcdev_device *rdev, u32 qid, u32 index);
};

/**
 * struct rpcdev_desc - what a backend's devices are, as tee's struct
 * tee_desc. The core only reads it; it must stay valid and unchanged as
 * long as a device made from it is registered.
 * @name:	the backend's name; each device is called "<name>.<instance>"
 *		(see rpcdev_alloc_device()), as RPCDEV_IOC_INFO reports.
 * @nr_queues:	queue pairs per device, 1..RPCDEV_MAX_QUEUES.
 * @features:	the RPCDEV_FEAT_* bits the device supports; the core
 *		reports those it supports too. RPCDEV_FEAT_REG_BUFS needs
 *		the @buf_map and @buf_unmap ops.
 * @mem:	where the queues live, enum rpcdev_mem_model.
 * @ops:	the operations.
 */
struct rpcdev_desc {
	const char *name;
	u32 nr_queues;
	u64 features;
	enum rpcdev_mem_model mem;
	const struct rpcdev_ops *ops;
};

struct rpcdev_device *rpcdev_alloc_device(const struct rpcdev_desc *desc,
					  struct device *parent,
					  const char *instance);
int rpcdev_register_device(struct rpcdev_device *rdev);
void rpcdev_unregister_device(struct rpcdev_device *rdev);
void rpcdev_put_device(struct rpcdev_device *rdev);
void rpcdev_set_drvdata(struct rpcdev_device *rdev, void *data);
void *rpcdev_get_drvdata(struct rpcdev_device *rdev);
const char *rpcdev_name(struct rpcdev_device *rdev);
void rpcdev_queue_interrupt(struct rpcdev_device *rdev, u32 qid);
void rpcdev_device_lost(struct rpcdev_device *rdev, int err);

#endif /* _RPCDEV_BACKEND_H */
