# SPDX-License-Identifier: GPL-2.0
"""bench_artiq.py, ARTIQ's timing test reproduced, runs to its end and
gives every figure it promises (the figures themselves are not judged:
a test never asserts a time)."""

import json
import os
import subprocess
import sys
import unittest

import support

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))), "bench_artiq.py")


class BenchTest(support.DeviceTestCase):

    def setUp(self):
        pass    # the benchmark opens its own queues

    def test_quick_run_reports_every_row_ratio_and_the_pause(self):
        tool = "/bin/rpcdev"
        r = subprocess.run([sys.executable, BENCH, "--quick", "--json", "-",
                            "--tool", tool], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True,
                           timeout=support.WAIT_S * 6)
        self.assertEqual(r.returncode, 0, r.stdout)
        data = json.loads(r.stdout[r.stdout.index("\n{") + 1:])
        rows = data["rows"]
        self.assertIn("rpcdev, Python handler (adaptive)", rows)
        self.assertIn("Python TCP server (ARTIQ's transport)", rows)
        for name, row in rows.items():
            self.assertEqual(row["100"]["n"], 100, name)
            self.assertGreater(row["100"]["mean"], 0, name)
        self.assertIn("tcp_vs_python", data["ratios"])
        if os.access(tool, os.X_OK):
            self.assertIn("python_vs_c", data["ratios"])
        self.assertEqual(data["pause"]["n"], 20)
        self.assertIn("ARTIQ's test_rpc_timing", r.stdout)


if __name__ == "__main__":
    unittest.main()
