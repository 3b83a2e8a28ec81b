# SPDX-License-Identifier: GPL-2.0
"""bench_artiq.py, ARTIQ's timing test reproduced, runs to its end and
gives every figure it promises, in both its forms: ARTIQ's table (the
demo's) and `make bench`'s rows and targets (--bench). The figures
themselves are not judged: a test never asserts a time."""

import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest

import rpcdev.sim as sim
import support

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))), "bench_artiq.py")


def run_bench(*args):
    return subprocess.run([sys.executable, BENCH] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=support.WAIT_S * 6)


class CServerTest(support.DeviceTestCase):
    """Queue._serve_c(), the bench's C server: librpcdev's serve loop."""

    def test_serves_count_empty_upcalls_and_returns(self):
        box = []
        th = threading.Thread(target=lambda: box.append(
            self.q._serve_c(20, timeout=support.WAIT_S)))
        th.start()
        res = sim.upcalls(self.q, 20, method=1, size=8, timeout=support.WAIT_S)
        th.join(support.WAIT_S)
        self.assertEqual(box, [20])
        self.assertEqual((res.done, res.failed, res.timed_out), (20, 0, 0))

    def test_idle_timeout_ends_it(self):
        self.assertEqual(self.q._serve_c(5, timeout=0.05), 0)

    def test_bad_arguments(self):
        self.assertRaises(ValueError, self.q._serve_c, 0)
        self.assertRaises(OverflowError, self.q._serve_c, -1)
        self.assertRaises(TypeError, self.q._serve_c, "3")
        self.assertRaises(TypeError, self.q._serve_c, 1, 2)
        self.q.close()
        self.assertRaises(ValueError, self.q._serve_c, 1)


class BenchTest(support.DeviceTestCase):

    def setUp(self):
        pass    # the benchmark opens its own queues

    def test_quick_run_reports_every_row_ratio_and_the_pause(self):
        r = run_bench("--quick", "--json", "-")
        self.assertEqual(r.returncode, 0, r.stdout)
        data = json.loads(r.stdout[r.stdout.index("\n{") + 1:])
        rows = data["rows"]
        self.assertIn("rpcdev, Python handler (adaptive)", rows)
        self.assertIn("rpcdev, C handler (adaptive)", rows)
        self.assertIn("Python TCP server (ARTIQ's transport)", rows)
        for name, row in rows.items():
            self.assertEqual(row["100"]["n"], 100, name)
            self.assertGreater(row["100"]["mean"], 0, name)
        self.assertIn("tcp_vs_python", data["ratios"])
        self.assertIn("python_vs_c", data["ratios"])
        self.assertEqual(data["pause"]["n"], 20)
        self.assertTrue(data["pause"]["warm"])
        self.assertEqual(data["pause_cold"]["n"], 20)
        self.assertFalse(data["pause_cold"]["warm"])
        self.assertIn("ARTIQ's test_rpc_timing", r.stdout)

    def test_bench_mode_prints_each_row_and_target(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "bench.json")
            r = run_bench("--bench", "-n", "50", "--repeat", "2",
                          "--pauses", "3", "--json", path)
            self.assertEqual(r.returncode, 0, r.stdout)
            with open(path) as f:
                data = json.load(f)
        self.assertIn("medians of 2 repetitions", r.stdout)
        self.assertEqual(data["repetitions"], 2)
        self.assertEqual(data["iterations"], 50)
        self.assertEqual(data["exit_status"], 0)
        ids = [row["id"] for row in data["results"]]
        self.assertEqual(ids, ["py_upcall", "c_upcall", "py_tcp",
                               "mbox_pause", "mbox_pause_cold"])
        for row in data["results"]:
            self.assertEqual(row["status"], "ok", row)
            self.assertEqual(row["repetitions"], 2, row["id"])
            self.assertEqual(row["samples"],
                             3 if row["id"].startswith("mbox_pause") else 50, row["id"])
            self.assertGreater(row["p50_ns"], 0, row["id"])
            self.assertIn("\n" + row["name"] + " ", r.stdout)
        self.assertGreater(data["results"][-1]["ns_per_check"], 0)
        self.assertIn("\ntargets:\n", r.stdout)
        for t in data["targets"]:
            self.assertIn(t["status"], ("met", "NOT met"), t)
            self.assertEqual(t["rounds"], 2, t["id"])
            self.assertLessEqual(t["ratio_min"], t["ratio"])
            self.assertLessEqual(t["ratio"], t["ratio_max"])
            self.assertIn(f"  {t['what']} ", r.stdout)
        self.assertEqual(r.stdout.count("    median of 2 rounds, from "), 3)
        self.assertIn("    beside it: one check of the slot", r.stdout)
        self.assertGreater(data["targets"][-1]["context_ratio"], 0)

    def test_bench_mode_refuses_a_zero_count(self):
        r = run_bench("--bench", "--repeat", "0")
        self.assertEqual(r.returncode, 2, r.stdout)


if __name__ == "__main__":
    unittest.main()
