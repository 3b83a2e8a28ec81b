// SPDX-License-Identifier: GPL-2.0
/*
 * librpcdev's user rings (POLL and ADAPTIVE queues) on the build host,
 * under ThreadSanitizer, against a device this program plays. A queue's
 * two directions are driven by two threads at once, a thread making
 * downcalls and a thread serving upcalls: they must share no state that
 * either writes, each direction learns its own ADAPTIVE budget, and
 * rpcdev_interrupt() ends the server's wait alone.
 *
 * There is no driver here: this program plays the device. It is linked
 * with -Wl,--wrap=ioctl,--wrap=mmap (the Makefile does so for every
 * *_tsan_test.c), so the library's RPCDEV_IOC_* calls and mappings of the
 * descriptor it opened come here; the queue's parts are anonymous shared
 * memory, and a device thread polls them as rpcdev_sim's firmware would:
 * it answers every downcall with its request (echo), at once or a set
 * time after the call, and makes upcalls as fast as the server answers
 * them. It never sleeps, so the library rings no doorbell; ADAPTIVE
 * sleeps (RPCDEV_IOC_ENTER) are short naps, counted. The *_inline
 * variants offer RPCDEV_FEAT_INLINE: the library then attaches with
 * RPCDEV_ATTACH_INLINE, and every payload (eight bytes) travels in the
 * entries, which the device reuses as soon as the indices let it, so a
 * payload the library read after moving its index is a race.
 *
 * A data race ends the program at once with ThreadSanitizer's report
 * (halt_on_error, see __tsan_default_options()): the test fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "fake_driver.h"

#define FAKE_PATH	"/dev/null"
#define DEPTH		8
#define BUF_SIZE	256
#define ENTRY		(fake.inline_entries ? \
			 sizeof(struct rpcdev_entry_inline) : \
			 sizeof(struct rpcdev_entry))
#define ROUNDS		3000
#define UP_METHOD	0x77
#define DOWN_METHOD	0x33
#define TIMEOUT_NS	(30 * 1000000000ULL)
/* How long the waits that only rpcdev_interrupt() should end may last. */
#define WAIT_NS		(5 * 1000000000ULL)
/* Downcalls answered DELAY_NS late: far past the shortest spin (2 us). */
#define DELAY_NS	1000000ULL
#define DELAY_CALLS	40
#define SPIN_CAP_NS	1000000000ULL
/* RPCDEV_IOC_ENTER's waits: checks this often, for this long at most. */
#define FAKE_NAP_NS	20000
#define FAKE_SLEEP_NS	2000000

const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	/* The first race ends the test, as a failure (exit status 66). */
	return "halt_on_error=1:exitcode=66";
}

/* The device: one per test process (each TEST runs in its own). */
static struct fake {
	pthread_t th;
	bool stop;			/* atomic: the device thread ends */
	unsigned int upcalls;		/* to make */
	uint64_t delay_ns;		/* a downcall's answer comes this late */
	unsigned int dc_sleeps;		/* atomic: ENTER waits for DC */
	bool inline_feature;		/* RPCDEV_FEAT_INLINE offered */
	bool inline_entries;		/* attached with RPCDEV_ATTACH_INLINE */
	/* The device thread's own. */
	uint32_t dq_cons, dc_prod, uq_prod, ur_cons;
	unsigned int made, answered, calls, bad;
	bool busy[DEPTH];
	struct rpcdev_entry due;	/* the answer waiting for its time */
	uint64_t due_ns;		/* 0: none */
} fake;

/* fake_q.part[]'s indices. */
#define PART_DEV	(RPCDEV_OFF_DEV >> FAKE_PART_SHIFT)
#define PART_DC_BUF	(RPCDEV_OFF_DC_BUF >> FAKE_PART_SHIFT)
#define PART_UQ_BUF	(RPCDEV_OFF_UQ_BUF >> FAKE_PART_SHIFT)
#define PART_HOST	(RPCDEV_OFF_HOST >> FAKE_PART_SHIFT)
#define PART_DQ_BUF	(RPCDEV_OFF_DQ_BUF >> FAKE_PART_SHIFT)
#define PART_UR_BUF	(RPCDEV_OFF_UR_BUF >> FAKE_PART_SHIFT)

static uint32_t load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* RPCDEV_IOC_QUEUE_ATTACH: lay the queue out as the kernel would. */
static int fake_attach(struct rpcdev_queue_attach *a)
{
	if (a->flags & RPCDEV_ATTACH_INLINE && !fake.inline_feature)
		return -EINVAL;
	fake.inline_entries = a->flags & RPCDEV_ATTACH_INLINE;
	return fake_lay_out(a, DEPTH, BUF_SIZE, ENTRY, a->flags);
}

static struct rpcdev_dev_ctrl *fake_dctrl(void);

/*
 * RPCDEV_IOC_ENTER's wait: until the device produced past a position
 * waited for, as the kernel's, or for FAKE_SLEEP_NS at most (an early
 * return is a wakeup the library checks, as after a signal): only a
 * signal ends the kernel's, and there is none here.
 */
static void fake_sleep(const struct rpcdev_enter *e)
{
	struct timespec nap = { .tv_nsec = FAKE_NAP_NS };
	const struct rpcdev_dev_ctrl *d = fake_dctrl();
	unsigned int i;

	for (i = 0; i < FAKE_SLEEP_NS / FAKE_NAP_NS; i++) {
		if (load_acquire(&d->uq_prod.val) != e->uq_pos &&
		    e->flags & (RPCDEV_ENTER_WAIT | RPCDEV_ENTER_WAIT_UQ))
			return;
		if (load_acquire(&d->dc_prod.val) != e->dc_pos &&
		    e->flags & (RPCDEV_ENTER_WAIT | RPCDEV_ENTER_WAIT_DC))
			return;
		nanosleep(&nap, NULL);
	}
}

static int fake_ioctl(unsigned long req, void *arg)
{
	struct rpcdev_info *info = arg;
	struct rpcdev_enter *e = arg;

	switch (req) {
	case RPCDEV_IOC_INFO:
		memset(info, 0, sizeof(*info));
		info->abi_version = RPCDEV_ABI_VERSION;
		info->nr_queues = 1;
		info->features = RPCDEV_FEAT_INFO | RPCDEV_FEAT_DOWNCALL |
				 RPCDEV_FEAT_UPCALL | RPCDEV_FEAT_USER_RINGS |
				 RPCDEV_FEAT_RING_WAKE;
		if (fake.inline_feature)
			info->features |= RPCDEV_FEAT_INLINE;
		return 0;
	case RPCDEV_IOC_QUEUE_ATTACH:
		return fake_attach(arg);
	case RPCDEV_IOC_ENTER:
		/* The device never sleeps: no doorbell. */
		if (e->flags & (RPCDEV_ENTER_WAIT | RPCDEV_ENTER_WAIT_DC))
			__atomic_fetch_add(&fake.dc_sleeps, 1, __ATOMIC_RELAXED);
		if (e->flags & ~RPCDEV_ENTER_DOORBELL)
			fake_sleep(e);
		return 0;
	default:
		return -ENOTTY;
	}
}

static struct rpcdev_dev_ctrl *fake_dctrl(void)
{
	return fake_q.part[PART_DEV];
}

static struct rpcdev_host_ctrl *fake_hctrl(void)
{
	return fake_q.part[PART_HOST];
}

static struct rpcdev_entry *fake_entry(unsigned int part, uint64_t off,
				       uint32_t pos)
{
	return (void *)((char *)fake_q.part[part] + off + (pos % DEPTH) * ENTRY);
}

/* The payload line of entry @e of an inline queue. */
static uint8_t *fake_entry_data(struct rpcdev_entry *e)
{
	return ((struct rpcdev_entry_inline *)e)->data;
}

static char *fake_buf(unsigned int part, uint32_t id)
{
	return (char *)fake_q.part[part] + (size_t)id * BUF_SIZE;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/*
 * Publish @e as the next entry of the device-produced ring at @off; its
 * payload, in buffer e->id of part @bufs, goes in the entry when it fits
 * an inline one.
 */
static void fake_post(uint64_t off, uint32_t *prod, uint32_t *shared,
		      const struct rpcdev_entry *e, unsigned int bufs)
{
	struct rpcdev_entry *dst = fake_entry(PART_DEV, off, *prod);
	uint32_t flags = e->flags;

	if (fake.inline_entries && e->len <= RPCDEV_INLINE_MAX) {
		memcpy(fake_entry_data(dst), fake_buf(bufs, e->id), e->len);
		flags |= RPCDEV_ENTRY_INLINE;
	}
	dst->id = e->id;
	dst->method = e->method;
	dst->len = e->len;
	dst->flags = flags;
	dst->status = e->status;
	dst->tag = e->tag;
	store_release(&dst->seq, *prod + 1);
	*prod += 1;
	store_release(shared, *prod);
}

/* Post the answer kept in fake.due once its time has come. */
static void fake_answer_due(void)
{
	if (!fake.due_ns || now_ns() < fake.due_ns)
		return;
	fake_post(fake_q.layout.dc_off, &fake.dc_prod,
		  &fake_dctrl()->dc_prod.val, &fake.due, PART_DC_BUF);
	fake.due_ns = 0;
	fake.calls++;
}

/*
 * Answer the downcalls on DQ with their requests, fake.delay_ns after
 * each was taken (one at a time then, as a sync caller makes them).
 */
static void fake_take_calls(void)
{
	const struct rpcdev_queue_attach *l = &fake_q.layout;

	while (!fake.due_ns &&
	       fake.dq_cons != load_acquire(&fake_hctrl()->dq_prod.val)) {
		struct rpcdev_entry *q = fake_entry(PART_HOST, l->dq_off,
						    fake.dq_cons);
		struct rpcdev_entry *a = &fake.due;

		if (load_acquire(&q->seq) != fake.dq_cons + 1 ||
		    q->id >= DEPTH || q->len > BUF_SIZE ||
		    (q->flags & RPCDEV_ENTRY_INLINE &&
		     (!fake.inline_entries || q->len > RPCDEV_INLINE_MAX))) {
			fake.bad++;
		} else {
			memcpy(fake_buf(PART_DC_BUF, q->id),
			       q->flags & RPCDEV_ENTRY_INLINE ?
			       (char *)fake_entry_data(q) :
			       fake_buf(PART_DQ_BUF, q->id), q->len);
			memset(a, 0, sizeof(*a));
			a->id = q->id;
			a->method = q->method;
			a->len = q->len;
			a->tag = q->tag;
			fake.due_ns = now_ns() + fake.delay_ns;
		}
		fake.dq_cons++;
		store_release(&fake_dctrl()->dq_cons.val, fake.dq_cons);
		fake_answer_due();
	}
}

/* Take the server's answers off UR: their slots are free again. */
static void fake_take_answers(void)
{
	const struct rpcdev_queue_attach *l = &fake_q.layout;

	while (fake.ur_cons != load_acquire(&fake_hctrl()->ur_prod.val)) {
		struct rpcdev_entry *r = fake_entry(PART_HOST, l->ur_off,
						    fake.ur_cons);
		uint32_t id = r->id;
		bool in = r->flags & RPCDEV_ENTRY_INLINE;

		if (load_acquire(&r->seq) != fake.ur_cons + 1 || id >= DEPTH ||
		    !fake.busy[id] || r->len != sizeof(uint64_t) ||
		    in != fake.inline_entries ||
		    memcmp(in ? (char *)fake_entry_data(r) :
				fake_buf(PART_UR_BUF, id),
			   fake_buf(PART_UQ_BUF, id), sizeof(uint64_t)))
			fake.bad++;
		else
			fake.answered++;
		if (id < DEPTH)
			fake.busy[id] = false;
		fake.ur_cons++;
		store_release(&fake_dctrl()->ur_cons.val, fake.ur_cons);
	}
}

/* Make the next upcall if a slot and a UQ entry are free. */
static void fake_make_upcall(void)
{
	const struct rpcdev_queue_attach *l = &fake_q.layout;
	uint64_t n = fake.made;
	struct rpcdev_entry u = { 0 };
	uint32_t id;

	if (fake.made == fake.upcalls ||
	    fake.uq_prod - load_acquire(&fake_hctrl()->uq_cons.val) >= DEPTH)
		return;
	for (id = 0; id < DEPTH && fake.busy[id]; id++)
		;
	if (id == DEPTH)
		return;
	fake.busy[id] = true;
	memcpy(fake_buf(PART_UQ_BUF, id), &n, sizeof(n));
	u.id = id;
	u.method = UP_METHOD;
	u.len = sizeof(n);
	u.tag = n;
	fake_post(l->uq_off, &fake.uq_prod, &fake_dctrl()->uq_prod.val, &u,
		  PART_UQ_BUF);
	fake.made++;
}

static void *fake_device(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&fake.stop, __ATOMIC_ACQUIRE)) {
		fake_take_calls();
		fake_answer_due();
		fake_take_answers();
		fake_make_upcall();
	}
	/*
	 * The stop comes once the server has returned: its last answers are
	 * on UR (published before the join that preceded the stop), and the
	 * loop may have left before it took them.
	 */
	fake_take_answers();
	return NULL;
}

static int fake_start(unsigned int upcalls, uint64_t delay_ns)
{
	fake.upcalls = upcalls;
	fake.delay_ns = delay_ns;
	return pthread_create(&fake.th, NULL, fake_device, NULL) ? -EAGAIN : 0;
}

static void fake_stop(void)
{
	__atomic_store_n(&fake.stop, true, __ATOMIC_RELEASE);
	pthread_join(fake.th, NULL);
}

/* The server: echoes ROUNDS upcalls, then stops (or another waiter). */
struct server {
	struct rpcdev *dev;
	unsigned int served;
	int ret;
};

static int echo(void *ctx, const struct rpcdev_upcall_req *up,
		struct rpcdev_upcall_reply *reply)
{
	struct server *s = ctx;

	memcpy(up->reply, up->data, up->len);
	reply->len = up->len;
	return ++s->served == ROUNDS ? RPCDEV_SERVE_STOP : 0;
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	s->ret = rpcdev_serve(s->dev, echo, s, TIMEOUT_NS);
	return NULL;
}

/* @n echo downcalls from this thread; the first failure, or 0. */
static int make_calls(struct rpcdev *dev, unsigned int n)
{
	struct rpcdev_call_result res;
	uint64_t req, resp;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		req = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
		resp = ~req;
		ret = rpcdev_call(dev, DOWN_METHOD, &req, sizeof(req), &resp,
				  sizeof(resp), TIMEOUT_NS, &res);
		if (ret)
			return ret;
		if (res.status != RPCDEV_STATUS_OK ||
		    res.resp_len != sizeof(resp) || resp != req)
			return -EPROTO;
	}
	return 0;
}

/* A thread making one downcall the device never answers. */
static void *downcall_waiter(void *arg)
{
	struct server *s = arg;
	uint64_t req = 0;

	s->ret = rpcdev_call(s->dev, DOWN_METHOD, &req, sizeof(req), NULL, 0,
			     WAIT_NS, NULL);
	return NULL;
}

FIXTURE(fake) {
	struct rpcdev dev;
};

FIXTURE_VARIANT(fake) {
	unsigned int policy;
	bool inline_feature;
};

FIXTURE_VARIANT_ADD(fake, poll) {
	.policy = RPCDEV_WAIT_POLL,
};

FIXTURE_VARIANT_ADD(fake, adaptive) {
	.policy = RPCDEV_WAIT_ADAPTIVE,
};

FIXTURE_VARIANT_ADD(fake, poll_inline) {
	.policy = RPCDEV_WAIT_POLL,
	.inline_feature = true,
};

FIXTURE_VARIANT_ADD(fake, adaptive_inline) {
	.policy = RPCDEV_WAIT_ADAPTIVE,
	.inline_feature = true,
};

FIXTURE_SETUP(fake)
{
	ASSERT_EQ(0, rpcdev_open(&self->dev, FAKE_PATH));
	fake_q.fd = rpcdev_fd(&self->dev);
	fake.inline_feature = variant->inline_feature;
	ASSERT_EQ(0, rpcdev_queue_attach_policy(&self->dev, 0, DEPTH, BUF_SIZE,
						variant->policy));
	/* The library takes inline entries exactly when they are offered. */
	ASSERT_EQ(variant->inline_feature, fake.inline_entries);
}

FIXTURE_TEARDOWN(fake)
{
	rpcdev_close(&self->dev);
}

TEST_F_TIMEOUT(fake, calls_and_upcalls_at_once_share_no_written_state, 300)
{
	struct server s = { .dev = &self->dev, .ret = 1 };
	pthread_t th;

	ASSERT_EQ(0, fake_start(ROUNDS, 0));
	ASSERT_EQ(0, pthread_create(&th, NULL, server_main, &s));
	ASSERT_EQ(0, make_calls(&self->dev, ROUNDS));
	pthread_join(th, NULL);
	fake_stop();
	ASSERT_EQ(RPCDEV_SERVE_STOP, s.ret);
	ASSERT_EQ(ROUNDS, fake.calls);
	ASSERT_EQ(ROUNDS, fake.answered);
	ASSERT_EQ(0, fake.bad);
}

/*
 * Each downcall is answered DELAY_NS after it was made, and no upcall
 * comes at all: an ADAPTIVE wait for the answer learns that time from
 * the answers before it and spins for it, so after the first few calls
 * no wait sleeps. A budget learned from upcall arrivals (none) would stay
 * the shortest spin, and every call would sleep.
 */
TEST_F_TIMEOUT(fake, adaptive_downcall_waits_learn_the_answer_time, 300)
{
	unsigned int sleeps;

	if (variant->policy != RPCDEV_WAIT_ADAPTIVE)
		SKIP(return, "only ADAPTIVE waits learn a budget");
	ASSERT_EQ(0, rpcdev_queue_set_spin(&self->dev, SPIN_CAP_NS));
	ASSERT_EQ(0, fake_start(0, DELAY_NS));
	ASSERT_EQ(0, make_calls(&self->dev, DELAY_CALLS));
	fake_stop();
	sleeps = __atomic_load_n(&fake.dc_sleeps, __ATOMIC_RELAXED);
	TH_LOG("%u sleeps for %d answers", sleeps, DELAY_CALLS);
	ASSERT_GT(DELAY_CALLS / 2, sleeps);
}

/* A thread waiting for an upcall that never comes. */
static void *upcall_waiter(void *arg)
{
	struct server *s = arg;
	struct rpcdev_upcall_req up;

	s->ret = rpcdev_upcall_wait(s->dev, WAIT_NS, &up);
	return NULL;
}

/*
 * The device answers nothing and makes no upcall: one thread spins for
 * an upcall, this one for its downcall's answer, until a single
 * rpcdev_interrupt() from a third ends the server's wait; the caller's
 * runs on to its own timeout.
 */
TEST_F_TIMEOUT(fake, interrupt_ends_the_servers_wait_and_not_the_callers,
	       300)
{
	struct server up = { .dev = &self->dev, .ret = 1 };
	struct server down = { .dev = &self->dev, .ret = 1 };
	pthread_t up_th, down_th;

	ASSERT_EQ(0, pthread_create(&up_th, NULL, upcall_waiter, &up));
	ASSERT_EQ(0, pthread_create(&down_th, NULL, downcall_waiter, &down));
	nanosleep(&(struct timespec){ .tv_nsec = 50000000 }, NULL);
	ASSERT_EQ(0, rpcdev_interrupt(&self->dev));
	pthread_join(up_th, NULL);
	pthread_join(down_th, NULL);
	ASSERT_EQ(-EINTR, up.ret);
	ASSERT_EQ(-ETIMEDOUT, down.ret);
}

TEST_HARNESS_MAIN
