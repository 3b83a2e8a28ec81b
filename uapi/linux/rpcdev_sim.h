/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The methods of rpcdev's reference firmware: what the simulated device
 * (rpcdev_sim) answers, and any other backend that runs the same firmware.
 * They are device methods, carried by the generic ABI of linux/rpcdev.h;
 * a device with firmware of its own defines its own numbers.
 */
#ifndef _UAPI_LINUX_RPCDEV_SIM_H
#define _UAPI_LINUX_RPCDEV_SIM_H

#include <linux/types.h>

/*
 * Built-in methods of the simulated device (rpcdev_sim). Payloads are
 * little-endian.
 *
 * RPCDEV_SIM_ECHO:	returns the request unchanged.
 * RPCDEV_SIM_FAIL:	fails with status RPCDEV_STATUS_ERROR and the error
 *			payload "SimError\0" followed by the request as the
 *			message (NUL-terminated).
 * RPCDEV_SIM_DELAY:	request: __u64 microseconds; answers (with an empty
 *			result) that long after the call, without holding up
 *			other calls.
 * RPCDEV_SIM_STATS:	returns struct rpcdev_sim_stats for this queue.
 * RPCDEV_SIM_UPCALLS:	request: struct rpcdev_sim_upcalls. The device makes
 *			that many upcalls, one after the other, and returns
 *			struct rpcdev_sim_upcall_result. When a sync upcall's
 *			reply has status RPCDEV_STATUS_ERROR the device stops
 *			there and the downcall fails with that status and
 *			that error payload, as a device raising the host's
 *			exception would.
 * RPCDEV_SIM_WATCH:	request: struct rpcdev_sim_watch. The device watches
 *			a host-to-device mailbox slot until its sequence
 *			changes and returns struct rpcdev_sim_watch_result;
 *			status RPCDEV_STATUS_ERROR ("TimeoutError") when
 *			nothing was posted in time.
 * RPCDEV_SIM_NOTIFY:	request: struct rpcdev_sim_notify. The device posts
 *			count messages value, value + 1, ... on the
 *			device-to-host mailbox and returns the __u32 number
 *			it posted (fewer when the ring was full).
 * RPCDEV_SIM_MBOX_COST: request: struct rpcdev_sim_mbox_cost. The device
 *			checks a host-to-device mailbox slot count times, as
 *			its pause check would, and returns the __u64
 *			nanoseconds that took (device clock), so a benchmark
 *			can put one check beside one round trip.
 * RPCDEV_SIM_PINGPONG:	request: struct rpcdev_sim_pingpong. The device
 *			answers each new post in a host-to-device mailbox
 *			slot by posting its value on the device-to-host
 *			mailbox, with no interrupt, count times, and returns
 *			struct rpcdev_sim_pingpong_result: a ping-pong through
 *			the queue's shared memory alone, the floor under any
 *			call that goes through it. The host takes each
 *			message (moving mb_cons) before it posts again.
 */
#define RPCDEV_SIM_ECHO		1
#define RPCDEV_SIM_FAIL		2
#define RPCDEV_SIM_DELAY	3
#define RPCDEV_SIM_STATS	4
#define RPCDEV_SIM_UPCALLS	5
#define RPCDEV_SIM_WATCH	6
#define RPCDEV_SIM_NOTIFY	7
#define RPCDEV_SIM_MBOX_COST	8
#define RPCDEV_SIM_PINGPONG	9

/*
 * RPCDEV_SIM_UPCALL_ASYNC:	fire-and-forget upcalls (RPCDEV_ENTRY_ASYNC).
 * RPCDEV_SIM_UPCALL_VERIFY:	the reply to each sync upcall must repeat its
 *				request byte for byte (an echoing server);
 *				mismatches are counted.
 */
#define RPCDEV_SIM_UPCALL_ASYNC		(1U << 0)
#define RPCDEV_SIM_UPCALL_VERIFY	(1U << 1)

/**
 * struct rpcdev_sim_upcalls - request of RPCDEV_SIM_UPCALLS.
 * @count:	upcalls to make.
 * @method:	the method they call on the host.
 * @size:	payload bytes of each, at most the queue's buf_size. Upcall
 *		number n (from 0) carries n as a little-endian __u64 in its
 *		first 8 bytes (when size >= 8), then bytes (n + i) & 0xff.
 * @flags:	RPCDEV_SIM_UPCALL_* bits.
 * @timeout_ms:	how long to wait for each reply (0: 10 s).
 * @pad:	zero.
 */
struct rpcdev_sim_upcalls {
	__u32 count;
	__u32 method;
	__u32 size;
	__u32 flags;
	__u32 timeout_ms;
	__u32 pad;
};

/**
 * struct rpcdev_sim_upcall_result - answer of RPCDEV_SIM_UPCALLS.
 * @done:	upcalls answered with RPCDEV_STATUS_OK (async: acknowledged).
 * @failed:	upcalls answered with another status.
 * @no_server:	of those, answered RPCDEV_STATUS_NO_SERVER.
 * @timed_out:	upcalls with no reply within timeout_ms (the device stops).
 * @mismatched:	replies that differed from their request (VERIFY).
 * @last_status: status of the last reply.
 * @min_ns:	fastest round trip, on the device clock. The latencies are
 *		those of sync upcalls: a run of async ones reports them 0.
 * @p50_ns:	median round trip.
 * @p99_ns:	99th percentile.
 * @max_ns:	slowest.
 * @mean_ns:	mean.
 * @p999_ns:	99.9th percentile.
 * @total_ns:	from the first upcall's post to the last answer: the
 *		message rate of a run is count / total_ns.
 * @stamped:	sync upcalls whose answers carried the four timestamps of
 *		struct rpcdev_entry.ts, in order.
 * @pad:	zero.
 * @stage_ns:	over those, the mean of each part of the round trip: [0]
 *		device posts -> kernel handles the interrupt; [1] interrupt
 *		-> server woken; [2] server woken -> answer posted (the
 *		server's work and its way back into the kernel); [3] answer
 *		posted -> device sees it.
 *
 * A round trip is measured from just before the device publishes the
 * upcall to when it sees the reply (for async upcalls, the acknowledgement).
 */
struct rpcdev_sim_upcall_result {
	__u32 done;
	__u32 failed;
	__u32 no_server;
	__u32 timed_out;
	__u32 mismatched;
	__s32 last_status;
	__u64 min_ns;
	__u64 p50_ns;
	__u64 p99_ns;
	__u64 max_ns;
	__u64 mean_ns;
	__u64 p999_ns;
	__u64 total_ns;
	__u32 stamped;
	__u32 pad;
	__u64 stage_ns[4];
};

/**
 * struct rpcdev_sim_watch - request of RPCDEV_SIM_WATCH.
 * @slot:	the host-to-device mailbox slot, below RPCDEV_MBOX_SLOTS.
 * @timeout_us:	give up after this long (at most 10 s).
 * @seq:	the slot's sequence number as the host last saw it: the
 *		device waits for any other, so a post made before the device
 *		starts watching is not missed.
 * @pad:	zero.
 */
struct rpcdev_sim_watch {
	__u32 slot;
	__u32 timeout_us;
	__u32 seq;
	__u32 pad;
};

/**
 * struct rpcdev_sim_watch_result - answer of RPCDEV_SIM_WATCH.
 * @seen_ns:	CLOCK_MONOTONIC time at which the device saw the change.
 * @value:	the value it read.
 * @seq:	the sequence number it read.
 * @checks:	how many times it loaded the slot.
 */
struct rpcdev_sim_watch_result {
	__u64 seen_ns;
	__u32 value;
	__u32 seq;
	__u64 checks;
};

/**
 * struct rpcdev_sim_mbox_cost - request of RPCDEV_SIM_MBOX_COST.
 * @slot:	the slot, below RPCDEV_MBOX_SLOTS.
 * @count:	checks to make, 1 to 2^24.
 */
struct rpcdev_sim_mbox_cost {
	__u32 slot;
	__u32 count;
};

/**
 * struct rpcdev_sim_pingpong - request of RPCDEV_SIM_PINGPONG.
 * @slot:	the host-to-device mailbox slot, below RPCDEV_MBOX_SLOTS.
 * @count:	rounds, at most 2^24.
 * @seq:	the slot's sequence number as the host last saw it (as in
 *		struct rpcdev_sim_watch): the first round is the first post
 *		after it.
 * @timeout_us:	how long the device waits for each post (0: 10 s, the
 *		most); it stops at the first one that does not come.
 * @pad:	zero.
 */
struct rpcdev_sim_pingpong {
	__u32 slot;
	__u32 count;
	__u32 seq;
	__u32 timeout_us;
	__u32 pad;
};

/**
 * struct rpcdev_sim_pingpong_result - answer of RPCDEV_SIM_PINGPONG.
 * @done:	rounds answered.
 * @pad:	zero.
 * @total_ns:	from the method's start to its last answer, device clock.
 */
struct rpcdev_sim_pingpong_result {
	__u32 done;
	__u32 pad;
	__u64 total_ns;
};

/**
 * struct rpcdev_sim_notify - request of RPCDEV_SIM_NOTIFY.
 * @count:	messages to post.
 * @pad:	zero.
 * @value:	the first message; the next ones count up from it.
 */
struct rpcdev_sim_notify {
	__u32 count;
	__u32 pad;
	__u64 value;
};

/**
 * struct rpcdev_sim_stats - what RPCDEV_SIM_STATS reports.
 * @calls:	downcalls the queue's firmware took from DQ.
 * @bad:	ring entries the firmware found malformed: DQ entries with
 *		a wrong seq or a slot id that is out of range or busy
 *		(dropped), or a length past buf_size (answered
 *		RPCDEV_STATUS_BAD_REQUEST), and malformed UR entries. A
 *		well-formed call whose payload a method rejects is answered
 *		RPCDEV_STATUS_BAD_REQUEST but not counted here, nor is an
 *		impossible producer index (ignored until it makes sense).
 * @upcalls:	upcalls the queue's firmware made.
 */
struct rpcdev_sim_stats {
	__u64 calls;
	__u64 bad;
	__u64 upcalls;
};

#endif /* _UAPI_LINUX_RPCDEV_SIM_H */
