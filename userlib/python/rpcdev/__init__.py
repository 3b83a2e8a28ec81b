# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""rpcdev: a host program and a device calling each other, from Python.

The device calls host functions and waits for their results (upcalls, as
ARTIQ's core device calls host Python), the host calls device functions
(downcalls), and each side leaves the other mailbox messages it checks
without a round trip. This package is librpcdev's binding: payloads are
read and written in place in the rings the driver maps into the process,
every wait runs without the GIL, and handlers run with it.

    import rpcdev, struct

    with rpcdev.Queue("/dev/rpcdev0", qid=0) as q:   # policy="adaptive"
        print(q.call(rpcdev.SIM_ECHO, b"hello"))     # a downcall: b'hello'
        def add(req):                                # the device calls this
            a, b = struct.unpack("<ii", req)
            return struct.pack("<i", a + b)
        q.serve({7: add}, count=1)                   # answer one upcall
        q.store(0, 1)                                # "pause", one store
        msg = q.read()                               # a message, or None

The objects:

- ``Device(path)``: an open device; ``info()`` says what it is.
- ``Queue(device, qid, policy, depth, buf_size)``: a queue pair on a file
  of its own: ``call()``, ``serve()``, the mailbox (``store()``, ``post()``,
  ``read()``), ``fileno()``; with asyncio, ``call_async()``,
  ``serve_async()`` and ``messages()``.
- ``DeviceError(name, message, status)``: what a failed call raises.
- ``in_place``: marks a handler that writes its reply in place.

Failures of the system (a device that is gone: ``OSError`` with errno
``ENODEV``, a timeout: ``TimeoutError``) raise the ``OSError`` of their
errno; wrong arguments raise ``TypeError`` or ``ValueError``; a closed
queue raises ``ValueError``.
"""

import asyncio
import concurrent.futures
import errno
import os
import select
import threading

from ._errors import DeviceError
from . import _rpcdev
from ._rpcdev import Device, DeviceInfo, MailboxMessage, policy_name, status_name

__all__ = [
    "Device", "DeviceInfo", "DeviceError", "MailboxMessage", "Queue",
    "in_place", "policy_name", "status_name",
]

# The constants: WAIT_*, STATUS_*, FEAT_*, MBOX_*, limits, and the methods
# of rpcdev's reference firmware (SIM_*, uapi/linux/rpcdev_sim.h).
for _name in dir(_rpcdev):
    if _name.isupper():
        globals()[_name] = getattr(_rpcdev, _name)
        __all__.append(_name)
del _name


def in_place(handler):
    """Mark an upcall handler that writes its reply in place.

    Such a handler is called as ``handler(request, reply)``, ``reply``
    being a writable memoryview of the upcall's reply buffer
    (``Queue.buf_size`` bytes), and returns how many bytes of it it wrote
    (or None for none). Nothing is copied either way::

        @rpcdev.in_place
        def echo(request, reply):
            reply[:len(request)] = request
            return len(request)

    Returns the handler itself.
    """
    handler._rpcdev_in_place = True
    return handler


class Queue(_rpcdev.Queue):
    """A queue pair of a device, attached to a file of its own (the kernel
    gives a queue to one file at a time: OSError EBUSY if another has it).
    ``device`` is a Device, a path, an int N for /dev/rpcdevN, or None for
    /dev/rpcdev0. ``policy`` says how waits for the device are made:
    ``"block"`` (sleep in the kernel until the device's interrupt),
    ``"poll"`` (spin on the mapped rings: no system call, a busy CPU) or
    ``"adaptive"`` (spin for a budget learned from recent arrivals, then
    sleep; the default). ``depth`` (call slots, a power of two) and
    ``buf_size`` (payload bytes per call and direction) default to the
    driver's (16 and 4096). ``timestamps`` asks for the stages of each
    upcall's round trip to be stamped (for the device's statistics).

    Downcalls: ``call()``, ``call_async()``. Upcalls: ``serve()``,
    ``serve_async()``, ``stop()``. The mailbox: ``store()``, ``post()``,
    ``read()``, ``messages()``. A context manager (``with Queue(...) as
    q:`` closes it at the end). On a POLL or ADAPTIVE queue, one thread at
    a time calls and one serves (RuntimeError for a second).

    Attributes: ``path``, ``qid``, ``policy``, ``depth``, ``buf_size``,
    ``closed``.
    """

    def __init__(self, device=None, qid=0, policy="adaptive", depth=None,
                 buf_size=None, *, timestamps=False):
        super().__init__(device, qid, policy, depth, buf_size,
                         timestamps=timestamps)
        self._executor = None
        self._waiters = set()
        self._lock = threading.Lock()
        self._async_stop = False

    # ------------------------------------------------------------ asyncio

    def _watch(self, fut):
        with self._lock:
            self._waiters.add(fut)
        fut.add_done_callback(self._unwatch)
        return fut

    def _unwatch(self, fut):
        with self._lock:
            self._waiters.discard(fut)

    def _wake(self, exc=None):
        """Wake every coroutine waiting on this queue (from any thread)."""
        with self._lock:
            waiters = list(self._waiters)
        for fut in waiters:
            loop = fut.get_loop()

            def wake(fut=fut):
                if fut.done():
                    return
                if exc is None:
                    fut.set_result(None)
                else:
                    fut.set_exception(exc)
            if loop.is_closed():
                continue
            try:
                loop.call_soon_threadsafe(wake)
            except RuntimeError:
                pass    # the loop was closed meanwhile

    async def call_async(self, method, data=b"", timeout=None):
        """call() for asyncio (``answer = await q.call_async(...)``).

        The call runs in a worker thread of this queue (one, so calls keep
        their order and a POLL or ADAPTIVE queue keeps its one caller)
        without the GIL; the event loop goes on meanwhile.
        Raises what call() raises: DeviceError, TimeoutError, OSError
        ENODEV when the device goes, ValueError when the queue is closed.
        """
        if self.closed:
            raise ValueError("I/O operation on a closed queue")
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="rpcdev-call")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.call, method,
                                          data, timeout)

    async def serve_async(self, handlers, *, count=None):
        """serve() for asyncio (``served = await q.serve_async(handlers)``).

        Upcalls are taken and dispatched from the event loop when the
        queue's descriptor is readable (loop.add_reader(), no thread), until
        stop(), close(), count upcalls or the task's cancellation; returns
        how many were served. Handlers are those of
        serve(), and may be coroutine functions: the upcall is answered
        with the coroutine's result once it is done (the device waits, and
        the next upcall is taken after it: order holds). An exception of
        a handler is the upcall's answer, as with serve(); one that is not
        an Exception (asyncio.CancelledError) is sent too, then raised.
        Raises OSError ENODEV when the device goes (POLLHUP), ValueError
        when the queue is closed meanwhile.
        """
        if count is not None and count < 1:
            raise ValueError("count must be None or at least 1")
        loop = asyncio.get_running_loop()
        fd = self.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLPRI)
        wake = None
        served = 0
        self._async_stop = False

        def readable():
            if wake is not None and not wake.done():
                wake.set_result(None)

        loop.add_reader(fd, readable)
        try:
            while not self._async_stop:
                left = None if count is None else count - served
                if left == 0:
                    break
                n, pending = self._serve_ready(handlers, left)
                served += n
                if pending is not None:
                    try:
                        result = await pending
                    except BaseException as exc:
                        if self.closed:
                            raise
                        self._finish(error=exc)
                    else:
                        if self.closed:
                            raise ValueError("I/O operation on a closed queue")
                        self._finish(result)
                    continue
                if n:
                    continue
                # Nothing was there: a device that is gone says so.
                if any(ev & select.POLLHUP for _, ev in poller.poll(0)):
                    raise OSError(errno.ENODEV, os.strerror(errno.ENODEV))
                wake = self._watch(loop.create_future())
                await wake
                wake = None
                if self.closed:
                    raise ValueError("I/O operation on a closed queue")
        finally:
            # A closed descriptor is no error here: the selector skips it.
            loop.remove_reader(fd)
        return served

    async def messages(self):
        """The device's mailbox messages, as they come.

        ``async for msg in q.messages():`` gives MailboxMessage tuples
        (value, pending, lost): waits for POLLPRI from the event loop (an
        epoll instance watching the queue's descriptor, itself watched by
        loop.add_reader()), then read()s until none is left. Ends with
        OSError ENODEV when the device goes, ValueError when the queue is
        closed meanwhile.
        """
        loop = asyncio.get_running_loop()
        ep = select.epoll()
        try:
            ep.register(self.fileno(), select.EPOLLPRI)
            while True:
                msg = self.read()
                if msg is not None:
                    yield msg
                    continue
                fut = self._watch(loop.create_future())

                def ready(fut=fut):
                    if not fut.done():
                        fut.set_result(None)
                loop.add_reader(ep.fileno(), ready)
                try:
                    await fut
                finally:
                    loop.remove_reader(ep.fileno())
                if self.closed:
                    raise ValueError("I/O operation on a closed queue")
                ep.poll(0)
        finally:
            ep.close()

    # ----------------------------------------------------------- overrides

    def stop(self):
        """Make serve() return once the upcall in hand (if any) is answered:
        from a handler, or from another thread (within 50 ms). Ends
        serve_async() too, from any thread.
        """
        super().stop()
        self._async_stop = True
        self._wake()

    def close(self):
        """Release the queue: the kernel answers upcalls not yet answered with
        STATUS_NO_SERVER and frees the queue for another file. Calls and
        serve loops of other threads end first (POLL and ADAPTIVE waits at
        once, BLOCK serve loops within 50 ms; a BLOCK call() is waited
        for); from a handler, the serve loop closes the queue as it
        returns. Coroutines waiting on the queue (serve_async(),
        messages()) raise ValueError. BufferError if an object still holds
        a raw buffer of an upcall's payload. Closing again does nothing.
        """
        if self.closed:
            return
        super().close()
        if not self.closed:
            return      # from a handler: the serve loop closes it
        self._wake(ValueError("I/O operation on a closed queue"))
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None

    def __exit__(self, *exc):
        self.close()
        return False
