// SPDX-License-Identifier: GPL-2.0
/* Upcall servers and runs of RPCDEV_SIM_UPCALLS; see rpcdev_upcalls.h. */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "rpcdev_upcalls.h"

int decode_pattern(const unsigned char *p, size_t len, uint64_t *n)
{
	uint64_t base;
	size_t i, start;

	*n = ~0ULL;
	if (!len)
		return 1;
	if (len >= 8) {
		memcpy(&base, p, 8);
		base = le64toh(base);
		start = 8;
	} else {
		base = p[0];
		start = 0;
	}
	for (i = start; i < len; i++)
		if (p[i] != (unsigned char)(base + i))
			return 0;
	*n = base;
	return 1;
}

static int server_handler(void *arg, const struct rpcdev_upcall_req *up,
			  struct rpcdev_upcall_reply *reply)
{
	struct server *s = arg;
	struct seen *e = &s->log[s->nr_seen < LOG_MAX ? s->nr_seen : LOG_MAX - 1];
	int ret = 0;

	e->method = up->method;
	e->flags = up->flags;
	e->len = up->len;
	e->pattern_ok = decode_pattern(up->data, up->len, &e->n);
	s->nr_seen++;
	if (s->delay_us)
		sleep_us(s->delay_us);

	if (s->fail_name) {
		ret = rpcdev_reply_error(up, reply, s->fail_name,
					 s->fail_message);
	} else {
		/* Echo, in place: from the UQ buffer into the UR buffer. */
		memcpy(up->reply, up->data, up->len);
		reply->len = up->len;
	}
	if (ret)
		return ret;
	return s->nr_seen >= s->want ? RPCDEV_SERVE_STOP : 0;
}

static void *server_main(void *arg)
{
	struct server *s = arg;

	s->ret = rpcdev_serve(s->dev, server_handler, s, SERVE_TIMEOUT_NS);
	return NULL;
}

/* An echo server on @dev that stops after @want upcalls, not started. */
static void server_init(struct server *s, struct rpcdev *dev, unsigned int want)
{
	memset(s, 0, sizeof(*s));
	s->dev = dev;
	s->want = want;
	s->ret = -EINPROGRESS;
}

/* Start the server described by @s. */
static int server_spawn(struct server *s)
{
	return -pthread_create(&s->thread, NULL, server_main, s);
}

int server_start(struct server *s, struct rpcdev *dev, unsigned int want)
{
	server_init(s, dev, want);
	return server_spawn(s);
}

int server_start_failing(struct server *s, struct rpcdev *dev,
			 unsigned int want, const char *name,
			 const char *message)
{
	server_init(s, dev, want);
	s->fail_name = name;
	s->fail_message = message;
	return server_spawn(s);
}

int server_start_slow(struct server *s, struct rpcdev *dev,
		      unsigned int want, long delay_us)
{
	server_init(s, dev, want);
	s->delay_us = delay_us;
	return server_spawn(s);
}

int server_join(struct server *s)
{
	pthread_join(s->thread, NULL);
	return s->ret;
}

void run_init(struct run *run, struct rpcdev *dev, unsigned int count,
	      unsigned int method, unsigned int size, unsigned int flags)
{
	memset(run, 0, sizeof(*run));
	run->dev = dev;
	run->req.count = htole32(count);
	run->req.method = htole32(method);
	run->req.size = htole32(size);
	run->req.flags = htole32(flags);
	run->req.timeout_ms = htole32(UPCALL_TIMEOUT_MS);
	run->ret = -EINPROGRESS;
}

int run_call(struct run *run)
{
	struct rpcdev_sim_upcall_result *r = &run->resp.r;
	int ret;

	ret = rpcdev_call(run->dev, RPCDEV_SIM_UPCALLS, &run->req,
			  sizeof(run->req), run->resp.bytes,
			  sizeof(run->resp.bytes), RUN_TIMEOUT_NS, &run->res);
	if (!ret && run->res.status == RPCDEV_STATUS_OK) {
		r->done = le32toh(r->done);
		r->failed = le32toh(r->failed);
		r->no_server = le32toh(r->no_server);
		r->timed_out = le32toh(r->timed_out);
		r->mismatched = le32toh(r->mismatched);
		r->last_status = (__s32)le32toh(r->last_status);
	}
	return ret;
}

int run_ok(struct run *run)
{
	int ret = run_call(run);

	if (ret)
		return ret;
	if (run->res.status != RPCDEV_STATUS_OK ||
	    run->res.resp_len != sizeof(run->resp.r))
		return -EPROTO;
	return 0;
}

static void *run_main(void *arg)
{
	struct run *run = arg;

	run->ret = run_call(run);
	return NULL;
}

int run_start(struct run *run)
{
	return -pthread_create(&run->thread, NULL, run_main, run);
}

int run_join(struct run *run)
{
	pthread_join(run->thread, NULL);
	return run->ret;
}

int run_done_exactly(struct run *run)
{
	int ret = run_join(run);

	if (ret)
		return ret;
	if (run->res.status != RPCDEV_STATUS_OK || run->resp.r.done != 1 ||
	    run->resp.r.mismatched)
		return -EPROTO;
	return 0;
}

int echo_reply(struct rpcdev *dev, const struct rpcdev_upcall_req *up)
{
	struct rpcdev_upcall_reply reply;

	memcpy(up->reply, up->data, up->len);
	memset(&reply, 0, sizeof(reply));
	reply.id = up->id;
	reply.len = up->len;
	return rpcdev_upcall_reply(dev, &reply);
}

int take_one(struct rpcdev *dev, struct run *run, struct rpcdev_upcall_req *up)
{
	int ret;

	run_init(run, dev, 1, METHOD_A, 64, RPCDEV_SIM_UPCALL_VERIFY);
	ret = run_start(run);
	if (ret)
		return ret;
	ret = rpcdev_upcall_wait(dev, SERVE_TIMEOUT_NS, up);
	if (ret)
		run_join(run);
	return ret;
}
