/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the rpcdev core and a device backend.
 *
 * A backend (the simulated device, a PCI device, ...) allocates a
 * struct rpcdev_device with rpcdev_alloc_device(), describes the device in
 * it, and hands it to the core with rpcdev_register_device(). From then on
 * the core owns the character device /dev/rpcdevN and talks to the device
 * only through the struct rpcdev_ops table; the core never knows which
 * backend it has. The backend tells the core about its interrupts with
 * rpcdev_queue_interrupt().
 *
 * Lifetime: the structure is reference counted. Open files keep it alive
 * after the backend has called rpcdev_unregister_device(), but once that
 * call returns the core never calls the backend's ops again and every open
 * file sees -ENODEV, so the backend module may be unloaded while files are
 * still open.
 */
#ifndef _RPCDEV_BACKEND_H
#define _RPCDEV_BACKEND_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/rpcdev.h>

struct rpcdev_device;
struct rpcdev_queue;

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
 * struct rpcdev_dma_part - one DMA-coherent allocation of a queue.
 * @cpu:	its kernel address.
 * @dma:	its DMA address, for the device.
 * @size:	its size, a multiple of PAGE_SIZE.
 */
struct rpcdev_dma_part {
	void *cpu;
	dma_addr_t dma;
	size_t size;
};

/**
 * struct rpcdev_queue_mem - the memory of one started queue, as the device
 * sees it. Every part is a DMA-coherent allocation of the backend's parent
 * device.
 * @depth:	entries per ring and call slots per direction.
 * @buf_size:	bytes of each payload buffer.
 * @part:	the parts, indexed by enum rpcdev_part.
 * @layout:	offsets of the rings inside their parts.
 */
struct rpcdev_queue_mem {
	u32 depth;
	u32 buf_size;
	struct rpcdev_dma_part part[RPCDEV_NR_PARTS];
	struct rpcdev_queue_attach layout;
};

/* Payload buffer @id of buffer part @p. */
static inline void *rpcdev_mem_buf(const struct rpcdev_queue_mem *mem,
				   enum rpcdev_part p, u32 id)
{
	return mem->part[p].cpu + (size_t)id * mem->buf_size;
}

/**
 * struct rpcdev_ops - what the core asks of a device backend. All may sleep
 * and are never called concurrently for the same queue.
 * @queue_start: Point the device at a queue's memory and let it run. The
 *		memory stays valid until @queue_stop returns.
 * @queue_stop:	Stop the device touching the queue's memory: when this
 *		returns it reads and writes none of it and raises no
 *		interrupt for the queue. Called when the owning file is
 *		closed, and for every running queue when the device is
 *		unregistered.
 * @doorbell:	The host posted entries on the queue's DQ or UR ring. Called
 *		from the posting task; must not sleep.
 */
struct rpcdev_ops {
	int (*queue_start)(struct rpcdev_device *rdev, u32 qid,
			   const struct rpcdev_queue_mem *mem);
	void (*queue_stop)(struct rpcdev_device *rdev, u32 qid);
	void (*doorbell)(struct rpcdev_device *rdev, u32 qid);
};

/**
 * struct rpcdev_device - one device, as the core sees it.
 * @name:	set by the backend before registering: a NUL-terminated name
 *		unique among rpcdev devices, reported by RPCDEV_IOC_INFO.
 * @nr_queues:	set by the backend: queue pairs the device offers,
 *		1..RPCDEV_MAX_QUEUES.
 * @features:	set by the backend: the RPCDEV_FEAT_* bits the device
 *		supports; the core reports those it supports too.
 * @ops:	the backend's operations, set by rpcdev_alloc_device().
 * @dev:	the class device behind /dev/rpcdevN; holds the reference
 *		count. Its parent is the device that does DMA.
 * @cdev:	the character device.
 * @minor:	N in /dev/rpcdevN, or -1 before registration.
 * @lock:	taken for reading by every file operation that may call into
 *		the backend, for writing by rpcdev_unregister_device() to
 *		wait for them to finish.
 * @dead:	set once the backend is going away: first with WRITE_ONCE()
 *		so that sleepers notice, then it holds under @lock.
 * @dma_dev:	the device that does DMA (the parent), referenced until this
 *		structure is freed: open files may free queue memory after
 *		the backend has gone.
 * @qlock:	serializes attaching and detaching queues.
 * @wq:		woken when the device goes away, so poll() reports it.
 * @queues:	the queue pairs, @nr_queues of them.
 * @debugfs:	the device's debugfs directory.
 * @priv:	the backend's private area, sized at allocation.
 */
struct rpcdev_device {
	char name[RPCDEV_NAME_LEN];
	u32 nr_queues;
	u64 features;

	const struct rpcdev_ops *ops;
	struct device dev;
	struct cdev cdev;
	int minor;
	struct rw_semaphore lock;
	bool dead;
	struct device *dma_dev;
	struct mutex qlock;
	wait_queue_head_t wq;
	struct rpcdev_queue *queues;
	struct dentry *debugfs;

	u8 priv[] __aligned(sizeof(u64));
};

struct rpcdev_device *rpcdev_alloc_device(struct device *parent,
					  const struct rpcdev_ops *ops,
					  size_t priv_size);
int rpcdev_register_device(struct rpcdev_device *rdev);
void rpcdev_unregister_device(struct rpcdev_device *rdev);
void rpcdev_put_device(struct rpcdev_device *rdev);
void rpcdev_queue_interrupt(struct rpcdev_device *rdev, u32 qid);

/**
 * rpcdev_entry_write() - fill in a ring entry and publish it with its seq.
 * @e:		the entry in shared memory, at ring position @pos.
 * @src:	what to write (its seq is ignored).
 * @pos:	the producer's position; the entry gets seq @pos + 1.
 *
 * The payload and every field are visible before the seq that validates
 * them. The caller then publishes its producer index (after dma_wmb()).
 * For the core and for backends that produce entries in software; always
 * inlined, as it is on the path of every message.
 */
static __always_inline void rpcdev_entry_write(struct rpcdev_entry *e,
						const struct rpcdev_entry *src,
						u32 pos)
{
	WRITE_ONCE(e->id, src->id);
	WRITE_ONCE(e->method, src->method);
	WRITE_ONCE(e->len, src->len);
	WRITE_ONCE(e->flags, src->flags);
	WRITE_ONCE(e->status, src->status);
	WRITE_ONCE(e->tag, src->tag);
	memcpy(e->ts, src->ts, sizeof(e->ts));
	dma_wmb();
	WRITE_ONCE(e->seq, pos + 1);
	/* The entry before the producer index that announces it. */
	dma_wmb();
}

static inline void *rpcdev_priv(struct rpcdev_device *rdev)
{
	return rdev->priv;
}

#endif /* _RPCDEV_BACKEND_H */
