/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rpcdev_sim internals shared by the device (sim.c) and its firmware
 * (sim_fw.c).
 */
#ifndef _RPCDEV_SIM_H
#define _RPCDEV_SIM_H

#include <linux/irq_work.h>
#include <linux/wait.h>

#include <linux/rpcdev_sim.h>

#include "rpcdev_backend.h"

/**
 * struct sim_reply - an answer the firmware owes on DC.
 * @due_ns:	when to post it (ktime_get_ns()); 0 when the slot is idle.
 * @entry:	the DC entry to post; its payload is already in DC buffer id.
 */
struct sim_reply {
	u64 due_ns;
	struct rpcdev_entry entry;
};

/**
 * struct sim_lifetime - counters of a queue over all its attachments,
 * shown in the sim's debugfs (the per-attachment ones are reset).
 * @calls:	downcalls taken.
 * @upcalls:	upcalls made.
 * @no_server:	upcalls answered RPCDEV_STATUS_NO_SERVER.
 * @upcall_timeouts: upcalls with no answer in time.
 */
struct sim_lifetime {
	u64 calls;
	u64 upcalls;
	u64 no_server;
	u64 upcall_timeouts;
};

/**
 * struct sim_queue - the firmware state of one queue.
 * @sd:		its device.
 * @qid:	its index.
 * @virq:	its Linux interrupt number.
 * @irq_work:	raises @virq from any context.
 * @task:	the firmware thread while the queue runs, else NULL.
 * @wq:		the thread sleeps here; the doorbell wakes it.
 * @mem:	the queue's memory, from queue_start.
 * @dq_cons:	firmware's DQ consumer index.
 * @dc_prod:	firmware's DC producer index.
 * @uq_prod:	firmware's UQ producer index.
 * @ur_cons:	firmware's UR consumer index.
 * @mb_prod:	firmware's device-to-host mailbox producer index.
 * @replies:	answers owed, one per call slot id.
 * @up_busy:	upcall ids in flight.
 * @nr_busy:	how many.
 * @noack:	async upcalls come back by the host's UQ consumer index
 *		(RPCDEV_ATTACH_ASYNC_NOACK), not by answers on UR.
 * @up_noack:	upcall ids in flight that the index gives back (@noack).
 * @uq_async:	per UQ position (mod depth): 1 + the id of the async upcall
 *		posted there that the index gives back, or 0.
 * @uq_freed:	the host's UQ consumer index as far as the device has
 *		taken slots back.
 * @run:	counts RPCDEV_SIM_UPCALLS runs; in the upcalls' tags, so a
 *		late answer to an earlier run is recognized.
 * @up_start:	when each upcall in flight was posted (ns).
 * @lat:	round trip times of the current RPCDEV_SIM_UPCALLS run.
 * @spin_ns:	how long the firmware polls before it arms its doorbell.
 * @stage_sum:	sums of the parts of stamped round trips in the current
 *		RPCDEV_SIM_UPCALLS run.
 * @stats:	RPCDEV_SIM_STATS counters, per attachment.
 * @life:	counters over all attachments.
 */
struct sim_queue {
	struct sim_dev *sd;
	u32 qid;
	unsigned int virq;
	struct irq_work irq_work;
	struct task_struct *task;
	wait_queue_head_t wq;
	struct rpcdev_queue_mem mem;
	u32 dq_cons;
	u32 dc_prod;
	u32 uq_prod;
	u32 ur_cons;
	u32 mb_prod;
	struct sim_reply *replies;
	bool *up_busy;
	u32 nr_busy;
	bool noack;
	bool *up_noack;
	u32 *uq_async;
	u32 uq_freed;
	u32 run;
	u64 *up_start;
	u64 *lat;
	u64 spin_ns;
	u64 stage_sum[4];
	struct rpcdev_sim_stats stats;
	struct sim_lifetime life;
};

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
		 const char *name, int cpu, u32 spin_us);
void sim_fw_stop(struct sim_queue *sq);

#endif /* _RPCDEV_SIM_H */
