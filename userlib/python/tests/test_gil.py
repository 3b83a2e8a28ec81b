# SPDX-License-Identifier: GPL-2.0
"""The GIL: a serve loop waits for the device without it, so a second
Python thread runs at its full speed meanwhile (what ARTIQ's host could
not have with busy polling). Progress is counted, not timed: the counting
thread's iterations while the server waits against its iterations while
the main thread sleeps, over the same stretch of the clock."""

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


class Counter:
    """A Python thread counting loop iterations until stop()."""

    def __init__(self):
        self.n = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
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


class GilTests:

    def test_second_thread_runs_at_full_speed_while_server_waits(self):
        alone = count_while(lambda: time.sleep(SPAN))
        served = []
        during = count_while(
            lambda: served.append(self.q.serve({1: bytes}, timeout=SPAN)))
        self.assertEqual(served, [0])
        self.assertGreater(alone, 0)
        self.assertGreaterEqual(during / alone, FULL_SPEED,
                                f"{during} iterations while serving, "
                                f"{alone} alone")


class GilPollTest(GilTests, support.DeviceTestCase):
    POLICY = "poll"


class GilAdaptiveTest(GilTests, support.DeviceTestCase):
    POLICY = "adaptive"


class GilBlockTest(GilTests, support.DeviceTestCase):
    POLICY = "block"


class GilUpcallsTest(support.DeviceTestCase):
    POLICY = "poll"

    def test_thread_and_server_both_progress_during_upcalls(self):
        seen = []
        server = support.Server(self.q, {1: lambda r: seen.append(1)},
                                count=100)
        span = []

        def run():
            t0 = time.monotonic()
            sim.upcalls(self.q, 100, flags=rpcdev.SIM_UPCALL_ASYNC,
                        timeout=support.WAIT_S)
            span.append(time.monotonic() - t0)
        during = count_while(run)
        server.join()
        alone = count_while(lambda: time.sleep(span[0]))
        self.assertEqual(len(seen), 100)
        self.assertGreaterEqual(during / alone, FULL_SPEED,
                                f"{during} iterations while serving, "
                                f"{alone} alone")


if __name__ == "__main__":
    unittest.main()
