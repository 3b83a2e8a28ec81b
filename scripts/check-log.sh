#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Look for kernel trouble in a guest's console log.
#
#   scripts/check-log.sh LOGFILE
#
# Prints nothing and exits 0 for a clean log. Otherwise prints each offending
# line with a few lines of context, grep style ("NNN:" before an offending
# line, "NNN-" before context, "--" between groups), then a count, and exits
# 1. Exits 2 if LOGFILE cannot be read.
#
# Offending: oopses, BUG: (KASAN, KFENCE, sleeping in atomic, scheduling
# while atomic, soft lockups...), WARNING:, lockdep reports, UBSAN reports,
# hung tasks, RCU stalls, panics, call traces, refcount and list corruption,
# kmemleak objects. The out-of-tree and unsigned-module taint messages are
# expected (our modules are both) and contain none of these patterns.
# kmemleak's verdict is not this script's: the guest's scan ends in a report
# (on ttyS2, not the console) that scripts/check-kmemleak.sh judges, since
# only rpcdev's leaks fail a run; the scan's one-line summary on the console
# is therefore let through.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 LOGFILE" >&2; exit 2; }
log=$1
[ -r "$log" ] || { echo "check-log: cannot read $log" >&2; exit 2; }

# What makes a line offending (extended regular expressions, case matters).
bad_patterns=(
	# oopses and BUG()
	'Oops:'
	'general protection fault'
	'kernel BUG at'
	'BUG:'			# KASAN, KFENCE, sleeping function called from
				# invalid context, scheduling while atomic,
				# soft lockup, workqueue lockup, bad page...
	'WARNING:'		# WARN*(), and lockdep's headers
	# lockdep
	'possible circular locking dependency'
	'possible recursive locking'
	'inconsistent lock state'
	'possible irq lock inversion dependency'
	'INFO: lockdep'
	'INFO: trying to register non-static key'
	'suspicious RCU usage'
	# sanitizers
	'KASAN:'
	'UBSAN:'
	'KFENCE:'
	# hangs and stalls
	'blocked for more than [0-9]+ seconds'
	'rcu.*detected stalls?'
	'hard LOCKUP'
	# the end, and the stacks that come with reports
	'Kernel panic'
	'Call Trace:'
	# data structure corruption
	'refcount_t:'
	'list_add corruption'
	'list_del corruption'
	# kmemleak's objects, should a report reach the console
	'unreferenced object'
)

# Lines that match a pattern above but are harmless. Each entry must match
# the whole line after the "[ timestamp] " prefix, so it cannot hide a real
# report that merely contains the same words (a WARN() splat's line starts
# with "WARNING: CPU:").
#
# Real boot logs of Debian's 6.12 (6.12.117+deb12), 6.12-rt and 6.1
# (6.1.0-56) under QEMU 7.2 TCG (-cpu max -smp 2), loading rpcdev.ko and
# rpcdev_sim.ko, show no line matching a pattern above: their look-alikes
# ("PCI: ... report a bug", "AMD-Vi: ... This is not a bug.", "tsc: Marking
# TSC unstable...", "Spectre V2 : Mitigation: Retpolines") match none.
#
# What is listed: arch/x86/kernel/cpu/bugs.c reports on the CPU's
# speculation bugs as "<bug>: WARNING: <advice>" lines (RETBleed, Spectre v2
# with unprivileged eBPF, SRSO, ITS...). They do not appear with TCG's
# "-cpu max" but do with other CPU models (KVM and "-cpu host", other QEMU
# versions); they describe the CPU, not the kernel's health.
#
# kmemleak's summary after a scan ("N new suspected memory leaks"): judged
# by scripts/check-kmemleak.sh on the report itself (see the top).
benign_patterns=(
	'(RETBleed|ITS|Spectre V2 |Speculative Return Stack Overflow|Transient Scheduler Attacks|VMSCAPE): WARNING: .*'
	'kmemleak: [0-9]+ new suspected memory leaks \(see /sys/kernel/debug/kmemleak\)'
)

joined() { local IFS='|'; echo "$*"; }
bad=$(joined "${bad_patterns[@]}")
benign=$(joined "${benign_patterns[@]}")

awk -v bad="$bad" -v benign="$benign" -v ctx=3 -v file="$log" '
{
	sub(/\r$/, "")
	line[NR] = $0
	if ($0 !~ bad)
		next
	text = $0
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", text)	# printk timestamp
	if (benign != "" && text ~ ("^(" benign ")$"))
		next
	hit[NR] = 1
	nhits++
}
END {
	if (!nhits)
		exit 0
	last = 0
	for (i = 1; i <= NR; i++) {
		if (!(i in hit))
			continue
		from = i - ctx > last ? i - ctx : last + 1
		if (last && from > last + 1)
			print "--"
		to = i + ctx > NR ? NR : i + ctx
		for (j = from; j <= to; j++) {
			# Later hits inside this window are printed as hits.
			if (j in hit && j > i)
				to = j + ctx > NR ? NR : j + ctx
			printf "%d%s%s\n", j, (j in hit) ? ":" : "-", line[j]
		}
		last = to
		i = to
	}
	printf "check-log: %d offending line%s in %s\n", nhits, nhits == 1 ? "" : "s", file
	exit 1
}' "$log"
