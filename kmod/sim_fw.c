// SPDX-License-Identifier: GPL-2.0
/*
 * The host of rpcdev_sim's firmware: the portable firmware of fw/ runs in
 * one kernel thread per running queue, sleeps on a wait queue the doorbell
 * wakes, and raises the queue's interrupt through an irq_work. The same
 * firmware runs behind a PCI boundary in the ivshmem firmware program,
 * whose host is scripts/ivshmem/.
 */
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include "sim.h"

static struct sim_queue *sim_fw_queue(struct fw_queue *fq)
{
	return container_of(fq, struct sim_queue, fw);
}

bool fw_should_stop(struct fw_queue *fq)
{
	return kthread_should_stop();
}

void fw_sleep(struct fw_queue *fq, bool (*ready)(struct fw_queue *fq),
	      u64 deadline)
{
	struct sim_queue *sq = sim_fw_queue(fq);
	u64 now = ktime_get_ns();
	ktime_t left;

	if (deadline == U64_MAX) {
		wait_event_interruptible(sq->wq, ready(fq) ||
					 kthread_should_stop());
	} else if (deadline > now) {
		left = ns_to_ktime(deadline - now);
		wait_event_interruptible_hrtimeout(sq->wq, ready(fq) ||
						   kthread_should_stop(), left);
	}
}

void fw_interrupt(struct fw_queue *fq)
{
	irq_work_queue(&sim_fw_queue(fq)->irq_work);
}

void fw_bufs_lock(struct fw_queue *fq)
{
	mutex_lock(&sim_fw_queue(fq)->buf_lock);
}

void fw_bufs_unlock(struct fw_queue *fq)
{
	mutex_unlock(&sim_fw_queue(fq)->buf_lock);
}

void *fw_buf_at(struct fw_queue *fq, u32 index, u64 off, u64 len)
{
	struct sim_queue *sq = sim_fw_queue(fq);
	const struct sim_buf *b;

	lockdep_assert_held(&sq->buf_lock);
	if (index >= RPCDEV_MAX_REG_BUFS)
		return NULL;
	b = &sq->bufs[index];
	if (!b->cpu || off > b->size || len > b->size - off)
		return NULL;
	return b->cpu + off;
}

static int sim_firmware(void *data)
{
	struct sim_queue *sq = data;

	fw_queue_run(&sq->fw);
	return 0;
}

/* Where the firmware finds the parts the core allocated. */
static void sim_fw_mem(struct fw_mem *fm, const struct rpcdev_queue_mem *mem,
		       u32 flags)
{
	const struct rpcdev_queue_attach *l = &mem->layout;
	void *dev = mem->part[RPCDEV_PART_DEV].cpu;
	void *host = mem->part[RPCDEV_PART_HOST].cpu;

	fm->depth = mem->depth;
	fm->buf_size = mem->buf_size;
	fm->flags = flags;
	fm->dctrl = dev;
	fm->dc = dev + l->dc_off;
	fm->uq = dev + l->uq_off;
	fm->hctrl = host;
	fm->dq = host + l->dq_off;
	fm->ur = host + l->ur_off;
	fm->dc_buf = mem->part[RPCDEV_PART_DC_BUF].cpu;
	fm->uq_buf = mem->part[RPCDEV_PART_UQ_BUF].cpu;
	fm->dq_buf = mem->part[RPCDEV_PART_DQ_BUF].cpu;
	fm->ur_buf = mem->part[RPCDEV_PART_UR_BUF].cpu;
}

/**
 * sim_fw_start() - start the firmware of a queue.
 * @sq:		the queue.
 * @mem:	its memory.
 * @flags:	the queue's RPCDEV_ATTACH_* bits.
 * @name:	the thread's name.
 * @cpu:	the CPU to run it on, or -1 for any.
 * @spin_us:	how long the firmware polls before it sleeps.
 * @irq_hold_us: how long at most an answer's interrupt waits while more
 *		calls wait.
 *
 * Return: 0 or a negative errno.
 */
int sim_fw_start(struct sim_queue *sq, const struct rpcdev_queue_mem *mem,
		 u32 flags, const char *name, int cpu, u32 spin_us,
		 u32 irq_hold_us)
{
	struct fw_mem fm;
	int ret;

	sim_fw_mem(&fm, mem, flags);
	ret = fw_queue_start(&sq->fw, &fm, (u64)spin_us * NSEC_PER_USEC,
			     (u64)irq_hold_us * NSEC_PER_USEC);
	if (ret)
		return ret;

	sq->task = kthread_create(sim_firmware, sq, "%s", name);
	if (IS_ERR(sq->task)) {
		ret = PTR_ERR(sq->task);
		sq->task = NULL;
		fw_queue_stop(&sq->fw);
		return ret;
	}
	if (cpu >= 0 && cpu < nr_cpu_ids && cpu_online(cpu))
		kthread_bind(sq->task, cpu);
	wake_up_process(sq->task);
	return 0;
}

/**
 * sim_fw_stop() - stop the firmware of a queue: when this returns it no
 * longer touches the queue's memory.
 * @sq:		the queue.
 */
void sim_fw_stop(struct sim_queue *sq)
{
	kthread_stop(sq->task);
	sq->task = NULL;
	fw_queue_stop(&sq->fw);
}
