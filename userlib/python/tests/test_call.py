# SPDX-License-Identifier: GPL-2.0
"""Downcalls: Queue.call() with each wait policy, the device's errors as
DeviceError, timeouts, and wrong arguments."""

import array
import threading
import time
import unittest

import rpcdev
import rpcdev.sim as sim
import support


class CallTests:
    """Run with each policy (the classes at the end)."""

    def test_echo_returns_the_request(self):
        self.assertEqual(self.q.call(rpcdev.SIM_ECHO, b"hello"), b"hello")

    def test_request_may_be_any_bytes_like_object(self):
        data = array.array("I", [1, 2, 3])
        self.assertEqual(self.q.call(rpcdev.SIM_ECHO, data), data.tobytes())
        self.assertEqual(self.q.call(rpcdev.SIM_ECHO, bytearray(b"ab")), b"ab")
        self.assertEqual(self.q.call(rpcdev.SIM_ECHO, memoryview(b"xyz")[1:]),
                         b"yz")

    def test_empty_request_gives_empty_answer(self):
        self.assertEqual(self.q.call(rpcdev.SIM_ECHO), b"")

    def test_request_of_a_full_buffer_is_echoed(self):
        data = bytes(range(256)) * (self.q.buf_size // 256)
        self.assertEqual(self.q.call(rpcdev.SIM_ECHO, data), data)

    def test_request_past_the_buffer_raises_value_error(self):
        with self.assertRaisesRegex(ValueError, "does not fit"):
            self.q.call(rpcdev.SIM_ECHO, bytes(self.q.buf_size + 1))

    def test_failing_method_raises_device_error_with_name_and_message(self):
        with self.assertRaises(rpcdev.DeviceError) as cm:
            sim.fail(self.q, "no such sample")
        self.assertEqual(cm.exception.name, "SimError")
        self.assertEqual(cm.exception.message, "no such sample")
        self.assertEqual(cm.exception.status, rpcdev.STATUS_ERROR)
        self.assertEqual(str(cm.exception), "SimError: no such sample")

    def test_unknown_method_raises_device_error_no_method(self):
        with self.assertRaises(rpcdev.DeviceError) as cm:
            self.q.call(999, b"")
        self.assertEqual(cm.exception.name, "NO_METHOD")
        self.assertEqual(cm.exception.status, rpcdev.STATUS_NO_METHOD)

    def test_answer_later_than_timeout_raises_timeout_error(self):
        with self.assertRaises(TimeoutError):
            sim.delay(self.q, 2000000, timeout=0.05)

    def test_answer_within_timeout_is_returned(self):
        self.assertEqual(sim.delay(self.q, 1000, timeout=support.WAIT_S), b"")

    def test_device_counts_the_calls(self):
        before = sim.stats(self.q).calls
        for _ in range(5):
            self.q.call(rpcdev.SIM_ECHO, b"x")
        self.assertEqual(sim.stats(self.q).calls, before + 6)

    def test_method_of_wrong_type_raises_type_error(self):
        with self.assertRaisesRegex(TypeError, "method must be an int"):
            self.q.call("echo", b"")

    def test_method_out_of_range_raises_value_error(self):
        with self.assertRaises(ValueError):
            self.q.call(-1, b"")
        with self.assertRaises(ValueError):
            self.q.call(1 << 32, b"")

    def test_data_of_wrong_type_raises_type_error(self):
        with self.assertRaises(TypeError):
            self.q.call(rpcdev.SIM_ECHO, "text")
        with self.assertRaises(TypeError):
            self.q.call(rpcdev.SIM_ECHO, 5)

    def test_bad_timeouts_raise(self):
        for bad in (0, -1, float("nan")):
            with self.assertRaises(ValueError):
                self.q.call(rpcdev.SIM_ECHO, b"", timeout=bad)
        with self.assertRaises(TypeError):
            self.q.call(rpcdev.SIM_ECHO, b"", timeout="1")

    def test_calls_from_threads_all_get_their_answers(self):
        answers = {}
        lock = threading.Lock()

        def caller(n):
            data = b"%d" % n
            # One caller at a time on POLL and ADAPTIVE queues.
            with lock:
                answers[n] = self.q.call(rpcdev.SIM_ECHO, data)
        threads = [threading.Thread(target=caller, args=(n,))
                   for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(answers, {n: b"%d" % n for n in range(4)})


class SecondCallerTest(support.DeviceTestCase):
    POLICY = "poll"

    def test_second_caller_of_poll_queue_raises_runtime_error(self):
        started = threading.Event()
        t = threading.Thread(
            target=lambda: (started.set(), sim.delay(self.q, 300000)))
        t.start()
        started.wait()
        try:
            # The first call is in flight for 0.3 s.
            deadline = time.monotonic() + 0.25
            while time.monotonic() < deadline:
                try:
                    self.q.call(rpcdev.SIM_ECHO, b"")
                except RuntimeError as exc:
                    self.assertIn("one caller at a time", str(exc))
                    break
            else:
                self.fail("a second caller was let in")
        finally:
            t.join()


class CallBlockTest(CallTests, support.DeviceTestCase):
    POLICY = "block"


class CallPollTest(CallTests, support.DeviceTestCase):
    POLICY = "poll"


class CallAdaptiveTest(CallTests, support.DeviceTestCase):
    POLICY = "adaptive"


if __name__ == "__main__":
    unittest.main()
