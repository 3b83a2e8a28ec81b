// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev-ring-bench: a POLL upcall's path on this machine's own CPUs.
 *
 * Under QEMU without KVM the guest's CPUs are emulated, and every
 * instruction of a path costs many of this machine's: `make bench` then
 * measures the emulator as much as the path. A POLL upcall needs no
 * kernel once its queue is attached (the rings are the only way between
 * the two sides), so its path can be run here, natively: the portable
 * firmware of kmod/fw/ (the same code rpcdev_sim.ko and the ivshmem
 * firmware are built from) in one thread, on memory laid out as the
 * driver lays out a queue, and librpcdev's rpcdev_serve() on a POLL
 * queue in another, the library's few system calls (RPCDEV_IOC_INFO,
 * QUEUE_ATTACH, its mmap()s and ENTER) answered by this program, which
 * plays the driver as the user rings' TSan test does
 * (selftests/host/fake_driver.h). The firmware's upcall method is called
 * directly, as its downcall would call it. Beside it the bench's floor, the same
 * shared-memory ping-pong `rpcdev bench` runs (two words on two cache
 * lines), between the same two CPUs and timed on the same clock
 * (CLOCK_MONOTONIC, which the firmware stamps with too). Both are run in
 * rounds of alternating order and the ratio is the median of the rounds',
 * as `rpcdev bench --repeat` gives it.
 *
 *   rpcdev-ring-bench [-n UPCALLS] [-r ROUNDS] [--cpus A,B]
 *
 * -n: round trips per row and round (default 200000); -r: rounds (5);
 * --cpus: the firmware's CPU and the server's (default the first two
 * this program may run on; the ping-pong's initiator and echoer take
 * the same two).
 *
 * Prints one line per row and the target's line. Exit status 0 when
 * every round ran, 1 otherwise: a figure is reported, never judged.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include <linux/rpcdev.h>
#include <linux/rpcdev_sim.h>
#include <rpcdev.h>

#include "fake_driver.h"
#include "fw_internal.h"

#define RB_DEPTH	8
#define RB_BUF_SIZE	256
#define RB_METHOD	7
#define RB_MSG		64	/* the bench's upcall rows' payload */
#define RB_TARGET	1.5	/* upcall POLL p50 / shared-memory ping-pong p50 */
#define RB_MAX_ROUNDS	15

/* RPCDEV_IOC_QUEUE_ATTACH: queue 0, laid out as the driver does. */
static int rb_attach(struct rpcdev_queue_attach *a)
{
	return fake_lay_out(a, RB_DEPTH, RB_BUF_SIZE, fw_entry_size(a->flags),
			    a->flags & RPCDEV_ATTACH_INLINE);
}

static int fake_ioctl(unsigned long req, void *arg)
{
	struct rpcdev_info *info = arg;

	switch (req) {
	case RPCDEV_IOC_INFO:
		memset(info, 0, sizeof(*info));
		info->abi_version = RPCDEV_ABI_VERSION;
		info->nr_queues = 1;
		info->features = RPCDEV_FEAT_INFO | RPCDEV_FEAT_UPCALL |
				 RPCDEV_FEAT_USER_RINGS | RPCDEV_FEAT_RING_WAKE |
				 RPCDEV_FEAT_INLINE;
		return 0;
	case RPCDEV_IOC_QUEUE_ATTACH:
		return rb_attach(arg);
	case RPCDEV_IOC_ENTER:
		/* The firmware here never sleeps: no doorbell to ring. */
		return 0;
	default:
		return -ENOTTY;
	}
}

/*
 * The firmware's environment here: a thread that polls and is never
 * stopped, interrupted or tampered with, with no methods of its own and
 * no registered buffers.
 */
bool fw_should_stop(struct fw_queue *fq)
{
	(void)fq;
	return false;
}

void fw_sleep(struct fw_queue *fq, bool (*ready)(struct fw_queue *fq),
	      u64 deadline)
{
	while (!ready(fq) && fw_now_ns() < deadline)
		fw_relax();
}

void fw_interrupt(struct fw_queue *fq)
{
	(void)fq;
}

u64 fw_fault(struct fw_queue *fq, unsigned int f)
{
	(void)fq;
	(void)f;
	return 0;
}

void fw_bufs_lock(struct fw_queue *fq)
{
	(void)fq;
}

void fw_bufs_unlock(struct fw_queue *fq)
{
	(void)fq;
}

void *fw_buf_at(struct fw_queue *fq, u32 index, u64 off, u64 len)
{
	(void)fq;
	(void)index;
	(void)off;
	(void)len;
	return NULL;
}

void fw_tamper_entry(struct fw_queue *fq, struct rpcdev_entry *e)
{
	(void)fq;
	(void)e;
}

u32 fw_tamper_index(struct fw_queue *fq, u32 val)
{
	(void)fq;
	return val;
}

bool fw_host_method(struct fw_queue *fq, const struct rpcdev_entry *call,
		    struct rpcdev_entry *ans)
{
	(void)fq;
	(void)call;
	(void)ans;
	return false;
}

void fw_yield(void)
{
}

void fw_dbg(const char *fmt, ...)
{
	(void)fmt;
}

static int rb_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

struct rb_cfg {
	unsigned int n;			/* upcalls, and ping-pong round trips */
	int dev_cpu, host_cpu;		/* the firmware's and the server's */
};

/* One run of RPCDEV_SIM_UPCALLS by the firmware, as the bench's POLL row. */
struct rb_fw {
	const struct rb_cfg *cfg;
	struct rpcdev *dev;		/* the server's, to stop it on a failure */
	struct fw_queue fq;
	struct rpcdev_sim_upcall_result res;
	int ret;
};

static void *rb_fw_main(void *arg)
{
	struct rb_fw *w = arg;
	const struct rpcdev_queue_attach *l = &fake_q.layout;
	char *dev = fake_part(RPCDEV_OFF_DEV);
	char *host = fake_part(RPCDEV_OFF_HOST);
	struct fw_mem m = {
		.depth = l->depth,
		.buf_size = l->buf_size,
		.flags = l->flags,
		.dctrl = (void *)dev,
		.dc = (void *)(dev + l->dc_off),
		.uq = (void *)(dev + l->uq_off),
		.hctrl = (void *)host,
		.dq = (void *)(host + l->dq_off),
		.ur = (void *)(host + l->ur_off),
		.dc_buf = fake_part(RPCDEV_OFF_DC_BUF),
		.uq_buf = fake_part(RPCDEV_OFF_UQ_BUF),
		.dq_buf = fake_part(RPCDEV_OFF_DQ_BUF),
		.ur_buf = fake_part(RPCDEV_OFF_UR_BUF),
	};
	struct rpcdev_sim_upcalls req = {
		.count = w->cfg->n,
		.method = RB_METHOD,
		.size = RB_MSG,
		.flags = RPCDEV_SIM_UPCALL_VERIFY,
		.timeout_ms = 1000,
	};
	/* The downcall that asks for the run, as the host would post it. */
	struct rpcdev_entry call = { .id = 0, .len = sizeof(req) };
	struct rpcdev_entry ans = { 0 };

	w->ret = rb_pin(w->cfg->dev_cpu);
	if (!w->ret)
		w->ret = fw_queue_start(&w->fq, &m, 1000 * NSEC_PER_MSEC,
					FW_IRQ_HOLD_US * NSEC_PER_USEC);
	if (w->ret) {
		rpcdev_interrupt(w->dev);
		return NULL;
	}
	memcpy(m.dq_buf, &req, sizeof(req));
	w->ret = fw_upcalls(&w->fq, &call, &ans);
	memcpy(&w->res, m.dc_buf, sizeof(w->res));
	if (!w->ret && (ans.status != RPCDEV_STATUS_OK ||
			w->res.done != req.count || w->res.mismatched))
		w->ret = -EPROTO;
	/* The server waits for upcalls that will not come. */
	if (w->ret)
		rpcdev_interrupt(w->dev);
	fw_queue_stop(&w->fq);
	return NULL;
}

/* The server: librpcdev's echo, as the bench's POLL server answers. */
static int rb_echo(void *ctx, const struct rpcdev_upcall_req *up,
		   struct rpcdev_upcall_reply *reply)
{
	unsigned int *left = ctx;

	memcpy(up->reply, up->data, up->len);
	reply->len = up->len;
	return --*left ? 0 : RPCDEV_SERVE_STOP;
}

/* One round of the POLL row: its p50 in ns, or -errno. */
static s64 rb_upcalls(const struct rb_cfg *cfg)
{
	struct rpcdev dev;
	struct rb_fw w = { .cfg = cfg, .dev = &dev };
	unsigned int left = cfg->n;
	pthread_t th;
	int ret, sret;

	ret = rpcdev_open(&dev, "/dev/null");
	if (ret)
		return ret;
	fake_q.fd = rpcdev_fd(&dev);
	ret = rpcdev_queue_attach_policy(&dev, 0, RB_DEPTH, RB_BUF_SIZE,
					 RPCDEV_WAIT_POLL);
	if (!ret)
		ret = -pthread_create(&th, NULL, rb_fw_main, &w);
	if (!ret) {
		ret = rb_pin(cfg->host_cpu);
		sret = rpcdev_serve(&dev, rb_echo, &left, 0);
		pthread_join(th, NULL);
		if (!ret)
			ret = w.ret ? w.ret : sret < 0 ? sret : 0;
	}
	rpcdev_close(&dev);
	fake_tear_down();
	return ret ? ret : (s64)w.res.p50_ns;
}

/* The floor: `rpcdev bench`'s shared-memory ping-pong. */
struct rb_pp {
	const struct rb_cfg *cfg;
	/* The initiator's word and the echoer's, a line each. */
	_Alignas(64) u32 ping;
	_Alignas(64) u32 pong;
	int ret;
};

static u32 rb_spin(const u32 *word, u32 want)
{
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != want)
		fw_relax();
	return want;
}

static void *rb_echoer(void *arg)
{
	struct rb_pp *pp = arg;
	u32 i;

	pp->ret = rb_pin(pp->cfg->host_cpu);
	for (i = 1; i <= pp->cfg->n; i++)
		__atomic_store_n(&pp->pong, rb_spin(&pp->ping, i),
				 __ATOMIC_RELEASE);
	return NULL;
}

static int rb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* One round of the floor: its p50 in ns, or -errno. */
static s64 rb_pingpong(const struct rb_cfg *cfg)
{
	struct rb_pp *pp = aligned_alloc(64, sizeof(*pp));
	u64 *samples = calloc(cfg->n, sizeof(*samples));
	s64 ret = -ENOMEM;
	pthread_t th;
	u32 i;

	if (!pp || !samples)
		goto out;
	memset(pp, 0, sizeof(*pp));
	pp->cfg = cfg;
	ret = -pthread_create(&th, NULL, rb_echoer, pp);
	if (ret)
		goto out;
	ret = rb_pin(cfg->dev_cpu);
	for (i = 1; i <= cfg->n; i++) {
		u64 t0 = fw_now_ns();

		__atomic_store_n(&pp->ping, i, __ATOMIC_RELEASE);
		rb_spin(&pp->pong, i);
		samples[i - 1] = fw_now_ns() - t0;
	}
	pthread_join(th, NULL);
	if (!ret)
		ret = pp->ret;
	if (!ret) {
		qsort(samples, cfg->n, sizeof(*samples), rb_cmp_u64);
		ret = (s64)samples[cfg->n / 2];
	}
out:
	free(samples);
	free(pp);
	return ret;
}

static int rb_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double rb_median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), rb_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The first two CPUs this program may run on, into @cfg; -ENODEV if one. */
static int rb_default_cpus(struct rb_cfg *cfg)
{
	cpu_set_t set;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (n++)
			cfg->host_cpu = cpu;
		else
			cfg->dev_cpu = cpu;
	}
	return n == 2 ? 0 : -ENODEV;
}

static void rb_usage(FILE *f)
{
	fprintf(f, "usage: rpcdev-ring-bench [-n UPCALLS] [-r ROUNDS] [--cpus A,B]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct rb_cfg cfg = { .n = 200000, .dev_cpu = -1, .host_cpu = -1 };
	double up[RB_MAX_ROUNDS], pp[RB_MAX_ROUNDS], ratio[RB_MAX_ROUNDS];
	unsigned int rounds = 5, r;
	double lo, hi, med;
	int c;

	while ((c = getopt_long(argc, argv, "n:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			cfg.n = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			rounds = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			if (sscanf(optarg, "%d,%d", &cfg.dev_cpu,
				   &cfg.host_cpu) != 2) {
				rb_usage(stderr);
				return 2;
			}
			break;
		case 'h':
			rb_usage(stdout);
			return 0;
		default:
			rb_usage(stderr);
			return 2;
		}
	}
	if (cfg.dev_cpu < 0 && rb_default_cpus(&cfg)) {
		fprintf(stderr,
			"rpcdev-ring-bench: fewer than two CPUs to run on (the two sides need two)\n");
		return 2;
	}
	if (optind != argc || cfg.n < 2 || !rounds || rounds > RB_MAX_ROUNDS ||
	    cfg.dev_cpu == cfg.host_cpu) {
		fprintf(stderr,
			"rpcdev-ring-bench: -n at least 2, -r 1 to %d, two different CPUs\n",
			RB_MAX_ROUNDS);
		return 2;
	}

	/* Alternate which comes first, so drift in the machine hits both. */
	for (r = 0; r < rounds; r++) {
		s64 a, b;

		if (r % 2) {
			b = rb_upcalls(&cfg);
			a = rb_pingpong(&cfg);
		} else {
			a = rb_pingpong(&cfg);
			b = rb_upcalls(&cfg);
		}
		if (a <= 0 || b <= 0) {
			fprintf(stderr, "rpcdev-ring-bench: round %u: %s: %s\n",
				r + 1, a <= 0 ? "ping-pong" : "upcalls",
				strerror(a < 0 ? (int)-a : b < 0 ? (int)-b : EIO));
			return 1;
		}
		pp[r] = (double)a;
		up[r] = (double)b;
		ratio[r] = up[r] / pp[r];
	}
	printf("rpcdev-ring-bench: this machine's CPUs %d and %d, no emulation; ",
	       cfg.dev_cpu, cfg.host_cpu);
	printf("%u round trips per row, medians of %u rounds of alternating order\n",
	       cfg.n, rounds);
	printf("  shared-memory ping-pong (floor)        p50 %8.3f us\n",
	       rb_median(pp, rounds) / 1000);
	printf("  upcall POLL, 64 B (fw + librpcdev)     p50 %8.3f us\n",
	       rb_median(up, rounds) / 1000);
	lo = ratio[0];
	hi = ratio[0];
	for (r = 1; r < rounds; r++) {
		lo = ratio[r] < lo ? ratio[r] : lo;
		hi = ratio[r] > hi ? ratio[r] : hi;
	}
	med = rb_median(ratio, rounds);
	printf("  upcall POLL p50 / shared-memory ping-pong p50  %.2fx (target <= %.2fx): %s\n",
	       med, RB_TARGET, med <= RB_TARGET ? "met" : "NOT met");
	printf("    median of %u rounds, from %.2fx to %.2fx\n", rounds, lo, hi);
	return 0;
}
