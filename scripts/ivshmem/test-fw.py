#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host-side test of rpcdev-ivshmem-fw, with no VM: this script plays QEMU
(it connects to the server socket and takes the memfd and eventfds) and
the driver (it writes BAR2 as linux/rpcdev_ivshmem.h says and drives a
queue's rings as the rpcdev core would).

    scripts/ivshmem/test-fw.py [PATH/TO/rpcdev-ivshmem-fw]

Prints TAP; exits 0 when every check passed.
"""
import array
import mmap
import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time

FW = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "../../build/ivshmem/rpcdev-ivshmem-fw")

MAGIC, VERSION = 0x49435052, 1
DRV_OFF, QACK_OFF, ALIGN = 0x1000, 0x1000, 0x10000
ENTRY = struct.Struct("<IIIIIiQ4Q")            # struct rpcdev_entry, 64 bytes
ECHO, FAIL, STATS, UPCALLS, NOTIFY = 1, 2, 4, 5, 7
TEST_KILL, TEST_MUTE, TEST_HOSTILE = 0x7e000001, 0x7e000002, 0x7e000004
TEST_FAULT, FAULT_DROP_REPLY, FAULT_LONG_REPLY = 0x7e000005, 0, 6
BAD_REQUEST = 3
# RPCDEV_IVSHMEM_F_INLINE; RPCDEV_ATTACH_INLINE; RPCDEV_ENTRY_INLINE, _ASYNC
F_INLINE, ATTACH_INLINE, ENTRY_INLINE, INLINE_MAX = 1 << 5, 1 << 3, 1 << 2, 64
ENTRY_BUFS = 1 << 3                                 # RPCDEV_ENTRY_BUFS
# struct rpcdev_dev_ctrl / rpcdev_host_ctrl: one 64-byte line per index.
DC_PROD, UQ_PROD, DQ_CONS, UR_CONS, MB_PROD, DFLAGS, MB_MSGS = 0, 64, 128, 192, 256, 320, 384
DQ_PROD, UR_PROD, DC_CONS, UQ_CONS, MB_CONS, HFLAGS = 0, 64, 128, 192, 256, 320
NEED_WAKEUP = 1

results = []


def check(ok, what):
    results.append(bool(ok))
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), what), flush=True)
    return ok


class Guest:
    """QEMU's side of the ivshmem protocol, and the driver's view of BAR2."""

    def __init__(self, path, nvec):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        msgs = [self.recv() for _ in range(3 + 2 * nvec)]
        self.version, self.peer = msgs[0][0], msgs[1][0]
        assert msgs[2][0] == -1 and msgs[2][1] is not None
        self.shm_fd = msgs[2][1]
        size = os.fstat(self.shm_fd).st_size
        self.shm = mmap.mmap(self.shm_fd, size)
        self.w32 = memoryview(self.shm).cast("I")
        self.w64 = memoryview(self.shm).cast("Q")
        self.size = size
        self.fw_peer = msgs[3][0]
        self.doorbell = [m[1] for m in msgs[3:3 + nvec]]     # write: ring the firmware
        self.irq = [m[1] for m in msgs[3 + nvec:]]           # read: our MSI-X vectors
        self.own_ids = [m[0] for m in msgs[3 + nvec:]]

    def recv(self):
        fds = array.array("i")
        data, anc, _, _ = self.sock.recvmsg(8, socket.CMSG_LEN(fds.itemsize))
        fd = None
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[:fds.itemsize])
                fd = fds[0]
        return struct.unpack("<q", data)[0], fd

    # Words are stored whole, as the driver stores them: struct.pack_into()
    # zeroes its bytes first, and the firmware would see that 0 go by.
    def u32(self, off, val=None):
        if val is None:
            return self.w32[off // 4]
        self.w32[off // 4] = val

    def u64(self, off, val=None):
        if val is None:
            return self.w64[off // 8]
        self.w64[off // 8] = val

    def entry(self, off, seq, *fields, data=b""):
        """Publish a ring entry: its fields (and an inline payload in its
        second line), then its seq, as a producer must."""
        packed = ENTRY.pack(seq, *fields)
        self.shm[off + 64:off + 64 + len(data)] = data
        self.shm[off + 4:off + 64] = packed[4:]
        self.u32(off, seq)

    def ring(self, vec):
        os.write(self.doorbell[vec], struct.pack("<Q", 1))

    def irqs(self, vec):
        try:
            return struct.unpack("<Q", os.read(self.irq[vec], 8))[0]
        except BlockingIOError:
            return 0


def wait_for(cond, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.002)
    return cond()


class Queue:
    """A queue started as the driver starts one; its rings driven as the core does."""

    def __init__(self, g, hdr, qid, depth=8, buf_size=4096, gen=1, inline=False):
        self.g, self.qid, self.depth, self.buf = g, qid, depth, buf_size
        # RPCDEV_ATTACH_INLINE: entries of two lines, small payloads in them.
        self.inline = inline
        self.esz = 128 if inline else 64
        self.base = hdr["queue_off"] + qid * hdr["queue_stride"]
        self.nq = hdr["nr_queues"]
        bufs = -(-depth * buf_size // ALIGN) * ALIGN
        offs, sizes, off = [], [], ALIGN
        for part in range(6):
            size = ALIGN if part % 3 == 0 else bufs
            offs.append(off)
            sizes.append(size)
            off += size
        self.off, self.sizes = offs, sizes
        self.dc_off, self.uq_off = 4096, 4096 + depth * self.esz
        self.dq_off, self.ur_off = 4096, 4096 + depth * self.esz
        self.gen = gen
        self.dq_prod = self.dc_cons = self.uq_cons = self.ur_prod = 0

    def a(self, part, off=0):
        return self.base + self.off[part] + off

    def request(self, code, **override):
        g, c = self.g, self.base
        for part in range(6):
            g.shm[self.a(part):self.a(part) + self.sizes[part]] = bytes(self.sizes[part])
        fields = dict(depth=self.depth, buf_size=self.buf,
                      flags=ATTACH_INLINE if self.inline else 0, offs=self.off,
                      sizes=self.sizes, rings=(self.dc_off, self.uq_off, self.dq_off, self.ur_off))
        fields.update(override)
        # The configuration is only read after the req word below.
        struct.pack_into("<IIII", g.shm, c + 8, fields["depth"], fields["buf_size"], fields["flags"], 0)
        struct.pack_into("<6Q", g.shm, c + 24, *fields["offs"])
        struct.pack_into("<6Q", g.shm, c + 72, *fields["sizes"])
        struct.pack_into("<4Q", g.shm, c + 120, *fields["rings"])
        self.gen += 1
        g.u64(c, (self.gen << 32) | code)
        g.ring(self.nq)
        ok = wait_for(lambda: g.u32(c + QACK_OFF) == self.gen)
        return ok, g.u32(c + QACK_OFF + 4), g.u32(c + QACK_OFF + 8)

    def post(self, method, payload, sid=0, flags=None, ln=None, publish=True):
        """Post a downcall on DQ, ringing the doorbell if the firmware sleeps;
        inline when it fits an inline queue's entry, unless told otherwise.
        With publish=False the entry waits for publish(), with the next."""
        g, pos = self.g, self.dq_prod
        if flags is None:
            flags = ENTRY_INLINE if self.inline and len(payload) <= INLINE_MAX else 0
        e = self.a(3, self.dq_off + (pos % self.depth) * self.esz)
        if flags & ENTRY_INLINE:
            data = payload
        else:
            data = b""
            g.shm[self.a(4, sid * self.buf):self.a(4, sid * self.buf) + len(payload)] = payload
        g.entry(e, pos + 1, sid, method, len(payload) if ln is None else ln, flags, 0,
                0xabc0 + pos, 0, 0, 0, 0, data=data)
        self.dq_prod += 1
        if publish:
            self.publish()

    def publish(self):
        """Publish DQ's producer index, ringing the doorbell if the firmware sleeps."""
        self.g.u32(self.a(3, DQ_PROD), self.dq_prod)
        if self.g.u32(self.a(0, DFLAGS)) & 1:
            self.g.ring(self.qid)

    def call(self, method, payload, timeout=5.0, sid=0, **entry):
        self.post(method, payload, sid, **entry)
        return self.answer(timeout)

    def answer(self, timeout=5.0):
        g, pos = self.g, self.dc_cons
        e = self.a(0, self.dc_off + (pos % self.depth) * self.esz)
        if not wait_for(lambda: g.u32(e) == pos + 1, timeout):
            return None
        seq, sid, method, ln, flags, status, tag, *ts = ENTRY.unpack_from(g.shm, e)
        if flags & ENTRY_INLINE:
            data = bytes(g.shm[e + 64:e + 64 + min(ln, INLINE_MAX)])
        else:
            data = bytes(g.shm[self.a(1, sid * self.buf):self.a(1, sid * self.buf) + min(ln, self.buf)])
        self.dc_cons += 1
        g.u32(self.a(3, DC_CONS), self.dc_cons)
        return dict(id=sid, method=method, len=ln, flags=flags, status=status, tag=tag, data=data)

    def serve_upcalls(self, count, stop_after=None, seen=None):
        """Answer `count` upcalls by echoing them, as a server on user rings
        (inline where they came inline); each entry's flags go in `seen`."""
        g, served = self.g, 0
        while served < count:
            pos = self.uq_cons
            e = self.a(0, self.uq_off + (pos % self.depth) * self.esz)
            if not wait_for(lambda: g.u32(e) == pos + 1):
                return served
            seq, sid, method, ln, flags, status, tag, *ts = ENTRY.unpack_from(g.shm, e)
            if seen is not None:
                seen.append(flags)
            inline = flags & ENTRY_INLINE
            if inline:
                data = bytes(g.shm[e + 64:e + 64 + ln])
            else:
                data = bytes(g.shm[self.a(2, sid * self.buf):self.a(2, sid * self.buf) + ln])
                g.shm[self.a(5, sid * self.buf):self.a(5, sid * self.buf) + ln] = data
            self.uq_cons += 1
            g.u32(self.a(3, UQ_CONS), self.uq_cons)
            r = self.a(3, self.ur_off + (self.ur_prod % self.depth) * self.esz)
            g.entry(r, self.ur_prod + 1, sid, method, ln, inline, 0, tag, 0, 0, 0, 0,
                    data=data if inline else b"")
            self.ur_prod += 1
            g.u32(self.a(3, UR_PROD), self.ur_prod)
            if g.u32(self.a(0, DFLAGS)) & 1:
                g.ring(self.qid)
            served += 1
        return served


def header(g):
    f = struct.unpack_from("<IIQIIQQQQI", g.shm, 0)
    keys = ("magic", "version", "features", "nr_queues", "nr_vectors", "shm_size",
            "queue_off", "queue_stride", "queue_size", "fw_peer")
    h = dict(zip(keys, f))
    h["fw_state"] = g.u32(128)
    h["heartbeat"] = g.u64(136)
    return h


def driver_up(g, gen):
    g.u32(DRV_OFF, 1)
    g.u32(DRV_OFF + 4, g.peer)
    g.u32(DRV_OFF + 8, gen)
    g.ring(header(g)["nr_queues"])
    return wait_for(lambda: g.u32(144) == gen)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tcp_echo_round(port, payload):
    """One connection to the firmware's TCP echo: payload out, what comes back."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as c:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        got = b""
        for _ in range(3):
            c.sendall(payload)
            got = b""
            while len(got) < len(payload):
                more = c.recv(len(payload) - len(got))
                if not more:
                    return got
                got += more
        return got


def check_tcp_echo(port):
    """--tcp-echo PORT: every byte comes back, connection after connection."""
    msg = bytes(range(64))
    check(tcp_echo_round(port, msg) == msg, "--tcp-echo echoes 64 bytes, three times")
    big = os.urandom(100000)
    check(tcp_echo_round(port, big) == big, "--tcp-echo echoes 100000 bytes on a new connection")
    bad = subprocess.run([FW, "--socket", "/nonexistent/x.sock", "--tcp-echo", "0"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    check(bad.returncode == 2, "--tcp-echo 0 is a usage error (exit 2)")


def ring_bench_checks():
    """rpcdev-ring-bench, built beside the firmware: the firmware's upcall
    loop and librpcdev's POLL server in two threads, beside the ping-pong.
    A short run: its figures are not judged, only that every round ran."""
    bench = os.path.join(os.path.dirname(FW), "rpcdev-ring-bench")
    if len(os.sched_getaffinity(0)) < 2:
        print("ok %d # SKIP ring bench: this host has one CPU, the two sides need two"
              % (len(results) + 1))
        results.append(True)
        return
    run = subprocess.run([bench, "-n", "2000", "-r", "3"], capture_output=True, text=True,
                         timeout=120)
    lines = run.stdout.splitlines()
    check(run.returncode == 0 and any("upcall POLL p50 / shared-memory ping-pong p50" in ln
                                      for ln in lines) and "median of 3 rounds" in run.stdout,
          "ring bench: 2000 upcalls echoed and verified in each of 3 rounds, the ratio printed")
    bad = subprocess.run([bench, "--cpus", "0,0"], capture_output=True, text=True)
    check(bad.returncode == 2 and "two different CPUs" in bad.stderr,
          "ring bench: both sides on one CPU is a usage error (exit 2)")


def inline_checks(g, h, gen):
    """Queue 0 started with RPCDEV_ATTACH_INLINE (then stopped): the
    firmware's side of inline payloads. Returns the queue's last generation."""
    q = Queue(g, h, 0, gen=gen, inline=True)
    narrow = (4096, 4096 + q.depth * 64, 4096, 4096 + q.depth * 64)
    check(q.request(1, rings=narrow)[1:] == (2, 2),
          "inline: rings of one-line entries overlap, refused RANGE")
    check(q.request(1)[:3] == (True, 1, 0), "inline: a start with RPCDEV_ATTACH_INLINE runs")
    for ln in (0, 1, INLINE_MAX, INLINE_MAX + 1, 4000):
        payload = bytes((i * 7 + 3) & 0xff for i in range(ln))
        a = q.call(ECHO, payload)
        want = ENTRY_INLINE if ln <= INLINE_MAX else 0
        check(a and a["status"] == 0 and a["len"] == ln and a["data"] == payload and
              a["flags"] & ENTRY_INLINE == want,
              "inline: ECHO of %d byte(s) comes back exactly, %s" %
              (ln, "in the entry" if want else "in the buffer"))
    a = q.call(ECHO, b"x" * 8, flags=0)
    check(a and a["status"] == 0 and a["data"] == b"x" * 8,
          "inline: a small request in its buffer is honoured")
    a = q.call(ECHO, b"y" * 8, flags=ENTRY_INLINE, ln=INLINE_MAX + 1)
    check(a and a["status"] == BAD_REQUEST, "inline: an inline request past the limit is BAD_REQUEST")
    q.call(TEST_FAULT, struct.pack("<IIQ", FAULT_LONG_REPLY, 0, 1))
    a = q.call(ECHO, b"long")
    check(a and a["flags"] & ENTRY_INLINE and a["len"] == INLINE_MAX + 1,
          "inline: LONG_REPLY marks the next small answer inline, past the limit")
    for size in (INLINE_MAX, INLINE_MAX + 1):
        seen = []
        q.post(UPCALLS, struct.pack("<IIIIII", 4, 77, size, 2, 0, 0))
        served = q.serve_upcalls(4, seen=seen)
        a = q.answer()
        done, failed, no_server, timed_out, mismatched = (
            struct.unpack("<5I", a["data"][:20]) if a else (0,) * 5)
        want = ENTRY_INLINE if size <= INLINE_MAX else 0
        check(served == 4 and done == 4 and mismatched == 0 and
              all(f & ENTRY_INLINE == want for f in seen),
              "inline: 4 upcalls of %d bytes, %s, echoed exactly" %
              (size, "inline" if want else "in the buffers"))
    check(q.request(0)[:2] == (True, 0), "inline: a stop is acknowledged")
    q0 = Queue(g, h, 0, gen=q.gen)
    check(q0.request(1)[:3] == (True, 1, 0), "inline: queue 0 starts again without the flag")
    a = q0.call(ECHO, b"z" * 8, flags=ENTRY_INLINE)
    check(a and a["status"] == BAD_REQUEST,
          "inline: an inline request on a queue without the flag is BAD_REQUEST")
    a = q0.call(ECHO, b"old")
    check(a and a["data"] == b"old" and not a["flags"] & ENTRY_INLINE,
          "inline: without the flag answers use the buffers")
    check(q0.request(0)[:2] == (True, 0), "inline: the stop of the old queue is acknowledged")
    return q0.gen


def start_fw(tmp, name, queues, *args):
    """Run the firmware with its socket, log and pidfile named @name in @tmp;
    (process, socket path, log path)."""
    sock, log = os.path.join(tmp, name + ".sock"), os.path.join(tmp, name + ".log")
    pidfile = os.path.join(tmp, name + ".pid")
    fw = subprocess.Popen([FW, "--socket", sock, "--queues", str(queues), "--log", log,
                           "--pidfile", pidfile] + list(args))
    check(wait_for(lambda: os.path.exists(pidfile)),
          "%s: the firmware listens" % " ".join(args))
    return fw, sock, log


def no_inline_checks(tmp):
    """A firmware run with --no-inline neither offers nor starts inline queues."""
    fw, sock, log = start_fw(tmp, "old", 1, "--shm-size", "16M", "--no-inline")
    try:
        g = Guest(sock, 2)
        h = header(g)
        check(not h["features"] & F_INLINE, "--no-inline: RPCDEV_IVSHMEM_F_INLINE is not offered")
        check(driver_up(g, 1), "--no-inline: the driver's block is acknowledged")
        q = Queue(g, h, 0, inline=True)
        check(q.request(1)[1:] == (2, 4), "--no-inline: an inline start is refused FEATURE")
        q = Queue(g, h, 0, gen=q.gen)
        check(q.request(1)[:3] == (True, 1, 0), "--no-inline: a start without the flag runs")
        a = q.call(ECHO, b"old firmware")
        check(a and a["data"] == b"old firmware", "--no-inline: ECHO comes back")
    finally:
        fw.terminate()
        fw.wait(5)


def irq_hold_checks(tmp):
    """--irq-hold-us: the answers to calls posted at once share one interrupt
    under a long hold; with none, each answer has its own."""
    for hold, want in (("1000000", 1), ("0", 8)):
        fw, sock, log = start_fw(tmp, "hold" + hold, 1, "--shm-size", "16M",
                                 "--irq-hold-us", hold)
        try:
            g = Guest(sock, 2)
            h = header(g)
            q = Queue(g, h, 0)
            started = driver_up(g, 1) and q.request(1)[:3] == (True, 1, 0)
            g.u32(q.a(3, HFLAGS), NEED_WAKEUP)
            g.irqs(0)
            msgs = [b"burst %d" % i for i in range(8)]
            for i, m in enumerate(msgs):
                q.post(ECHO, m, sid=i, publish=False)
            q.publish()
            exact = all((q.answer() or {}).get("data") == m for m in msgs)
            # The interrupt follows the last answer: count until it came,
            # then a while longer for any that should not come.
            seen = [0]

            def count():
                seen[0] += g.irqs(0)
                return seen[0] >= want
            wait_for(count, 1.0)
            time.sleep(0.05)
            count()
            check(started and exact and seen[0] == want,
                  "--irq-hold-us %s: 8 calls posted at once, answered exactly, with %d interrupt%s"
                  % (hold, want, "" if want == 1 else "s"))
        finally:
            fw.terminate()
            fw.wait(5)
    bad = subprocess.run([FW, "--socket", "/nonexistent/x.sock", "--irq-hold-us", "1000001"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    check(bad.returncode == 2, "--irq-hold-us past 1 s is a usage error (exit 2)")


def main():
    tmp = tempfile.mkdtemp(prefix="rpcdev-ivfw-")
    port = free_port()
    fw, sock, log = start_fw(tmp, "fw", 2, "--shm-size", "64M", "--test-methods",
                             "--tcp-echo", str(port))
    try:
        g = Guest(sock, 3)
        h = header(g)
        check(g.version == 0 and g.peer != g.fw_peer, "protocol version 0, a peer id of its own")
        check(all(i == g.peer for i in g.own_ids), "interrupt setup carries the guest's own id")
        check(h["magic"] == MAGIC and h["version"] == VERSION and h["fw_state"] == 1,
              "header: magic, version, READY")
        check(h["nr_queues"] == 2 and h["nr_vectors"] == 3 and h["shm_size"] == g.size,
              "header: queues, vectors, size")
        check(h["queue_off"] % ALIGN == 0 and h["queue_stride"] % ALIGN == 0 and
              h["queue_off"] + 2 * h["queue_stride"] <= g.size, "header: regions fit")
        check(h["fw_peer"] == g.fw_peer, "header: the firmware's peer id is the one it rings")
        check(h["features"] & F_INLINE, "header: the firmware offers inline payloads")
        hb = header(g)["heartbeat"]
        check(wait_for(lambda: header(g)["heartbeat"] != hb, 1.0), "the heartbeat moves")
        check(driver_up(g, 1), "the driver's block is acknowledged")
        check(wait_for(lambda: g.irqs(2) > 0, 1.0), "... with the control vector")
        check_tcp_echo(port)

        q = Queue(g, h, 0)
        check(q.request(1, depth=3)[1:] == (2, 1), "a start with depth 3 is refused INVAL")
        bad = list(q.off)
        bad[2] = bad[1]
        check(q.request(1, offs=bad)[1:] == (2, 2), "a start with overlapping parts is refused RANGE")
        check(q.request(1, rings=(0, 4096 + 512, 4096, 4096 + 512))[1:] == (2, 2),
              "a ring over the control page is refused RANGE")
        check(q.request(1)[:3] == (True, 1, 0), "a good start runs the queue")
        g.irqs(2)
        a = q.call(ECHO, b"hello ivshmem")
        check(a and a["status"] == 0 and a["data"] == b"hello ivshmem" and a["tag"] == 0xabc0,
              "ECHO comes back on DC")
        a = q.call(FAIL, b"boom")
        check(a and a["status"] == 1 and a["data"] == b"SimError\0boom\0", "FAIL raises SimError")
        a = q.call(0x1234, b"")
        check(a and a["status"] == 2, "an unknown method is NO_METHOD")
        g.u32(q.a(3, HFLAGS), NEED_WAKEUP)
        g.irqs(0)
        a = q.call(ECHO, b"x")
        check(a and wait_for(lambda: g.irqs(0) > 0, 1.0), "a host that asks for wakeups gets MSI-X vector 0")
        g.u32(q.a(3, HFLAGS), 0)

        # A bad entry: seq wrong. Dropped and counted, the next call unharmed.
        e = q.a(3, q.dq_off + (q.dq_prod % q.depth) * 64)
        g.entry(e, 999, 0, ECHO, 1, 0, 0, 0, 0, 0, 0, 0)
        q.dq_prod += 1
        g.u32(q.a(3, DQ_PROD), q.dq_prod)
        a = q.call(STATS, b"")
        calls, bad_count, upcalls = struct.unpack("<QQQ", a["data"][:24]) if a else (0, 0, 0)
        check(a and bad_count == 1, "an entry with a wrong seq is dropped and counted")

        # A call naming registered buffers (RPCDEV_ENTRY_BUFS, its struct
        # rpcdev_buf_desc in the DQ buffer): this device reaches BAR2 alone,
        # so no buffer resolves and the answer is BAD_REQUEST, nothing written.
        desc = struct.pack("<IHHQQI", 3, 0, 1, 0, 0, 64).ljust(64, b"\0")
        q.post(ECHO, desc, flags=ENTRY_BUFS, ln=8)
        a = q.answer()
        check(a and a["status"] == BAD_REQUEST and a["flags"] == 0 and a["len"] == 0,
              "a call in registered buffers is BAD_REQUEST")

        # Upcalls with VERIFY, answered as a user-rings server would.
        q.post(UPCALLS, struct.pack("<IIIIII", 20, 77, 100, 2, 0, 0))
        check(q.serve_upcalls(20) == 20, "20 upcalls are made")
        a = q.answer()
        done, failed, no_server, timed_out, mismatched = struct.unpack("<5I", a["data"][:20]) if a else (0,) * 5
        check(a and a["status"] == 0 and done == 20 and mismatched == 0 and timed_out == 0,
              "UPCALLS reports 20 done, none mismatched")

        a = q.call(NOTIFY, struct.pack("<IIQ", 3, 0, 500))
        check(a and struct.unpack("<I", a["data"][:4])[0] == 3 and
              g.u32(q.a(0, MB_PROD)) == 3 and g.u64(q.a(0, MB_MSGS + 8)) == 501,
              "NOTIFY posts on the device-to-host mailbox")

        # PINGPONG: each post in mailbox slot 2 comes back as a message.
        PINGPONG, MBOX, MB_CONS_OFF = 9, 384, MB_CONS
        q.post(PINGPONG, struct.pack("<5I", 2, 50, 0, 0, 0))
        mb_cons, rounds = 3, 0
        g.u32(q.a(3, MB_CONS_OFF), mb_cons)
        for i in range(50):
            g.u64(q.a(3, MBOX + 2 * 8), ((i + 1) << 32) | (1000 + i))
            if not wait_for(lambda: g.u32(q.a(0, MB_PROD)) == mb_cons + 1, 2.0):
                break
            if g.u64(q.a(0, MB_MSGS + 8 * (mb_cons % 64))) != 1000 + i:
                break
            mb_cons += 1
            g.u32(q.a(3, MB_CONS_OFF), mb_cons)
            rounds += 1
        a = q.answer()
        check(rounds == 50 and a and struct.unpack("<I", a["data"][:4])[0] == 50,
              "PINGPONG answers 50 posts through shared memory alone")

        # Queue 1 turns hostile: its answers may be broken, queue 0's are not.
        q1 = Queue(g, h, 1)
        check(q1.request(1)[:3] == (True, 1, 0), "queue 1 starts")
        a = q1.call(TEST_HOSTILE, struct.pack("<II", 0, 1))
        check(a and a["status"] == 0, "TEST_HOSTILE is answered")
        time.sleep(0.05)
        broken = 0
        for i in range(64):
            a = q1.call(ECHO, b"%d" % i, timeout=0.2)
            if not a or a["data"] != b"%d" % i or a["len"] > q1.buf:
                broken += 1
                break
        check(broken, "a hostile queue breaks an answer")
        ok = all((q.call(ECHO, b"q0-%d" % i) or {}).get("data") == b"q0-%d" % i for i in range(16))
        check(ok, "queue 0 keeps answering")

        # A fault armed on queue 0 (RPCDEV_IVSHMEM_TEST_FAULT) breaks the
        # next answer, never the arming call's own.
        a = q.call(TEST_FAULT, struct.pack("<IIQ", FAULT_DROP_REPLY, 0, 1))
        check(a and a["status"] == 0, "TEST_FAULT is answered, intact")
        check(q.call(ECHO, b"lost", timeout=0.3) is None,
              "DROP_REPLY: the next answer never comes")
        a = q.call(ECHO, b"kept")
        check(a and a["data"] == b"kept", "DROP_REPLY: the one after it comes")
        q.call(TEST_FAULT, struct.pack("<IIQ", FAULT_LONG_REPLY, 0, 1))
        a = q.call(ECHO, b"long")
        check(a and a["len"] == q.buf + 1,
              "LONG_REPLY: the next answer's length is past the buffers")
        a = q.call(TEST_FAULT, struct.pack("<IIQ", 99, 0, 1))
        check(a and a["status"] == BAD_REQUEST, "an unknown fault is refused")

        check(q.request(0)[:2] == (True, 0), "a stop is acknowledged")
        gen = inline_checks(g, h, q.gen)
        hb = header(g)["heartbeat"]
        q = Queue(g, h, 0, gen=gen)
        q.request(1)
        a = q.call(TEST_KILL, struct.pack("<II", 0, 0))
        check(a and a["status"] == 0, "TEST_KILL is answered first")
        check(fw.wait(5) == -9, "then the firmware dies of SIGKILL")
        hb = header(g)["heartbeat"]
        time.sleep(0.1)
        check(header(g)["heartbeat"] == hb, "its heartbeat stands still")
        with open(log) as f:
            text = f.read()
        check(" error: " not in text, "the firmware logged no error")
    finally:
        if fw.poll() is None:
            fw.terminate()
            fw.wait(5)
    no_inline_checks(tmp)
    irq_hold_checks(tmp)
    ring_bench_checks()
    failed = results.count(False)
    print("1..%d" % len(results))
    print("# %d passed, %d failed (firmware log: %s)" % (len(results) - failed, failed, log))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
