// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * librpcdev: the POLL and ADAPTIVE ways of driving a queue. The queue is
 * attached with RPCDEV_ATTACH_USER_RINGS and the library drives its rings
 * through the mappings: it takes upcalls off UQ by polling the entry's seq
 * (the phase tag), answers on UR with plain stores, and enters the kernel
 * only to sleep (ADAPTIVE, once its spin budget is spent) or to ring the
 * device's doorbell when the device says it sleeps. A round trip with a
 * polling device costs no system call and no interrupt.
 *
 * Where the kernel offers it (RPCDEV_FEAT_INLINE), the queue is attached
 * with RPCDEV_ATTACH_INLINE: a payload of up to RPCDEV_INLINE_MAX bytes
 * travels in the entry's second cache line, so a small call costs the
 * entry's two adjacent lines and no buffer line. An inline payload the
 * library takes is copied out to memory of its own (the slot's) before
 * the consumer index moves past the entry: the device may reuse the entry
 * at once, while the caller or the handler still reads the payload.
 *
 * Ordering: entries are read after the seq that publishes them (acquire)
 * and written before the seq and producer index that publish them
 * (release); a side about to sleep sets its flag, issues a full barrier
 * and re-checks, as the uapi header describes.
 *
 * A user-rings queue is driven by one thread per direction at a time: one
 * making downcalls (DQ, DC: struct rpcdev.down) and one serving upcalls
 * (UQ, UR: struct rpcdev.up). Each direction writes only its own state;
 * what both read is fixed at attach (dev->flags, dev->layout, dev->part)
 * or atomic (dev->spin_max_ns, each direction's interrupt).
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

#include "queue.h"
#include "serve.h"

/* What the library keeps of an upcall it took, for the answer. */
struct rpcdev_ring_slot {
	uint64_t tag;
	uint32_t method;
	uint32_t flags;		/* the entry's, and RING_SLOT_TAKEN */
	uint64_t posted_ns;	/* the device's ts[0] */
	uint64_t seen_ns;	/* when this library saw the upcall */
	/* An inline request, while its handler reads it. */
	uint8_t data[RPCDEV_INLINE_MAX];
};

/* What the library keeps of a downcall it posted (async or sync). */
struct rpcdev_ring_call {
	uint64_t user_data;
	uint64_t tag;
	uint64_t posted_ns;	/* ADAPTIVE: when it was posted */
	unsigned int state;	/* RING_CALL_* */
	/* An inline answer, until the caller is done with it. */
	uint8_t data[RPCDEV_INLINE_MAX];
};

#define RING_CALL_FREE		0	/* the slot is the library's */
#define RING_CALL_POSTED	1	/* the device has the call */
#define RING_CALL_DONE		2	/* reaped: the caller reads the answer */

/* struct rpcdev_ring_slot.flags: the upcall was taken and not answered. */
#define RING_SLOT_TAKEN		(1U << 31)

/* dev->up.dir.flags */
#define RING_UP_KICK_PENDING	(1U << 0)	/* answers not yet rung for */
#define RING_UP_HELD		(1U << 1)	/* uq_cons held for an async */

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
	return dev->part.dev_ctrl;
}

static struct rpcdev_host_ctrl *ring_hctrl(struct rpcdev *dev)
{
	return dev->part.host_ctrl;
}

/*
 * Entry @pos of the ring at @off in @part (dev_ctrl or host_ctrl): one
 * cache line each, or two on an inline queue.
 */
static struct rpcdev_entry *ring_entry(struct rpcdev *dev, void *part,
				       uint64_t off, uint32_t pos)
{
	return (void *)((char *)part + off +
			((size_t)(pos & (dev->layout.depth - 1)) <<
			 dev->entry_shift));
}

/* The payload line of entry @e of an inline queue (hdr comes first). */
static uint8_t *ring_entry_data(const struct rpcdev_entry *e)
{
	return ((struct rpcdev_entry_inline *)e)->data;
}

/*
 * Is the payload of a published entry with @flags and @len malformed for
 * where it says it is? RPCDEV_ENTRY_INLINE is only right on an inline
 * queue, for at most RPCDEV_INLINE_MAX bytes; else at most buf_size.
 */
static bool ring_len_bad(const struct rpcdev *dev, uint32_t flags,
			 uint32_t len)
{
	if (flags & RPCDEV_ENTRY_INLINE)
		return !(dev->flags & RPCDEV_F_INLINE) ||
		       len > RPCDEV_INLINE_MAX;
	return len > dev->layout.buf_size;
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
	return ioctl(dev->fd, RPCDEV_IOC_ENTER, &e) < 0 ? -errno : 0;
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
	if (ioctl(dev->fd, RPCDEV_IOC_ENTER, &e) < 0)
		return -errno;
	return 0;
}

/*
 * How long a wait of direction @dir spins before sleeping. POLL: for ever.
 * ADAPTIVE: twice what the direction learnt its waits take when that is
 * short (a burst: the next entry is near), else the minimum (the device
 * is quiet: sleep almost at once).
 */
static uint64_t ring_budget(const struct rpcdev *dev,
			    const struct rpcdev_dir *dir)
{
	uint64_t cap = __atomic_load_n(&dev->spin_max_ns, __ATOMIC_RELAXED);
	uint64_t b = 2 * dir->learned_ns;

	if (dev->policy == RPCDEV_WAIT_POLL)
		return UINT64_MAX;
	if (!cap)
		cap = RING_SPIN_MAX_NS;
	if (b > cap)
		return RING_SPIN_MIN_NS;
	return b > RING_SPIN_MIN_NS ? b : RING_SPIN_MIN_NS;
}

/* Learn one wait of @dir (an exponentially weighted mean, 1/8 new). */
static void ring_learn(struct rpcdev_dir *dir, uint64_t ns)
{
	dir->learned_ns = dir->learned_ns - dir->learned_ns / 8 + ns / 8;
}

/* Did rpcdev_interrupt() ask @dir's wait to end? Taken once. */
static bool ring_interrupted(struct rpcdev_dir *dir)
{
	return __atomic_load_n(&dir->interrupt, __ATOMIC_RELAXED) &&
	       __atomic_exchange_n(&dir->interrupt, 0, __ATOMIC_ACQUIRE);
}

/* Is @e, the entry at @pos of a device-produced ring, published? */
static RING_HOT bool ring_entry_published(const struct rpcdev *dev,
					  const struct rpcdev_entry *e,
					  uint32_t pos)
{
	/*
	 * On an inline queue the payload's line is loaded beside the seq's:
	 * the two lines come over together, not one after the other.
	 */
	if (dev->flags & RPCDEV_F_INLINE)
		(void)ring_read((const uint32_t *)ring_entry_data(e));
	return ring_load(&e->seq) == pos + 1;
}

/* Is the entry at @pos of the device-produced ring at @off published? */
static RING_HOT bool ring_published(struct rpcdev *dev, uint64_t off,
				    uint32_t pos)
{
	return ring_entry_published(dev, ring_entry(dev, dev->part.dev_ctrl,
						    off, pos), pos);
}

/*
 * Has the kernel marked the device removed (RPCDEV_DEV_GONE)? The flag
 * alone is not the truth (a broken device may set it, a surprise-removed
 * one reads as all ones): the kernel is asked, with a doorbell, which a
 * device that is there takes for a look at its rings. 0 while the device
 * is there, else the errno every call now fails with.
 */
static int ring_gone(struct rpcdev *dev)
{
	struct rpcdev_enter e = { .flags = RPCDEV_ENTER_DOORBELL };

	if (!(ring_load(&ring_dctrl(dev)->flags.val) & RPCDEV_DEV_GONE))
		return 0;
	return ioctl(dev->fd, RPCDEV_IOC_ENTER, &e) < 0 ? -errno : 0;
}

/*
 * Wait, for direction @dir, until the entry at @pos of a device-produced
 * ring (at @off in the device area) is published: seq == pos + 1. 0, or a
 * negative errno. The clock is read only once the entry is late: a
 * polling wait that finds its entry costs loads of the entry alone.
 */
static int ring_wait_slow(struct rpcdev *dev, struct rpcdev_dir *dir,
			  uint64_t off, uint32_t pos, uint64_t timeout_ns)
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
		if (ring_interrupted(dir))
			return -EINTR;
		ret = ring_gone(dev);
		if (ret)
			return ret;
		now = ring_now_ns();
		if (!start) {
			start = now;
			budget = ring_budget(dev, dir);
			continue;
		}
		if (timeout_ns && now - start >= timeout_ns)
			return -ETIMEDOUT;
		if (now - start < budget)
			continue;
		ret = ring_sleep(dev, off, pos,
				 timeout_ns ? timeout_ns - (now - start) : 0);
		if (ret == -EINTR)
			ring_interrupted(dir);	/* the signal said it too */
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
 * each message in a burst. @e is that entry, which the caller reads next.
 */
static RING_HOT int ring_wait_entry(struct rpcdev *dev, struct rpcdev_dir *dir,
				    uint64_t off, uint32_t pos,
				    const struct rpcdev_entry *e,
				    uint64_t timeout_ns)
{
	if (ring_entry_published(dev, e, pos))
		return 0;
	return ring_wait_slow(dev, dir, off, pos, timeout_ns);
}

/* Does a payload of @len bytes go in the entry? Every one that fits does. */
static RING_HOT bool ring_goes_inline(const struct rpcdev *dev, size_t len)
{
	return dev->flags & RPCDEV_F_INLINE && len <= RPCDEV_INLINE_MAX;
}

/*
 * Publish @src as the next entry of a host-produced ring (DQ or UR). With
 * @data, the payload (@src->len bytes, ring_goes_inline()) goes in the
 * entry; else it is in the slot's buffer already. @data_whole says @data
 * is a slot's buffer, which holds a whole line (buf_size is a multiple of
 * 64): then the line is copied whole, a few moves where a copy of len
 * bytes is a call; the device reads len bytes of it, and the rest is the
 * buffer's, which the device sees anyway. Else (the caller's memory) only
 * len bytes are read.
 */
static RING_HOT void ring_post(struct rpcdev *dev, uint64_t off,
			       uint32_t *prod, uint32_t *shared_prod,
			       const struct rpcdev_entry *src, const void *data,
			       bool data_whole)
{
	struct rpcdev_entry *e;
	uint32_t flags = src->flags;

	e = ring_entry(dev, dev->part.host_ctrl, off, *prod);
	if (data) {
		if (data_whole)
			memcpy(ring_entry_data(e), data, RPCDEV_INLINE_MAX);
		else if (src->len)
			memcpy(ring_entry_data(e), data, src->len);
		flags |= RPCDEV_ENTRY_INLINE;
	}
	e->id = src->id;
	e->method = src->method;
	e->len = src->len;
	e->flags = flags;
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

/*
 * Upcalls: UQ in, UR out
 * ======================
 */

/* Is the next upcall on UQ already published? */
static RING_HOT bool ring_upcall_ready(struct rpcdev *dev)
{
	return ring_published(dev, dev->layout.uq_off, dev->up.uq_cons);
}

/*
 * Publish a UQ consumer index held behind an async upcall: with
 * RPCDEV_ATTACH_ASYNC_NOACK that gives its slot back to the device, so it
 * is done only once the program is through with the payload. The doorbell
 * is owed, as for an answer.
 */
static void ring_release_held(struct rpcdev *dev)
{
	struct rpcdev_up *u = &dev->up;

	if (!(u->dir.flags & RING_UP_HELD))
		return;
	u->dir.flags &= ~RING_UP_HELD;
	u->dir.flags |= RING_UP_KICK_PENDING;
	ring_store(&ring_hctrl(dev)->uq_cons.val, u->uq_cons);
}

/* Learn the gap since the last upcall arrived (ADAPTIVE). */
static void ring_learn_arrival(struct rpcdev_up *u, uint64_t now)
{
	uint64_t gap = u->last_ns ? now - u->last_ns : 0;

	u->last_ns = now;
	ring_learn(&u->dir, gap);
}

/* Take the next upcall off UQ into @up (rpcdev_upcall_wait()). */
static RING_HOT int ring_take(struct rpcdev *dev, uint64_t timeout_ns,
			      struct rpcdev_upcall_req *up)
{
	const struct rpcdev_queue_attach *l = &dev->layout;
	struct rpcdev_up *u = &dev->up;
	uint32_t pos = u->uq_cons, id, len, flags;
	const struct rpcdev_entry *src;
	struct rpcdev_ring_slot *s;
	bool bad;
	uint64_t now;
	int ret;

	/* The last upcall is done with; what it left owed is paid now. */
	ring_release_held(dev);
	if (u->dir.flags & RING_UP_KICK_PENDING && !ring_upcall_ready(dev)) {
		u->dir.flags &= ~RING_UP_KICK_PENDING;
		ret = ring_kick(dev);
		if (ret)
			return ret;
	}
	src = ring_entry(dev, dev->part.dev_ctrl, l->uq_off, pos);
	ret = ring_wait_entry(dev, &u->dir, l->uq_off, pos, src, timeout_ns);
	if (ret)
		return ret;
	/* The fields used, each read once: shared memory is not trusted. */
	id = ring_read(&src->id);
	len = ring_read(&src->len);
	flags = ring_read(&src->flags);
	/* The clock only where it is used: learning, or timestamps asked for. */
	now = 0;
	if (dev->policy == RPCDEV_WAIT_ADAPTIVE || dev->flags & RPCDEV_F_STAMPS)
		now = ring_now_ns();
	if (dev->policy == RPCDEV_WAIT_ADAPTIVE)
		ring_learn_arrival(u, now);

	/*
	 * Checked once, like the kernel would: never trust shared memory. A
	 * bad entry is consumed, so the next call gets the next upcall. The
	 * index of a good async upcall is held while the program reads its
	 * payload, when that is what gives its slot back.
	 */
	bad = id >= l->depth || ring_len_bad(dev, flags, len);
	s = bad ? NULL : &u->slots[id];
	/*
	 * Out of the entry before the index lets the device reuse it: the
	 * whole line, a fixed-size copy of a few moves (len bytes of it are
	 * the payload).
	 */
	if (s && flags & RPCDEV_ENTRY_INLINE)
		memcpy(s->data, ring_entry_data(src), RPCDEV_INLINE_MAX);
	u->uq_cons = pos + 1;
	if (!bad && flags & RPCDEV_ENTRY_ASYNC &&
	    dev->flags & RPCDEV_F_ASYNC_NOACK)
		u->dir.flags |= RING_UP_HELD;
	else
		ring_store(&ring_hctrl(dev)->uq_cons.val, u->uq_cons);
	if (bad)
		return -EIO;
	/* Kept for the answer: the UQ entry's place may be reused first. */
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
		.data = flags & RPCDEV_ENTRY_INLINE ? s->data :
			rpcdev__buf(dev, dev->part.uq_buf, id),
		.len = len,
		.reply = rpcdev__buf(dev, dev->part.ur_buf, id),
		.reply_cap = l->buf_size,
	};
	return 0;
}

static int ring_upcall_wait(struct rpcdev *dev, uint64_t timeout_ns,
			    struct rpcdev_upcall_req *up)
{
	return ring_take(dev, timeout_ns, up);
}

/* Post the answer to an upcall on UR; the doorbell is the caller's. */
static RING_HOT int ring_upcall_post(struct rpcdev *dev,
				     const struct rpcdev_upcall_reply *reply)
{
	const struct rpcdev_queue_attach *l = &dev->layout;
	struct rpcdev_up *u = &dev->up;
	struct rpcdev_ring_slot *s;
	struct rpcdev_entry e = { 0 };
	uint8_t copy[RPCDEV_INLINE_MAX];
	const void *data = NULL;

	/* A server answers OK or ERROR; the other statuses are the kernel's. */
	if (reply->id >= l->depth || reply->flags & ~RPCDEV_ENTRY_ERROR ||
	    (reply->status != RPCDEV_STATUS_OK &&
	     reply->status != RPCDEV_STATUS_ERROR))
		return -EINVAL;
	s = &u->slots[reply->id];
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
		void *buf = rpcdev__buf(dev, dev->part.ur_buf, reply->id);

		/*
		 * An answer that fits goes in the entry, from where it is: the
		 * caller's (checked, as the kernel checks reply_data) or the
		 * UR buffer the handler wrote in place.
		 */
		if (ring_goes_inline(dev, reply->len)) {
			data = buf;
			if (reply->data && reply->len) {
				if (ring_copy_in(copy, reply->data, reply->len))
					return -EFAULT;
				data = copy;
			}
		} else if (reply->data && reply->len &&
			   ring_copy_in(buf, reply->data, reply->len)) {
			return -EFAULT;
		}
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
	/* An async acknowledgment carries nothing: inline too, so no buffer. */
	if (!data && ring_goes_inline(dev, e.len))
		data = copy;
	ring_post(dev, l->ur_off, &u->ur_prod, &ring_hctrl(dev)->ur_prod.val,
		  &e, data, data && data != copy);
	return 0;
}

static int ring_upcall_reply(struct rpcdev *dev,
			     const struct rpcdev_upcall_reply *reply)
{
	int ret = ring_upcall_post(dev, reply);

	if (ret)
		return ret;
	dev->up.dir.flags &= ~RING_UP_KICK_PENDING;
	return ring_kick(dev);
}

/*
 * Answer and take the next upcall. While upcalls are already waiting (a
 * burst of async ones, say), the answers go without the doorbell check and
 * its full barrier: the device is busy posting, and the check is made
 * once, before this server next waits (ring_take()).
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
		dev->up.dir.flags |= RING_UP_KICK_PENDING;
	} else {
		dev->up.dir.flags &= ~RING_UP_KICK_PENDING;
		ret = ring_kick(dev);
		if (ret)
			return ret;
	}
	return ring_take(dev, timeout_ns, up);
}

static int ring_upcall_reply_and_wait(struct rpcdev *dev,
				      const struct rpcdev_upcall_reply *reply,
				      uint64_t timeout_ns,
				      struct rpcdev_upcall_req *up)
{
	return ring_answer_and_take(dev, reply, timeout_ns, up);
}

/* rpcdev_serve(): the one loop, with the take and the answer inlined. */
static int ring_serve(struct rpcdev *dev, rpcdev_upcall_fn handler,
		      void *ctx, uint64_t timeout_ns)
{
	return rpcdev__serve_loop(dev, handler, ctx, timeout_ns, ring_take,
				  ring_upcall_reply, ring_answer_and_take);
}

/*
 * Downcalls: DQ out, DC in
 * ========================
 */

/* A free downcall slot, or -EAGAIN when all are in flight or unreaped. */
static int ring_slot_get(struct rpcdev *dev)
{
	struct rpcdev_down *d = &dev->down;
	unsigned int i, depth = dev->layout.depth;

	for (i = 0; i < depth; i++) {
		unsigned int id = (d->call_hint + i) & (depth - 1);

		if (d->calls[id].state == RING_CALL_FREE) {
			d->call_hint = id + 1;
			return (int)id;
		}
	}
	return -EAGAIN;
}

static RING_HOT int ring_submit_inline(struct rpcdev *dev,
				       const struct rpcdev_async_call *calls,
				       unsigned int n)
{
	const struct rpcdev_queue_attach *l = &dev->layout;
	struct rpcdev_down *d = &dev->down;
	uint64_t now = 0;
	unsigned int i;
	int ret;

	/* ADAPTIVE learns how long the device takes to answer. */
	if (dev->policy == RPCDEV_WAIT_ADAPTIVE)
		now = ring_now_ns();
	for (i = 0; i < n; i++) {
		struct rpcdev_entry e = { 0 };
		struct rpcdev_ring_call *c;
		int id;

		if (calls[i].req_len > l->buf_size)
			return i ? (int)i : -E2BIG;
		id = ring_slot_get(dev);
		if (id < 0)
			break;
		c = &d->calls[id];
		if (calls[i].req_len && !ring_goes_inline(dev, calls[i].req_len))
			memcpy(rpcdev__buf(dev, dev->part.dq_buf, id), calls[i].req,
			       calls[i].req_len);
		c->state = RING_CALL_POSTED;
		c->user_data = calls[i].user_data;
		c->tag = ++d->call_seq;
		c->posted_ns = now;
		d->inflight++;
		e.id = (uint32_t)id;
		e.method = calls[i].method;
		e.len = (uint32_t)calls[i].req_len;
		e.tag = c->tag;
		ring_post(dev, l->dq_off, &d->dq_prod,
			  &ring_hctrl(dev)->dq_prod.val, &e,
			  ring_goes_inline(dev, e.len) ? calls[i].req : NULL,
			  false);
	}
	if (!i)
		return n ? -EAGAIN : 0;
	/* One doorbell for the whole batch, and none if the device polls. */
	ret = ring_kick(dev);
	return ret ? ret : (int)i;
}

static int ring_submit(struct rpcdev *dev,
		       const struct rpcdev_async_call *calls, unsigned int n)
{
	return ring_submit_inline(dev, calls, n);
}

/* Take the published DC entry at dc_cons into @out; 1, or 0 if it is bad. */
static int ring_reap_one(struct rpcdev *dev, struct rpcdev_completion *out)
{
	const struct rpcdev_queue_attach *l = &dev->layout;
	struct rpcdev_down *d = &dev->down;
	uint32_t pos = d->dc_cons;
	const struct rpcdev_entry *src;
	struct rpcdev_ring_call *c;
	struct rpcdev_entry e;
	bool bad;

	src = ring_entry(dev, dev->part.dev_ctrl, l->dc_off, pos);
	memcpy(&e, src, sizeof(e));
	/* Checked once: a stale, duplicated or out-of-range answer is dropped. */
	c = e.id < l->depth ? &d->calls[e.id] : NULL;
	if (c && (c->state != RING_CALL_POSTED || c->tag != e.tag))
		c = NULL;
	bad = ring_len_bad(dev, e.flags, e.len);
	/* Out of the entry before the index lets the device reuse it (whole). */
	if (c && !bad && e.flags & RPCDEV_ENTRY_INLINE)
		memcpy(c->data, ring_entry_data(src), RPCDEV_INLINE_MAX);
	d->dc_cons = pos + 1;
	ring_store(&ring_hctrl(dev)->dc_cons.val, d->dc_cons);
	if (!c)
		return 0;
	c->state = RING_CALL_DONE;
	d->inflight--;
	if (dev->policy == RPCDEV_WAIT_ADAPTIVE)
		ring_learn(&d->dir, ring_now_ns() - c->posted_ns);
	memset(out, 0, sizeof(*out));
	out->user_data = c->user_data;
	out->id = e.id;
	out->status = e.status;
	/* Where the payload was is the library's business. */
	out->flags = e.flags & ~RPCDEV_ENTRY_INLINE;
	/* The call's own answer, but malformed: it fails, and is not lost. */
	if (bad) {
		out->err = -EIO;
		return 1;
	}
	out->data = e.flags & RPCDEV_ENTRY_INLINE ? c->data :
		    rpcdev__buf(dev, dev->part.dc_buf, e.id);
	out->len = e.len;
	return 1;
}

static RING_HOT int ring_reap_inline(struct rpcdev *dev,
				     struct rpcdev_completion *out,
				     unsigned int max, unsigned int min,
				     uint64_t timeout_ns)
{
	const struct rpcdev_queue_attach *l = &dev->layout;
	struct rpcdev_down *d = &dev->down;
	uint64_t start = 0, now;
	unsigned int n = 0;
	int ret;

	if (min > max)
		min = max;
	while (n < max) {
		if (ring_published(dev, l->dc_off, d->dc_cons)) {
			n += ring_reap_one(dev, &out[n]);
			continue;
		}
		if (n >= min || !d->inflight)
			break;
		/* The clock from the first wait on: taking answers needs none. */
		now = ring_now_ns();
		if (!start)
			start = now;
		if (timeout_ns && now - start >= timeout_ns)
			break;
		ret = ring_wait_entry(dev, &d->dir, l->dc_off, d->dc_cons,
				      ring_entry(dev, dev->part.dev_ctrl,
						 l->dc_off, d->dc_cons),
				      timeout_ns ? timeout_ns - (now - start) : 0);
		if (ret && ret != -ETIMEDOUT)
			return n ? (int)n : ret;
	}
	if (!n && min)
		return d->inflight ? -ETIMEDOUT : -ENOENT;
	return (int)n;
}

static int ring_reap(struct rpcdev *dev, struct rpcdev_completion *out,
		     unsigned int max, unsigned int min, uint64_t timeout_ns)
{
	return ring_reap_inline(dev, out, max, min, timeout_ns);
}

static int ring_done(struct rpcdev *dev, unsigned int id)
{
	if (id >= dev->layout.depth ||
	    dev->down.calls[id].state != RING_CALL_DONE)
		return -EINVAL;
	dev->down.calls[id].state = RING_CALL_FREE;
	return 0;
}

/* A sync downcall: one call submitted and reaped, inline. */
static int ring_call(struct rpcdev *dev, unsigned int method, const void *req,
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
	if (dev->down.inflight)
		return -EBUSY;
	ret = ring_submit_inline(dev, &call, 1);
	if (ret < 0)
		return ret;
	ret = ring_reap_inline(dev, &done, 1, 1, timeout_ns);
	if (ret < 0)
		return ret;
	if (done.err) {
		ring_done(dev, done.id);
		return done.err;
	}

	if (res) {
		memset(res, 0, sizeof(*res));
		res->status = done.status;
		res->flags = done.flags;
		res->resp_len = (unsigned int)done.len;
	}
	if (done.len && resp_cap)
		memcpy(resp, done.data, done.len < resp_cap ? done.len : resp_cap);
	return ring_done(dev, done.id);
}

/*
 * The queue's waits
 * =================
 */

static int ring_set_spin(struct rpcdev *dev, uint64_t max_ns)
{
	__atomic_store_n(&dev->spin_max_ns, max_ns, __ATOMIC_RELAXED);
	return 0;
}

/*
 * The serving direction's alone: a server is what a program stops this
 * way, and a downcall waiting in another thread (or the next one) must not
 * take the request for its own and fail. Downcall waits end by their
 * timeout; their direction's flag stays clear.
 */
static int ring_interrupt(struct rpcdev *dev)
{
	__atomic_store_n(&dev->up.dir.interrupt, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Attaching
 * =========
 */

static void ring_prepare(struct rpcdev *dev, struct rpcdev_queue_attach *a,
			 uint64_t *features)
{
	struct rpcdev_info info;

	/* What the rings can do beyond the first ABI. */
	if (!ioctl(dev->fd, RPCDEV_IOC_INFO, &info))
		*features = info.features;
	a->flags |= RPCDEV_ATTACH_USER_RINGS;
	if (*features & RPCDEV_FEAT_ASYNC_NOACK)
		a->flags |= RPCDEV_ATTACH_ASYNC_NOACK;
	/* Small payloads in the entries: a kernel without it gets the old. */
	if (*features & RPCDEV_FEAT_INLINE)
		a->flags |= RPCDEV_ATTACH_INLINE;
}

static void ring_fini(struct rpcdev *dev)
{
	free(dev->down.calls);
	free(dev->up.slots);
	memset(&dev->up, 0, sizeof(dev->up));
	memset(&dev->down, 0, sizeof(dev->down));
	dev->spin_max_ns = 0;
}

_Static_assert(sizeof(struct rpcdev_entry) == 1 << 6 &&
	       sizeof(struct rpcdev_entry_inline) == 1 << 7,
	       "ring entries are one and two cache lines");

static int ring_init(struct rpcdev *dev, uint64_t features)
{
	unsigned int depth = dev->layout.depth;

	memset(&dev->up, 0, sizeof(dev->up));
	memset(&dev->down, 0, sizeof(dev->down));
	dev->spin_max_ns = 0;
	dev->flags = 0;
	if (dev->layout.flags & RPCDEV_ATTACH_TIMESTAMPS)
		dev->flags |= RPCDEV_F_STAMPS;
	if (dev->layout.flags & RPCDEV_ATTACH_ASYNC_NOACK)
		dev->flags |= RPCDEV_F_ASYNC_NOACK;
	dev->entry_shift = 6;	/* struct rpcdev_entry: 64 bytes */
	if (dev->layout.flags & RPCDEV_ATTACH_INLINE) {
		dev->flags |= RPCDEV_F_INLINE;
		dev->entry_shift = 7;	/* struct rpcdev_entry_inline */
	}
	if (features & RPCDEV_FEAT_RING_WAKE)
		dev->flags |= RPCDEV_F_RING_WAKE;
	dev->up.slots = calloc(depth, sizeof(*dev->up.slots));
	dev->down.calls = calloc(depth, sizeof(*dev->down.calls));
	if (!dev->up.slots || !dev->down.calls) {
		ring_fini(dev);
		return -ENOMEM;
	}
	return 0;
}

const struct rpcdev_queue_ops rpcdev__ring_ops = {
	.prepare		= ring_prepare,
	.init			= ring_init,
	.fini			= ring_fini,
	.call			= ring_call,
	.submit			= ring_submit,
	.reap			= ring_reap,
	.done			= ring_done,
	.upcall_wait		= ring_upcall_wait,
	.upcall_reply		= ring_upcall_reply,
	.upcall_reply_and_wait	= ring_upcall_reply_and_wait,
	.serve			= ring_serve,
	.set_spin		= ring_set_spin,
	.interrupt		= ring_interrupt,
};
