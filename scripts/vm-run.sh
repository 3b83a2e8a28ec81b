#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot a fetched Debian kernel in QEMU (software emulation, no KVM needed)
# with rpcdev's modules, tool and test programs in a busybox initramfs, run
# the tests there and decide on the host whether the run was clean.
#
#   scripts/vm-run.sh [--mode test|demo|bench] [--inject-warn] [--inject-splat KIND]
#                     [--timeout SECONDS] [--only PROGRAM] [--build DIR] [--overlay DIR]
#                     [--backend sim|ivshmem] FLAVOUR
#
#   --mode test     run every test program (the default)
#   --mode demo     first load the driver with two simulated devices and show
#                   `rpcdev info -a`, then run the tests
#   --mode bench    load the driver (one simulated device, four queues),
#                   run `rpcdev bench`, then the Python binding's bench
#                   (bench_artiq.py --bench, when DIR/python/guest/ is
#                   there) and print their tables; the run passes when
#                   both exit 0 (targets not met are reported, not
#                   failures) and the kernel log is clean. Their JSON is
#                   kept in DIR/logs/<flavour>-bench.json and
#                   DIR/logs/<flavour>-bench-python.json. The guest runs
#                   (every mode boots with tsc=reliable, see below)
#   --inject-warn   make the guest write a kernel WARNING line to its log;
#                   the run must then fail (scripts/test-runner.sh)
#   --inject-splat KIND
#                   make the guest load rpcdev_splat.ko (scripts/splat/, in
#                   DIR/kmod/<abi>/) with bug=KIND: a real KASAN, UBSAN,
#                   lockdep, atomic-sleep report or a leak (kasan, ubsan,
#                   lockdep, atomic, leak) on the debug kernel; the run must
#                   then fail (scripts/test-runner.sh)
#   --timeout S     power-off deadline for the whole VM (default 600 s;
#                   2400 s on the debug flavour)
#   --only PROGRAM  run only that test program (rpcdev_poll_test, say);
#   --only PROGRAM:TEST   only that program's TEST, with RPCDEV_TEST_ALONE=1
#                   in its environment: a test that changes the device for
#                   the rest of the boot (rpcdev_ivshmem_alone_test)
#   --build DIR     where the build outputs are (default <repo>/build):
#                     DIR/kmod/<abi>/*.ko        -> guest /lib/rpcdev/
#                     DIR/selftests/vm/*         -> guest /selftests/
#                     DIR/userlib/rpcdev         -> guest /bin/rpcdev
#   --overlay DIR   copy DIR's tree into the guest's root last, as is (a
#                   scratch install and its test: scripts/test-install.sh)
#                     DIR/ivshmem/rpcdev-ivshmem-fw (--backend ivshmem)
#   --backend B     the device the tests run on (default sim, or
#                   $RPCDEV_VM_BACKEND): sim is rpcdev_sim.ko; ivshmem
#                   starts the firmware (rpcdev-ivshmem-fw, the ivshmem
#                   server) first, then QEMU with an ivshmem-doorbell PCI
#                   device on a hot-pluggable slot (id ivsh0) and a QMP
#                   socket; the guest runs the suites with
#                   RPCDEV_TEST_BACKEND=ivshmem. The firmware's log is kept
#                   beside the guest's, and an "error:" line in it, or a
#                   firmware that died unasked, fails the run
#   RPCDEV_FW_ARGS="--hostile ..."    extra arguments of the firmware
#                     DIR/python/guest/          -> guest / (Python, its tests:
#                                                   /selftests/rpcdev_python_test)
#   RPCDEV_BENCH_ARGS="--quick ..."   extra arguments of `rpcdev bench`
#   RPCDEV_TEST_ENV="VAR=VALUE ..."   environment of the test programs in
#                   the guest, after the flavour's own (below)
#   RPCDEV_VM_VERBOSE=1   stream the guest console to stdout while it runs
#
# The test programs' environment scales their heavy parts where a kernel is
# much slower, never silently: the values are printed with the run. On the
# debug flavour (KASAN, lockdep... under TCG) it is
#   RPCDEV_STRESS_COUNT=100000   upcalls in rpcdev_poll_test's wakeup stress
#                                (a million elsewhere); a tenth of it is the
#                                calls per thread of rpcdev_call_stress_test
#                                (100000 elsewhere) and per process of
#                                rpcdev_uring_test's stress (the same)
#   RPCDEV_FUZZ_ITERS=1000       work of each rpcdev_fuzz_test test (3000)
#   RPCDEV_TRINITY_SYSCALLS=2000 syscalls trinity makes there (20000)
# and in bench mode, on every flavour, GLIBC_TUNABLES keeps glibc's copies
# off REP MOVSB and STOSB, which the emulator runs a byte at a time.
#
# On a kernel with kmemleak (the debug flavour), the guest scans for leaks
# when its work is done; the report goes to DIR/logs/<label>.kmemleak.log
# (ttyS2), and the run fails if an object in it is rpcdev's
# (scripts/check-kmemleak.sh; the kernel's own are shown, not counted).
#
# Logs (CRs stripped) go to DIR/logs/<flavour>-<mode>.console.log (ttyS0:
# kernel and everything) and DIR/logs/<flavour>-<mode>.tap.log (ttyS1: the
# test programs' output only); with --inject-warn the mode part is
# "<mode>-inject-warn" ("<mode>-inject-KIND") so a real run's logs are not overwritten, and with
# --backend ivshmem it is "<mode>-ivshmem", whose firmware logs to
# DIR/logs/<flavour>-<mode>-ivshmem.fw.log.
#
# The last line printed is always the summary, in a format other scripts
# grep for:
#   <flavour>: N passed, M failed, K skipped (guest log: <console log>)
# Exit status: 0 only if the run is clean, 1 if not, 2 on bad usage.
set -euo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$scripts")
. "$scripts/common.sh"

usage() {
	echo "usage:" >&2
	sed -n '/^#   scripts\/vm-run.sh/,/^#   RPCDEV_VM_VERBOSE/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

mode="test"
backend=${RPCDEV_VM_BACKEND:-sim}
inject_warn=0
inject_splat=
only=
timeout=
build=$top/build
overlay=
while [ $# -gt 0 ]; do
	case "$1" in
	--mode) [ $# -ge 2 ] || usage; mode=$2; shift 2 ;;
	--inject-warn) inject_warn=1; shift ;;
	--inject-splat) [ $# -ge 2 ] || usage; inject_splat=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
	--only) [ $# -ge 2 ] || usage; only=$2; shift 2 ;;
	--build) [ $# -ge 2 ] || usage; build=$2; shift 2 ;;
	--overlay) [ $# -ge 2 ] || usage; overlay=$2; shift 2 ;;
	--backend) [ $# -ge 2 ] || usage; backend=$2; shift 2 ;;
	-h|--help) usage ;;
	-*) echo "unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
flavour=$1
case "$mode" in test|demo|bench) ;; *) echo "bad mode '$mode'" >&2; usage ;; esac
case "$inject_splat" in ''|kasan|ubsan|lockdep|atomic|leak) ;;
*) echo "bad splat '$inject_splat'" >&2; usage ;;
esac
if [ -z "$timeout" ]; then
	timeout=600
	flavour_is_built "$flavour" && timeout=2400
fi
case "$timeout" in ''|*[!0-9]*) echo "bad timeout '$timeout'" >&2; usage ;; esac
case "$backend" in sim|ivshmem) ;; *) echo "bad backend '$backend'" >&2; usage ;; esac

# The test programs' environment (see the top).
test_env=()
flavour_is_built "$flavour" &&
	test_env+=(RPCDEV_STRESS_COUNT=100000 RPCDEV_FUZZ_ITERS=1000
		   RPCDEV_TRINITY_SYSCALLS=2000)
# QEMU's TCG runs a REP MOVSB or STOSB one byte per emulated step, some
# 30 ns a byte: glibc's memcpy() and memset() use them from a few KiB to
# the cache's size (a 256 KiB echo took 8 ms, a 1 MiB one 0.7 ms), which a
# real CPU with ERMS moves at full speed. The bench times rpcdev, not that:
# its programs copy with glibc's vector loops (1 GiB thresholds).
[ "$mode" != bench ] ||
	test_env+=(GLIBC_TUNABLES=glibc.cpu.x86_rep_movsb_threshold=0x40000000:glibc.cpu.x86_rep_stosb_threshold=0x40000000)
# shellcheck disable=SC2206
test_env+=(${RPCDEV_TEST_ENV:-})

flavour_meta "$flavour" >/dev/null || die "unknown flavour '$flavour' (one of: $(flavour_names | xargs))"
abi=$(flavour_abi "$flavour") || die "kernel for $flavour not fetched: run scripts/fetch-kernels.sh $flavour"
kernel=$RPCDEV_CACHE/kernels/$abi/boot/vmlinuz-$abi
[ -f "$kernel" ] || die "missing $kernel: run scripts/fetch-kernels.sh $flavour"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run scripts/install-deps.sh"
busybox=/bin/busybox
[ -x "$busybox" ] || die "$busybox missing: run scripts/install-deps.sh (busybox-static)"

build=$(mkdir -p "$build" && cd "$build" && pwd)
label=$flavour-$mode
[ "$inject_warn" = 0 ] || label=$label-inject-warn
[ "$backend" = sim ] || label=$label-$backend
[ -z "$inject_splat" ] || label=$label-inject-$inject_splat
logs=$build/logs
work=$build/vm/$label
console_log=$logs/$label.console.log
tap_log=$logs/$label.tap.log
kmemleak_log=$logs/$label.kmemleak.log
qemu_log=$work/qemu.log
initrd=$work/initramfs.cpio.gz
fw_log=$logs/$label.fw.log
mkdir -p "$logs"
rm -rf "$work"
mkdir -p "$work"
rm -f "$console_log" "$tap_log" "$fw_log" "$kmemleak_log"
if [ "$backend" = ivshmem ]; then
	fw_bin=$build/ivshmem/rpcdev-ivshmem-fw
	[ -x "$fw_bin" ] || die "missing $fw_bin: run make (or make ivshmem)"
fi

# ---------------------------------------------------------------- initramfs

root=$work/root

# copy_prog SRC DST: copy a program into the guest; a dynamically linked one
# (the tests and the tool are meant to be static) gets its libraries too.
copy_prog() {
	local src=$1 dst=$2 lib
	install -D -m 0755 "$src" "$root$dst"
	if LC_ALL=C readelf -l "$src" 2>/dev/null | grep -q 'Requesting program interpreter'; then
		echo "note: $src is dynamically linked; copying its libraries" >&2
		for lib in $(ldd "$src" | grep -o '/[^ ]*'); do
			[ -e "$root$lib" ] || install -D -m 0755 "$lib" "$root$lib"
		done
	fi
}

build_initramfs() {
	local f n=0

	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,lib/rpcdev,selftests}

	# busybox and a link for each of its applets.
	install -m 0755 "$busybox" "$root/bin/busybox"
	for f in $("$busybox" --list-full); do
		[ -e "$root/$f" ] || ln -s /bin/busybox "$root/$f"
	done

	# The kernel opens /dev/console for /init's stdio before anything is
	# mounted. mknod needs root; without it the init reopens the console
	# from devtmpfs (the kernel then logs "unable to open an initial console").
	if [ "$(id -u)" -eq 0 ]; then
		mknod -m 0600 "$root/dev/console" c 5 1
	else
		echo "note: not root, the initramfs has no /dev/console" >&2
	fi

	install -m 0755 "$scripts/guest-init" "$root/init"

	for f in "$build/kmod/$abi"/*.ko; do
		[ -f "$f" ] || continue
		install -m 0644 "$f" "$root/lib/rpcdev/"
	done
	# The runner's own tests and the install test boot without them.
	[ -f "$root/lib/rpcdev/rpcdev.ko" ] ||
		echo "note: no modules in $build/kmod/$abi (build them: make FLAVOUR=$flavour)" >&2

	for f in "$build/selftests/vm"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		copy_prog "$f" "/selftests/${f##*/}"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || echo "note: no test programs in $build/selftests/vm" >&2

	if [ -x "$build/userlib/rpcdev" ]; then
		copy_prog "$build/userlib/rpcdev" /bin/rpcdev
	else
		echo "note: no $build/userlib/rpcdev" >&2
	fi

	# Debian's trinity syscall fuzzer (scripts/install-deps.sh), which
	# rpcdev_fuzz_test runs against /dev/rpcdev0; dynamically linked.
	if [ -x /usr/bin/trinity ]; then
		copy_prog /usr/bin/trinity /usr/bin/trinity 2>/dev/null
	else
		echo "note: no /usr/bin/trinity (run scripts/install-deps.sh): its test is skipped" >&2
	fi

	# The Python interpreter, the part of its library the Python tests
	# use, the rpcdev package and its test program (userlib/python/).
	if [ -d "$build/python/guest/usr" ]; then
		cp -a "$build/python/guest/." "$root/"
	fi

	# The NIC of the bench's TCP baseline to the firmware (below), from
	# the kernel's own modules, uncompressed for busybox's insmod.
	if [ -n "$fw_tcp_port" ]; then
		mkdir -p "$root/lib/rpcdev/net"
		for f in failover net_failover virtio_net; do
			n=$(find "$RPCDEV_CACHE/kernels/$abi/lib/modules" -name "$f.ko*" | head -1)
			case $n in
			'') echo "note: no $f module for $abi: the firmware TCP row is n/a" >&2 ;;
			*.xz) xz -dc "$n" >"$root/lib/rpcdev/net/$f.ko" ;;
			*) install -m 0644 "$n" "$root/lib/rpcdev/net/$f.ko" ;;
			esac
		done
	fi

	# The bench's extra arguments, read by guest-init in bench mode.
	if [ -n "${RPCDEV_BENCH_ARGS:-}" ]; then
		mkdir -p "$root/etc"
		printf '%s\n' "$RPCDEV_BENCH_ARGS" >"$root/etc/rpcdev-bench-args"
	fi

	# The test programs' environment, one VAR=VALUE a line, read by
	# guest-init.
	if [ ${#test_env[@]} -gt 0 ]; then
		mkdir -p "$root/etc"
		printf '%s\n' "${test_env[@]}" >"$root/etc/rpcdev-test-env"
	fi

	[ -z "$overlay" ] || cp -a "$overlay"/. "$root"/

	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$initrd"
}

# The bench on ivshmem also times TCP between a guest process and the
# firmware (the way ARTIQ's core device talks to its host): the firmware
# echoes on a free port of 127.0.0.1 here, which the guest reaches at
# 10.0.2.2 through QEMU's user network, on a virtio-net NIC.
fw_tcp_port=
if [ "$backend" = ivshmem ] && [ "$mode" = bench ]; then
	fw_tcp_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi

build_initramfs

# --------------------------------------------------------------------- boot

# Kernel messages of every level reach the console (loglevel=7), so WARNING
# and BUG lines are in the console log. panic=-1 reboots at once on a panic,
# which -no-reboot turns into QEMU exiting.
cmdline="console=ttyS0 rdinit=/init panic=-1 loglevel=7 printk.devkmsg=on"
cmdline+=" sysctl.kernel.hung_task_timeout_secs=30 rpcdev_vm.mode=$mode"
[ -z "$only" ] || cmdline+=" rpcdev_vm.only=$only"
# Busy vCPUs make QEMU's TSC drift from its HPET enough for the clocksource
# watchdog to mark the TSC unstable: timing moves to the slow HPET mid-run,
# and the kernel patches its sched_clock static key, which under TCG can
# oops on stale code (an int3 in sched_clock_cpu, seen in bench and test
# runs). QEMU's TSC is one clock for all vCPUs: trust it, in every mode.
cmdline+=" tsc=reliable"
[ "$inject_warn" = 0 ] || cmdline+=" rpcdev_vm.inject_warn=1"
[ "$backend" = sim ] || cmdline+=" rpcdev_vm.backend=$backend"
[ -z "$inject_splat" ] || cmdline+=" rpcdev_vm.splat=$inject_splat"
[ -z "$fw_tcp_port" ] || cmdline+=" rpcdev_vm.fw_tcp=$fw_tcp_port"

# QEMU option values escape a comma by doubling it.
qarg() { echo "${1//,/,,}"; }

qemu=(qemu-system-x86_64
	-accel tcg -cpu max -smp 2 -m 1G
	-nodefaults -no-user-config -no-reboot
	-display none -monitor none
	-kernel "$(qarg "$kernel")" -initrd "$(qarg "$initrd")" -append "$cmdline"
	-chardev "file,id=ttyS0,path=$(qarg "$console_log")" -serial chardev:ttyS0
	-chardev "file,id=ttyS1,path=$(qarg "$tap_log")" -serial chardev:ttyS1
	-chardev "file,id=ttyS2,path=$(qarg "$kmemleak_log")" -serial chardev:ttyS2)

# ------------------------------------------------------- the ivshmem device

# The firmware is the ivshmem server too: it must listen before QEMU starts,
# and it lives as long as one boot (QEMU cannot reconnect to a new server).
# Its queues and vectors match the device's: vectors = queues + 1.
fw_queues=4
fw_sock=$work/ivshmem.sock
fw_pidfile=$work/fw.pid
qmp_sock=$work/qmp.sock
fw_pid=
if [ "$backend" = ivshmem ]; then
	# The device sits in slot 5 of the PC machine's root bus, where ACPI
	# hot plug lets QMP device_del take it away from the running guest.
	qemu+=(-chardev "socket,id=ivsh,path=$(qarg "$fw_sock")"
		-device "ivshmem-doorbell,id=ivsh0,chardev=ivsh,vectors=$((fw_queues + 1)),bus=pci.0,addr=0x5"
		-qmp "unix:$(qarg "$qmp_sock"),server=on,wait=off")
fi
if [ -n "$fw_tcp_port" ]; then
	qemu+=(-netdev user,id=net0
		-device virtio-net-pci,netdev=net0,bus=pci.0,addr=0x6)
fi

# fw_start: start the firmware and wait until it listens.
fw_start() {
	local i
	rm -f "$fw_pidfile" "$fw_sock"
	# shellcheck disable=SC2086
	"$fw_bin" --socket "$fw_sock" --queues "$fw_queues" --shm-size 256M \
		--log "$fw_log" --pidfile "$fw_pidfile" --qmp "$qmp_sock" \
		--device-id ivsh0 --test-methods \
		${fw_tcp_port:+--tcp-echo "$fw_tcp_port"} ${RPCDEV_FW_ARGS:-} </dev/null &
	fw_pid=$!
	for i in $(seq 100); do
		[ -s "$fw_pidfile" ] && return 0
		kill -0 "$fw_pid" 2>/dev/null || break
		sleep 0.05
	done
	die "the firmware did not start (log: $fw_log)"
}

# fw_stop: stop the firmware, if it still runs; sets fw_status (its exit
# status: 0 after SIGTERM, 137 when a test killed it).
fw_stop() {
	fw_status=
	[ -n "$fw_pid" ] || return 0
	kill -TERM "$fw_pid" 2>/dev/null || true
	fw_status=0
	wait "$fw_pid" || fw_status=$?
	fw_pid=
}
trap 'fw_stop' EXIT

# boot: run QEMU once; sets rc (its exit status) and elapsed.
boot() {
	local qemu_pid tail_pid= start

	rm -f "$console_log" "$tap_log" "$kmemleak_log"
	touch "$console_log" "$tap_log" "$kmemleak_log"
	[ "$backend" = sim ] || fw_start
	start=$(date +%s)
	timeout --kill-after=10 "$timeout" "${qemu[@]}" </dev/null >"$qemu_log" 2>&1 &
	qemu_pid=$!
	if [ "${RPCDEV_VM_VERBOSE:-0}" = 1 ]; then
		tail -n +1 -f --pid="$qemu_pid" "$console_log" &
		tail_pid=$!
	fi
	rc=0
	wait "$qemu_pid" || rc=$?
	[ -z "$tail_pid" ] || wait "$tail_pid" || true
	elapsed=$(($(date +%s) - start))
	[ "$backend" = sim ] || fw_stop
}

echo "$flavour: booting $abi ($mode$([ "$inject_warn" = 0 ] || echo ", injected warning")$([ -z "$inject_splat" ] || echo ", injected $inject_splat bug")$([ "$backend" = sim ] || echo ", $backend device")), limit ${timeout}s"
[ ${#test_env[@]} -eq 0 ] || echo "$flavour: test environment: ${test_env[*]}"
# Under TCG with two vCPUs, QEMU now and then runs stale code while the
# kernel patches its own text early in boot (an int3 oops in a static call,
# before any module or test exists). A guest that died before it ran /init
# is booted again, at most twice; its log is kept beside the real one. A
# failure once /init runs is never retried.
for attempt in 1 2 3; do
	boot
	grep -q 'Run /init as init process' "$console_log" && break
	[ "$attempt" -lt 3 ] || break
	cp "$console_log" "$console_log.boot-failure-$attempt"
	[ "$backend" = sim ] || mv "$fw_log" "$fw_log.boot-failure-$attempt"
	echo "$flavour: the guest died before it ran /init (see $console_log.boot-failure-$attempt); booting again"
done

# The guest's serial lines end in CR LF.
sed -i 's/\r$//' "$console_log" "$tap_log" "$kmemleak_log"

# ----------------------------------------------------------------- decision

reasons=()	# why the run failed, one line each
failing=()	# failing tests and test programs

case $rc in
0) ;;
124|137) reasons+=("VM did not power off within $timeout s") ;;
*)	reasons+=("QEMU exited with status $rc")
	sed 's/^/  qemu: /' "$qemu_log" >&2 ;;
esac

if ! grep -q 'RPCDEV-GUEST-DONE' "$console_log"; then
	reasons+=("the guest did not finish its work (no RPCDEV-GUEST-DONE on the console)")
fi

# TAP results from ttyS1.
passed=$(grep -E '^ok [0-9]' "$tap_log" | grep -cviE '#[[:space:]]*skip' || true)
skipped=$(grep -E '^ok [0-9]' "$tap_log" | grep -ciE '#[[:space:]]*skip' || true)
failed=$(grep -cE '^not ok [0-9]' "$tap_log" || true)
while IFS= read -r line; do
	failing+=("$line")
done < <(grep -E '^not ok [0-9]' "$tap_log" || true)

# A test program that exited badly without a failing TAP line (it crashed,
# or its harness failed before any test) counts as one failure.
# Exit status 4 is kselftest's "skipped".
while read -r name status not_ok; do
	status=${status#status=}
	not_ok=${not_ok#not_ok=}
	case $status in 0|4) continue ;; esac
	if [ "$not_ok" -eq 0 ]; then
		failed=$((failed + 1))
		failing+=("$name: exited with status $status without a failing test line")
	else
		failing+=("$name: exited with status $status, $not_ok failing test(s)")
	fi
done < <(grep -oE 'RPCDEV-GUEST-TEST [^ ]+ status=[0-9]+ not_ok=[0-9]+' "$console_log" |
	cut -d' ' -f2- || true)

while IFS= read -r line; do
	reasons+=("guest step failed: $line")
done < <(grep -oE 'RPCDEV-GUEST-STEP-FAILED: .*' "$console_log" | sed 's/^RPCDEV-GUEST-STEP-FAILED: //' || true)

# The bench: its tables (ttyS1, without the JSON) here, its JSON into the
# logs, and its exit status decides (it counts as one test); the same for
# the Python binding's bench after it (another test, skipped when the
# guest has no Python).
if [ "$mode" = bench ]; then
	bench_json=$logs/$label.json
	py_json=$logs/$label-python.json
	sed -E '/^RPCDEV-BENCH-(PYTHON-)?JSON-BEGIN$/,$d' "$tap_log"
	sed -n '/^RPCDEV-BENCH-JSON-BEGIN$/,/^RPCDEV-BENCH-JSON-END$/p' "$tap_log" |
		sed '1d;$d' >"$bench_json"
	[ -s "$bench_json" ] || rm -f "$bench_json"
	sed -n '/^RPCDEV-BENCH-PYTHON-JSON-BEGIN$/,/^RPCDEV-BENCH-PYTHON-JSON-END$/p' "$tap_log" |
		sed '1d;$d' >"$py_json"
	[ -s "$py_json" ] || rm -f "$py_json"
	bench_status=$(grep -oE 'RPCDEV-GUEST-BENCH status=[0-9]+' "$console_log" |
		tail -n 1 | cut -d= -f2 || true)
	if [ -z "$bench_status" ]; then
		failed=$((failed + 1))
		failing+=("rpcdev bench: did not finish")
	elif [ "$bench_status" = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failing+=("rpcdev bench: exit status $bench_status")
		grep -E '^rpcdev' "$console_log" | grep -vE '^rpcdev-vm:' |
			sed 's/^/  guest: /' >&2 || true
	fi
	py_status=$(grep -oE 'RPCDEV-GUEST-BENCH-PYTHON status=[0-9a-z]+' "$console_log" |
		tail -n 1 | cut -d= -f2 || true)
	case $py_status in
	0) passed=$((passed + 1)) ;;
	skipped) skipped=$((skipped + 1)) ;;
	'')	if [ -n "$bench_status" ]; then
			failed=$((failed + 1))
			failing+=("Python bench (bench_artiq.py --bench): did not finish")
		fi ;;
	*)	failed=$((failed + 1))
		failing+=("Python bench (bench_artiq.py --bench): exit status $py_status")
		grep -E '^(bench_artiq|Traceback|  File|[A-Za-z]+Error)' "$console_log" |
			sed 's/^/  guest: /' >&2 || true ;;
	esac
	echo "$flavour: bench exit status ${bench_status:-none}$([ ! -s "$bench_json" ] || echo ", JSON in $bench_json")"
	echo "$flavour: Python bench exit status ${py_status:-none}$([ ! -s "$py_json" ] || echo ", JSON in $py_json")"
fi

[ "$failed" -gt 0 ] && reasons+=("$failed test(s) failed")
[ $((passed + failed + skipped)) -gt 0 ] || reasons+=("no test ran")

# The firmware: its own errors, or a death no test asked for.
if [ "$backend" = ivshmem ]; then
	while IFS= read -r line; do
		reasons+=("firmware: $line")
	done < <(grep -E '^\[[ 0-9.]+\] rpcdev-ivshmem-fw: error: ' "$fw_log" | head -n 20 || true)
	if [ "$fw_status" = 137 ]; then
		grep -q 'test: killed, as asked' "$fw_log" ||
			reasons+=("the firmware was killed, and no test asked for it ($fw_log)")
	elif [ "$fw_status" != 0 ]; then
		reasons+=("the firmware exited with status $fw_status ($fw_log)")
	fi
fi

# The kernel log: oopses, BUG:, WARNING:, lockdep, KASAN, hung tasks...
log_report=$work/check-log.out
if ! "$scripts/check-log.sh" "$console_log" >"$log_report" 2>&1; then
	reasons+=("the kernel log shows problems (scripts/check-log.sh)")
fi

# Leaks: the guest scanned when its work was done ("RPCDEV-GUEST-KMEMLEAK
# objects=N" on the console) on a kernel with kmemleak, which the debug
# flavour has.
kmemleak_report=$work/check-kmemleak.out
if grep -q 'RPCDEV-GUEST-KMEMLEAK' "$console_log"; then
	if ! "$scripts/check-kmemleak.sh" "$kmemleak_log" >"$kmemleak_report" 2>&1; then
		reasons+=("kmemleak found objects rpcdev leaked (scripts/check-kmemleak.sh)")
	fi
	echo "$flavour: $(tail -n 1 "$kmemleak_report") (report: $kmemleak_log)"
	# The kernel's own are shown, not counted.
	grep '^kernel: ' "$kmemleak_report" | sed "s/^/$flavour: kmemleak: /" || true
elif flavour_is_built "$flavour" && grep -q 'RPCDEV-GUEST-DONE' "$console_log"; then
	reasons+=("no kmemleak scan on the debug kernel (no RPCDEV-GUEST-KMEMLEAK on the console)")
fi

if [ ${#reasons[@]} -gt 0 ]; then
	{
		echo "$flavour: FAILED after ${elapsed}s:"
		printf '  %s\n' "${reasons[@]}"
		if [ ${#failing[@]} -gt 0 ]; then
			echo "$flavour: failing tests:"
			printf '  %s\n' "${failing[@]}"
		fi
		if [ -s "$log_report" ]; then
			echo "$flavour: offending kernel log lines ($console_log):"
			# A storm of reports would bury the summary: show the start.
			head -n 150 "$log_report"
			[ "$(wc -l <"$log_report")" -le 150 ] ||
				echo "  ... (full report: $log_report)"
		fi
		if grep -q '^rpcdev: ' "$kmemleak_report" 2>/dev/null; then
			echo "$flavour: rpcdev's leaks ($kmemleak_log):"
			sed -n '/^rpcdev objects in full:$/,/^kmemleak: /p' "$kmemleak_report" |
				sed '1d;$d' | head -n 150
		fi
		if ! grep -q 'RPCDEV-GUEST-DONE' "$console_log"; then
			echo "$flavour: last console lines:"
			tail -n 30 "$console_log" | sed 's/^/  | /'
		fi
	} >&2
else
	echo "$flavour: clean run in ${elapsed}s"
fi

echo "$flavour: $passed passed, $failed failed, $skipped skipped (guest log: $console_log$([ "$backend" = sim ] || echo ", firmware log: $fw_log"))"
[ ${#reasons[@]} -eq 0 ]
