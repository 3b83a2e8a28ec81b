#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# rpcdev's whole test run, as `make check` and CI run it:
#   1. install what is missing, fetch the kernels (and build the debug one
#      the first time, about 15 minutes), build everything;
#   2. host-side tests (library, log and kmemleak detectors, checkpatch, man
#      pages and licence tags, DKMS builds against every flavour's headers);
#   3. the VM runner's own test (a warning in the guest must fail a run;
#      on the debug kernel, so must a real KASAN, UBSAN, lockdep,
#      atomic-sleep report and a leak);
#   4. make install into a DESTDIR, and that install in a VM;
#   5. the selftests in a VM on every kernel flavour, on the simulated
#      device, and on the stock kernels on the ivshmem PCI device too
#      (RPCDEV_CHECK_BACKENDS="sim" for the simulated device alone).
# Ends with "N passed, M failed" and exits non-zero if anything failed.
#
#   scripts/check.sh [FLAVOUR...]     (default: 6.12 6.12-rt 6.1 debug)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/common.sh

flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || mapfile -t flavours < <(flavour_names)
build=${BUILD:-$top/build}
mkdir -p "$build/logs"

passed=0
failed=0
skipped=0
summary=()

# count_tap NAME LOG: add the TAP results in LOG to the totals.
count_tap() {
	local name=$1 log=$2 p f s
	p=$(grep -cE '^ok [0-9]+' "$log" | head -n1)
	s=$(grep -E '^ok [0-9]+' "$log" | grep -c '# SKIP')
	f=$(grep -cE '^not ok [0-9]+' "$log")
	p=$((p - s))
	if [ $((p + f + s)) -eq 0 ]; then
		f=1
		echo "$name: ran no test" >&2
	fi
	grep -E '^not ok [0-9]+' "$log" | sed "s/^/$name: /" >&2
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	summary+=("$name: $p passed, $f failed, $s skipped")
}

# run_tap NAME CMD...: run a TAP-printing command, count its results; a
# non-zero exit with no failing test line counts as one failure.
run_tap() {
	local name=$1 log=$build/logs/$1.tap rc
	shift
	"$@" >"$log" 2>&1
	rc=$?
	count_tap "$name" "$log"
	if [ $rc -ne 0 ] && ! grep -qE '^not ok [0-9]+' "$log"; then
		failed=$((failed + 1))
		echo "$name: exited with status $rc" >&2
		tail -n 20 "$log" >&2
	fi
}

finish() {
	echo
	printf '%s\n' "${summary[@]}"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

echo "== setting up"
if ! scripts/install-deps.sh || ! scripts/fetch-kernels.sh "${flavours[@]}" ||
	! scripts/fetch-tools.sh >/dev/null; then
	echo "setup failed" >&2
	failed=$((failed + 1))
	finish
fi

echo "== building"
for f in "${flavours[@]}"; do
	if ! make -s FLAVOUR="$f" BUILD="$build" modules; then
		summary+=("build: modules for $f failed")
		failed=$((failed + 1))
		finish
	fi
done
if ! make -s BUILD="$build" userlib ivshmem selftests; then
	summary+=("build: userlib/ivshmem/selftests failed")
	failed=$((failed + 1))
	finish
fi

echo "== host tests"
for t in "$build"/selftests/host/*; do
	[ -x "$t" ] || continue
	RPCDEV_TOOL=$build/userlib/rpcdev run_tap "host-$(basename "$t")" "$t"
done
run_tap host-check-log scripts/test-check-log.sh
run_tap host-ivshmem-fw scripts/ivshmem/test-fw.py "$build/ivshmem/rpcdev-ivshmem-fw"
run_tap host-check-kmemleak scripts/test-check-kmemleak.sh
checkpatch_tap() {
	echo "TAP version 13"
	echo "1..1"
	if make -s checkpatch; then
		echo "ok 1 checkpatch_quiet_on_kmod_and_uapi"
	else
		echo "not ok 1 checkpatch_quiet_on_kmod_and_uapi"
	fi
}
run_tap host-checkpatch checkpatch_tap
# Packaging (pkg): man pages, licence tags, the udev rule; DKMS against
# every flavour's headers; make install into a DESTDIR (its VM half runs
# below, after the runner's self-test).
run_tap host-tree scripts/test-tree.sh
BUILD=$build run_tap host-dkms scripts/test-dkms.sh "${flavours[@]}"

echo "== VM runner self-test (${flavours[0]})"
run_tap vm-runner scripts/test-runner.sh "${flavours[0]}" warning
for f in "${flavours[@]}"; do
	flavour_is_built "$f" || continue
	echo "== VM runner self-test ($f: real reports of its checkers)"
	run_tap "vm-runner-$f" scripts/test-runner.sh "$f" kasan ubsan lockdep atomic leak
done

echo "== make install, on the host and in a VM (${flavours[0]})"
BUILD=$build run_tap install scripts/test-install.sh "${flavours[0]}"

# vm_run FLAVOUR BACKEND [PROGRAM:TEST]: the selftests in a VM (or that one
# test, in a boot of its own); count its summary line.
vm_run() {
	local f=$1 backend=$2 only=${3:-} log line p fl s rc
	local what=$backend${only:+, ${only#*:} alone}
	echo "== selftests on $f ($what)"
	log=$build/logs/vm-$f-$backend${only:+-${only#*:}}.out
	# The stresses (a million upcalls, 100000 calls per thread) run at
	# full count on the simulated device of every kernel; on ivshmem,
	# where each call crosses QEMU to the firmware process, at a tenth:
	# the same core code, in a tenth of the time.
	local env=${RPCDEV_TEST_ENV:-}
	[ "$backend" = ivshmem ] && env="RPCDEV_STRESS_COUNT=100000 $env"
	RPCDEV_TEST_ENV=$env scripts/vm-run.sh --mode test --build "$build" \
		--backend "$backend" ${only:+--only "$only"} "$f" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E "^$f: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n1)
	if [ -z "$line" ]; then
		summary+=("$f ($what): the VM run gave no result")
		failed=$((failed + 1))
		return
	fi
	p=$(sed -E 's/^[^:]*: ([0-9]+) passed.*/\1/' <<<"$line")
	fl=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line")
	s=${s:-0}
	# A run that failed on its log (warning, timeout) with no failing test
	# still counts as a failure.
	if [ "$rc" -ne 0 ] && [ "$fl" -eq 0 ]; then
		fl=1
	fi
	passed=$((passed + p))
	failed=$((failed + fl))
	skipped=$((skipped + s))
	summary+=("$line ($what)")
}

# The tests that change the ivshmem device for the rest of the boot
# (unplugged, its firmware killed or hostile), one boot each (5-20 s) after
# the ivshmem pass of 6.12, or of each flavour in
# RPCDEV_CHECK_ALONE_FLAVOURS ("6.12 6.12-rt 6.1": three minutes each),
# which keeps make check within 45 minutes on two cores.
alone_flavours=" ${RPCDEV_CHECK_ALONE_FLAVOURS:-6.12} "
alone_prog=rpcdev_ivshmem_alone_test
alone_tests() {
	# -l prints FIXTURE (20 wide), VARIANT (25 wide) and TEST columns.
	"$build/selftests/vm/$alone_prog" -l 2>&1 |
		awk '!/^(#|-)/ { t = substr($0, 48); if (t != "") print t }'
}

# Every stock kernel runs the suites on both devices; the debug kernel, a
# third of the run already, on the simulated one. RPCDEV_CHECK_BACKENDS
# ("sim", "sim ivshmem") sets the devices for every kernel.
backends_of() {
	if [ -n "${RPCDEV_CHECK_BACKENDS:-}" ]; then
		echo "$RPCDEV_CHECK_BACKENDS"
	elif flavour_is_built "$1"; then
		echo sim
	else
		echo sim ivshmem
	fi
}
for f in "${flavours[@]}"; do
	for b in $(backends_of "$f"); do
		abi=$(flavour_abi "$f")
		if [ "$b" = ivshmem ] && [ ! -f "$build/kmod/$abi/rpcdev_ivshmem.ko" ]; then
			summary+=("$f (ivshmem): no rpcdev_ivshmem.ko")
			failed=$((failed + 1))
			continue
		fi
		vm_run "$f" "$b"
		[ "$b" = ivshmem ] && [[ $alone_flavours == *" $f "* ]] || continue
		for t in $(alone_tests); do
			vm_run "$f" ivshmem "$alone_prog:$t"
		done
	done
done

finish
