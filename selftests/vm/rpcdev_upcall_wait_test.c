// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting for upcalls with rpcdev, against rpcdev_sim, run as root inside
 * the test VM: a wait that times out (its reply half still sent), waits
 * ended by signals, removal of the device under a waiting server, and
 * poll(2)/epoll(7) reporting EPOLLIN for an upcall that waits. Every test
 * runs once per wait policy of librpcdev (block, poll, adaptive); a POLL
 * wait spins in the process, so a signal alone does not end it, and the
 * tests of that skip on POLL.
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend that
 * $RPCDEV_TEST_BACKEND names (rpcdev_sim, one device of four queues, by
 * default) and opens /dev/rpcdev0 without a queue; its teardown fails the
 * test if a module cannot be unloaded (a leaked reference).
 *
 * The simulated device's per-queue counters over all attachments are in
 * /sys/kernel/debug/rpcdev_sim/rpcdev_sim.0/qN ("upcalls" made,
 * "no_server" answers seen), the core's per-attachment ones in
 * /sys/kernel/debug/rpcdev/rpcdev0/qN ("upcalls" delivered to servers).
 * Tests wait for them in bounded polling loops; no test asserts how long
 * anything takes. Every wait for an upcall or an answer has a generous
 * timeout, so a lost message fails the test with ETIMEDOUT, not a hang.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_kmod.h"
#include "rpcdev_upcalls.h"
#include "rpcdev_util.h"

/* ===================================================================== */
/* Fixture: rpcdev and its backend with one device (rpcdev_sim: four     */
/* queues), /dev/rpcdev0 open (no queue yet).                            */
/* ===================================================================== */

DEVICE_FIXTURE(upcall)
POLICY_VARIANTS(upcall);

/* ===================================================================== */
/* Waiting: timeout, signals, removal                                     */
/* ===================================================================== */

TEST_F(upcall, wait_without_upcall_gives_etimedout)
{
	struct rpcdev_upcall_req up;

	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(-ETIMEDOUT, rpcdev_upcall_wait(&self->dev,
						 20 * NSEC_PER_MSEC, &up));
}

/* The reply half is done even when the wait half then times out. */
TEST_F(upcall, reply_and_wait_timing_out_still_sends_the_reply)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	struct run run;
	int ret;

	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, take_one(&self->dev, &run, &up));
	memcpy(up.reply, up.data, up.len);
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = up.len;
	ret = rpcdev_upcall_reply_and_wait(&self->dev, &reply,
					   20 * NSEC_PER_MSEC, &up);
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(-ETIMEDOUT, ret);
}

/* A server thread blocked in rpcdev_upcall_wait(), for signals and removal. */
struct waiter {
	struct rpcdev *dev;
	pid_t tid;
	int done;
	int ret;
	pthread_t thread;
};

static void *waiter_main(void *arg)
{
	struct rpcdev_upcall_req up;
	struct waiter *w = arg;

	__atomic_store_n(&w->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	w->ret = rpcdev_upcall_wait(w->dev, SERVE_TIMEOUT_NS, &up);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Start the waiter and wait until it sleeps in the kernel; with the POLL
 * policy it never does (it spins), so only until it runs.
 */
static int waiter_start(struct waiter *w, struct rpcdev *dev,
			unsigned int policy)
{
	int waited, ret;

	memset(w, 0, sizeof(*w));
	w->dev = dev;
	w->ret = -EINPROGRESS;
	ret = pthread_create(&w->thread, NULL, waiter_main, w);
	if (ret)
		return -ret;
	for (waited = 0; !__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE);
	     waited += DBGFS_POLL_MS) {
		if (waited >= WAIT_MS)
			return -ETIMEDOUT;
		sleep_us(DBGFS_POLL_MS * 1000L);
	}
	if (policy == RPCDEV_WAIT_POLL)
		return 0;
	return wait_thread_sleeping(w->tid);
}

/*
 * Signal the waiter with SIGUSR1 until its wait returns (a signal that
 * came just before it entered the kernel would be lost); its result.
 */
static int waiter_interrupt(struct waiter *w)
{
	int waited;

	for (waited = 0; !__atomic_load_n(&w->done, __ATOMIC_ACQUIRE);
	     waited += DBGFS_POLL_MS) {
		if (waited >= WAIT_MS)
			break;
		pthread_kill(w->thread, SIGUSR1);
		sleep_us(DBGFS_POLL_MS * 1000L);
	}
	pthread_join(w->thread, NULL);
	return w->ret;
}

/*
 * End the waiter's wait whatever it is doing, as rpcdev.h says to:
 * rpcdev_interrupt() for a wait on user rings (it gives -EINVAL on a
 * kernel-driven queue, where the signal alone does it), then the signal.
 * Its result.
 */
static int waiter_stop(struct waiter *w)
{
	rpcdev_interrupt(w->dev);
	return waiter_interrupt(w);
}

static int waiter_join(struct waiter *w)
{
	pthread_join(w->thread, NULL);
	return w->ret;
}

TEST_F(upcall, signal_during_wait_gives_eintr)
{
	struct waiter w;

	if (variant->policy == RPCDEV_WAIT_POLL)
		SKIP(return, "a POLL wait spins in the process: a signal alone "
		     "does not end it (rpcdev_interrupt() does)");
	ASSERT_EQ(0, catch_signal(SIGUSR1, 0));
	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, waiter_start(&w, &self->dev, variant->policy));
	ASSERT_EQ(-EINTR, waiter_interrupt(&w));
}

/* Restarting would repeat the reply half: SA_RESTART gets EINTR too. */
TEST_F(upcall, sa_restart_signal_during_wait_gives_eintr)
{
	struct waiter w;

	if (variant->policy == RPCDEV_WAIT_POLL)
		SKIP(return, "a POLL wait spins in the process: a signal alone "
		     "does not end it (rpcdev_interrupt() does)");
	ASSERT_EQ(0, catch_signal(SIGUSR1, SA_RESTART));
	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, waiter_start(&w, &self->dev, variant->policy));
	ASSERT_EQ(-EINTR, waiter_interrupt(&w));
}

/* The way to end any wait: rpcdev_interrupt() (user rings), a signal. */
TEST_F(upcall, interrupt_and_signal_end_a_wait_with_eintr)
{
	struct waiter w;

	ASSERT_EQ(0, catch_signal(SIGUSR1, 0));
	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, waiter_start(&w, &self->dev, variant->policy));
	ASSERT_EQ(-EINTR, waiter_stop(&w));
}

TEST_F(upcall, wait_serves_again_after_eintr)
{
	struct server s;
	struct waiter w;
	struct run run;

	ASSERT_EQ(0, catch_signal(SIGUSR1, 0));
	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, waiter_start(&w, &self->dev, variant->policy));
	ASSERT_EQ(-EINTR, waiter_stop(&w));
	ASSERT_EQ(0, server_start(&s, &self->dev, 1));
	run_init(&run, &self->dev, 1, METHOD_A, 64, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_ok(&run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
	ASSERT_EQ(1U, run.resp.r.done);
}

/*
 * Attach queue 0, start a waiter, remove the device (unload the backend);
 * what the unload gave.
 */
static int unload_sim_during_wait(struct __test_metadata *_metadata,
				  FIXTURE_DATA(upcall) *self,
				  const FIXTURE_VARIANT(upcall) *variant,
				  struct waiter *w)
{
	EXPECT_EQ(0, ATTACH_QUEUE_0(0, 0));
	EXPECT_EQ(0, waiter_start(w, &self->dev, variant->policy));
	return kmod_remove_devices();
}

TEST_F(upcall, wait_at_removal_gives_enodev)
{
	struct waiter w;

	ASSERT_EQ(0, unload_sim_during_wait(_metadata, self, variant, &w));
	ASSERT_EQ(-ENODEV, waiter_join(&w));
}

TEST_F(upcall, poll_after_removal_under_waiting_server_gives_pollhup)
{
	struct pollfd pfd = { .events = POLLIN | POLLPRI };
	struct waiter w;
	int ret;

	ASSERT_EQ(0, unload_sim_during_wait(_metadata, self, variant, &w));
	pfd.fd = rpcdev_fd(&self->dev);
	ret = poll(&pfd, 1, WAIT_MS);
	waiter_join(&w);
	ASSERT_EQ(1, ret);
	ASSERT_EQ(POLLHUP, pfd.revents & POLLHUP);
}

TEST_F(upcall, wait_after_removal_gives_enodev)
{
	struct rpcdev_upcall_req up;
	struct waiter w;

	ASSERT_EQ(0, unload_sim_during_wait(_metadata, self, variant, &w));
	ASSERT_EQ(-ENODEV, waiter_join(&w));
	/* Bounded: a wait that never learns of the removal fails, not hangs. */
	ASSERT_EQ(-ENODEV, rpcdev_upcall_wait(&self->dev, SERVE_TIMEOUT_NS,
					      &up));
}

TEST_F(upcall, removal_marks_the_queue_gone)
{
	struct waiter w;

	ASSERT_EQ(0, unload_sim_during_wait(_metadata, self, variant, &w));
	waiter_join(&w);
	ASSERT_EQ(RPCDEV_DEV_GONE,
		  device_ctrl(&self->dev)->flags.val & RPCDEV_DEV_GONE);
}

/* A program that writes its rings as the device goes does not fault. */
TEST_F(upcall, host_rings_stay_writable_after_removal)
{
	struct rpcdev_host_ctrl *hctrl;
	struct waiter w;

	if (!USER_RINGS)
		SKIP(return, "a BLOCK queue maps nothing writable");
	ASSERT_EQ(0, unload_sim_during_wait(_metadata, self, variant, &w));
	waiter_join(&w);
	hctrl = rpcdev_queue_part(&self->dev, RPCDEV_OFF_HOST, NULL);
	__atomic_store_n(&hctrl->mbox[0], 0x5a5a5a5a5a5a5a5aULL,
			 __ATOMIC_RELAXED);
	ASSERT_EQ(0x5a5a5a5a5a5a5a5aULL,
		  __atomic_load_n(&hctrl->mbox[0], __ATOMIC_RELAXED));
}

TEST_F(upcall, serve_at_removal_gives_enodev)
{
	struct server s;

	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, server_start(&s, &self->dev, 1));
	ASSERT_EQ(0, kmod_remove_devices());
	ASSERT_EQ(-ENODEV, server_join(&s));
	ASSERT_EQ(0U, s.nr_seen);
}

/* ===================================================================== */
/* poll(2) and epoll(7): EPOLLIN                                          */
/* ===================================================================== */

TEST_F(upcall, poll_without_upcall_reports_nothing)
{
	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, poll_events(rpcdev_fd(&self->dev), POLLIN | POLLPRI, 0));
}

/*
 * Start a run of one sync upcall and wait until the device made it (its
 * UQ producer index is 1); nobody has taken it.
 */
static void make_one_pending(struct __test_metadata *_metadata,
			     FIXTURE_DATA(upcall) *self,
			     const FIXTURE_VARIANT(upcall) *variant,
			     struct run *run)
{
	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	run_init(run, &self->dev, 1, METHOD_A, 64, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(run));
	ASSERT_EQ(0, wait_word(&device_ctrl(&self->dev)->uq_prod.val, 1));
}

/* Take and answer the pending upcall so the run ends; 0 if it did. */
static int serve_pending(FIXTURE_DATA(upcall) *self, struct run *run)
{
	struct rpcdev_upcall_req up;
	int ret;

	ret = rpcdev_upcall_wait(&self->dev, SERVE_TIMEOUT_NS, &up);
	if (!ret)
		ret = echo_reply(&self->dev, &up);
	if (ret) {
		run_join(run);
		return ret;
	}
	return run_done_exactly(run);
}

TEST_F(upcall, poll_reports_pollin_for_pending_upcall)
{
	struct run run;
	int events;

	make_one_pending(_metadata, self, variant, &run);
	events = poll_events(rpcdev_fd(&self->dev), POLLIN | POLLPRI, WAIT_MS);
	ASSERT_EQ(0, serve_pending(self, &run));
	ASSERT_EQ(POLLIN, events & (POLLIN | POLLPRI));
}

TEST_F(upcall, poll_wakes_when_upcall_arrives)
{
	struct run run;
	int events;

	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	run_init(&run, &self->dev, 1, METHOD_A, 64, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(&run));
	/* Possibly before the device made it: poll sleeps until it does. */
	events = poll_events(rpcdev_fd(&self->dev), POLLIN, WAIT_MS);
	ASSERT_EQ(0, serve_pending(self, &run));
	ASSERT_EQ(POLLIN, events);
}

TEST_F(upcall, pollin_clears_once_upcall_is_taken)
{
	struct rpcdev_upcall_req up;
	struct run run;
	int events;

	make_one_pending(_metadata, self, variant, &run);
	ASSERT_EQ(0, rpcdev_upcall_wait(&self->dev, SERVE_TIMEOUT_NS, &up));
	events = poll_events(rpcdev_fd(&self->dev), POLLIN | POLLPRI, 0);
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
	ASSERT_EQ(0, events);
}

TEST_F(upcall, epoll_reports_epollin_for_pending_upcall)
{
	struct run run;
	int events;

	make_one_pending(_metadata, self, variant, &run);
	events = epoll_events(rpcdev_fd(&self->dev), EPOLLIN | EPOLLPRI,
			      WAIT_MS);
	ASSERT_EQ(0, serve_pending(self, &run));
	ASSERT_EQ(EPOLLIN, events);
}

TEST_F(upcall, epoll_without_upcall_reports_nothing)
{
	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, epoll_events(rpcdev_fd(&self->dev), EPOLLIN | EPOLLPRI, 0));
}

TEST_HARNESS_MAIN
