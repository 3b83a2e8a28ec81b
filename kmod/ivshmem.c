// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev_ivshmem: an rpcdev device on the other side of a PCI boundary,
 * QEMU's ivshmem-doorbell, whose firmware is a separate program.
 *
 * The device (linux/rpcdev_ivshmem.h is the contract with its firmware):
 *
 *  - BAR0, registers: IVPosition (our peer id) and Doorbell, which
 *    interrupts vector v of peer p when written (p << 16) | v. Interrupt
 *    Mask and Status are unused with MSI-X.
 *  - BAR1, the MSI-X table: one vector per queue and one for control
 *    (queue acknowledgments, firmware state). Nothing arrives before
 *    pci_set_master(): MSI-X messages are memory writes of the device.
 *  - BAR2, the shared memory: a header the firmware writes, a block the
 *    driver writes, and one region per queue holding the queue's control
 *    words and its six parts, the rings and buffers of linux/rpcdev.h.
 *
 * BAR2 is mapped write-back with memremap(), not with pci_iomap(): it is
 * RAM on the far side (QEMU backs it with the firmware's memfd), coherent
 * with the firmware's CPU, and the rpcdev core works on rings with plain
 * loads, stores and memcpy() as it does on DMA memory. An uncached
 * __iomem mapping would need readl()/memcpy_fromio() in the core, and a
 * user mapping of the same type would make every poll of a ring an
 * uncached access. The core maps the parts to the owning process with the
 * same write-back type (see mem.c for PAT). BAR0 is real MMIO (a write to
 * Doorbell traps into QEMU) and stays pci_iomap()ed.
 *
 * The firmware is not trusted: the header is copied and checked once at
 * probe, the only words read again (firmware state, heartbeat, queue
 * acknowledgments) are read once per look and compared, never used as an
 * index or a size; the rings are the core's to check. Interrupts are
 * counted per vector, and a vector that fires faster than any honest
 * firmware needs is masked for a while (a storm costs a few interrupts per
 * pause, and only its own queue waits).
 *
 * A firmware whose heartbeat stands still for RPCDEV_IVSHMEM_DEAD_MS (the
 * dead_ms parameter, for hosts too loaded to keep the firmware's pace), or
 * that leaves the READY state, is lost: the core fails every caller with
 * -EIO (-ENODEV for one that stopped in order) and the device stays until
 * it is removed, which works as for a live one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <linux/rpcdev_ivshmem.h>

#include "rpcdev_backend.h"

/*
 * A vector that fires more than IVS_STORM_IRQS times within
 * IVS_STORM_WINDOW_NS is masked for IVS_STORM_PAUSE_MS. An honest firmware
 * interrupts at most once per message the host sleeps for, and no round
 * trip through QEMU is that fast.
 */
#define IVS_STORM_IRQS		256
#define IVS_STORM_WINDOW_NS	(1 * NSEC_PER_MSEC)
#define IVS_STORM_PAUSE_MS	10

/* How often to look again while waiting for an acknowledgment. */
#define IVS_ACK_POLL_MS		10

struct ivs_dev;

/**
 * struct ivs_irq - one MSI-X vector and what it costs.
 * @irq:	its Linux interrupt number.
 * @name:	its name in /proc/interrupts (ivs_irq_init()).
 * @window_ns:	when the current counting window began.
 * @in_window:	interrupts in it.
 * @total:	interrupts taken.
 * @storms:	times it was masked for firing too fast.
 * @stray:	interrupts for a queue that was not running.
 * @unmask:	unmasks it after a storm's pause.
 */
struct ivs_irq {
	unsigned int irq;
	char name[32];
	u64 window_ns;
	u32 in_window;
	u64 total;
	u64 storms;
	u64 stray;
	struct delayed_work unmask;
};

/**
 * struct ivs_queue - one queue of the device.
 * @idev:	its device.
 * @qid:	its index, also its vector.
 * @region:	its region of BAR2.
 * @region_phys: where the region is, for mapping it to user space.
 * @cfg:	its configuration block in BAR2 (the driver's).
 * @ack:	its acknowledgment block in BAR2 (the firmware's).
 * @part_off:	where queue_mem placed the parts, from @region.
 * @gen:	the generation of the last request.
 * @running:	the firmware was told to start it and not yet to stop; the
 *		interrupt handler reads it.
 * @vec:	its vector.
 */
struct ivs_queue {
	struct ivs_dev *idev;
	u32 qid;
	void *region;
	phys_addr_t region_phys;
	struct rpcdev_ivshmem_qcfg *cfg;
	struct rpcdev_ivshmem_qack *ack;
	u64 part_off[RPCDEV_NR_PARTS];
	u32 gen;
	bool running;
	struct ivs_irq vec;
};

/**
 * struct ivs_dev - one ivshmem device.
 * @pdev:	its PCI device.
 * @regs:	BAR0.
 * @shm:	BAR2, mapped write-back.
 * @shm_phys:	BAR2's bus address.
 * @shm_size:	BAR2's size.
 * @hdr:	the firmware's header in BAR2; only fw_state, heartbeat and
 *		fw_drv_gen are read after probe.
 * @drv:	the driver's block in BAR2.
 * @peer:	our ivshmem peer id (IVPosition).
 * @fw_peer:	the firmware's, checked at probe.
 * @fw_features: the firmware's RPCDEV_IVSHMEM_F_* bits.
 * @queue_size:	bytes of each queue's region, checked at probe.
 * @fw_name:	the firmware's name, copied and terminated.
 * @desc:	what the core is told the device is.
 * @rdev:	the core's device.
 * @ctrl:	the control vector.
 * @ctrl_wq:	woken by the control vector.
 * @drv_gen:	the generation of the last driver block.
 * @beat:	the last heartbeat seen.
 * @beat_at:	when it last moved (jiffies).
 * @lost:	1 once the firmware is taken for dead (or stopped): no
 *		request is sent any more and no acknowledgment waited for.
 * @watchdog:	looks at the heartbeat and the firmware state.
 * @debugfs:	its directory.
 * @queues:	hdr.nr_queues of them.
 */
struct ivs_dev {
	struct pci_dev *pdev;
	void __iomem *regs;
	void *shm;
	phys_addr_t shm_phys;
	u64 shm_size;
	struct rpcdev_ivshmem_hdr *hdr;
	struct rpcdev_ivshmem_drv *drv;
	u32 peer;
	u32 fw_peer;
	u64 fw_features;
	u64 queue_size;
	char fw_name[32];
	struct rpcdev_desc desc;
	struct rpcdev_device *rdev;
	struct ivs_irq ctrl;
	wait_queue_head_t ctrl_wq;
	u32 drv_gen;
	u64 beat;
	unsigned long beat_at;
	int lost;
	struct delayed_work watchdog;
	struct dentry *debugfs;
	struct ivs_queue queues[];
};

static unsigned int dead_ms = RPCDEV_IVSHMEM_DEAD_MS;
module_param(dead_ms, uint, 0644);
MODULE_PARM_DESC(dead_ms,
		 "A heartbeat still this long (ms) is a dead firmware (default RPCDEV_IVSHMEM_DEAD_MS, 1000)");

static const struct rpcdev_ops ivs_ops;
static struct dentry *ivs_debugfs_root;

static u32 ivs_ctrl_vector(struct ivs_dev *idev)
{
	return RPCDEV_IVSHMEM_CTRL_VECTOR(idev->desc.nr_queues);
}

static void ivs_ring(struct ivs_dev *idev, u32 vector)
{
	iowrite32(RPCDEV_IVSHMEM_DOORBELL(idev->fw_peer, vector),
		  idev->regs + RPCDEV_IVSHMEM_REG_DOORBELL);
}

/* Firmware state. */

/*
 * Take the firmware for dead (-EIO) or stopped (-ENODEV): nothing more is
 * asked of it, and the core fails every caller with @err.
 */
static void ivs_lose(struct ivs_dev *idev, int err, const char *why)
{
	if (xchg(&idev->lost, 1))
		return;
	dev_err(&idev->pdev->dev, "firmware %s: %s\n", idev->fw_name, why);
	wake_up_all(&idev->ctrl_wq);
	if (idev->rdev)
		rpcdev_device_lost(idev->rdev, err);
}

static void ivs_watchdog(struct work_struct *work)
{
	struct ivs_dev *idev = container_of(to_delayed_work(work),
					    struct ivs_dev, watchdog);
	u32 state = READ_ONCE(idev->hdr->fw_state);
	u64 beat = READ_ONCE(idev->hdr->heartbeat);

	if (READ_ONCE(idev->lost))
		return;
	if (state == RPCDEV_IVSHMEM_FW_STOPPED) {
		ivs_lose(idev, -ENODEV, "stopped");
		return;
	}
	if (state != RPCDEV_IVSHMEM_FW_READY) {
		ivs_lose(idev, -EIO, "failed");
		return;
	}
	if (idev->fw_features & RPCDEV_IVSHMEM_F_HEARTBEAT) {
		if (beat != idev->beat) {
			idev->beat = beat;
			idev->beat_at = jiffies;
		} else if (time_after(jiffies, idev->beat_at +
				      msecs_to_jiffies(READ_ONCE(dead_ms)))) {
			ivs_lose(idev, -EIO, "no heartbeat");
			return;
		}
	}
	schedule_delayed_work(&idev->watchdog,
			      msecs_to_jiffies(RPCDEV_IVSHMEM_HEARTBEAT_MS));
}

/*
 * Wait for the firmware to acknowledge: woken by the control vector, and
 * looking every IVS_ACK_POLL_MS anyway, as an interrupt may be lost or
 * masked by a storm. -ETIMEDOUT after RPCDEV_IVSHMEM_ACK_MS, -EIO once the
 * firmware is lost.
 */
static int ivs_wait_ack(struct ivs_dev *idev,
			bool (*acked)(struct ivs_dev *idev, u32 arg), u32 arg)
{
	unsigned long deadline = jiffies +
				 msecs_to_jiffies(RPCDEV_IVSHMEM_ACK_MS);

	for (;;) {
		wait_event_timeout(idev->ctrl_wq,
				   acked(idev, arg) || READ_ONCE(idev->lost),
				   msecs_to_jiffies(IVS_ACK_POLL_MS));
		if (acked(idev, arg))
			return 0;
		if (READ_ONCE(idev->lost))
			return -EIO;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
	}
}

static bool ivs_drv_acked(struct ivs_dev *idev, u32 gen)
{
	return READ_ONCE(idev->hdr->fw_drv_gen) == gen;
}

/* Tell the firmware a driver is up (or going), and wait for it to agree. */
static int ivs_drv_state(struct ivs_dev *idev, u32 state)
{
	struct rpcdev_ivshmem_drv *drv = idev->drv;
	u32 gen = ++idev->drv_gen;

	WRITE_ONCE(drv->drv_state, state);
	WRITE_ONCE(drv->drv_peer, idev->peer);
	WRITE_ONCE(drv->pad, 0);
	memset(drv->reserved, 0, sizeof(drv->reserved));
	/* The block before the generation that announces it. */
	wmb();
	WRITE_ONCE(drv->drv_gen, gen);
	/* ... and before the doorbell, an MMIO write (iowrite32 orders). */
	ivs_ring(idev, ivs_ctrl_vector(idev));
	return ivs_wait_ack(idev, ivs_drv_acked, gen);
}

/* Interrupts. */

/*
 * Count an interrupt of @v; mask the vector for a pause when it fires too
 * fast. Returns true when the interrupt is to be dropped.
 */
static bool ivs_irq_storm(struct ivs_irq *v)
{
	u64 now = ktime_get_ns();

	/* One handler at a time per vector; debugfs reads the counters. */
	WRITE_ONCE(v->total, v->total + 1);
	if (now - v->window_ns > IVS_STORM_WINDOW_NS) {
		v->window_ns = now;
		v->in_window = 0;
	}
	if (++v->in_window <= IVS_STORM_IRQS)
		return false;
	WRITE_ONCE(v->storms, v->storms + 1);
	disable_irq_nosync(v->irq);
	schedule_delayed_work(&v->unmask, msecs_to_jiffies(IVS_STORM_PAUSE_MS));
	return true;
}

static irqreturn_t ivs_queue_irq(int irq, void *data)
{
	struct ivs_queue *q = data;

	if (ivs_irq_storm(&q->vec))
		return IRQ_HANDLED;
	if (!READ_ONCE(q->running)) {
		WRITE_ONCE(q->vec.stray, q->vec.stray + 1);
		return IRQ_HANDLED;
	}
	rpcdev_queue_interrupt(q->idev->rdev, q->qid);
	return IRQ_HANDLED;
}

static irqreturn_t ivs_ctrl_irq(int irq, void *data)
{
	struct ivs_dev *idev = data;

	if (!ivs_irq_storm(&idev->ctrl))
		wake_up_all(&idev->ctrl_wq);
	return IRQ_HANDLED;
}

/*
 * After a storm's pause: unmask, and look at the rings once, as an
 * interrupt may have been dropped with the storm.
 */
static void ivs_queue_unmask(struct work_struct *work)
{
	struct ivs_queue *q = container_of(to_delayed_work(work),
					   struct ivs_queue, vec.unmask);

	enable_irq(q->vec.irq);
	if (READ_ONCE(q->running))
		rpcdev_queue_interrupt(q->idev->rdev, q->qid);
}

static void ivs_ctrl_unmask(struct work_struct *work)
{
	struct ivs_dev *idev = container_of(to_delayed_work(work),
					    struct ivs_dev, ctrl.unmask);

	enable_irq(idev->ctrl.irq);
	wake_up_all(&idev->ctrl_wq);
}

/* The ops table. */

/*
 * Place the parts one after the other behind the queue's control page,
 * each on a RPCDEV_IVSHMEM_ALIGN boundary, in the queue's own region.
 */
static int ivs_queue_mem(struct rpcdev_device *rdev, u32 qid,
			 struct rpcdev_queue_mem *mem)
{
	struct ivs_dev *idev = rpcdev_get_drvdata(rdev);
	struct ivs_queue *q = &idev->queues[qid];
	const struct rpcdev_queue_attach *l = &mem->layout;
	u64 off = RPCDEV_IVSHMEM_QPAGE_SIZE;
	int i;

	for (i = 0; i < RPCDEV_NR_PARTS; i++) {
		struct rpcdev_mem_part *p = &mem->part[i];
		u64 size = i == RPCDEV_PART_DEV ? l->dev_size :
			   i == RPCDEV_PART_HOST ? l->host_size : l->bufs_size;

		/* The layout's sizes are bounded well below this. */
		if (size > idev->queue_size - off)
			return -ENOMEM;
		q->part_off[i] = off;
		p->cpu = q->region + off;
		p->phys = q->region_phys + off;
		p->size = size;
		off += ALIGN(size, RPCDEV_IVSHMEM_ALIGN);
		if (off > idev->queue_size)
			off = idev->queue_size;
	}
	return 0;
}

static bool ivs_queue_acked(struct ivs_dev *idev, u32 qid)
{
	struct ivs_queue *q = &idev->queues[qid];

	return READ_ONCE(q->ack->generation) == q->gen;
}

/* Post request @req for queue @q with a new generation and wait for it. */
static int ivs_queue_request(struct ivs_queue *q, u32 req)
{
	struct ivs_dev *idev = q->idev;

	if (READ_ONCE(idev->lost))
		return -EIO;
	q->gen++;
	/* The configuration before the request word that announces it. */
	wmb();
	WRITE_ONCE(q->cfg->req, RPCDEV_IVSHMEM_QREQ(req, q->gen));
	ivs_ring(idev, ivs_ctrl_vector(idev));
	return ivs_wait_ack(idev, ivs_queue_acked, q->qid);
}

static void ivs_queue_cfg(struct ivs_queue *q,
			  const struct rpcdev_queue_mem *mem, u32 flags)
{
	struct rpcdev_ivshmem_qcfg *cfg = q->cfg;
	const struct rpcdev_queue_attach *l = &mem->layout;
	int i;

	WRITE_ONCE(cfg->depth, mem->depth);
	WRITE_ONCE(cfg->buf_size, mem->buf_size);
	WRITE_ONCE(cfg->attach_flags, flags & RPCDEV_IVSHMEM_QCFG_FLAGS);
	WRITE_ONCE(cfg->pad, 0);
	for (i = 0; i < RPCDEV_NR_PARTS; i++) {
		WRITE_ONCE(cfg->part_off[i], q->part_off[i]);
		WRITE_ONCE(cfg->part_size[i], mem->part[i].size);
	}
	WRITE_ONCE(cfg->dc_off, l->dc_off);
	WRITE_ONCE(cfg->uq_off, l->uq_off);
	WRITE_ONCE(cfg->dq_off, l->dq_off);
	WRITE_ONCE(cfg->ur_off, l->ur_off);
	memset(cfg->reserved, 0, sizeof(cfg->reserved));
}

static void ivs_queue_quiesce(struct ivs_queue *q)
{
	WRITE_ONCE(q->running, false);
	/* No handler still in the core for this queue, nor an unmask. */
	synchronize_irq(q->vec.irq);
	flush_delayed_work(&q->vec.unmask);
}

static int ivs_queue_start(struct rpcdev_device *rdev, u32 qid,
			   const struct rpcdev_queue_mem *mem, u32 flags)
{
	struct ivs_dev *idev = rpcdev_get_drvdata(rdev);
	struct ivs_queue *q = &idev->queues[qid];
	u32 state, error;
	int ret;

	ivs_queue_cfg(q, mem, flags);
	/* The firmware may answer at once: the memory is ready for it. */
	WRITE_ONCE(q->running, true);
	ret = ivs_queue_request(q, RPCDEV_IVSHMEM_QREQ_START);
	if (ret == -ETIMEDOUT)
		ivs_lose(idev, -EIO, "no acknowledgment of a start");
	if (!ret) {
		state = READ_ONCE(q->ack->state);
		error = READ_ONCE(q->ack->error);
		if (state != RPCDEV_IVSHMEM_QS_RUNNING || error) {
			dev_warn(&idev->pdev->dev,
				 "q%u: firmware refused the start (state %u, error %u)\n",
				 qid, state, error);
			ret = -EIO;
		}
	}
	if (ret) {
		ivs_queue_quiesce(q);
		/* Leave it stopped if the firmware did start it after all. */
		if (ret == -EIO && !READ_ONCE(idev->lost))
			ivs_queue_request(q, RPCDEV_IVSHMEM_QREQ_STOP);
	}
	return ret;
}

static void ivs_queue_stop(struct rpcdev_device *rdev, u32 qid)
{
	struct ivs_dev *idev = rpcdev_get_drvdata(rdev);
	struct ivs_queue *q = &idev->queues[qid];

	ivs_queue_quiesce(q);
	/*
	 * The memory is the device's own: a firmware that does not answer
	 * and writes on lands in BAR2, never in the guest's memory, and the
	 * next start zeroes the parts. So a stop always completes.
	 */
	if (ivs_queue_request(q, RPCDEV_IVSHMEM_QREQ_STOP) == -ETIMEDOUT)
		ivs_lose(idev, -EIO, "no acknowledgment of a stop");
}

static void ivs_doorbell(struct rpcdev_device *rdev, u32 qid)
{
	struct ivs_dev *idev = rpcdev_get_drvdata(rdev);

	ivs_ring(idev, qid);
}

static const struct rpcdev_ops ivs_ops = {
	.queue_mem = ivs_queue_mem,
	.queue_start = ivs_queue_start,
	.queue_stop = ivs_queue_stop,
	.doorbell = ivs_doorbell,
};

/* Probing. */

static int ivs_wait_ready(struct ivs_dev *idev)
{
	unsigned int waited;

	/* The firmware usually runs before QEMU starts: READY is there. */
	for (waited = 0; waited < RPCDEV_IVSHMEM_ACK_MS;
	     waited += IVS_ACK_POLL_MS) {
		if (READ_ONCE(idev->hdr->fw_state) == RPCDEV_IVSHMEM_FW_READY)
			return 0;
		msleep(IVS_ACK_POLL_MS);
	}
	return -ENODEV;
}

/* Check a copy of the header, as the contract's "What the driver checks". */
static int ivs_check_hdr(struct ivs_dev *idev,
			 const struct rpcdev_ivshmem_hdr *h)
{
	struct device *dev = &idev->pdev->dev;
	u64 align = max_t(u64, RPCDEV_IVSHMEM_ALIGN, PAGE_SIZE);
	u64 span, end;

	if (h->magic != RPCDEV_IVSHMEM_MAGIC ||
	    h->version != RPCDEV_IVSHMEM_VERSION) {
		dev_err(dev, "not rpcdev firmware (magic %#x, version %u)\n",
			h->magic, h->version);
		return -ENODEV;
	}
	if (!h->nr_queues || h->nr_queues > RPCDEV_MAX_QUEUES ||
	    h->nr_vectors != RPCDEV_IVSHMEM_VECTORS(h->nr_queues) ||
	    h->shm_size != idev->shm_size ||
	    !IS_ALIGNED(h->queue_off, align) ||
	    !IS_ALIGNED(h->queue_stride, align) ||
	    !IS_ALIGNED(h->queue_size, align) ||
	    h->queue_off < RPCDEV_IVSHMEM_HDR_SIZE ||
	    h->queue_size <= RPCDEV_IVSHMEM_QPAGE_SIZE ||
	    h->queue_size > h->queue_stride ||
	    check_mul_overflow(h->queue_stride, (u64)h->nr_queues, &span) ||
	    check_add_overflow(h->queue_off, span, &end) ||
	    end > idev->shm_size ||
	    h->fw_peer > 0xffff || h->fw_peer == idev->peer) {
		dev_err(dev, "firmware header out of range\n");
		return -EINVAL;
	}
	return 0;
}

static int ivs_read_hdr(struct ivs_dev *idev, struct rpcdev_ivshmem_hdr *h)
{
	int ret;

	ret = ivs_wait_ready(idev);
	if (ret) {
		dev_err(&idev->pdev->dev, "no firmware ready\n");
		return ret;
	}
	/* One copy, read after the state that validated it. */
	rmb();
	memcpy(h, idev->hdr, sizeof(*h));
	return ivs_check_hdr(idev, h);
}

/*
 * Each vector is named for its device and its part ("0000:00:05.0-q0",
 * "...-ctrl" in /proc/interrupts), so a lab can put a queue's interrupt
 * on the CPU of the thread that serves it (/proc/irq/N/smp_affinity_list):
 * the wake-up then needs no IPI.
 */
static void ivs_irq_init(struct ivs_irq *v, struct pci_dev *pdev,
			 unsigned int vector, const char *part, u32 qid,
			 work_func_t unmask)
{
	v->irq = pci_irq_vector(pdev, vector);
	if (part)
		snprintf(v->name, sizeof(v->name), "%s-%s", pci_name(pdev),
			 part);
	else
		snprintf(v->name, sizeof(v->name), "%s-q%u", pci_name(pdev),
			 qid);
	INIT_DELAYED_WORK(&v->unmask, unmask);
}

static void ivs_irq_free(struct ivs_irq *v, void *data)
{
	/*
	 * No handler runs once it is disabled, so no storm schedules another
	 * unmask; then none is left to enable a freed vector. free_irq()
	 * does not mind a disabled one.
	 */
	disable_irq(v->irq);
	cancel_delayed_work_sync(&v->unmask);
	free_irq(v->irq, data);
}

static void ivs_irqs_free(struct ivs_dev *idev, u32 nr)
{
	while (nr--)
		ivs_irq_free(&idev->queues[nr].vec, &idev->queues[nr]);
	ivs_irq_free(&idev->ctrl, idev);
}

static int ivs_irqs_request(struct ivs_dev *idev)
{
	struct pci_dev *pdev = idev->pdev;
	u32 i, nr = idev->desc.nr_queues;
	int ret;

	ivs_irq_init(&idev->ctrl, pdev, ivs_ctrl_vector(idev), "ctrl", 0,
		     ivs_ctrl_unmask);
	ret = request_irq(idev->ctrl.irq, ivs_ctrl_irq, 0, idev->ctrl.name,
			  idev);
	if (ret)
		return ret;
	for (i = 0; i < nr; i++) {
		struct ivs_queue *q = &idev->queues[i];

		ivs_irq_init(&q->vec, pdev, i, NULL, i, ivs_queue_unmask);
		ret = request_irq(q->vec.irq, ivs_queue_irq, 0, q->vec.name, q);
		if (ret) {
			ivs_irqs_free(idev, i);
			return ret;
		}
	}
	return 0;
}

static void ivs_queues_init(struct ivs_dev *idev,
			    const struct rpcdev_ivshmem_hdr *h)
{
	u32 i;

	for (i = 0; i < h->nr_queues; i++) {
		struct ivs_queue *q = &idev->queues[i];
		u64 off = h->queue_off + i * h->queue_stride;

		q->idev = idev;
		q->qid = i;
		q->region = idev->shm + off;
		q->region_phys = idev->shm_phys + off;
		q->cfg = q->region;
		q->ack = q->region + RPCDEV_IVSHMEM_QACK_OFF;
		/* Generations go on from the last the firmware acted on. */
		q->gen = READ_ONCE(q->ack->generation);
	}
}

static int ivs_stats_show(struct seq_file *m, void *unused)
{
	struct ivs_dev *idev = m->private;
	u32 i;

	seq_printf(m, "firmware %s\npeer %u\nfw_peer %u\nlost %d\n",
		   idev->fw_name, idev->peer, idev->fw_peer,
		   READ_ONCE(idev->lost));
	seq_printf(m, "fw_state %u\nheartbeat %llu\n",
		   READ_ONCE(idev->hdr->fw_state),
		   READ_ONCE(idev->hdr->heartbeat));
	/* Counters bumped by the handlers; a slightly stale view is fine. */
	seq_printf(m, "ctrl irqs %llu storms %llu\n",
		   READ_ONCE(idev->ctrl.total), READ_ONCE(idev->ctrl.storms));
	for (i = 0; i < idev->desc.nr_queues; i++) {
		const struct ivs_irq *v = &idev->queues[i].vec;

		seq_printf(m, "q%u irqs %llu storms %llu stray %llu\n", i,
			   READ_ONCE(v->total), READ_ONCE(v->storms),
			   READ_ONCE(v->stray));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ivs_stats);

/* Map the BARs; undone by ivs_unmap(). */
static int ivs_map(struct ivs_dev *idev)
{
	struct pci_dev *pdev = idev->pdev;
	int ret;

	ret = pci_request_regions(pdev, KBUILD_MODNAME);
	if (ret)
		return ret;
	idev->regs = pci_iomap(pdev, 0, 0);
	if (!idev->regs) {
		ret = -ENOMEM;
		goto err_regions;
	}
	idev->shm_phys = pci_resource_start(pdev, 2);
	idev->shm_size = pci_resource_len(pdev, 2);
	if (!idev->shm_size || !PAGE_ALIGNED(idev->shm_phys)) {
		ret = -ENODEV;
		goto err_regs;
	}
	idev->shm = memremap(idev->shm_phys, idev->shm_size, MEMREMAP_WB);
	if (!idev->shm) {
		ret = -ENOMEM;
		goto err_regs;
	}
	idev->hdr = idev->shm;
	idev->drv = idev->shm + RPCDEV_IVSHMEM_DRV_OFF;
	return 0;

err_regs:
	pci_iounmap(pdev, idev->regs);
err_regions:
	pci_release_regions(pdev);
	return ret;
}

static void ivs_unmap(struct ivs_dev *idev)
{
	memunmap(idev->shm);
	pci_iounmap(idev->pdev, idev->regs);
	pci_release_regions(idev->pdev);
}

/* Find the firmware and make the device's vectors; a probe's first half. */
static int ivs_setup(struct ivs_dev *idev, struct rpcdev_ivshmem_hdr *h)
{
	struct pci_dev *pdev = idev->pdev;
	int ret, nvec;

	idev->peer = ioread32(idev->regs + RPCDEV_IVSHMEM_REG_IVPOSITION);
	ret = ivs_read_hdr(idev, h);
	if (ret)
		return ret;

	nvec = pci_msix_vec_count(pdev);
	if (nvec < 0 || h->nr_vectors > nvec) {
		dev_err(&pdev->dev, "%u vectors needed, %d offered\n",
			h->nr_vectors, nvec);
		return -ENODEV;
	}
	ret = pci_alloc_irq_vectors(pdev, h->nr_vectors, h->nr_vectors,
				    PCI_IRQ_MSIX);
	return ret < 0 ? ret : 0;
}

static int ivs_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct rpcdev_ivshmem_hdr h;
	struct ivs_dev *idev;
	int ret;

	if (pdev->revision != RPCDEV_IVSHMEM_REVISION)
		return -ENODEV;

	/* Sized once the header is read: allocate for the most queues. */
	idev = kzalloc(struct_size(idev, queues, RPCDEV_MAX_QUEUES),
		       GFP_KERNEL);
	if (!idev)
		return -ENOMEM;
	idev->pdev = pdev;
	idev->desc.nr_queues = RPCDEV_MAX_QUEUES;
	init_waitqueue_head(&idev->ctrl_wq);
	INIT_DELAYED_WORK(&idev->watchdog, ivs_watchdog);
	pci_set_drvdata(pdev, idev);

	ret = pci_enable_device(pdev);
	if (ret)
		goto err_free;
	/* MSI-X messages are the device's memory writes: no master, none. */
	pci_set_master(pdev);
	ret = ivs_map(idev);
	if (ret)
		goto err_disable;
	ret = ivs_setup(idev, &h);
	if (ret)
		goto err_unmap;

	idev->fw_peer = h.fw_peer;
	/* Generations go on from the last the firmware acted on. */
	idev->drv_gen = h.fw_drv_gen;
	idev->fw_features = h.features;
	idev->queue_size = h.queue_size;
	strscpy(idev->fw_name, h.fw_name, sizeof(idev->fw_name));
	idev->desc = (struct rpcdev_desc) {
		.name = KBUILD_MODNAME,
		.nr_queues = h.nr_queues,
		.features = RPCDEV_FEAT_INFO | RPCDEV_FEAT_DOWNCALL |
			    RPCDEV_FEAT_UPCALL | RPCDEV_FEAT_MAILBOX |
			    RPCDEV_FEAT_USER_RINGS | RPCDEV_FEAT_RING_WAKE,
		.mem = RPCDEV_MEM_DEVICE,
		.ops = &ivs_ops,
	};
	if (h.features & RPCDEV_IVSHMEM_F_ASYNC_NOACK)
		idev->desc.features |= RPCDEV_FEAT_ASYNC_NOACK;
	if (h.features & RPCDEV_IVSHMEM_F_INLINE)
		idev->desc.features |= RPCDEV_FEAT_INLINE;
	ivs_queues_init(idev, &h);

	ret = ivs_irqs_request(idev);
	if (ret)
		goto err_vectors;
	ret = ivs_drv_state(idev, RPCDEV_IVSHMEM_DRV_UP);
	if (ret) {
		dev_err(&pdev->dev, "firmware did not acknowledge the driver\n");
		goto err_irqs;
	}

	/* "rpcdev_ivshmem.<PCI address>", unique and says where it is. */
	idev->rdev = rpcdev_alloc_device(&idev->desc, &pdev->dev,
					 pci_name(pdev));
	if (IS_ERR(idev->rdev)) {
		ret = PTR_ERR(idev->rdev);
		goto err_drv;
	}
	rpcdev_set_drvdata(idev->rdev, idev);
	ret = rpcdev_register_device(idev->rdev);
	if (ret)
		goto err_rdev;

	idev->beat = READ_ONCE(idev->hdr->heartbeat);
	idev->beat_at = jiffies;
	schedule_delayed_work(&idev->watchdog,
			      msecs_to_jiffies(RPCDEV_IVSHMEM_HEARTBEAT_MS));
	idev->debugfs = debugfs_create_dir(pci_name(pdev), ivs_debugfs_root);
	debugfs_create_file("stats", 0400, idev->debugfs, idev,
			    &ivs_stats_fops);
	dev_info(&pdev->dev, "%s: firmware %s, %u queues\n",
		 rpcdev_name(idev->rdev), idev->fw_name, h.nr_queues);
	return 0;

err_rdev:
	rpcdev_put_device(idev->rdev);
err_drv:
	ivs_drv_state(idev, RPCDEV_IVSHMEM_DRV_DOWN);
err_irqs:
	ivs_irqs_free(idev, idev->desc.nr_queues);
err_vectors:
	pci_free_irq_vectors(pdev);
err_unmap:
	ivs_unmap(idev);
err_disable:
	pci_clear_master(pdev);
	pci_disable_device(pdev);
err_free:
	kfree(idev);
	return ret;
}

/*
 * Removal, also with calls in flight (QMP device_del): the core wakes
 * every waiter with -ENODEV, zaps the user mappings of BAR2 and stops the
 * running queues before this unmaps anything.
 */
static void ivs_remove(struct pci_dev *pdev)
{
	struct ivs_dev *idev = pci_get_drvdata(pdev);

	debugfs_remove_recursive(idev->debugfs);
	cancel_delayed_work_sync(&idev->watchdog);
	rpcdev_unregister_device(idev->rdev);
	if (!READ_ONCE(idev->lost))
		ivs_drv_state(idev, RPCDEV_IVSHMEM_DRV_DOWN);
	ivs_irqs_free(idev, idev->desc.nr_queues);
	pci_free_irq_vectors(pdev);
	ivs_unmap(idev);
	pci_clear_master(pdev);
	pci_disable_device(pdev);
	kfree(idev);
}

static const struct pci_device_id ivs_ids[] = {
	{ PCI_DEVICE(RPCDEV_IVSHMEM_VENDOR, RPCDEV_IVSHMEM_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ivs_ids);

static struct pci_driver ivs_driver = {
	.name = KBUILD_MODNAME,
	.id_table = ivs_ids,
	.probe = ivs_probe,
	.remove = ivs_remove,
};

static int __init ivs_init(void)
{
	int ret;

	ivs_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ret = pci_register_driver(&ivs_driver);
	if (ret)
		debugfs_remove_recursive(ivs_debugfs_root);
	return ret;
}

static void __exit ivs_exit(void)
{
	pci_unregister_driver(&ivs_driver);
	debugfs_remove_recursive(ivs_debugfs_root);
}

module_init(ivs_init);
module_exit(ivs_exit);

MODULE_DESCRIPTION("rpcdev: QEMU ivshmem-doorbell devices with their firmware");
MODULE_AUTHOR("The rpcdev developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(RPCDEV_VERSION);
