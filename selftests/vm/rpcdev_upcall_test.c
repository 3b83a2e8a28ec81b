// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev upcalls, the device calling the host, against rpcdev_sim, run as
 * root inside the test VM: RPCDEV_SIM_UPCALLS served by librpcdev's
 * rpcdev_serve() (payloads read and written in place), sync and async
 * upcalls and their order, a host error raised on the device, and servers
 * killed with an upcall pending or taken. Every test runs once per wait
 * policy of librpcdev (block, poll, adaptive: POLICY_VARIANTS()); where
 * the kernel's counters or the acknowledgement of async upcalls differ on
 * user rings, the test asserts what each policy documents.
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
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_calls.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_upcalls.h"
#include "rpcdev_util.h"

/* ===================================================================== */
/* Fixture: rpcdev and its backend with one device (rpcdev_sim: four     */
/* queues), /dev/rpcdev0 open (no queue yet).                            */
/* ===================================================================== */

DEVICE_FIXTURE(upcall)
POLICY_VARIANTS(upcall);

/* ===================================================================== */
/* Sync upcalls through rpcdev_serve()                                    */
/* ===================================================================== */

/* Upcalls per run of the size tests. */
#define SYNC_COUNT	4

/*
 * SYNC_COUNT sync upcalls of @size bytes with VERIFY, on a queue of depth 2
 * with 1 MiB buffers, served by an echo server; the run's answer in @run,
 * the server's log in @s.
 */
static void sync_run(struct __test_metadata *_metadata,
		     FIXTURE_DATA(upcall) *self,
		     const FIXTURE_VARIANT(upcall) *variant, unsigned int size,
		     struct run *run, struct server *s)
{
	ASSERT_EQ(0, ATTACH_QUEUE_0(2, MIB));
	ASSERT_EQ(0, server_start(s, &self->dev, SYNC_COUNT));
	run_init(run, &self->dev, SYNC_COUNT, METHOD_A, size,
		 RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_ok(run))
		TH_LOG("status %d, %u bytes", run->res.status,
		       run->res.resp_len);
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(s));
}

/* The device counts every upcall answered, and every answer exact. */
static void check_sync_done(struct __test_metadata *_metadata,
			    FIXTURE_DATA(upcall) *self,
			    const FIXTURE_VARIANT(upcall) *variant,
			    unsigned int size)
{
	struct server s;
	struct run run;

	sync_run(_metadata, self, variant, size, &run, &s);
	ASSERT_EQ(SYNC_COUNT, run.resp.r.done);
	ASSERT_EQ(0U, run.resp.r.failed);
	ASSERT_EQ(0U, run.resp.r.timed_out);
	ASSERT_EQ(0U, run.resp.r.mismatched);
}

/* The server saw each upcall: the method, the length, the payload. */
static void check_sync_seen(struct __test_metadata *_metadata,
			    FIXTURE_DATA(upcall) *self,
			    const FIXTURE_VARIANT(upcall) *variant,
			    unsigned int size)
{
	struct server s;
	struct run run;
	unsigned int i;

	sync_run(_metadata, self, variant, size, &run, &s);
	ASSERT_EQ(SYNC_COUNT, s.nr_seen);
	for (i = 0; i < SYNC_COUNT; i++) {
		ASSERT_EQ(METHOD_A, s.log[i].method);
		ASSERT_EQ(0U, s.log[i].flags);
		ASSERT_EQ(size, s.log[i].len);
		ASSERT_TRUE(s.log[i].pattern_ok) TH_LOG("upcall %u", i);
		if (size)
			ASSERT_EQ(i, s.log[i].n);
	}
}

#define SYNC_SIZE_TESTS(name, size)					\
	TEST_F(upcall, sync_upcalls_of_##name##_are_all_answered_exactly) \
	{								\
		check_sync_done(_metadata, self, variant, size);			\
	}								\
	TEST_F(upcall, sync_upcalls_of_##name##_reach_server_in_place)	\
	{								\
		check_sync_seen(_metadata, self, variant, size);			\
	}

SYNC_SIZE_TESTS(0_bytes, 0)
SYNC_SIZE_TESTS(1_byte, 1)
SYNC_SIZE_TESTS(64_bytes, 64)
SYNC_SIZE_TESTS(4096_bytes, 4096)
SYNC_SIZE_TESTS(1mib, MIB)

TEST_F(upcall, sync_upcalls_are_counted_by_the_device)
{
	struct server s;
	struct run run;

	struct rpcdev_sim_stats st;

	sync_run(_metadata, self, variant, 64, &run, &s);
	ASSERT_EQ(0, sim_stats(&self->dev, &st));
	ASSERT_EQ((unsigned long long)SYNC_COUNT, st.upcalls);
}

TEST_F(upcall, sync_upcalls_are_delivered_and_replied_once_each)
{
	struct server s;
	struct run run;

	sync_run(_metadata, self, variant, 64, &run, &s);
	if (USER_RINGS) {
		/* The library took and answered them: the kernel never did. */
		ASSERT_EQ(SYNC_COUNT, host_uq_cons(&self->dev));
		ASSERT_EQ(SYNC_COUNT, host_ur_prod(&self->dev));
		ASSERT_EQ(0ULL, dbg(self->q0, "upcalls"));
		ASSERT_EQ(0ULL, dbg(self->q0, "replies"));
		return;
	}
	ASSERT_EQ((unsigned long long)SYNC_COUNT, dbg(self->q0, "upcalls"));
	ASSERT_EQ((unsigned long long)SYNC_COUNT, dbg(self->q0, "replies"));
}

/*
 * A reply need not be written in place: reply_data is copied (by the
 * kernel, or by the library on user rings).
 */
TEST_F(upcall, reply_copied_from_user_buffer_is_echoed_exactly)
{
	struct rpcdev_upcall_reply reply;
	struct rpcdev_upcall_req up;
	unsigned char copy[256];
	struct run run;

	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	run_init(&run, &self->dev, 1, METHOD_A, sizeof(copy),
		 RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(&run));
	ASSERT_EQ(0, rpcdev_upcall_wait(&self->dev, SERVE_TIMEOUT_NS, &up));
	ASSERT_EQ(sizeof(copy), up.len);
	memcpy(copy, up.data, sizeof(copy));
	memset(&reply, 0, sizeof(reply));
	reply.id = up.id;
	reply.len = sizeof(copy);
	reply.data = copy;		/* copied, not in place */
	ASSERT_EQ(0, rpcdev_upcall_reply(&self->dev, &reply));
	ASSERT_EQ(0, run_join(&run));
	ASSERT_EQ(RPCDEV_STATUS_OK, run.res.status);
	ASSERT_EQ(1U, run.resp.r.done);
	ASSERT_EQ(0U, run.resp.r.mismatched);
}

/* ===================================================================== */
/* Async upcalls                                                         */
/* ===================================================================== */

#define ASYNC_COUNT	48	/* three times around a ring of 16 */

TEST_F(upcall, async_upcalls_reach_slow_server_strictly_in_order)
{
	struct server s;
	struct run run;
	unsigned int i;

	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, server_start_slow(&s, &self->dev, ASYNC_COUNT,
				       SLOW_SERVER_US));
	run_init(&run, &self->dev, ASYNC_COUNT, METHOD_A, 16,
		 RPCDEV_SIM_UPCALL_ASYNC);
	ASSERT_EQ(0, run_ok(&run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
	ASSERT_EQ(ASYNC_COUNT, s.nr_seen);
	for (i = 0; i < ASYNC_COUNT; i++) {
		ASSERT_TRUE(s.log[i].pattern_ok) TH_LOG("upcall %u", i);
		ASSERT_EQ(i, s.log[i].n);
	}
}

TEST_F(upcall, async_upcalls_are_flagged_async)
{
	struct server s;
	struct run run;
	unsigned int i;

	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, server_start(&s, &self->dev, 8));
	run_init(&run, &self->dev, 8, METHOD_A, 16, RPCDEV_SIM_UPCALL_ASYNC);
	ASSERT_EQ(0, run_ok(&run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(RPCDEV_ENTRY_ASYNC, s.log[i].flags);
}

TEST_F(upcall, async_upcalls_are_all_acknowledged)
{
	struct server s;
	struct run run;

	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, server_start_slow(&s, &self->dev, ASYNC_COUNT,
				       SLOW_SERVER_US));
	run_init(&run, &self->dev, ASYNC_COUNT, METHOD_A, 16,
		 RPCDEV_SIM_UPCALL_ASYNC);
	ASSERT_EQ(0, run_ok(&run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
	ASSERT_EQ(ASYNC_COUNT, run.resp.r.done);
	ASSERT_EQ(0U, run.resp.r.failed);
	ASSERT_EQ(0U, run.resp.r.timed_out);
}

/*
 * How async upcalls are given back (RPCDEV_ATTACH_ASYNC_NOACK): on user
 * rings, when the device has RPCDEV_FEAT_ASYNC_NOACK, by the UQ consumer
 * index alone, with no UR entry; else with one UR entry each.
 */
TEST_F(upcall, async_upcalls_are_acknowledged_as_the_queue_asks)
{
	struct rpcdev_info info;
	struct server s;
	struct run run;
	bool noack;

	ASSERT_EQ(0, rpcdev_info(&self->dev, &info));
	noack = USER_RINGS && info.features & RPCDEV_FEAT_ASYNC_NOACK;
	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, server_start(&s, &self->dev, ASYNC_COUNT));
	run_init(&run, &self->dev, ASYNC_COUNT, METHOD_A, 16,
		 RPCDEV_SIM_UPCALL_ASYNC);
	ASSERT_EQ(0, run_ok(&run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
	ASSERT_EQ(ASYNC_COUNT, run.resp.r.done);
	ASSERT_EQ(noack ? 0U : ASYNC_COUNT, host_ur_prod(&self->dev));
}

/* An async upcall's answer is an acknowledgement, whatever it says. */
TEST_F(upcall, async_upcall_error_reply_is_only_an_acknowledgement)
{
	struct server s;
	struct run run;

	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, server_start_failing(&s, &self->dev, 4, "ValueError",
					  "bad value"));
	run_init(&run, &self->dev, 4, METHOD_A, 16, RPCDEV_SIM_UPCALL_ASYNC);
	ASSERT_EQ(0, run_ok(&run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
	ASSERT_EQ(4U, run.resp.r.done);
	ASSERT_EQ(0U, run.resp.r.failed);
}

/*
 * Start @run as an async downcall (user rings: one thread makes a queue's
 * downcalls, so the runs go side by side as async calls). 0 or -errno.
 */
static int run_submit(struct run *run)
{
	struct rpcdev_async_call call = {
		.method = RPCDEV_SIM_UPCALLS,
		.req = &run->req,
		.req_len = sizeof(run->req),
	};
	int ret = rpcdev_submit(run->dev, &call, 1);

	return ret == 1 ? 0 : ret < 0 ? ret : -EAGAIN;
}

/* Reap @n runs started by run_submit(); 0 if all ended with OK. */
static int runs_reap(struct rpcdev *dev, unsigned int n)
{
	struct rpcdev_completion done;
	int ret = 0;

	while (n--) {
		if (rpcdev_reap(dev, &done, 1, 1, RUN_TIMEOUT_NS) != 1)
			return -ETIMEDOUT;
		if (done.status != RPCDEV_STATUS_OK)
			ret = -EPROTO;
		rpcdev_completion_done(dev, &done);
	}
	return ret;
}

/*
 * An async run (method A) and, made while it is under way, a sync run
 * (method B): the server sees every A before any B.
 */
TEST_F(upcall, async_upcalls_come_before_later_sync_upcalls)
{
	const unsigned int nr_async = 32, nr_sync = 4;
	struct run async_run, sync_run;
	struct server s;
	unsigned int i;

	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, server_start_slow(&s, &self->dev, nr_async + nr_sync,
				       SLOW_SERVER_US));
	run_init(&async_run, &self->dev, nr_async, METHOD_A, 16,
		 RPCDEV_SIM_UPCALL_ASYNC);
	run_init(&sync_run, &self->dev, nr_sync, METHOD_B, 16,
		 RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, USER_RINGS ? run_submit(&async_run) :
				  run_start(&async_run));
	/* The device posted its first async upcall. */
	ASSERT_EQ(0, wait_word_min(&device_ctrl(&self->dev)->uq_prod.val, 1));
	if (USER_RINGS) {
		ASSERT_EQ(0, run_submit(&sync_run));
		ASSERT_EQ(0, runs_reap(&self->dev, 2));
	} else {
		ASSERT_EQ(0, run_start(&sync_run));
		ASSERT_EQ(0, run_join(&async_run));
		ASSERT_EQ(0, run_join(&sync_run));
	}
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));

	ASSERT_EQ(nr_async + nr_sync, s.nr_seen);
	for (i = 0; i < nr_async; i++) {
		ASSERT_EQ(METHOD_A, s.log[i].method) TH_LOG("upcall %u", i);
		ASSERT_EQ(i, s.log[i].n);
	}
	for (; i < nr_async + nr_sync; i++) {
		ASSERT_EQ(METHOD_B, s.log[i].method) TH_LOG("upcall %u", i);
		ASSERT_EQ(i - nr_async, s.log[i].n);
	}
}

/* ===================================================================== */
/* A host error raised on the device                                      */
/* ===================================================================== */

static const char value_error[] = "ValueError\0bad value";	/* + its NUL */

/* One sync upcall failed by the server with ValueError: bad value. */
static void failed_run(struct __test_metadata *_metadata,
		       FIXTURE_DATA(upcall) *self,
		       const FIXTURE_VARIANT(upcall) *variant, unsigned int count,
		       struct run *run)
{
	struct server s;

	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, server_start_failing(&s, &self->dev, 1, "ValueError",
					  "bad value"));
	run_init(run, &self->dev, count, METHOD_A, 16, 0);
	ASSERT_EQ(0, run_call(run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
}

TEST_F(upcall, host_error_gives_downcall_status_error)
{
	struct run run;

	failed_run(_metadata, self, variant, 1, &run);
	ASSERT_EQ(RPCDEV_STATUS_ERROR, run.res.status);
}

TEST_F(upcall, host_error_sets_entry_error_flag)
{
	struct run run;

	failed_run(_metadata, self, variant, 1, &run);
	ASSERT_EQ(RPCDEV_ENTRY_ERROR, run.res.flags);
}

TEST_F(upcall, host_error_payload_reaches_the_device_exactly)
{
	struct run run;

	failed_run(_metadata, self, variant, 1, &run);
	ASSERT_EQ(sizeof(value_error), run.res.resp_len);
	ASSERT_EQ(0, memcmp(value_error, run.resp.bytes, sizeof(value_error)));
}

TEST_F(upcall, host_error_stops_the_device_run)
{
	struct rpcdev_sim_stats st;
	struct run run;

	failed_run(_metadata, self, variant, 3, &run);
	ASSERT_EQ(RPCDEV_STATUS_ERROR, run.res.status);
	ASSERT_EQ(0, sim_stats(&self->dev, &st));
	ASSERT_EQ(1ULL, st.upcalls);
}

/* ===================================================================== */
/* A server killed with an upcall pending or taken                        */
/* ===================================================================== */

/* What server_to_kill() is to do. */
struct to_kill {
	unsigned int policy;
	bool take;
};

/*
 * The child of kill_a_server(): attach queue 0 with the policy, make a
 * downcall of one sync upcall from a thread, take the upcall if asked to,
 * tell the parent on @ready and never answer. Exits with EBADE if it gets
 * not so far.
 */
static void server_to_kill(int ready, void *arg)
{
	const struct to_kill *k = arg;
	struct rpcdev_upcall_req up;
	struct rpcdev dev;
	struct run run;

	if (rpcdev_open(&dev, DEV_PATH) ||
	    rpcdev_queue_attach_policy(&dev, 0, 0, 0, k->policy))
		_exit(EBADE);
	run_init(&run, &dev, 1, METHOD_A, 16, 0);
	if (run_start(&run))
		_exit(EBADE);
	if (k->take && rpcdev_upcall_wait(&dev, SERVE_TIMEOUT_NS, &up))
		_exit(EBADE);
	if (!k->take && wait_word(&device_ctrl(&dev)->uq_prod.val, 1))
		_exit(EBADE);
	if (write(ready, "r", 1) != 1)
		_exit(EBADE);
	for (;;)
		pause();
}

/*
 * A child serves queue 0 and never answers its one upcall; once the
 * upcall is made (the device posted it) or, with @take, taken, the child
 * is killed and reaped. Returns 0 once that is done, else -errno (the
 * child's exit status when it could not get that far).
 */
static int kill_a_server(unsigned int policy, bool take)
{
	struct to_kill k = { .policy = policy, .take = take };

	return fork_until_ready(server_to_kill, &k, true);
}

/*
 * An upcall made and not yet taken when its server dies is answered
 * RPCDEV_STATUS_NO_SERVER by the kernel, on every policy: on user rings
 * the kernel finds it from the program's UQ consumer index.
 */
TEST_F(upcall, killed_server_with_pending_upcall_is_answered_no_server)
{
	SKIP_UNLESS_SIM("rpcdev_sim's debugfs counters");
	ASSERT_EQ(0, kill_a_server(variant->policy, false));
	ASSERT_EQ(0, dbgfs_wait_key(self->sim_q0, "no_server", 1, WAIT_MS))
		TH_LOG("no_server %llu, stopped %llu",
		       dbg(self->sim_q0, "no_server"),
		       dbg(self->sim_q0, "stopped"));
	ASSERT_EQ(0ULL, dbg(self->sim_q0, "stopped"));
}

/*
 * One taken and not answered: the kernel answers it NO_SERVER where it
 * delivered it (BLOCK); on user rings only the dead program knew of it,
 * and the device learns from the queue's stop.
 */
TEST_F(upcall, killed_server_with_taken_upcall_is_ended_as_documented)
{
	SKIP_UNLESS_SIM("rpcdev_sim's debugfs counters");
	ASSERT_EQ(0, kill_a_server(variant->policy, true));
	ASSERT_EQ(0, dbgfs_wait_key(self->sim_q0,
				    USER_RINGS ? "stopped" : "no_server", 1,
				    WAIT_MS))
		TH_LOG("no_server %llu, stopped %llu",
		       dbg(self->sim_q0, "no_server"),
		       dbg(self->sim_q0, "stopped"));
	ASSERT_EQ(0ULL, dbg(self->sim_q0, USER_RINGS ? "no_server" : "stopped"));
}

TEST_F(upcall, killed_server_leaves_no_upcall_to_time_out)
{
	SKIP_UNLESS_SIM("rpcdev_sim's debugfs counters");
	ASSERT_EQ(0, kill_a_server(variant->policy, true));
	ASSERT_EQ(0, dbgfs_wait_key(self->sim_q0,
				    USER_RINGS ? "stopped" : "no_server", 1,
				    WAIT_MS));
	ASSERT_EQ(0ULL, dbg(self->sim_q0, "upcall_timeouts"));
}

TEST_F(upcall, queue_serves_again_after_killed_server)
{
	struct server s;
	struct run run;

	ASSERT_EQ(0, kill_a_server(variant->policy, true));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "attached", 0, WAIT_MS));
	ASSERT_EQ(0, ATTACH_QUEUE_0(0, 0));
	ASSERT_EQ(0, server_start(&s, &self->dev, 2));
	run_init(&run, &self->dev, 2, METHOD_A, 64, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_ok(&run));
	ASSERT_EQ(RPCDEV_SERVE_STOP, server_join(&s));
	ASSERT_EQ(2U, run.resp.r.done);
	ASSERT_EQ(0U, run.resp.r.mismatched);
}

TEST_HARNESS_MAIN
