/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels rpcdev is built for (Debian's 6.1 and
 * 6.12), kept in this one place so the rest of the driver reads as if there
 * were only one kernel. The RPCDEV_HAVE_* macros come from the feature
 * probes in Kbuild.
 */
#ifndef _RPCDEV_COMPAT_H
#define _RPCDEV_COMPAT_H

#include <linux/sched.h>
#include <linux/sched/signal.h>

/* struct device_type's devnode() took a non-const device before 6.2. */
#ifdef RPCDEV_HAVE_CONST_DEVNODE
#define rpcdev_devnode_device	const struct device
#else
#define rpcdev_devnode_device	struct device
#endif

/* vm_flags became read-only behind vm_flags_set() and friends in 6.3. */
#ifdef RPCDEV_HAVE_VM_FLAGS_SET
#define rpcdev_vm_flags_set	vm_flags_set
#define rpcdev_vm_flags_clear	vm_flags_clear
#else
#include <linux/mm.h>

static inline void rpcdev_vm_flags_set(struct vm_area_struct *vma,
				       vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void rpcdev_vm_flags_clear(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * io_uring commands (uring.c). 6.12 declares them in <linux/io_uring/cmd.h>
 * and reaches the command area through cmd->sqe; 6.1 in <linux/io_uring.h>
 * with cmd->cmd. 6.12 also ends pending commands itself: a command marked
 * cancelable is issued again with IO_URING_F_CANCEL when its ring closes or
 * its task exits (RPCDEV_HAVE_URING_CANCEL, from Kbuild), and task work
 * learns that its task is dying from IO_URING_F_TASK_DEAD
 * (RPCDEV_HAVE_URING_TASK_DEAD). 6.1 has neither: uring.c watches its
 * pending commands with a delayed work instead, as ublk did before 6.7,
 * and asks rpcdev_uring_cmd_dying() here.
 */
#if __has_include("linux/io_uring/cmd.h")
#include <linux/io_uring/cmd.h>

static inline const void *rpcdev_uring_cmd_area(struct io_uring_cmd *cmd)
{
	return io_uring_sqe_cmd(cmd->sqe);
}
#else
#include <linux/io_uring.h>
#include <linux/io_uring_types.h>

static inline const void *rpcdev_uring_cmd_area(struct io_uring_cmd *cmd)
{
	return cmd->cmd;
}
#endif

/* io_uring_cmd_done()'s res2 is ssize_t on 6.1, u64 on 6.12: none here. */
static inline void rpcdev_uring_done(struct io_uring_cmd *cmd, int ret,
				     unsigned int issue_flags)
{
	io_uring_cmd_done(cmd, ret, 0, issue_flags);
}

#ifdef RPCDEV_HAVE_URING_CANCEL
static inline bool rpcdev_uring_is_cancel(unsigned int issue_flags)
{
	return issue_flags & IO_URING_F_CANCEL;
}

static inline void rpcdev_uring_mark_cancelable(struct io_uring_cmd *cmd,
						unsigned int issue_flags)
{
	io_uring_cmd_mark_cancelable(cmd, issue_flags);
}
#else
static inline bool rpcdev_uring_is_cancel(unsigned int issue_flags)
{
	return false;
}

static inline void rpcdev_uring_mark_cancelable(struct io_uring_cmd *cmd,
						unsigned int issue_flags)
{
}

/*
 * Will the command's ring never see its completion? Its task is exiting
 * or its ring was closed (what 6.12's io_should_terminate_tw() asks), or
 * its process is: an SQPOLL ring's commands are its kernel thread's,
 * which on the process's exit or kill waits for them before it exits
 * (so without PF_EXITING) and keeps the ring open meanwhile.
 */
static inline bool rpcdev_uring_cmd_dying(struct io_uring_cmd *cmd)
{
	struct io_kiocb *req = cmd_to_io_kiocb(cmd);

	return (req->task->flags & PF_EXITING) ||
	       (req->task->signal->flags & SIGNAL_GROUP_EXIT) ||
	       percpu_ref_is_dying(&req->ctx->refs);
}
#endif

/*
 * Is the task work of @cmd to give up: its task exiting, or its ring
 * closed, so that nobody would read what it wrote? 6.12 says so in the
 * flags; on 6.1 we ask as 6.12 does (the work may then run in a kernel
 * worker, without the task's memory).
 */
static inline bool rpcdev_uring_task_dead(struct io_uring_cmd *cmd,
					  unsigned int issue_flags)
{
#ifdef RPCDEV_HAVE_URING_TASK_DEAD
	return issue_flags & IO_URING_F_TASK_DEAD;
#else
	return (current->flags & (PF_KTHREAD | PF_EXITING)) || !current->mm ||
	       percpu_ref_is_dying(&cmd_to_io_kiocb(cmd)->ctx->refs);
#endif
}

#endif /* _RPCDEV_COMPAT_H */
