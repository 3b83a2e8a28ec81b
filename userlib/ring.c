// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: the POLL and ADAPTIVE wait policies. The queue is attached
 * with RPCDEV_ATTACH_USER_RINGS and the library drives its rings through
 * the mappings: it takes upcalls off UQ by polling the entry's seq (the
 * phase tag), answers on UR with plain stores, and enters the kernel only
 * to sleep (ADAPTIVE, once its spin budget is spent) or to ring the
 * device's doorbell when the device says it sleeps. A round trip with a
 * polling device costs no system call and no interrupt.
 *
 * Ordering: entries are read after the seq that publishes them (acquire)
 * and written before the seq and producer index that publish them
 * (release); a side about to sleep sets its flag, issues a full barrier
 * and re-checks, as the uapi header describes.
 *
 * A user-rings queue is driven by one thread per direction at a time: one
 * making downcalls (DQ, DC) and one serving upcalls (UQ, UR).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "ring.h"

/* Never spin longer than this by default before sleeping (ADAPTIVE). */
#define RING_SPIN_MAX_NS	200000ULL
/* Spin at least this long, so a reply that is already on its way is met. */
#define RING_SPIN_MIN_NS	2000ULL
/* Checks of the ring between two looks at the clock. */
#define RING_SPIN_BATCH		32
/* The per-message path: inlined into the loops that run it. */
#define RING_HOT		inline __attribute__((always_inline))

static uint64_t ring_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline void ring_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

static struct rpcdev_dev_ctrl *ring_dctrl(struct rpcdev *dev)
{
	return dev->parts[0];
}

static struct rpcdev_host_ctrl *ring_hctrl(struct rpcdev *dev)
{
	return dev->parts[3];
}

static struct rpcdev_entry *ring_entry(struct rpcdev *dev, unsigned int part,
				       uint64_t off, uint32_t pos)
{
	struct rpcdev_entry *ring = (void *)((char *)dev->parts[part] + off);

	return &ring[pos & (dev->layout.depth - 1)];
}

static uint32_t ring_load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* A field of an entry the device wrote: read once, in one access. */
static uint32_t ring_read(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void ring_store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Ring the doorbell if the device sleeps (after our producer index). */
static int ring_kick(struct rpcdev *dev)
{
	struct rpcdev_enter e = { .flags = RPCDEV_ENTER_DOORBELL };

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(ring_load(&ring_dctrl(dev)->flags.val) & RPCDEV_DEV_NEED_DOORBELL))
		return 0;
	return ioctl(rpcdev_fd(dev), RPCDEV_IOC_ENTER, &e) < 0 ? -errno : 0;
}

/*
 * Sleep in the kernel until the device publishes entry @pos of the ring at
 * @off (UQ or DC). Only that ring interrupts us when the kernel can tell
 * rings apart; else the other rings' positions are taken as they are now,
 * so only their later entries wake us (another thread may serve them).
 */
static int ring_sleep(struct rpcdev *dev, uint64_t off, uint32_t pos,
		      uint64_t timeout_ns)
{
	struct rpcdev_dev_ctrl *d = ring_dctrl(dev);
	bool uq = off == dev->layout.uq_off;
	struct rpcdev_enter e = {
		.flags = RPCDEV_ENTER_WAIT,
		.uq_pos = pos,
		.dc_pos = pos,
		.timeout_ns = timeout_ns,
	};

	if (dev->flags & RPCDEV_F_RING_WAKE) {
		e.flags = uq ? RPCDEV_ENTER_WAIT_UQ : RPCDEV_ENTER_WAIT_DC;
	} else {
		if (uq)
			e.dc_pos = ring_load(&d->dc_prod.val);
		else
			e.uq_pos = ring_load(&d->uq_prod.val);
		e.mb_pos = ring_load(&d->mb_prod.val);
	}
	if (ioctl(rpcdev_fd(dev), RPCDEV_IOC_ENTER, &e) < 0)
		return -errno;
	return 0;
}

/*
 * How long to spin before sleeping. POLL: for ever. ADAPTIVE: twice the
 * recent gap between arrivals when that is short (a burst: the next one is
 * near), else the minimum (the device is quiet: sleep almost at once).
 */
static uint64_t ring_budget(const struct rpcdev *dev)
{
	uint64_t cap = dev->ring.spin_max_ns ?: RING_SPIN_MAX_NS;
	uint64_t b = 2 * dev->ring.gap_ns;

	if (dev->ring.policy == RPCDEV_WAIT_POLL)
		return UINT64_MAX;
	if (b > cap)
		return RING_SPIN_MIN_NS;
	return b > RING_SPIN_MIN_NS ? b : RING_SPIN_MIN_NS;
}

/* Learn from one arrival (an exponentially weighted mean, 1/8 new). */
static void ring_learn(struct rpcdev *dev, uint64_t now)
{
	uint64_t gap = dev->ring.last_ns ? now - dev->ring.last_ns : 0;

	dev->ring.last_ns = now;
	dev->ring.gap_ns = dev->ring.gap_ns - dev->ring.gap_ns / 8 + gap / 8;
}

/* Did rpcdev_interrupt() ask the wait to end? Taken once. */
static bool ring_interrupted(struct rpcdev *dev)
{
	return __atomic_load_n(&dev->interrupt, __ATOMIC_RELAXED) &&
	       __atomic_exchange_n(&dev->interrupt, 0, __ATOMIC_ACQUIRE);
}

/* Is the entry at @pos of the device-produced ring at @off published? */
static RING_HOT bool ring_published(struct rpcdev *dev, uint64_t off,
				    uint32_t pos)
{
	return ring_load(&ring_entry(dev, 0, off, pos)->seq) == pos + 1;
}

/*
 * Wait until the entry at @pos of a device-produced ring (at @off in the
 * device area) is published: seq == pos + 1. 0, or a negative errno.
 * The clock is read only once the entry is late: a polling wait that finds
 * its entry costs loads of the entry alone.
 */
static int ring_wait_slow(struct rpcdev *dev, uint64_t off, uint32_t pos,
			  uint64_t timeout_ns)
{
	uint64_t start = 0, budget = 0, now;
	int ret;

	for (;;) {
		unsigned int i;

		/* Look at the clock only now and then: polling is the point. */
		for (i = 0; i < RING_SPIN_BATCH; i++) {
			if (ring_published(dev, off, pos))
				return 0;
			ring_relax();
		}
		if (ring_interrupted(dev))
			return -EINTR;
		now = ring_now_ns();
		if (!start) {
			start = now;
			budget = ring_budget(dev);
			continue;
		}
		if (timeout_ns && now - start >= timeout_ns)
			return -ETIMEDOUT;
		if (now - start < budget)
			continue;
		ret = ring_sleep(dev, off, pos,
				 timeout_ns ? timeout_ns - (now - start) : 0);
		if (ret == -EINTR)
			ring_interrupted(dev);	/* the signal said it too */
		if (ret && ret != -ETIMEDOUT)
			return ret;
		budget = RING_SPIN_MIN_NS;
		if (!timeout_ns)
			start = ring_now_ns();
	}
}

/*
 * ring_wait_slow(), with the entry that is already there found inline:
 * under emulation every call and return costs, and this is the path of
 * each message in a burst.
 */
static RING_HOT int ring_wait_entry(struct rpcdev *dev, uint64_t off,
				    uint32_t pos, uint64_t timeout_ns)
{
	if (ring_published(dev, off, pos))
		return 0;
	return ring_wait_slow(dev, off, pos, timeout_ns);
}

/* Is the next upcall on UQ already published? */
static bool ring_upcall_ready(struct rpcdev *dev)
{
	return ring_published(dev, dev->layout.uq_off, dev->ring.uq_cons);
}

/*
 * Publish a UQ consumer index held behind an async upcall: with
 * RPCDEV_ATTACH_ASYNC_NOACK that gives its slot back to the device, so it
 * is done only once the program is through with the payload. The doorbell
 * is owed, as for an answer.
 */
static void ring_release_held(struct rpcdev *dev)
{
	if (!(dev->flags & RPCDEV_F_UQ_HELD))
		return;
	dev->flags &= ~RPCDEV_F_UQ_HELD;
	dev->flags |= RPCDEV_F_KICK_PENDING;
	ring_store(&ring_hctrl(dev)->uq_cons.val, dev->ring.uq_cons);
}

/* Take the next upcall off UQ into @up (rpcdev__ring_upcall_wait()). */
static RING_HOT int ring_take(struct rpcdev *dev, uint64_t timeout_ns,
			      struct rpcdev_upcall_req *up)
{
	const struct rpcdev_queue_attach *l = &dev->layout;
	uint32_t pos = dev->ring.uq_cons, id, len, flags;
	const struct rpcdev_entry *src;
	struct rpcdev_ring_slot *s;
	bool bad;
	uint64_t now;
	int ret;

	/* The last upcall is done with; what it left owed is paid now. */
	ring_release_held(dev);
	if (dev->flags & RPCDEV_F_KICK_PENDING && !ring_upcall_ready(dev)) {
		dev->flags &= ~RPCDEV_F_KICK_PENDING;
		ret = ring_kick(dev);
		if (ret)
			return ret;
	}
	ret = ring_wait_entry(dev, l->uq_off, pos, timeout_ns);
	if (ret)
		return ret;
	/* The fields used, each read once: shared memory is not trusted. */
	src = ring_entry(dev, 0, l->uq_off, pos);
	id = ring_read(&src->id);
	len = ring_read(&src->len);
	flags = ring_read(&src->flags);
	/* The clock only where it is used: learning, or timestamps asked for. */
	now = 0;
	if (dev->ring.policy == RPCDEV_WAIT_ADAPTIVE ||
	    dev->flags & RPCDEV_F_STAMPS)
		now = ring_now_ns();
	if (dev->ring.policy == RPCDEV_WAIT_ADAPTIVE)
		ring_learn(dev, now);

	/*
	 * Checked once, like the kernel would: never trust shared memory. A
	 * bad entry is consumed, so the next call gets the next upcall. The
	 * index of a good async upcall is held while the program reads its
	 * payload, when that is what gives its slot back.
	 */
	bad = id >= l->depth || len > l->buf_size;
	dev->ring.uq_cons = pos + 1;
	if (!bad && flags & RPCDEV_ENTRY_ASYNC &&
	    dev->flags & RPCDEV_F_ASYNC_NOACK)
		dev->flags |= RPCDEV_F_UQ_HELD;
	else
		ring_store(&ring_hctrl(dev)->uq_cons.val, dev->ring.uq_cons);
	if (bad)
		return -EIO;
	/* Kept for the answer: the UQ entry's place may be reused first. */
	s = &dev->ring.slots[id];
	s->tag = __atomic_load_n(&src->tag, __ATOMIC_RELAXED);
	s->method = ring_read(&src->method);
	s->flags = flags | RING_SLOT_TAKEN;
	if (dev->flags & RPCDEV_F_STAMPS) {
		s->posted_ns = __atomic_load_n(&src->ts[0], __ATOMIC_RELAXED);
		s->seen_ns = now;
	}

	*up = (struct rpcdev_upcall_req){
		.id = id,
		.method = s->method,
		.flags = flags & RPCDEV_ENTRY_ASYNC,
		.tag = s->tag,
		.data = (char *)dev->parts[2] + (size_t)id * l->buf_size,
		.len = len,
		.reply = (char *)dev->parts[5] + (size_t)id * l->buf_size,
		.reply_cap = l->buf_size,
	};
	return 0;
}

int rpcdev__ring_upcall_wait(struct rpcdev *dev, uint64_t timeout_ns,
			     struct rpcdev_upcall_req *up)
{
	return ring_take(dev, timeout_ns, up);
}

/* Publish @src as the next entry of a host-produced ring (DQ or UR). */
static void ring_post(struct rpcdev *dev, uint64_t off, uint32_t *prod,
		      uint32_t *shared_prod, struct rpcdev_entry *src)
{
	struct rpcdev_entry *e = ring_entry(dev, 3, off, *prod);

	e->id = src->id;
	e->method = src->method;
	e->len = src->len;
	e->flags = src->flags;
	e->status = src->status;
	e->tag = src->tag;
	memcpy(e->ts, src->ts, sizeof(e->ts));
	/* Payload and fields before the seq, the seq before the index. */
	ring_store(&e->seq, *prod + 1);
	*prod += 1;
	ring_store(shared_prod, *prod);
}

/*
 * Copy @len bytes from the caller's @src into @dst, refusing (-EFAULT) a
 * source that is not readable, as the kernel's copy of reply_data does on
 * a BLOCK queue: the kernel reads @src, so a bad pointer fails the answer
 * instead of killing the server. Where process_vm_readv(2) is not allowed
 * (a seccomp filter), the copy is made without the check.
 */
static int ring_copy_in(void *dst, const void *src, size_t len)
{
	struct iovec local = { .iov_base = dst, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)src, .iov_len = len };
	ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	if (n == (ssize_t)len)
		return 0;
	if (n >= 0 || errno == EFAULT)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

/* Post the answer to an upcall on UR; the doorbell is the caller's. */
static RING_HOT int ring_upcall_post(struct rpcdev *dev,
				     const struct rpcdev_upcall_reply *reply)
{
	const struct rpcdev_queue_attach *l = &dev->layout;
	struct rpcdev_ring_slot *s;
	struct rpcdev_entry e = { 0 };

	/* A server answers OK or ERROR; the other statuses are the kernel's. */
	if (reply->id >= l->depth || reply->flags & ~RPCDEV_ENTRY_ERROR ||
	    (reply->status != RPCDEV_STATUS_OK &&
	     reply->status != RPCDEV_STATUS_ERROR))
		return -EINVAL;
	s = &dev->ring.slots[reply->id];
	if (!(s->flags & RING_SLOT_TAKEN))
		return -EINVAL;
	if (s->flags & RPCDEV_ENTRY_ASYNC && dev->flags & RPCDEV_F_ASYNC_NOACK) {
		/* No answer: giving the index back acknowledges it. */
		s->flags = 0;
		ring_release_held(dev);
		return 0;
	}
	if (reply->len > l->buf_size)
		return -E2BIG;

	e.id = reply->id;
	e.method = s->method;
	e.tag = s->tag;
	if (s->flags & RPCDEV_ENTRY_ASYNC) {
		e.flags = RPCDEV_ENTRY_ASYNC;
	} else {
		if (reply->data && reply->len &&
		    ring_copy_in((char *)dev->parts[5] +
				 (size_t)reply->id * l->buf_size,
				 reply->data, reply->len))
			return -EFAULT;
		e.len = (uint32_t)reply->len;
		e.flags = reply->flags;
		e.status = reply->status;
	}
	/* Where the time went (see struct rpcdev_entry): no interrupt here. */
	if (dev->flags & RPCDEV_F_STAMPS) {
		e.ts[0] = s->posted_ns;
		e.ts[1] = s->seen_ns;
		e.ts[2] = s->seen_ns;
		e.ts[3] = ring_now_ns();
	}
	s->flags = 0;
	ring_post(dev, l->ur_off, &dev->ring.ur_prod,
		  &ring_hctrl(dev)->ur_prod.val, &e);
	return 0;
}

int rpcdev__ring_upcall_reply(struct rpcdev *dev,
			      const struct rpcdev_upcall_reply *reply)
{
	int ret = ring_upcall_post(dev, reply);

	if (ret)
		return ret;
	dev->flags &= ~RPCDEV_F_KICK_PENDING;
	return ring_kick(dev);
}

/*
 * Answer and take the next upcall. While upcalls are already waiting (a
 * burst of async ones, say), the answers go without the doorbell check and
 * its full barrier: the device is busy posting, and the check is made
 * once, before this server next waits (rpcdev__ring_upcall_wait()).
 */
static RING_HOT int ring_answer_and_take(struct rpcdev *dev,
					 const struct rpcdev_upcall_reply *reply,
					 uint64_t timeout_ns,
					 struct rpcdev_upcall_req *up)
{
	int ret = ring_upcall_post(dev, reply);

	if (ret)
		return ret;
	if (ring_upcall_ready(dev)) {
		dev->flags |= RPCDEV_F_KICK_PENDING;
	} else {
		dev->flags &= ~RPCDEV_F_KICK_PENDING;
		ret = ring_kick(dev);
		if (ret)
			return ret;
	}
	return ring_take(dev, timeout_ns, up);
}

int rpcdev__ring_upcall_reply_and_wait(struct rpcdev *dev,
				       const struct rpcdev_upcall_reply *reply,
				       uint64_t timeout_ns,
				       struct rpcdev_upcall_req *up)
{
	return ring_answer_and_take(dev, reply, timeout_ns, up);
}

/*
 * rpcdev_serve() on user rings: the loop of a BLOCK queue, with the take
 * and the answer inlined into it.
 */
int rpcdev__ring_serve(struct rpcdev *dev, rpcdev_upcall_fn handler,
		       void *ctx, uint64_t timeout_ns)
{
	return rpcdev__serve_loop(dev, handler, ctx, timeout_ns, ring_take,
				  rpcdev__ring_upcall_reply,
				  ring_answer_and_take);
}

/* A free downcall slot, or -EAGAIN when all are in flight or unreaped. */
static int ring_slot_get(struct rpcdev *dev)
{
	unsigned int i, depth = dev->layout.depth;

	for (i = 0; i < depth; i++) {
		unsigned int id = (dev->ring.call_hint + i) & (depth - 1);

		if (dev->ring.calls[id].state == RING_CALL_FREE) {
			dev->ring.call_hint = id + 1;
			return (int)id;
		}
	}
	return -EAGAIN;
}

int rpcdev__ring_submit(struct rpcdev *dev,
			const struct rpcdev_async_call *calls, unsigned int n)
{
	const struct rpcdev_queue_attach *l = &dev->layout;
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		struct rpcdev_entry e = { 0 };
		struct rpcdev_ring_call *c;
		int id;

		if (calls[i].req_len > l->buf_size)
			return i ? (int)i : -E2BIG;
		id = ring_slot_get(dev);
		if (id < 0)
			break;
		c = &dev->ring.calls[id];
		if (calls[i].req_len)
			memcpy((char *)dev->parts[4] + (size_t)id * l->buf_size,
			       calls[i].req, calls[i].req_len);
		c->state = RING_CALL_POSTED;
		c->user_data = calls[i].user_data;
		c->tag = ++dev->ring.call_seq;
		dev->ring.inflight++;
		e.id = (uint32_t)id;
		e.method = calls[i].method;
		e.len = (uint32_t)calls[i].req_len;
		e.tag = c->tag;
		ring_post(dev, l->dq_off, &dev->ring.dq_prod,
			  &ring_hctrl(dev)->dq_prod.val, &e);
	}
	if (!i)
		return n ? -EAGAIN : 0;
	/* One doorbell for the whole batch, and none if the device polls. */
	ret = ring_kick(dev);
	return ret ? ret : (int)i;
}

/* Take the published DC entry at dc_cons into @out; 1, or 0 if it is bad. */
static int ring_reap_one(struct rpcdev *dev, struct rpcdev_completion *out)
{
	const struct rpcdev_queue_attach *l = &dev->layout;
	uint32_t pos = dev->ring.dc_cons;
	struct rpcdev_ring_call *c;
	struct rpcdev_entry e;

	memcpy(&e, ring_entry(dev, 0, l->dc_off, pos), sizeof(e));
	dev->ring.dc_cons = pos + 1;
	ring_store(&ring_hctrl(dev)->dc_cons.val, dev->ring.dc_cons);
	/* Checked once: a stale, duplicated or out-of-range answer is dropped. */
	if (e.id >= l->depth)
		return 0;
	c = &dev->ring.calls[e.id];
	if (c->state != RING_CALL_POSTED || c->tag != e.tag)
		return 0;
	c->state = RING_CALL_DONE;
	dev->ring.inflight--;
	memset(out, 0, sizeof(*out));
	out->user_data = c->user_data;
	out->id = e.id;
	out->status = e.status;
	out->flags = e.flags;
	/* The call's own answer, but malformed: it fails, and is not lost. */
	if (e.len > l->buf_size) {
		out->err = -EIO;
		return 1;
	}
	out->data = (const char *)dev->parts[1] + (size_t)e.id * l->buf_size;
	out->len = e.len;
	return 1;
}

int rpcdev__ring_reap(struct rpcdev *dev, struct rpcdev_completion *out,
		      unsigned int max, unsigned int min, uint64_t timeout_ns)
{
	const struct rpcdev_queue_attach *l = &dev->layout;
	uint64_t start = 0, now;
	unsigned int n = 0;
	int ret;

	if (min > max)
		min = max;
	while (n < max) {
		if (ring_published(dev, l->dc_off, dev->ring.dc_cons)) {
			n += ring_reap_one(dev, &out[n]);
			continue;
		}
		if (n >= min || !dev->ring.inflight)
			break;
		/* The clock from the first wait on: taking answers needs none. */
		now = ring_now_ns();
		if (!start)
			start = now;
		if (timeout_ns && now - start >= timeout_ns)
			break;
		ret = ring_wait_entry(dev, l->dc_off, dev->ring.dc_cons,
				      timeout_ns ? timeout_ns - (now - start) : 0);
		if (ret && ret != -ETIMEDOUT)
			return n ? (int)n : ret;
	}
	if (!n && min)
		return dev->ring.inflight ? -ETIMEDOUT : -ENOENT;
	return (int)n;
}

int rpcdev__ring_done(struct rpcdev *dev, unsigned int id)
{
	if (id >= dev->layout.depth ||
	    dev->ring.calls[id].state != RING_CALL_DONE)
		return -EINVAL;
	dev->ring.calls[id].state = RING_CALL_FREE;
	return 0;
}

int rpcdev__ring_call(struct rpcdev *dev, unsigned int method, const void *req,
		      size_t req_len, void *resp, size_t resp_cap,
		      uint64_t timeout_ns, struct rpcdev_call_result *res)
{
	struct rpcdev_async_call call = {
		.method = method,
		.req = req,
		.req_len = req_len,
	};
	struct rpcdev_completion done;
	int ret;

	/* A sync call would take another call's answer for its own. */
	if (dev->ring.inflight)
		return -EBUSY;
	ret = rpcdev__ring_submit(dev, &call, 1);
	if (ret < 0)
		return ret;
	ret = rpcdev__ring_reap(dev, &done, 1, 1, timeout_ns);
	if (ret < 0)
		return ret;
	if (done.err) {
		rpcdev__ring_done(dev, done.id);
		return done.err;
	}

	res->status = done.status;
	res->flags = done.flags;
	res->resp_len = (unsigned int)done.len;
	if (done.len && resp_cap)
		memcpy(resp, done.data, done.len < resp_cap ? done.len : resp_cap);
	return rpcdev__ring_done(dev, done.id);
}

int rpcdev__ring_init(struct rpcdev *dev, unsigned int policy,
		      uint32_t attach_flags, uint64_t features)
{
	memset(&dev->ring, 0, sizeof(dev->ring));
	dev->ring.policy = policy;
	dev->flags &= ~RPCDEV_F_RING_FLAGS;
	if (attach_flags & RPCDEV_ATTACH_TIMESTAMPS)
		dev->flags |= RPCDEV_F_STAMPS;
	if (attach_flags & RPCDEV_ATTACH_ASYNC_NOACK)
		dev->flags |= RPCDEV_F_ASYNC_NOACK;
	if (features & RPCDEV_FEAT_RING_WAKE)
		dev->flags |= RPCDEV_F_RING_WAKE;
	dev->ring.slots = calloc(dev->layout.depth, sizeof(*dev->ring.slots));
	dev->ring.calls = calloc(dev->layout.depth, sizeof(*dev->ring.calls));
	if (!dev->ring.slots || !dev->ring.calls) {
		rpcdev__ring_fini(dev);
		return -ENOMEM;
	}
	return 0;
}

void rpcdev__ring_fini(struct rpcdev *dev)
{
	free(dev->ring.calls);
	free(dev->ring.slots);
	memset(&dev->ring, 0, sizeof(dev->ring));
}
