// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev's io_uring commands (RPCDEV_URING_*), through librpcdev's
 * rpcdev_prep_*() and rpcdev_uring_result() on a liburing ring, against
 * rpcdev_sim, run as root inside the test VM: each command's result byte
 * for byte, the errors of bad commands, what closing the ring, exiting,
 * being killed and IORING_OP_ASYNC_CANCEL do to pending commands, the
 * device's removal under them, and one ring serving two queues. A call,
 * a fetch and commit, a ring closed with a fetch pending, and a server
 * exiting or killed with a fetch pending or an upcall taken are tested on
 * a plain ring and on one with IORING_SETUP_SQPOLL (the any_ring
 * fixture's variants).
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend (rpcdev_sim,
 * one device of four queues, by default) and opens /dev/rpcdev0 without a
 * queue; the ring is the test process's own. Waits for counters in debugfs
 * and for CQEs are bounded (WAIT_MS); no test asserts how long anything
 * takes.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <liburing.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_calls.h"
#include "rpcdev_debugfs.h"
#include "rpcdev_fixture.h"
#include "rpcdev_upcalls.h"
#include "rpcdev_util.h"

/* Entries of the test's ring: more than any test has in flight. */
#define RING_ENTRIES	64
/* Calls of the batch test, submitted with one io_uring_enter(). */
#define BATCH		32
/* How long an SQPOLL ring's thread polls for SQEs before it sleeps. */
#define SQ_IDLE_MS	10
/* The delayed call left pending by the cancel and removal tests. */
#define PENDING_DELAY_US	(300 * USEC_PER_MSEC)
/* A call's timeout_ns the device misses (it answers after PENDING_DELAY). */
#define SHORT_TIMEOUT_NS	(50 * NSEC_PER_MSEC)
/* A call's timeout_ns an echo is answered well within. */
#define ANSWER_TIMEOUT_NS	(1000 * NSEC_PER_MSEC)
/* How long the device takes for calls that must time out first. */
#define MISSED_DELAY_US		(1000 * USEC_PER_MSEC)

/* The test process's ring. */
static struct io_uring ring;

/*
 * Set up the ring with IORING_SETUP_* @flags; 0 or -errno. An SQPOLL
 * ring's thread sleeps after SQ_IDLE_MS without work, not after the
 * default second of spinning on a CPU the device's firmware needs.
 */
static int ring_init_flags(unsigned int flags)
{
	struct io_uring_params p = {
		.flags = flags,
		.sq_thread_idle = SQ_IDLE_MS,
	};

	return io_uring_queue_init_params(RING_ENTRIES, &ring, &p);
}

/* IORING_SETUP_* flags of ring_init(): 0, or an any_ring variant's. */
static unsigned int ring_flags;

/* Set up the ring as the test has it (ring_flags); 0 or -errno. */
static int ring_init(void)
{
	return ring_init_flags(ring_flags);
}

/* The next free SQE (the ring is never full in these tests). */
static struct io_uring_sqe *sqe_get(void)
{
	return io_uring_get_sqe(&ring);
}

/*
 * Submit what was prepared and wait for the next CQE, at most WAIT_MS;
 * its res and user_data into *@res and *@data. 0, or -errno.
 */
static int next_cqe(int *res, uint64_t *data)
{
	struct __kernel_timespec ts = {
		.tv_sec = WAIT_MS / 1000,
	};
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &ts, NULL);
	if (ret < 0)
		return ret;
	/* liburing 2.3: a count and no CQE when it timed out after a submit. */
	if (!cqe)
		return -ETIME;
	*res = cqe->res;
	*data = cqe->user_data;
	io_uring_cqe_seen(&ring, cqe);
	return 0;
}

/*
 * The next CQE, of an op of ours: the op into *@op, and what
 * rpcdev_uring_result() makes of it (or -errno of the wait).
 */
static int next_op(struct rpcdev_uring_op **op)
{
	struct io_uring_cqe cqe = { 0 };
	uint64_t data;
	int ret;

	ret = next_cqe(&cqe.res, &data);
	if (ret)
		return ret;
	*op = (struct rpcdev_uring_op *)(uintptr_t)data;
	return rpcdev_uring_result(&cqe, *op);
}

/* Wait for @op's CQE (the next one) and read it: rpcdev_uring_result(). */
static int op_wait(struct rpcdev_uring_op *op)
{
	struct rpcdev_uring_op *got = NULL;
	int ret = next_op(&got);

	return got && got != op ? -EPROTO : ret;
}

/* Is a CQE there, without waiting? 1, 0, or -errno. */
static int cqe_ready(void)
{
	struct io_uring_cqe *cqe;
	int ret;

	ret = io_uring_peek_cqe(&ring, &cqe);
	if (ret == -EAGAIN)
		return 0;
	return ret ? ret : 1;
}

/* The fixture's device with queue 0 attached for the kernel (BLOCK). */
#define ATTACH_BLOCK(depth)						\
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, (depth), 0))

/* The same, and the ring set up. */
#define ATTACH_RING(depth) do {						\
	ATTACH_BLOCK(depth);						\
	ASSERT_EQ(0, ring_init());					\
} while (0)

/* One call of @method on a ring, waited for: rpcdev_uring_result(). */
static int ring_call(struct rpcdev *dev, unsigned int method, const void *req,
		     size_t len, void *resp, size_t cap,
		     struct rpcdev_uring_op *op)
{
	int ret = rpcdev_prep_call(sqe_get(), dev, op, method, req, len, resp,
				   cap);

	return ret ? ret : op_wait(op);
}

DEVICE_FIXTURE(uring)

/*
 * What must not depend on how the ring is set up: each any_ring test runs
 * on a plain ring and on one with IORING_SETUP_SQPOLL, whose kernel thread,
 * not the test's, submits the commands.
 */
DEVICE_FIXTURE(any_ring)

FIXTURE_VARIANT(any_ring) {
	unsigned int flags;	/* IORING_SETUP_* of ring_init() */
};

FIXTURE_VARIANT_ADD(any_ring, plain) {
	.flags = 0,
};

FIXTURE_VARIANT_ADD(any_ring, sqpoll) {
	.flags = IORING_SETUP_SQPOLL,
};

/* The probe's ring setup flags in, its result out. */
struct probe {
	unsigned int flags;
	int ret;
};

static void *ring_probe_main(void *arg)
{
	struct io_uring_params p = { .flags = ((struct probe *)arg)->flags };
	struct io_uring probe;
	int ret = io_uring_queue_init_params(RING_ENTRIES, &probe, &p);

	if (!ret)
		io_uring_queue_exit(&probe);
	((struct probe *)arg)->ret = ret;
	return NULL;
}

/*
 * Can a ring be set up with @flags here? 0 or -errno of the setup. From a
 * thread of its own, as close_a_ring_with() closes rings: the closed
 * ring's teardown, later, sends task work to the thread that set it up,
 * which would end a wait of the test's in an ioctl with EINTR.
 */
static int ring_probe(unsigned int flags)
{
	struct probe pr = { .flags = flags };
	pthread_t t;
	int ret;

	ret = -pthread_create(&t, NULL, ring_probe_main, &pr);
	if (ret)
		return ret;
	pthread_join(t, NULL);
	return pr.ret;
}

/*
 * ring_init() sets rings up as the variant says from here on (in the
 * test's process and the children it forks); a kernel that refuses the
 * flags (no SQPOLL, or not for this user) skips the test.
 */
#define RING_OF_VARIANT() do {						\
	int _ret = variant->flags ? ring_probe(variant->flags) : 0;	\
									\
	if (_ret == -EPERM || _ret == -EINVAL || _ret == -EOPNOTSUPP)	\
		SKIP(return, "no ring with setup flags 0x%x here: %s",	\
		     variant->flags, strerror(-_ret));			\
	ASSERT_EQ(0, _ret);						\
	ring_flags = variant->flags;					\
} while (0)

/* ===================================================================== */
/* Downcalls                                                              */
/* ===================================================================== */

TEST_F(uring, info_reports_uring_cmd)
{
	struct rpcdev_info info;

	ASSERT_EQ(0, rpcdev_info(&self->dev, &info));
	ASSERT_EQ(RPCDEV_FEAT_URING_CMD, info.features & RPCDEV_FEAT_URING_CMD);
}

TEST_F(any_ring, call_gives_the_echo_byte_exact)
{
	struct rpcdev_uring_op op;
	char req[200], resp[256];

	RING_OF_VARIANT();

	ATTACH_RING(0);
	fill_pattern(req, sizeof(req), 7);
	memset(resp, 0, sizeof(resp));
	ASSERT_EQ(0, ring_call(&self->dev, RPCDEV_SIM_ECHO, req, sizeof(req),
			       resp, sizeof(resp), &op));
	ASSERT_EQ(RPCDEV_STATUS_OK, op.res.call.status);
	ASSERT_EQ(sizeof(req), op.res.call.resp_len);
	ASSERT_EQ(0, memcmp(req, resp, sizeof(req)));
	ASSERT_EQ(-1, first_not(resp + sizeof(req), sizeof(resp) - sizeof(req), 0));
}

/*
 * RPCDEV_URING_CALL with the request and the result in one registered
 * buffer (RPCDEV_FEAT_REG_BUFS): 1 MiB echoed in place, as the ioctl does.
 */
TEST_F(uring, call_through_registered_buffers_echoes_1mib_in_place)
{
	struct rpcdev_uring_op op;
	struct rpcdev_info info;
	unsigned char *p;
	int index;

	ASSERT_EQ(0, rpcdev_info(&self->dev, &info));
	if (!(info.features & RPCDEV_FEAT_REG_BUFS))
		SKIP(return, "the device has no RPCDEV_FEAT_REG_BUFS");
	p = mmap(NULL, 2 * MIB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ATTACH_RING(0);
	fill_pattern(p, MIB, 9);
	index = rpcdev_buf_register(&self->dev, p, 2 * MIB);
	ASSERT_EQ(0, index);
	ASSERT_EQ(0, rpcdev_prep_call(sqe_get(), &self->dev, &op,
				      RPCDEV_SIM_ECHO, NULL, 0, NULL, 0));
	/* The argument is read when the command is issued, at the submit. */
	op.arg.call.flags = RPCDEV_CALL_REQ_BUF | RPCDEV_CALL_RESP_BUF;
	op.arg.call.req_buf = index;
	op.arg.call.req = 0;
	op.arg.call.req_len = MIB;
	op.arg.call.resp_buf = index;
	op.arg.call.resp = MIB;
	op.arg.call.resp_cap = MIB;
	ASSERT_EQ(0, op_wait(&op));
	EXPECT_EQ(RPCDEV_STATUS_OK, op.res.call.status);
	EXPECT_EQ(RPCDEV_ENTRY_BUFS, op.res.call.flags);
	EXPECT_EQ(MIB, op.res.call.resp_len);
	EXPECT_EQ(0, memcmp(p, p + MIB, MIB));
	EXPECT_EQ(0, rpcdev_buf_unregister(&self->dev, index));
	munmap(p, 2 * MIB);
}

TEST_F(uring, call_of_failing_method_gives_error_status_and_payload)
{
	static const char expect[] = "SimError\0boom";
	struct rpcdev_uring_op op;
	char resp[64];

	ATTACH_RING(0);
	ASSERT_EQ(0, ring_call(&self->dev, RPCDEV_SIM_FAIL, "boom", 4, resp,
			       sizeof(resp), &op));
	ASSERT_EQ(RPCDEV_STATUS_ERROR, op.res.call.status);
	ASSERT_EQ(RPCDEV_ENTRY_ERROR, op.res.call.flags);
	ASSERT_EQ(sizeof(expect), op.res.call.resp_len);
	ASSERT_EQ(0, memcmp(expect, resp, sizeof(expect)));
}

TEST_F(uring, call_answer_past_resp_cap_is_cut_there)
{
	struct rpcdev_uring_op op;
	char req[64], resp[64];

	ATTACH_RING(0);
	fill_pattern(req, sizeof(req), 9);
	memset(resp, 0, sizeof(resp));
	ASSERT_EQ(0, ring_call(&self->dev, RPCDEV_SIM_ECHO, req, sizeof(req),
			       resp, 16, &op));
	ASSERT_EQ(sizeof(req), op.res.call.resp_len);
	ASSERT_EQ(0, memcmp(req, resp, 16));
	ASSERT_EQ(-1, first_not(resp + 16, sizeof(resp) - 16, 0));
}

TEST_F(uring, batch_of_32_calls_completes_each_once_byte_exact)
{
	static struct rpcdev_uring_op ops[BATCH];
	static char req[BATCH][96], resp[BATCH][96];
	unsigned int seen = 0, i;

	ATTACH_RING(BATCH);
	for (i = 0; i < BATCH; i++) {
		fill_pattern(req[i], sizeof(req[i]), i);
		ASSERT_EQ(0, rpcdev_prep_call(sqe_get(), &self->dev, &ops[i],
					      RPCDEV_SIM_ECHO, req[i],
					      sizeof(req[i]), resp[i],
					      sizeof(resp[i])));
	}
	ASSERT_EQ(BATCH, io_uring_submit(&ring));
	for (i = 0; i < BATCH; i++) {
		struct rpcdev_uring_op *op;
		unsigned int n;

		ASSERT_EQ(0, next_op(&op));
		n = op - ops;
		ASSERT_GT(BATCH, n);
		ASSERT_EQ(0U, seen >> n & 1) TH_LOG("call %u completed twice", n);
		seen |= 1U << n;
		ASSERT_EQ(RPCDEV_STATUS_OK, op->res.call.status);
		ASSERT_EQ(sizeof(req[n]), op->res.call.resp_len);
		ASSERT_EQ(0, memcmp(req[n], resp[n], sizeof(req[n])));
	}
	ASSERT_EQ(0xffffffffU, seen);
	ASSERT_EQ(0, cqe_ready());
}

TEST_F(uring, calls_past_the_depth_give_eagain)
{
	struct rpcdev_uring_op ops[3];
	uint64_t us = htole64(PENDING_DELAY_US), data;
	int res, i;

	ATTACH_RING(2);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, rpcdev_prep_call(sqe_get(), &self->dev, &ops[i],
					      RPCDEV_SIM_DELAY, &us, sizeof(us),
					      NULL, 0));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, next_cqe(&res, &data));
		ASSERT_EQ(data == (uintptr_t)&ops[2] ? -EAGAIN : 0, res);
	}
}

/*
 * A call's timeout_ns (RPCDEV_FEAT_URING_TIMEOUT): the kernel ends it with
 * -ETIMEDOUT, its slot abandoned to the device and free once it answered.
 */
TEST_F(uring, call_the_device_answers_too_late_gives_etimedout)
{
	uint64_t us = htole64(PENDING_DELAY_US);
	struct rpcdev_uring_op op;

	ATTACH_RING(0);
	ASSERT_EQ(0, rpcdev_prep_call_timeout(sqe_get(), &self->dev, &op,
					      RPCDEV_SIM_DELAY, &us, sizeof(us),
					      NULL, 0, SHORT_TIMEOUT_NS));
	ASSERT_EQ(-ETIMEDOUT, op_wait(&op));
	ASSERT_EQ(1ULL, dbg(self->q0, "timeouts"));
	ASSERT_EQ(0ULL, dbg(self->q0, "uring_pending"));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "completed", 1, WAIT_MS));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "free", RPCDEV_DEFAULT_DEPTH,
				    WAIT_MS));
	ASSERT_EQ(0ULL, dbg(self->q0, "abandoned"));
	ASSERT_EQ(0, echo_check(&self->dev));
}

/* An answer within the timeout: the call's result, and no second CQE. */
TEST_F(uring, call_answered_within_its_timeout_completes_once)
{
	struct rpcdev_uring_op op;
	char req[48], resp[48];

	ATTACH_RING(0);
	fill_pattern(req, sizeof(req), 5);
	ASSERT_EQ(0, rpcdev_prep_call_timeout(sqe_get(), &self->dev, &op,
					      RPCDEV_SIM_ECHO, req, sizeof(req),
					      resp, sizeof(resp),
					      ANSWER_TIMEOUT_NS));
	ASSERT_EQ(0, op_wait(&op));
	ASSERT_EQ(RPCDEV_STATUS_OK, op.res.call.status);
	ASSERT_EQ(sizeof(req), op.res.call.resp_len);
	ASSERT_EQ(0, memcmp(req, resp, sizeof(req)));
	/* Past the deadline, nothing is left to end. */
	usleep(ANSWER_TIMEOUT_NS / 1000 + 200 * USEC_PER_MSEC);
	ASSERT_EQ(0, cqe_ready());
	ASSERT_EQ(0ULL, dbg(self->q0, "timeouts"));
}

/* A deadline past what the clock can reach: the call waits for its answer. */
TEST_F(uring, call_with_the_longest_timeout_waits_for_its_answer)
{
	uint64_t us = htole64(PENDING_DELAY_US);
	struct rpcdev_uring_op op;

	ATTACH_RING(0);
	ASSERT_EQ(0, rpcdev_prep_call_timeout(sqe_get(), &self->dev, &op,
					      RPCDEV_SIM_DELAY, &us, sizeof(us),
					      NULL, 0, UINT64_MAX));
	ASSERT_EQ(0, op_wait(&op));
	ASSERT_EQ(RPCDEV_STATUS_OK, op.res.call.status);
	ASSERT_EQ(0ULL, dbg(self->q0, "timeouts"));
}

/*
 * Three calls, each submitted with an earlier deadline than the one
 * before: the kernel's timer follows the earliest, then the next, and the
 * call that is answered in time completes after both have timed out.
 */
TEST_F(uring, calls_time_out_in_the_order_of_their_deadlines)
{
	uint64_t slow = htole64(2 * PENDING_DELAY_US);
	uint64_t late = htole64(MISSED_DELAY_US);
	struct rpcdev_uring_op ops[3], *op;
	static const uint64_t timeout_ns[3] = {
		ANSWER_TIMEOUT_NS * 10, 300 * NSEC_PER_MSEC, 100 * NSEC_PER_MSEC,
	};
	int i;

	ATTACH_RING(0);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, rpcdev_prep_call_timeout(sqe_get(), &self->dev,
						      &ops[i], RPCDEV_SIM_DELAY,
						      i ? &late : &slow,
						      sizeof(uint64_t), NULL, 0,
						      timeout_ns[i]));
	for (i = 2; i >= 0; i--) {
		ASSERT_EQ(i ? -ETIMEDOUT : 0, next_op(&op));
		ASSERT_EQ(&ops[i], op);
	}
	ASSERT_EQ(2ULL, dbg(self->q0, "timeouts"));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "free", RPCDEV_DEFAULT_DEPTH,
				    WAIT_MS));
}

/* ===================================================================== */
/* Upcalls                                                                */
/* ===================================================================== */

/* Answer the upcall in @op with its own request, in place, by COMMIT. */
static int commit_echo(struct rpcdev *dev, struct rpcdev_uring_op *op)
{
	struct rpcdev_upcall_reply reply;

	memcpy(op->res.up.reply, op->res.up.data, op->res.up.len);
	memset(&reply, 0, sizeof(reply));
	reply.id = op->res.up.id;
	reply.len = op->res.up.len;
	return rpcdev_prep_upcall_commit(sqe_get(), dev, op, &reply);
}

TEST_F(uring, fetch_gives_the_upcall_and_its_payload_in_place)
{
	struct rpcdev_uring_op op;
	struct run run;
	uint64_t n;

	ATTACH_RING(0);
	run_init(&run, &self->dev, 1, METHOD_A, 64, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(&run));
	ASSERT_EQ(0, rpcdev_prep_upcall_fetch(sqe_get(), &self->dev, &op));
	ASSERT_EQ(0, op_wait(&op));
	ASSERT_EQ((unsigned int)METHOD_A, op.res.up.method);
	ASSERT_EQ(0U, op.res.up.flags);
	ASSERT_EQ(64U, op.res.up.len);
	ASSERT_EQ(1, decode_pattern(op.res.up.data, op.res.up.len, &n));
	ASSERT_EQ(0ULL, n);
	ASSERT_EQ(0, echo_reply(&self->dev, &op.res.up));
	ASSERT_EQ(0, run_done_exactly(&run));
}

TEST_F(uring, fetch_submitted_first_waits_for_the_upcall)
{
	struct rpcdev_uring_op op;
	struct run run;

	ATTACH_RING(0);
	ASSERT_EQ(0, rpcdev_prep_upcall_fetch(sqe_get(), &self->dev, &op));
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, cqe_ready());
	run_init(&run, &self->dev, 1, METHOD_B, 16, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(&run));
	ASSERT_EQ(0, op_wait(&op));
	ASSERT_EQ((unsigned int)METHOD_B, op.res.up.method);
	ASSERT_EQ(0, echo_reply(&self->dev, &op.res.up));
	ASSERT_EQ(0, run_done_exactly(&run));
}

TEST_F(any_ring, commit_answers_and_fetches_the_next)
{
	struct rpcdev_uring_op op;
	struct run run;
	uint64_t n;
	int i;

	RING_OF_VARIANT();

	ATTACH_RING(0);
	run_init(&run, &self->dev, 5, METHOD_A, 48, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(&run));
	ASSERT_EQ(0, rpcdev_prep_upcall_fetch(sqe_get(), &self->dev, &op));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, op_wait(&op));
		ASSERT_EQ(1, decode_pattern(op.res.up.data, op.res.up.len, &n));
		ASSERT_EQ((uint64_t)i, n);
		ASSERT_EQ(0, commit_echo(&self->dev, &op));
	}
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, run_join(&run));
	ASSERT_EQ(RPCDEV_STATUS_OK, run.res.status);
	ASSERT_EQ(5U, run.resp.r.done);
	ASSERT_EQ(0U, run.resp.r.mismatched);
}

TEST_F(uring, commit_of_an_upcall_not_taken_gives_einval_at_once)
{
	struct rpcdev_upcall_reply reply = { .id = 3 };
	struct rpcdev_uring_op op;

	ATTACH_RING(0);
	ASSERT_EQ(0, rpcdev_prep_upcall_commit(sqe_get(), &self->dev, &op,
					       &reply));
	ASSERT_EQ(-EINVAL, op_wait(&op));
}

TEST_F(uring, commit_on_another_files_queue_gives_einval)
{
	struct rpcdev_upcall_reply reply = { 0 };
	struct rpcdev_uring_op op, other;
	struct rpcdev dev1;
	struct run run;

	ATTACH_RING(0);
	ASSERT_EQ(0, rpcdev_open(&dev1, DEV_PATH));
	ASSERT_EQ(0, rpcdev_queue_attach(&dev1, 1, 0, 0));
	run_init(&run, &dev1, 1, METHOD_A, 16, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(&run));
	ASSERT_EQ(0, rpcdev_prep_upcall_fetch(sqe_get(), &dev1, &op));
	ASSERT_EQ(0, op_wait(&op));
	/* Queue 1's upcall, answered on queue 0's file. */
	reply.id = op.res.up.id;
	ASSERT_EQ(0, rpcdev_prep_upcall_commit(sqe_get(), &self->dev, &other,
					       &reply));
	ASSERT_EQ(-EINVAL, op_wait(&other));
	ASSERT_EQ(0, echo_reply(&dev1, &op.res.up));
	ASSERT_EQ(0, run_done_exactly(&run));
}

TEST_F(uring, async_upcalls_come_through_fetch_flagged)
{
	struct rpcdev_uring_op op;
	struct run run;
	int i;

	ATTACH_RING(0);
	run_init(&run, &self->dev, 3, METHOD_A, 8, RPCDEV_SIM_UPCALL_ASYNC);
	ASSERT_EQ(0, run_start(&run));
	ASSERT_EQ(0, rpcdev_prep_upcall_fetch(sqe_get(), &self->dev, &op));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, op_wait(&op));
		ASSERT_EQ(RPCDEV_ENTRY_ASYNC, op.res.up.flags);
		ASSERT_EQ(0, commit_echo(&self->dev, &op));
	}
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, run_join(&run));
	ASSERT_EQ(3U, run.resp.r.done);
}

/* ===================================================================== */
/* The mailbox                                                            */
/* ===================================================================== */

/* The device posts @count messages from @value on queue 0's mailbox. */
static int notify(struct rpcdev *dev, unsigned int count, uint64_t value)
{
	struct rpcdev_sim_notify req = {
		.count = htole32(count),
		.value = htole64(value),
	};
	struct rpcdev_call_result res;
	__u32 posted = 0;
	int ret;

	ret = rpcdev_call(dev, RPCDEV_SIM_NOTIFY, &req, sizeof(req), &posted,
			  sizeof(posted), CALL_TIMEOUT_NS, &res);
	if (ret)
		return ret;
	if (res.status != RPCDEV_STATUS_OK || le32toh(posted) != count)
		return -EPROTO;
	return 0;
}

/*
 * The waits and the downcall that makes the device post go on one ring:
 * the thread that submitted the waits runs their completion work, which
 * would end a wait of its own in an ioctl with EINTR.
 */
TEST_F(uring, mbox_waits_take_each_message_once)
{
	struct rpcdev_sim_notify req = {
		.count = htole32(3),
		.value = htole64(100),
	};
	struct rpcdev_uring_op ops[3], call;
	unsigned int seen = 0, i;
	__u32 posted = 0;

	ATTACH_RING(0);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, rpcdev_prep_mbox_wait(sqe_get(), &self->dev, &ops[i]));
	ASSERT_EQ(0, rpcdev_prep_call(sqe_get(), &self->dev, &call,
				      RPCDEV_SIM_NOTIFY, &req, sizeof(req),
				      &posted, sizeof(posted)));
	for (i = 0; i < 4; i++) {
		struct rpcdev_uring_op *op;

		ASSERT_EQ(0, next_op(&op));
		if (op == &call) {
			ASSERT_EQ(RPCDEV_STATUS_OK, call.res.call.status);
			ASSERT_EQ(3U, le32toh(posted));
			continue;
		}
		ASSERT_LE(100ULL, op->res.msg.value);
		ASSERT_GT(103ULL, op->res.msg.value);
		ASSERT_EQ(0U, seen >> (op->res.msg.value - 100) & 1);
		seen |= 1U << (op->res.msg.value - 100);
		ASSERT_EQ(0U, op->res.msg.lost);
	}
	ASSERT_EQ(7U, seen);
}

TEST_F(uring, mbox_wait_with_a_message_waiting_takes_it)
{
	struct rpcdev_mbox_msg msg;
	struct rpcdev_uring_op op;

	ATTACH_RING(0);
	ASSERT_EQ(0, notify(&self->dev, 2, 40));
	ASSERT_EQ(0, rpcdev_prep_mbox_wait(sqe_get(), &self->dev, &op));
	ASSERT_EQ(0, op_wait(&op));
	ASSERT_EQ(40ULL, op.res.msg.value);
	ASSERT_EQ(1U, op.res.msg.pending);
	ASSERT_EQ(0, rpcdev_mbox_read(&self->dev, &msg));
	ASSERT_EQ(41ULL, msg.value);
}

/* ===================================================================== */
/* Bad commands                                                           */
/* ===================================================================== */

/* Submit the command prepared; its CQE's res, or -errno of the wait. */
static int submit_res(void)
{
	uint64_t data;
	int res, ret;

	ret = next_cqe(&res, &data);
	return ret ? ret : res;
}

/* Another file of the device, with no queue. */
static int file_without_queue(void)
{
	return open(DEV_PATH, O_RDWR | O_CLOEXEC);
}

/* Another file of the device, its queue 1 on user rings. */
static int file_on_user_rings(void)
{
	struct rpcdev_queue_attach a = { .qid = 1,
					 .flags = RPCDEV_ATTACH_USER_RINGS };
	int fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd >= 0 && ioctl(fd, RPCDEV_IOC_QUEUE_ATTACH, &a))
		return -1;
	return fd;
}

/* How a bad command is made from a good one. */
enum spoil {
	SPOIL_AREA_RESERVED,	/* the command area's reserved field */
	SPOIL_AREA_FLAGS,	/* the command area's flags */
	SPOIL_AREA_ADDR,	/* the argument's address: unmapped */
	SPOIL_OP_UNKNOWN,	/* cmd_op: no rpcdev command */
	SPOIL_OP_IOCTL,		/* cmd_op: an ioctl's number */
	SPOIL_ARG_RESERVED,	/* the argument's reserved field */
	SPOIL_ARG_TIMEOUT,	/* the argument's timeout_ns */
	SPOIL_ARG_FLAGS,	/* a fetch's flags: with REPLY */
	SPOIL_ARG_LEN,		/* a call's req_len: past buf_size */
	SPOIL_FD_NO_QUEUE,	/* a file without a queue */
	SPOIL_FD_USER_RINGS,	/* a file whose queue is on user rings */
};

DEVICE_FIXTURE(bad)

FIXTURE_VARIANT(bad) {
	unsigned int kind;	/* RPCDEV_URING_OP_* prepared */
	enum spoil spoil;
	int err;		/* the CQE's res */
};

#define BAD(name, k, s, e)						\
	FIXTURE_VARIANT_ADD(bad, name) {				\
		.kind = RPCDEV_URING_OP_##k, .spoil = s, .err = e,	\
	}

BAD(reserved_field_set_gives_einval, CALL, SPOIL_AREA_RESERVED, -EINVAL);
BAD(flags_set_give_einval, MBOX, SPOIL_AREA_FLAGS, -EINVAL);
BAD(argument_not_readable_gives_efault, CALL, SPOIL_AREA_ADDR, -EFAULT);
BAD(unknown_op_gives_enotty, MBOX, SPOIL_OP_UNKNOWN, -ENOTTY);
BAD(ioctl_number_as_op_gives_enotty, MBOX, SPOIL_OP_IOCTL, -ENOTTY);
BAD(call_with_a_reserved_field_set_gives_einval, CALL, SPOIL_ARG_RESERVED,
    -EINVAL);
BAD(call_past_buf_size_gives_e2big, CALL, SPOIL_ARG_LEN, -E2BIG);
BAD(fetch_with_a_reserved_field_set_gives_einval, UPCALL, SPOIL_ARG_RESERVED,
    -EINVAL);
BAD(fetch_with_a_timeout_gives_einval, UPCALL, SPOIL_ARG_TIMEOUT, -EINVAL);
BAD(fetch_with_reply_flag_gives_einval, UPCALL, SPOIL_ARG_FLAGS, -EINVAL);
BAD(command_on_a_file_without_queue_gives_einval, MBOX, SPOIL_FD_NO_QUEUE,
    -EINVAL);
BAD(command_on_a_user_rings_queue_gives_einval, MBOX, SPOIL_FD_USER_RINGS,
    -EINVAL);

/* Prepare the variant's good command into @sqe and @op. */
static int prep_kind(unsigned int kind, struct io_uring_sqe *sqe,
		     struct rpcdev *dev, struct rpcdev_uring_op *op)
{
	switch (kind) {
	case RPCDEV_URING_OP_CALL:
		return rpcdev_prep_call(sqe, dev, op, RPCDEV_SIM_ECHO, "x", 1,
					NULL, 0);
	case RPCDEV_URING_OP_UPCALL:
		return rpcdev_prep_upcall_fetch(sqe, dev, op);
	default:
		return rpcdev_prep_mbox_wait(sqe, dev, op);
	}
}

/* Make the prepared command bad as @spoil says. */
static void spoil(enum spoil spoil, struct io_uring_sqe *sqe,
		  struct rpcdev_uring_op *op)
{
	struct rpcdev_uring_cmd *area = (struct rpcdev_uring_cmd *)sqe->cmd;

	switch (spoil) {
	case SPOIL_AREA_RESERVED:
		area->reserved = 1;
		break;
	case SPOIL_AREA_FLAGS:
		area->flags = 1;
		break;
	case SPOIL_AREA_ADDR:
		area->addr = (uintptr_t)unmapped_address();
		break;
	case SPOIL_OP_UNKNOWN:
		sqe->cmd_op = _IOWR(RPCDEV_IOC_MAGIC, 0x4f,
				    struct rpcdev_uring_cmd);
		break;
	case SPOIL_OP_IOCTL:
		sqe->cmd_op = RPCDEV_IOC_MBOX_READ;
		break;
	case SPOIL_ARG_RESERVED:
		if (op->kind == RPCDEV_URING_OP_CALL)
			op->arg.call.reserved[3] = 1;
		else
			op->arg.upcall.reserved[1] = 1;
		break;
	case SPOIL_ARG_TIMEOUT:
		if (op->kind == RPCDEV_URING_OP_CALL)
			op->arg.call.timeout_ns = 1000;
		else
			op->arg.upcall.timeout_ns = 1000;
		break;
	case SPOIL_ARG_FLAGS:
		op->arg.upcall.flags |= RPCDEV_UPCALL_REPLY;
		break;
	case SPOIL_ARG_LEN:
		op->arg.call.req_len = 2 * RPCDEV_DEFAULT_BUF_SIZE;
		break;
	case SPOIL_FD_NO_QUEUE:
		sqe->fd = file_without_queue();
		break;
	case SPOIL_FD_USER_RINGS:
		sqe->fd = file_on_user_rings();
		break;
	}
}

TEST_F(bad, command_gives_its_exact_error)
{
	struct rpcdev_uring_op op;
	struct io_uring_sqe *sqe;

	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, 0, 0));
	ASSERT_EQ(0, ring_init());
	sqe = sqe_get();
	ASSERT_EQ(0, prep_kind(variant->kind, sqe, &self->dev, &op));
	spoil(variant->spoil, sqe, &op);
	ASSERT_LE(0, sqe->fd);
	ASSERT_EQ(variant->err, submit_res());
}

TEST_F(uring, prep_of_a_call_past_buf_size_gives_e2big)
{
	struct rpcdev_uring_op op;
	static char big[2 * RPCDEV_DEFAULT_BUF_SIZE];
	struct io_uring_sqe sqe;

	ATTACH_BLOCK(0);
	memset(&sqe, 0xa5, sizeof(sqe));
	ASSERT_EQ(-E2BIG, rpcdev_prep_call(&sqe, &self->dev, &op,
					   RPCDEV_SIM_ECHO, big, sizeof(big),
					   NULL, 0));
	ASSERT_EQ(0xa5, sqe.opcode);
}

TEST_F(uring, prep_on_a_poll_queue_gives_einval)
{
	struct rpcdev_uring_op op;
	struct io_uring_sqe sqe;

	ASSERT_EQ(0, rpcdev_queue_attach_policy(&self->dev, 0, 0, 0,
						RPCDEV_WAIT_POLL));
	memset(&sqe, 0xa5, sizeof(sqe));
	ASSERT_EQ(-EINVAL, rpcdev_prep_upcall_fetch(&sqe, &self->dev, &op));
	ASSERT_EQ(0xa5, sqe.opcode);
}

/* ===================================================================== */
/* One command of each kind pending: what ends it, what does not          */
/* ===================================================================== */

DEVICE_FIXTURE(pending)

FIXTURE_VARIANT(pending) {
	unsigned int kind;	/* RPCDEV_URING_OP_* left pending */
	uint64_t timeout_ns;	/* a call's, past the test's end */
};

FIXTURE_VARIANT_ADD(pending, call) {
	.kind = RPCDEV_URING_OP_CALL,
};

/* The same with the kernel's timer armed for it. */
FIXTURE_VARIANT_ADD(pending, call_with_a_timeout) {
	.kind = RPCDEV_URING_OP_CALL,
	.timeout_ns = 60000 * NSEC_PER_MSEC,
};

FIXTURE_VARIANT_ADD(pending, fetch) {
	.kind = RPCDEV_URING_OP_UPCALL,
};

FIXTURE_VARIANT_ADD(pending, mbox_wait) {
	.kind = RPCDEV_URING_OP_MBOX,
};

/*
 * Attach queue 0, set up the ring and leave one command of @kind pending
 * on it (a call the device answers only after REMOVAL_DELAY_US, with
 * @timeout_ns). 0 once the kernel counts it pending, else -errno.
 */
static int leave_pending(struct rpcdev *dev, const char *q0, unsigned int kind,
			 uint64_t timeout_ns, struct rpcdev_uring_op *op)
{
	static uint64_t us;
	int ret;

	us = htole64(REMOVAL_DELAY_US);
	ret = rpcdev_queue_attach(dev, 0, 0, 0);
	if (!ret)
		ret = ring_init();
	if (ret)
		return ret;
	if (kind == RPCDEV_URING_OP_CALL)
		ret = rpcdev_prep_call_timeout(sqe_get(), dev, op,
					       RPCDEV_SIM_DELAY, &us,
					       sizeof(us), NULL, 0, timeout_ns);
	else
		ret = prep_kind(kind, sqe_get(), dev, op);
	if (ret)
		return ret;
	ret = io_uring_submit(&ring);
	if (ret != 1)
		return ret < 0 ? ret : -EIO;
	return dbgfs_wait_key(q0, "uring_pending", 1, WAIT_MS);
}

TEST_F(pending, removal_gives_enodev)
{
	struct rpcdev_uring_op op;

	ASSERT_EQ(0, leave_pending(&self->dev, self->q0, variant->kind,
				   variant->timeout_ns, &op));
	ASSERT_EQ(0, kmod_remove_devices());
	ASSERT_EQ(-ENODEV, op_wait(&op));
}

TEST_F(pending, async_cancel_does_not_reach_it)
{
	struct rpcdev_uring_op op;
	struct io_uring_sqe *sqe;
	uint64_t data;
	int res;

	ASSERT_EQ(0, leave_pending(&self->dev, self->q0, variant->kind,
				   variant->timeout_ns, &op));
	sqe = sqe_get();
	io_uring_prep_cancel64(sqe, (uintptr_t)&op, 0);
	io_uring_sqe_set_data64(sqe, 1);
	ASSERT_EQ(0, next_cqe(&res, &data));
	ASSERT_EQ(1ULL, data);
	ASSERT_EQ(-ENOENT, res);
	ASSERT_EQ(1ULL, dbg(self->q0, "uring_pending"));
	ASSERT_EQ(0, cqe_ready());
}

TEST_F(pending, ring_closed_ends_it)
{
	struct rpcdev_uring_op op;

	ASSERT_EQ(0, leave_pending(&self->dev, self->q0, variant->kind,
				   variant->timeout_ns, &op));
	io_uring_queue_exit(&ring);
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "uring_pending", 0, WAIT_MS));
}

TEST_F(pending, ring_and_file_closed_let_the_queue_go)
{
	struct rpcdev_uring_op op;

	ASSERT_EQ(0, leave_pending(&self->dev, self->q0, variant->kind,
				   variant->timeout_ns, &op));
	io_uring_queue_exit(&ring);
	rpcdev_close(&self->dev);
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "attached", 0, WAIT_MS));
}

/* ===================================================================== */
/* A closed ring, an exit, a kill: what becomes of upcalls, slots, files  */
/* ===================================================================== */

/* A command left pending on a ring of another thread, which closes it. */
struct ring_job {
	struct rpcdev *dev;
	const char *q0;
	unsigned int kind;
	struct rpcdev_uring_op op;
	int ret;
};

static void *ring_job_main(void *arg)
{
	struct ring_job *j = arg;

	j->ret = leave_pending(j->dev, j->q0, j->kind, 0, &j->op);
	if (!j->ret)
		io_uring_queue_exit(&ring);
	return NULL;
}

/*
 * Attach queue 0 and leave a command of @kind pending on a ring that
 * another thread sets up and closes, then wait until the command is gone.
 * Not this thread's ring: the ring's closing sends its task work to the
 * thread that submitted to it (TWA_SIGNAL), which would end a wait of that
 * thread in an ioctl with EINTR.
 */
static int close_a_ring_with(struct ring_job *j)
{
	pthread_t t;
	int ret;

	ret = -pthread_create(&t, NULL, ring_job_main, j);
	if (ret)
		return ret;
	pthread_join(t, NULL);
	return j->ret ? j->ret :
	       dbgfs_wait_key(j->q0, "uring_pending", 0, WAIT_MS);
}

#define RING_JOB(k) { .dev = &self->dev, .q0 = self->q0, .kind = (k) }

TEST_F(any_ring, ring_closed_with_a_fetch_pending_leaves_upcalls_to_others)
{
	struct ring_job j = RING_JOB(RPCDEV_URING_OP_UPCALL);
	struct rpcdev_upcall_req up;
	struct run run;

	RING_OF_VARIANT();

	ASSERT_EQ(0, close_a_ring_with(&j));
	run_init(&run, &self->dev, 1, METHOD_A, 16, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(&run));
	ASSERT_EQ(0, rpcdev_upcall_wait(&self->dev, SERVE_TIMEOUT_NS, &up));
	ASSERT_EQ(0, echo_reply(&self->dev, &up));
	ASSERT_EQ(0, run_done_exactly(&run));
}

TEST_F(uring, ring_closed_with_a_call_pending_gives_the_slot_back)
{
	struct ring_job j = RING_JOB(RPCDEV_URING_OP_CALL);

	ASSERT_EQ(0, close_a_ring_with(&j));
	/* Abandoned to the device, free once it answered. */
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "completed", 1, WAIT_MS));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "free", RPCDEV_DEFAULT_DEPTH,
				    WAIT_MS));
	ASSERT_EQ(0ULL, dbg(self->q0, "abandoned"));
	ASSERT_EQ(0, echo_check(&self->dev));
}

TEST_F(uring, ring_closed_with_an_mbox_wait_pending_leaves_the_messages)
{
	struct ring_job j = RING_JOB(RPCDEV_URING_OP_MBOX);
	struct rpcdev_mbox_msg msg;

	ASSERT_EQ(0, close_a_ring_with(&j));
	ASSERT_EQ(0, notify(&self->dev, 1, 5));
	ASSERT_EQ(0, rpcdev_mbox_read(&self->dev, &msg));
	ASSERT_EQ(5ULL, msg.value);
}

/* What uring_server() is to do. */
struct to_end {
	const char *q0;	/* queue 0's debugfs file */
	bool upcall;	/* take an upcall, else leave the fetch pending */
	bool killed;	/* wait to be killed, else exit */
};

/*
 * The child of end_a_server(): attach queue 0, submit a fetch on a ring
 * and wait until the kernel counts it pending (an SQPOLL ring's thread
 * issues it after io_uring_submit() has returned), with @arg's upcall make a downcall of one sync upcall from a thread and
 * wait for the fetch's CQE (the upcall taken, never answered), tell the
 * parent on @ready, then exit or wait to be killed. Exits with EBADE if it
 * gets not so far.
 */
static void uring_server(int ready, void *arg)
{
	const struct to_end *e = arg;
	struct rpcdev_uring_op op;
	struct rpcdev dev;
	struct run run;

	if (rpcdev_open(&dev, DEV_PATH) || rpcdev_queue_attach(&dev, 0, 0, 0) ||
	    ring_init() || rpcdev_prep_upcall_fetch(sqe_get(), &dev, &op) ||
	    io_uring_submit(&ring) != 1 ||
	    dbgfs_wait_key(e->q0, "uring_pending", 1, WAIT_MS))
		_exit(EBADE);
	if (e->upcall) {
		run_init(&run, &dev, 1, METHOD_A, 16, 0);
		if (run_start(&run) || op_wait(&op))
			_exit(EBADE);
	}
	if (write(ready, "r", 1) != 1)
		_exit(EBADE);
	if (!e->killed)
		_exit(0);
	for (;;)
		pause();
}

/*
 * Run uring_server() in a child and reap it, killed or exited. 0 once
 * done, else -errno (the child's exit status when it could not get that
 * far).
 */
static int end_a_server(const char *q0, bool upcall, bool killed)
{
	struct to_end e = { .q0 = q0, .upcall = upcall, .killed = killed };

	return fork_until_ready(uring_server, &e, killed);
}

TEST_F(any_ring, exited_server_with_a_fetch_pending_lets_the_queue_go)
{
	RING_OF_VARIANT();
	ASSERT_EQ(0, end_a_server(self->q0, false, false));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "attached", 0, WAIT_MS));
}

TEST_F(any_ring, killed_server_with_a_fetch_pending_lets_the_queue_go)
{
	RING_OF_VARIANT();
	ASSERT_EQ(0, end_a_server(self->q0, false, true));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "attached", 0, WAIT_MS));
}

TEST_F(any_ring, killed_server_with_a_fetched_upcall_answers_no_server)
{
	SKIP_UNLESS_SIM("rpcdev_sim's debugfs counters");
	RING_OF_VARIANT();
	ASSERT_EQ(0, end_a_server(self->q0, true, true));
	ASSERT_EQ(0, dbgfs_wait_key(self->sim_q0, "no_server", 1, WAIT_MS))
		TH_LOG("no_server %llu", dbg(self->sim_q0, "no_server"));
	ASSERT_EQ(0ULL, dbg(self->sim_q0, "upcall_timeouts"));
}


TEST_F(uring, queue_serves_again_after_a_killed_uring_server)
{
	struct rpcdev_uring_op op;
	struct run run;

	ASSERT_EQ(0, end_a_server(self->q0, true, true));
	ASSERT_EQ(0, dbgfs_wait_key(self->q0, "attached", 0, WAIT_MS));
	ATTACH_RING(0);
	run_init(&run, &self->dev, 1, METHOD_A, 16, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(&run));
	ASSERT_EQ(0, rpcdev_prep_upcall_fetch(sqe_get(), &self->dev, &op));
	ASSERT_EQ(0, op_wait(&op));
	ASSERT_EQ(0, commit_echo(&self->dev, &op));
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, run_done_exactly(&run));
}

TEST_F(uring, command_after_removal_gives_enodev)
{
	struct rpcdev_uring_op op;

	ATTACH_RING(0);
	ASSERT_EQ(0, kmod_remove_devices());
	ASSERT_EQ(0, rpcdev_prep_mbox_wait(sqe_get(), &self->dev, &op));
	ASSERT_EQ(-ENODEV, op_wait(&op));
}

/* ===================================================================== */
/* One ring, two queues                                                   */
/* ===================================================================== */

TEST_F(uring, one_ring_serves_two_queues)
{
	struct rpcdev_uring_op op[2];
	unsigned int served[2] = { 0, 0 };
	struct rpcdev dev1;
	struct run run[2];
	int i;

	ATTACH_BLOCK(0);
	ASSERT_EQ(0, rpcdev_open(&dev1, DEV_PATH));
	ASSERT_EQ(0, rpcdev_queue_attach(&dev1, 1, 0, 0));
	ASSERT_EQ(0, ring_init());
	ASSERT_EQ(0, rpcdev_prep_upcall_fetch(sqe_get(), &self->dev, &op[0]));
	ASSERT_EQ(0, rpcdev_prep_upcall_fetch(sqe_get(), &dev1, &op[1]));
	run_init(&run[0], &self->dev, 4, METHOD_A, 32, RPCDEV_SIM_UPCALL_VERIFY);
	run_init(&run[1], &dev1, 4, METHOD_B, 32, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(&run[0]));
	ASSERT_EQ(0, run_start(&run[1]));
	while (served[0] + served[1] < 8) {
		struct rpcdev_uring_op *o;

		ASSERT_EQ(0, next_op(&o));
		i = o - op;
		ASSERT_TRUE(i == 0 || i == 1);
		ASSERT_EQ((unsigned int)(i ? METHOD_B : METHOD_A),
			  o->res.up.method);
		served[i]++;
		ASSERT_EQ(0, commit_echo(o->dev, o));
	}
	ASSERT_EQ(0, io_uring_submit(&ring) < 0);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, run_join(&run[i]));
		ASSERT_EQ(4U, run[i].resp.r.done);
		ASSERT_EQ(0U, run[i].resp.r.mismatched);
	}
	ASSERT_EQ(4U, served[0]);
	ASSERT_EQ(4U, served[1]);
}

/* ===================================================================== */
/* Stress: processes making calls over io_uring, nothing lost or twice    */
/* ===================================================================== */

#define STRESS_PROCS		4
/* Calls per process; RPCDEV_STRESS_COUNT / 10 where the runner sets it. */
#define STRESS_CALLS		100000
#define STRESS_INFLIGHT		16
#define STRESS_TEST_S		600

static unsigned int stress_calls(void)
{
	return stress_tenth(STRESS_CALLS);
}

/* One call of the stress: its op and its 8 bytes each way. */
struct stress_call {
	struct rpcdev_uring_op op;
	uint64_t req, resp;
};

static int stress_prep(struct rpcdev *dev, struct stress_call *c, uint64_t req)
{
	c->req = req;
	c->resp = ~req;
	return rpcdev_prep_call(sqe_get(), dev, &c->op, RPCDEV_SIM_ECHO,
				&c->req, sizeof(c->req), &c->resp,
				sizeof(c->resp));
}

/*
 * A stress process: @n echo calls on queue @qid, STRESS_INFLIGHT in flight
 * on its ring, each answer checked against its own request and counted
 * once. Returns 0, or the errno it exits with.
 */
static int stress_proc(unsigned int qid, unsigned int n)
{
	static struct stress_call calls[STRESS_INFLIGHT];
	unsigned int next = 0, done = 0, i;
	unsigned char *seen = calloc(n, 1);
	struct rpcdev dev;

	if (!seen || rpcdev_open(&dev, DEV_PATH) ||
	    rpcdev_queue_attach(&dev, qid, STRESS_INFLIGHT, 0) || ring_init())
		return EBADE;
	for (i = 0; i < STRESS_INFLIGHT && next < n; i++)
		if (stress_prep(&dev, &calls[i], (uint64_t)qid << 32 | next++))
			return EBADE;
	while (done < n) {
		struct rpcdev_uring_op *op;
		struct stress_call *c;
		uint32_t seq;

		if (next_op(&op))
			return EIO;
		c = (struct stress_call *)op;
		if (op->res.call.status != RPCDEV_STATUS_OK ||
		    op->res.call.resp_len != sizeof(c->req) || c->resp != c->req ||
		    c->req >> 32 != qid)
			return EPROTO;
		seq = (uint32_t)c->req;
		if (seq >= n || seen[seq]++)
			return EEXIST;
		done++;
		if (next < n && stress_prep(&dev, c, (uint64_t)qid << 32 | next++))
			return EBADE;
	}
	return io_uring_sq_ready(&ring) || cqe_ready() ? EEXIST : 0;
}

TEST_F_TIMEOUT(uring, processes_calling_over_io_uring_lose_and_repeat_nothing,
	       STRESS_TEST_S)
{
	unsigned int n = stress_calls(), i;
	pid_t pid[STRESS_PROCS];

	TH_LOG("%u processes x %u calls", STRESS_PROCS, n);
	for (i = 0; i < STRESS_PROCS; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i] == 0)
			_exit(stress_proc(i, n));
	}
	for (i = 0; i < STRESS_PROCS; i++) {
		int status;

		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("process %u", i);
	}
}

/* The handler of the serve loop tests: echo, stop after *@ctx upcalls. */
static int echo_until(void *ctx, const struct rpcdev_upcall_req *up,
		      struct rpcdev_upcall_reply *reply)
{
	unsigned int *left = ctx;

	memcpy(up->reply, up->data, up->len);
	reply->len = up->len;
	return --*left ? 0 : RPCDEV_SERVE_STOP;
}

/* As the README sets its ring up: completion work only in io_uring_enter(). */
TEST_F(uring, serve_loop_serves_two_queues_from_one_thread)
{
	struct rpcdev_uring_op ops[4];
	struct rpcdev dev1, *devs[2] = { &self->dev, &dev1 };
	unsigned int left = 8;
	struct run run[2];
	int i;

	ATTACH_BLOCK(0);
	ASSERT_EQ(0, ring_init_flags(IORING_SETUP_SINGLE_ISSUER |
				     IORING_SETUP_DEFER_TASKRUN));
	ASSERT_EQ(0, rpcdev_open(&dev1, DEV_PATH));
	ASSERT_EQ(0, rpcdev_queue_attach(&dev1, 1, 0, 0));
	run_init(&run[0], &self->dev, 4, METHOD_A, 40, RPCDEV_SIM_UPCALL_VERIFY);
	run_init(&run[1], &dev1, 4, METHOD_B, 40, RPCDEV_SIM_UPCALL_VERIFY);
	ASSERT_EQ(0, run_start(&run[0]));
	ASSERT_EQ(0, run_start(&run[1]));
	ASSERT_EQ(RPCDEV_SERVE_STOP,
		  rpcdev_uring_serve(&ring, devs, 2, ops, 4, echo_until, &left));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, run_join(&run[i]));
		ASSERT_EQ(4U, run[i].resp.r.done);
		ASSERT_EQ(0U, run[i].resp.r.mismatched);
	}
}

TEST_F(uring, serve_loop_on_a_poll_queue_gives_einval)
{
	struct rpcdev_uring_op ops[1];
	struct rpcdev *devs[1] = { &self->dev };
	unsigned int left = 1;

	ASSERT_EQ(0, rpcdev_queue_attach_policy(&self->dev, 0, 0, 0,
						RPCDEV_WAIT_POLL));
	ASSERT_EQ(0, ring_init());
	ASSERT_EQ(-EINVAL, rpcdev_uring_serve(&ring, devs, 1, ops, 1,
					      echo_until, &left));
	ASSERT_EQ(0U, io_uring_sq_ready(&ring));
}

TEST_HARNESS_MAIN
