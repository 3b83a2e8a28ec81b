# SPDX-License-Identifier: GPL-2.0
"""asyncio: call_async(), serve_async() from the event loop, messages(),
and a device that goes away (POLLHUP) ending every coroutine."""

import asyncio
import errno
import unittest

import rpcdev
import rpcdev.sim as sim
import support


def run(coro):
    """Run coro in a new event loop; nothing may hang."""
    return asyncio.run(asyncio.wait_for(coro, support.WAIT_S))


async def upcalls_async(q, count, **kw):
    """sim.upcalls() from a worker thread, as the loop goes on serving."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        None, lambda: sim.upcalls(q, count, timeout=support.WAIT_S, **kw))


def echo(req):
    return req


class AsyncTests:

    def test_call_async_returns_the_answer(self):
        self.assertEqual(run(self.q.call_async(rpcdev.SIM_ECHO, b"hi")), b"hi")

    def test_call_async_raises_the_device_error(self):
        with self.assertRaises(rpcdev.DeviceError) as cm:
            run(self.q.call_async(rpcdev.SIM_FAIL, b"nope"))
        self.assertEqual((cm.exception.name, cm.exception.message),
                         ("SimError", "nope"))

    def test_calls_async_answer_in_order(self):
        async def main():
            return await asyncio.gather(*(
                self.q.call_async(rpcdev.SIM_ECHO, b"%d" % n)
                for n in range(10)))
        self.assertEqual(run(main()), [b"%d" % n for n in range(10)])

    def test_serve_async_answers_upcalls_from_the_loop(self):
        async def main():
            server = asyncio.create_task(
                self.q.serve_async({1: echo}, count=50))
            res = await upcalls_async(self.q, 50, size=32,
                                      flags=rpcdev.SIM_UPCALL_VERIFY)
            return res, await server
        res, served = run(main())
        self.assertEqual((res.done, res.mismatched, served), (50, 0, 50))

    def test_serve_async_awaits_coroutine_handlers(self):
        async def handler(req):
            data = bytes(req)
            await asyncio.sleep(0.001)
            # The view stays valid until the coroutine is done.
            self.assertEqual(bytes(req), data)
            return req

        async def main():
            server = asyncio.create_task(
                self.q.serve_async({1: handler}, count=5))
            res = await upcalls_async(self.q, 5, size=16,
                                      flags=rpcdev.SIM_UPCALL_VERIFY)
            return res, await server
        res, served = run(main())
        self.assertEqual((res.done, res.mismatched, served), (5, 0, 5))

    def test_serve_async_handler_exception_reaches_device(self):
        async def handler(req):
            raise LookupError("not here")

        async def main():
            server = asyncio.create_task(self.q.serve_async({1: handler}))
            try:
                await upcalls_async(self.q, 1)
            finally:
                self.q.stop()
                await server
        with self.assertRaises(rpcdev.DeviceError) as cm:
            run(main())
        self.assertEqual((cm.exception.name, cm.exception.message),
                         ("LookupError", "not here"))

    def test_serve_async_takes_async_upcalls_in_order(self):
        seen = []

        async def main():
            server = asyncio.create_task(self.q.serve_async(
                {1: lambda r: seen.append(bytes(r[:1]))}, count=100))
            await upcalls_async(self.q, 100, size=1,
                                flags=rpcdev.SIM_UPCALL_ASYNC)
            return await server
        self.assertEqual(run(main()), 100)
        self.assertEqual(seen, [bytes([n & 0xff]) for n in range(100)])

    def test_stop_ends_serve_async(self):
        async def main():
            server = asyncio.create_task(self.q.serve_async({1: echo}))
            await asyncio.sleep(0.05)
            self.q.stop()
            return await server
        self.assertEqual(run(main()), 0)

    def test_cancel_ends_serve_async(self):
        async def main():
            server = asyncio.create_task(self.q.serve_async({1: echo}))
            await asyncio.sleep(0.05)
            server.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await server
        run(main())
        # The loop left the queue usable.
        res, _ = support.run_upcalls(self.q, {1: echo}, 3)
        self.assertEqual(res.done, 3)

    def test_messages_yields_the_device_messages(self):
        async def main():
            got = []
            loop = asyncio.get_running_loop()
            posting = loop.run_in_executor(
                None, lambda: sim.notify(self.q, 5, value=10))
            async for msg in self.q.messages():
                got.append(msg.value)
                if len(got) == 5:
                    break
            await posting
            return got
        self.assertEqual(run(main()), [10, 11, 12, 13, 14])

    def test_close_wakes_serve_async_and_messages(self):
        async def main():
            async def drain():
                async for _ in self.q.messages():
                    pass
            tasks = [asyncio.create_task(self.q.serve_async({1: echo})),
                     asyncio.create_task(drain())]
            await asyncio.sleep(0.05)
            self.q.close()
            return await asyncio.gather(*tasks, return_exceptions=True)
        for result in run(main()):
            self.assertIsInstance(result, ValueError)


class AsyncBlockTest(AsyncTests, support.DeviceTestCase):
    POLICY = "block"


class AsyncAdaptiveTest(AsyncTests, support.DeviceTestCase):
    POLICY = "adaptive"


class DeviceGoneTests:
    """The device goes while coroutines wait on it: each raises, none
    hangs. The driver is loaded again after each test."""

    def tearDown(self):
        self.q.close()
        support.load()

    async def remove_soon(self):
        await asyncio.sleep(0.1)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, support.remove_device)

    def assert_enodev(self, exc):
        self.assertIsInstance(exc, OSError)
        self.assertEqual(exc.errno, errno.ENODEV)

    def test_device_gone_ends_serve_async_with_enodev(self):
        async def main():
            server = asyncio.create_task(self.q.serve_async({1: echo}))
            await self.remove_soon()
            return await asyncio.gather(server, return_exceptions=True)
        self.assert_enodev(run(main())[0])

    def test_device_gone_ends_messages_with_enodev(self):
        async def main():
            async def drain():
                async for _ in self.q.messages():
                    pass
            task = asyncio.create_task(drain())
            await self.remove_soon()
            return await asyncio.gather(task, return_exceptions=True)
        self.assert_enodev(run(main())[0])

    def test_device_gone_ends_call_async_with_enodev(self):
        async def main():
            call = asyncio.create_task(
                self.q.call_async(rpcdev.SIM_DELAY,
                                  (5000000).to_bytes(8, "little")))
            await self.remove_soon()
            return await asyncio.gather(call, return_exceptions=True)
        self.assert_enodev(run(main())[0])

    def test_calls_after_the_device_went_raise_enodev(self):
        async def main():
            await self.remove_soon()
            return await asyncio.gather(
                self.q.call_async(rpcdev.SIM_ECHO, b""),
                return_exceptions=True)
        self.assert_enodev(run(main())[0])


class DeviceGoneBlockTest(DeviceGoneTests, support.DeviceTestCase):
    POLICY = "block"


class DeviceGoneAdaptiveTest(DeviceGoneTests, support.DeviceTestCase):
    POLICY = "adaptive"


if __name__ == "__main__":
    unittest.main()
