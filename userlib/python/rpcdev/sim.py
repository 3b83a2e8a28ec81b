# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""The payloads of rpcdev's reference firmware (uapi/linux/rpcdev_sim.h).

rpcdev_sim, the simulated device, answers these methods; this module packs
their requests and unpacks their answers, so a program can drive the
device from Python::

    import rpcdev, rpcdev.sim as sim

    with rpcdev.Queue() as q:
        # the device calls method 1 of this host 100 times and times it
        res = sim.upcalls(q, count=100, method=1)   # while a thread serves
        print(res.p50_ns, res.mean_ns)

Every function takes a Queue and makes one downcall (Queue.call()).
"""

import collections
import struct

from . import _rpcdev

__all__ = [
    "UpcallResult", "WatchResult", "Stats", "echo", "fail", "delay",
    "stats", "upcalls", "watch", "notify", "mbox_cost",
]

_UPCALLS = struct.Struct("<6I")
_UPCALL_RESULT = struct.Struct("<5Ii7Q2I4Q")
_WATCH = struct.Struct("<4I")
_WATCH_RESULT = struct.Struct("<Q2IQ")
_NOTIFY = struct.Struct("<2IQ")
_MBOX_COST = struct.Struct("<2I")
_STATS = struct.Struct("<3Q")

UpcallResult = collections.namedtuple("UpcallResult", [
    "done", "failed", "no_server", "timed_out", "mismatched",
    "last_status", "min_ns", "p50_ns", "p99_ns", "max_ns", "mean_ns",
    "p999_ns", "total_ns", "stamped", "stage_ns"])
UpcallResult.__doc__ = """What the device measured of a run of upcalls
(struct rpcdev_sim_upcall_result): counts of upcalls answered OK (done),
otherwise (failed, no_server of them), unanswered (timed_out), wrongly
echoed (mismatched), the last status, the sync round trips on the device
clock in ns (min, p50, p99, p999, max, mean), the whole run (total_ns),
and for stamped runs the mean of each stage of a round trip."""

WatchResult = collections.namedtuple("WatchResult",
                                     ["seen_ns", "value", "seq", "checks"])
WatchResult.__doc__ = """What the device saw in a mailbox slot: when
(CLOCK_MONOTONIC ns), the value and sequence number it read, and how many
loads it took."""

Stats = collections.namedtuple("Stats", ["calls", "bad", "upcalls"])
Stats.__doc__ = "The queue's counters in the device's firmware."


def echo(q, data, timeout=None):
    """The device returns data unchanged (SIM_ECHO)."""
    return q.call(_rpcdev.SIM_ECHO, data, timeout)


def fail(q, message, timeout=None):
    """The device fails with DeviceError("SimError", message) (SIM_FAIL)."""
    if isinstance(message, str):
        message = message.encode()
    return q.call(_rpcdev.SIM_FAIL, message, timeout)


def delay(q, us, timeout=None):
    """The device answers us microseconds after the call (SIM_DELAY)."""
    return q.call(_rpcdev.SIM_DELAY, struct.pack("<Q", us), timeout)


def stats(q, timeout=None):
    """The queue's firmware counters, a Stats (SIM_STATS)."""
    return Stats._make(_STATS.unpack(q.call(_rpcdev.SIM_STATS, b"", timeout)))


def upcalls(q, count, method=1, size=0, flags=0, reply_timeout_ms=0,
            timeout=None):
    """The device makes count upcalls of size bytes to method of this host,
    one after the other (SIM_UPCALLS), and returns an UpcallResult.

    Someone must serve them meanwhile (another thread's Queue.serve(), or
    the event loop's serve_async()). flags: SIM_UPCALL_ASYNC for
    fire-and-forget upcalls, SIM_UPCALL_VERIFY to check that each reply
    repeats its request. Upcall n carries n as a little-endian 64-bit
    number in its first 8 bytes (when size >= 8). A handler's exception
    stops the run, and the device raises it back: DeviceError with the
    handler's class name and message.
    """
    req = _UPCALLS.pack(count, method, size, flags, reply_timeout_ms, 0)
    ans = q.call(_rpcdev.SIM_UPCALLS, req, timeout)
    f = _UPCALL_RESULT.unpack(ans)
    return UpcallResult._make(f[:14] + (f[15:],))


def watch(q, slot, seq, timeout_us=1000000, timeout=None):
    """The device spins on mailbox slot until its sequence number is no
    longer seq, as a device's pause check would (SIM_WATCH); a WatchResult.
    DeviceError("TimeoutError") when nothing was posted in timeout_us."""
    ans = q.call(_rpcdev.SIM_WATCH, _WATCH.pack(slot, timeout_us, seq, 0),
                 timeout)
    return WatchResult._make(_WATCH_RESULT.unpack(ans))


def notify(q, count, value=0, timeout=None):
    """The device posts count mailbox messages value, value + 1, ... to the
    host (SIM_NOTIFY); returns how many it posted."""
    ans = q.call(_rpcdev.SIM_NOTIFY, _NOTIFY.pack(count, 0, value), timeout)
    return struct.unpack("<I", ans)[0]


def mbox_cost(q, slot, count, timeout=None):
    """The device checks mailbox slot count times and returns the ns that
    took on its clock (SIM_MBOX_COST)."""
    ans = q.call(_rpcdev.SIM_MBOX_COST, _MBOX_COST.pack(slot, count), timeout)
    return struct.unpack("<Q", ans)[0]
