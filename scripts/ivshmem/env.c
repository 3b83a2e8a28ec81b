// SPDX-License-Identifier: GPL-2.0
/*
 * The portable firmware's environment in this program (kmod/fw/fw_env.h):
 * a queue's thread sleeps on its doorbell eventfd and raises the guest's
 * MSI-X vector by writing the guest's eventfd. Here too: this firmware's
 * own methods (RPCDEV_IVSHMEM_TEST_*, with --test-methods) and the hostile
 * mode, which breaks entries, indices and interrupts on purpose.
 */
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "ivfw.h"

/* Longest delay of a test method. */
#define IVFW_TEST_MAX_DELAY_MS	60000
/* Interrupts in one storm. */
#define IVFW_STORM		64

static struct ivfw_queue *ivfw_q(struct fw_queue *fq)
{
	return (struct ivfw_queue *)fq;
}

/* Run by each queue's thread before the firmware. */
void ivfw_queue_thread_init(struct ivfw_queue *q)
{
	/* A queue thread takes no signal: the main thread handles them. */
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	fw_dbg("queue %u: thread runs\n", q->qid);
}

/* xorshift64*: the hostile mode's choices, reproducible from --seed. */
static u64 ivfw_rand(struct ivfw_queue *q)
{
	u64 x = q->rng ?: 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	q->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Should a hostile queue break the next thing of kind @what? */
static bool ivfw_hostile(struct ivfw_queue *q, u32 what)
{
	const struct ivfw_opts *o = q->dev->opts;

	return atomic_load_explicit(&q->hostile, memory_order_relaxed) &&
	       (o->hostile & what) && !(ivfw_rand(q) % o->hostile_rate);
}

/*
 * A muted firmware is wedged: its queue threads stop wherever they look
 * whether to stop, until the driver stops the queue.
 */
bool fw_should_stop(struct fw_queue *fq)
{
	struct ivfw_queue *q = ivfw_q(fq);

	while (atomic_load(&q->dev->muted) && !atomic_load(&q->stop))
		usleep(10000);
	return atomic_load_explicit(&q->stop, memory_order_relaxed);
}

void fw_sleep(struct fw_queue *fq, bool (*ready)(struct fw_queue *fq),
	      u64 deadline)
{
	struct ivfw_queue *q = ivfw_q(fq);
	struct pollfd p = { .fd = q->dev->fw_efd[q->qid], .events = POLLIN };
	u64 now = fw_now_ns(), count;
	int ms = -1;

	if (ready(fq) || fw_should_stop(fq))
		return;
	if (deadline != U64_MAX) {
		if (deadline <= now)
			return;
		/* Round up: waking early only costs another look. */
		ms = (int)min_t(u64, (deadline - now + NSEC_PER_MSEC - 1) /
				NSEC_PER_MSEC, 1000000);
	}
	if (poll(&p, 1, ms) > 0 &&
	    read(p.fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		ivfw_err("queue %u: doorbell: %s\n", q->qid, strerror(errno));
}

void fw_interrupt(struct fw_queue *fq)
{
	struct ivfw_queue *q = ivfw_q(fq);
	struct ivfw_dev *dev = q->dev;
	u32 v, i;

	if (atomic_load(&dev->muted))
		return;
	ivfw_raise(dev, q->qid);
	if (!ivfw_hostile(q, IVFW_HOSTILE_STORM))
		return;
	/* Every vector, again and again: each write can be one interrupt. */
	for (i = 0; i < IVFW_STORM; i++) {
		for (v = 0; v < dev->hdr->nr_vectors; v++)
			ivfw_raise(dev, v);
		sched_yield();
	}
}

void fw_yield(void)
{
	sched_yield();
}

void fw_dbg(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!ivfw_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ivfw_log("debug", "%s", line);
}

/* The hostile mode: break what the host reads, now and then. */

void fw_tamper_entry(struct fw_queue *fq, struct rpcdev_entry *e)
{
	struct ivfw_queue *q = ivfw_q(fq);

	if (ivfw_hostile(q, IVFW_HOSTILE_SEQ))
		e->seq += 1 + ivfw_rand(q) % 7;
	if (ivfw_hostile(q, IVFW_HOSTILE_ID))
		e->id = fq->mem.depth + ivfw_rand(q) % 1000;
	if (ivfw_hostile(q, IVFW_HOSTILE_LEN))
		e->len = fq->mem.buf_size + 1 + ivfw_rand(q) % 4096;
}

u32 fw_tamper_index(struct fw_queue *fq, u32 val)
{
	struct ivfw_queue *q = ivfw_q(fq);

	/* An index no producer could have written; the next one is true. */
	if (ivfw_hostile(q, IVFW_HOSTILE_INDEX))
		return val + fq->mem.depth + 1 + ivfw_rand(q) % 1000;
	return val;
}

/* The test methods: what is to happen, and when. */

/**
 * struct ivfw_action - a test method's effect, due later.
 * @method:	RPCDEV_IVSHMEM_TEST_*, or 0 for none.
 * @qid:	the queue it came on.
 * @arg:	its argument.
 * @due_ns:	when (fw_now_ns()).
 */
struct ivfw_action {
	u32 method;
	u32 qid;
	u32 arg;
	u64 due_ns;
};

static pthread_mutex_t ivfw_actions_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ivfw_action ivfw_actions[16];

static void ivfw_act(struct ivfw_dev *dev, const struct ivfw_action *a)
{
	int ret;

	switch (a->method) {
	case RPCDEV_IVSHMEM_TEST_KILL:
		ivfw_info("test: killed, as asked on queue %u\n", a->qid);
		kill(getpid(), SIGKILL);
		break;
	case RPCDEV_IVSHMEM_TEST_MUTE:
		ivfw_info("test: muted, as asked on queue %u\n", a->qid);
		atomic_store(&dev->muted, true);
		break;
	case RPCDEV_IVSHMEM_TEST_UNPLUG:
		ivfw_info("test: unplugging, as asked on queue %u\n", a->qid);
		ret = ivfw_qmp_device_del(dev->opts->qmp, dev->opts->device_id);
		if (ret)
			ivfw_err("device_del %s: %s\n", dev->opts->device_id,
				 strerror(-ret));
		break;
	case RPCDEV_IVSHMEM_TEST_HOSTILE:
		ivfw_info("test: queue %u %s\n", a->qid,
			  a->arg ? "hostile" : "well-behaved");
		atomic_store(&dev->queues[a->qid].hostile, !!a->arg);
		break;
	}
}

/**
 * ivfw_test_tick() - carry out the test methods' effects that are due.
 * Called by the main thread on every tick.
 * @dev:	the device.
 */
void ivfw_test_tick(struct ivfw_dev *dev)
{
	struct ivfw_action due[16];
	u64 now = fw_now_ns();
	unsigned int i, n = 0;

	pthread_mutex_lock(&ivfw_actions_lock);
	for (i = 0; i < 16; i++) {
		struct ivfw_action *a = &ivfw_actions[i];

		if (a->method && a->due_ns <= now) {
			due[n++] = *a;
			a->method = 0;
		}
	}
	pthread_mutex_unlock(&ivfw_actions_lock);
	for (i = 0; i < n; i++)
		ivfw_act(dev, &due[i]);
}

static bool ivfw_test_method(struct ivfw_queue *q,
			     const struct rpcdev_entry *call,
			     struct rpcdev_entry *ans)
{
	struct rpcdev_ivshmem_test req;
	struct ivfw_action a = { .method = call->method, .qid = q->qid };
	unsigned int i;

	if (call->len != sizeof(req)) {
		ans->status = RPCDEV_STATUS_BAD_REQUEST;
		return true;
	}
	/* The firmware checked the id and the length before it came here. */
	memcpy(&req, fw_payload(&q->fw, call, q->fw.mem.dq_buf), sizeof(req));
	req.delay_ms = le32toh(req.delay_ms);
	req.arg = le32toh(req.arg);
	if (req.delay_ms > IVFW_TEST_MAX_DELAY_MS || req.arg > 1 ||
	    (req.arg && call->method != RPCDEV_IVSHMEM_TEST_HOSTILE) ||
	    (call->method == RPCDEV_IVSHMEM_TEST_UNPLUG && !q->dev->opts->qmp)) {
		ans->status = RPCDEV_STATUS_BAD_REQUEST;
		return true;
	}
	a.arg = req.arg;
	a.due_ns = fw_now_ns() + req.delay_ms * NSEC_PER_MSEC;
	pthread_mutex_lock(&ivfw_actions_lock);
	for (i = 0; i < 16 && ivfw_actions[i].method; i++)
		;
	if (i < 16)
		ivfw_actions[i] = a;
	pthread_mutex_unlock(&ivfw_actions_lock);
	ans->status = i < 16 ? RPCDEV_STATUS_OK : RPCDEV_STATUS_BAD_REQUEST;
	ans->len = 0;
	return true;
}

/* The uapi numbers the firmware's faults as fw/fw.h does. */
_Static_assert(RPCDEV_IVSHMEM_FAULT_DROP_REPLY == FW_FAULT_DROP_REPLY &&
	       RPCDEV_IVSHMEM_FAULT_DELAY_REPLY == FW_FAULT_DELAY_REPLY &&
	       RPCDEV_IVSHMEM_FAULT_REPLY_TWICE == FW_FAULT_REPLY_TWICE &&
	       RPCDEV_IVSHMEM_FAULT_BAD_TAG == FW_FAULT_BAD_TAG &&
	       RPCDEV_IVSHMEM_FAULT_BAD_ID == FW_FAULT_BAD_ID &&
	       RPCDEV_IVSHMEM_FAULT_BAD_SEQ == FW_FAULT_BAD_SEQ &&
	       RPCDEV_IVSHMEM_FAULT_LONG_REPLY == FW_FAULT_LONG_REPLY &&
	       RPCDEV_IVSHMEM_FAULT_BAD_DC_PROD == FW_FAULT_BAD_DC_PROD &&
	       RPCDEV_IVSHMEM_FAULT_STALL == FW_FAULT_STALL &&
	       RPCDEV_IVSHMEM_NR_FAULTS == FW_FAULT_NR,
	       "RPCDEV_IVSHMEM_FAULT_* and enum fw_fault differ");

/*
 * RPCDEV_IVSHMEM_TEST_FAULT, run by the queue's own thread: the fault waits
 * in @armed until the queue takes another call, so that this call's
 * answer, posted next, is not the one it breaks.
 */
static void ivfw_fault_method(struct ivfw_queue *q,
			      const struct rpcdev_entry *call,
			      struct rpcdev_entry *ans)
{
	struct rpcdev_ivshmem_fault req;

	ans->len = 0;
	ans->status = RPCDEV_STATUS_BAD_REQUEST;
	if (call->len != sizeof(req))
		return;
	memcpy(&req, fw_payload(&q->fw, call, q->fw.mem.dq_buf), sizeof(req));
	req.fault = le32toh(req.fault);
	req.value = le64toh(req.value);
	if (req.pad || !fw_fault_valid(req.fault, req.value))
		return;
	q->armed[req.fault] = req.value;
	q->armed_cons = q->fw.dq_cons;
	q->armed_mask |= 1U << req.fault;
	ivfw_info("test: queue %u fault %u armed (%llu)\n", q->qid, req.fault,
		  (unsigned long long)req.value);
	ans->status = RPCDEV_STATUS_OK;
}

u64 fw_fault(struct fw_queue *fq, unsigned int f)
{
	struct ivfw_queue *q = ivfw_q(fq);
	unsigned int i;

	if (q->armed_mask && fq->dq_cons != q->armed_cons) {
		for (i = 0; i < FW_FAULT_NR; i++)
			if (q->armed_mask & (1U << i))
				q->faults[i] = q->armed[i];
		q->armed_mask = 0;
	}
	return fw_fault_take(&q->faults[f], f);
}

/*
 * Registered buffers: this device reaches BAR2 alone, never the host's
 * other memory, so no buffer ever resolves and such a call is answered
 * RPCDEV_STATUS_BAD_REQUEST (the kernel refuses it first: the backend
 * does not offer RPCDEV_FEAT_REG_BUFS).
 */
void fw_bufs_lock(struct fw_queue *fq __always_unused)
{
}

void fw_bufs_unlock(struct fw_queue *fq __always_unused)
{
}

void *fw_buf_at(struct fw_queue *fq __always_unused,
		u32 index __always_unused, u64 off __always_unused,
		u64 len __always_unused)
{
	return NULL;
}

bool fw_host_method(struct fw_queue *fq, const struct rpcdev_entry *call,
		    struct rpcdev_entry *ans)
{
	struct ivfw_queue *q = ivfw_q(fq);

	switch (call->method) {
	case RPCDEV_IVSHMEM_TEST_FAULT:
		if (!q->dev->opts->test_methods)
			return false;
		ivfw_fault_method(q, call, ans);
		return true;
	case RPCDEV_IVSHMEM_TEST_KILL:
	case RPCDEV_IVSHMEM_TEST_MUTE:
	case RPCDEV_IVSHMEM_TEST_UNPLUG:
	case RPCDEV_IVSHMEM_TEST_HOSTILE:
		if (!q->dev->opts->test_methods)
			return false;
		return ivfw_test_method(q, call, ans);
	default:
		return false;
	}
}
