// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev_sim: simulated rpcdev devices, as netdevsim and null_blk simulate
 * theirs, so the core can be used and tested on any kernel.
 *
 * Each simulated device is a platform device "rpcdev_sim.N" (the parent of
 * /dev/rpcdevM, and the device that does DMA) registered with the core
 * through the same ops table a hardware backend uses. It has
 *
 *  - its own interrupt controller: an irq domain with one interrupt per
 *    queue, on dummy_irq_chip, fired from a hard irq_work, so the core
 *    sees a real Linux IRQ (threaded on PREEMPT_RT, as on real hardware);
 *  - firmware (sim_fw.c): one kernel thread per running queue that serves
 *    the built-in methods (RPCDEV_SIM_*) and makes upcalls;
 *  - a debugfs directory, /sys/kernel/debug/rpcdev_sim/rpcdev_sim.N/, with
 *    counters that outlive a queue's attachment (upcalls a dead server
 *    left, for instance), and the faults a test may arm (sim_fault.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cleanup.h>
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "sim.h"

#define SIM_MAX_DEVICES		16

static unsigned int devices = 1;
module_param(devices, uint, 0444);
MODULE_PARM_DESC(devices, "Number of simulated devices (1-16, default 1)");

static unsigned int queues = 4;
module_param(queues, uint, 0444);
MODULE_PARM_DESC(queues, "Queue pairs per device (1-64, default 4)");

static int fw_cpu = -1;
module_param(fw_cpu, int, 0644);
MODULE_PARM_DESC(fw_cpu,
		 "CPU the firmware threads of queues started from now on run on (-1: any; for benchmarks)");

static unsigned int fw_spin_us = 50;
module_param(fw_spin_us, uint, 0644);
MODULE_PARM_DESC(fw_spin_us,
		 "How long firmware threads poll before they sleep, in us (default 50)");

static unsigned int fw_irq_hold_us = FW_IRQ_HOLD_US;
module_param(fw_irq_hold_us, uint, 0644);
MODULE_PARM_DESC(fw_irq_hold_us,
		 "How long at most an answer's interrupt waits while more calls wait, in us (default 50; 0: none waits)");

static struct sim_dev *sim_devs;
static struct dentry *sim_debugfs_root;

/* Interrupts. */

static void sim_irq_work(struct irq_work *work)
{
	struct sim_queue *sq = container_of(work, struct sim_queue, irq_work);

	generic_handle_domain_irq(sq->sd->domain, sq->qid);
}

static irqreturn_t sim_irq_handler(int irq, void *data)
{
	struct sim_queue *sq = data;

	rpcdev_queue_interrupt(sq->sd->rdev, sq->qid);
	return IRQ_HANDLED;
}

static int sim_irq_map(struct irq_domain *d, unsigned int virq,
		       irq_hw_number_t hw)
{
	/*
	 * Edge semantics, as MSI: an interrupt raised while the last one is
	 * still being handled on another CPU is replayed, not dropped (which
	 * handle_simple_irq() would do, losing a wakeup).
	 */
	irq_set_chip_and_handler(virq, &dummy_irq_chip, handle_edge_irq);
	return 0;
}

static const struct irq_domain_ops sim_irq_ops = {
	.map = sim_irq_map,
};

/* The ops table. */

static int sim_queue_start(struct rpcdev_device *rdev, u32 qid,
			   const struct rpcdev_queue_mem *mem, u32 flags)
{
	struct sim_dev *sd = rpcdev_get_drvdata(rdev);
	struct sim_queue *sq = &sd->queues[qid];
	char name[TASK_COMM_LEN];
	int ret;

	ret = sim_fault_start(sq);
	if (ret)
		return ret;
	ret = request_irq(sq->virq, sim_irq_handler, 0, rpcdev_name(rdev), sq);
	if (ret)
		return ret;
	sim_fault_running(sq, true);

	snprintf(name, sizeof(name), "rpcdev_sim/%u:%u", sd->pdev->id, qid);
	ret = sim_fw_start(sq, mem, flags, name, READ_ONCE(fw_cpu),
			   min(READ_ONCE(fw_spin_us), 100000U),
			   min_t(u32, READ_ONCE(fw_irq_hold_us),
				 FW_MAX_IRQ_HOLD_US));
	if (ret) {
		sim_fault_running(sq, false);
		free_irq(sq->virq, sq);
		return ret;
	}
	return 0;
}

static void sim_queue_stop(struct rpcdev_device *rdev, u32 qid)
{
	struct sim_dev *sd = rpcdev_get_drvdata(rdev);
	struct sim_queue *sq = &sd->queues[qid];

	/* Firmware first (no new interrupts), then those it raised. */
	sim_fw_stop(sq);
	/* A stopped queue's device forgets its registered buffers. */
	scoped_guard(mutex, &sq->buf_lock)
		memset(sq->bufs, 0, sizeof(sq->bufs));
	sim_fault_running(sq, false);
	irq_work_sync(&sq->irq_work);
	free_irq(sq->virq, sq);
}

static void sim_doorbell(struct rpcdev_device *rdev, u32 qid)
{
	struct sim_dev *sd = rpcdev_get_drvdata(rdev);

	wake_up(&sd->queues[qid].wq);
}

/*
 * Registered buffers: the firmware runs in the kernel and reaches them
 * through the core's vmap; the lock waits for a call using one to end.
 */
static int sim_buf_map(struct rpcdev_device *rdev, u32 qid, u32 index,
		       const struct rpcdev_reg_buf *buf)
{
	struct sim_dev *sd = rpcdev_get_drvdata(rdev);
	struct sim_queue *sq = &sd->queues[qid];

	guard(mutex)(&sq->buf_lock);
	sq->bufs[index].cpu = buf->cpu;
	sq->bufs[index].size = buf->size;
	return 0;
}

static void sim_buf_unmap(struct rpcdev_device *rdev, u32 qid, u32 index)
{
	struct sim_dev *sd = rpcdev_get_drvdata(rdev);
	struct sim_queue *sq = &sd->queues[qid];

	guard(mutex)(&sq->buf_lock);
	sq->bufs[index].cpu = NULL;
	sq->bufs[index].size = 0;
}

static const struct rpcdev_ops sim_ops = {
	.queue_start = sim_queue_start,
	.queue_stop = sim_queue_stop,
	.doorbell = sim_doorbell,
	.buf_map = sim_buf_map,
	.buf_unmap = sim_buf_unmap,
};

/*
 * What every simulated device is; the queue count is the module
 * parameter's, filled in before the first device is made.
 */
static struct rpcdev_desc sim_desc = {
	.name = KBUILD_MODNAME,
	.features = RPCDEV_FEAT_INFO | RPCDEV_FEAT_DOWNCALL |
		    RPCDEV_FEAT_UPCALL | RPCDEV_FEAT_MAILBOX |
		    RPCDEV_FEAT_USER_RINGS | RPCDEV_FEAT_RING_WAKE |
		    RPCDEV_FEAT_ASYNC_NOACK | RPCDEV_FEAT_REG_BUFS |
		    RPCDEV_FEAT_INLINE,
	.mem = RPCDEV_MEM_DMA,
	.ops = &sim_ops,
};

/* Devices. */

static int sim_queue_show(struct seq_file *m, void *unused)
{
	struct sim_queue *sq = m->private;
	const struct fw_lifetime *life = &sq->fw.life;

	/* Counters the firmware bumps; a slightly stale view is fine. */
	seq_printf(m, "calls %llu\nupcalls %llu\nno_server %llu\n",
		   READ_ONCE(life->calls), READ_ONCE(life->upcalls),
		   READ_ONCE(life->no_server));
	seq_printf(m, "stopped %llu\nupcall_timeouts %llu\n",
		   READ_ONCE(life->stopped), READ_ONCE(life->upcall_timeouts));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sim_queue);

static void sim_debugfs_add(struct sim_dev *sd)
{
	char name[16];
	unsigned int i;

	sd->debugfs = debugfs_create_dir(dev_name(&sd->pdev->dev),
					 sim_debugfs_root);
	for (i = 0; i < queues; i++) {
		snprintf(name, sizeof(name), "q%u", i);
		debugfs_create_file(name, 0400, sd->debugfs, &sd->queues[i],
				    &sim_queue_fops);
		sim_fault_debugfs(&sd->queues[i], sd->debugfs);
	}
}

static void sim_irqs_del(struct sim_dev *sd)
{
	unsigned int i;

	for (i = 0; i < queues; i++)
		if (sd->queues[i].virq)
			irq_dispose_mapping(sd->queues[i].virq);
	irq_domain_remove(sd->domain);
	irq_domain_free_fwnode(sd->fwnode);
}

static int sim_irqs_add(struct sim_dev *sd, unsigned int id)
{
	unsigned int i;

	sd->fwnode = irq_domain_alloc_named_id_fwnode(KBUILD_MODNAME, id);
	if (!sd->fwnode)
		return -ENOMEM;
	sd->domain = irq_domain_create_simple(sd->fwnode, queues, 0,
					      &sim_irq_ops, sd);
	if (!sd->domain) {
		irq_domain_free_fwnode(sd->fwnode);
		return -ENOMEM;
	}

	for (i = 0; i < queues; i++) {
		struct sim_queue *sq = &sd->queues[i];

		sq->sd = sd;
		sq->qid = i;
		init_waitqueue_head(&sq->wq);
		mutex_init(&sq->buf_lock);
		sim_fault_init(sq);
		/* Run in hard interrupt context even on PREEMPT_RT. */
		sq->irq_work = IRQ_WORK_INIT_HARD(sim_irq_work);
		sq->virq = irq_create_mapping(sd->domain, i);
		if (!sq->virq) {
			sim_irqs_del(sd);
			return -ENOMEM;
		}
	}
	return 0;
}

static int sim_dev_add(struct sim_dev *sd, unsigned int id)
{
	struct rpcdev_device *rdev;
	char instance[12];
	int ret;

	sd->queues = kcalloc(queues, sizeof(*sd->queues), GFP_KERNEL);
	if (!sd->queues)
		return -ENOMEM;

	sd->pdev = platform_device_register_simple(KBUILD_MODNAME, id, NULL, 0);
	if (IS_ERR(sd->pdev)) {
		ret = PTR_ERR(sd->pdev);
		goto err_queues;
	}

	ret = dma_coerce_mask_and_coherent(&sd->pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_pdev;

	ret = sim_irqs_add(sd, id);
	if (ret)
		goto err_pdev;

	/* "rpcdev_sim.<id>", as its platform device. */
	snprintf(instance, sizeof(instance), "%u", id);
	rdev = rpcdev_alloc_device(&sim_desc, &sd->pdev->dev, instance);
	if (IS_ERR(rdev)) {
		ret = PTR_ERR(rdev);
		goto err_irqs;
	}
	rpcdev_set_drvdata(rdev, sd);

	ret = rpcdev_register_device(rdev);
	if (ret)
		goto err_rdev;
	sd->rdev = rdev;
	sim_debugfs_add(sd);
	return 0;

err_rdev:
	rpcdev_put_device(rdev);
err_irqs:
	sim_irqs_del(sd);
err_pdev:
	platform_device_unregister(sd->pdev);
err_queues:
	kfree(sd->queues);
	return ret;
}

static void sim_dev_del(struct sim_dev *sd)
{
	debugfs_remove_recursive(sd->debugfs);
	/* Stops every running queue: no interrupt is raised after this. */
	rpcdev_unregister_device(sd->rdev);
	sim_irqs_del(sd);
	platform_device_unregister(sd->pdev);
	kfree(sd->queues);
}

static int __init sim_init(void)
{
	unsigned int i;
	int ret;

	if (!devices || devices > SIM_MAX_DEVICES || !queues ||
	    queues > RPCDEV_MAX_QUEUES)
		return -EINVAL;

	sim_desc.nr_queues = queues;
	sim_devs = kcalloc(devices, sizeof(*sim_devs), GFP_KERNEL);
	if (!sim_devs)
		return -ENOMEM;
	sim_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);

	for (i = 0; i < devices; i++) {
		ret = sim_dev_add(&sim_devs[i], i);
		if (ret)
			goto err_devs;
	}
	return 0;

err_devs:
	while (i--)
		sim_dev_del(&sim_devs[i]);
	debugfs_remove_recursive(sim_debugfs_root);
	kfree(sim_devs);
	return ret;
}

static void __exit sim_exit(void)
{
	unsigned int i = devices;

	while (i--)
		sim_dev_del(&sim_devs[i]);
	debugfs_remove_recursive(sim_debugfs_root);
	kfree(sim_devs);
}

module_init(sim_init);
module_exit(sim_exit);

MODULE_DESCRIPTION("rpcdev: simulated devices");
MODULE_AUTHOR("The rpcdev developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(RPCDEV_VERSION);
