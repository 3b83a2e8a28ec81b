#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host-side unit test of scripts/check-kmemleak.sh: canned kmemleak reports
# in the shape Linux 6.12 prints them, and the verdict on each. Prints TAP;
# exits non-zero if any case failed.
#
#   scripts/test-check-kmemleak.sh
set -euo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
check=$scripts/check-kmemleak.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0

# object ADDRESS COMM BACKTRACE-LINE...: one object of a report.
object() {
	local addr=$1 comm=$2 f
	shift 2
	echo "unreferenced object $addr (size 128):"
	echo "  comm \"$comm\", pid 214, jiffies 4294893524"
	echo "  hex dump (first 32 bytes):"
	echo "    5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a  ZZZZZZZZZZZZZZZZ"
	echo "    5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a  ZZZZZZZZZZZZZZZZ"
	echo "  backtrace (crc 1c2d3e4f):"
	for f in "$@"; do
		echo "    $f"
	done
}

kernel_obj() {
	object 0xffff888004a1c000 swapper/0 kmemleak_alloc+0x4a/0x80 \
		__kmalloc_cache_noprof+0x1f3/0x3a0 acpi_os_allocate_zeroed+0x2b/0x40 \
		acpi_ut_create_generic_state+0x1a/0x60 kernel_init+0x1a/0x1c0 \
		ret_from_fork+0x34/0x70
}

sim_obj() {	# allocated by a module that is still loaded
	object 0xffff888005b2d000 rpcdev_call_tes kmemleak_alloc+0x4a/0x80 \
		__kmalloc_cache_noprof+0x1f3/0x3a0 \
		'rpcdev_sim_add_queue+0x5e/0x210 [rpcdev_sim]' \
		'rpcdev_register_device+0x91/0x300 [rpcdev]' do_one_initcall+0x98/0x2b0
}

unloaded_obj() {	# allocated by a module unloaded since
	object 0xffff888005b2e000 insmod kmemleak_alloc+0x4a/0x80 \
		__kmalloc_cache_noprof+0x1f3/0x3a0 0xffffffffa0012345 \
		do_one_initcall+0x98/0x2b0 do_init_module+0x90/0x260
}

other_module_obj() {
	object 0xffff888005b2f000 insmod kmemleak_alloc+0x4a/0x80 \
		__kmalloc_cache_noprof+0x1f3/0x3a0 'foo_probe+0x22/0x90 [foo]' \
		do_one_initcall+0x98/0x2b0
}

# expect NAME STATUS SUMMARY REPORT-FILE [LINE-THAT-MUST-APPEAR]
expect() {
	local name=$1 want=$2 summary=$3 file=$4 line=${5:-} out rc=0
	n=$((n + 1))
	out=$("$check" "$file" 2>&1) || rc=$?
	if [ "$rc" -eq "$want" ] && grep -qxF -- "$summary" <<<"$out" &&
		{ [ -z "$line" ] || grep -qF -- "$line" <<<"$out"; }; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		echo "#   expected exit $want, \"$summary\"${line:+ and \"$line\"}; got exit $rc:"
		sed 's/^/#   /' <<<"$out"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
echo "1..7"

: >"$tmp/empty"
expect empty_report_is_clean 0 "kmemleak: 0 unreferenced objects, 0 of them rpcdev's" "$tmp/empty"

kernel_obj >"$tmp/kernel"
expect kernel_leak_is_shown_not_counted 0 "kmemleak: 1 unreferenced object, 0 of them rpcdev's" \
	"$tmp/kernel" "kernel: unreferenced object 0xffff888004a1c000 (size 128): (allocated by acpi_os_allocate_zeroed+0x2b/0x40)"

sim_obj >"$tmp/sim"
expect loaded_rpcdev_module_leak_fails 1 "kmemleak: 1 unreferenced object, 1 of them rpcdev's" \
	"$tmp/sim" "rpcdev: unreferenced object 0xffff888005b2d000 (size 128): (in rpcdev_sim_add_queue+0x5e/0x210 [rpcdev_sim])"

unloaded_obj >"$tmp/unloaded"
expect unloaded_module_leak_fails 1 "kmemleak: 1 unreferenced object, 1 of them rpcdev's" \
	"$tmp/unloaded" "(unloaded module code at 0xffffffffa0012345)"

other_module_obj >"$tmp/other"
expect other_module_leak_is_not_rpcdevs 0 "kmemleak: 1 unreferenced object, 0 of them rpcdev's" "$tmp/other"

{ kernel_obj; sim_obj; other_module_obj; unloaded_obj; kernel_obj; } >"$tmp/mixed"
sed -i 's/$/\r/' "$tmp/mixed"
expect mixed_report_counts_only_rpcdevs 1 "kmemleak: 5 unreferenced objects, 2 of them rpcdev's" \
	"$tmp/mixed" "  | unreferenced object 0xffff888005b2e000 (size 128):"

rc=0
"$check" "$tmp/does-not-exist" >/dev/null 2>&1 || rc=$?
n=$((n + 1))
if [ "$rc" -eq 2 ]; then
	echo "ok $n missing_report_is_an_error"
else
	echo "not ok $n missing_report_is_an_error"
	echo "#   expected exit 2, got $rc"
	failed=$((failed + 1))
fi

echo "# check-kmemleak: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
