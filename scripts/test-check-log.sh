#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host-side unit test of scripts/check-log.sh: feeds it small canned kernel
# logs and checks its verdict and what it names. Prints TAP and ends with
# "# check-log: N passed, M failed"; exits non-zero if any case failed.
#
#   scripts/test-check-log.sh
set -euo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
check=$scripts/check-log.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

results=()	# "ok N name" / "not ok N name" and "# ..." diagnostics
passed=0
failed=0

result() {	# result PASSED(0|1) NAME [DIAGNOSTIC...]
	local good=$1 name=$2 n=$((passed + failed + 1))
	shift 2
	if [ "$good" = 1 ]; then
		results+=("ok $n $name")
		passed=$((passed + 1))
	else
		results+=("not ok $n $name")
		failed=$((failed + 1))
		local d
		for d in "$@"; do
			while IFS= read -r l; do results+=("#   $l"); done <<<"$d"
		done
	fi
}

# Lines from real boots of the three flavours (6.12, 6.12-rt, 6.1) under
# QEMU TCG, including those that look alarming but are not.
clean_lines=(
	'[    0.000000] Linux version 6.12.117+deb12-amd64 (debian-kernel@lists.debian.org) (x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.12.117-1~deb12u1 (2025-01-01)'
	'[    0.000000] tsc: Fast TSC calibration using PIT'
	'[    0.048000] tsc: Unable to calibrate against PIT'
	'[    0.292567] tsc: Marking TSC unstable due to TSCs unsynchronized'
	'[    0.305509] Spectre V1 : Mitigation: usercopy/swapgs barriers and __user pointer sanitization'
	'[    0.306048] Spectre V2 : Mitigation: Retpolines'
	'[    0.306168] Spectre V2 : Spectre v2 / SpectreRSB: Filling RSB on context switch and VMEXIT'
	'[    1.080531] PCI: Using host bridge windows from ACPI; if necessary, use "pci=nocrs" and report a bug'
	'[    1.118329] acpi PNP0A03:00: fail to add MMCONFIG information, can'"'"'t access extended PCI configuration space under this bridge.'
	'[    1.652214] AMD-Vi: AMD IOMMUv2 functionality not available on this system - This is not a bug.'
	'[    2.592914] RAS: Correctable Errors collector initialized.'
	'[    3.438114] Run /init as init process'
	'rpcdev-vm: mode test, kernel 6.12.117+deb12-amd64, 2 CPUs'
	'TAP version 13'
	'1..1'
	'ok 1 stub'
	'RPCDEV-GUEST-DONE'
	'[    3.780856] reboot: Power down'
)

# Our modules are out of tree and unsigned: these two lines come with every
# run and must pass.
taint_lines=(
	'[    2.724883] rpcdev: loading out-of-tree module taints kernel.'
	'[    2.725218] rpcdev: module verification failed: signature and/or required key missing - tainting kernel'
)

# Let through (see check-log.sh): kmemleak's summary after a scan, judged by
# scripts/check-kmemleak.sh on the report.
kmemleak_lines=(
	'[   72.345678] kmemleak: 3 new suspected memory leaks (see /sys/kernel/debug/kmemleak)'
)

# Whitelisted (see check-log.sh): the CPU's speculation-bug notices.
cpu_notice_lines=(
	'[    0.071201] RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks, data leaks possible!'
	'[    0.071300] Spectre V2 : WARNING: Unprivileged eBPF is enabled with eIBRS on, data leaks possible via Spectre v2 BHB attacks!'
	'[    0.071400] Speculative Return Stack Overflow: WARNING: See https://kernel.org/doc/html/latest/admin-guide/hw-vuln/srso.html for mitigation options.'
)

# One offending line per category, as the kernel prints it: "name|line".
bad_cases=(
	'oops|[   12.345678] Oops: 0002 [#1] PREEMPT SMP NOPTI'
	'general_protection_fault|[   12.345678] general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP NOPTI'
	'kernel_bug_at|[   12.345678] kernel BUG at kmod/queue.c:123!'
	'bug_unable_to_handle_page_fault|[   12.345678] BUG: unable to handle page fault for address: ffffc90000a3c000'
	'bug_kasan|[   12.345678] BUG: KASAN: slab-out-of-bounds in rpcdev_post+0x1c/0x80 [rpcdev]'
	'bug_kfence|[   12.345678] BUG: KFENCE: use-after-free read in rpcdev_release+0x40/0x90 [rpcdev]'
	'bug_sleeping_in_atomic|[   12.345678] BUG: sleeping function called from invalid context at kernel/locking/mutex.c:283'
	'bug_scheduling_while_atomic|[   12.345678] BUG: scheduling while atomic: rpcdev_call_tes/214/0x00000002'
	'bug_soft_lockup|[   32.345678] watchdog: BUG: soft lockup - CPU#1 stuck for 26s! [rpcdev-sim/0:123]'
	'warning|[   12.345678] WARNING: CPU: 1 PID: 214 at kmod/queue.c:88 rpcdev_queue_attach+0x2f/0x90 [rpcdev]'
	'lockdep_circular|[   12.345678] WARNING: possible circular locking dependency detected'
	'lockdep_circular_old_style|[   12.345678] [ INFO: possible circular locking dependency detected ]'
	'lockdep_recursive|[   12.345678] [ INFO: possible recursive locking detected ]'
	'lockdep_inconsistent|[   12.345678] [ INFO: inconsistent lock state ]'
	'lockdep_irq_inversion|[   12.345678] [ INFO: possible irq lock inversion dependency detected ]'
	'lockdep_info|[   12.345678] INFO: lockdep is turned off.'
	'lockdep_non_static_key|[   12.345678] INFO: trying to register non-static key.'
	'rcu_suspicious_usage|[   12.345678] =============================  suspicious RCU usage'
	'kasan_report|[   12.345678] KASAN: null-ptr-deref in range [0x0000000000000010-0x0000000000000017]'
	'ubsan|[   12.345678] UBSAN: array-index-out-of-bounds in kmod/queue.c:120:9'
	'kfence_report|[   12.345678] KFENCE: out-of-bounds read in rpcdev_ring_peek+0x10/0x40 [rpcdev]'
	'hung_task|[   62.345678] INFO: task rpcdev_call_tes:214 blocked for more than 30 seconds.'
	'rcu_stall|[   42.345678] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:'
	'hard_lockup|[   42.345678] NMI watchdog: Watchdog detected hard LOCKUP on cpu 1'
	'kernel_panic|[   12.345678] Kernel panic - not syncing: Fatal exception'
	'call_trace|[   12.345678] Call Trace:'
	'refcount|[   12.345678] refcount_t: underflow; use-after-free.'
	'list_add_corruption|[   12.345678] list_add corruption. prev->next should be next (ffff888003c1e0a8), but was 0000000000000000. (prev=ffff888003c1e0a8).'
	'list_del_corruption|[   12.345678] list_del corruption, ffff888003c1e0a8->next is LIST_POISON1 (dead000000000100)'
	'kmemleak_object|unreferenced object 0xffff888003c1e000 (size 1024):'
	'kmemleak_summary_inside_a_warning|[   12.345678] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2: kmemleak: 1 new suspected memory leaks (see /sys/kernel/debug/kmemleak)'
	'whitelisted_words_in_a_real_warning|[   12.345678] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x1/0x2: RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed attacks, data leaks possible!'
	'injected_warning|[    3.839724] WARNING: CPU: 0 PID: 1 at scripts/guest-init: rpcdev runner self-test (injected warning)'
)

# write FILE LINE...: a log with one line per argument.
write() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$f"
}

# expect_clean NAME FILE: check-log must exit 0 and print nothing.
expect_clean() {
	local name=$1 file=$2 out rc=0
	out=$("$check" "$file" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		result 1 "$name"
	else
		result 0 "$name" "expected exit 0 and no output, got exit $rc:" "$out"
	fi
}

# expect_flagged NAME FILE LINENO TEXT: check-log must exit 1 and name line
# LINENO ("LINENO:TEXT").
expect_flagged() {
	local name=$1 file=$2 lineno=$3 text=$4 out rc=0
	out=$("$check" "$file" 2>&1) || rc=$?
	if [ "$rc" -eq 1 ] && grep -qxF "$lineno:$text" <<<"$out"; then
		result 1 "$name"
	else
		result 0 "$name" "expected exit 1 naming \"$lineno:$text\", got exit $rc:" "$out"
	fi
}

# --- clean logs pass
write "$tmp/clean.log" "${clean_lines[@]}"
expect_clean clean_boot_log_passes "$tmp/clean.log"

write "$tmp/taint.log" "${clean_lines[@]:0:12}" "${taint_lines[@]}" "${clean_lines[@]:12}"
expect_clean module_taint_lines_pass "$tmp/taint.log"

write "$tmp/cpu.log" "${clean_lines[@]:0:7}" "${cpu_notice_lines[@]}" "${clean_lines[@]:7}"
expect_clean cpu_speculation_notices_pass "$tmp/cpu.log"

write "$tmp/kmemleak.log" "${clean_lines[@]:0:14}" "${kmemleak_lines[@]}" "${clean_lines[@]:14}"
expect_clean kmemleak_scan_summary_passes "$tmp/kmemleak.log"

: >"$tmp/empty.log"
expect_clean empty_log_passes "$tmp/empty.log"

write "$tmp/crlf.log" "${clean_lines[@]}"
sed -i 's/$/\r/' "$tmp/crlf.log"
expect_clean clean_crlf_log_passes "$tmp/crlf.log"

# --- each category fails and names its line (line 5: 4 clean lines first)
for c in "${bad_cases[@]}"; do
	name=${c%%|*}
	line=${c#*|}
	write "$tmp/$name.log" "${clean_lines[@]:0:4}" "$line" "${clean_lines[@]:4}"
	expect_flagged "flags_$name" "$tmp/$name.log" 5 "$line"
done

# --- the report itself
warn='[   12.345678] WARNING: CPU: 1 PID: 214 at kmod/queue.c:88 rpcdev_queue_attach+0x2f/0x90 [rpcdev]'
write "$tmp/crlf-bad.log" "${clean_lines[@]:0:4}" "$warn" "${clean_lines[@]:4}"
sed -i 's/$/\r/' "$tmp/crlf-bad.log"
expect_flagged flags_line_of_crlf_log_without_cr "$tmp/crlf-bad.log" 5 "$warn"

# Two reports far apart: both named, with context lines ("N-") around them,
# and the count.
panic='[   12.345678] Kernel panic - not syncing: Fatal exception'
write "$tmp/two.log" "${clean_lines[@]:0:2}" "$warn" "${clean_lines[@]:2}" "$panic"
out=$("$check" "$tmp/two.log" 2>&1) || true
want=("3:$warn" "$((${#clean_lines[@]} + 2)):$panic" "2-${clean_lines[1]}" "4-${clean_lines[2]}"
	"check-log: 2 offending lines in $tmp/two.log")
good=1
for w in "${want[@]}"; do
	grep -qxF -- "$w" <<<"$out" || good=0
done
result "$good" report_names_every_hit_with_context_and_count "got:" "$out"

rc=0
"$check" "$tmp/does-not-exist.log" >/dev/null 2>&1 || rc=$?
result $((rc == 2)) missing_log_is_an_error "expected exit 2, got $rc"

# --- TAP
echo "TAP version 13"
echo "1..$((passed + failed))"
printf '%s\n' "${results[@]}"
echo "# check-log: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
