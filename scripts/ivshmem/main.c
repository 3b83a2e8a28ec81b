// SPDX-License-Identifier: GPL-2.0
/*
 * rpcdev-ivshmem-fw: the firmware of rpcdev_ivshmem.ko's device, and the
 * ivshmem server QEMU's ivshmem-doorbell device connects to (Debian ships
 * none). See usage() for the options and ivfw.h for the files.
 *
 * The main thread serves the socket and the driver's requests and beats
 * the heartbeat; each running queue has a thread of its own. The log says
 * "error:" only for the firmware's own failures; what the host does wrong
 * is counted (RPCDEV_SIM_STATS) or logged as "warn:".
 */
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "ivfw.h"

/* How often the main thread looks at BAR2 without a doorbell. */
#define IVFW_TICK_MS		10

bool ivfw_verbose;
static FILE *ivfw_logf;
static pthread_mutex_t ivfw_log_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile sig_atomic_t ivfw_quit;

void ivfw_log(const char *level, const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	pthread_mutex_lock(&ivfw_log_lock);
	fprintf(ivfw_logf, "[%5lld.%06ld] rpcdev-ivshmem-fw: %s: ",
		(long long)ts.tv_sec, ts.tv_nsec / 1000, level);
	va_start(ap, fmt);
	vfprintf(ivfw_logf, fmt, ap);
	va_end(ap);
	fflush(ivfw_logf);
	pthread_mutex_unlock(&ivfw_log_lock);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rpcdev-ivshmem-fw --socket PATH [options]\n"
		"       rpcdev-ivshmem-fw --qmp PATH --device-del ID\n"
		"\n"
		"  --socket PATH      the ivshmem server's socket (QEMU: -chardev socket,path=PATH)\n"
		"  --shm-size SIZE    shared memory (BAR2) bytes, a power of two; K, M, G\n"
		"                     suffixes (default 256M)\n"
		"  --queues N         queue pairs, 1-%u (default 4); QEMU's vectors=N+1\n"
		"  --spin-us US       how long a queue polls before it sleeps (default 50)\n"
		"  --irq-hold-us US   how long at most an answer's interrupt waits while\n"
		"                     more calls wait (default %u; 0: none waits)\n"
		"  --log FILE         log there (default stderr)\n"
		"  --pidfile FILE     write the pid there once the socket listens\n"
		"  --qmp PATH         QEMU's QMP socket, for RPCDEV_IVSHMEM_TEST_UNPLUG\n"
		"  --device-id ID     the device it removes (default ivsh0)\n"
		"  --device-del ID    just ask QEMU (--qmp) to remove device ID, and exit\n"
		"  --test-methods     answer the RPCDEV_IVSHMEM_TEST_* methods\n"
		"  --no-inline        do not offer RPCDEV_IVSHMEM_F_INLINE (a firmware\n"
		"                     older than inline payloads)\n"
		"  --tcp-echo PORT    echo TCP on 127.0.0.1:PORT (the bench's TCP baseline)\n"
		"  --hostile[=WHAT]   break the protocol on purpose; WHAT is a list of\n"
		"                     index,len,id,seq,storm (default all of them)\n"
		"  --hostile-queues MASK  the queues hostile from the start (bit q is\n"
		"                     queue q; default all but queue 0 with --hostile)\n"
		"  --hostile-rate N   break one entry or index in N (default 8)\n"
		"  --seed N           of the hostile mode's choices (default 1)\n"
		"  -v, --verbose      log debug lines too\n",
		RPCDEV_MAX_QUEUES, FW_IRQ_HOLD_US);
}

static int parse_u64(const char *s, u64 *v, bool suffix)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	if (suffix && *end) {
		unsigned int shift = *end == 'K' ? 10 : *end == 'M' ? 20 :
				     *end == 'G' ? 30 : 0;

		if (!shift || end[1] || *v > (U64_MAX >> shift))
			return -EINVAL;
		*v <<= shift;
		end++;
	}
	return *end ? -EINVAL : 0;
}

static int parse_hostile(const char *s, u32 *bits)
{
	static const char *const names[] = { "index", "len", "id", "seq", "storm" };
	char *copy, *tok, *save;
	unsigned int i;

	if (!s) {
		*bits = IVFW_HOSTILE_ALL;
		return 0;
	}
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	*bits = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < 5 && strcmp(tok, names[i]); i++)
			;
		if (i == 5) {
			free(copy);
			return -EINVAL;
		}
		*bits |= 1U << i;
	}
	free(copy);
	return *bits ? 0 : -EINVAL;
}

enum {
	OPT_SOCKET = 256, OPT_SHM, OPT_QUEUES, OPT_SPIN, OPT_LOG, OPT_PIDFILE,
	OPT_QMP, OPT_DEVICE_ID, OPT_DEVICE_DEL, OPT_TEST, OPT_HOSTILE,
	OPT_HOSTILE_QUEUES, OPT_HOSTILE_RATE, OPT_SEED, OPT_TCP_ECHO,
	OPT_NO_INLINE, OPT_IRQ_HOLD,
};

static const struct option ivfw_longopts[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "shm-size", required_argument, NULL, OPT_SHM },
	{ "queues", required_argument, NULL, OPT_QUEUES },
	{ "spin-us", required_argument, NULL, OPT_SPIN },
	{ "irq-hold-us", required_argument, NULL, OPT_IRQ_HOLD },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "qmp", required_argument, NULL, OPT_QMP },
	{ "device-id", required_argument, NULL, OPT_DEVICE_ID },
	{ "device-del", required_argument, NULL, OPT_DEVICE_DEL },
	{ "test-methods", no_argument, NULL, OPT_TEST },
	{ "no-inline", no_argument, NULL, OPT_NO_INLINE },
	{ "hostile", optional_argument, NULL, OPT_HOSTILE },
	{ "hostile-queues", required_argument, NULL, OPT_HOSTILE_QUEUES },
	{ "hostile-rate", required_argument, NULL, OPT_HOSTILE_RATE },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "tcp-echo", required_argument, NULL, OPT_TCP_ECHO },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Parse the command line; *@del is set for --device-del. */
static int parse_opts(int argc, char **argv, struct ivfw_opts *o,
		      const char **del)
{
	bool mask_set = false;
	u64 v;
	int c;

	*o = (struct ivfw_opts){
		.shm_size = 256ULL << 20, .nr_queues = 4,
		.spin_ns = 50 * NSEC_PER_USEC,
		.irq_hold_ns = FW_IRQ_HOLD_US * NSEC_PER_USEC,
		.device_id = "ivsh0",
		.hostile_rate = 8, .seed = 1,
	};
	while ((c = getopt_long(argc, argv, "vh", ivfw_longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET: o->socket = optarg; break;
		case OPT_LOG: o->log = optarg; break;
		case OPT_PIDFILE: o->pidfile = optarg; break;
		case OPT_QMP: o->qmp = optarg; break;
		case OPT_DEVICE_ID: o->device_id = optarg; break;
		case OPT_DEVICE_DEL: *del = optarg; break;
		case OPT_TEST: o->test_methods = true; break;
		case OPT_NO_INLINE: o->no_inline = true; break;
		case 'v': o->verbose = true; break;
		case 'h': usage(stdout); exit(0);
		case OPT_SHM:
			if (parse_u64(optarg, &o->shm_size, true) ||
			    o->shm_size & (o->shm_size - 1) ||
			    o->shm_size < 2 * RPCDEV_IVSHMEM_HDR_SIZE)
				return -EINVAL;
			break;
		case OPT_QUEUES:
			if (parse_u64(optarg, &v, false) || !v ||
			    v > RPCDEV_MAX_QUEUES)
				return -EINVAL;
			o->nr_queues = v;
			break;
		case OPT_SPIN:
			if (parse_u64(optarg, &v, false) || v > 1000000)
				return -EINVAL;
			o->spin_ns = v * NSEC_PER_USEC;
			break;
		case OPT_IRQ_HOLD:
			if (parse_u64(optarg, &v, false) ||
			    v > FW_MAX_IRQ_HOLD_US)
				return -EINVAL;
			o->irq_hold_ns = v * NSEC_PER_USEC;
			break;
		case OPT_HOSTILE:
			if (parse_hostile(optarg, &o->hostile))
				return -EINVAL;
			break;
		case OPT_HOSTILE_QUEUES:
			if (parse_u64(optarg, &o->hostile_mask, false))
				return -EINVAL;
			mask_set = true;
			break;
		case OPT_HOSTILE_RATE:
			if (parse_u64(optarg, &v, false) || !v || v > 1U << 30)
				return -EINVAL;
			o->hostile_rate = v;
			break;
		case OPT_SEED:
			if (parse_u64(optarg, &o->seed, false))
				return -EINVAL;
			break;
		case OPT_TCP_ECHO:
			if (parse_u64(optarg, &v, false) || !v || v > 65535)
				return -EINVAL;
			o->tcp_port = v;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc)
		return -EINVAL;
	if (!o->hostile && mask_set)
		o->hostile = IVFW_HOSTILE_ALL;
	if (o->hostile && !mask_set)
		o->hostile_mask = ~1ULL;
	if (o->nr_queues < 64)
		o->hostile_mask &= (1ULL << o->nr_queues) - 1;
	/* Test methods and --hostile-queues 0 can still make queues hostile. */
	if (!o->hostile && o->test_methods)
		o->hostile = IVFW_HOSTILE_ALL;
	if (*del)
		return o->qmp ? 0 : -EINVAL;
	return o->socket ? 0 : -EINVAL;
}

static void on_signal(int sig)
{
	(void)sig;
	ivfw_quit = 1;
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	return fclose(f) ? -errno : 0;
}

/* Serve until a signal asks to stop; 0, or -EIO after a failure. */
static int serve(struct ivfw_dev *dev, int lfd)
{
	u32 ctrl = RPCDEV_IVSHMEM_CTRL_VECTOR(dev->opts->nr_queues);
	int cfd = -1, ret;
	u64 count;

	while (!ivfw_quit) {
		struct pollfd p[3] = {
			{ .fd = lfd, .events = POLLIN },
			{ .fd = dev->fw_efd[ctrl], .events = POLLIN },
			{ .fd = cfd, .events = POLLIN },
		};

		ret = poll(p, cfd >= 0 ? 3 : 2, IVFW_TICK_MS);
		if (ret < 0 && errno != EINTR) {
			ivfw_err("poll: %s\n", strerror(errno));
			break;
		}
		ivfw_dev_heartbeat(dev);
		if (ret > 0 && (p[1].revents & POLLIN) &&
		    read(p[1].fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
			ivfw_err("control doorbell: %s\n", strerror(errno));
		if (ret > 0 && (p[0].revents & POLLIN)) {
			ret = ivfw_accept(dev, lfd);
			if (ret >= 0)
				cfd = ret;
		}
		/* QEMU never writes to the socket: readable means gone. */
		if (cfd >= 0 && (p[2].revents & (POLLIN | POLLHUP | POLLERR))) {
			ivfw_disconnect(dev, cfd);
			cfd = -1;
		}
		ivfw_dev_poll(dev);
		ivfw_test_tick(dev);
	}
	ret = ivfw_quit ? 0 : -EIO;
	ivfw_info("shutting down\n");
	/* Tell the driver first, while its interrupts still reach it. */
	ivfw_dev_exit(dev, ret ? RPCDEV_IVSHMEM_FW_FAILED :
		      RPCDEV_IVSHMEM_FW_STOPPED);
	if (cfd >= 0)
		ivfw_disconnect(dev, cfd);
	return ret;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const char *del = NULL;
	struct ivfw_opts opts;
	struct ivfw_dev dev;
	int lfd, ret;

	ivfw_logf = stderr;
	if (parse_opts(argc, argv, &opts, &del)) {
		usage(stderr);
		return 2;
	}
	ivfw_verbose = opts.verbose;
	if (opts.log) {
		ivfw_logf = fopen(opts.log, "a");
		if (!ivfw_logf) {
			perror(opts.log);
			return 1;
		}
	}
	if (del) {
		ret = ivfw_qmp_device_del(opts.qmp, del);
		if (ret)
			ivfw_err("device_del %s: %s\n", del, strerror(-ret));
		return !!ret;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (ivfw_dev_init(&dev, &opts))
		return 1;
	lfd = ivfw_listen(opts.socket);
	if (lfd < 0) {
		ivfw_err("%s: %s\n", opts.socket, strerror(-lfd));
		return 1;
	}
	if (opts.tcp_port) {
		ret = ivfw_tcp_start(opts.tcp_port);
		if (ret) {
			ivfw_err("tcp echo on port %u: %s\n", opts.tcp_port,
				 strerror(-ret));
			return 1;
		}
	}
	if (opts.pidfile && write_pidfile(opts.pidfile)) {
		ivfw_err("%s: %s\n", opts.pidfile, strerror(errno));
		return 1;
	}
	ivfw_info("listening on %s; %u queues, %s%s\n", opts.socket,
		  opts.nr_queues, opts.hostile_mask ? "hostile" : "well-behaved",
		  opts.test_methods ? ", test methods" : "");
	ret = serve(&dev, lfd);
	close(lfd);
	unlink(opts.socket);
	ivfw_info("stopped\n");
	return !!ret;
}
