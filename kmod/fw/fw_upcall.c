// SPDX-License-Identifier: GPL-2.0
/*
 * RPCDEV_SIM_UPCALLS: the device calls the host. Sync upcalls go one at a
 * time and each round trip is timed on the device clock; async ones fill
 * every free slot and come back by an acknowledgment on UR or, with
 * RPCDEV_ATTACH_ASYNC_NOACK, by the host's UQ consumer index.
 */
#include "fw_internal.h"

/* The default upcall reply timeout. */
#define FW_UPCALL_TIMEOUT_MS	10000
/* Most upcalls one RPCDEV_SIM_UPCALLS run may make (and time). */
#define FW_MAX_UPCALLS		(1024U * 1024)

/* Answers on UR. */

/* The UR entry the device reads next. */
static struct rpcdev_entry *fw_ur_next(struct fw_queue *fq)
{
	return fw_ring(fq, fq->mem.ur, fq->ur_cons);
}

/*
 * Is the next UR entry published? Its seq says so (the phase tag): the
 * answer costs the device the one cache line it reads anyway.
 */
static bool fw_ur_seen(struct fw_queue *fq)
{
	struct rpcdev_entry *e = fw_ur_next(fq);

	/*
	 * An inline answer's payload line is loaded beside its seq's, so
	 * the two lines come over together, not one after the other.
	 */
	if (fq->mem.flags & RPCDEV_ATTACH_INLINE)
		(void)READ_ONCE(*(u32 *)fw_entry_data(e));
	return READ_ONCE(e->seq) == fq->ur_cons + 1;
}

/*
 * The host's UR producer index says an entry is there: it is past the
 * device's index by no more than the ring holds. An index behind the
 * device's is no entry: a host that answers by seq and then by index may
 * be caught between the two stores, and an index no host could have
 * written is ignored until it makes sense.
 */
static bool fw_ur_indexed(struct fw_queue *fq)
{
	u32 n = READ_ONCE(fq->mem.hctrl->ur_prod.val) - fq->ur_cons;

	return n && n <= fq->mem.depth;
}

/*
 * Is there a UR entry to read, by its seq or by the host's index? True
 * only when fw_ur_take() would take one, so a wait on it cannot spin.
 */
static bool fw_ur_ready(struct fw_queue *fq)
{
	return fw_ur_seen(fq) || fw_ur_indexed(fq);
}

/*
 * Take one answer off UR into @re. Returns 1 for a good answer to an upcall
 * in flight (which then is no longer in flight), 0 when UR is empty, and
 * -EIO for a malformed one (skipped). An entry is there when its seq says
 * so, or when the host's index moved past it (then it had better say so);
 * an impossible index is no entry, and not counted (see struct
 * rpcdev_sim_stats).
 */
static int fw_ur_take(struct fw_queue *fq, struct rpcdev_entry_inline *rin)
{
	struct rpcdev_entry *re = &rin->hdr;
	u32 pos = fq->ur_cons;
	bool inline_ok;

	if (!fw_ur_seen(fq) && !fw_ur_indexed(fq))
		return 0;
	/* The entry is read after the seq or index that published it. */
	dma_rmb();
	/* An inline answer is in the copy before the host may reuse the entry. */
	inline_ok = fw_entry_read(fq, fq->mem.ur, pos, rin);
	fq->ur_cons = pos + 1;
	fw_publish(fq, &fq->mem.dctrl->ur_cons, fq->ur_cons);

	if (!inline_ok || re->seq != pos + 1 || re->id >= fq->mem.depth ||
	    !fq->up_busy[re->id] || fq->up_noack[re->id] ||
	    re->len > fq->mem.buf_size) {
		fq->stats.bad++;
		return -EIO;
	}
	fq->up_busy[re->id] = false;
	fq->nr_busy--;
	return 1;
}

/*
 * Wait for the next good UR answer for up to @timeout (ns) from when the
 * device starts to wait in earnest. Returns 1 with the answer in @re, 0 on
 * timeout, -ESHUTDOWN when the queue is stopping. UR is always read
 * before the stop is honoured, so answers the host sent before stopping
 * the queue (RPCDEV_STATUS_NO_SERVER) are still seen.
 */
static int fw_ur_wait(struct fw_queue *fq, struct rpcdev_entry_inline *re,
		      u64 timeout)
{
	u64 deadline = 0;

	for (;;) {
		int ret = fw_ur_take(fq, re);

		if (ret > 0)
			return 1;
		if (ret < 0) {
			/*
			 * A host that writes nothing but malformed answers
			 * gets the timeout a silent one gets, and the CPU
			 * is given up between them.
			 */
			fw_preempt_point();
			if (fw_should_stop(fq))
				return -ESHUTDOWN;
			if (!deadline)
				deadline = fw_now_ns() + timeout;
			else if (fw_now_ns() >= deadline)
				return 0;
			continue;
		}
		ret = fw_wait_more(fq, fw_ur_seen, fw_ur_ready, &deadline,
				   timeout);
		/*
		 * The host answers what it can (RPCDEV_STATUS_NO_SERVER) and
		 * rings before it stops the queue: an answer on UR by then
		 * is taken, however the two wake-ups fell.
		 */
		if (ret < 0 && fw_ur_take(fq, re) > 0)
			return 1;
		if (ret <= 0)
			return ret;
	}
}

/*
 * Fill an upcall's payload: byte i is (n + i) & 0xff, eight bytes at a
 * time (each byte of the sum wraps on its own, with no carry).
 */
static void fw_fill(u8 *p, u32 size, u32 n)
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
static u32 fw_uq_cons(struct fw_queue *fq)
{
	u32 cons = READ_ONCE(fq->mem.hctrl->uq_cons.val);

	if (cons - fq->uq_freed > fq->uq_prod - fq->uq_freed)
		return fq->uq_freed;
	return cons;
}

static bool fw_uq_moved(struct fw_queue *fq)
{
	return fw_uq_cons(fq) != fq->uq_freed;
}

/* Give back the slot of the async upcall recorded at @pos, if any. */
static u32 fw_uq_free(struct fw_queue *fq, u32 pos)
{
	u32 *a = &fq->uq_async[pos & (fq->mem.depth - 1)];
	u32 id = *a;

	if (!id--)
		return 0;
	*a = 0;
	fq->up_noack[id] = false;
	fq->up_busy[id] = false;
	fq->nr_busy--;
	return 1;
}

/*
 * Take back the slots of the async upcalls the host's UQ consumer index
 * has passed (RPCDEV_ATTACH_ASYNC_NOACK): the host is done with their
 * payloads. Returns how many.
 */
static u32 fw_uq_reclaim(struct fw_queue *fq)
{
	u32 cons = fw_uq_cons(fq), n = 0;

	for (; fq->uq_freed != cons; fq->uq_freed++)
		n += fw_uq_free(fq, fq->uq_freed);
	return n;
}

/*
 * Wait until the host gives async upcalls back by its UQ consumer index,
 * for up to @timeout (ns) of waiting in earnest. Returns how many came
 * back, 0 on timeout, -ESHUTDOWN when the queue is stopping.
 */
static int fw_uq_wait(struct fw_queue *fq, u64 timeout)
{
	u64 deadline = 0;

	for (;;) {
		u32 n = fw_uq_reclaim(fq);
		int ret;

		if (n)
			return n;
		ret = fw_wait_more(fq, fw_uq_moved, fw_uq_moved, &deadline,
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
static void fw_uq_post(struct fw_queue *fq,
		       const struct rpcdev_sim_upcalls *req, u32 id, u32 n)
{
	u8 *p = fw_buf(fq, fq->mem.uq_buf, id);
	struct rpcdev_entry e = {
		.id = id,
		.method = req->method,
		.len = req->size,
		.tag = (u64)fq->run << 32 | n,
	};
	__le64 seq = cpu_to_le64(n);
	u32 pos = fq->uq_prod;

	fw_fill(p, req->size, n);
	if (req->size >= sizeof(seq))
		memcpy(p, &seq, sizeof(seq));
	/*
	 * This position's record is that of pos - depth, which the host has
	 * consumed: with at most depth - 1 ids busy before this post, fewer
	 * entries are unconsumed. So the slots given back by the index reach
	 * at least that far, and fw_uq_reclaim() never walks onto a record
	 * of a later lap. A record still there means the device posted past
	 * what it took back; the slot comes back now, and that is counted.
	 */
	if (pos - fq->uq_freed >= fq->mem.depth) {
		if (fw_uq_free(fq, pos))
			fq->stats.bad++;
		fq->uq_freed = pos - fq->mem.depth + 1;
	}
	if (req->flags & RPCDEV_SIM_UPCALL_ASYNC) {
		e.flags = RPCDEV_ENTRY_ASYNC;
		if (fq->noack) {
			fq->uq_async[pos & (fq->mem.depth - 1)] = id + 1;
			fq->up_noack[id] = true;
		}
	} else {
		fq->up_start[id] = fw_now_ns();
		e.ts[0] = fq->up_start[id];
	}

	fq->up_busy[id] = true;
	fq->nr_busy++;
	fw_entry_write(fq, fq->mem.uq, fq->mem.uq_buf, &e, pos);
	fq->uq_prod = pos + 1;
	fw_publish(fq, &fq->mem.dctrl->uq_prod, fq->uq_prod);
	fq->stats.upcalls++;
	fq->life.upcalls++;
}

/* Add the parts of a stamped sync round trip, if the stamps make sense. */
static void fw_upcall_stages(const struct rpcdev_entry *re, u64 seen,
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
static bool fw_upcall_done(struct fw_queue *fq,
			   const struct rpcdev_sim_upcalls *req,
			   const struct rpcdev_entry *re,
			   struct rpcdev_sim_upcall_result *res, u32 n)
{
	if (!(req->flags & RPCDEV_SIM_UPCALL_ASYNC)) {
		u64 now = fw_now_ns();

		fq->lat[n] = now - fq->up_start[re->id];
		fw_upcall_stages(re, now, fq->stage_sum, &res->stamped);
	}
	res->last_status = re->status;
	if (re->status != RPCDEV_STATUS_OK) {
		res->failed++;
		if (re->status == RPCDEV_STATUS_NO_SERVER) {
			res->no_server++;
			fq->life.no_server++;
		}
		return re->status != RPCDEV_STATUS_ERROR;
	}
	res->done++;
	if ((req->flags & RPCDEV_SIM_UPCALL_VERIFY) &&
	    !(req->flags & RPCDEV_SIM_UPCALL_ASYNC) &&
	    (re->len != req->size ||
	     memcmp(fw_payload(fq, re, fq->mem.ur_buf),
		    fw_buf(fq, fq->mem.uq_buf, re->id),
		    req->size)))
		res->mismatched++;
	return true;
}

static int fw_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void fw_upcall_stats(struct fw_queue *fq, u32 n,
			    struct rpcdev_sim_upcall_result *res)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < 4 && res->stamped; i++)
		res->stage_ns[i] = div_u64(fq->stage_sum[i], res->stamped);

	if (!n)
		return;
	fw_sort(fq->lat, n, sizeof(*fq->lat), fw_cmp_u64);
	for (i = 0; i < n; i++)
		sum += fq->lat[i];
	res->min_ns = fq->lat[0];
	res->p50_ns = fq->lat[n / 2];
	res->p99_ns = fq->lat[(u64)n * 99 / 100];
	res->p999_ns = fq->lat[(u64)n * 999 / 1000];
	res->max_ns = fq->lat[n - 1];
	res->mean_ns = div_u64(sum, n);
}

/*
 * RPCDEV_SIM_UPCALLS. Sync upcalls go one at a time (id 0); async ones use
 * every id and are acknowledged out of line. Returns -ESHUTDOWN when the
 * queue is being stopped (then no one waits for the answer).
 */
int fw_upcalls(struct fw_queue *fq, const struct rpcdev_entry *call,
	       struct rpcdev_entry *ans)
{
	void *resp = fw_buf(fq, fq->mem.dc_buf, call->id);
	bool async;
	struct rpcdev_sim_upcall_result res = {};
	struct rpcdev_sim_upcalls req;
	struct rpcdev_entry_inline rin;
	struct rpcdev_entry *re = &rin.hdr;
	u32 sent = 0, answered = 0, inflight = 0, id = 0;
	bool posted = false, noack;
	u64 timeout, start;
	int ret;

	if (call->len != sizeof(req))
		goto bad;
	memcpy(&req, fw_payload(fq, call, fq->mem.dq_buf), sizeof(req));
	if (req.size > fq->mem.buf_size || req.count > FW_MAX_UPCALLS ||
	    req.pad || req.flags & ~(RPCDEV_SIM_UPCALL_ASYNC |
				     RPCDEV_SIM_UPCALL_VERIFY))
		goto bad;
	if (sizeof(res) > fq->mem.buf_size) {
		/* Say so before any upcall: the result could not be given. */
		fw_result(fq, ans, &res, sizeof(res));
		return 0;
	}
	async = req.flags & RPCDEV_SIM_UPCALL_ASYNC;
	noack = async && fq->noack;
	fq->run++;
	memset(fq->stage_sum, 0, sizeof(fq->stage_sum));
	timeout = (u64)(req.timeout_ms ?: FW_UPCALL_TIMEOUT_MS) * NSEC_PER_MSEC;

	/* Only sync upcalls have round trips to time. */
	if (!async) {
		fq->lat = fw_calloc(max(req.count, 1U), sizeof(*fq->lat));
		if (!fq->lat)
			goto bad;
	}

	start = fw_now_ns();
	while (answered < req.count) {
		bool answer, room;

		/* A run of up to FW_MAX_UPCALLS keeps no CPU to itself. */
		fw_preempt_point();
		room = sent < req.count && fq->nr_busy < fq->mem.depth &&
		       inflight < (async ? fq->mem.depth : 1);
		/*
		 * Without acknowledgments the host's UQ consumer index is
		 * read only when no id is free: a line the host writes for
		 * every upcall is not pulled over for each one.
		 */
		answer = inflight &&
			 (noack ? !room && fw_uq_moved(fq) : fw_ur_seen(fq));

		/*
		 * Post while an id is free (sync: only when none is out), but
		 * take the answers already there first: ids come back in
		 * bursts and go out in bursts.
		 */
		if (!answer && room) {
			while (fq->up_busy[id])
				id = (id + 1) & (fq->mem.depth - 1);
			fw_uq_post(fq, &req, id, sent++);
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
			fw_notify(fq, RPCDEV_RING_WAKE_UQ);
			posted = false;
		}
		if (noack) {
			/* No answers: the host's index gives the slots back. */
			ret = fw_uq_wait(fq, timeout);
			if (ret < 0) {
				fq->life.stopped += inflight;
				goto out;
			}
			if (!ret) {
				res.timed_out++;
				fq->life.upcall_timeouts++;
				break;
			}
			inflight -= ret;
			answered += ret;
			res.done += ret;
			continue;
		}
		ret = fw_ur_wait(fq, &rin, timeout);
		if (ret < 0) {
			/* Reset under our upcalls: no one will answer them. */
			fq->life.stopped += inflight;
			goto out;
		}
		if (!ret) {
			res.timed_out++;
			fq->life.upcall_timeouts++;
			break;
		}
		if (re->tag >> 32 != fq->run)
			continue;	/* late answer to an earlier run */
		inflight--;
		if (!fw_upcall_done(fq, &req, re, &res, answered++)) {
			/* The host raised an error: the device re-raises it. */
			memcpy(resp, fw_payload(fq, re, fq->mem.ur_buf),
			       re->len);
			ans->len = re->len;
			ans->status = re->status;
			ans->flags = re->flags & RPCDEV_ENTRY_ERROR;
			ret = 0;
			goto out;
		}
	}

	res.total_ns = fw_now_ns() - start;
	fw_upcall_stats(fq, async ? 0 : answered, &res);
	fw_result(fq, ans, &res, sizeof(res));
	ret = 0;
out:
	/* Ids still out stay busy: their answers are skipped as stale. */
	fw_free(fq->lat);
	fq->lat = NULL;
	return ret;
bad:
	ans->status = RPCDEV_STATUS_BAD_REQUEST;
	return 0;
}

