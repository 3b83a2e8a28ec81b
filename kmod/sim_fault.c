// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev_sim fault injection: a device that misbehaves on purpose, so the
 * selftests can prove what the core does about each kind of misbehaviour.
 *
 * Each queue has a debugfs file, /sys/kernel/debug/rpcdev_sim/
 * rpcdev_sim.N/qM_fault. Writing "NAME VALUE" arms a fault; reading it
 * lists what is armed. The firmware's faults (enum fw_fault, fw/fw.h) are
 * taken by the answers they break, one shot at a time:
 *
 *   drop_reply N	the next N answers are never posted
 *   delay_reply_us US	the next answer is posted US microseconds late
 *   reply_twice N	the next N answers are posted twice
 *   bad_tag N		... with a tag that is not the call's
 *   bad_id N		... with an id past the queue's depth
 *   bad_seq N		... with a seq that is not their position's
 *   long_reply N	... with a length past the queue's buffers (an
 *			inline one: past RPCDEV_INLINE_MAX, still marked inline)
 *   bad_dc_prod N	the next N DC producer indices are impossible ones
 *   stall_us US	the firmware stops for US microseconds after taking
 *			the next call, with the rest of the burst waiting
 *
 * and the device's own:
 *
 *   fail_start ERRNO	the next start of the queue (an attach) fails with
 *			-ERRNO (1 to 4095)
 *   spurious_irqs N	raise N interrupts now, with nothing posted, each
 *			one handled before the next is raised (the queue
 *			must be running: EBUSY otherwise)
 *
 * Writing a value of 0 disarms. Armed faults outlive an attachment, so a
 * test arms them before or after it attaches, as it needs.
 */
#include <linux/debugfs.h>
#include <linux/interrupt.h>
#include <linux/irq_work.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "sim.h"

static const char *const sim_fault_names[FW_FAULT_NR] = {
	[FW_FAULT_DROP_REPLY] = "drop_reply",
	[FW_FAULT_DELAY_REPLY] = "delay_reply_us",
	[FW_FAULT_REPLY_TWICE] = "reply_twice",
	[FW_FAULT_BAD_TAG] = "bad_tag",
	[FW_FAULT_BAD_ID] = "bad_id",
	[FW_FAULT_BAD_SEQ] = "bad_seq",
	[FW_FAULT_LONG_REPLY] = "long_reply",
	[FW_FAULT_BAD_DC_PROD] = "bad_dc_prod",
	[FW_FAULT_STALL] = "stall_us",
};

u64 fw_fault(struct fw_queue *fq, unsigned int f)
{
	struct sim_faults *sf = &container_of(fq, struct sim_queue, fw)->faults;

	/* The common case, no fault armed, costs one load. */
	if (!READ_ONCE(sf->armed[f]))
		return 0;
	guard(spinlock)(&sf->lock);
	return fw_fault_take(&sf->armed[f], f);
}

/**
 * sim_fault_start() - the errno the queue's start is to fail with.
 * @sq:	the queue being started.
 *
 * Return: 0, or the armed fail_start as a negative errno (taken).
 */
int sim_fault_start(struct sim_queue *sq)
{
	guard(spinlock)(&sq->faults.lock);
	return -xchg(&sq->faults.fail_start, 0);
}

/**
 * sim_fault_running() - say whether the queue's interrupt may be raised.
 * @sq:		the queue.
 * @running:	true once its interrupt handler is requested, false before
 *		it is freed.
 */
void sim_fault_running(struct sim_queue *sq, bool running)
{
	guard(mutex)(&sq->faults.irq_lock);
	sq->faults.running = running;
}

/*
 * Raise @n interrupts, each handled before the next (none coalesce). The
 * irq_work only runs the hard part of the interrupt: on PREEMPT_RT the
 * handler is a thread that the hard part wakes, and wakes of a thread that
 * has not run yet are one run. synchronize_irq() waits for that thread too.
 */
static int sim_fault_irqs(struct sim_queue *sq, u64 n)
{
	guard(mutex)(&sq->faults.irq_lock);
	if (!sq->faults.running)
		return -EBUSY;
	while (n--) {
		irq_work_queue(&sq->irq_work);
		irq_work_sync(&sq->irq_work);
		synchronize_irq(sq->virq);
	}
	return 0;
}

static int sim_fault_arm(struct sim_queue *sq, const char *name, u64 val)
{
	struct sim_faults *sf = &sq->faults;
	int f;

	if (!strcmp(name, "spurious_irqs"))
		return val > 1000000 ? -EINVAL : sim_fault_irqs(sq, val);
	if (!strcmp(name, "fail_start")) {
		if (val >= MAX_ERRNO)
			return -EINVAL;
		guard(spinlock)(&sf->lock);
		sf->fail_start = val;
		return 0;
	}
	f = match_string(sim_fault_names, FW_FAULT_NR, name);
	if (f < 0 || !fw_fault_valid(f, val))
		return -EINVAL;
	guard(spinlock)(&sf->lock);
	WRITE_ONCE(sf->armed[f], val);
	return 0;
}

static ssize_t sim_fault_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	struct sim_queue *sq = file_inode(file)->i_private;
	char buf[64], name[32];
	u64 val;
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%31s %llu", name, &val) != 2)
		return -EINVAL;
	ret = sim_fault_arm(sq, name, val);
	return ret ? ret : len;
}

static int sim_fault_show(struct seq_file *m, void *unused)
{
	struct sim_queue *sq = m->private;
	struct sim_faults *sf = &sq->faults;
	u64 armed[FW_FAULT_NR];
	int fail_start, f;

	scoped_guard(spinlock, &sf->lock) {
		memcpy(armed, sf->armed, sizeof(armed));
		fail_start = sf->fail_start;
	}
	for (f = 0; f < FW_FAULT_NR; f++)
		seq_printf(m, "%s %llu\n", sim_fault_names[f], armed[f]);
	seq_printf(m, "fail_start %d\n", fail_start);
	return 0;
}

static int sim_fault_open(struct inode *inode, struct file *file)
{
	return single_open(file, sim_fault_show, inode->i_private);
}

static const struct file_operations sim_fault_fops = {
	.owner = THIS_MODULE,
	.open = sim_fault_open,
	.read = seq_read,
	.write = sim_fault_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * sim_fault_init() - set up a queue's faults, none armed.
 * @sq:		the queue, before its device is registered.
 */
void sim_fault_init(struct sim_queue *sq)
{
	spin_lock_init(&sq->faults.lock);
	mutex_init(&sq->faults.irq_lock);
}

/**
 * sim_fault_debugfs() - make a queue's fault file.
 * @sq:		the queue.
 * @dir:	its device's debugfs directory.
 */
void sim_fault_debugfs(struct sim_queue *sq, struct dentry *dir)
{
	char name[24];

	snprintf(name, sizeof(name), "q%u_fault", sq->qid);
	debugfs_create_file(name, 0600, dir, sq, &sim_fault_fops);
}
