# SPDX-License-Identifier: GPL-2.0
"""What the Python tests share: loading the driver, serving in a thread.

The tests run in the VM as root (scripts/vm-run.sh puts them there); on a
machine without the modules in $RPCDEV_MODDIR (default /lib/rpcdev) every
test that needs the device is skipped, saying why.
"""

import os
import subprocess
import threading
import time
import unittest

import rpcdev
import rpcdev.sim as sim

MODDIR = os.environ.get("RPCDEV_MODDIR", "/lib/rpcdev")
DEV0 = "/dev/rpcdev0"
# Long enough for anything under emulation; a test that waits this long
# has failed.
WAIT_S = 20.0
POLICIES = ("block", "poll", "adaptive")


def _run(*argv):
    return subprocess.run(argv, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


def loaded(name):
    with open("/proc/modules") as f:
        return any(line.split(" ", 1)[0] == name for line in f)


def unload(name):
    """rmmod name if it is loaded, retrying while it is busy."""
    deadline = time.monotonic() + 5
    while loaded(name):
        r = _run("rmmod", name)
        if r.returncode and time.monotonic() > deadline:
            raise RuntimeError(f"rmmod {name}: {r.stdout.strip()}")
        if r.returncode:
            time.sleep(0.02)


def wait_path(path, exist=True, timeout=5.0):
    deadline = time.monotonic() + timeout
    while os.path.exists(path) != exist:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path} did not {'appear' if exist else 'go'}")
        time.sleep(0.01)


def load(sim_params="devices=1 queues=4"):
    """Unload what is there, load rpcdev and rpcdev_sim, wait for the node."""
    why = skip_reason()
    if why:
        raise unittest.SkipTest(why)
    unload("rpcdev_sim")
    unload("rpcdev")
    for name, params in (("rpcdev", ""), ("rpcdev_sim", sim_params)):
        r = _run("insmod", os.path.join(MODDIR, name + ".ko"),
                 *params.split())
        if r.returncode:
            raise RuntimeError(f"insmod {name}: {r.stdout.strip()}")
    wait_path(DEV0)


def unload_all():
    if not skip_reason():
        unload("rpcdev_sim")
        unload("rpcdev")


def remove_device():
    """Unload rpcdev_sim under open files: the device goes (POLLHUP)."""
    unload("rpcdev_sim")


def skip_reason():
    if os.geteuid() != 0:
        return "needs root, to load the driver (run in the VM)"
    if not os.path.exists(os.path.join(MODDIR, "rpcdev.ko")):
        return f"needs the rpcdev modules in {MODDIR} (run in the VM)"
    return None


class DeviceTestCase(unittest.TestCase):
    """A test with the driver loaded (once per test module) and a queue
    opened per test with the class' POLICY; closed after the test."""

    POLICY = "adaptive"
    QID = 0

    @classmethod
    def setUpClass(cls):
        why = skip_reason()
        if why:
            raise unittest.SkipTest(why)
        if not loaded("rpcdev_sim") or not os.path.exists(DEV0):
            load()

    def setUp(self):
        self.q = rpcdev.Queue(DEV0, self.QID, policy=self.POLICY)
        self.addCleanup(self.q.close)


class Server:
    """q.serve(handlers, **kw) in a thread; join() gives its result or
    raises what it raised."""

    def __init__(self, q, handlers, **kw):
        self.result = None
        self.error = None
        kw.setdefault("timeout", WAIT_S)
        self.thread = threading.Thread(target=self._run,
                                       args=(q, handlers, kw), daemon=True)
        self.thread.start()

    def _run(self, q, handlers, kw):
        try:
            self.result = q.serve(handlers, **kw)
        except BaseException as exc:    # handed to join()'s caller
            self.error = exc

    def join(self):
        self.thread.join(WAIT_S * 2)
        if self.thread.is_alive():
            raise AssertionError("the serve loop did not end")
        if self.error is not None:
            raise self.error
        return self.result


def run_upcalls(q, handlers, count, **kw):
    """The device makes count upcalls (sim.upcalls(**kw)) while a thread
    serves them with handlers; (UpcallResult, upcalls served)."""
    server = Server(q, handlers, count=count)
    try:
        res = sim.upcalls(q, count, timeout=WAIT_S, **kw)
    finally:
        q.stop()
        served = server.join()
    return res, served
