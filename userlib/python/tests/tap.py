# SPDX-License-Identifier: GPL-2.0
"""unittest with TAP output, the format the VM runner counts.

Each test prints one line as it ends, as the kselftest harness does:
"ok N name", "ok N name # SKIP reason" or "not ok N name", its traceback
after it as "# " lines; the plan "1..N" comes last (TAP allows either
end), because a class whose setup fails or skips runs no test of its own
but one line. Exit status 0 when no test failed, 1 otherwise.

    python3 tap.py [-k PATTERN]... [TESTDIR]
"""

import argparse
import os
import sys
import time
import unittest


class TapResult(unittest.TestResult):
    """A TestResult that prints TAP lines as tests end."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream
        self.n = 0
        self.t0 = None

    def _line(self, text, detail=None):
        self.n += 1
        self.stream.write(f"{'not ok' if text is None else 'ok'} {self.n} ")
        self.stream.write(f"{self._name}{'' if not text else ' ' + text}\n")
        if detail:
            for line in detail.rstrip("\n").split("\n"):
                self.stream.write(f"# {line}\n")
        self.stream.flush()

    def startTest(self, test):
        super().startTest(test)
        self._name = test.id()
        self.t0 = time.monotonic()

    def _named(self, test):
        # setUpClass and module fixtures fail on an _ErrorHolder.
        self._name = test.id() if hasattr(test, "id") else str(test)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._named(test)
        self._line("")

    def addError(self, test, err):
        super().addError(test, err)
        self._named(test)
        self._line(None, self._exc_info_to_string(err, test))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._named(test)
        self._line(None, self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._named(test)
        self._line(f"# SKIP {reason}")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._named(test)
        self._line("# expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._named(test)
        self._line(None, "unexpected success")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._named(subtest)
            self._line(None, self._exc_info_to_string(err, test))


def matches(test, patterns):
    return not patterns or any(p in test.id() for p in patterns)


def flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from flatten(t)
        else:
            yield t


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-k", action="append", default=[], metavar="PATTERN",
                    help="run only the tests whose id contains PATTERN")
    ap.add_argument("testdir", nargs="?",
                    default=os.path.dirname(os.path.abspath(__file__)))
    args = ap.parse_args(argv)

    sys.path.insert(0, args.testdir)
    loaded = unittest.defaultTestLoader.discover(args.testdir,
                                                  pattern="test_*.py")
    suite = unittest.TestSuite(t for t in flatten(loaded)
                               if matches(t, args.k))
    print("TAP version 13", flush=True)
    result = TapResult(sys.stdout)
    t0 = time.monotonic()
    suite.run(result)
    print(f"1..{result.n}")
    print(f"# {result.testsRun} tests in {time.monotonic() - t0:.1f} s: "
          f"{len(result.failures)} failed, {len(result.errors)} errors, "
          f"{len(result.skipped)} skipped", flush=True)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
