#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ARTIQ's RPC timing test, reproduced on rpcdev, beside ARTIQ's transport.

ARTIQ's test_rpc_timing has the core device make 100 empty RPCs to a host
Python method, timing each on the device, and asserts on the mean and the
standard deviation (sqrt(sum((t - mean)^2) / n)) of those times. Here the
device is rpcdev_sim (its SIM_UPCALLS method makes N empty sync upcalls and
times each round trip on its clock), and the same N empty RPCs are served:

  - by a Python handler through this package (rpcdev.Queue.serve(), each
    wait policy asked for; ADAPTIVE by default);
  - by the C server: librpcdev's rpcdev_serve() with an empty reply
    written in C, driven through the extension (Queue._serve_c()) on a
    queue opened the same way;
  - by a Python TCP server on the loopback, written the way ARTIQ's host
    is (a blocking recv() loop reading sync bytes, a header and the RPC's
    fields), called by a "device" written in C (_rpcdev._tcp_device()) that
    frames and times each RPC as ARTIQ's firmware does.

And check_pause()'s equivalent: over TCP a pause check is one more RPC;
here the host stores the pause request in a mailbox slot (one store, no
system call) while the device spins on the slot (SIM_WATCH), and the device
says when it saw it: the delay from just before the store. The store comes
right after one to another slot, which the device does not watch, so that
what is timed is the store's way to the device, as in a host that posts
often; the same without that store before it (the cold path) is shown
too: under emulation the library's code and data and the mailbox page
must first be found again by the emulated CPU (its TLB), which costs the
first store over a microsecond that hardware pays in tens of ns.

The device reports no standard deviation, only its distribution (p50,
p99, mean): for rpcdev's rows the deviation is that of the gaps between
upcall arrivals at the server (one round trip each, on the same clock),
marked as such. Needs /dev/rpcdev0 from rpcdev_sim with queue QID free.

    bench_artiq.py [--counts 100,10000] [--policies adaptive] [--qid 0]
                   [--json FILE|-] [--quick]
    bench_artiq.py --bench [-n COUNT] [--repeat N] [--quick] [--json FILE|-]

The first form prints ARTIQ's table (and the JSON to FILE, or to stdout
with --json -). The second is the Python part of `make bench`: it
measures five rows (the Python handler and the C server on ADAPTIVE
queues, the Python TCP server, the mailbox pause warm and cold), COUNT upcalls or RPCs
each (default 10000, --quick 1000), N times (default 5) in rounds of
alternating order, and prints them as `rpcdev bench` prints its own:
the medians of the repetitions, then each target's ratio (the median of
its rounds' ratios, with their spread) and whether it is met.
Exit status 0 when every measurement ran; targets not met are reported.
"""

import argparse
import array
import json
import math
import os
import platform
import socket
import struct
import subprocess
import sys
import threading
import time

import rpcdev
import rpcdev.sim as sim

# ARTIQ's own limits in test_rpc_timing.
ARTIQ_MEAN_S = 3.5e-3
ARTIQ_STDDEV_S = 1e-3
# The project's targets for a Python-served upcall (ADAPTIVE), as in
# README.md's table: against the C server, against ARTIQ's transport, and
# the mailbox pause against one RPC over that transport.
TARGET_VS_C = 3.0
TARGET_VS_TCP = 20.0
TARGET_PAUSE = 0.01
PAUSES = 20
# The slot the warm pause stores to just before the timed store: one the
# device does not watch.
WARM_SLOT = 1
MBOX_CHECKS = 100000

SYNC = b"\x5a" * 4
RPC_REQUEST = 10
RPC_REPLY = 7

FW_CPU = "/sys/module/rpcdev_sim/parameters/fw_cpu"


def pct(ns, q):
    """The q-quantile of sorted ns, as the library's and the tool's."""
    return ns[min(len(ns) - 1, int(len(ns) * q))]


def stats(ns):
    """ARTIQ's mean and stddev (population), p50, p99 and p99.9, in
    seconds."""
    ns = sorted(ns)
    n = len(ns)
    mean = sum(ns) / n
    sd = math.sqrt(sum((t - mean) ** 2 for t in ns) / n)
    return {"n": n, "mean": mean / 1e9, "stddev": sd / 1e9,
            "p50": ns[n // 2] / 1e9, "p99": pct(ns, 0.99) / 1e9,
            "p999": pct(ns, 0.999) / 1e9}


def pin(cpu):
    """Run the calling thread on cpu, if there is more than one."""
    if len(os.sched_getaffinity(0)) > 1 and cpu < os.cpu_count():
        os.sched_setaffinity(0, {cpu})


class Timed:
    """The calling thread's CPU time over the wall time, in percent of a
    core, from start() to stop() (the tool's "host CPU")."""

    def start(self):
        self.cpu, self.wall = time.thread_time(), time.monotonic()

    def stop(self):
        wall = time.monotonic() - self.wall
        self.pct = (time.thread_time() - self.cpu) / wall * 100 if wall else None


# ----------------------------------------------------------------- rpcdev

def nop(req):
    """The RPC ARTIQ's test makes: nothing in, nothing out."""


def device_upcalls(q, count, serve):
    """count empty sync upcalls from the device, served by serve(q, n,
    timed) in a thread (after a short unmeasured run: caches and the
    ADAPTIVE learner warmed); the device's result and the server's CPU."""
    for n in (min(100, count), count):
        timed = Timed()
        box = []

        def server(n=n, timed=timed):
            timed.start()
            try:
                serve(q, n)
            except BaseException as exc:    # the device then times out
                box.append(exc)
            timed.stop()
        th = threading.Thread(target=server)
        th.start()
        try:
            res = sim.upcalls(q, n, method=1, size=0, timeout=60)
        finally:
            th.join(60)
        if box:
            raise box[0]
    if res.done != count:
        raise RuntimeError(f"{res.done} of {count} upcalls answered")
    return res, timed.pct


def upcall_row(res, cpu):
    return {"n": res.done, "mean": res.mean_ns / 1e9, "p50": res.p50_ns / 1e9,
            "p99": res.p99_ns / 1e9, "p999": res.p999_ns / 1e9,
            "stddev": None, "host_cpu": cpu, "clock": "device"}


def python_server(path, qid, policy, count, stamps=True):
    """count empty upcalls served by a Python handler (Queue.serve());
    with stamps, the deviation of the gaps between their arrivals."""
    box = {}

    def serve(q, n):
        box["stamps"] = st = array.array("Q", bytes(8 * n)) if stamps else None
        q.serve({1: nop}, count=n, stamps=st, timeout=30)
    with rpcdev.Queue(path, qid, policy=policy) as q:
        res, cpu = device_upcalls(q, count, serve)
    out = upcall_row(res, cpu)
    st = box["stamps"]
    if st is not None and len(st) > 1:
        g = stats([b - a for a, b in zip(st, st[1:])])
        out["stddev"] = g["stddev"]
        out["gap_mean"] = g["mean"]
    return out


def c_server(path, qid, policy, count):
    """The same upcalls served by the C server: librpcdev's rpcdev_serve()
    with an empty C handler, on a queue opened as the Python one is."""
    with rpcdev.Queue(path, qid, policy=policy) as q:
        res, cpu = device_upcalls(
            q, count, lambda q, n: q._serve_c(n, timeout=30))
    return upcall_row(res, cpu)


def pause_check(path, qid, tcp_rtt, pauses=PAUSES, warm=True):
    """check_pause(): how long after the store the device saw it, pauses
    times; and what one check of the slot costs the device. warm: store
    to WARM_SLOT just before, so the library's path to the mailbox page
    is warm (False: the first store after the pause's set-up)."""
    seen = []
    with rpcdev.Queue(path, qid) as q:
        for _ in range(pauses):
            seq = q.post(0, 0)
            box = []
            t = threading.Thread(target=lambda: box.append(
                sim.watch(q, 0, seq, timeout_us=2000000, timeout=10)))
            t.start()
            time.sleep(0.01)        # the device is watching by now
            if warm:
                q._store_timed(WARM_SLOT, 1)
            _, t0 = q._store_timed(0, 1)
            t.join()
            if not box:
                raise RuntimeError("the device did not see the pause")
            seen.append(box[0].seen_ns - t0)
        # What one check costs the device: a load (SIM_MBOX_COST).
        check_ns = sim.mbox_cost(q, 0, MBOX_CHECKS, timeout=10) / MBOX_CHECKS
    s = stats(seen)
    s["clock"] = "device"
    s["warm"] = warm
    s["share_of_tcp_rpc"] = s["p50"] / tcp_rtt if tcp_rtt else None
    s["check"] = check_ns / 1e9
    s["check_share_of_tcp_rpc"] = s["check"] / tcp_rtt if tcp_rtt else None
    return s


# -------------------------------------------------------------------- TCP

class ArtiqStyleHost:
    """A host answering RPCs over TCP as ARTIQ's does: blocking recv()
    calls until each field is in, the sync bytes one at a time."""

    def __init__(self, conn, handlers):
        self.conn = conn
        self.handlers = handlers

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.conn.recv(n - len(buf))
            if not chunk:
                raise ConnectionResetError("the device went")
            buf += chunk
        return buf

    def _read_header(self):
        synced = 0
        while synced < 4:
            synced = synced + 1 if self._read(1) == b"\x5a" else 0
        return self._read(1)[0]

    def serve(self):
        try:
            while True:
                if self._read_header() != RPC_REQUEST:
                    raise ValueError("not an RPC request")
                _async = self._read(1)[0]
                service = struct.unpack("<I", self._read(4))[0]
                tag = self._read(self._read(1)[0])
                length = struct.unpack("<I", self._read(4))[0]
                args = (self._read(length),) if tag == b":b" else ()
                result = self.handlers[service](*args)
                if result is None:
                    self.conn.sendall(SYNC + bytes([RPC_REPLY]) + b"n")
                else:
                    self.conn.sendall(SYNC + bytes([RPC_REPLY]) + b"b" +
                                      struct.pack("<I", len(result)) + result)
        except ConnectionResetError:
            pass


def lo_up():
    try:
        with open("/sys/class/net/lo/flags") as f:
            if int(f.read(), 16) & 1:
                return
    except OSError:
        return
    subprocess.run(["ip", "link", "set", "lo", "up"], check=False)


def tcp_server(count):
    """count empty RPCs to a Python TCP server (after a short unmeasured
    run); the device's figures and the server thread's CPU."""
    lo_up()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    timed = Timed()

    def host():
        conn, _ = ls.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with conn:
            timed.start()
            ArtiqStyleHost(conn, {1: lambda *a: None}).serve()
            timed.stop()
    th = threading.Thread(target=host, daemon=True)
    th.start()
    box = []

    def device():
        pin(0)
        dev = socket.create_connection(ls.getsockname())
        dev.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with dev:
            rpcdev._rpcdev._tcp_device(dev.fileno(), min(100, count))
            box.append(rpcdev._rpcdev._tcp_device(dev.fileno(), count))
    dt = threading.Thread(target=device)
    dt.start()
    dt.join()
    th.join(10)
    ls.close()
    if not box:
        raise RuntimeError("the TCP device did not finish its RPCs")
    out = stats(array.array("Q", box[0]))
    out["host_cpu"] = getattr(timed, "pct", None)
    out["clock"] = "host"
    return out


# ------------------------------------------------------------------ report

def us(s):
    return "-" if s is None else f"{s * 1e6:.1f}"


def table(results, counts):
    lines = ["ARTIQ's test_rpc_timing, reproduced: N empty sync RPCs from the "
             "device to a host method",
             "(round trips on the device's clock; stddev as ARTIQ computes it)",
             "",
             f"{'served by':<40}{'N':>7}{'mean us':>11}{'stddev us':>11}"
             f"{'p50 us':>10}{'p99 us':>10}  ARTIQ's limits"]
    for label, rows in results["rows"]:
        for n in counts:
            r = rows.get(str(n))
            if not r:
                continue
            ok = r["mean"] < ARTIQ_MEAN_S and (r["stddev"] is None or
                                               r["stddev"] < ARTIQ_STDDEV_S)
            lines.append(f"{label:<40}{n:>7}{us(r['mean']):>11}"
                         f"{us(r['stddev']) + ('*' if r.get('gap_mean') else ''):>11}"
                         f"{us(r['p50']):>10}{us(r['p99']):>10}  "
                         f"{'met' if ok else 'NOT met'}")
    lines.append("")
    lines.append("* stddev of the gaps between upcall arrivals at the Python "
                 "server (the device reports no deviation)")
    lines.append(f"ARTIQ's limits: mean < {ARTIQ_MEAN_S * 1e3} ms, stddev < "
                 f"{ARTIQ_STDDEV_S * 1e3} ms")
    r = results["ratios"]
    if r.get("python_vs_c") is not None:
        lines.append(f"Python-served upcall p50 / C server's p50: "
                     f"{r['python_vs_c']:.2f} x (target <= {TARGET_VS_C:g} x): "
                     f"{'met' if r['python_vs_c'] <= TARGET_VS_C else 'NOT met'}")
    if r.get("tcp_vs_python") is not None:
        lines.append(f"Python TCP server's p50 / Python-served upcall p50: "
                     f"{r['tcp_vs_python']:.1f} x (target >= {TARGET_VS_TCP:g} x): "
                     f"{'met' if r['tcp_vs_python'] >= TARGET_VS_TCP else 'NOT met'}")
    p = results.get("pause")
    if p:
        lines.append(f"check_pause(): the device saw the mailbox store after "
                     f"{us(p['p50'])} us (p50 of {p['n']}), "
                     f"{p['share_of_tcp_rpc'] * 100:.2f} % of one TCP RPC "
                     f"(target <= {TARGET_PAUSE * 100:g} %): "
                     f"{'met' if p['share_of_tcp_rpc'] <= TARGET_PAUSE else 'NOT met'}"
                     f"; over TCP a pause check is one RPC")
        lines.append(f"  one check of the slot costs the device "
                     f"{p['check'] * 1e9:.0f} ns, "
                     f"{p['check_share_of_tcp_rpc'] * 100:.3f} % of one TCP RPC")
    p = results.get("pause_cold")
    if p:
        lines.append(f"  with no store just before it (the cold path): "
                     f"{us(p['p50'])} us, "
                     f"{p['share_of_tcp_rpc'] * 100:.2f} % of one TCP RPC")
    lines.append("(ratios of one run; make bench gives the medians of "
                 "alternating repetitions, bench_artiq.py --bench)")
    return "\n".join(lines)


# --------------------------------------------------------- the bench mode
# `make bench`'s Python rows, printed as `rpcdev bench` prints its own
# (userlib/tool/bench/report.c): the same columns, the same target lines.

# id, label, what it measures
BENCH_ROWS = [
    ("py_upcall", "upcall ADAPTIVE, empty, Python handler",
     "the device's empty sync upcalls, served by Queue.serve()"),
    ("c_upcall", "upcall ADAPTIVE, empty, C server",
     "the same, served by librpcdev's rpcdev_serve() with an empty C reply"),
    ("py_tcp", "Python TCP server (ARTIQ's), empty RPC",
     "a C device's empty RPCs to a blocking recv() loop in Python, over TCP loopback"),
    ("mbox_pause", "mailbox pause, seen by the device",
     "from just before the host's store to the device's loop seeing it, "
     "the store right after one to another slot"),
    ("mbox_pause_cold", "mailbox pause, cold path",
     "the same with no store before it: the emulated CPU first finds the "
     "library's path and the mailbox page again"),
]
# id, what, row, base, op, limit, percent, context: row's p50 over base's
# p50 (">=": base's over row's), compared with limit; the context, a
# figure shown beside it (what, and the key of its ratio in row's rounds).
BENCH_TARGETS = [
    ("py_vs_c_upcall",
     "Python upcall p50 / C server upcall p50 (ADAPTIVE)",
     "py_upcall", "c_upcall", "<=", TARGET_VS_C, False, None),
    ("py_tcp_vs_py_upcall",
     "Python TCP server p50 / Python upcall p50",
     "py_upcall", "py_tcp", ">=", TARGET_VS_TCP, False, None),
    ("mbox_pause_vs_py_tcp",
     "mailbox pause seen / Python TCP round trip p50",
     "mbox_pause", "py_tcp", "<=", TARGET_PAUSE, True,
     ("one check of the slot by the device / Python TCP round trip p50",
      "check_share_of_tcp_rpc")),
]


def median(v):
    """The median as `rpcdev bench` takes it: the upper one of an even
    count."""
    v = sorted(v)
    return v[len(v) // 2] if v else None


def bench_ratio(rnd, row, base, op):
    r, b = rnd.get(row), rnd.get(base)
    if not r or not b or not r["p50"] or not b["p50"]:
        return None
    return r["p50"] / b["p50"] if op == "<=" else b["p50"] / r["p50"]


def bench_measure(args, count, reps, log):
    """reps rounds of every row, alternating their order; each round's
    results by row id, and the rows that failed with why."""
    def run(rid, rnd):
        if rid == "py_upcall":
            return python_server(args.device, args.qid, "adaptive", count,
                                 stamps=False)
        if rid == "c_upcall":
            return c_server(args.device, args.qid, "adaptive", count)
        if rid == "py_tcp":
            return tcp_server(count)
        tcp = rnd.get("py_tcp")
        return pause_check(args.device, args.qid, tcp and tcp["p50"],
                           args.pauses, warm=rid == "mbox_pause")

    rounds, failed = [], {}
    ids = [r[0] for r in BENCH_ROWS]
    for i in range(reps):
        rnd = {}
        for rid in (ids if i % 2 == 0 else ids[::-1]):
            if rid in failed:
                continue
            try:
                rnd[rid] = run(rid, rnd)
            except Exception as exc:   # reported, and the bench exits 1
                failed[rid] = f"{type(exc).__name__}: {exc}"
                log(f"round {i + 1}/{reps}: {rid} failed: {failed[rid]}")
                continue
            log(f"round {i + 1}/{reps}: {rid} p50 "
                f"{rnd[rid]['p50'] * 1e6:.3f} us")
        # The pauses' shares need this round's TCP round trip.
        t = rnd.get("py_tcp")
        for p in (rnd.get("mbox_pause"), rnd.get("mbox_pause_cold")):
            if p and t:
                p["share_of_tcp_rpc"] = p["p50"] / t["p50"]
                p["check_share_of_tcp_rpc"] = p["check"] / t["p50"]
        rounds.append(rnd)
    return rounds, failed


def bench_results(rounds, failed):
    """The rows (medians over the rounds) and the targets (the median of
    the rounds' ratios, with their spread), as `rpcdev bench --json`
    gives its own."""
    results = []
    for rid, name, about in BENCH_ROWS:
        runs = [r[rid] for r in rounds if rid in r]
        row = {"id": rid, "name": name, "about": about, "kind": "latency",
               "status": "failed" if rid in failed else "ok"}
        if rid in failed:
            row["note"] = failed[rid]
        if runs:
            row["clock"] = runs[0]["clock"]
            row["samples"] = runs[0]["n"]
            row["repetitions"] = len(runs)
            for key in ("p50", "p99", "p999", "mean"):
                row[key + "_ns"] = round(median([r[key] for r in runs]) * 1e9)
            cpus = [r["host_cpu"] for r in runs if r.get("host_cpu") is not None]
            row["host_cpu_pct"] = median(cpus)
            if rid.startswith("mbox_pause"):
                row["ns_per_check"] = median([r["check"] for r in runs]) * 1e9
        results.append(row)
    targets = []
    for tid, what, row, base, op, limit, percent, ctx in BENCH_TARGETS:
        ratios = [x for x in (bench_ratio(r, row, base, op) for r in rounds)
                  if x is not None]
        t = {"id": tid, "row": row, "base": base, "what": what, "op": op,
             "target": limit}
        if not ratios:
            t["status"] = "not measured"
            t["missing"] = row if row in failed else base
        else:
            v = median(ratios)
            t["ratio"] = v
            t["rounds"] = len(ratios)
            t["ratio_min"], t["ratio_max"] = min(ratios), max(ratios)
            t["status"] = "met" if (v <= limit if op == "<=" else
                                    v >= limit) else "NOT met"
        t["percent"] = percent
        ctxs = [r[row][ctx[1]] for r in rounds
                if ctx and r.get(row, {}).get(ctx[1]) is not None]
        if ctxs:
            t["context"], t["context_ratio"] = ctx[0], median(ctxs)
        targets.append(t)
    return results, targets


def fmt_ratio(v, percent):
    return f"{v * 100:.3g} %" if percent else f"{v:.2f}x"


def bench_report(results, targets, reps, count):
    """The table and the target lines, in `rpcdev bench`'s format."""
    out = [f"Python binding (bench_artiq.py --bench): {count} empty sync "
           f"RPCs per row and repetition",
           f"medians of {reps} repetitions, in rounds of alternating order:",
           f"{'measurement':<38} {'p50 us':>10} {'p99 us':>10} "
           f"{'p99.9 us':>10}  {'value':<18} {'host CPU':>8} {'n':>8}  clock"]
    notes = []
    for r in results:
        if "p50_ns" not in r:
            out.append(f"{r['name']:<38} {'FAILED':>10} {'FAILED':>10} "
                       f"{'FAILED':>10}  {'-':<18} {'-':>8} {'-':>8}")
        else:
            val = "-"
            if "ns_per_check" in r:
                val = f"{r['ns_per_check']:.3f} ns/check"
            cpu = "-" if r["host_cpu_pct"] is None else f"{r['host_cpu_pct']:.1f}%"
            out.append(f"{r['name']:<38} {r['p50_ns'] / 1e3:>10.3f} "
                       f"{r['p99_ns'] / 1e3:>10.3f} {r['p999_ns'] / 1e3:>10.3f}"
                       f"  {val:<18} {cpu:>8} {r['samples']:>8}  {r['clock']}")
        if r.get("note"):
            notes.append(f"  {r['name']}: {r['note']}")
    if notes:
        out.append("notes:")
        out.extend(notes)
    out.append("")
    out.append("targets:")
    for t in targets:
        lim = f"{t['op']} {fmt_ratio(t['target'], t['percent'])}"
        if t["status"] == "not measured":
            out.append(f"  {t['what']:<50} {'-':>9} (target {lim}): "
                       f"not measured ({t['missing']}: failed)")
            continue
        out.append(f"  {t['what']:<50} "
                   f"{fmt_ratio(t['ratio'], t['percent']):>9} "
                   f"(target {lim}): {t['status']}")
        if t["rounds"] > 1:
            out.append(f"    median of {t['rounds']} rounds, from "
                       f"{fmt_ratio(t['ratio_min'], t['percent'])} to "
                       f"{fmt_ratio(t['ratio_max'], t['percent'])}")
        if "context" in t:
            out.append(f"    beside it: {t['context']}: "
                       f"{fmt_ratio(t['context_ratio'], t['percent'])}")
    return "\n".join(out)


def bench_main(args):
    count = args.n or (1000 if args.quick else 10000)
    reps = args.repeat

    def log(msg):
        print(f"bench_artiq: {msg}", file=sys.stderr, flush=True)
    start = time.monotonic()
    rounds, failed = bench_measure(args, count, reps, log)
    results, targets = bench_results(rounds, failed)
    status = 1 if failed else 0
    data = {"tool": "bench_artiq.py --bench", "format": 1,
            "kernel": platform.release(), "iterations": count,
            "repetitions": reps, "pauses": args.pauses,
            "elapsed_s": round(time.monotonic() - start, 3),
            "exit_status": status, "results": results, "targets": targets}
    text = json.dumps(data, indent=2)
    if args.json == "-":
        print(text, flush=True)
    else:
        print(bench_report(results, targets, reps, count), flush=True)
        if args.json:
            with open(args.json, "w") as f:
                f.write(text + "\n")
    return status


def artiq_main(args):
    counts = [100] if args.quick else [int(c) for c in args.counts.split(",")]
    policies = args.policies.split(",")
    rows = []
    results = {"rows": rows, "ratios": {}}

    def measure(label, run):
        r = {}
        for n in counts:
            r[str(n)] = run(n)
            print(f"bench_artiq: {label}, {n}: p50 {us(r[str(n)]['p50'])} us",
                  file=sys.stderr, flush=True)
        rows.append((label, r))
        return r

    for policy in policies:
        measure(f"rpcdev, Python handler ({policy})",
                lambda n: python_server(args.device, args.qid, policy, n))
    c = measure(f"rpcdev, C handler ({policies[0]})",
                lambda n: c_server(args.device, args.qid, policies[0], n))
    tcp = measure("Python TCP server (ARTIQ's transport)", tcp_server)

    big = str(counts[-1])
    py = rows[0][1][big]
    results["ratios"]["python_vs_c"] = py["p50"] / c[big]["p50"]
    results["ratios"]["tcp_vs_python"] = tcp[big]["p50"] / py["p50"]
    results["pause"] = pause_check(args.device, args.qid, tcp[big]["p50"],
                                   args.pauses)
    results["pause_cold"] = pause_check(args.device, args.qid,
                                        tcp[big]["p50"], args.pauses,
                                        warm=False)

    print(table(results, counts), flush=True)
    if args.json:
        data = json.dumps({"rows": dict(rows), "ratios": results["ratios"],
                           "pause": results["pause"],
                           "pause_cold": results["pause_cold"]}, indent=2)
        if args.json == "-":
            print(data)
        else:
            with open(args.json, "w") as f:
                f.write(data + "\n")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--counts", default="100,10000")
    ap.add_argument("--policies", default="adaptive",
                    help="wait policies of the Python server (comma-separated)")
    ap.add_argument("--device", default="/dev/rpcdev0")
    ap.add_argument("--qid", type=int, default=0)
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--quick", action="store_true",
                    help="--counts 100 (--bench: -n 1000)")
    ap.add_argument("--bench", action="store_true",
                    help="make bench's rows and targets (see above)")
    ap.add_argument("-n", type=int, metavar="COUNT",
                    help="--bench: RPCs per row and repetition")
    ap.add_argument("--repeat", type=int, default=5, metavar="N",
                    help="--bench: repetitions of every row (default 5)")
    ap.add_argument("--pauses", type=int, default=PAUSES, metavar="N",
                    help=f"pause checks per run (default {PAUSES})")
    args = ap.parse_args()
    if args.repeat < 1 or args.pauses < 1 or (args.n is not None and args.n < 1):
        ap.error("-n, --repeat and --pauses take a count of at least 1")

    # The device's firmware on CPU 0, every host thread on CPU 1, as the C
    # bench places them; the TCP "device" goes to CPU 0 itself. fw_cpu is
    # given back at the end.
    old_fw_cpu = None
    try:
        with open(FW_CPU) as f:
            old_fw_cpu = f.read().strip()
        with open(FW_CPU, "w") as f:
            f.write("0" if os.cpu_count() > 1 else "-1")
    except OSError:
        pass
    pin(1)
    try:
        return bench_main(args) if args.bench else artiq_main(args)
    finally:
        if old_fw_cpu is not None:
            try:
                with open(FW_CPU, "w") as f:
                    f.write(old_fw_cpu)
            except OSError:
                pass


if __name__ == "__main__":
    sys.exit(main())
