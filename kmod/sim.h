/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rpcdev_sim internals shared by the device (sim.c) and the host of its
 * firmware (sim_fw.c, which runs the portable firmware of fw/).
 */
#ifndef _RPCDEV_SIM_H
#define _RPCDEV_SIM_H

#include <linux/cache.h>
#include <linux/irq_work.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include <linux/rpcdev_sim.h>

#include "rpcdev_backend.h"
#include "fw/fw.h"

/**
 * struct sim_faults - what a queue is to do wrong on purpose (sim_fault.c).
 * @lock:	protects @armed (written with WRITE_ONCE: the firmware looks
 *		without the lock first) and @fail_start.
 * @armed:	per enum fw_fault, shots left or the value to apply.
 * @fail_start:	the errno the queue's next start fails with, or 0.
 * @irq_lock:	serializes spurious interrupts against the queue's stop.
 * @running:	the queue's interrupt handler is requested; under @irq_lock.
 */
struct sim_faults {
	spinlock_t lock;
	u64 armed[FW_FAULT_NR];
	int fail_start;
	struct mutex irq_lock;
	bool running;
};

/**
 * struct sim_buf - a registered buffer as the firmware reaches it.
 * @cpu:	its kernel mapping, or NULL for none at this index.
 * @size:	its bytes.
 */
struct sim_buf {
	void *cpu;
	u64 size;
};

/**
 * struct sim_queue - one queue of a simulated device.
 * @sd:		its device.
 * @qid:	its index.
 * @virq:	its Linux interrupt number.
 * @irq_work:	raises @virq from any context.
 * @task:	the firmware thread while the queue runs, else NULL.
 * @wq:		the thread sleeps here; the doorbell wakes it.
 * @fw:		the firmware's state (fw/fw.h), run by @task.
 * @faults:	the faults armed on it.
 * @buf_lock:	held by the firmware while it reads or writes a registered
 *		buffer, and by the ops that change @bufs, so a buffer
 *		unmapped is one the firmware is done with.
 * @bufs:	the registered buffers of the running queue, by index.
 *
 * Each queue's firmware thread runs on a CPU of its own, writing the
 * fields at the start of its queue (@irq_work, @wq, @fw): they start on a
 * cache line of their own, not one with the end of the queue before.
 */
struct sim_queue {
	struct sim_dev *sd;
	u32 qid;
	unsigned int virq;
	struct irq_work irq_work;
	struct task_struct *task;
	wait_queue_head_t wq;
	struct fw_queue fw;
	struct sim_faults faults;
	struct mutex buf_lock;
	struct sim_buf bufs[RPCDEV_MAX_REG_BUFS];
} ____cacheline_aligned_in_smp;

/**
 * struct sim_dev - one simulated device.
 * @pdev:	its platform device, the parent of the rpcdev device.
 * @rdev:	the core's view of it.
 * @fwnode:	names its irq domain.
 * @domain:	its interrupt controller.
 * @debugfs:	its debugfs directory.
 * @queues:	firmware state, one per queue.
 */
struct sim_dev {
	struct platform_device *pdev;
	struct rpcdev_device *rdev;
	struct fwnode_handle *fwnode;
	struct irq_domain *domain;
	struct dentry *debugfs;
	struct sim_queue *queues;
};

/* sim_fw.c */
int sim_fw_start(struct sim_queue *sq, const struct rpcdev_queue_mem *mem,
		 u32 flags, const char *name, int cpu, u32 spin_us,
		 u32 irq_hold_us);
void sim_fw_stop(struct sim_queue *sq);

/* sim_fault.c */
void sim_fault_init(struct sim_queue *sq);
void sim_fault_debugfs(struct sim_queue *sq, struct dentry *dir);
int sim_fault_start(struct sim_queue *sq);
void sim_fault_running(struct sim_queue *sq, bool running);

#endif /* _RPCDEV_SIM_H */
