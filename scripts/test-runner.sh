#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The VM runner's own test: a guest whose kernel log shows a WARNING must
# turn the run red. Boots FLAVOUR with `vm-run.sh --inject-warn` (the guest's
# init writes a WARN()-shaped line to /dev/kmsg) and checks that vm-run.sh
# exits non-zero and names that very line among the offending kernel log
# lines, so the failure is the warning's doing and not only, say, "no test
# ran" (the run has no test programs: see below). Prints TAP.
#
#   scripts/test-runner.sh [--build DIR] FLAVOUR     (DIR default: $BUILD or <repo>/build)
set -euo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$(dirname "$scripts")/build}
if [ "${1:-}" = --build ] && [ $# -ge 2 ]; then
	build=$2
	shift 2
fi
[ $# -eq 1 ] || { echo "usage: $0 [--build DIR] FLAVOUR" >&2; exit 2; }
flavour=$1

# The guest gets an empty build (no module, tool or test program): the proof
# needs none, and the boot then takes seconds, not the whole suite's minutes
# (check.sh runs the suite on its own). Logs go to $build/vm-runner-test/logs.
scratch=$build/vm-runner-test
rm -rf "$scratch"
mkdir -p "$scratch"

# The line the guest injects (scripts/guest-init), as check-log.sh reports
# it: "<line number>:[ <timestamp>] <text>".
injected='WARNING: CPU: 0 PID: 1 at scripts/guest-init: rpcdev runner self-test (injected warning)'

echo "TAP version 13"
echo "1..1"
rc=0
out=$("$scripts/vm-run.sh" --mode test --inject-warn --build "$scratch" "$flavour" 2>&1) || rc=$?
if [ "$rc" -ne 0 ] &&
	grep -qE "^[0-9]+:\[ *[0-9]+\.[0-9]+\] $(sed 's/[][().*^$\\/]/\\&/g' <<<"$injected")\$" <<<"$out"; then
	echo "ok 1 runner_fails_on_guest_warning"
else
	echo "not ok 1 runner_fails_on_guest_warning"
	echo "# vm-run.sh --inject-warn $flavour exited with status $rc; expected non-zero"
	echo "# and the offending line \"$injected\"; its output:"
	sed 's/^/#   /' <<<"$out"
	exit 1
fi
