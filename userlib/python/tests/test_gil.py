# SPDX-License-Identifier: GPL-2.0
"""The GIL: a serve loop waits for the device without it, so a second
Python thread runs at its full speed meanwhile (what ARTIQ's host could
not have with busy polling), and takes it only to run a handler. Progress
is counted, not timed: the counting thread's iterations while the server
waits or serves against its iterations while the main thread sleeps, over
the same stretch of the clock."""

import os
import threading
import time
import unittest

import rpcdev
import rpcdev.sim as sim
import support

# The stretch each count runs for, in seconds.
SPAN = 0.5
# Below this share of its own speed the thread was starved: holding the GIL
# while spinning would give it almost nothing.
FULL_SPEED = 0.5


FW_CPU = "/sys/module/rpcdev_sim/parameters/fw_cpu"


class Counter:
    """A Python thread counting loop iterations on CPU 1 until stop()."""

    def __init__(self):
        self.n = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        os.sched_setaffinity(0, {1})
        n = 0
        while not self._stop:
            n += 1
        self.n = n

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self._stop = True
        self.thread.join()
        return self.n


def count_while(work):
    """The counting thread's iterations during work()."""
    counter = Counter().start()
    work()
    return counter.stop()


class GilTestCase(support.DeviceTestCase):
    """The counting thread has CPU 1 to itself; the device's firmware, the
    server and the caller share CPU 0. Only the GIL can then slow the
    counting thread down."""

    def setUp(self):
        if len(os.sched_getaffinity(0)) < 2:
            self.skipTest("needs two CPUs: one for the counting thread")
        with open(FW_CPU, "w") as f:
            f.write("0")
        self.addCleanup(self._unpin)
        os.sched_setaffinity(0, {0})
        super().setUp()     # the queue's firmware starts on CPU 0

    def _unpin(self):
        os.sched_setaffinity(0, range(os.cpu_count()))
        with open(FW_CPU, "w") as f:
            f.write("-1")

    def assert_full_speed(self, during, alone, floor=FULL_SPEED):
        self.assertGreater(alone, 0)
        self.assertGreaterEqual(during / alone, floor,
                                f"{during} iterations while serving, "
                                f"{alone} alone")


class GilTests:

    def test_second_thread_runs_at_full_speed_while_server_waits(self):
        alone = count_while(lambda: time.sleep(SPAN))
        served = []
        during = count_while(
            lambda: served.append(self.q.serve({1: bytes}, timeout=SPAN)))
        self.assertEqual(served, [0])
        self.assert_full_speed(during, alone)


class GilPollTest(GilTests, GilTestCase):
    POLICY = "poll"


class GilAdaptiveTest(GilTests, GilTestCase):
    POLICY = "adaptive"


class GilBlockTest(GilTests, GilTestCase):
    POLICY = "block"


class GilUpcallsTest(GilTestCase):
    """Upcalls now and then, as an experiment's RPCs come: between them the
    server waits without the GIL. (Back to back, a server and a busy
    thread share the GIL as any two busy Python threads do.) BLOCK, so
    that no thread spins on the emulated CPU 0: under emulation a busy
    vCPU takes host time from the counting thread's, which is not the
    GIL's doing (the tests above cover the spinning waits)."""

    POLICY = "block"
    # Each upcall costs the counting thread its turns with the GIL: the
    # caller's and the handler's Python, and each hand-back of the GIL
    # under emulation (on the debug kernel, with lockdep on every futex,
    # one upcall cost it tens of milliseconds; at 40 upcalls a second its
    # share fell below a quarter). So the upcalls come eight a second, as
    # an experiment's RPCs do, and the share counts the waits between
    # them, which is what this test is about.
    UPCALLS = 8
    GAP = 0.125
    # Runs scatter with the host's load: the median of three.
    RUNS = 3
    # A server that kept the GIL while blocked in its wait would leave the
    # counting thread almost nothing; one that lets it go leaves it most.
    FLOOR = 0.25

    def serve_and_count(self):
        """(iterations while upcalls are served, iterations alone over
        the same stretch of the clock)."""
        seen = []
        server = support.Server(self.q, {1: lambda r: seen.append(1)},
                                count=self.UPCALLS)
        span = []

        def run():
            t0 = time.monotonic()
            for _ in range(self.UPCALLS):
                sim.upcalls(self.q, 1, timeout=support.WAIT_S)
                time.sleep(self.GAP)
            span.append(time.monotonic() - t0)
        during = count_while(run)
        self.assertEqual(server.join(), self.UPCALLS)
        self.assertEqual(len(seen), self.UPCALLS)
        alone = count_while(lambda: time.sleep(span[0]))
        self.assertGreater(alone, 0)
        return during, alone

    def test_second_thread_runs_at_full_speed_while_upcalls_are_served(self):
        runs = sorted((self.serve_and_count() for _ in range(self.RUNS)),
                      key=lambda r: r[0] / r[1])
        during, alone = runs[len(runs) // 2]
        self.assert_full_speed(during, alone, self.FLOOR)


if __name__ == "__main__":
    unittest.main()
