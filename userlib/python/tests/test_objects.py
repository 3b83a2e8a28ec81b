# SPDX-License-Identifier: GPL-2.0
"""Device and Queue as objects: opening, attributes, context managers,
close(), and wrong arguments raising clear exceptions."""

import errno
import os
import unittest

import rpcdev
import support


class DeviceTest(support.DeviceTestCase):

    def setUp(self):
        pass    # no queue: these tests open their own

    def test_info_describes_the_simulated_device(self):
        with rpcdev.Device(support.DEV0) as dev:
            info = dev.info()
        self.assertEqual(info.nr_queues, 4)
        self.assertEqual(info.minor, 0)
        self.assertTrue(info.features & rpcdev.FEAT_UPCALL)
        self.assertIn("upcall", info.feature_names)
        self.assertIn("mailbox", info.feature_names)
        self.assertIsInstance(info.name, str)
        self.assertGreaterEqual(info.abi_version, 1)

    def test_device_by_index_is_dev_rpcdev_n(self):
        with rpcdev.Device(0) as dev:
            self.assertEqual(dev.path, support.DEV0)

    def test_device_fileno_is_a_descriptor(self):
        with rpcdev.Device() as dev:
            os.fstat(dev.fileno())

    def test_closed_device_raises_value_error(self):
        dev = rpcdev.Device()
        dev.close()
        dev.close()
        self.assertTrue(dev.closed)
        with self.assertRaisesRegex(ValueError, "closed device"):
            dev.info()
        with self.assertRaises(ValueError):
            dev.fileno()

    def test_missing_node_raises_file_not_found(self):
        with self.assertRaises(FileNotFoundError):
            rpcdev.Device("/dev/rpcdev99")

    def test_device_of_wrong_type_raises_type_error(self):
        with self.assertRaises(TypeError):
            rpcdev.Device(1.5)

    def test_negative_device_index_raises_value_error(self):
        with self.assertRaises(ValueError):
            rpcdev.Device(-1)

    def test_queue_from_device_object_uses_its_path(self):
        with rpcdev.Device() as dev, rpcdev.Queue(dev, 1) as q:
            self.assertEqual(q.path, dev.path)
            self.assertEqual(q.qid, 1)

    def test_queue_attributes_show_what_the_kernel_chose(self):
        with rpcdev.Queue(support.DEV0, 2, policy="poll", depth=8,
                          buf_size=100) as q:
            self.assertEqual(q.depth, 8)
            self.assertEqual(q.buf_size, 128)   # rounded up to 64
            self.assertEqual(q.policy, "poll")
            self.assertFalse(q.closed)
            self.assertIn("qid=2", repr(q))
        self.assertTrue(q.closed)
        self.assertIn("closed", repr(q))

    def test_default_queue_is_adaptive_depth_16_buf_4096(self):
        with rpcdev.Queue() as q:
            self.assertEqual((q.policy, q.depth, q.buf_size),
                             ("adaptive", rpcdev.DEFAULT_DEPTH,
                              rpcdev.DEFAULT_BUF_SIZE))

    def test_policy_as_wait_constant_is_accepted(self):
        with rpcdev.Queue(policy=rpcdev.WAIT_BLOCK) as q:
            self.assertEqual(q.policy, "block")

    def test_unknown_policy_raises_value_error(self):
        with self.assertRaisesRegex(ValueError, "unknown wait policy"):
            rpcdev.Queue(policy="fast")
        with self.assertRaises(ValueError):
            rpcdev.Queue(policy=7)

    def test_policy_of_wrong_type_raises_type_error(self):
        with self.assertRaises(TypeError):
            rpcdev.Queue(policy=1.0)

    def test_depth_not_power_of_two_raises_value_error(self):
        with self.assertRaisesRegex(ValueError, "power of two"):
            rpcdev.Queue(depth=3)

    def test_buf_size_past_maximum_raises_value_error(self):
        with self.assertRaisesRegex(ValueError, "too large"):
            rpcdev.Queue(buf_size=rpcdev.MAX_PAYLOAD + 1)

    def test_qid_past_nr_queues_raises_einval(self):
        with self.assertRaises(OSError) as cm:
            rpcdev.Queue(support.DEV0, 4)
        self.assertEqual(cm.exception.errno, errno.EINVAL)

    def test_qid_of_wrong_type_raises_type_error(self):
        with self.assertRaises(TypeError):
            rpcdev.Queue(support.DEV0, "0")

    def test_queue_of_another_file_raises_ebusy(self):
        with rpcdev.Queue(support.DEV0, 3):
            with self.assertRaises(OSError) as cm:
                rpcdev.Queue(support.DEV0, 3)
        self.assertEqual(cm.exception.errno, errno.EBUSY)

    def test_dropped_queue_is_released_at_once(self):
        rpcdev.Queue(support.DEV0, 3)
        rpcdev.Queue(support.DEV0, 3).close()

    def test_closed_queue_raises_value_error_everywhere(self):
        q = rpcdev.Queue()
        q.close()
        q.close()
        for call in (lambda: q.call(1, b""), lambda: q.serve({}),
                     lambda: q.store(0, 1), lambda: q.post(0, 1),
                     q.read, q.fileno, q.interrupt):
            with self.assertRaisesRegex(ValueError, "closed queue"):
                call()

    def test_with_block_closes_the_queue_on_exception(self):
        with self.assertRaises(KeyError):
            with rpcdev.Queue(support.DEV0, 1) as q:
                raise KeyError
        self.assertTrue(q.closed)

    def test_interrupt_on_block_queue_raises_value_error(self):
        with rpcdev.Queue(policy="block") as q:
            with self.assertRaises(ValueError):
                q.interrupt()
            with self.assertRaises(ValueError):
                q.set_spin(0.001)

    def test_set_spin_accepts_seconds_on_adaptive_queue(self):
        with rpcdev.Queue() as q:
            q.set_spin(0.0001)
            q.set_spin(0)
            with self.assertRaises(ValueError):
                q.set_spin(-1)


if __name__ == "__main__":
    unittest.main()
