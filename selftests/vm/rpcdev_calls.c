// SPDX-License-Identifier: GPL-2.0
/* Downcalls to the reference firmware's methods; see rpcdev_calls.h. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "rpcdev_calls.h"
#include "rpcdev_fixture.h"

int open_dev(void)
{
	int fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

void fill_pattern(void *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
		}
		p[i] = (unsigned char)(x >> (8 * (i % 8)));
	}
}

long first_not(const void *buf, size_t len, unsigned char byte)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != byte)
			return i;
	return -1;
}

int echo(struct rpcdev *dev, const void *req, size_t len, void *resp,
	 size_t cap, struct rpcdev_call_result *res)
{
	return rpcdev_call(dev, RPCDEV_SIM_ECHO, req, len, resp, cap,
			   CALL_TIMEOUT_NS, res);
}

int echo_check(struct rpcdev *dev)
{
	return echo_check_seeded(dev, 48, CALL_TIMEOUT_NS);
}

int echo_check_seeded(struct rpcdev *dev, uint64_t seed, uint64_t timeout_ns)
{
	struct rpcdev_call_result res;
	char req[48], resp[48];
	int ret;

	fill_pattern(req, sizeof(req), seed);
	memset(resp, 0, sizeof(resp));
	ret = rpcdev_call(dev, RPCDEV_SIM_ECHO, req, sizeof(req), resp,
			  sizeof(resp), timeout_ns, &res);
	if (ret)
		return ret;
	if (res.status != RPCDEV_STATUS_OK || res.resp_len != sizeof(req) ||
	    memcmp(req, resp, sizeof(req)))
		return -EPROTO;
	return 0;
}

int delay_call(struct rpcdev *dev, uint64_t us, uint64_t timeout_ns,
	       struct rpcdev_call_result *res)
{
	uint64_t le = htole64(us);

	return rpcdev_call(dev, RPCDEV_SIM_DELAY, &le, sizeof(le), NULL, 0,
			   timeout_ns, res);
}

int sim_stats(struct rpcdev *dev, struct rpcdev_sim_stats *st)
{
	struct rpcdev_call_result res;
	int ret;

	ret = rpcdev_call(dev, RPCDEV_SIM_STATS, NULL, 0, st, sizeof(*st),
			  CALL_TIMEOUT_NS, &res);
	if (ret)
		return ret;
	if (res.status != RPCDEV_STATUS_OK || res.resp_len != sizeof(*st))
		return -EPROTO;
	st->calls = le64toh(st->calls);
	st->bad = le64toh(st->bad);
	st->upcalls = le64toh(st->upcalls);
	return 0;
}

static void *bg_call_main(void *arg)
{
	struct bg_call *bg = arg;

	bg->ret = delay_call(bg->dev, bg->us, bg->timeout_ns, &bg->res);
	return NULL;
}

int bg_call_start(struct bg_call *bg, struct rpcdev *dev, uint64_t us,
		  uint64_t timeout_ns)
{
	memset(bg, 0, sizeof(*bg));
	bg->dev = dev;
	bg->us = us;
	bg->timeout_ns = timeout_ns;
	bg->ret = -EINPROGRESS;
	return -pthread_create(&bg->thread, NULL, bg_call_main, bg);
}

int bg_call_join(struct bg_call *bg)
{
	pthread_join(bg->thread, NULL);
	return bg->ret;
}
