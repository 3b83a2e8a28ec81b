// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev bench: the baselines, written here so that they run in the same
 * program, on the same two CPUs, in the same run as the device.
 *
 * Ping-pongs: the initiator (the device side, on dev_cpu) sends a message
 * and waits for it to come back; the echoer (the host side, on host_cpu)
 * waits for it and sends it back. The initiator times each round trip on
 * CLOCK_MONOTONIC, as the simulated device times an upcall. Messages are
 * BENCH_MSG_SIZE bytes (eventfd: its 8-byte counter; shared memory: a
 * sequence number in a cache line of its own per direction, the physical
 * floor: one cache-line transfer each way).
 *
 * The pipe message rate: 64-byte writes one way, one message per write(2)
 * and per read(2), as an upcall server takes one upcall per system call.
 *
 * memcpy: one 1 MiB memcpy() between two buffers already touched, on the
 * host CPU.
 *
 * The TCP baseline brings the loopback interface up when it is down (as
 * in a fresh VM), which needs CAP_NET_ADMIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

struct pp_shm {
	_Alignas(64) uint32_t ping;
	_Alignas(64) uint32_t pong;
	_Alignas(64) char pad[64];
};

/* One ping-pong (or one-way rate) run. */
struct pp {
	const struct bench_cfg *cfg;
	enum bench_transport t;
	unsigned int warmup, total;	/* total includes the warm-up */
	/* Initiator's and echoer's send and receive descriptors. */
	int init_tx, init_rx, echo_tx, echo_rx;
	int fds[4];			/* to close */
	struct pp_shm *shm;
	bool one_cpu;			/* both on one CPU: spin loops yield */
	bool one_way;			/* a rate: the initiator only writes */
	uint64_t *samples;		/* the measured round trips */
	pthread_barrier_t start;
	/* The echoer's (reader's) CPU and wall time over the measured part. */
	uint64_t cpu_ns, wall_ns;
	int abort;
};

static const char *const pp_names[] = {
	[BENCH_SHM]	= "shared memory",
	[BENCH_EVENTFD]	= "eventfd",
	[BENCH_PIPE]	= "pipe",
	[BENCH_UNIX]	= "UNIX socket",
	[BENCH_TCP]	= "TCP loopback",
};

/* Close @fd, one of @pp's, now rather than at the teardown. */
static void pp_close(struct pp *pp, int fd)
{
	unsigned int i;

	for (i = 0; i < 4; i++) {
		if (pp->fds[i] == fd) {
			close(fd);
			pp->fds[i] = -1;
		}
	}
}

static bool pp_aborted(struct pp *pp)
{
	return __atomic_load_n(&pp->abort, __ATOMIC_RELAXED);
}

/*
 * A side failed: tell the other one, which may be blocked in a read on the
 * descriptor this side writes. It sees EOF (pipe, sockets) or a message
 * and the abort flag (eventfd, shared memory).
 */
static void pp_fail(struct pp *pp, int tx)
{
	uint64_t one = 1;

	__atomic_store_n(&pp->abort, 1, __ATOMIC_RELAXED);
	switch (pp->t) {
	case BENCH_EVENTFD:
		if (write(tx, &one, sizeof(one)) < 0) {
			/* Nothing better to do. */
		}
		break;
	case BENCH_PIPE:
		/*
		 * The end is this side's alone: the reader gets EOF, or (one
		 * way, the reader giving up) the writer EPIPE.
		 */
		pp_close(pp, tx);
		break;
	case BENCH_UNIX:
	case BENCH_TCP:
		shutdown(tx, SHUT_WR);
		break;
	default:
		break;
	}
}

int bench_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int bench_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			return -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Spin until *@word is @val; -ECANCELED if the other side gave up. */
static int pp_spin(struct pp *pp, uint32_t *word, uint32_t val)
{
	unsigned int spins = 0;

	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != val) {
		if (pp->one_cpu)
			sched_yield();
		else
			bench_relax();
		if (!(++spins & 0xffff) && pp_aborted(pp))
			return -ECANCELED;
	}
	return 0;
}

/* Send message @i from @tx, for the transports with descriptors. */
static int pp_send(struct pp *pp, int tx, const char *msg)
{
	uint64_t one = 1;

	if (pp->t == BENCH_EVENTFD)
		return bench_write_all(tx, &one, sizeof(one));
	return bench_write_all(tx, msg, BENCH_MSG_SIZE);
}

static int pp_recv(struct pp *pp, int rx, char *msg)
{
	uint64_t v;
	int ret;

	if (pp->t == BENCH_EVENTFD)
		ret = bench_read_all(rx, &v, sizeof(v));
	else
		ret = bench_read_all(rx, msg, BENCH_MSG_SIZE);
	if (!ret && pp_aborted(pp))
		ret = -ECANCELED;
	return ret;
}

/* One round trip of message @i, from the initiator's side. */
static int pp_round_trip(struct pp *pp, unsigned int i, char *msg)
{
	int ret;

	if (pp->t == BENCH_SHM) {
		__atomic_store_n(&pp->shm->ping, i + 1, __ATOMIC_RELEASE);
		return pp_spin(pp, &pp->shm->pong, i + 1);
	}
	ret = pp_send(pp, pp->init_tx, msg);
	return ret ? ret : pp_recv(pp, pp->init_rx, msg);
}

/* The echoer's side of message @i: take it and send it back, or only take it. */
static int pp_echo(struct pp *pp, unsigned int i, char *msg)
{
	int ret;

	if (pp->one_way)
		/* One message per read(2): writes of 64 bytes are atomic. */
		return bench_read_all(pp->echo_rx, msg, BENCH_MSG_SIZE);
	if (pp->t == BENCH_SHM) {
		ret = pp_spin(pp, &pp->shm->ping, i + 1);
		if (!ret)
			__atomic_store_n(&pp->shm->pong, i + 1, __ATOMIC_RELEASE);
		return ret;
	}
	ret = pp_recv(pp, pp->echo_rx, msg);
	return ret ? ret : pp_send(pp, pp->echo_tx, msg);
}

/* Round trips, each timed; or, one way, writes as fast as they go. */
static int pp_initiator(void *arg)
{
	struct pp *pp = arg;
	char msg[BENCH_MSG_SIZE];
	uint64_t t0, t1;
	unsigned int i;
	int ret = 0;

	memset(msg, 0x5a, sizeof(msg));
	pthread_barrier_wait(&pp->start);
	for (i = 0; i < pp->total && !ret; i++) {
		if (pp->one_way) {
			ret = bench_write_all(pp->init_tx, msg, sizeof(msg));
			continue;
		}
		t0 = bench_now_ns();
		ret = pp_round_trip(pp, i, msg);
		t1 = bench_now_ns();
		if (!ret && i >= pp->warmup)
			pp->samples[i - pp->warmup] = t1 - t0;
	}
	if (ret)
		pp_fail(pp, pp->init_tx);
	return ret;
}

static int pp_echoer(void *arg)
{
	struct pp *pp = arg;
	char msg[BENCH_MSG_SIZE];
	uint64_t cpu0 = 0, wall0 = 0;
	unsigned int i;
	int ret = 0;

	pthread_barrier_wait(&pp->start);
	for (i = 0; i < pp->total && !ret; i++) {
		if (i == pp->warmup) {
			cpu0 = bench_thread_cpu_ns();
			wall0 = bench_now_ns();
		}
		ret = pp_echo(pp, i, msg);
	}
	pp->cpu_ns = bench_thread_cpu_ns() - cpu0;
	pp->wall_ns = bench_now_ns() - wall0;
	/* One way, the reader gives up by closing its end: the writer gets EPIPE. */
	if (ret)
		pp_fail(pp, pp->one_way ? pp->echo_rx : pp->echo_tx);
	return ret;
}

/*
 * Bring the loopback interface up if it is down (a fresh VM's is): the
 * TCP baseline needs it. 0, or -errno (not root, say).
 */
static int pp_loopback_up(void)
{
	struct ifreq ifr;
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		ret = -errno;
	else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr))
			ret = -errno;
	}
	close(fd);
	return ret;
}

/* A connected TCP pair on 127.0.0.1, TCP_NODELAY on both ends. */
static int pp_tcp_pair(int *client, int *server)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t alen = sizeof(addr);
	int lfd, c = -1, s = -1, one = 1, ret;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return -errno;
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen))
		goto fail;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof(addr)))
		goto fail;
	s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0 ||
	    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		goto fail;
	close(lfd);
	*client = c;
	*server = s;
	return 0;
fail:
	ret = -errno;
	if (s >= 0)
		close(s);
	if (c >= 0)
		close(c);
	close(lfd);
	return ret;
}

/* Make the descriptors of @pp->t; 0 or -errno. */
static int pp_setup(struct pp *pp)
{
	int p1[2], p2[2], sv[2], a = -1, b = -1, ret;

	pp->fds[0] = pp->fds[1] = pp->fds[2] = pp->fds[3] = -1;
	switch (pp->t) {
	case BENCH_SHM:
		pp->shm = aligned_alloc(64, sizeof(*pp->shm));
		if (!pp->shm)
			return -ENOMEM;
		memset(pp->shm, 0, sizeof(*pp->shm));
		return 0;
	case BENCH_EVENTFD:
		a = eventfd(0, EFD_CLOEXEC);
		if (a < 0)
			return -errno;
		b = eventfd(0, EFD_CLOEXEC);
		if (b < 0) {
			ret = -errno;
			close(a);
			return ret;
		}
		pp->fds[0] = a;
		pp->fds[1] = b;
		pp->init_tx = pp->echo_rx = a;
		pp->echo_tx = pp->init_rx = b;
		return 0;
	case BENCH_PIPE:
		if (pipe2(p1, O_CLOEXEC))
			return -errno;
		if (pipe2(p2, O_CLOEXEC)) {
			ret = -errno;
			close(p1[0]);
			close(p1[1]);
			return ret;
		}
		memcpy(pp->fds, p1, sizeof(p1));
		memcpy(pp->fds + 2, p2, sizeof(p2));
		pp->init_tx = p1[1];
		pp->echo_rx = p1[0];
		pp->echo_tx = p2[1];
		pp->init_rx = p2[0];
		return 0;
	case BENCH_UNIX:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
			return -errno;
		memcpy(pp->fds, sv, sizeof(sv));
		pp->init_tx = pp->init_rx = sv[0];
		pp->echo_tx = pp->echo_rx = sv[1];
		return 0;
	case BENCH_TCP:
		ret = pp_tcp_pair(&a, &b);
		if ((ret == -ENETUNREACH || ret == -EADDRNOTAVAIL) &&
		    !pp_loopback_up())
			ret = pp_tcp_pair(&a, &b);
		if (ret)
			return ret;
		pp->fds[0] = a;
		pp->fds[1] = b;
		pp->init_tx = pp->init_rx = a;
		pp->echo_tx = pp->echo_rx = b;
		return 0;
	}
	return -EINVAL;
}

static void pp_teardown(struct pp *pp)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (pp->fds[i] >= 0)
			close(pp->fds[i]);
	free(pp->shm);
	pp->shm = NULL;
}

/*
 * Run @pp: its initiator on dev_cpu, its echoer on host_cpu; 0 or -errno,
 * and why in @row's note, @what naming the run.
 */
static int pp_run(const struct bench_cfg *cfg, struct pp *pp,
		  struct bench_row *row, const char *what)
{
	struct bench_thread ti = { 0 }, te = { 0 };
	int ret, r1, r2;

	ret = pp_setup(pp);
	if (ret) {
		bench_note(row, "%s: setup: %s", what, strerror(-ret));
		return ret;
	}
	pthread_barrier_init(&pp->start, NULL, 2);
	ret = bench_spawn(&te, cfg->host_cpu, pp_echoer, pp);
	if (!ret) {
		ret = bench_spawn(&ti, cfg->dev_cpu, pp_initiator, pp);
		if (ret) {
			/* The echoer waits at the barrier: let it through. */
			pp->total = 0;
			pthread_barrier_wait(&pp->start);
		}
	}
	r1 = bench_join(&ti);
	r2 = bench_join(&te);
	pthread_barrier_destroy(&pp->start);
	pp_teardown(pp);
	if (!ret)
		ret = r1 ? r1 : r2;
	if (ret && !row->note[0])
		bench_note(row, "%s: %s", what, strerror(-ret));
	return ret;
}

/* The echoer's CPU over the measured part. */
static double pp_host_cpu(const struct pp *pp)
{
	return bench_cpu_pct(pp->cpu_ns, pp->wall_ns);
}

int bench_pingpong(const struct bench_cfg *cfg, const struct bench_def *def,
		   struct bench_row *row)
{
	enum bench_transport t = (enum bench_transport)def->transport;
	struct pp pp = {
		.cfg = cfg,
		.t = t,
		.one_cpu = cfg->dev_cpu == cfg->host_cpu,
	};
	unsigned int iters = t == BENCH_SHM ? cfg->shm_iters : cfg->iters;
	char what[64];
	int ret;

	pp.warmup = t == BENCH_SHM ? iters / 10 : cfg->warmup;
	pp.total = pp.warmup + iters;
	pp.samples = calloc(iters, sizeof(*pp.samples));
	if (!pp.samples)
		return -ENOMEM;
	snprintf(what, sizeof(what), "%s ping-pong", pp_names[t]);
	ret = pp_run(cfg, &pp, row, what);
	if (!ret) {
		bench_stats_from(pp.samples, iters, &row->lat);
		row->host_cpu = pp_host_cpu(&pp);
	}
	free(pp.samples);
	return ret;
}

/* One way: the device side writes, the host side reads and times. */
int bench_pipe_rate(const struct bench_cfg *cfg, const struct bench_def *def,
		    struct bench_row *row)
{
	struct pp pp = { .cfg = cfg, .t = BENCH_PIPE, .one_way = true };
	int ret;

	(void)def;
	pp.warmup = cfg->rate_msgs / 10;
	pp.total = pp.warmup + cfg->rate_msgs;
	ret = pp_run(cfg, &pp, row, "pipe rate");
	if (ret)
		return ret;
	row->rate = pp.wall_ns ? 1e9 * cfg->rate_msgs / (double)pp.wall_ns : 0;
	row->host_cpu = pp_host_cpu(&pp);
	row->lat.n = cfg->rate_msgs;
	return 0;
}

struct mc {
	const struct bench_cfg *cfg;
	uint64_t *samples;
	unsigned int iters;
	uint64_t cpu_ns, wall_ns;
};

static int mc_run(void *arg)
{
	struct mc *mc = arg;
	char *src, *dst;
	uint64_t cpu0, wall0;
	unsigned int i, warm = mc->iters / 10 + 1;

	src = malloc(BENCH_BIG_SIZE);
	dst = malloc(BENCH_BIG_SIZE);
	if (!src || !dst) {
		free(src);
		free(dst);
		return -ENOMEM;
	}
	/* Touch every page before timing: no page faults in the copies. */
	memset(src, 0x3c, BENCH_BIG_SIZE);
	memset(dst, 0, BENCH_BIG_SIZE);
	cpu0 = bench_thread_cpu_ns();
	wall0 = bench_now_ns();
	for (i = 0; i < warm + mc->iters; i++) {
		uint64_t t0 = bench_now_ns();

		memcpy(dst, src, BENCH_BIG_SIZE);
		/* The copy is used, as far as the compiler knows. */
		__asm__ __volatile__("" : : "r"(dst) : "memory");
		if (i >= warm)
			mc->samples[i - warm] = bench_now_ns() - t0;
		else if (i + 1 == warm) {
			cpu0 = bench_thread_cpu_ns();
			wall0 = bench_now_ns();
		}
	}
	mc->cpu_ns = bench_thread_cpu_ns() - cpu0;
	mc->wall_ns = bench_now_ns() - wall0;
	free(src);
	free(dst);
	return 0;
}

int bench_memcpy(const struct bench_cfg *cfg, const struct bench_def *def,
		 struct bench_row *row)
{
	struct bench_thread t = { 0 };
	struct mc mc = { .cfg = cfg, .iters = cfg->big_iters * 4 };
	int ret;

	(void)def;
	mc.samples = calloc(mc.iters, sizeof(*mc.samples));
	if (!mc.samples)
		return -ENOMEM;
	ret = bench_spawn(&t, cfg->host_cpu, mc_run, &mc);
	if (!ret)
		ret = bench_join(&t);
	if (!ret) {
		bench_stats_from(mc.samples, mc.iters, &row->lat);
		row->rate = row->lat.p50 ? 1e9 * BENCH_BIG_SIZE / (double)row->lat.p50 : 0;
		row->host_cpu = bench_cpu_pct(mc.cpu_ns, mc.wall_ns);
	} else {
		bench_note(row, "memcpy: %s", strerror(-ret));
	}
	free(mc.samples);
	return ret;
}

static int scale_getppid(void *ctx, unsigned int lane)
{
	(void)ctx;
	(void)lane;
	syscall(SYS_getppid);
	return 0;
}

int bench_syscall_scale(const struct bench_cfg *cfg,
			const struct bench_def *def, struct bench_row *one,
			struct bench_row *two)
{
	struct bench_scale sc = { .op = scale_getppid };
	int ret;

	(void)def;
	ret = bench_scale_run(cfg, &sc, one, two);
	if (ret) {
		bench_note(one ? one : two, "syscall loop: %s", strerror(-ret));
		return ret;
	}
	return 0;
}
