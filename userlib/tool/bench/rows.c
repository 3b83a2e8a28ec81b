// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * rpcdev bench: the rows, and the targets the project sets itself.
 *
 * This table is where a row and its figures are defined: the table the
 * bench prints, the targets it checks, its JSON and `rpcdev bench --list`
 * all come from it. A row is one entry: its id and label, what kind of
 * number it gives, the device and features it needs, the function that
 * measures it with that function's arguments, and the targets it must
 * meet, each against another row (its baseline) or as a limit of its own.
 * Rows run and print in the order of the table.
 *
 * The targets are the project's own figures, quoted as ratios between rows
 * of one run (absolute times under an emulated CPU mean little): each one
 * sets rpcdev against the physical floor of its path (a shared-memory
 * ping-pong, a memcpy), against the system-call transport it replaces at
 * the same cost (eventfd, a pipe), or against TCP loopback, the way a lab
 * program reaches its host today.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/rpcdev.h>

#include "rpcdev.h"
#include "bench.h"

const struct bench_def bench_defs[] = {
	{
		.id = "shm", .name = "shared-memory ping-pong (floor)",
		.about = "a cache line each way, spinning on both sides",
		.kind = BENCH_LATENCY,
		.run = bench_pingpong, .transport = BENCH_SHM,
	}, {
		.id = "dev_pingpong", .name = "device-memory ping-pong (floor)",
		.about = "a mailbox word each way through the queue's memory, between this program and the device's firmware, both spinning: the floor of every call through that memory",
		.kind = BENCH_LATENCY, .device = BENCH_DEV_SIM,
		.run = bench_dev_pingpong,
	}, {
		.id = "eventfd", .name = "eventfd ping-pong",
		.about = "an eventfd's counter each way, sleeping on both sides",
		.kind = BENCH_LATENCY,
		.run = bench_pingpong, .transport = BENCH_EVENTFD,
	}, {
		.id = "pipe", .name = "pipe ping-pong",
		.kind = BENCH_LATENCY,
		.run = bench_pingpong, .transport = BENCH_PIPE,
	}, {
		.id = "unix", .name = "UNIX socket ping-pong",
		.kind = BENCH_LATENCY,
		.run = bench_pingpong, .transport = BENCH_UNIX,
	}, {
		.id = "tcp", .name = "TCP loopback ping-pong (NODELAY)",
		.kind = BENCH_LATENCY,
		.run = bench_pingpong, .transport = BENCH_TCP,
	}, {
		.id = "fw_tcp", .name = "TCP ping-pong with the firmware",
		.about = "64 bytes each way (NODELAY) with an echo the device's firmware serves over the network (--fw-tcp): the way a lab's device reaches its host today",
		.kind = BENCH_LATENCY,
		.run = bench_fw_tcp,
		.targets = {
			{ .id = "fw_tcp_vs_upcall_poll",
			  .what = "firmware TCP p50 / upcall POLL p50",
			  .base = "upcall_poll", .val = BENCH_V_P50,
			  .ge = true, .limit = 50.0 },
			{ .id = "fw_tcp_vs_upcall_block",
			  .what = "firmware TCP p50 / upcall BLOCK p50",
			  .base = "upcall_block", .val = BENCH_V_P50,
			  .ge = true, .limit = 3.0 },
		},
	}, {
		.id = "upcall_block", .name = "upcall BLOCK, 64 B",
		.kind = BENCH_LATENCY, .device = BENCH_DEV_SIM,
		.run = bench_upcalls, .policy = RPCDEV_WAIT_BLOCK,
		.flags = BENCH_STAMPS, .size = BENCH_MSG_SIZE,
		.targets = {
			{ .id = "upcall_block_vs_eventfd",
			  .what = "upcall BLOCK p50 / eventfd ping-pong p50",
			  .base = "eventfd", .val = BENCH_V_P50,
			  .limit = 1.0, .stretch = 0.7 },
			{ .id = "tcp_vs_upcall_block",
			  .what = "TCP loopback p50 / upcall BLOCK p50",
			  .base = "tcp", .base_over_row = true,
			  .val = BENCH_V_P50, .ge = true, .limit = 2.0 },
		},
	}, {
		.id = "upcall_block_devsleep",
		.name = "upcall BLOCK, 64 B, device sleeps",
		.about = "the simulated device sleeps for the reply instead of polling fw_spin_us first, as the eventfd initiator does",
		.kind = BENCH_LATENCY, .device = BENCH_DEV_SIM,
		.run = bench_upcalls, .policy = RPCDEV_WAIT_BLOCK,
		.flags = BENCH_STAMPS | BENCH_DEV_SLEEPS, .size = BENCH_MSG_SIZE,
	}, {
		.id = "upcall_uring", .name = "upcall, io_uring server, 64 B",
		.about = "a BLOCK queue served by rpcdev_uring_serve(): the answer and the next fetch in one command",
		.kind = BENCH_LATENCY, .device = BENCH_DEV_SIM,
		.needs = RPCDEV_FEAT_URING_CMD,
		.run = bench_upcalls, .policy = BENCH_URING_SERVER,
		.flags = BENCH_STAMPS, .size = BENCH_MSG_SIZE,
		.targets = {
			{ .id = "upcall_uring_vs_block",
			  .what = "upcall io_uring server p50 / upcall BLOCK p50",
			  .base = "upcall_block", .val = BENCH_V_P50,
			  .limit = 1.1 },
		},
	}, {
		.id = "upcall_poll", .name = "upcall POLL, 64 B",
		.kind = BENCH_LATENCY, .device = BENCH_DEV_SIM,
		.needs = RPCDEV_FEAT_USER_RINGS,
		.run = bench_upcalls, .policy = RPCDEV_WAIT_POLL,
		.size = BENCH_MSG_SIZE,
		.targets = {
			{ .id = "upcall_poll_vs_shm",
			  .what = "upcall POLL p50 / shared-memory ping-pong p50",
			  .base = "shm", .val = BENCH_V_P50, .limit = 1.5 },
			{ .id = "upcall_poll_vs_dev_pingpong",
			  .what = "upcall POLL p50 / device-memory ping-pong p50",
			  .base = "dev_pingpong", .val = BENCH_V_P50,
			  .limit = 1.5 },
			{ .id = "tcp_vs_upcall_poll",
			  .what = "TCP loopback p50 / upcall POLL p50",
			  .base = "tcp", .base_over_row = true,
			  .val = BENCH_V_P50, .ge = true, .limit = 50.0 },
		},
	}, {
		.id = "upcall_poll_stamped", .name = "upcall POLL, 64 B, stamped",
		.about = "the same with the stages stamped: where the time goes",
		.kind = BENCH_LATENCY, .device = BENCH_DEV_SIM,
		.needs = RPCDEV_FEAT_USER_RINGS,
		.run = bench_upcalls, .policy = RPCDEV_WAIT_POLL,
		.flags = BENCH_STAMPS, .size = BENCH_MSG_SIZE,
	}, {
		.id = "upcall_adaptive", .name = "upcall ADAPTIVE, 64 B, burst",
		.kind = BENCH_LATENCY, .device = BENCH_DEV_SIM,
		.needs = RPCDEV_FEAT_USER_RINGS,
		.run = bench_upcalls, .policy = RPCDEV_WAIT_ADAPTIVE,
		.size = BENCH_MSG_SIZE,
		.targets = {
			{ .id = "adaptive_vs_poll",
			  .what = "upcall ADAPTIVE p50 in bursts / upcall POLL p50",
			  .base = "upcall_poll", .val = BENCH_V_P50,
			  .limit = 1.25 },
		},
	}, {
		.id = "adaptive_idle", .name = "ADAPTIVE server, idle",
		.about = "its CPU while it waits without upcalls after a burst",
		.kind = BENCH_CPU, .device = BENCH_DEV_SIM,
		.needs = RPCDEV_FEAT_USER_RINGS,
		.run = bench_adaptive_idle,
		.targets = {
			{ .id = "adaptive_idle_cpu",
			  .what = "ADAPTIVE idle host CPU, % of a core",
			  .val = BENCH_V_CPU, .limit = 2.0 },
		},
	}, {
		.id = "downcall", .name = "sync downcall (echo), 64 B",
		.kind = BENCH_LATENCY, .device = BENCH_DEV_SIM,
		.run = bench_downcalls,
	}, {
		.id = "downcall_uring", .name = "sync downcall over io_uring, 64 B",
		.about = "one RPCDEV_URING_CALL per io_uring_enter, as the ioctl is one system call",
		.kind = BENCH_LATENCY, .device = BENCH_DEV_SIM,
		.needs = RPCDEV_FEAT_URING_CMD,
		.run = bench_downcalls_uring,
		.targets = {
			{ .id = "downcall_uring_vs_ioctl",
			  .what = "io_uring sync downcall p50 / ioctl sync downcall p50",
			  .base = "downcall", .val = BENCH_V_P50,
			  .limit = 1.1 },
		},
	}, {
		.id = "downcall_uring_batch", .name = "32 downcalls per io_uring_enter, 64 B",
		.kind = BENCH_RATE, .unit = "calls/s", .device = BENCH_DEV_SIM,
		.needs = RPCDEV_FEAT_URING_CMD,
		.run = bench_downcalls_uring, .flags = BENCH_BATCH,
		.targets = {
			{ .id = "batch32_vs_ioctl",
			  .what = "call rate of 32 per io_uring_enter / of sequential ioctl calls",
			  .base = "downcall", .val = BENCH_V_RATE, .ge = true,
			  .limit = 4.0 },
		},
	}, {
		.id = "async_upcalls", .name = "async upcalls, 64 B, BLOCK server",
		.kind = BENCH_RATE, .unit = "msg/s", .device = BENCH_DEV_SIM,
		.run = bench_async_upcalls, .policy = RPCDEV_WAIT_BLOCK,
		.size = BENCH_MSG_SIZE,
	}, {
		.id = "async_upcalls_poll", .name = "async upcalls, 64 B, POLL server",
		.kind = BENCH_RATE, .unit = "msg/s", .device = BENCH_DEV_SIM,
		.needs = RPCDEV_FEAT_USER_RINGS,
		.run = bench_async_upcalls, .policy = RPCDEV_WAIT_POLL,
		.size = BENCH_MSG_SIZE,
		.targets = {
			{ .id = "async_vs_pipe",
			  .what = "async upcall rate, POLL server / pipe's",
			  .base = "pipe_rate", .val = BENCH_V_RATE, .ge = true,
			  .limit = 10.0,
			  .ctx_what = "a BLOCK server, one system call per message, / pipe's",
			  .ctx_num = "async_upcalls", .ctx_den = "pipe_rate" },
		},
	}, {
		.id = "pipe_rate", .name = "pipe messages, 64 B, one way",
		.about = "one message per write(2) and per read(2)",
		.kind = BENCH_RATE, .unit = "msg/s",
		.run = bench_pipe_rate,
	}, {
		.id = "upcall_1mib", .name = "upcall 1 MiB, echoed",
		.kind = BENCH_LATENCY, .unit = "B/s", .device = BENCH_DEV_SIM,
		.run = bench_big_upcalls, .size = BENCH_BIG_SIZE,
		.targets = {
			{ .id = "upcall_1mib_vs_memcpy",
			  .what = "1 MiB upcall p50 / memcpy 1 MiB p50",
			  .base = "memcpy_1mib", .val = BENCH_V_P50,
			  .limit = 2.0 },
		},
	}, {
		.id = "regbuf_1mib", .name = "downcall 1 MiB, registered buffers",
		.about = "a sync echo of 1 MiB whose request and result are in registered buffers: the device copies one into the other in place, the queue's buffers carry nothing",
		.kind = BENCH_LATENCY, .unit = "B/s", .device = BENCH_DEV_SIM,
		.needs = RPCDEV_FEAT_REG_BUFS,
		.run = bench_regbuf_downcalls, .size = BENCH_BIG_SIZE,
		.targets = {
			{ .id = "regbuf_1mib_vs_memcpy",
			  .what = "1 MiB call through registered buffers p50 / memcpy 1 MiB p50",
			  .base = "memcpy_1mib", .val = BENCH_V_P50,
			  .limit = 1.2 },
		},
	}, {
		.id = "memcpy_1mib", .name = "memcpy 1 MiB",
		.kind = BENCH_LATENCY, .unit = "B/s",
		.run = bench_memcpy,
	}, {
		.id = "syscall_one", .name = "system call loop, one CPU",
		.about = "a getppid loop: how the machine itself scales to two CPUs (with syscall_two)",
		.kind = BENCH_RATE, .unit = "calls/s",
		.run_pair = bench_syscall_scale, .pair = "syscall_two",
	}, {
		.id = "syscall_two", .name = "system call loop, two CPUs",
		.kind = BENCH_RATE, .unit = "calls/s",
	}, {
		.id = "queue_one", .name = "echo downcalls, one queue",
		.about = "each queue's caller and firmware on one CPU of its own; one and two queues are measured in alternation",
		.kind = BENCH_RATE, .unit = "calls/s", .device = BENCH_DEV_SIM,
		.run_pair = bench_queues, .pair = "queue_two",
	}, {
		.id = "queue_two", .name = "echo downcalls, two queues, two CPUs",
		.kind = BENCH_RATE, .unit = "calls/s", .device = BENCH_DEV_SIM,
		.targets = {
			{ .id = "two_queues_vs_one",
			  .what = "two queues' call rate / one queue's",
			  .base = "queue_one", .val = BENCH_V_RATE, .ge = true,
			  .limit = 1.8,
			  .ctx_what = "a system call loop on the same CPUs, two / one (the machine's ceiling)",
			  .ctx_num = "syscall_two", .ctx_den = "syscall_one",
			  .ctx_within = 0.05 },
		},
	}, {
		.id = "upcall_2q_block",
		.name = "upcalls, two queues, two BLOCK threads",
		.about = "the device makes 64 B upcalls on queues 0 and 1 at once (both firmwares on one CPU); a BLOCK server thread per queue, both on the host CPU",
		.kind = BENCH_RATE, .unit = "calls/s", .device = BENCH_DEV_SIM,
		.run = bench_upcalls_2q, .policy = RPCDEV_WAIT_BLOCK,
		.size = BENCH_MSG_SIZE,
	}, {
		.id = "upcall_2q_uring",
		.name = "upcalls, two queues, one uring thread",
		.about = "the same two queues served by one thread: rpcdev_uring_serve() with both on one ring",
		.kind = BENCH_RATE, .unit = "calls/s", .device = BENCH_DEV_SIM,
		.needs = RPCDEV_FEAT_URING_CMD,
		.run = bench_upcalls_2q, .policy = BENCH_URING_SERVER,
		.size = BENCH_MSG_SIZE,
		.targets = {
			/* Informative: no figure is asked of it yet. */
			{ .id = "uring_2q_vs_block_2q",
			  .what = "call rate of two queues, one io_uring thread / two BLOCK threads (informative)",
			  .base = "upcall_2q_block", .val = BENCH_V_RATE,
			  .ge = true, .limit = 1.0 },
		},
	}, {
		.id = "mbox_check", .name = "device mailbox check",
		.about = "the device reading a mailbox slot, as a loop of its own checks it",
		.kind = BENCH_COST, .device = BENCH_DEV_SIM,
		.run = bench_mbox_check,
		.targets = {
			{ .id = "mbox_vs_upcall_block",
			  .what = "mailbox check / upcall BLOCK p50",
			  .base = "upcall_block", .val = BENCH_V_COST,
			  .limit = 0.01, .percent = true },
			{ .id = "mbox_vs_upcall_poll",
			  .what = "mailbox check / upcall POLL p50",
			  .base = "upcall_poll", .val = BENCH_V_COST,
			  .limit = 0.01, .percent = true },
		},
	},
};

const unsigned int bench_nr_defs = sizeof(bench_defs) / sizeof(bench_defs[0]);

int bench_find(const char *id, size_t len)
{
	unsigned int i;

	for (i = 0; i < bench_nr_defs; i++)
		if (strlen(bench_defs[i].id) == len &&
		    !strncmp(bench_defs[i].id, id, len))
			return (int)i;
	return -1;
}

static bool bench_known(const char *id)
{
	return id && bench_find(id, strlen(id)) >= 0;
}

/* Row @i's references; 0 or -EINVAL with the first bad one in @why. */
static int bench_def_check(unsigned int i, char *why, size_t len)
{
	const struct bench_def *d = &bench_defs[i];
	const struct bench_target *t;
	unsigned int j, by = 0;

	if (bench_find(d->id, strlen(d->id)) != (int)i) {
		snprintf(why, len, "row %s is defined twice", d->id);
		return -EINVAL;
	}
	if ((d->run_pair != NULL) != (d->pair != NULL) ||
	    (d->run && d->run_pair) || (d->pair && !bench_known(d->pair))) {
		snprintf(why, len, "row %s: a pair needs run_pair and a known pair", d->id);
		return -EINVAL;
	}
	for (j = 0; j < bench_nr_defs; j++)
		by += bench_defs[j].pair && !strcmp(bench_defs[j].pair, d->id);
	if (!d->run && !d->run_pair && by != 1) {
		snprintf(why, len, "row %s has no measurement", d->id);
		return -EINVAL;
	}
	for (t = d->targets; t < d->targets + BENCH_MAX_TARGETS && t->id; t++) {
		if ((t->base && !bench_known(t->base)) ||
		    (t->ctx_what && (!bench_known(t->ctx_num) ||
				     !bench_known(t->ctx_den)))) {
			snprintf(why, len, "target %s names an unknown row", t->id);
			return -EINVAL;
		}
	}
	return 0;
}

int bench_defs_check(char *why, size_t len)
{
	unsigned int i;
	int ret;

	for (i = 0; i < bench_nr_defs; i++) {
		ret = bench_def_check(i, why, len);
		if (ret)
			return ret;
	}
	return 0;
}
