#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rpcdev's benchmark, as `make bench` runs it: install what is missing,
# fetch the kernel of FLAVOUR (default 6.12), build the driver, the
# tool, the Python package and the ivshmem firmware, run the ring bench
# (build/ivshmem/rpcdev-ring-bench: a POLL upcall's path, the firmware
# and librpcdev, on this host's own CPUs beside the shared-memory
# ping-pong, with no emulation), boot the kernel in
# QEMU and run `rpcdev bench` there, then the Python binding's bench
# (bench_artiq.py --bench) (scripts/vm-run.sh --mode bench), between the
# guest's two vCPUs; then boot again with the ivshmem device and run the
# rows of its path.
#
#   scripts/bench.sh [--quick] [--backend sim|ivshmem|all] [FLAVOUR]
#
#   --backend B             which device (default all: both, one boot each):
#                           sim, rpcdev_sim and every row; ivshmem, QEMU's
#                           ivshmem-doorbell device with its firmware in a
#                           process of this machine, and the rows of that
#                           path (IVSHMEM_ROWS below: upcalls BLOCK, POLL
#                           and ADAPTIVE, the ADAPTIVE server's idle CPU,
#                           sync downcalls, and their two baselines between
#                           the same two parties, the ping-pong through the
#                           device's memory and TCP over QEMU's network)
#   --quick                 a short run (seconds instead of minutes), one
#                           round: its figures are indicative; otherwise
#                           every row is measured in 5 rounds of alternating
#                           order (--repeat 5) and each ratio is their median
#   BUILD=DIR               build outputs (default <repo>/build)
#   RPCDEV_BENCH_ARGS=...   more arguments of `rpcdev bench` (`rpcdev help
#                           bench`; for instance "-n 50000", "--repeat 5"
#                           or "--only eventfd,upcall_block"); its --quick
#                           and --repeat N (N >= 5) go to the Python bench
#                           too, which repeats every row 5 times otherwise
#
# Prints the bench's table and one line per target (the rows and targets:
# `rpcdev bench --list`); its JSON is kept in DIR/logs/<flavour>-bench.json
# (ivshmem: <flavour>-bench-ivshmem.json), and this host draws the latency
# rows' distributions from it into DIR/logs/<flavour>-bench.png (ivshmem:
# -bench-ivshmem.png; `rpcdev bench --plot PNG --from JSON`, with gnuplot:
# the guest has none). On sim, the Python bench's table and targets (a
# Python-served upcall against the C server and against a Python TCP
# server written as ARTIQ's host is, the mailbox pause against that
# server's round trip), its JSON in DIR/logs/<flavour>-bench-python.json.
# Exit status: 0 when every boot's benches ran every measurement (targets
# not met are reported, not failures) and the guest's kernel log is clean.
#
# QEMU emulates the guest's CPUs in threads of this machine: anything else
# running here (another VM, a build) shows in the figures, so run it alone.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/common.sh

quick=
backends=all
flavour=${FLAVOUR:-6.12}
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=--quick; shift ;;
	--backend)
		[ $# -ge 2 ] || { echo "--backend needs sim, ivshmem or all" >&2; exit 2; }
		backends=$2; shift 2 ;;
	-h|--help) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	-*) echo "unknown option $1" >&2; exit 2 ;;
	*) flavour=$1; shift ;;
	esac
done
[ $# -eq 0 ] || { echo "usage: scripts/bench.sh [--quick] [--backend sim|ivshmem|all] [FLAVOUR]" >&2; exit 2; }
case $backends in
sim|ivshmem) ;;
all) backends="sim ivshmem" ;;
*) echo "unknown backend '$backends' (sim, ivshmem or all)" >&2; exit 2 ;;
esac
flavour_meta "$flavour" >/dev/null || die "unknown flavour '$flavour' (one of: $(flavour_names | xargs))"
build=${BUILD:-$top/build}

scripts/install-deps.sh gnuplot-nox
scripts/fetch-kernels.sh "$flavour"
abi=$(flavour_abi "$flavour")
make -s BUILD="$build" KDIR="$RPCDEV_CACHE/kernels/$abi/usr/src/linux-headers-$abi" modules
make -s BUILD="$build" userlib
make -s BUILD="$build" ivshmem

# Other emulated machines or builds on this host slow the guest's vCPUs
# down unevenly: say so next to the figures, before and after the run.
qemus() { pgrep -c -f '^qemu-system-x86_64 ' || true; }
load=$(cut -d' ' -f1 /proc/loadavg)
if [ "$(qemus)" -gt 0 ]; then
	echo "warning: $(qemus) other QEMU process(es) running on this host: the figures will be noisy" >&2
elif awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > n / 4) }'; then
	echo "warning: this host's load average is $load: the figures may be noisy" >&2
fi
# While the bench runs, ours is the one QEMU expected. The watcher ends
# with this script however it ends: left behind, it would hold what the
# script was given (a caller's flock on the VM lock, say) for ever.
crowd=$(mktemp)
watcher=
# (set -e holds in the trap: a kill of a watcher gone already must not fail it.)
trap 'kill "$watcher" 2>/dev/null || true; rm -f "$crowd"' EXIT
( while kill -0 $$ 2>/dev/null && sleep 5; do
	[ "$(qemus)" -le 1 ] || echo x >>"$crowd"
done ) &
watcher=$!

# Five rounds of alternating order unless told otherwise: the ratios of
# one round move by 30 % and more under emulation, their medians hold.
# --quick stays one short round, its figures indicative.
reps=
case " ${RPCDEV_BENCH_ARGS:-} " in
*" --repeat "* | *" --sweep "*) ;;
*) [ -n "$quick" ] || reps="--repeat 5" ;;
esac

# The rows of the device behind the PCI boundary: its own path, with the
# baselines between the same two parties (a guest process and the
# firmware's process).
IVSHMEM_ROWS=dev_pingpong,fw_tcp,upcall_block,upcall_poll,upcall_adaptive,adaptive_idle,downcall

# bench_one BACKEND: one boot's bench, its PNG drawn here; its status.
bench_one() {
	local backend=$1 only='' rc=0 json png
	json=$build/logs/$flavour-bench.json
	if [ "$backend" = ivshmem ]; then
		json=$build/logs/$flavour-bench-ivshmem.json
		case " ${RPCDEV_BENCH_ARGS:-} " in
		*" --only "* | *" --sweep "*) ;;
		*) only="--only $IVSHMEM_ROWS" ;;
		esac
	fi
	RPCDEV_BENCH_ARGS="$quick $reps $only ${RPCDEV_BENCH_ARGS:-}" \
		scripts/vm-run.sh --build "$build" --backend "$backend" \
		--mode bench "$flavour" || rc=$?
	png=${json%.json}.png
	rm -f "$png"
	if [ -s "$json" ]; then
		if "$build/userlib/rpcdev" bench --plot "$png" --from "$json"; then
			echo "$flavour ($backend): latency distributions drawn in $png"
		else
			rc=1
		fi
	fi
	return $rc
}

# First, while nothing else runs: a POLL upcall's path (the portable
# firmware and librpcdev, no kernel between them once a queue is
# attached) on this host's own CPUs beside the same floor, so the ratio
# the emulated guest gives below has the unemulated one beside it.
rc=0
if [ "$(nproc)" -ge 2 ]; then
	"$build/ivshmem/rpcdev-ring-bench" || rc=1
else
	echo "rpcdev-ring-bench: skipped, this host has one CPU (the two sides need two)"
fi
for b in $backends; do
	bench_one "$b" || rc=1
done
kill "$watcher" 2>/dev/null || true
wait "$watcher" 2>/dev/null || true
if [ -s "$crowd" ]; then
	echo "warning: another QEMU ran on this host during the bench: the figures are noisy" >&2
fi
exit $rc
