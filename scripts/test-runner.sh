#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The VM runner's own test: a guest whose kernel reports trouble must turn
# the run red. Each case boots FLAVOUR once and checks that vm-run.sh exits
# non-zero and names the very report among the offending kernel log lines,
# so the failure is the report's doing and not only, say, "no test ran"
# (the runs have no test programs: see below). Prints TAP.
#
#   scripts/test-runner.sh [--build DIR] FLAVOUR [CASE...]
#                                    (DIR default: $BUILD or <repo>/build)
#
#   warning   the guest's init writes a WARN()-shaped line to /dev/kmsg
#             (vm-run.sh --inject-warn); any flavour
#   kasan, ubsan, lockdep, atomic, leak
#             the guest loads rpcdev_splat.ko (scripts/splat/), which
#             commits that real bug (vm-run.sh --inject-splat): an
#             out-of-bounds read KASAN reports, an index UBSAN reports, a
#             lock inversion lockdep reports, might_sleep() under a spinlock,
#             an object leaked, which kmemleak finds and
#             scripts/check-kmemleak.sh counts as rpcdev's once the module
#             is gone. Only on a kernel with those checkers: the debug
#             flavour. The module is built here against its tree.
#
# Default cases: warning; on the debug flavour all six.
set -euo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
. "$scripts/common.sh"
build=${BUILD:-$(dirname "$scripts")/build}
if [ "${1:-}" = --build ] && [ $# -ge 2 ]; then
	build=$2
	shift 2
fi
[ $# -ge 1 ] || { echo "usage: $0 [--build DIR] FLAVOUR [CASE...]" >&2; exit 2; }
flavour=$1
shift
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	cases=(warning)
	flavour_is_built "$flavour" && cases+=(kasan ubsan lockdep atomic leak)
fi

# The guest gets an empty build (no rpcdev module, tool or test program):
# the proof needs none, and the boot then takes seconds, not the whole
# suite's minutes (check.sh runs the suite on its own). Logs go to
# $build/vm-runner-test/FLAVOUR/logs.
scratch=$build/vm-runner-test/$flavour
rm -rf "$scratch"
mkdir -p "$scratch"

# What each case must produce among the offending lines check-log.sh names
# ("<line number>:[ <timestamp>] <text>"), as an extended regular expression
# of the text.
expected_line() {
	case "$1" in
	warning) sed 's/[][().*^$\\/+?{}|]/\\&/g' <<<'WARNING: CPU: 0 PID: 1 at scripts/guest-init: rpcdev runner self-test (injected warning)' ;;
	kasan) echo 'BUG: KASAN: slab-out-of-bounds in splat_kasan\+0x[0-9a-f]+/0x[0-9a-f]+ \[rpcdev_splat\]' ;;
	ubsan) echo 'UBSAN: array-index-out-of-bounds in [^ ]*rpcdev_splat\.c:[0-9]+:[0-9]+' ;;
	lockdep) echo 'WARNING: possible circular locking dependency detected' ;;
	atomic) echo 'BUG: sleeping function called from invalid context at [^ ]*rpcdev_splat\.c:[0-9]+' ;;
	*) return 1 ;;
	esac
}

# Build rpcdev_splat.ko against the flavour's tree into the scratch build's
# module directory, where vm-run.sh takes modules from.
build_splat() {
	local abi kdir src
	abi=$(flavour_abi "$flavour") || { echo "# $flavour's kernel is not there" >&2; return 1; }
	kdir=$RPCDEV_CACHE/kernels/$abi/usr/src/linux-headers-$abi
	src=$scratch/splat-src
	mkdir -p "$src" "$scratch/kmod/$abi"
	cp "$scripts/splat/Kbuild" "$scripts/splat/rpcdev_splat.c" "$src/"
	make -s -C "$kdir" M="$src" modules >"$scratch/splat-build.log" 2>&1 || {
		sed 's/^/# /' "$scratch/splat-build.log"
		return 1
	}
	cp "$src/rpcdev_splat.ko" "$scratch/kmod/$abi/"
}

echo "TAP version 13"
echo "1..${#cases[@]}"
n=0
failed=0
splat_built=
for c in "${cases[@]}"; do
	n=$((n + 1))
	name="runner_fails_on_guest_$c"
	case "$c" in
	warning) opts=(--inject-warn) ;;
	kasan|ubsan|lockdep|atomic|leak)
		opts=(--inject-splat "$c")
		if [ -z "$splat_built" ]; then
			splat_built=1
			build_splat || splat_built=failed
		fi
		if [ "$splat_built" = failed ]; then
			echo "not ok $n $name"
			echo "# could not build rpcdev_splat.ko for $flavour"
			failed=$((failed + 1))
			continue
		fi
		;;
	*) echo "unknown case '$c'" >&2; exit 2 ;;
	esac
	rc=0
	out=$("$scripts/vm-run.sh" --mode test "${opts[@]}" --build "$scratch" "$flavour" 2>&1) || rc=$?
	if [ "$c" = leak ]; then
		# The leaked object, the splat's 0x5a bytes, counted as rpcdev's.
		want="kmemleak found objects rpcdev leaked, the object (0x5a bytes) among rpcdev's leaks"
		good=0
		grep -qF 'kmemleak found objects rpcdev leaked' <<<"$out" &&
			grep -qE "^$flavour: kmemleak: [0-9]+ unreferenced objects?, [1-9][0-9]* of them rpcdev's" <<<"$out" &&
			sed -n "/^$flavour: rpcdev's leaks/,\$p" <<<"$out" | grep -qE '^  \|     5a 5a 5a 5a' &&
			good=1
	else
		want="the offending line /$(expected_line "$c")/"
		good=0
		grep -qE "^[0-9]+:\[ *[0-9]+\.[0-9]+\] $(expected_line "$c")" <<<"$out" && good=1
	fi
	if [ "$rc" -ne 0 ] && [ "$good" = 1 ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		echo "# vm-run.sh ${opts[*]} $flavour exited with status $rc; expected non-zero"
		echo "# and $want; its output:"
		sed 's/^/#   /' <<<"$out"
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
