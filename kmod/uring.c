// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev io_uring commands: file_operations.uring_cmd, so a program drives
 * calls, upcalls and the mailbox of many queues from one ring (see "io_uring
 * commands" in the uapi header). The work is that of the ioctls, through
 * the same helpers of call.c, upcall.c and mbox.c; what is new here is only
 * how a command waits:
 *
 *   RPCDEV_URING_CALL		on its slot (struct rpcdev_slot.ucmd), taken
 *				off by rpcdev_reap_completions();
 *   RPCDEV_URING_UPCALL_*	on q->ur_fetch, given the next upcall by the
 *				interrupt (rpcdev_uring_deliver());
 *   RPCDEV_URING_MBOX_WAIT	on q->ur_mbox, woken per message.
 *
 * A command is on one of these (and on q->ur_calls for a call) exactly
 * while it is PENDING, under q->lock. Whoever takes it off owns its one
 * completion: the interrupt, the device going away (rpcdev_uring_fail()),
 * a call's timeout (rpcdev_uring_timeout()), io_uring's cancel
 * (IO_URING_F_CANCEL, 6.12) or the monitor (6.1). All
 * but the cancel complete it from its task (io_uring_cmd_complete_in_task()),
 * where the results are copied out. Nothing reads the SQE after the issue:
 * its command area is read once, at the issue.
 */
#include <linux/cleanup.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "rpcdev_compat.h"
#include "rpcdev_core.h"

/* How often the 6.1 monitor looks at pending commands. */
#define RPCDEV_URING_MONITOR_MS	50

enum rpcdev_uring_op {
	RPCDEV_UOP_CALL,
	RPCDEV_UOP_FETCH,
	RPCDEV_UOP_MBOX,
};

/*
 * NEW		issued, not yet waiting: nobody else may complete it.
 * PENDING	waiting, on one of the queue's lists.
 * READY	taken off with its result; its task work completes it.
 * FAILED	taken off with @err; its task work completes it so.
 */
enum rpcdev_uring_state {
	RPCDEV_URING_NEW,
	RPCDEV_URING_PENDING,
	RPCDEV_URING_READY,
	RPCDEV_URING_FAILED,
};

/**
 * struct rpcdev_uring_pdu - what rpcdev keeps in a command (its pdu).
 * @node:	on q->ur_calls, ur_fetch or ur_mbox while PENDING; on a
 *		private list of commands to complete after that.
 * @addr:	the user address of the command's argument (struct
 *		rpcdev_call, rpcdev_upcall or rpcdev_mbox_msg).
 * @id:		CALL: the slot; FETCH, once READY: the upcall delivered.
 * @err:	FAILED: the negative errno the command ends with.
 * @op:		enum rpcdev_uring_op.
 * @state:	enum rpcdev_uring_state; under q->lock once the command
 *		was PENDING.
 */
struct rpcdev_uring_pdu {
	struct list_head node;
	u64 addr;
	u32 id;
	s16 err;
	u8 op;
	u8 state;
};

static struct rpcdev_uring_pdu *rpcdev_pdu(struct io_uring_cmd *cmd)
{
	BUILD_BUG_ON(sizeof(struct rpcdev_uring_pdu) >
		     sizeof_field(struct io_uring_cmd, pdu));
	return (struct rpcdev_uring_pdu *)cmd->pdu;
}

static struct io_uring_cmd *rpcdev_pdu_cmd(struct rpcdev_uring_pdu *p)
{
	return container_of((void *)p, struct io_uring_cmd, pdu);
}

static struct rpcdev_queue *rpcdev_cmd_queue(struct io_uring_cmd *cmd)
{
	struct rpcdev_file *f = cmd->file->private_data;

	return rpcdev_file_queue(f);
}

static void rpcdev_uring_monitor(struct work_struct *work);
static void rpcdev_uring_timeout(struct work_struct *work);

void rpcdev_uring_init(struct rpcdev_queue *q)
{
	INIT_LIST_HEAD(&q->ur_calls);
	INIT_LIST_HEAD(&q->ur_fetch);
	INIT_LIST_HEAD(&q->ur_mbox);
	INIT_DELAYED_WORK(&q->ur_monitor, rpcdev_uring_monitor);
	INIT_DELAYED_WORK(&q->ur_timer, rpcdev_uring_timeout);
}

/* The queue's file is going: no command holds it, so none is pending. */
void rpcdev_uring_detach(struct rpcdev_queue *q)
{
	cancel_delayed_work_sync(&q->ur_monitor);
	cancel_delayed_work_sync(&q->ur_timer);
	q->ur_next = 0;
	WARN_ON_ONCE(!list_empty(&q->ur_calls) || !list_empty(&q->ur_fetch) ||
		     !list_empty(&q->ur_mbox));
}

/* Commands pending on @q, for debugfs. Called with q->lock held. */
u32 rpcdev_uring_pending(struct rpcdev_queue *q)
{
	struct list_head *lists[] = { &q->ur_calls, &q->ur_fetch, &q->ur_mbox };
	struct list_head *pos;
	u32 i, n = 0;

	for (i = 0; i < ARRAY_SIZE(lists); i++)
		list_for_each(pos, lists[i])
			n++;
	return n;
}

/* Where io_uring cannot cancel, watch the pending commands (6.1). */
static void rpcdev_uring_watch(struct rpcdev_queue *q)
{
#ifndef RPCDEV_HAVE_URING_CANCEL
	schedule_delayed_work(&q->ur_monitor,
			      msecs_to_jiffies(RPCDEV_URING_MONITOR_MS));
#endif
}

/* Put a NEW command on @list. Called with q->lock held. */
static void rpcdev_uring_link(struct rpcdev_uring_pdu *p,
			      struct list_head *list)
{
	p->state = RPCDEV_URING_PENDING;
	list_add_tail(&p->node, list);
}

/*
 * Take a PENDING command off its list, to fail it with @err: a call's slot
 * is abandoned to the device. Called with q->lock held.
 */
static void rpcdev_uring_unlink(struct rpcdev_queue *q,
				struct rpcdev_uring_pdu *p, int err)
{
	if (p->op == RPCDEV_UOP_CALL) {
		q->slots[p->id].ucmd = NULL;
		rpcdev_slot_abandon(q, p->id);
	}
	list_del(&p->node);
	p->state = RPCDEV_URING_FAILED;
	p->err = err;
}

/* Take a PENDING command off with its result, onto @ready (q->lock held). */
static void rpcdev_uring_ready(struct rpcdev_uring_pdu *p,
			       struct list_head *ready)
{
	p->state = RPCDEV_URING_READY;
	list_move_tail(&p->node, ready);
}

static void rpcdev_uring_tw(struct io_uring_cmd *cmd, unsigned int issue_flags);

/**
 * rpcdev_uring_complete() - complete commands taken off their lists.
 * @ready:	READY or FAILED commands, on their node; emptied.
 *
 * Each is completed from its task. Not under q->lock (it may wake the
 * task); any context, the device's interrupt included.
 */
void rpcdev_uring_complete(struct list_head *ready)
{
	struct rpcdev_uring_pdu *p, *n;

	list_for_each_entry_safe(p, n, ready, node) {
		list_del(&p->node);
		/* @p may be gone once this returns. */
		io_uring_cmd_complete_in_task(rpcdev_pdu_cmd(p), rpcdev_uring_tw);
	}
}

/* Slot @s's answer came (rpcdev_complete_one(), q->lock held). */
void rpcdev_uring_call_done(struct rpcdev_queue *q, struct rpcdev_slot *s,
			    struct list_head *ready)
{
	struct rpcdev_uring_pdu *p = rpcdev_pdu(s->ucmd);

	s->ucmd = NULL;
	rpcdev_uring_ready(p, ready);
}

/**
 * rpcdev_uring_deliver() - hand what the device produced to waiting commands.
 * @q:	a running queue the kernel drives, from its interrupt.
 *
 * Each waiting FETCH gets the next upcall, in order; as many MBOX_WAIT
 * commands as messages wait are woken to take one each.
 */
void rpcdev_uring_deliver(struct rpcdev_queue *q)
{
	struct rpcdev_uring_pdu *p, *n;
	bool bell = false;
	LIST_HEAD(ready);
	u32 msgs;

	scoped_guard(spinlock_irqsave, &q->lock) {
		list_for_each_entry_safe(p, n, &q->ur_fetch, node) {
			struct rpcdev_entry ue;

			if (!rpcdev_uq_take(q, &ue, &bell))
				break;
			p->id = ue.id;
			rpcdev_uring_ready(p, &ready);
		}
		msgs = rpcdev_mbox_avail(q);
		list_for_each_entry_safe(p, n, &q->ur_mbox, node) {
			if (!msgs--)
				break;
			rpcdev_uring_ready(p, &ready);
		}
	}
	if (bell)
		rpcdev_doorbell(q);
	rpcdev_uring_complete(&ready);
}

/* Fail every command on @list with @err onto @ready (q->lock held). */
static void rpcdev_uring_fail_list(struct rpcdev_queue *q,
				   struct list_head *list, int err,
				   struct list_head *ready)
{
	struct rpcdev_uring_pdu *p, *n;

	list_for_each_entry_safe(p, n, list, node) {
		rpcdev_uring_unlink(q, p, err);
		list_add_tail(&p->node, ready);
	}
}

/**
 * rpcdev_uring_fail() - end every pending command: the device went away.
 * @q:	a queue of a device whose @gone is set.
 *
 * Commands end with the device's error (-ENODEV for a removed device,
 * -EIO for a lost one). A command issued later sees @gone under q->lock.
 */
void rpcdev_uring_fail(struct rpcdev_queue *q)
{
	int err = rpcdev_gone(q->rdev);
	LIST_HEAD(ready);

	scoped_guard(spinlock_irqsave, &q->lock) {
		rpcdev_uring_fail_list(q, &q->ur_calls, err, &ready);
		rpcdev_uring_fail_list(q, &q->ur_fetch, err, &ready);
		rpcdev_uring_fail_list(q, &q->ur_mbox, err, &ready);
	}
	rpcdev_uring_complete(&ready);
}

/*
 * Arm q->ur_timer for @deadline unless it is armed for one as early.
 * Called with q->lock held (mod_delayed_work() may be, from any context).
 */
static void rpcdev_uring_arm(struct rpcdev_queue *q, u64 deadline)
{
	u64 now = ktime_get_ns(), delay = 0;

	if (q->ur_next && q->ur_next <= deadline)
		return;
	q->ur_next = deadline;
	/*
	 * Rounded up, so the work finds the deadline passed (or else arms
	 * again); a deadline years away waits as long as a timer can.
	 */
	if (deadline > now)
		delay = min_t(u64, nsecs_to_jiffies64(deadline - now) + 1,
			      MAX_JIFFY_OFFSET);
	mod_delayed_work(system_wq, &q->ur_timer, delay);
}

/*
 * A call's timeout_ns passed: end it with -ETIMEDOUT, its slot abandoned
 * to the device as RPCDEV_IOC_CALL's is, and arm for the next deadline.
 */
static void rpcdev_uring_timeout(struct work_struct *work)
{
	struct rpcdev_queue *q = container_of(to_delayed_work(work),
					      struct rpcdev_queue, ur_timer);
	struct rpcdev_uring_pdu *p, *n;
	u64 now = ktime_get_ns(), next = 0;
	LIST_HEAD(ready);

	scoped_guard(spinlock_irqsave, &q->lock) {
		q->ur_next = 0;
		list_for_each_entry_safe(p, n, &q->ur_calls, node) {
			u64 deadline = q->slots[p->id].deadline;

			if (!deadline)
				continue;
			if (deadline <= now) {
				rpcdev_uring_unlink(q, p, -ETIMEDOUT);
				list_add_tail(&p->node, &ready);
				q->stats.timeouts++;
			} else if (!next || deadline < next) {
				next = deadline;
			}
		}
		if (next)
			rpcdev_uring_arm(q, next);
	}
	rpcdev_uring_complete(&ready);
}

#ifdef RPCDEV_HAVE_URING_CANCEL
static void rpcdev_uring_monitor(struct work_struct *work)
{
}
#else
/* Fail the commands on @list whose ring is going onto @ready. */
static void rpcdev_uring_reap_dying(struct rpcdev_queue *q,
				    struct list_head *list,
				    struct list_head *ready)
{
	struct rpcdev_uring_pdu *p, *n;

	list_for_each_entry_safe(p, n, list, node) {
		if (!rpcdev_uring_cmd_dying(rpcdev_pdu_cmd(p)))
			continue;
		rpcdev_uring_unlink(q, p, -ECANCELED);
		list_add_tail(&p->node, ready);
	}
}

/*
 * 6.1 never cancels a uring_cmd: a ring closed (or whose task exited)
 * with commands pending waits for them, and with them for the files they
 * hold, forever. So, as ublk did before 6.7, look at them now and then and
 * end those whose task is exiting or whose ring is closed.
 */
static void rpcdev_uring_monitor(struct work_struct *work)
{
	struct rpcdev_queue *q = container_of(to_delayed_work(work),
					      struct rpcdev_queue, ur_monitor);
	LIST_HEAD(ready);
	bool more;

	scoped_guard(spinlock_irqsave, &q->lock) {
		rpcdev_uring_reap_dying(q, &q->ur_calls, &ready);
		rpcdev_uring_reap_dying(q, &q->ur_fetch, &ready);
		rpcdev_uring_reap_dying(q, &q->ur_mbox, &ready);
		more = !list_empty(&q->ur_calls) || !list_empty(&q->ur_fetch) ||
		       !list_empty(&q->ur_mbox);
	}
	rpcdev_uring_complete(&ready);
	if (more)
		rpcdev_uring_watch(q);
}
#endif

/* IO_URING_F_CANCEL: the ring is closing or the task exiting (6.12). */
static int rpcdev_uring_cancel(struct io_uring_cmd *cmd,
			       unsigned int issue_flags)
{
	struct rpcdev_uring_pdu *p = rpcdev_pdu(cmd);
	struct rpcdev_queue *q = rpcdev_cmd_queue(cmd);
	bool mine = false;

	/*
	 * A file without a queue: the command is still being issued (from
	 * io-wq; an inline issue holds the ring's lock, as the cancel does)
	 * and will fail. io_uring asks again until it has ended.
	 */
	if (!q)
		return 0;
	scoped_guard(spinlock_irqsave, &q->lock) {
		if (p->state == RPCDEV_URING_PENDING) {
			rpcdev_uring_unlink(q, p, -ECANCELED);
			mine = true;
		}
	}
	/*
	 * Otherwise its task work is on the way and completes it. Ours is
	 * posted by task work too, not deferred: io_ring_exit_work(), a
	 * kworker, flushes deferred completions at once, and for a ring set
	 * up with IORING_SETUP_DEFER_TASKRUN whose task still lives 6.12's
	 * lockdep wants that task there (io_lockdep_assert_cq_locked()).
	 * Task work posts the CQE from the ring's task, or from io_uring's
	 * fallback work once that task exits.
	 */
	if (mine)
		rpcdev_uring_done(cmd, -ECANCELED,
				  issue_flags & ~IO_URING_F_COMPLETE_DEFER);
	return 0;
}

/*
 * A NEW command goes on @list; or, if the device went, fails with its
 * error; or, with @got, is READY already (the caller found its result
 * under the lock). The last two go on @ready, for the caller to complete
 * once it has dropped q->lock. Called with q->lock held.
 */
static void rpcdev_uring_queue_locked(struct rpcdev_queue *q,
				      struct rpcdev_uring_pdu *p,
				      struct list_head *list, bool got,
				      struct list_head *ready)
{
	int err = rpcdev_gone(q->rdev);

	if (err) {
		p->state = RPCDEV_URING_FAILED;
		p->err = err;
		list_add_tail(&p->node, ready);
	} else if (got) {
		p->state = RPCDEV_URING_READY;
		list_add_tail(&p->node, ready);
	} else {
		rpcdev_uring_link(p, list);
	}
}

static int rpcdev_uring_call(struct rpcdev_queue *q, struct io_uring_cmd *cmd,
			     unsigned int issue_flags)
{
	struct rpcdev_uring_pdu *p = rpcdev_pdu(cmd);
	struct rpcdev_call call;
	LIST_HEAD(ready);
	u64 deadline;
	bool failed;
	int id, ret;

	ret = rpcdev_copy_from_user(q->rdev, &call, u64_to_user_ptr(p->addr),
				    sizeof(call));
	if (ret)
		return ret;
	/* Saturated: a deadline too far to reach is no deadline at all. */
	deadline = call.timeout_ns ? ktime_get_ns() : 0;
	if (check_add_overflow(deadline, call.timeout_ns, &deadline))
		deadline = U64_MAX;
	id = rpcdev_call_start(q, &call);
	if (id < 0)
		return id;

	p->id = id;
	scoped_guard(spinlock_irqsave, &q->lock) {
		failed = rpcdev_gone(q->rdev);
		if (failed) {
			rpcdev_slot_free_locked(q, id);
			p->state = RPCDEV_URING_FAILED;
			p->err = rpcdev_gone(q->rdev);
			list_add_tail(&p->node, &ready);
		} else {
			q->slots[id].ucmd = cmd;
			q->slots[id].resp = call.resp;
			q->slots[id].resp_cap = call.resp_cap;
			q->slots[id].deadline = deadline;
			rpcdev_uring_link(p, &q->ur_calls);
			if (deadline)
				rpcdev_uring_arm(q, deadline);
		}
	}
	/* From here on the command may complete at any moment. */
	rpcdev_uring_complete(&ready);
	if (!failed) {
		rpcdev_post(q, id, call.method, call.req_len);
		rpcdev_uring_watch(q);
	}
	return -EIOCBQUEUED;
}

/* Tell the server of upcall @id at @addr, or answer for it. */
static int rpcdev_uring_upcall_out(struct rpcdev_queue *q, u64 addr, u32 id)
{
	struct rpcdev_upcall __user *ua = u64_to_user_ptr(addr);
	struct rpcdev_upcall a;
	int ret;

	rpcdev_upcall_fill(&a, &q->upcalls[id].entry);
	/* The out fields, id to tag, are contiguous. */
	ret = rpcdev_copy_to_user(q->rdev, &ua->id, &a.id,
				  offsetofend(struct rpcdev_upcall, tag) -
				  offsetof(struct rpcdev_upcall, id));
	/* A removed device's queue takes no more answers. */
	if (ret && !rpcdev_gone(q->rdev))
		rpcdev_upcall_undeliver(q, id);
	return ret;
}

static int rpcdev_uring_upcall(struct rpcdev_queue *q, struct io_uring_cmd *cmd,
			       u32 want, unsigned int issue_flags)
{
	struct rpcdev_uring_pdu *p = rpcdev_pdu(cmd);
	struct rpcdev_upcall a;
	struct rpcdev_entry ue;
	bool bell = false;
	LIST_HEAD(ready);
	int ret, got;

	ret = rpcdev_copy_from_user(q->rdev, &a, u64_to_user_ptr(p->addr),
				    sizeof(a));
	if (ret)
		return ret;
	ret = rpcdev_upcall_check(&a);
	if (ret)
		return ret;
	if (a.flags != want || a.timeout_ns)
		return -EINVAL;
	if (want & RPCDEV_UPCALL_REPLY) {
		ret = rpcdev_upcall_answer(q, &a);
		if (ret)
			return ret;
	}

	/*
	 * One pass under the lock: an upcall waiting already completes the
	 * command at once, in this issue; else the command waits on ur_fetch
	 * (or fails, if the device went), and the next upcall completes it.
	 */
	scoped_guard(spinlock_irqsave, &q->lock) {
		got = !rpcdev_gone(q->rdev) && rpcdev_uq_take(q, &ue, &bell);
		if (!got)
			rpcdev_uring_queue_locked(q, p, &q->ur_fetch, false,
						  &ready);
	}
	if (bell)
		rpcdev_doorbell(q);
	if (got)
		return rpcdev_uring_upcall_out(q, p->addr, ue.id);
	rpcdev_uring_complete(&ready);
	rpcdev_uring_watch(q);
	return -EIOCBQUEUED;
}

static int rpcdev_uring_mbox(struct rpcdev_queue *q, struct io_uring_cmd *cmd,
			     unsigned int issue_flags)
{
	struct rpcdev_uring_pdu *p = rpcdev_pdu(cmd);
	LIST_HEAD(ready);
	int ret;

	ret = rpcdev_mbox_take(q, u64_to_user_ptr(p->addr));
	if (ret != -EAGAIN)
		return ret;

	scoped_guard(spinlock_irqsave, &q->lock)
		rpcdev_uring_queue_locked(q, p, &q->ur_mbox,
					  rpcdev_mbox_pending(q), &ready);
	rpcdev_uring_complete(&ready);
	rpcdev_uring_watch(q);
	return -EIOCBQUEUED;
}

/* The task work of a CALL: copy the answer out as RPCDEV_IOC_CALL does. */
static int rpcdev_uring_call_end(struct rpcdev_queue *q,
				 struct rpcdev_uring_pdu *p,
				 unsigned int issue_flags)
{
	struct rpcdev_call __user *ucall = u64_to_user_ptr(p->addr);
	struct rpcdev_slot *s = &q->slots[p->id];
	struct rpcdev_call call = {
		.resp = s->resp,
		.resp_cap = s->resp_cap,
	};
	int ret;

	if (rpcdev_uring_task_dead(rpcdev_pdu_cmd(p), issue_flags)) {
		ret = -ECANCELED;
	} else {
		guard(rwsem_read)(&q->rdev->lock);
		/* A removed device's memory may be gone with it. */
		if (q->rdev->gone == -ENODEV)
			ret = -ENODEV;
		else
			ret = rpcdev_slot_result(q, p->id, &call);
	}
	rpcdev_slot_put(q, p->id);
	if (ret)
		return ret;
	/* The out fields, resp_len to res_flags, are contiguous. */
	if (copy_to_user(&ucall->resp_len, &call.resp_len,
			 offsetofend(struct rpcdev_call, res_flags) -
			 offsetof(struct rpcdev_call, resp_len)))
		return -EFAULT;
	return 0;
}

/* The task work of a FETCH or COMMIT given upcall p->id. */
static int rpcdev_uring_upcall_end(struct rpcdev_queue *q,
				   struct rpcdev_uring_pdu *p,
				   unsigned int issue_flags)
{
	int ret;

	guard(rwsem_read)(&q->rdev->lock);
	/* The upcall stays delivered: the file's release answers it. */
	ret = rpcdev_gone(q->rdev);
	if (ret)
		return ret;
	if (!rpcdev_uring_task_dead(rpcdev_pdu_cmd(p), issue_flags)) {
		rpcdev_upcall_seen(q, p->id);
		return rpcdev_uring_upcall_out(q, p->addr, p->id);
	}
	/* The server will never learn of it. */
	rpcdev_upcall_undeliver(q, p->id);
	return -ECANCELED;
}

/*
 * The task work of an MBOX_WAIT: take a message. Another reader may have
 * taken it first: then wait again (-EIOCBQUEUED).
 */
static int rpcdev_uring_mbox_end(struct rpcdev_queue *q,
				 struct rpcdev_uring_pdu *p,
				 unsigned int issue_flags)
{
	LIST_HEAD(ready);
	int ret;

	if (rpcdev_uring_task_dead(rpcdev_pdu_cmd(p), issue_flags))
		return -ECANCELED;
	guard(rwsem_read)(&q->rdev->lock);
	for (;;) {
		ret = rpcdev_gone(q->rdev);
		if (ret)
			return ret;
		ret = rpcdev_mbox_take(q, u64_to_user_ptr(p->addr));
		if (ret != -EAGAIN)
			return ret;
		scoped_guard(spinlock_irqsave, &q->lock) {
			if (!rpcdev_mbox_pending(q) && !rpcdev_gone(q->rdev)) {
				rpcdev_uring_link(p, &q->ur_mbox);
				ret = -EIOCBQUEUED;
			}
		}
		if (ret == -EIOCBQUEUED) {
			rpcdev_uring_watch(q);
			return ret;
		}
	}
}

static void rpcdev_uring_tw(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct rpcdev_uring_pdu *p = rpcdev_pdu(cmd);
	struct rpcdev_queue *q = rpcdev_cmd_queue(cmd);
	int ret;

	if (p->state == RPCDEV_URING_FAILED) {
		ret = p->err;
	} else if (p->op == RPCDEV_UOP_CALL) {
		ret = rpcdev_uring_call_end(q, p, issue_flags);
	} else if (p->op == RPCDEV_UOP_FETCH) {
		ret = rpcdev_uring_upcall_end(q, p, issue_flags);
	} else {
		ret = rpcdev_uring_mbox_end(q, p, issue_flags);
		/* Waiting again: no longer ours to touch. */
		if (ret == -EIOCBQUEUED)
			return;
	}
	rpcdev_uring_done(cmd, ret, issue_flags);
}

/* Issue a parsed command: its result, or -EIOCBQUEUED once it waits. */
static int rpcdev_uring_issue(struct rpcdev_file *f, struct io_uring_cmd *cmd,
			      u32 must_be_zero, unsigned int issue_flags)
{
	struct rpcdev_queue *q;
	int ret;

	/* As rpcdev_fop_ioctl(): removal waits for us before it goes on. */
	guard(rwsem_read)(&f->rdev->lock);
	ret = rpcdev_gone(f->rdev);
	if (ret)
		return ret;
	q = rpcdev_file_queue(f);
	if (must_be_zero || !q || q->user_rings)
		return -EINVAL;

	switch (cmd->cmd_op) {
	case RPCDEV_URING_CALL:
		return rpcdev_uring_call(q, cmd, issue_flags);
	case RPCDEV_URING_UPCALL_FETCH:
		return rpcdev_uring_upcall(q, cmd, RPCDEV_UPCALL_WAIT,
					   issue_flags);
	case RPCDEV_URING_UPCALL_COMMIT:
		return rpcdev_uring_upcall(q, cmd, RPCDEV_UPCALL_REPLY |
					   RPCDEV_UPCALL_WAIT, issue_flags);
	default:
		return rpcdev_uring_mbox(q, cmd, issue_flags);
	}
}

/**
 * rpcdev_fop_uring_cmd() - file_operations.uring_cmd: issue a command.
 * @cmd:	the command; its SQE's command area is struct rpcdev_uring_cmd.
 * @issue_flags: io_uring's IO_URING_F_* bits, passed on as they came.
 *
 * Return: -ENOTTY for an unknown command; else -EIOCBQUEUED: the command
 * completes exactly once, through io_uring_cmd_done(), now or later.
 */
int rpcdev_fop_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	const struct rpcdev_uring_cmd *area = rpcdev_uring_cmd_area(cmd);
	struct rpcdev_file *f = cmd->file->private_data;
	struct rpcdev_uring_pdu *p = rpcdev_pdu(cmd);
	u32 flags, reserved;
	int ret;

	if (rpcdev_uring_is_cancel(issue_flags))
		return rpcdev_uring_cancel(cmd, issue_flags);

	/* Read once: the SQE is the program's, and may change under us. */
	p->addr = READ_ONCE(area->addr);
	flags = READ_ONCE(area->flags);
	reserved = READ_ONCE(area->reserved);
	p->state = RPCDEV_URING_NEW;

	switch (cmd->cmd_op) {
	case RPCDEV_URING_CALL:
		p->op = RPCDEV_UOP_CALL;
		break;
	case RPCDEV_URING_UPCALL_FETCH:
	case RPCDEV_URING_UPCALL_COMMIT:
		p->op = RPCDEV_UOP_FETCH;
		break;
	case RPCDEV_URING_MBOX_WAIT:
		p->op = RPCDEV_UOP_MBOX;
		break;
	default:
		return -ENOTTY;
	}

	/*
	 * Cancelable from here on, before rdev->lock is taken: an inline
	 * issue runs under the ring's uring_lock and takes rdev->lock in it,
	 * so an issue from io-wq, where marking takes uring_lock, must not
	 * mark with rdev->lock held. A cancel while the command is NEW does
	 * nothing, and io_uring asks again. A marked command leaves
	 * io_uring's list of them only through io_uring_cmd_done(), so every
	 * result is given that way, never returned.
	 */
	rpcdev_uring_mark_cancelable(cmd, issue_flags);
	ret = rpcdev_uring_issue(f, cmd, flags | reserved, issue_flags);
	if (ret != -EIOCBQUEUED)
		rpcdev_uring_done(cmd, ret, issue_flags);
	return -EIOCBQUEUED;
}
