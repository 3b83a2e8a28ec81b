// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev_sim firmware: what runs "on the device". One kernel thread per
 * running queue takes downcalls off DQ, runs the built-in methods
 * (RPCDEV_SIM_* in the uapi header) and answers on DC; the UPCALLS method
 * calls the host through UQ and UR and times each round trip on the device
 * clock.
 *
 * The firmware trusts nothing in the host area: it reads each index and
 * entry once into a local copy and checks it, as hardware would, and a
 * malformed entry costs only that entry.
 */
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "sim.h"

/* Longest RPCDEV_SIM_DELAY honoured, so a test cannot wedge the device. */
#define SIM_MAX_DELAY_US	(60ULL * USEC_PER_SEC)
/* Longest RPCDEV_SIM_WATCH, and the default upcall reply timeout. */
#define SIM_MAX_WATCH_US	(10ULL * USEC_PER_SEC)
#define SIM_UPCALL_TIMEOUT_MS	10000
/* Most upcalls one RPCDEV_SIM_UPCALLS run may make (and time). */
#define SIM_MAX_UPCALLS		(1U << 20)
/* Checks of a ring between two looks at the clock while polling. */
#define SIM_SPIN_BATCH		32

static const char sim_error_name[] = "SimError";
static const char sim_timeout_name[] = "TimeoutError";

/* Shared memory, as the firmware sees it. */

static struct rpcdev_dev_ctrl *sim_dctrl(struct sim_queue *sq)
{
	return sq->mem.part[RPCDEV_PART_DEV].cpu;
}

static struct rpcdev_host_ctrl *sim_hctrl(struct sim_queue *sq)
{
	return sq->mem.part[RPCDEV_PART_HOST].cpu;
}

/* The entry at ring position @pos of the ring at @off in part @p. */
static struct rpcdev_entry *sim_ring(struct sim_queue *sq, enum rpcdev_part p,
				     u64 off, u32 pos)
{
	struct rpcdev_entry *ring = sq->mem.part[p].cpu + off;

	return &ring[pos & (sq->mem.depth - 1)];
}

static void *sim_buf(struct sim_queue *sq, enum rpcdev_part p, u32 id)
{
	return rpcdev_mem_buf(&sq->mem, p, id);
}

/*
 * Interrupt the host if it sleeps for the ring whose RPCDEV_RING_WAKE_* bit
 * is @ring, or for every ring (virtio's event suppression).
 */
static void sim_notify(struct sim_queue *sq, u32 ring)
{
	/* The entry and index are visible before the flags are read. */
	smp_mb();
	if (READ_ONCE(sim_hctrl(sq)->flags.val) &
	    (RPCDEV_RING_NEED_WAKEUP | ring))
		irq_work_queue(&sq->irq_work);
}

/* Fill in an error answer: "<name>\0<message>\0", cut to fit. */
static void sim_error(struct sim_queue *sq, struct rpcdev_entry *ans,
		      const char *name, const void *msg, u32 msg_len)
{
	void *resp = sim_buf(sq, RPCDEV_PART_DC_BUF, ans->id);
	u32 nlen = strlen(name) + 1;

	ans->len = min_t(u32, nlen + msg_len + 1, sq->mem.buf_size);
	memcpy(resp, name, nlen);
	memmove(resp + nlen, msg, ans->len - nlen - 1);
	((u8 *)resp)[ans->len - 1] = 0;
	ans->status = RPCDEV_STATUS_ERROR;
	ans->flags = RPCDEV_ENTRY_ERROR;
}

/*
 * Answer with the @len bytes at @src, in the call's DC buffer, or with an
 * error when they do not fit the queue's buffers: the device never writes
 * past the buffer of the call it answers, whatever buf_size the host chose.
 */
static void sim_result(struct sim_queue *sq, struct rpcdev_entry *ans,
		       const void *src, u32 len)
{
	static const char msg[] = "the result is larger than the queue's buffers";

	if (len > sq->mem.buf_size) {
		sim_error(sq, ans, sim_error_name, msg, sizeof(msg) - 1);
		return;
	}
	memcpy(sim_buf(sq, RPCDEV_PART_DC_BUF, ans->id), src, len);
	ans->len = len;
}

/* Downcall answers. */

/* Post an answer on DC, or return false when the host has not made room. */
static bool sim_dc_post(struct sim_queue *sq, const struct rpcdev_entry *src)
{
	u32 pos = sq->dc_prod;

	if (pos - READ_ONCE(sim_hctrl(sq)->dc_cons.val) >= sq->mem.depth)
		return false;
	rpcdev_entry_write(sim_ring(sq, RPCDEV_PART_DEV, sq->mem.layout.dc_off, pos),
			   src, pos);
	sq->dc_prod = pos + 1;
	WRITE_ONCE(sim_dctrl(sq)->dc_prod.val, sq->dc_prod);
	return true;
}

/* Post the answers that are due; the time of the next one, or U64_MAX. */
static u64 sim_post_due(struct sim_queue *sq)
{
	u64 now = ktime_get_ns(), next = U64_MAX;
	bool posted = false;
	u32 id;

	for (id = 0; id < sq->mem.depth; id++) {
		struct sim_reply *r = &sq->replies[id];

		if (!r->due_ns)
			continue;
		if (r->due_ns <= now && sim_dc_post(sq, &r->entry)) {
			r->due_ns = 0;
			posted = true;
		} else {
			/* Not due, or DC full: look again soon. */
			next = min(next, max(r->due_ns, now + NSEC_PER_MSEC));
		}
	}
	if (posted)
		sim_notify(sq, RPCDEV_RING_WAKE_DC);
	return next;
}

/* Upcalls. */

/* The UR entry the device reads next. */
static struct rpcdev_entry *sim_ur_next(struct sim_queue *sq)
{
	return sim_ring(sq, RPCDEV_PART_HOST, sq->mem.layout.ur_off, sq->ur_cons);
}

/*
 * Is the next UR entry published? Its seq says so (the phase tag): the
 * answer costs the device the one cache line it reads anyway.
 */
static bool sim_ur_seen(struct sim_queue *sq)
{
	return READ_ONCE(sim_ur_next(sq)->seq) == sq->ur_cons + 1;
}

/* Is there a UR entry to read, by its seq or by the host's index? */
static bool sim_ur_ready(struct sim_queue *sq)
{
	return sim_ur_seen(sq) ||
	       READ_ONCE(sim_hctrl(sq)->ur_prod.val) != sq->ur_cons;
}

/*
 * Take one answer off UR into @re. Returns 1 for a good answer to an upcall
 * in flight (which then is no longer in flight), 0 when UR is empty, and
 * -EIO for a malformed one (skipped). An entry is there when its seq says
 * so, or when the host's index moved past it (then it had better say so).
 */
static int sim_ur_take(struct sim_queue *sq, struct rpcdev_entry *re)
{
	u32 pos = sq->ur_cons;

	if (!sim_ur_seen(sq)) {
		u32 prod = READ_ONCE(sim_hctrl(sq)->ur_prod.val);

		if (prod == pos)
			return 0;
		if (prod - pos > sq->mem.depth) {
			sq->stats.bad++;
			return 0;
		}
	}
	/* The entry is read after the seq or index that published it. */
	dma_rmb();
	memcpy(re, sim_ur_next(sq), sizeof(*re));
	sq->ur_cons = pos + 1;
	WRITE_ONCE(sim_dctrl(sq)->ur_cons.val, sq->ur_cons);

	if (re->seq != pos + 1 || re->id >= sq->mem.depth ||
	    !sq->up_busy[re->id] || sq->up_noack[re->id] ||
	    re->len > sq->mem.buf_size) {
		sq->stats.bad++;
		return -EIO;
	}
	sq->up_busy[re->id] = false;
	sq->nr_busy--;
	return 1;
}

/*
 * One batch of checks of @ready(@sq): most answers come while the device
 * polls, and then it needs no look at the clock. Inlined with its @ready,
 * so the loop makes no indirect call.
 */
static __always_inline bool sim_spin(struct sim_queue *sq,
				     bool (*ready)(struct sim_queue *))
{
	unsigned int i;

	for (i = 0; i < SIM_SPIN_BATCH; i++) {
		if (ready(sq))
			return true;
		cpu_relax();
	}
	return false;
}

/*
 * Wait until @ready(@sq), @deadline (ns; U64_MAX: none) or a stop. The
 * device first polls for sq->spin_ns, then arms its doorbell and sleeps:
 * it sets RPCDEV_DEV_NEED_DOORBELL, issues a full barrier and re-checks,
 * and the host reads the flag after publishing its producer index, so no
 * doorbell is lost and a polling device costs the host no system call.
 */
static __always_inline bool sim_wait(struct sim_queue *sq,
				     bool (*ready)(struct sim_queue *),
				     u64 deadline)
{
	u64 spin_end = ktime_get_ns() + sq->spin_ns;

	for (;;) {
		u64 now;

		/* Poll a while between looks at the clock and the scheduler. */
		if (sim_spin(sq, ready))
			return true;
		now = ktime_get_ns();
		if (kthread_should_stop() || now >= deadline)
			return false;
		if (now < spin_end) {
			cond_resched();
			continue;
		}
		WRITE_ONCE(sim_dctrl(sq)->flags.val, RPCDEV_DEV_NEED_DOORBELL);
		/* The flag before the producer indices ready() reads. */
		smp_mb();
		if (deadline == U64_MAX)
			wait_event_interruptible(sq->wq, ready(sq) ||
						 kthread_should_stop());
		else
			wait_event_interruptible_hrtimeout(sq->wq,
				ready(sq) || kthread_should_stop(),
				ns_to_ktime(deadline - now));
		WRITE_ONCE(sim_dctrl(sq)->flags.val, 0);
	}
}

/*
 * After a take found nothing: poll @seen a batch (an answer on its way
 * needs no look at the clock), then wait for @ready until *@deadline, set
 * @timeout from the first look at the clock. Returns 1 to take again, 0
 * on timeout, -ESHUTDOWN when the queue is stopping (after a wait cut
 * short by the stop, the caller takes once more first).
 */
static __always_inline int sim_wait_more(struct sim_queue *sq,
					 bool (*seen)(struct sim_queue *),
					 bool (*ready)(struct sim_queue *),
					 u64 *deadline, u64 timeout)
{
	if (kthread_should_stop())
		return -ESHUTDOWN;
	if (sim_spin(sq, seen))
		return 1;
	if (!*deadline)
		*deadline = ktime_get_ns() + timeout;
	if (!sim_wait(sq, ready, *deadline) && !kthread_should_stop())
		return 0;
	return 1;
}

/*
 * Wait for the next good UR answer for up to @timeout (ns) from when the
 * device starts to wait in earnest. Returns 1 with the answer in @re, 0 on
 * timeout, -ESHUTDOWN when the queue is stopping. UR is always read
 * before the stop is honoured, so answers the host sent before stopping
 * the queue (RPCDEV_STATUS_NO_SERVER) are still seen.
 */
static int sim_ur_wait(struct sim_queue *sq, struct rpcdev_entry *re,
		       u64 timeout)
{
	u64 deadline = 0;

	for (;;) {
		int ret = sim_ur_take(sq, re);

		if (ret > 0)
			return 1;
		if (ret < 0)
			continue;
		ret = sim_wait_more(sq, sim_ur_seen, sim_ur_ready, &deadline,
				    timeout);
		if (ret <= 0)
			return ret;
	}
}

/*
 * Fill an upcall's payload: byte i is (n + i) & 0xff, eight bytes at a
 * time (each byte of the sum wraps on its own, with no carry).
 */
static void sim_fill(u8 *p, u32 size, u32 n)
{
	const u64 lo7 = 0x7f7f7f7f7f7f7f7fULL;
	u64 step = 0x0706050403020100ULL, w;
	u32 i;

	for (i = 0; i + sizeof(w) <= size; i += sizeof(w)) {
		u64 add = 0x0101010101010101ULL * ((n + i) & 0xff);

		w = ((step & lo7) + (add & lo7)) ^ ((step ^ add) & ~lo7);
		memcpy(p + i, &w, sizeof(w));
	}
	for (; i < size; i++)
		p[i] = (n + i) & 0xff;
}

/*
 * The host's UQ consumer index, if it moved past what the device has taken
 * back without passing what it posted; else the device's own.
 */
static u32 sim_uq_cons(struct sim_queue *sq)
{
	u32 cons = READ_ONCE(sim_hctrl(sq)->uq_cons.val);

	if (cons - sq->uq_freed > sq->uq_prod - sq->uq_freed)
		return sq->uq_freed;
	return cons;
}

static bool sim_uq_moved(struct sim_queue *sq)
{
	return sim_uq_cons(sq) != sq->uq_freed;
}

/* Give back the slot of the async upcall recorded at @pos, if any. */
static u32 sim_uq_free(struct sim_queue *sq, u32 pos)
{
	u32 *a = &sq->uq_async[pos & (sq->mem.depth - 1)];
	u32 id = *a;

	if (!id--)
		return 0;
	*a = 0;
	sq->up_noack[id] = false;
	sq->up_busy[id] = false;
	sq->nr_busy--;
	return 1;
}

/*
 * Take back the slots of the async upcalls the host's UQ consumer index
 * has passed (RPCDEV_ATTACH_ASYNC_NOACK): the host is done with their
 * payloads. Returns how many.
 */
static u32 sim_uq_reclaim(struct sim_queue *sq)
{
	u32 cons = sim_uq_cons(sq), n = 0;

	for (; sq->uq_freed != cons; sq->uq_freed++)
		n += sim_uq_free(sq, sq->uq_freed);
	return n;
}

/*
 * Wait until the host gives async upcalls back by its UQ consumer index,
 * for up to @timeout (ns) of waiting in earnest. Returns how many came
 * back, 0 on timeout, -ESHUTDOWN when the queue is stopping.
 */
static int sim_uq_wait(struct sim_queue *sq, u64 timeout)
{
	u64 deadline = 0;

	for (;;) {
		u32 n = sim_uq_reclaim(sq);
		int ret;

		if (n)
			return n;
		ret = sim_wait_more(sq, sim_uq_moved, sim_uq_moved, &deadline,
				    timeout);
		if (ret <= 0)
			return ret;
	}
}

/*
 * Make upcall number @n with id @id and payload @size; time it from now if
 * it is sync (an async one has no round trip to time). The caller notifies
 * the host once it has posted what it can.
 */
static void sim_uq_post(struct sim_queue *sq,
			const struct rpcdev_sim_upcalls *req, u32 id, u32 n)
{
	const struct rpcdev_queue_attach *l = &sq->mem.layout;
	u8 *p = sim_buf(sq, RPCDEV_PART_UQ_BUF, id);
	struct rpcdev_entry e = {
		.id = id,
		.method = req->method,
		.len = req->size,
		.tag = (u64)sq->run << 32 | n,
	};
	__le64 seq = cpu_to_le64(n);
	u32 pos = sq->uq_prod;

	sim_fill(p, req->size, n);
	if (req->size >= sizeof(seq))
		memcpy(p, &seq, sizeof(seq));
	/*
	 * This position's record is that of pos - depth, which the host has
	 * consumed: with at most depth - 1 ids busy before this post, fewer
	 * entries are unconsumed. So the slots given back by the index reach
	 * at least that far, and sim_uq_reclaim() never walks onto a record
	 * of a later lap. A record still there means the device posted past
	 * what it took back; the slot comes back now, and that is counted.
	 */
	if (pos - sq->uq_freed >= sq->mem.depth) {
		if (sim_uq_free(sq, pos))
			sq->stats.bad++;
		sq->uq_freed = pos - sq->mem.depth + 1;
	}
	if (req->flags & RPCDEV_SIM_UPCALL_ASYNC) {
		e.flags = RPCDEV_ENTRY_ASYNC;
		if (sq->noack) {
			sq->uq_async[pos & (sq->mem.depth - 1)] = id + 1;
			sq->up_noack[id] = true;
		}
	} else {
		sq->up_start[id] = ktime_get_ns();
		e.ts[0] = sq->up_start[id];
	}

	sq->up_busy[id] = true;
	sq->nr_busy++;
	rpcdev_entry_write(sim_ring(sq, RPCDEV_PART_DEV, l->uq_off, pos), &e, pos);
	sq->uq_prod = pos + 1;
	WRITE_ONCE(sim_dctrl(sq)->uq_prod.val, sq->uq_prod);
	sq->stats.upcalls++;
	sq->life.upcalls++;
}

/* Add the parts of a stamped sync round trip, if the stamps make sense. */
static void sim_upcall_stages(const struct rpcdev_entry *re, u64 seen,
			      u64 sum[4], u32 *stamped)
{
	const u64 *ts = re->ts;
	int i;

	if (!ts[0] || ts[0] > ts[1] || ts[1] > ts[2] || ts[2] > ts[3] ||
	    ts[3] > seen)
		return;
	for (i = 0; i < 3; i++)
		sum[i] += ts[i + 1] - ts[i];
	sum[3] += seen - ts[3];
	(*stamped)++;
}

/* Count one good answer to an upcall; false if it ends the run. */
static bool sim_upcall_done(struct sim_queue *sq,
			    const struct rpcdev_sim_upcalls *req,
			    const struct rpcdev_entry *re,
			    struct rpcdev_sim_upcall_result *res, u32 n)
{
	if (!(req->flags & RPCDEV_SIM_UPCALL_ASYNC)) {
		u64 now = ktime_get_ns();

		sq->lat[n] = now - sq->up_start[re->id];
		sim_upcall_stages(re, now, sq->stage_sum, &res->stamped);
	}
	res->last_status = re->status;
	if (re->status != RPCDEV_STATUS_OK) {
		res->failed++;
		if (re->status == RPCDEV_STATUS_NO_SERVER) {
			res->no_server++;
			sq->life.no_server++;
		}
		return re->status != RPCDEV_STATUS_ERROR;
	}
	res->done++;
	if ((req->flags & RPCDEV_SIM_UPCALL_VERIFY) &&
	    !(req->flags & RPCDEV_SIM_UPCALL_ASYNC) &&
	    (re->len != req->size ||
	     memcmp(sim_buf(sq, RPCDEV_PART_UR_BUF, re->id),
		    sim_buf(sq, RPCDEV_PART_UQ_BUF, re->id),
		    req->size)))
		res->mismatched++;
	return true;
}

static int sim_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void sim_upcall_stats(struct sim_queue *sq, u32 n,
			     struct rpcdev_sim_upcall_result *res)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < 4 && res->stamped; i++)
		res->stage_ns[i] = div_u64(sq->stage_sum[i], res->stamped);

	if (!n)
		return;
	sort(sq->lat, n, sizeof(*sq->lat), sim_cmp_u64, NULL);
	for (i = 0; i < n; i++)
		sum += sq->lat[i];
	res->min_ns = sq->lat[0];
	res->p50_ns = sq->lat[n / 2];
	res->p99_ns = sq->lat[(u64)n * 99 / 100];
	res->p999_ns = sq->lat[(u64)n * 999 / 1000];
	res->max_ns = sq->lat[n - 1];
	res->mean_ns = div_u64(sum, n);
}

/*
 * RPCDEV_SIM_UPCALLS. Sync upcalls go one at a time (id 0); async ones use
 * every id and are acknowledged out of line. Returns -ESHUTDOWN when the
 * queue is being stopped (then no one waits for the answer).
 */
static int sim_upcalls(struct sim_queue *sq, const struct rpcdev_entry *call,
		       struct rpcdev_entry *ans)
{
	void *resp = sim_buf(sq, RPCDEV_PART_DC_BUF, call->id);
	bool async;
	struct rpcdev_sim_upcall_result res = {};
	struct rpcdev_sim_upcalls req;
	struct rpcdev_entry re;
	u32 sent = 0, answered = 0, inflight = 0, id = 0;
	bool posted = false, noack;
	u64 timeout, start;
	int ret;

	if (call->len != sizeof(req))
		goto bad;
	memcpy(&req, sim_buf(sq, RPCDEV_PART_DQ_BUF, call->id), sizeof(req));
	if (req.size > sq->mem.buf_size || req.count > SIM_MAX_UPCALLS ||
	    req.pad || req.flags & ~(RPCDEV_SIM_UPCALL_ASYNC |
				     RPCDEV_SIM_UPCALL_VERIFY))
		goto bad;
	if (sizeof(res) > sq->mem.buf_size) {
		/* Say so before any upcall: the result could not be given. */
		sim_result(sq, ans, &res, sizeof(res));
		return 0;
	}
	async = req.flags & RPCDEV_SIM_UPCALL_ASYNC;
	noack = async && sq->noack;
	sq->run++;
	memset(sq->stage_sum, 0, sizeof(sq->stage_sum));
	timeout = (u64)(req.timeout_ms ?: SIM_UPCALL_TIMEOUT_MS) * NSEC_PER_MSEC;

	/* Only sync upcalls have round trips to time. */
	if (!async) {
		sq->lat = kvcalloc(max(req.count, 1U), sizeof(*sq->lat),
				   GFP_KERNEL);
		if (!sq->lat)
			goto bad;
	}

	start = ktime_get_ns();
	while (answered < req.count) {
		bool answer = inflight &&
			      (noack ? sim_uq_moved(sq) : sim_ur_seen(sq));

		/*
		 * Post while an id is free (sync: only when none is out), but
		 * take the answers already there first: ids come back in
		 * bursts and go out in bursts.
		 */
		if (!answer && sent < req.count &&
		    sq->nr_busy < sq->mem.depth &&
		    inflight < (async ? sq->mem.depth : 1)) {
			while (sq->up_busy[id])
				id = (id + 1) & (sq->mem.depth - 1);
			sim_uq_post(sq, &req, id, sent++);
			inflight++;
			posted = true;
			continue;
		}
		/*
		 * One notification (and one barrier) for all that was posted,
		 * once the device is about to wait: a host that answers is
		 * awake, and it sleeps only when no answer comes.
		 */
		if (posted && !answer) {
			sim_notify(sq, RPCDEV_RING_WAKE_UQ);
			posted = false;
		}
		if (noack) {
			/* No answers: the host's index gives the slots back. */
			ret = sim_uq_wait(sq, timeout);
			if (ret < 0) {
				sq->life.no_server += inflight;
				goto out;
			}
			if (!ret) {
				res.timed_out++;
				sq->life.upcall_timeouts++;
				break;
			}
			inflight -= ret;
			answered += ret;
			res.done += ret;
			continue;
		}
		ret = sim_ur_wait(sq, &re, timeout);
		if (ret < 0) {
			/* Reset under our upcalls: no one will answer them. */
			sq->life.no_server += inflight;
			goto out;
		}
		if (!ret) {
			res.timed_out++;
			sq->life.upcall_timeouts++;
			break;
		}
		if (re.tag >> 32 != sq->run)
			continue;	/* late answer to an earlier run */
		inflight--;
		if (!sim_upcall_done(sq, &req, &re, &res, answered++)) {
			/* The host raised an error: the device re-raises it. */
			memcpy(resp, sim_buf(sq, RPCDEV_PART_UR_BUF, re.id),
			       re.len);
			ans->len = re.len;
			ans->status = re.status;
			ans->flags = re.flags & RPCDEV_ENTRY_ERROR;
			ret = 0;
			goto out;
		}
	}

	res.total_ns = ktime_get_ns() - start;
	sim_upcall_stats(sq, async ? 0 : answered, &res);
	sim_result(sq, ans, &res, sizeof(res));
	ret = 0;
out:
	/* Ids still out stay busy: their answers are skipped as stale. */
	kvfree(sq->lat);
	sq->lat = NULL;
	return ret;
bad:
	ans->status = RPCDEV_STATUS_BAD_REQUEST;
	return 0;
}

/* Mailbox. */

/* RPCDEV_SIM_WATCH: spin on one slot, as a device's pause check would. */
static int sim_watch(struct sim_queue *sq, const struct rpcdev_entry *call,
		     struct rpcdev_entry *ans)
{
	struct rpcdev_sim_watch_result res = {};
	struct rpcdev_sim_watch req;
	u64 deadline, w;

	if (call->len != sizeof(req))
		goto bad;
	memcpy(&req, sim_buf(sq, RPCDEV_PART_DQ_BUF, call->id), sizeof(req));
	if (req.slot >= RPCDEV_MBOX_SLOTS || req.pad)
		goto bad;
	deadline = ktime_get_ns() +
		   min_t(u64, req.timeout_us, SIM_MAX_WATCH_US) * NSEC_PER_USEC;

	for (;;) {
		/* The check itself: one load. */
		w = READ_ONCE(sim_hctrl(sq)->mbox[req.slot]);
		res.checks++;
		if (RPCDEV_MBOX_SEQ(w) != req.seq)
			break;
		if (kthread_should_stop())
			return -ESHUTDOWN;
		if (ktime_get_ns() >= deadline) {
			sim_error(sq, ans, sim_timeout_name, "no post seen",
				  sizeof("no post seen") - 1);
			return 0;
		}
		cond_resched();
		cpu_relax();
	}
	res.seen_ns = ktime_get_ns();
	res.value = RPCDEV_MBOX_VAL(w);
	res.seq = RPCDEV_MBOX_SEQ(w);
	sim_result(sq, ans, &res, sizeof(res));
	return 0;
bad:
	ans->status = RPCDEV_STATUS_BAD_REQUEST;
	return 0;
}

/* RPCDEV_SIM_MBOX_COST: time count checks of a slot. */
static void sim_mbox_cost(struct sim_queue *sq, const struct rpcdev_entry *call,
			  struct rpcdev_entry *ans)
{
	struct rpcdev_sim_mbox_cost req;
	u64 start, ns, w = 0;
	u32 i;

	if (call->len != sizeof(req)) {
		ans->status = RPCDEV_STATUS_BAD_REQUEST;
		return;
	}
	memcpy(&req, sim_buf(sq, RPCDEV_PART_DQ_BUF, call->id), sizeof(req));
	if (req.slot >= RPCDEV_MBOX_SLOTS || !req.count || req.count > 1U << 24) {
		ans->status = RPCDEV_STATUS_BAD_REQUEST;
		return;
	}
	start = ktime_get_ns();
	for (i = 0; i < req.count; i++)
		w += READ_ONCE(sim_hctrl(sq)->mbox[req.slot]);
	ns = ktime_get_ns() - start;
	/* Keep the loads: their sum is not used otherwise. */
	OPTIMIZER_HIDE_VAR(w);
	sim_result(sq, ans, &ns, sizeof(ns));
}

/* RPCDEV_SIM_NOTIFY: post messages until done or the ring is full. */
static void sim_mbox_notify(struct sim_queue *sq,
			    const struct rpcdev_entry *call,
			    struct rpcdev_entry *ans)
{
	struct rpcdev_sim_notify req;
	u32 posted;

	if (call->len != sizeof(req)) {
		ans->status = RPCDEV_STATUS_BAD_REQUEST;
		return;
	}
	memcpy(&req, sim_buf(sq, RPCDEV_PART_DQ_BUF, call->id), sizeof(req));
	if (req.pad) {
		ans->status = RPCDEV_STATUS_BAD_REQUEST;
		return;
	}
	for (posted = 0; posted < req.count; posted++) {
		u32 pos = sq->mb_prod;

		if (pos - READ_ONCE(sim_hctrl(sq)->mb_cons.val) >=
		    RPCDEV_MBOX_DEPTH)
			break;
		WRITE_ONCE(sim_dctrl(sq)->mb_msgs[pos % RPCDEV_MBOX_DEPTH],
			   req.value + posted);
		dma_wmb();
		sq->mb_prod = pos + 1;
		WRITE_ONCE(sim_dctrl(sq)->mb_prod.val, sq->mb_prod);
	}
	if (posted)
		sim_notify(sq, RPCDEV_RING_WAKE_MB);
	sim_result(sq, ans, &posted, sizeof(posted));
}

/* Downcalls. */

/*
 * Run one checked call, filling in its answer. Returns when the answer is
 * due (ns), or 0 when the queue is stopping and no answer is to be posted.
 */
static u64 sim_run(struct sim_queue *sq, const struct rpcdev_entry *call,
		   struct rpcdev_entry *ans)
{
	void *req = sim_buf(sq, RPCDEV_PART_DQ_BUF, call->id);
	void *resp = sim_buf(sq, RPCDEV_PART_DC_BUF, call->id);
	u64 now = ktime_get_ns();
	__le64 us;

	switch (call->method) {
	case RPCDEV_SIM_ECHO:
		memcpy(resp, req, call->len);
		ans->len = call->len;
		break;
	case RPCDEV_SIM_FAIL:
		sim_error(sq, ans, sim_error_name, req, call->len);
		break;
	case RPCDEV_SIM_DELAY:
		if (call->len != sizeof(us)) {
			ans->status = RPCDEV_STATUS_BAD_REQUEST;
			break;
		}
		memcpy(&us, req, sizeof(us));
		return now + min(le64_to_cpu(us), SIM_MAX_DELAY_US) *
			     NSEC_PER_USEC;
	case RPCDEV_SIM_STATS:
		sim_result(sq, ans, &sq->stats, sizeof(sq->stats));
		break;
	case RPCDEV_SIM_UPCALLS:
		if (sim_upcalls(sq, call, ans))
			return 0;
		break;
	case RPCDEV_SIM_WATCH:
		if (sim_watch(sq, call, ans))
			return 0;
		break;
	case RPCDEV_SIM_NOTIFY:
		sim_mbox_notify(sq, call, ans);
		break;
	case RPCDEV_SIM_MBOX_COST:
		sim_mbox_cost(sq, call, ans);
		break;
	default:
		ans->status = RPCDEV_STATUS_NO_METHOD;
		break;
	}
	return ktime_get_ns();
}

/* Take the calls the host posted on DQ. */
static void sim_take_calls(struct sim_queue *sq)
{
	u32 depth = sq->mem.depth;
	u32 prod = READ_ONCE(sim_hctrl(sq)->dq_prod.val);

	/* A producer index no host could have written: ignore it. */
	if (prod - sq->dq_cons > depth)
		return;
	dma_rmb();

	while (sq->dq_cons != prod && !kthread_should_stop()) {
		struct rpcdev_entry call, ans = {};
		struct sim_reply *r;
		u32 pos = sq->dq_cons++;

		memcpy(&call, sim_ring(sq, RPCDEV_PART_HOST, sq->mem.layout.dq_off,
				       pos), sizeof(call));
		WRITE_ONCE(sim_dctrl(sq)->dq_cons.val, sq->dq_cons);
		sq->stats.calls++;
		sq->life.calls++;
		/* Without a good seq and id there is no one to answer. */
		if (call.seq != pos + 1 || call.id >= depth ||
		    sq->replies[call.id].due_ns) {
			sq->stats.bad++;
			continue;
		}
		r = &sq->replies[call.id];
		ans.id = call.id;
		ans.method = call.method;
		ans.tag = call.tag;
		if (call.len > sq->mem.buf_size) {
			sq->stats.bad++;
			ans.status = RPCDEV_STATUS_BAD_REQUEST;
			r->due_ns = ktime_get_ns();
		} else {
			r->due_ns = sim_run(sq, &call, &ans);
		}
		r->entry = ans;
		/* Answer at once what is due, so DELAY does not hold it up. */
		sim_post_due(sq);
	}
}

/* New calls on DQ? An index no host could have written is no work. */
static bool sim_has_work(struct sim_queue *sq)
{
	u32 n = READ_ONCE(sim_hctrl(sq)->dq_prod.val) - sq->dq_cons;

	return n && n <= sq->mem.depth;
}

static int sim_firmware(void *data)
{
	struct sim_queue *sq = data;

	while (!kthread_should_stop()) {
		u64 next;

		sim_take_calls(sq);
		next = sim_post_due(sq);
		if (next > ktime_get_ns())
			sim_wait(sq, sim_has_work, next);
	}
	return 0;
}

static void sim_fw_free(struct sim_queue *sq)
{
	kfree(sq->uq_async);
	sq->uq_async = NULL;
	kfree(sq->up_noack);
	sq->up_noack = NULL;
	kfree(sq->up_start);
	sq->up_start = NULL;
	kfree(sq->up_busy);
	sq->up_busy = NULL;
	kfree(sq->replies);
	sq->replies = NULL;
}

/**
 * sim_fw_start() - start the firmware of a queue.
 * @sq:		the queue.
 * @mem:	its memory.
 * @name:	the thread's name.
 * @cpu:	the CPU to run it on, or -1 for any.
 * @spin_us:	how long the firmware polls before it sleeps.
 *
 * Return: 0 or a negative errno.
 */
int sim_fw_start(struct sim_queue *sq, const struct rpcdev_queue_mem *mem,
		 const char *name, int cpu, u32 spin_us)
{
	u32 depth = mem->depth;

	sq->spin_ns = (u64)spin_us * NSEC_PER_USEC;
	sq->mem = *mem;
	sq->dq_cons = 0;
	sq->dc_prod = 0;
	sq->uq_prod = 0;
	sq->ur_cons = 0;
	sq->mb_prod = 0;
	sq->nr_busy = 0;
	sq->uq_freed = 0;
	sq->noack = mem->layout.flags & RPCDEV_ATTACH_ASYNC_NOACK;
	memset(&sq->stats, 0, sizeof(sq->stats));
	sq->replies = kcalloc(depth, sizeof(*sq->replies), GFP_KERNEL);
	sq->up_busy = kcalloc(depth, sizeof(*sq->up_busy), GFP_KERNEL);
	sq->up_start = kcalloc(depth, sizeof(*sq->up_start), GFP_KERNEL);
	sq->up_noack = kcalloc(depth, sizeof(*sq->up_noack), GFP_KERNEL);
	sq->uq_async = kcalloc(depth, sizeof(*sq->uq_async), GFP_KERNEL);
	if (!sq->replies || !sq->up_busy || !sq->up_start || !sq->up_noack ||
	    !sq->uq_async)
		goto err;

	sq->task = kthread_create(sim_firmware, sq, "%s", name);
	if (IS_ERR(sq->task)) {
		sq->task = NULL;
		goto err;
	}
	if (cpu >= 0 && cpu < nr_cpu_ids && cpu_online(cpu))
		kthread_bind(sq->task, cpu);
	wake_up_process(sq->task);
	return 0;
err:
	sim_fw_free(sq);
	return -ENOMEM;
}

/**
 * sim_fw_stop() - stop the firmware of a queue: when this returns it no
 * longer touches the queue's memory.
 * @sq:		the queue.
 */
void sim_fw_stop(struct sim_queue *sq)
{
	kthread_stop(sq->task);
	sq->task = NULL;
	sim_fw_free(sq);
	memset(&sq->mem, 0, sizeof(sq->mem));
}
