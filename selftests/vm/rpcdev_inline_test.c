// SPDX-License-Identifier: GPL-2.0
/*
 * Inline payloads (RPCDEV_ATTACH_INLINE), run as root inside the test VM
 * on either backend: a payload of up to RPCDEV_INLINE_MAX bytes travels in
 * the ring entry's second cache line, a longer one in the slot's buffer.
 *
 * The "path" fixture runs every boundary length (0, 1, the limit, one
 * past it, and a large one) once per way of driving the queue and per
 * direction:
 *
 *	block_*	the kernel drives the rings: the queue is attached with
 *		RPCDEV_ATTACH_INLINE by hand, and the test makes the ioctls
 *		itself (librpcdev's BLOCK queues keep the old layout);
 *	poll_*	librpcdev drives them (RPCDEV_WAIT_POLL), which attaches
 *		inline by itself when the kernel offers RPCDEV_FEAT_INLINE;
 *
 *	*_down	a downcall echo (RPCDEV_SIM_ECHO);
 *	*_up	sync upcalls of RPCDEV_SIM_UPCALLS echoed by a server, the
 *		device checking each answer (RPCDEV_SIM_UPCALL_VERIFY);
 *	*_async	async upcalls, read by a server.
 *
 * Each checks every byte that arrives, and where a test can look (the
 * device's rings are mapped read-only, the host's writable) that the
 * entries carry RPCDEV_ENTRY_INLINE for exactly the payloads that fit. The
 * "attach" fixture checks the layout attach reports, the mappings, and
 * the errors of bad combinations; the "bad" fixture entries a program
 * driving the rings writes wrong; the "broken" fixture an answer the
 * device breaks (its long_reply fault: an inline answer longer than its
 * line).
 *
 * The fixture (rpcdev_fixture.h) loads rpcdev and the backend that
 * $RPCDEV_TEST_BACKEND names and opens /dev/rpcdev0 without a queue; its
 * teardown fails the test if a module cannot be unloaded.
 *
 * A device without the feature (the ivshmem firmware run with
 * --no-inline, an older one) is what RPCDEV_TEST_NO_INLINE=1 says the
 * boot has:
 *
 *	RPCDEV_FW_ARGS=--no-inline RPCDEV_TEST_ENV=RPCDEV_TEST_NO_INLINE=1 \
 *		scripts/vm-run.sh --backend ivshmem --only rpcdev_inline_test 6.12
 *
 * The tests of inline queues skip then, and those of a device without
 * inline payloads run (they skip in every other boot).
 */
#include <stdlib.h>
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/rpcdev_sim.h>

#include "kselftest_harness.h"
#include "rpcdev.h"
#include "rpcdev_fixture.h"
#include "rpcdev_ivshmem.h"
#include "rpcdev_upcalls.h"
#include "rpcdev_util.h"

/*
 * Ring entries per direction, and upcalls per run: enough entries that the
 * runs of one test (five lengths) do not wrap, so each entry stays to be
 * looked at.
 */
#define DEPTH		16
#define UPCALLS		3
#define NR_LENS		5
/* The large payload: well past the limit, within the default buffers. */
#define LARGE		4000
/* A wait for an entry the device owes: long, so a lost one fails. */
#define WAIT_NS		(10000 * NSEC_PER_MSEC)

enum dir { DOWN, UP, ASYNC };

/* What a test attached, and where it sees the queue. */
struct q {
	int fd;
	struct rpcdev_queue_attach a;
	unsigned char *dev;	/* RPCDEV_OFF_DEV, read-only */
	unsigned char *host;	/* RPCDEV_OFF_HOST */
	unsigned char *uq_buf;	/* RPCDEV_OFF_UQ_BUF, read-only */
};

/* Was this boot's device made to go without inline payloads? */
static bool no_inline_device(void)
{
	const char *v = getenv("RPCDEV_TEST_NO_INLINE");

	return v && !strcmp(v, "1");
}

#define SKIP_WITHOUT_INLINE() do {					\
	if (no_inline_device())						\
		SKIP(return, "the device offers no inline payloads "	\
		     "(RPCDEV_TEST_NO_INLINE=1)");			\
} while (0)

#define SKIP_WITH_INLINE() do {						\
	if (!no_inline_device())					\
		SKIP(return, "needs a device without inline payloads "	\
		     "(RPCDEV_TEST_NO_INLINE=1, see the top)");		\
} while (0)

/* The entry at position @pos of the ring at @off in @part. */
static struct rpcdev_entry_inline *entry_at(const struct q *q,
					    unsigned char *part, __u64 off,
					    unsigned int pos)
{
	return (void *)(part + off + (pos % q->a.depth) *
			sizeof(struct rpcdev_entry_inline));
}

/* Byte @i of the request payload the tests send. */
static unsigned char req_byte(size_t i)
{
	return (unsigned char)(i * 7 + 3);
}

/*
 * Is @p the payload of upcall @n of @len bytes, as the device fills it:
 * byte i is (n + i) & 0xff, and the first eight the le64 of n when there
 * are eight?
 */
static int upcall_payload_exact(const unsigned char *p, size_t len,
				uint64_t n)
{
	__le64 seq = htole64(n);
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char want = len >= 8 && i < 8 ?
				     ((unsigned char *)&seq)[i] :
				     (unsigned char)(n + i);

		if (p[i] != want)
			return 0;
	}
	return 1;
}

/* Attach queue 0 of @fd by hand with @flags; 0 or -errno. */
static int raw_attach(int fd, struct rpcdev_queue_attach *a, __u32 flags)
{
	memset(a, 0, sizeof(*a));
	a->flags = flags;
	a->depth = DEPTH;
	return ioctl(fd, RPCDEV_IOC_QUEUE_ATTACH, a) ? -errno : 0;
}

/* Map what the tests read of a queue attached by hand. */
static int raw_map(struct q *q)
{
	int ret;

	ret = map_errno(q->fd, q->a.dev_size, PROT_READ, RPCDEV_OFF_DEV,
			(void **)&q->dev);
	if (!ret)
		ret = map_errno(q->fd, q->a.host_size, PROT_READ,
				RPCDEV_OFF_HOST, (void **)&q->host);
	if (!ret)
		ret = map_errno(q->fd, q->a.bufs_size, PROT_READ,
				RPCDEV_OFF_UQ_BUF, (void **)&q->uq_buf);
	return ret;
}

/*
 * Attach queue 0 of @dev inline: by hand for the kernel to drive it
 * (@block), else as librpcdev's POLL queue; and see it in @q. 0 or -errno.
 */
static int attach_inline(struct rpcdev *dev, struct q *q, bool block)
{
	int ret;

	q->fd = rpcdev_fd(dev);
	if (block) {
		ret = raw_attach(q->fd, &q->a, RPCDEV_ATTACH_INLINE);
		return ret ? ret : raw_map(q);
	}
	ret = rpcdev_queue_attach_policy(dev, 0, DEPTH, 0, RPCDEV_WAIT_POLL);
	if (ret)
		return ret;
	q->a = *rpcdev_queue_layout(dev);
	q->dev = rpcdev_queue_part(dev, RPCDEV_OFF_DEV, NULL);
	q->host = rpcdev_queue_part(dev, RPCDEV_OFF_HOST, NULL);
	q->uq_buf = rpcdev_queue_part(dev, RPCDEV_OFF_UQ_BUF, NULL);
	return 0;
}

/* ===================================================================== */
/* The payload paths                                                      */
/* ===================================================================== */

FIXTURE(path) {
	struct rpcdev dev;
	struct q q;
};

FIXTURE_VARIANT(path) {
	bool block;
	enum dir dir;
};

FIXTURE_VARIANT_ADD(path, block_down) { .block = true, .dir = DOWN };
FIXTURE_VARIANT_ADD(path, block_up) { .block = true, .dir = UP };
FIXTURE_VARIANT_ADD(path, block_async) { .block = true, .dir = ASYNC };
FIXTURE_VARIANT_ADD(path, poll_down) { .block = false, .dir = DOWN };
FIXTURE_VARIANT_ADD(path, poll_up) { .block = false, .dir = UP };
FIXTURE_VARIANT_ADD(path, poll_async) { .block = false, .dir = ASYNC };

FIXTURE_SETUP(path)
{
	struct q *q = &self->q;

	if (!device_fixture_open(_metadata, &self->dev))
		return;
	SKIP_WITHOUT_INLINE();
	ASSERT_EQ(0, attach_inline(&self->dev, q, variant->block));
	/* The library chose inline itself: the kernel offers it. */
	ASSERT_EQ(RPCDEV_ATTACH_INLINE, q->a.flags & RPCDEV_ATTACH_INLINE);
}

FIXTURE_TEARDOWN_PARENT(path)
{
	device_fixture_close(_metadata);
}

/*
 * A downcall of @method with @len bytes of @req, answered into @resp (of
 * @cap bytes): by RPCDEV_IOC_CALL on @fd for a queue attached by hand
 * (@block), else by rpcdev_call() on @dev. 0 with the answer's length,
 * status and flags in @res, or -errno.
 */
static int call(struct rpcdev *dev, int fd, bool block, uint32_t method,
		const void *req, size_t len, void *resp, size_t cap,
		struct rpcdev_call_result *res)
{
	struct rpcdev_call c = {
		.method = method,
		.req = (uintptr_t)req,
		.req_len = len,
		.resp_cap = cap,
		.resp = (uintptr_t)resp,
		.timeout_ns = WAIT_NS,
	};

	if (!block)
		return rpcdev_call(dev, method, req, len, resp, cap, WAIT_NS,
				   res);
	if (ioctl(fd, RPCDEV_IOC_CALL, &c))
		return -errno;
	memset(res, 0, sizeof(*res));
	res->status = c.status;
	res->flags = c.res_flags;
	res->resp_len = c.resp_len;
	return 0;
}

/* A downcall echo of @len bytes; its answer's payload in @resp. */
static int echo(FIXTURE_DATA(path) *self, bool block, size_t len,
		unsigned char *resp, size_t *resp_len, int *status)
{
	static unsigned char req[LARGE];
	struct rpcdev_call_result res;
	size_t i;
	int ret;

	for (i = 0; i < len; i++)
		req[i] = req_byte(i);
	memset(resp, 0xee, LARGE + 1);
	ret = call(&self->dev, self->q.fd, block, RPCDEV_SIM_ECHO, req, len,
		   resp, LARGE + 1, &res);
	*resp_len = res.resp_len;
	*status = res.status;
	/* Where the payload travelled is not the caller's business. */
	if (!ret && res.flags)
		return -EPROTO;
	return ret;
}

/* A server of @want upcalls, echoing each, checking each byte it reads. */
struct srv {
	FIXTURE_DATA(path) *self;
	bool block;
	unsigned int want;
	unsigned int seen;
	unsigned int exact;	/* upcalls whose payload was right */
	size_t len[UPCALLS];
	unsigned int flags[UPCALLS];
	int ret;
	pthread_t thread;
};

/* Take one upcall as the server sees it; the echo goes in @reply. */
static void srv_saw(struct srv *s, const unsigned char *data, size_t len,
		    unsigned int flags)
{
	if (s->seen < UPCALLS) {
		s->len[s->seen] = len;
		s->flags[s->seen] = flags;
		s->exact += upcall_payload_exact(data, len, s->seen);
	}
	s->seen++;
}

static int srv_handler(void *arg, const struct rpcdev_upcall_req *up,
		       struct rpcdev_upcall_reply *reply)
{
	struct srv *s = arg;

	srv_saw(s, up->data, up->len, up->flags);
	memcpy(up->reply, up->data, up->len);
	reply->len = up->len;
	return s->seen >= s->want ? RPCDEV_SERVE_STOP : 0;
}

/* The kernel's server loop: read in place in UQ buffer id, echo a copy. */
static int srv_block(struct srv *s)
{
	static unsigned char copy[LARGE];
	struct rpcdev_upcall a = {
		.flags = RPCDEV_UPCALL_WAIT,
		.timeout_ns = WAIT_NS,
	};
	const struct q *q = &s->self->q;

	while (s->seen < s->want) {
		const unsigned char *data;

		if (ioctl(q->fd, RPCDEV_IOC_REPLY_AND_WAIT, &a))
			return -errno;
		if (a.id >= q->a.depth || a.len > LARGE)
			return -EPROTO;
		data = q->uq_buf + (size_t)a.id * q->a.buf_size;
		srv_saw(s, data, a.len, a.entry_flags);
		memcpy(copy, data, a.len);
		a = (struct rpcdev_upcall){
			.flags = RPCDEV_UPCALL_REPLY | RPCDEV_UPCALL_WAIT,
			.reply_id = a.id,
			.reply_len = a.len,
			.reply_data = (uintptr_t)copy,
			.timeout_ns = WAIT_NS,
		};
		if (s->seen >= s->want)
			a.flags = RPCDEV_UPCALL_REPLY;
	}
	return ioctl(q->fd, RPCDEV_IOC_REPLY_AND_WAIT, &a) ? -errno : 0;
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	if (s->block)
		s->ret = srv_block(s);
	else if (rpcdev_serve(&s->self->dev, srv_handler, s, WAIT_NS) !=
		 RPCDEV_SERVE_STOP)
		s->ret = -EPROTO;
	return NULL;
}

/* RPCDEV_SIM_UPCALLS of UPCALLS upcalls of @len bytes, answered. */
static int upcalls(FIXTURE_DATA(path) *self, bool block, bool async,
		   size_t len, struct srv *s,
		   struct rpcdev_sim_upcall_result *r)
{
	struct rpcdev_sim_upcalls req = {
		.count = htole32(UPCALLS),
		.method = htole32(METHOD_A),
		.size = htole32(len),
		.flags = htole32(async ? RPCDEV_SIM_UPCALL_ASYNC :
					 RPCDEV_SIM_UPCALL_VERIFY),
		.timeout_ms = htole32(UPCALL_TIMEOUT_MS),
	};
	struct rpcdev_call_result res;
	int ret, sret;

	memset(s, 0, sizeof(*s));
	memset(r, 0, sizeof(*r));
	s->self = self;
	s->block = block;
	s->want = UPCALLS;
	ret = -pthread_create(&s->thread, NULL, srv_main, s);
	if (ret)
		return ret;
	if (block) {
		struct rpcdev_call c = {
			.method = RPCDEV_SIM_UPCALLS,
			.req = (uintptr_t)&req,
			.req_len = sizeof(req),
			.resp_cap = sizeof(*r),
			.resp = (uintptr_t)r,
			.timeout_ns = RUN_TIMEOUT_NS,
		};

		ret = ioctl(self->q.fd, RPCDEV_IOC_CALL, &c) ? -errno : 0;
		if (!ret && (c.status || c.resp_len != sizeof(*r)))
			ret = -EPROTO;
	} else {
		ret = rpcdev_call(&self->dev, RPCDEV_SIM_UPCALLS, &req,
				  sizeof(req), r, sizeof(*r), RUN_TIMEOUT_NS,
				  &res);
		if (!ret && (res.status || res.resp_len != sizeof(*r)))
			ret = -EPROTO;
	}
	pthread_join(s->thread, NULL);
	sret = s->ret;
	r->done = le32toh(r->done);
	r->mismatched = le32toh(r->mismatched);
	return ret ? ret : sret;
}

/*
 * Send a payload of @len bytes the variant's way and check every byte
 * that arrives, at the far end and back.
 */
static void payload_arrives_exactly(struct __test_metadata *_metadata,
				    FIXTURE_DATA(path) *self,
				    const FIXTURE_VARIANT(path) *variant,
				    size_t len)
{
	static unsigned char resp[LARGE + 1];
	struct rpcdev_sim_upcall_result r;
	struct srv s;
	size_t i, resp_len = 0;
	int status = -1;

	if (variant->dir == DOWN) {
		ASSERT_EQ(0, echo(self, variant->block, len, resp, &resp_len,
				  &status));
		ASSERT_EQ(RPCDEV_STATUS_OK, status);
		ASSERT_EQ(len, resp_len);
		for (i = 0; i < len; i++)
			ASSERT_EQ(req_byte(i), resp[i]) TH_LOG("byte %zu", i);
		/* Nothing past the answer was written. */
		ASSERT_EQ(0xee, resp[len]);
		return;
	}
	ASSERT_EQ(0, upcalls(self, variant->block, variant->dir == ASYNC, len,
			     &s, &r));
	ASSERT_EQ(UPCALLS, s.seen);
	ASSERT_EQ(UPCALLS, s.exact);
	for (i = 0; i < UPCALLS; i++) {
		ASSERT_EQ(len, s.len[i]);
		ASSERT_EQ(variant->dir == ASYNC ? RPCDEV_ENTRY_ASYNC : 0,
			  s.flags[i]);
	}
	ASSERT_EQ(UPCALLS, r.done);
	/* The device compared each echo with what it sent. */
	ASSERT_EQ(0, r.mismatched);
}

TEST_F(path, payload_of_0_bytes_arrives_exactly)
{
	payload_arrives_exactly(_metadata, self, variant, 0);
}

TEST_F(path, payload_of_1_byte_arrives_exactly)
{
	payload_arrives_exactly(_metadata, self, variant, 1);
}

TEST_F(path, payload_at_the_inline_limit_arrives_exactly)
{
	payload_arrives_exactly(_metadata, self, variant, RPCDEV_INLINE_MAX);
}

TEST_F(path, payload_one_past_the_inline_limit_arrives_exactly)
{
	payload_arrives_exactly(_metadata, self, variant,
				RPCDEV_INLINE_MAX + 1);
}

TEST_F(path, large_payload_arrives_exactly)
{
	payload_arrives_exactly(_metadata, self, variant, LARGE);
}

/*
 * The entries a payload of @len bytes left in the rings, @first the ring
 * position of the first: RPCDEV_ENTRY_INLINE exactly when it fits, and
 * then the payload itself in the entry. The requests (DQ, UQ) carry the
 * payload; the answers (DC, UR) the echo, or nothing for async upcalls.
 */
static void entries_carry(struct __test_metadata *_metadata,
			  FIXTURE_DATA(path) *self,
			  const FIXTURE_VARIANT(path) *variant, size_t len,
			  unsigned int first)
{
	unsigned int want = len <= RPCDEV_INLINE_MAX ? RPCDEV_ENTRY_INLINE : 0;
	const struct q *q = &self->q;
	struct rpcdev_entry_inline *e;
	unsigned int pos, n;
	size_t i;

	if (variant->dir == DOWN) {
		e = entry_at(q, q->host, q->a.dq_off, first);
		ASSERT_EQ(first + 1, e->hdr.seq);
		ASSERT_EQ(len, e->hdr.len);
		ASSERT_EQ(want, e->hdr.flags & RPCDEV_ENTRY_INLINE);
		for (i = 0; want && i < len; i++)
			ASSERT_EQ(req_byte(i), e->data[i]);
		e = entry_at(q, q->dev, q->a.dc_off, first);
		ASSERT_EQ(first + 1, e->hdr.seq);
		ASSERT_EQ(len, e->hdr.len);
		ASSERT_EQ(want, e->hdr.flags & RPCDEV_ENTRY_INLINE);
		for (i = 0; want && i < len; i++)
			ASSERT_EQ(req_byte(i), e->data[i]);
		return;
	}
	for (n = 0; n < UPCALLS; n++) {
		pos = first * UPCALLS + n;
		e = entry_at(q, q->dev, q->a.uq_off, pos);
		ASSERT_EQ(pos + 1, e->hdr.seq);
		ASSERT_EQ(len, e->hdr.len);
		ASSERT_EQ(want, e->hdr.flags & RPCDEV_ENTRY_INLINE);
		if (want)
			ASSERT_TRUE(upcall_payload_exact(e->data, len, n));
		/* POLL's async upcalls come back by the index alone. */
		if (variant->dir == ASYNC && !variant->block)
			continue;
		e = entry_at(q, q->host, q->a.ur_off, pos);
		ASSERT_EQ(pos + 1, e->hdr.seq);
		if (variant->dir == ASYNC) {
			ASSERT_EQ(0, e->hdr.len);
			ASSERT_EQ(RPCDEV_ENTRY_ASYNC | RPCDEV_ENTRY_INLINE,
				  e->hdr.flags);
			continue;
		}
		ASSERT_EQ(len, e->hdr.len);
		ASSERT_EQ(want, e->hdr.flags & RPCDEV_ENTRY_INLINE);
		if (want)
			ASSERT_TRUE(upcall_payload_exact(e->data, len, n));
	}
}

TEST_F(path, entries_carry_exactly_the_payloads_that_fit)
{
	static const size_t lens[NR_LENS] = {
		0, 1, RPCDEV_INLINE_MAX, RPCDEV_INLINE_MAX + 1, LARGE,
	};
	unsigned int i;

	ASSERT_LE(NR_LENS * UPCALLS, DEPTH);
	for (i = 0; i < NR_LENS; i++) {
		payload_arrives_exactly(_metadata, self, variant, lens[i]);
		entries_carry(_metadata, self, variant, lens[i], i);
	}
}

/* ===================================================================== */
/* Attaching                                                              */
/* ===================================================================== */

DEVICE_FIXTURE(attach)

TEST_F(attach, info_announces_inline_payloads)
{
	struct rpcdev_info info;

	ASSERT_EQ(0, rpcdev_info(&self->dev, &info));
	ASSERT_EQ(no_inline_device() ? 0 : RPCDEV_FEAT_INLINE,
		  info.features & RPCDEV_FEAT_INLINE);
}

TEST_F(attach, inline_entries_are_two_cache_lines)
{
	ASSERT_EQ(128, sizeof(struct rpcdev_entry_inline));
	ASSERT_EQ(64, sizeof(struct rpcdev_entry));
	ASSERT_EQ(64, offsetof(struct rpcdev_entry_inline, data));
	ASSERT_EQ(64, RPCDEV_INLINE_MAX);
}

TEST_F(attach, inline_attach_reports_rings_of_inline_entries)
{
	long pg = page_size();
	struct rpcdev_queue_attach a;
	__u64 ring = DEPTH * sizeof(struct rpcdev_entry_inline);

	SKIP_WITHOUT_INLINE();

	ASSERT_EQ(0, raw_attach(rpcdev_fd(&self->dev), &a,
				RPCDEV_ATTACH_INLINE));
	ASSERT_EQ(RPCDEV_ATTACH_INLINE, a.flags);
	ASSERT_EQ(DEPTH, a.depth);
	ASSERT_EQ(RPCDEV_DEFAULT_BUF_SIZE, a.buf_size);
	ASSERT_EQ(pg, a.dc_off);
	ASSERT_EQ(a.dc_off + ring, a.uq_off);
	ASSERT_EQ((a.uq_off + ring + pg - 1) / pg * pg, a.dev_size);
	ASSERT_EQ(pg, a.dq_off);
	ASSERT_EQ(a.dq_off + ring, a.ur_off);
	ASSERT_EQ((a.ur_off + ring + pg - 1) / pg * pg, a.host_size);
	ASSERT_EQ(DEPTH * RPCDEV_DEFAULT_BUF_SIZE, a.bufs_size);
}

TEST_F(attach, attach_without_the_flag_keeps_the_old_layout)
{
	long pg = page_size();
	struct rpcdev_queue_attach a;
	__u64 ring = DEPTH * sizeof(struct rpcdev_entry);

	ASSERT_EQ(0, raw_attach(rpcdev_fd(&self->dev), &a, 0));
	ASSERT_EQ(pg, a.dc_off);
	ASSERT_EQ(a.dc_off + ring, a.uq_off);
	ASSERT_EQ((a.uq_off + ring + pg - 1) / pg * pg, a.dev_size);
	ASSERT_EQ(pg, a.dq_off);
	ASSERT_EQ(a.dq_off + ring, a.ur_off);
	ASSERT_EQ((a.ur_off + ring + pg - 1) / pg * pg, a.host_size);
}

TEST_F(attach, inline_rings_of_the_largest_depth_fit_their_parts)
{
	struct rpcdev_queue_attach a;

	SKIP_WITHOUT_INLINE();

	memset(&a, 0, sizeof(a));
	a.flags = RPCDEV_ATTACH_INLINE;
	a.depth = RPCDEV_MAX_DEPTH;
	a.buf_size = 64;
	ASSERT_EQ(0, ioctl(rpcdev_fd(&self->dev), RPCDEV_IOC_QUEUE_ATTACH, &a));
	ASSERT_EQ(a.dc_off + RPCDEV_MAX_DEPTH * 128, a.uq_off);
	ASSERT_LE(a.uq_off + RPCDEV_MAX_DEPTH * 128, a.dev_size);
	ASSERT_LE(a.ur_off + RPCDEV_MAX_DEPTH * 128, a.host_size);
}

TEST_F(attach, inline_device_area_stays_read_only)
{
	struct rpcdev_queue_attach a;
	void *p;

	SKIP_WITHOUT_INLINE();

	ASSERT_EQ(0, raw_attach(rpcdev_fd(&self->dev), &a,
				RPCDEV_ATTACH_INLINE));
	ASSERT_EQ(-EACCES, map_errno(rpcdev_fd(&self->dev), a.dev_size,
				     PROT_READ | PROT_WRITE, RPCDEV_OFF_DEV,
				     &p));
	ASSERT_EQ(-EACCES, map_errno(rpcdev_fd(&self->dev), a.bufs_size,
				     PROT_READ | PROT_WRITE, RPCDEV_OFF_UQ_BUF,
				     &p));
	ASSERT_EQ(0, map_errno(rpcdev_fd(&self->dev), a.host_size,
			       PROT_READ | PROT_WRITE, RPCDEV_OFF_HOST, &p));
	ASSERT_EQ(0, munmap(p, a.host_size));
}

TEST_F(attach, inline_with_every_other_flag_attaches)
{
	struct rpcdev_queue_attach a;

	SKIP_WITHOUT_INLINE();

	ASSERT_EQ(0, raw_attach(rpcdev_fd(&self->dev), &a,
				RPCDEV_ATTACH_INLINE |
				RPCDEV_ATTACH_USER_RINGS |
				RPCDEV_ATTACH_TIMESTAMPS |
				RPCDEV_ATTACH_ASYNC_NOACK));
}

TEST_F(attach, inline_with_async_noack_but_not_user_rings_is_refused)
{
	struct rpcdev_queue_attach a;

	ASSERT_EQ(-EINVAL, raw_attach(rpcdev_fd(&self->dev), &a,
				      RPCDEV_ATTACH_INLINE |
				      RPCDEV_ATTACH_ASYNC_NOACK));
}

TEST_F(attach, unknown_attach_flag_past_inline_is_refused)
{
	struct rpcdev_queue_attach a;

	ASSERT_EQ(-EINVAL, raw_attach(rpcdev_fd(&self->dev), &a,
				      RPCDEV_ATTACH_INLINE << 1));
}

TEST_F(attach, library_block_queue_keeps_the_old_layout)
{
	ASSERT_EQ(0, rpcdev_queue_attach(&self->dev, 0, DEPTH, 0));
	ASSERT_EQ(0, rpcdev_queue_layout(&self->dev)->flags &
		     RPCDEV_ATTACH_INLINE);
}

TEST_F(attach, inline_attach_on_a_device_without_the_feature_is_refused)
{
	struct rpcdev_queue_attach a;

	SKIP_WITH_INLINE();
	ASSERT_EQ(-EINVAL, raw_attach(rpcdev_fd(&self->dev), &a,
				      RPCDEV_ATTACH_INLINE));
}

TEST_F(attach, library_poll_queue_without_the_feature_keeps_the_old_layout)
{
	static unsigned char req[RPCDEV_INLINE_MAX], resp[RPCDEV_INLINE_MAX];
	const struct rpcdev_queue_attach *l;
	struct rpcdev_call_result res;
	size_t i;

	SKIP_WITH_INLINE();
	ASSERT_EQ(0, rpcdev_queue_attach_policy(&self->dev, 0, DEPTH, 0,
						RPCDEV_WAIT_POLL));
	l = rpcdev_queue_layout(&self->dev);
	ASSERT_EQ(0, l->flags & RPCDEV_ATTACH_INLINE);
	ASSERT_EQ(l->dc_off + DEPTH * sizeof(struct rpcdev_entry), l->uq_off);
	for (i = 0; i < sizeof(req); i++)
		req[i] = req_byte(i);
	ASSERT_EQ(0, rpcdev_call(&self->dev, RPCDEV_SIM_ECHO, req, sizeof(req),
				 resp, sizeof(resp), WAIT_NS, &res));
	ASSERT_EQ(RPCDEV_STATUS_OK, res.status);
	ASSERT_EQ(sizeof(req), res.resp_len);
	ASSERT_EQ(0, memcmp(req, resp, sizeof(req)));
}

TEST_F(attach, library_adaptive_queue_attaches_inline)
{
	SKIP_WITHOUT_INLINE();
	ASSERT_EQ(0, rpcdev_queue_attach_policy(&self->dev, 0, DEPTH, 0,
						RPCDEV_WAIT_ADAPTIVE));
	ASSERT_EQ(RPCDEV_ATTACH_INLINE, rpcdev_queue_layout(&self->dev)->flags &
					RPCDEV_ATTACH_INLINE);
}

/* ===================================================================== */
/* Entries a program driving the rings writes wrong                       */
/* ===================================================================== */

DEVICE_FIXTURE(bad)

/*
 * Post one ECHO of @len bytes on DQ by hand, entry flags @flags, on a
 * user-rings queue attached with @attach, and wait for its answer's
 * status.
 */
static int post_by_hand(struct __test_metadata *_metadata, int fd,
			__u32 attach, __u32 flags, __u32 len, __s32 *status)
{
	struct rpcdev_enter bell = { .flags = RPCDEV_ENTER_DOORBELL };
	struct rpcdev_enter wait = {
		.flags = RPCDEV_ENTER_WAIT_DC,
		.timeout_ns = WAIT_NS,
	};
	struct q q = { .fd = fd };
	struct rpcdev_host_ctrl *hc;
	struct rpcdev_entry *e;
	size_t size;
	int ret;

	ret = raw_attach(fd, &q.a, RPCDEV_ATTACH_USER_RINGS | attach);
	if (!ret)
		ret = map_errno(fd, q.a.dev_size, PROT_READ, RPCDEV_OFF_DEV,
				(void **)&q.dev);
	if (!ret)
		ret = map_errno(fd, q.a.host_size, PROT_READ | PROT_WRITE,
				RPCDEV_OFF_HOST, (void **)&q.host);
	if (ret)
		return ret;
	size = attach & RPCDEV_ATTACH_INLINE ?
	       sizeof(struct rpcdev_entry_inline) : sizeof(struct rpcdev_entry);
	hc = (void *)q.host;
	e = (void *)(q.host + q.a.dq_off);
	memset(e, 0, size);
	e->id = 0;
	e->method = RPCDEV_SIM_ECHO;
	e->len = len;
	e->flags = flags;
	e->tag = 42;
	__atomic_store_n(&e->seq, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&hc->dq_prod.val, 1, __ATOMIC_RELEASE);
	if (ioctl(fd, RPCDEV_IOC_ENTER, &bell))
		return -errno;
	e = (void *)(q.dev + q.a.dc_off);
	while (__atomic_load_n(&e->seq, __ATOMIC_ACQUIRE) != 1)
		if (ioctl(fd, RPCDEV_IOC_ENTER, &wait))
			return -errno;
	EXPECT_EQ(0, e->id);
	EXPECT_EQ(42, e->tag);
	*status = e->status;
	return 0;
}

TEST_F(bad, inline_request_on_a_queue_without_inline_is_refused)
{
	__s32 status = -1;

	ASSERT_EQ(0, post_by_hand(_metadata, rpcdev_fd(&self->dev), 0,
				  RPCDEV_ENTRY_INLINE, 8, &status));
	ASSERT_EQ(RPCDEV_STATUS_BAD_REQUEST, status);
}

TEST_F(bad, inline_request_past_the_limit_is_refused)
{
	__s32 status = -1;

	SKIP_WITHOUT_INLINE();

	ASSERT_EQ(0, post_by_hand(_metadata, rpcdev_fd(&self->dev),
				  RPCDEV_ATTACH_INLINE, RPCDEV_ENTRY_INLINE,
				  RPCDEV_INLINE_MAX + 1, &status));
	ASSERT_EQ(RPCDEV_STATUS_BAD_REQUEST, status);
}

TEST_F(bad, small_request_in_its_buffer_on_an_inline_queue_is_served)
{
	__s32 status = -1;

	SKIP_WITHOUT_INLINE();

	/* A producer may keep a small payload in the buffer: it is honoured. */
	ASSERT_EQ(0, post_by_hand(_metadata, rpcdev_fd(&self->dev),
				  RPCDEV_ATTACH_INLINE, 0, 8, &status));
	ASSERT_EQ(RPCDEV_STATUS_OK, status);
}

/* ===================================================================== */
/* An answer the device breaks                                            */
/* ===================================================================== */

FIXTURE(broken) {
	struct rpcdev dev;
	struct q q;
	char sim_q0[96];
};

FIXTURE_VARIANT(broken) {
	bool block;
};

FIXTURE_VARIANT_ADD(broken, block) { .block = true };
FIXTURE_VARIANT_ADD(broken, poll) { .block = false };

FIXTURE_SETUP(broken)
{
	if (!device_fixture_open(_metadata, &self->dev))
		return;
	SKIP_WITHOUT_INLINE();
	dbgfs_sim_queue_path(self->sim_q0, sizeof(self->sim_q0), 0, 0);
	ASSERT_EQ(0, attach_inline(&self->dev, &self->q, variant->block));
}

FIXTURE_TEARDOWN_PARENT(broken)
{
	device_fixture_close(_metadata);
}

/*
 * Arm the firmware's long_reply fault for the next answer on queue 0:
 * through rpcdev_sim's fault file, or RPCDEV_IVSHMEM_TEST_FAULT on the
 * queue itself (whose answer the fault spares).
 */
static int arm_long_reply(FIXTURE_DATA(broken) *self, bool block)
{
	struct rpcdev_ivshmem_fault req = {
		.fault = htole32(RPCDEV_IVSHMEM_FAULT_LONG_REPLY),
		.value = htole64(1),
	};
	struct rpcdev_call_result res;
	char path[128];
	int ret;

	if (kmod_backend()->sim) {
		snprintf(path, sizeof(path), "%s_fault", self->sim_q0);
		return write_text(path, "long_reply 1\n");
	}
	ret = call(&self->dev, self->q.fd, block, RPCDEV_IVSHMEM_TEST_FAULT,
		   &req, sizeof(req), NULL, 0, &res);
	return ret ? ret : res.status ? -EPROTO : 0;
}

/*
 * The answer is the call's own, marked inline, but longer than the line:
 * the call fails with EIO, in the kernel on a kernel-driven queue and in
 * librpcdev on user rings, and the queue goes on.
 */
TEST_F(broken, inline_answer_past_the_limit_fails_the_call_with_eio)
{
	static const unsigned char req[8] = "8 bytes";
	struct rpcdev_entry_inline *e;
	struct rpcdev_call_result res;
	unsigned char resp[sizeof(req)];
	unsigned int pos;

	ASSERT_EQ(0, arm_long_reply(self, variant->block));
	/* The DC position the broken answer takes: after the arming's. */
	pos = kmod_backend()->sim ? 0 : 1;
	ASSERT_EQ(-EIO, call(&self->dev, self->q.fd, variant->block,
			     RPCDEV_SIM_ECHO, req, sizeof(req), resp,
			     sizeof(resp), &res));
	e = entry_at(&self->q, self->q.dev, self->q.a.dc_off, pos);
	ASSERT_EQ(pos + 1, e->hdr.seq);
	ASSERT_EQ(RPCDEV_ENTRY_INLINE, e->hdr.flags & RPCDEV_ENTRY_INLINE);
	ASSERT_EQ(RPCDEV_INLINE_MAX + 1, e->hdr.len);
	memset(resp, 0, sizeof(resp));
	ASSERT_EQ(0, call(&self->dev, self->q.fd, variant->block,
			  RPCDEV_SIM_ECHO, req, sizeof(req), resp,
			  sizeof(resp), &res));
	ASSERT_EQ(RPCDEV_STATUS_OK, res.status);
	ASSERT_EQ(sizeof(req), res.resp_len);
	ASSERT_EQ(0, memcmp(req, resp, sizeof(req)));
}

TEST_HARNESS_MAIN
