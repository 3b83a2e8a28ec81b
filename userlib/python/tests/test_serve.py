# SPDX-License-Identifier: GPL-2.0
"""Upcalls: Queue.serve() with each wait policy, handlers' replies and
exceptions as the device sees them, async order, views that end with the
handler, stopping."""

import array
import gc
import pickle
import signal
import struct
import threading
import unittest

import rpcdev
import rpcdev.sim as sim
import support
from support import run_upcalls


def echo(req):
    return req


def seq_of(req):
    return struct.unpack_from("<Q", req)[0]


class ServeTests:
    """Run with each policy (the classes at the end)."""

    def test_echo_handler_answers_every_upcall(self):
        res, served = run_upcalls(self.q, {1: echo}, 100, size=64,
                                  flags=rpcdev.SIM_UPCALL_VERIFY)
        self.assertEqual((res.done, res.failed, res.mismatched), (100, 0, 0))
        self.assertEqual(served, 100)

    def test_handler_exception_reaches_device_as_its_error(self):
        def handler(req):
            raise ValueError("bad value %d" % seq_of(req))
        with self.assertRaises(rpcdev.DeviceError) as cm:
            run_upcalls(self.q, {1: handler}, 1, size=8)
        self.assertEqual((cm.exception.name, cm.exception.message),
                         ("ValueError", "bad value 0"))

    def test_async_upcalls_reach_the_handler_in_order(self):
        seen = []
        res, served = run_upcalls(self.q, {1: lambda r: seen.append(seq_of(r))},
                                  200, size=8, flags=rpcdev.SIM_UPCALL_ASYNC)
        self.assertEqual(res.done, 200)
        self.assertEqual(seen, list(range(200)))


class ServeBlockTest(ServeTests, support.DeviceTestCase):
    POLICY = "block"


class ServePollTest(ServeTests, support.DeviceTestCase):
    POLICY = "poll"


class ServeAdaptiveTest(ServeTests, support.DeviceTestCase):
    POLICY = "adaptive"


class HandlerTest(support.DeviceTestCase):

    def test_request_is_a_read_only_memoryview_of_the_payload(self):
        got = []

        def handler(req):
            got.append((type(req), req.readonly, len(req), bytes(req[:8])))
        run_upcalls(self.q, {1: handler}, 1, size=16)
        self.assertEqual(got, [(memoryview, True, 16, struct.pack("<Q", 0))])

    def test_none_is_an_empty_reply(self):
        res, _ = run_upcalls(self.q, {1: lambda r: None}, 3, size=0,
                             flags=rpcdev.SIM_UPCALL_VERIFY)
        self.assertEqual((res.done, res.mismatched), (3, 0))

    def test_reply_may_be_any_bytes_like_object(self):
        kinds = iter([bytearray, lambda r: memoryview(bytes(r)),
                      lambda r: array.array("B", r)])
        res, _ = run_upcalls(self.q, {1: lambda r: next(kinds)(r)}, 3,
                             size=16, flags=rpcdev.SIM_UPCALL_VERIFY)
        self.assertEqual((res.done, res.mismatched), (3, 0))

    def test_exception_class_name_is_the_error_name(self):
        class PauseRequested(Exception):
            pass

        def handler(req):
            raise PauseRequested("at the user's request")
        with self.assertRaises(rpcdev.DeviceError) as cm:
            run_upcalls(self.q, {1: handler}, 1)
        self.assertEqual(cm.exception.name, "PauseRequested")
        self.assertEqual(cm.exception.message, "at the user's request")

    def test_server_goes_on_after_a_handler_raised(self):
        calls = []

        def handler(req):
            calls.append(1)
            if len(calls) == 1:
                raise KeyError("first")
        server = support.Server(self.q, {1: handler}, count=2)
        with self.assertRaises(rpcdev.DeviceError):
            sim.upcalls(self.q, 1)
        res = sim.upcalls(self.q, 1)
        self.assertEqual(server.join(), 2)
        self.assertEqual(res.done, 1)

    def test_upcall_without_handler_is_not_implemented(self):
        with self.assertRaises(rpcdev.DeviceError) as cm:
            run_upcalls(self.q, {2: echo}, 1, method=1)
        self.assertEqual(cm.exception.name, "NotImplementedError")
        self.assertIn("method 1", cm.exception.message)

    def test_reply_of_wrong_type_reaches_device_as_type_error(self):
        with self.assertRaises(rpcdev.DeviceError) as cm:
            run_upcalls(self.q, {1: lambda r: "text"}, 1)
        self.assertEqual(cm.exception.name, "TypeError")

    def test_reply_past_the_buffer_reaches_device_as_value_error(self):
        big = bytes(self.q.buf_size + 1)
        with self.assertRaises(rpcdev.DeviceError) as cm:
            run_upcalls(self.q, {1: lambda r: big}, 1)
        self.assertEqual(cm.exception.name, "ValueError")
        self.assertIn("does not fit", cm.exception.message)

    def test_async_and_sync_upcalls_go_to_the_same_handler_in_order(self):
        seen = []

        def handler(req):
            seen.append(seq_of(req))
            return req
        server = support.Server(self.q, {1: handler}, count=20)
        sim.upcalls(self.q, 10, size=8, flags=rpcdev.SIM_UPCALL_ASYNC)
        res = sim.upcalls(self.q, 10, size=8, flags=rpcdev.SIM_UPCALL_VERIFY)
        self.assertEqual(server.join(), 20)
        self.assertEqual(res.mismatched, 0)
        self.assertEqual(seen, list(range(10)) * 2)

    def test_in_place_handler_writes_its_reply_in_the_ring(self):
        @rpcdev.in_place
        def handler(req, reply):
            self.assertFalse(reply.readonly)
            self.assertEqual(len(reply), self.q.buf_size)
            reply[:len(req)] = req
            return len(req)
        res, _ = run_upcalls(self.q, {1: handler}, 50, size=100,
                             flags=rpcdev.SIM_UPCALL_VERIFY)
        self.assertEqual((res.done, res.mismatched), (50, 0))

    def test_in_place_length_past_the_buffer_is_a_value_error(self):
        @rpcdev.in_place
        def handler(req, reply):
            return len(reply) + 1
        with self.assertRaises(rpcdev.DeviceError) as cm:
            run_upcalls(self.q, {1: handler}, 1)
        self.assertEqual(cm.exception.name, "ValueError")

    def test_bound_method_can_be_in_place(self):
        class Echo:
            @rpcdev.in_place
            def serve(self, req, reply):
                reply[:len(req)] = req
                return len(req)
        res, _ = run_upcalls(self.q, {1: Echo().serve}, 5, size=8,
                             flags=rpcdev.SIM_UPCALL_VERIFY)
        self.assertEqual(res.mismatched, 0)

    def test_handlers_may_be_any_mapping(self):
        class Handlers:
            def __getitem__(self, method):
                if method != 1:
                    raise KeyError(method)
                return echo

            def keys(self):
                return [1]
        # A mapping that is not a dict: __getitem__ is what serve() uses.
        import collections.abc
        collections.abc.Mapping.register(Handlers)
        res, _ = run_upcalls(self.q, Handlers(), 2, size=8,
                             flags=rpcdev.SIM_UPCALL_VERIFY)
        self.assertEqual(res.mismatched, 0)

    def test_coroutine_handler_in_serve_is_a_type_error(self):
        async def handler(req):
            return None
        with self.assertRaises(rpcdev.DeviceError) as cm:
            run_upcalls(self.q, {1: handler}, 1)
        self.assertEqual(cm.exception.name, "TypeError")
        self.assertIn("serve_async", cm.exception.message)


class ViewTest(support.DeviceTestCase):

    def test_kept_view_and_its_slices_refuse_access_after_handler(self):
        kept = []

        def handler(req):
            kept.extend([req, req[1:], req.cast("B", (len(req),)),
                         memoryview(req)])
            return bytes(req)
        run_upcalls(self.q, {1: handler}, 1, size=16)
        for view in kept:
            with self.assertRaisesRegex(ValueError, "released"):
                bytes(view)
            with self.assertRaises(ValueError):
                view[0]

    def test_kept_in_place_reply_view_refuses_access_after_handler(self):
        kept = []

        @rpcdev.in_place
        def handler(req, reply):
            kept.append(reply[:4])
            return 0
        run_upcalls(self.q, {1: handler}, 1)
        with self.assertRaises(ValueError):
            kept[0][0] = 1

    def test_view_taken_from_the_exporter_fails_the_upcall(self):
        kept = []
        with self.assertRaises(rpcdev.DeviceError) as cm:
            run_upcalls(self.q, {1: lambda r: kept.append(memoryview(r.obj))},
                        1, size=8)
        # A buffer of its own, which the handler's view cannot take back.
        self.assertEqual(cm.exception.name, "BufferError")
        with self.assertRaises(BufferError):
            self.q.close()
        kept[0].release()
        self.q.close()

    def test_raw_buffer_kept_fails_the_upcall_and_holds_close(self):
        kept = []

        def handler(req):
            kept.append(pickle.PickleBuffer(req))
        with self.assertRaises(rpcdev.DeviceError) as cm:
            run_upcalls(self.q, {1: handler}, 1, size=8)
        self.assertEqual(cm.exception.name, "BufferError")
        with self.assertRaisesRegex(BufferError, "still exported"):
            self.q.close()
        self.assertFalse(self.q.closed)
        kept[0].release()
        self.q.close()
        self.assertTrue(self.q.closed)

    def test_returning_the_request_view_is_no_keeping(self):
        for _ in range(2):
            res, _ = run_upcalls(self.q, {1: echo}, 10, size=32,
                                 flags=rpcdev.SIM_UPCALL_VERIFY)
            self.assertEqual(res.mismatched, 0)
        self.q.close()

    def test_served_queue_nobody_refers_to_is_released_at_once(self):
        q = rpcdev.Queue(support.DEV0, 1)
        run_upcalls(q, {1: echo}, 5, size=8)
        del q
        rpcdev.Queue(support.DEV0, 1).close()


class LoopTest(support.DeviceTestCase):

    def test_stamps_record_when_each_upcall_was_taken(self):
        stamps = array.array("Q", bytes(8 * 20))
        server = support.Server(self.q, {1: echo}, count=20, stamps=stamps)
        sim.upcalls(self.q, 20)
        server.join()
        self.assertTrue(all(stamps))
        self.assertEqual(list(stamps), sorted(stamps))

    def test_stamps_of_wrong_type_raise_type_error(self):
        with self.assertRaises(TypeError):
            self.q.serve({}, stamps=bytearray(16))
        with self.assertRaises(TypeError):
            self.q.serve({}, stamps=b"12345678")

    def test_stop_from_another_thread_ends_serve(self):
        server = support.Server(self.q, {1: echo}, timeout=None)
        self.q.stop()
        # stop() may come before the loop starts, which then runs on.
        while server.thread.is_alive():
            self.q.stop()
            server.thread.join(0.2)
        self.assertEqual(server.join(), 0)

    def test_stop_from_a_handler_ends_serve_after_its_answer(self):
        def handler(req):
            self.q.stop()
            return req
        server = support.Server(self.q, {1: handler}, timeout=None)
        res = sim.upcalls(self.q, 1, size=8, flags=rpcdev.SIM_UPCALL_VERIFY)
        self.assertEqual(server.join(), 1)
        self.assertEqual((res.done, res.mismatched), (1, 0))

    def test_idle_timeout_ends_serve(self):
        self.assertEqual(self.q.serve({1: echo}, timeout=0.1), 0)

    def test_count_ends_serve(self):
        res, served = run_upcalls(self.q, {1: echo}, 7)
        self.assertEqual((res.done, served), (7, 7))

    def test_base_exception_is_answered_then_raised(self):
        def handler(req):
            raise KeyboardInterrupt("stop now")
        server = support.Server(self.q, {1: handler}, timeout=None)
        with self.assertRaises(rpcdev.DeviceError) as cm:
            sim.upcalls(self.q, 1)
        self.assertEqual(cm.exception.name, "KeyboardInterrupt")
        with self.assertRaises(KeyboardInterrupt):
            server.join()

    def test_signal_handler_exception_ends_a_poll_serve(self):
        class Alarm(Exception):
            pass

        def on_alarm(signum, frame):
            raise Alarm
        q = rpcdev.Queue(support.DEV0, 1, policy="poll")
        self.addCleanup(q.close)
        old = signal.signal(signal.SIGALRM, on_alarm)
        try:
            signal.setitimer(signal.ITIMER_REAL, 0.1)
            with self.assertRaises(Alarm):
                q.serve({1: echo})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)

    def test_close_from_a_handler_closes_after_the_loop(self):
        def handler(req):
            self.q.close()
            self.assertFalse(self.q.closed)
            return req
        server = support.Server(self.q, {1: handler}, timeout=None)
        res = sim.upcalls(self.q, 1)
        self.assertEqual(server.join(), 1)
        self.assertEqual(res.done, 1)
        self.assertTrue(self.q.closed)

    def test_close_from_another_thread_ends_serve(self):
        server = support.Server(self.q, {1: echo}, timeout=None)
        server.thread.join(0.1)
        self.q.close()
        self.assertTrue(self.q.closed)
        try:
            server.join()
        except ValueError:
            pass    # the loop had not started: the queue was closed
        self.assertFalse(server.thread.is_alive())

    def test_second_server_of_poll_queue_raises_runtime_error(self):
        q = rpcdev.Queue(support.DEV0, 1, policy="poll")
        self.addCleanup(q.close)
        server = support.Server(q, {1: echo}, timeout=None)
        try:
            server.thread.join(0.2)
            with self.assertRaisesRegex(RuntimeError, "one server"):
                q.serve({1: echo}, timeout=0.1)
        finally:
            q.stop()
            server.join()

    def test_handlers_not_a_mapping_raise_type_error(self):
        for bad in (echo, "1", [echo]):
            with self.assertRaisesRegex(TypeError, "mapping"):
                self.q.serve(bad, timeout=0.01)

    def test_count_zero_raises_value_error(self):
        with self.assertRaises(ValueError):
            self.q.serve({}, count=0)

    def test_payload_exporters_are_reused(self):
        def exporters():
            return sum(type(o).__name__ == "_Payload" for o in gc.get_objects())
        before = exporters()
        run_upcalls(self.q, {1: echo}, 50, size=8)
        self.assertLessEqual(exporters() - before, 2)

if __name__ == "__main__":
    unittest.main()
