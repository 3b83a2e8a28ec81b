// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev downcalls whose caller never gets the answer, against rpcdev_sim,
 * run as root inside the test VM: calls given up by a timeout, a signal
 * or a killed caller (the slot stays the device's until it answers), a
 * full queue, and removal of the device with a call in flight.
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend that
 * $RPCDEV_TEST_BACKEND names (rpcdev_sim, one device of four queues, by
 * default) and opens /dev/rpcdev0 without a queue; its teardown fails the
 * test if a module cannot be unloaded (a leaked reference).
 *
 * Waiting for the driver is done by polling its debugfs counters
 * (/sys/kernel/debug/rpcdev/rpcdev0/qN) in bounded loops; no test asserts
 * how long anything takes.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_calls.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_kmod.h"
#include "rpcdev_util.h"

/* ===================================================================== */
/* Fixture: rpcdev and its backend with one device (rpcdev_sim: four     */
/* queues), /dev/rpcdev0 open (no queue yet).                            */
/* ===================================================================== */

DEVICE_FIXTURE(call)

/* ===================================================================== */
/* Timeouts                                                              */
/* ===================================================================== */

TEST_F(call, delay_past_timeout_gives_etimedout)
{
	struct rpcdev_call_result res;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-ETIMEDOUT, delay_call(&self->dev, LATE_DELAY_US,
					 LATE_TIMEOUT_NS, &res));
}

/* A call the device answers ABANDON_DELAY_US after it timed out. */
static int time_out_a_call(struct rpcdev *dev)
{
	struct rpcdev_call_result res;

	return delay_call(dev, ABANDON_DELAY_US, LATE_TIMEOUT_NS, &res);
}

TEST_F(call, timed_out_call_leaves_slot_abandoned)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-ETIMEDOUT, time_out_a_call(&self->dev));
	ASSERT_EQ(1ULL, dbg(self->q0, "abandoned"));
	ASSERT_EQ(15ULL, dbg(self->q0, "free"));
}

TEST_F(call, timed_out_call_is_counted)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-ETIMEDOUT, time_out_a_call(&self->dev));
	ASSERT_EQ(1ULL, dbg(self->q0, "timeouts"));
}

TEST_F(call, abandoned_slot_is_freed_when_device_answers)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-ETIMEDOUT, time_out_a_call(&self->dev));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "abandoned", 0, WAIT_MS));
	ASSERT_EQ(16ULL, dbg(self->q0, "free"));
}

TEST_F(call, queue_works_after_abandoned_slot_is_freed)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-ETIMEDOUT, time_out_a_call(&self->dev));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "abandoned", 0, WAIT_MS));
	ASSERT_EQ(0, echo_check(&self->dev));
}

TEST_F(call, queue_works_while_a_slot_is_abandoned)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-ETIMEDOUT, time_out_a_call(&self->dev));
	ASSERT_EQ(0, echo_check(&self->dev));
}

/* ===================================================================== */
/* Signals                                                               */
/* ===================================================================== */

/*
 * Start a DELAY of @us in another thread, wait until it is posted, signal
 * that thread with SIGUSR1 (caught with @sa_flags) and return the call's
 * result.
 */
static int interrupt_a_call(struct __test_metadata *_metadata,
			    FIXTURE_DATA(call) *self, uint64_t us, int sa_flags)
{
	struct bg_call bg;

	EXPECT_EQ(0, catch_signal(SIGUSR1, sa_flags));
	EXPECT_EQ(0, bg_call_start(&bg, &self->dev, us, 0));
	EXPECT_EQ(0, dbgfs_wait_key(self->q0, "calls", 1, WAIT_MS));
	EXPECT_EQ(0, pthread_kill(bg.thread, SIGUSR1));
	return bg_call_join(&bg);
}

TEST_F(call, signal_during_call_gives_eintr)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-EINTR, interrupt_a_call(_metadata, self, SLOW_DELAY_US, 0));
}

TEST_F(call, interrupted_call_leaves_slot_abandoned)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-EINTR, interrupt_a_call(_metadata, self, SLOW_DELAY_US, 0));
	ASSERT_EQ(1ULL, dbg(self->q0, "abandoned"));
	ASSERT_EQ(15ULL, dbg(self->q0, "free"));
	ASSERT_EQ(1ULL, dbg(self->q0, "interrupted"));
}

TEST_F(call, interrupted_call_slot_is_freed_when_device_answers)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-EINTR, interrupt_a_call(_metadata, self, SLOW_DELAY_US, 0));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "abandoned", 0, WAIT_MS));
	ASSERT_EQ(16ULL, dbg(self->q0, "free"));
	ASSERT_EQ(0, echo_check(&self->dev));
}

/* A restarted call would run the method twice: SA_RESTART must not. */
TEST_F(call, sa_restart_signal_does_not_restart_call)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(-EINTR, interrupt_a_call(_metadata, self, SLOW_DELAY_US,
					   SA_RESTART));
	ASSERT_EQ(1ULL, dbg(self->q0, "calls"));
}

/* ===================================================================== */
/* A caller killed in a call                                             */
/* ===================================================================== */

/*
 * A child attaches queue 0 and calls DELAY SLOW_DELAY_US; once the call is
 * posted it is killed with SIGKILL and reaped. Returns 0 once that is done,
 * else -errno (the child's exit status when it could not call).
 */
static int kill_a_caller(const char *qpath)
{
	struct rpcdev_call_result res;
	struct rpcdev dev;
	int status, ret;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (rpcdev_open(&dev, DEV_PATH) ||
		    rpcdev_queue_attach(&dev, 0, 0, 0))
			_exit(EBADE);
		delay_call(&dev, SLOW_DELAY_US, 0, &res);
		_exit(0);
	}
	ret = dbgfs_wait_key(qpath, "calls", 1, WAIT_MS);
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (ret)
		return ret;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return WIFEXITED(status) ? -WEXITSTATUS(status) : -ECHILD;
	return 0;
}

TEST_F(call, killed_caller_frees_queue_for_next_owner)
{
	ASSERT_EQ(0, kill_a_caller(self->q0));
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
}

TEST_F(call, queue_works_after_killed_caller)
{
	ASSERT_EQ(0, kill_a_caller(self->q0));
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, echo_check(&self->dev));
	ASSERT_EQ(16ULL, dbg(self->q0, "free"));
}

/* ===================================================================== */
/* A full queue                                                          */
/* ===================================================================== */

TEST_F(call, call_on_full_queue_gives_eagain)
{
	struct bg_call bg;
	int ret;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 1, 0));
	ASSERT_EQ(0, bg_call_start(&bg, &self->dev, SLOW_DELAY_US, 0));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "free", 0, WAIT_MS));
	ret = echo_check(&self->dev);
	ASSERT_EQ(0, bg_call_join(&bg));
	ASSERT_EQ(-EAGAIN, ret);
}

TEST_F(call, eagain_leaves_queue_usable)
{
	struct bg_call bg;
	int ret;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 1, 0));
	ASSERT_EQ(0, bg_call_start(&bg, &self->dev, SLOW_DELAY_US, 0));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "free", 0, WAIT_MS));
	ret = echo_check(&self->dev);
	ASSERT_EQ(0, bg_call_join(&bg));
	ASSERT_EQ(-EAGAIN, ret);
	ASSERT_EQ(0, echo_check(&self->dev));
	ASSERT_EQ(2ULL, dbg(self->q0, "calls"));
}

/* ===================================================================== */
/* Removal of the device with a call in flight                           */
/* ===================================================================== */

/*
 * Attach queue 0, start a DELAY of REMOVAL_DELAY_US in @bg, wait until it
 * is posted, remove the device (unload the backend). Returns what
 * delete_module gave.
 */
static int unload_sim_during_call(struct __test_metadata *_metadata,
				  FIXTURE_DATA(call) *self, struct bg_call *bg)
{
	EXPECT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	EXPECT_EQ(0, bg_call_start(bg, &self->dev, REMOVAL_DELAY_US, 0));
	EXPECT_EQ(0, dbgfs_wait_key(self->q0, "calls", 1, WAIT_MS));
	return kmod_remove_devices();
}

TEST_F(call, sim_unload_with_call_in_flight_succeeds)
{
	struct bg_call bg;
	int ret;

	ret = unload_sim_during_call(_metadata, self, &bg);
	bg_call_join(&bg);
	ASSERT_EQ(0, ret);
}

TEST_F(call, call_in_flight_at_removal_gives_enodev)
{
	struct bg_call bg;

	ASSERT_EQ(0, unload_sim_during_call(_metadata, self, &bg));
	ASSERT_EQ(-ENODEV, bg_call_join(&bg));
}

/* A call whose request the kernel copies from a page that stalls. */
struct stalled_call {
	struct rpcdev *dev;
	const void *req;
	pthread_t thread;
	int ret;
};

static void *stalled_call_run(void *arg)
{
	struct stalled_call *c = arg;
	struct rpcdev_call_result res;
	char resp[64];

	c->ret = rpcdev_call(c->dev, RPCDEV_SIM_ECHO, c->req, sizeof(resp),
			     resp, sizeof(resp), CALL_TIMEOUT_NS, &res);
	return NULL;
}

/* The device's removal, in a thread, so the test can see it is over. */
struct removal {
	pthread_t thread;
	int ret;
	__u32 done;	/* 1 once it is over (wait_word()) */
};

static void *removal_run(void *arg)
{
	struct removal *r = arg;

	r->ret = kmod_remove_devices();
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * The kernel copies a call's request from a page userfaultfd holds back:
 * the device's removal must not wait for user space to let the page go,
 * and the call then ends with ENODEV.
 */
TEST_F(call, removal_finishes_while_a_call_copies_from_a_stalled_page)
{
	struct stalled_call c = { .dev = &self->dev };
	struct stalled_page sp = { .uffd = -1 };
	struct removal r = {};
	bool removed = false;
	char req[64] = {};
	int ret;

	ret = stalled_page_init(&sp);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "no userfaultfd(2) in this kernel");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	c.req = sp.page;
	ASSERT_EQ(0, pthread_create(&c.thread, NULL, stalled_call_run, &c));
	ret = stalled_page_touched(&sp);
	if (!ret) {
		ASSERT_EQ(0, pthread_create(&r.thread, NULL, removal_run, &r));
		removed = !wait_word(&r.done, 1);
	}
	/* Whatever happened, let the page go so that everyone ends. */
	EXPECT_EQ(0, stalled_page_release(&sp, req, sizeof(req)));
	EXPECT_EQ(0, pthread_join(c.thread, NULL));
	if (!ret)
		EXPECT_EQ(0, pthread_join(r.thread, NULL));
	stalled_page_fini(&sp);
	ASSERT_EQ(0, ret);
	ASSERT_TRUE(removed) TH_LOG("the removal waited for the page");
	ASSERT_EQ(0, r.ret);
	ASSERT_EQ(-ENODEV, c.ret);
}

TEST_F(call, poll_after_removal_with_queue_gives_pollhup)
{
	struct pollfd pfd = { .events = POLLIN | POLLPRI };
	struct bg_call bg;

	ASSERT_EQ(0, unload_sim_during_call(_metadata, self, &bg));
	ASSERT_EQ(-ENODEV, bg_call_join(&bg));
	pfd.fd = rpcdev_fd(&self->dev);
	ASSERT_EQ(1, poll(&pfd, 1, WAIT_MS));
	ASSERT_EQ(POLLHUP, pfd.revents & POLLHUP);
}

TEST_F(call, call_after_removal_gives_enodev)
{
	struct bg_call bg;

	ASSERT_EQ(0, unload_sim_during_call(_metadata, self, &bg));
	ASSERT_EQ(-ENODEV, bg_call_join(&bg));
	ASSERT_EQ(-ENODEV, echo_check(&self->dev));
}

TEST_F(call, mmap_after_removal_gives_enodev)
{
	struct bg_call bg;
	void *p = NULL;

	ASSERT_EQ(0, unload_sim_during_call(_metadata, self, &bg));
	ASSERT_EQ(-ENODEV, bg_call_join(&bg));
	ASSERT_EQ(-ENODEV, map_errno(rpcdev_fd(&self->dev), page_size(),
				     PROT_READ, RPCDEV_OFF_DEV, &p));
}

TEST_F(call, mappings_stay_readable_after_removal)
{
	const struct rpcdev_dev_ctrl *ctrl;
	struct bg_call bg;

	ASSERT_EQ(0, unload_sim_during_call(_metadata, self, &bg));
	ASSERT_EQ(-ENODEV, bg_call_join(&bg));
	ctrl = rpcdev_queue_part(&self->dev, RPCDEV_OFF_DEV, NULL);
	/* Readable, and the device took no more than the one call. */
	ASSERT_GE(1U, ctrl->dq_cons.val);
}

TEST_F(call, core_unloads_after_removed_queue_is_closed)
{
	struct bg_call bg;

	ASSERT_EQ(0, unload_sim_during_call(_metadata, self, &bg));
	ASSERT_EQ(-ENODEV, bg_call_join(&bg));
	rpcdev_close(&self->dev);
	ASSERT_EQ(0, kmod_unload(KMOD_CORE));
}

TEST_HARNESS_MAIN
