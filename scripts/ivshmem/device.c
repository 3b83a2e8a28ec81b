// SPDX-License-Identifier: GPL-2.0
/*
 * The device as its driver sees it through BAR2 (linux/rpcdev_ivshmem.h):
 * the header the firmware writes, the driver's block and each queue's
 * configuration, which the firmware reads once per request and checks as
 * hardware would, and one thread per running queue that runs the portable
 * firmware of kmod/fw/.
 */
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ivfw.h"

static void ivfw_ack(struct ivfw_queue *q, u32 gen, u32 state, u32 error)
{
	WRITE_ONCE(q->qack->state, state);
	WRITE_ONCE(q->qack->error, error);
	/* State and error before the generation that validates them. */
	dma_wmb();
	WRITE_ONCE(q->qack->generation, gen);
	q->acked_gen = gen;
}

/**
 * ivfw_raise() - raise the guest's MSI-X @vector, if a driver takes them.
 * @dev:	the device.
 * @vector:	below hdr.nr_vectors.
 */
void ivfw_raise(struct ivfw_dev *dev, u32 vector)
{
	u64 one = 1;
	int fd;

	if (atomic_load(&dev->irq_peer) < 0)
		return;
	fd = dev->guest_efd[vector];
	/* A full counter (EAGAIN) is an interrupt already pending. */
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		ivfw_err("raising vector %u: %s\n", vector, strerror(errno));
}

static void *ivfw_queue_thread(void *arg)
{
	struct ivfw_queue *q = arg;

	ivfw_queue_thread_init(q);
	fw_queue_run(&q->fw);
	return NULL;
}

static void ivfw_queue_stop(struct ivfw_queue *q)
{
	u64 one = 1;

	if (!q->running)
		return;
	atomic_store(&q->stop, true);
	/* Wake the thread if it sleeps on its doorbell. */
	if (write(q->dev->fw_efd[q->qid], &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		ivfw_err("waking queue %u: %s\n", q->qid, strerror(errno));
	pthread_join(q->thread, NULL);
	fw_queue_stop(&q->fw);
	q->running = false;
	ivfw_info("queue %u stopped\n", q->qid);
}

/* Is [off, off + size) a place of @align within @limit? */
static bool ivfw_range_ok(u64 off, u64 size, u64 align, u64 limit)
{
	return size && !(off % align) && off <= limit && size <= limit - off;
}

static bool ivfw_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* Two rings of @ring_len bytes after a control page of @ctrl bytes. */
static bool ivfw_rings_ok(u64 part_size, u64 ctrl, u64 r1, u64 r2,
			  u64 ring_len)
{
	return r1 >= ctrl && r2 >= ctrl && !(r1 % 64) && !(r2 % 64) &&
	       ivfw_range_ok(r1, ring_len, 64, part_size) &&
	       ivfw_range_ok(r2, ring_len, 64, part_size) &&
	       !ivfw_overlap(r1, ring_len, r2, ring_len);
}

/* Check a configuration read from BAR2; RPCDEV_IVSHMEM_QERR_*. */
static u32 ivfw_qcfg_check(const struct ivfw_dev *dev,
			   const struct rpcdev_ivshmem_qcfg *c)
{
	u64 size = dev->hdr->queue_size, bufs, ring_len;
	unsigned int i, j;

	for (i = 0; i < sizeof(c->reserved) / sizeof(c->reserved[0]); i++)
		if (c->reserved[i])
			return RPCDEV_IVSHMEM_QERR_INVAL;
	if (c->pad || !c->depth || c->depth > RPCDEV_MAX_DEPTH ||
	    (c->depth & (c->depth - 1)) || !c->buf_size || c->buf_size % 64 ||
	    c->buf_size > RPCDEV_MAX_PAYLOAD ||
	    (u64)c->depth * c->buf_size > RPCDEV_MAX_BUFS ||
	    c->attach_flags & ~RPCDEV_IVSHMEM_QCFG_FLAGS)
		return RPCDEV_IVSHMEM_QERR_INVAL;
	if ((c->attach_flags & RPCDEV_ATTACH_ASYNC_NOACK) &&
	    !(dev->hdr->features & RPCDEV_IVSHMEM_F_ASYNC_NOACK))
		return RPCDEV_IVSHMEM_QERR_FEATURE;
	if ((c->attach_flags & RPCDEV_ATTACH_INLINE) &&
	    !(dev->hdr->features & RPCDEV_IVSHMEM_F_INLINE))
		return RPCDEV_IVSHMEM_QERR_FEATURE;

	bufs = (u64)c->depth * c->buf_size;
	ring_len = (u64)c->depth * fw_entry_size(c->attach_flags);
	for (i = 0; i < 6; i++) {
		if (c->part_off[i] < RPCDEV_IVSHMEM_QPAGE_SIZE ||
		    !ivfw_range_ok(c->part_off[i], c->part_size[i],
				   RPCDEV_IVSHMEM_ALIGN, size))
			return RPCDEV_IVSHMEM_QERR_RANGE;
		for (j = 0; j < i; j++)
			if (ivfw_overlap(c->part_off[i], c->part_size[i],
					 c->part_off[j], c->part_size[j]))
				return RPCDEV_IVSHMEM_QERR_RANGE;
		/* Parts 1, 2, 4 and 5 hold the payload buffers. */
		if (i % 3 && c->part_size[i] < bufs)
			return RPCDEV_IVSHMEM_QERR_RANGE;
	}
	if (!ivfw_rings_ok(c->part_size[0], sizeof(struct rpcdev_dev_ctrl),
			   c->dc_off, c->uq_off, ring_len) ||
	    !ivfw_rings_ok(c->part_size[3], sizeof(struct rpcdev_host_ctrl),
			   c->dq_off, c->ur_off, ring_len))
		return RPCDEV_IVSHMEM_QERR_RANGE;
	return RPCDEV_IVSHMEM_QERR_NONE;
}

static void ivfw_fw_mem(struct ivfw_queue *q,
			const struct rpcdev_ivshmem_qcfg *c, struct fw_mem *m)
{
	u8 *dev = q->region + c->part_off[0];
	u8 *host = q->region + c->part_off[3];

	m->depth = c->depth;
	m->buf_size = c->buf_size;
	m->flags = c->attach_flags;
	m->dctrl = (struct rpcdev_dev_ctrl *)dev;
	m->dc = (struct rpcdev_entry *)(dev + c->dc_off);
	m->uq = (struct rpcdev_entry *)(dev + c->uq_off);
	m->hctrl = (struct rpcdev_host_ctrl *)host;
	m->dq = (struct rpcdev_entry *)(host + c->dq_off);
	m->ur = (struct rpcdev_entry *)(host + c->ur_off);
	m->dc_buf = q->region + c->part_off[1];
	m->uq_buf = q->region + c->part_off[2];
	m->dq_buf = q->region + c->part_off[4];
	m->ur_buf = q->region + c->part_off[5];
}

/* Start a queue with the configuration @c; RPCDEV_IVSHMEM_QERR_*. */
static u32 ivfw_queue_start(struct ivfw_queue *q,
			    const struct rpcdev_ivshmem_qcfg *c)
{
	struct fw_mem m;
	u32 err;
	int ret;

	err = ivfw_qcfg_check(q->dev, c);
	if (err) {
		ivfw_warn("queue %u: start refused (error %u)\n", q->qid, err);
		return err;
	}
	ivfw_fw_mem(q, c, &m);
	if (fw_queue_start(&q->fw, &m, q->dev->opts->spin_ns,
			   q->dev->opts->irq_hold_ns))
		return RPCDEV_IVSHMEM_QERR_NOMEM;
	atomic_store(&q->stop, false);
	memset(q->faults, 0, sizeof(q->faults));
	memset(q->armed, 0, sizeof(q->armed));
	q->armed_mask = 0;
	atomic_store(&q->hostile,
		     !!(q->dev->opts->hostile_mask & (1ULL << q->qid)));
	ret = pthread_create(&q->thread, NULL, ivfw_queue_thread, q);
	if (ret) {
		ivfw_err("queue %u: thread: %s\n", q->qid, strerror(ret));
		fw_queue_stop(&q->fw);
		return RPCDEV_IVSHMEM_QERR_NOMEM;
	}
	q->running = true;
	ivfw_info("queue %u started: depth %u, buf_size %u, flags %#x\n",
		  q->qid, c->depth, c->buf_size, c->attach_flags);
	return RPCDEV_IVSHMEM_QERR_NONE;
}

/* Act on a new request in a queue's configuration block, if there is one. */
static bool ivfw_queue_poll(struct ivfw_queue *q)
{
	struct rpcdev_ivshmem_qcfg c;
	u64 req = READ_ONCE(q->qcfg->req);
	u32 gen = RPCDEV_IVSHMEM_QREQ_GEN(req), err;

	if (gen == q->acked_gen)
		return false;
	/* The configuration is read after the word that announced it. */
	dma_rmb();
	memcpy(&c, q->qcfg, sizeof(c));
	if (c.req != req) {
		/* Written under our feet: take it at the next look. */
		return false;
	}
	ivfw_queue_stop(q);
	switch (RPCDEV_IVSHMEM_QREQ_CODE(req)) {
	case RPCDEV_IVSHMEM_QREQ_STOP:
		ivfw_ack(q, gen, RPCDEV_IVSHMEM_QS_STOPPED, 0);
		break;
	case RPCDEV_IVSHMEM_QREQ_START:
		err = ivfw_queue_start(q, &c);
		ivfw_ack(q, gen, err ? RPCDEV_IVSHMEM_QS_FAILED :
			 RPCDEV_IVSHMEM_QS_RUNNING, err);
		break;
	default:
		ivfw_warn("queue %u: unknown request %u\n", q->qid,
			  RPCDEV_IVSHMEM_QREQ_CODE(req));
		ivfw_ack(q, gen, RPCDEV_IVSHMEM_QS_FAILED,
			 RPCDEV_IVSHMEM_QERR_INVAL);
		break;
	}
	return true;
}

/**
 * ivfw_dev_stop_all() - stop every running queue (a new driver, or the
 * guest went away). Their acknowledgments say stopped.
 * @dev:	the device.
 */
void ivfw_dev_stop_all(struct ivfw_dev *dev)
{
	u32 i;

	for (i = 0; i < dev->opts->nr_queues; i++) {
		struct ivfw_queue *q = &dev->queues[i];

		if (!q->running)
			continue;
		ivfw_queue_stop(q);
		ivfw_ack(q, q->acked_gen, RPCDEV_IVSHMEM_QS_STOPPED, 0);
	}
}

/* Act on a change of the driver's block. */
static bool ivfw_drv_poll(struct ivfw_dev *dev)
{
	u32 gen = READ_ONCE(dev->drv->drv_gen), state, peer;

	if (gen == dev->drv_gen)
		return false;
	dma_rmb();
	state = READ_ONCE(dev->drv->drv_state);
	peer = READ_ONCE(dev->drv->drv_peer);
	/* Whatever a former driver left running is no one's now. */
	ivfw_dev_stop_all(dev);
	if (state == RPCDEV_IVSHMEM_DRV_UP && (int)peer == dev->guest_peer) {
		atomic_store(&dev->irq_peer, (int)peer);
		ivfw_info("driver up at peer %u\n", peer);
	} else {
		atomic_store(&dev->irq_peer, -1);
		if (state == RPCDEV_IVSHMEM_DRV_UP)
			ivfw_warn("driver up at peer %u, but the guest is %d\n",
				  peer, dev->guest_peer);
		else
			ivfw_info("driver down\n");
	}
	dev->drv_gen = gen;
	dma_wmb();
	WRITE_ONCE(dev->hdr->fw_drv_gen, gen);
	return true;
}

/**
 * ivfw_dev_poll() - look for requests of the driver and act on them; then
 * raise the control vector if there was any. Called after a control
 * doorbell and on every tick, so a doorbell lost (rung before the guest's
 * eventfds were connected) costs a tick, not the request.
 * @dev:	the device.
 */
void ivfw_dev_poll(struct ivfw_dev *dev)
{
	bool acted = ivfw_drv_poll(dev);
	u32 i;

	for (i = 0; i < dev->opts->nr_queues; i++)
		acted |= ivfw_queue_poll(&dev->queues[i]);
	if (acted)
		ivfw_raise(dev, RPCDEV_IVSHMEM_CTRL_VECTOR(dev->opts->nr_queues));
}

/**
 * ivfw_dev_heartbeat() - show the driver the firmware is alive.
 * @dev:	the device.
 */
void ivfw_dev_heartbeat(struct ivfw_dev *dev)
{
	WRITE_ONCE(dev->hdr->heartbeat, dev->hdr->heartbeat + 1);
}

/* Where the queues' regions go: as large as the memory allows. */
static int ivfw_hdr_init(struct ivfw_dev *dev)
{
	const struct ivfw_opts *o = dev->opts;
	struct rpcdev_ivshmem_hdr *h = dev->hdr;
	u64 stride;

	stride = (o->shm_size - RPCDEV_IVSHMEM_HDR_SIZE) / o->nr_queues;
	stride -= stride % RPCDEV_IVSHMEM_ALIGN;
	if (stride <= RPCDEV_IVSHMEM_QPAGE_SIZE)
		return -ENOSPC;
	h->features = RPCDEV_IVSHMEM_F_HEARTBEAT | RPCDEV_IVSHMEM_F_ASYNC_NOACK |
		      RPCDEV_IVSHMEM_F_SIM_METHODS;
	if (!o->no_inline)
		h->features |= RPCDEV_IVSHMEM_F_INLINE;
	if (o->hostile_mask)
		h->features |= RPCDEV_IVSHMEM_F_HOSTILE;
	if (o->test_methods)
		h->features |= RPCDEV_IVSHMEM_F_TEST_METHODS;
	h->nr_queues = o->nr_queues;
	h->nr_vectors = RPCDEV_IVSHMEM_VECTORS(o->nr_queues);
	h->shm_size = o->shm_size;
	h->queue_off = RPCDEV_IVSHMEM_HDR_SIZE;
	h->queue_stride = stride;
	h->queue_size = stride;
	h->fw_peer = IVFW_PEER;
	snprintf(h->fw_name, sizeof(h->fw_name), "rpcdev-ivshmem-fw %u",
		 RPCDEV_IVSHMEM_VERSION);
	h->magic = RPCDEV_IVSHMEM_MAGIC;
	h->version = RPCDEV_IVSHMEM_VERSION;
	/* Every field before the state that says they are valid. */
	dma_wmb();
	WRITE_ONCE(h->fw_state, RPCDEV_IVSHMEM_FW_READY);
	ivfw_info("%u queues of %llu bytes in %llu bytes of shared memory\n",
		  o->nr_queues, (unsigned long long)stride,
		  (unsigned long long)o->shm_size);
	return 0;
}

/**
 * ivfw_dev_init() - create the shared memory, the firmware's eventfds and
 * the header.
 * @dev:	the device, to fill in.
 * @opts:	the command line, already checked.
 *
 * Return: 0 or a negative errno (logged).
 */
int ivfw_dev_init(struct ivfw_dev *dev, const struct ivfw_opts *opts)
{
	u32 i, n = RPCDEV_IVSHMEM_VECTORS(opts->nr_queues);
	int ret;

	memset(dev, 0, sizeof(*dev));
	dev->opts = opts;
	dev->guest_peer = -1;
	atomic_init(&dev->irq_peer, -1);
	for (i = 0; i < IVFW_MAX_VECTORS; i++)
		dev->fw_efd[i] = dev->guest_efd[i] = -1;

	dev->shm_fd = memfd_create("rpcdev-ivshmem", MFD_CLOEXEC);
	if (dev->shm_fd < 0 || ftruncate(dev->shm_fd, opts->shm_size)) {
		ret = -errno;
		ivfw_err("shared memory: %s\n", strerror(errno));
		return ret;
	}
	dev->shm = mmap(NULL, opts->shm_size, PROT_READ | PROT_WRITE,
			MAP_SHARED, dev->shm_fd, 0);
	if (dev->shm == MAP_FAILED) {
		ret = -errno;
		ivfw_err("mmap: %s\n", strerror(errno));
		return ret;
	}
	dev->hdr = (struct rpcdev_ivshmem_hdr *)dev->shm;
	dev->drv = (struct rpcdev_ivshmem_drv *)(dev->shm +
						 RPCDEV_IVSHMEM_DRV_OFF);
	for (i = 0; i < n; i++) {
		dev->fw_efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (dev->fw_efd[i] < 0) {
			ret = -errno;
			ivfw_err("eventfd: %s\n", strerror(errno));
			return ret;
		}
	}
	dev->queues = calloc(opts->nr_queues, sizeof(*dev->queues));
	if (!dev->queues)
		return -ENOMEM;
	ret = ivfw_hdr_init(dev);
	if (ret) {
		ivfw_err("%llu bytes of shared memory are too few for %u queues\n",
			 (unsigned long long)opts->shm_size, opts->nr_queues);
		return ret;
	}
	for (i = 0; i < opts->nr_queues; i++) {
		struct ivfw_queue *q = &dev->queues[i];

		q->dev = dev;
		q->qid = i;
		q->region = dev->shm + dev->hdr->queue_off +
			    (u64)i * dev->hdr->queue_stride;
		q->qcfg = (struct rpcdev_ivshmem_qcfg *)q->region;
		q->qack = (struct rpcdev_ivshmem_qack *)(q->region +
							 RPCDEV_IVSHMEM_QACK_OFF);
		q->rng = opts->seed + i;
	}
	return 0;
}

/**
 * ivfw_dev_exit() - stop every queue and say so in the header: an orderly
 * shutdown, or a failure.
 * @dev:	the device.
 * @state:	RPCDEV_IVSHMEM_FW_STOPPED or RPCDEV_IVSHMEM_FW_FAILED.
 */
void ivfw_dev_exit(struct ivfw_dev *dev, u32 state)
{
	if (!dev->hdr)
		return;
	ivfw_dev_stop_all(dev);
	WRITE_ONCE(dev->hdr->fw_state, state);
	ivfw_raise(dev, RPCDEV_IVSHMEM_CTRL_VECTOR(dev->opts->nr_queues));
}
