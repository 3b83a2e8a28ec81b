// SPDX-License-Identifier: GPL-2.0
/*
 * The reference firmware's loops are bounded and give up their CPU: what
 * a queue's user writes into the memory it may write, or how it is
 * scheduled, never makes the device's firmware spin for ever or keep a
 * CPU from the other tasks on it. Run as root inside the test VM; each
 * test failed before the fix with a soft lockup (the firmware thread of
 * rpcdev_sim never scheduling), which the runner fails on.
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend that
 * $RPCDEV_TEST_BACKEND names (rpcdev_sim, one device of four queues, by
 * default) and opens /dev/rpcdev0 without a queue. The tests that place
 * the firmware thread on a CPU (rpcdev_sim's fw_cpu) need the sim and two
 * CPUs, and skip without them.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/rpcdev.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_calls.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_kmod.h"
#include "rpcdev_upcalls.h"
#include "rpcdev_util.h"

DEVICE_FIXTURE(fw)

/* The CPU the firmware threads of the placed queues run on, and another. */
#define FW_CPU		1
#define OTHER_CPU	0

/*
 * How long the firmware polls before it sleeps, where a test needs it to
 * see an answer by its seq alone (no doorbell is rung for that): the
 * sim's most.
 */
#define FW_POLL_US	100000

/* How long the device waits for an answer that is not to come. */
#define SHORT_UPCALL_TIMEOUT_MS	300

/* A producer index no host could have written: far past the ring. */
#define GARBAGE_INDEX	0x7fff0000U

/* The documented most of RPCDEV_SIM_MBOX_COST. */
#define MBOX_COST_MAX	(1U << 24)
#define MBOX_COST_TEST_S	300

/* Pin the calling thread (and the threads it creates) to @cpu. */
static int pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/*
 * Queues attached from here on have their firmware thread on FW_CPU,
 * polling @spin_us before it sleeps.
 */
#define FW_ON_CPU(spin_us) do {						\
	SKIP_UNLESS_SIM("rpcdev_sim's fw_cpu parameter");		\
	if (sysconf(_SC_NPROCESSORS_ONLN) <= FW_CPU)			\
		SKIP(return, "needs two CPUs: the firmware's and another"); \
	ASSERT_EQ(0, kmod_sim_param("fw_cpu", FW_CPU));			\
	ASSERT_EQ(0, kmod_sim_param("fw_spin_us", (spin_us)));		\
} while (0)

/* The firmware's count of malformed entries, or ~0 when it cannot be had. */
static unsigned long long sim_bad(struct rpcdev *dev)
{
	struct rpcdev_sim_stats st;

	return sim_stats(dev, &st) ? ~0ULL : st.bad;
}

/* ===================================================================== */
/* Garbage in a kernel-driven queue's ur_prod                            */
/* ===================================================================== */

/*
 * On a BLOCK queue the kernel writes UR, but the host part is mapped
 * writable. One store of an impossible ur_prod while the device waits for
 * an upcall's answer (no server takes it): the device must wait for the
 * answer as it would for a silent host, and time out.
 */
static int run_with_garbage_ur_prod(struct __test_metadata *_metadata,
				    FIXTURE_DATA(fw) *self, struct run *run)
{
	struct rpcdev_host_ctrl *hc;

	EXPECT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	hc = rpcdev_queue_part(&self->dev, RPCDEV_OFF_HOST, NULL);
	run_init(run, &self->dev, 1, METHOD_A, 64, 0);
	run->req.timeout_ms = htole32(SHORT_UPCALL_TIMEOUT_MS);
	EXPECT_EQ(0, run_start(run));
	EXPECT_EQ(0, wait_word(&device_ctrl(&self->dev)->uq_prod.val, 1));
	__atomic_store_n(&hc->ur_prod.val, GARBAGE_INDEX, __ATOMIC_RELEASE);
	return run_join(run);
}

TEST_F(fw, garbage_ur_prod_times_the_upcall_out)
{
	struct run run;

	ASSERT_EQ(0, run_with_garbage_ur_prod(_metadata, self, &run));
	ASSERT_EQ(RPCDEV_STATUS_OK, run.res.status);
	/* Timed out, and nothing else: no answer was made up. */
	ASSERT_EQ(1U, run.resp.r.timed_out);
	ASSERT_EQ(0U, run.resp.r.done + run.resp.r.failed);
}

TEST_F(fw, garbage_ur_prod_is_not_counted_bad)
{
	struct run run;

	ASSERT_EQ(0, run_with_garbage_ur_prod(_metadata, self, &run));
	ASSERT_EQ(0ULL, sim_bad(&self->dev));
}

TEST_F(fw, queue_works_after_garbage_ur_prod)
{
	struct run run;

	ASSERT_EQ(0, run_with_garbage_ur_prod(_metadata, self, &run));
	ASSERT_EQ(0, echo_check(&self->dev));
}

/* ===================================================================== */
/* A user-rings server preempted between the UR entry and ur_prod        */
/* ===================================================================== */

/*
 * Write the echo of @up at UR position @pos as librpcdev does, every field
 * and the payload before the seq, and leave ur_prod alone: the first of a
 * server's two stores. The payload goes in the UR buffer, which a queue
 * with inline entries (RPCDEV_ATTACH_INLINE, the library's default) takes
 * too; only the entries' size differs.
 */
static void ur_write_echo(struct rpcdev *dev,
			  const struct rpcdev_upcall_req *up, uint32_t pos)
{
	const struct rpcdev_queue_attach *l = rpcdev_queue_layout(dev);
	unsigned char *host = rpcdev_queue_part(dev, RPCDEV_OFF_HOST, NULL);
	size_t size = l->flags & RPCDEV_ATTACH_INLINE ?
		      sizeof(struct rpcdev_entry_inline) :
		      sizeof(struct rpcdev_entry);
	struct rpcdev_entry *e = (void *)(host + l->ur_off +
					  (pos & (l->depth - 1)) * size);

	memcpy(up->reply, up->data, up->len);
	e->id = up->id;
	e->method = up->method;
	e->len = up->len;
	e->flags = 0;
	e->status = RPCDEV_STATUS_OK;
	e->tag = up->tag;
	memset(e->ts, 0, sizeof(e->ts));
	__atomic_store_n(&e->seq, pos + 1, __ATOMIC_RELEASE);
}

/* The second store, ur_prod, and the doorbell if the device sleeps. */
static int ur_publish(struct rpcdev *dev, uint32_t prod)
{
	struct rpcdev_host_ctrl *hc = rpcdev_queue_part(dev, RPCDEV_OFF_HOST,
							NULL);
	struct rpcdev_enter e = { .flags = RPCDEV_ENTER_DOORBELL };

	__atomic_store_n(&hc->ur_prod.val, prod, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&device_ctrl(dev)->flags.val, __ATOMIC_RELAXED) &
	      RPCDEV_DEV_NEED_DOORBELL))
		return 0;
	return ioctl(rpcdev_fd(dev), RPCDEV_IOC_ENTER, &e) < 0 ? -errno : 0;
}

/*
 * A run of two sync upcalls on a POLL queue whose firmware polls on
 * FW_CPU, served from FW_CPU (the caller waits on OTHER_CPU). The first
 * answer is written in the documented order, UR entry then ur_prod, and
 * the server loses its CPU between the two stores until the device has
 * taken the answer by its seq: the device then sees ur_prod one behind its
 * own index while it waits for the second answer, which the server can
 * give only if the device lets it run. Returns the run's result.
 */
static int run_preempted_server(struct __test_metadata *_metadata,
				FIXTURE_DATA(fw) *self, struct run *run)
{
	struct rpcdev_upcall_req up;
	int ret;

	ret = rpcdev_queue_attach_policy(&self->dev, 0, 0, 0,
					 RPCDEV_WAIT_POLL);
	if (!ret)
		ret = pin_self(OTHER_CPU);
	run_init(run, &self->dev, 2, METHOD_A, 64, RPCDEV_SIM_UPCALL_VERIFY);
	if (!ret)
		ret = run_start(run);
	if (ret)
		return ret;
	EXPECT_EQ(0, pin_self(FW_CPU));

	ret = rpcdev_upcall_wait(&self->dev, SERVE_TIMEOUT_NS, &up);
	EXPECT_EQ(0, ret);
	if (!ret) {
		ur_write_echo(&self->dev, &up, 0);
		/* Off the CPU until the device took the answer by its seq. */
		EXPECT_EQ(0, wait_word(&device_ctrl(&self->dev)->ur_cons.val,
				       1));
		EXPECT_EQ(0, ur_publish(&self->dev, 1));
		ret = rpcdev_upcall_wait(&self->dev, SERVE_TIMEOUT_NS, &up);
		EXPECT_EQ(0, ret);
	}
	if (!ret) {
		ur_write_echo(&self->dev, &up, 1);
		EXPECT_EQ(0, ur_publish(&self->dev, 2));
	}
	return run_join(run);
}

TEST_F(fw, server_preempted_between_entry_and_index_gets_next_upcall)
{
	struct run run;

	FW_ON_CPU(FW_POLL_US);
	ASSERT_EQ(0, run_preempted_server(_metadata, self, &run));
	ASSERT_EQ(RPCDEV_STATUS_OK, run.res.status);
	ASSERT_EQ(2U, run.resp.r.done);
	ASSERT_EQ(0U, run.resp.r.mismatched);
	ASSERT_EQ(0U, run.resp.r.timed_out);
}

TEST_F(fw, ur_prod_behind_the_device_is_not_counted_bad)
{
	struct run run;

	FW_ON_CPU(FW_POLL_US);
	ASSERT_EQ(0, run_preempted_server(_metadata, self, &run));
	ASSERT_EQ(0ULL, sim_bad(&self->dev));
}

/* ===================================================================== */
/* A ring full of the longest RPCDEV_SIM_MBOX_COST calls                 */
/* ===================================================================== */

/* A thread on FW_CPU that notes how many answers were posted when it ran. */
struct bystander {
	const struct rpcdev_dev_ctrl *dc;
	uint32_t dc_prod_seen;
	pthread_t thread;
};

static void *bystander_main(void *arg)
{
	struct bystander *b = arg;

	b->dc_prod_seen = __atomic_load_n(&b->dc->dc_prod.val,
					  __ATOMIC_ACQUIRE);
	return NULL;
}

static int bystander_start(struct bystander *b, struct rpcdev *dev)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int ret;

	b->dc = device_ctrl(dev);
	CPU_ZERO(&set);
	CPU_SET(FW_CPU, &set);
	ret = pthread_attr_init(&attr);
	if (!ret)
		ret = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	if (!ret)
		ret = pthread_create(&b->thread, &attr, bystander_main, b);
	pthread_attr_destroy(&attr);
	return -ret;
}

/*
 * Every slot holds a call of 2^24 checks (seconds of an emulated CPU);
 * a thread that becomes ready on the firmware's CPU while the first one
 * runs must run before the device is through the ring.
 */
TEST_F_TIMEOUT(fw, ring_of_longest_mbox_cost_calls_lets_others_run,
	       MBOX_COST_TEST_S)
{
	struct rpcdev_sim_mbox_cost req = {
		.slot = 0,
		.count = htole32(MBOX_COST_MAX),
	};
	struct rpcdev_async_call calls[RPCDEV_MAX_DEPTH];
	struct rpcdev_completion out[RPCDEV_MAX_DEPTH];
	struct bystander b;
	unsigned int depth, i;

	FW_ON_CPU(50);
	ASSERT_EQ(0, pin_self(OTHER_CPU));
	ASSERT_EQ(0, rpcdev_queue_attach_policy(&self->dev, 0, 0, 0,
						RPCDEV_WAIT_POLL));
	depth = rpcdev_queue_depth(&self->dev);
	for (i = 0; i < depth; i++)
		calls[i] = (struct rpcdev_async_call){
			.method = RPCDEV_SIM_MBOX_COST,
			.req = &req,
			.req_len = sizeof(req),
			.user_data = i,
		};
	ASSERT_EQ((int)depth, rpcdev_submit(&self->dev, calls, depth));
	ASSERT_EQ(0, wait_word_min(&device_ctrl(&self->dev)->dq_cons.val, 1));
	ASSERT_EQ(0, bystander_start(&b, &self->dev));
	pthread_join(b.thread, NULL);
	ASSERT_EQ((int)depth, rpcdev_reap(&self->dev, out, depth, depth,
					  (MBOX_COST_TEST_S - 30) *
					  1000 * NSEC_PER_MSEC));
	for (i = 0; i < depth; i++) {
		ASSERT_EQ(RPCDEV_STATUS_OK, out[i].status);
		ASSERT_EQ(sizeof(uint64_t), out[i].len);
		ASSERT_EQ(0, rpcdev_completion_done(&self->dev, &out[i]));
	}
	ASSERT_GT(depth, b.dc_prod_seen)
		TH_LOG("the thread ran only once %u of %u calls were done",
		       b.dc_prod_seen, depth);
}

TEST_HARNESS_MAIN
