# SPDX-License-Identifier: GPL-2.0
"""The mailbox: store() and post() seen by the device with one load,
read() of the device's messages, POLLPRI on fileno()."""

import select
import threading
import time
import unittest

import rpcdev
import rpcdev.sim as sim
import support


class MboxTests:

    def watch_while(self, slot, seq, post):
        """The device watches slot while post() runs in a thread."""
        result = []
        t = threading.Thread(target=lambda: result.append(
            sim.watch(self.q, slot, seq, timeout_us=5000000)))
        t.start()
        time.sleep(0.05)
        ret = post()
        t.join()
        return result[0], ret

    def test_store_is_seen_by_the_device(self):
        seen, seq = self.watch_while(3, 0, lambda: self.q.store(3, 42))
        self.assertEqual(seq, 1)
        self.assertEqual((seen.value, seen.seq), (42, 1))
        self.assertGreaterEqual(seen.checks, 1)

    def test_post_is_seen_by_the_device(self):
        seen, seq = self.watch_while(5, 0, lambda: self.q.post(5, 7))
        self.assertEqual((seen.value, seen.seq, seq), (7, 1, 1))

    def test_each_store_bumps_the_sequence(self):
        self.assertEqual([self.q.store(0, 1) for _ in range(3)], [1, 2, 3])
        self.assertEqual(self.q.post(0, 1), 4)

    def test_store_timed_stamps_before_the_store(self):
        before = time.monotonic_ns()
        seen, (seq, ns) = self.watch_while(
            2, 0, lambda: self.q._store_timed(2, 9))
        self.assertEqual((seq, seen.value), (1, 9))
        self.assertLessEqual(before, ns)
        self.assertLessEqual(ns, seen.seen_ns)

    def test_read_takes_the_device_messages_in_order(self):
        self.assertEqual(sim.notify(self.q, 3, value=100), 3)
        msgs = [self.q.read() for _ in range(4)]
        self.assertEqual([m.value for m in msgs[:3]], [100, 101, 102])
        self.assertEqual([m.pending for m in msgs[:3]], [2, 1, 0])
        self.assertEqual(msgs[0].lost, 0)
        self.assertIsNone(msgs[3])

    def test_read_with_nothing_there_is_none(self):
        self.assertIsNone(self.q.read())

    def test_fileno_polls_pri_while_a_message_waits(self):
        p = select.poll()
        p.register(self.q.fileno(), select.POLLPRI | select.POLLIN)
        self.assertEqual(p.poll(0), [])
        sim.notify(self.q, 1, value=5)
        self.assertEqual(p.poll(1000), [(self.q.fileno(), select.POLLPRI)])
        self.assertEqual(self.q.read().value, 5)
        self.assertEqual(p.poll(0), [])

    def test_slot_past_the_last_raises_value_error(self):
        for method in (self.q.store, self.q.post, self.q._store_timed):
            with self.assertRaisesRegex(ValueError, "slot must be"):
                method(rpcdev.MBOX_SLOTS, 1)

    def test_value_past_32_bits_raises_value_error(self):
        with self.assertRaises(ValueError):
            self.q.store(0, 1 << 32)
        with self.assertRaises(ValueError):
            self.q.store(0, -1)

    def test_arguments_of_wrong_type_raise_type_error(self):
        with self.assertRaises(TypeError):
            self.q.store("0", 1)
        with self.assertRaises(TypeError):
            self.q.post(0, 1.5)


class MboxBlockTest(MboxTests, support.DeviceTestCase):
    POLICY = "block"


class MboxAdaptiveTest(MboxTests, support.DeviceTestCase):
    POLICY = "adaptive"


if __name__ == "__main__":
    unittest.main()
