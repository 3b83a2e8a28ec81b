#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Decide on a kmemleak report (the contents of /sys/kernel/debug/kmemleak
# after a scan) whether rpcdev leaked.
#
#   scripts/check-kmemleak.sh REPORT
#
# An object is rpcdev's when a line of its allocation backtrace names one of
# rpcdev's modules ("sym+0x12/0x40 [rpcdev]", [rpcdev_sim], [rpcdev_ivshmem],
# any module whose name starts with rpcdev) or is a bare address in the
# x86-64 module area (0xffffffffa0000000 and up: a module that has been
# unloaded since, as the tests unload theirs; the debug kernel has every
# other driver built in, so the only modules a guest loads are rpcdev's).
# Everything else is the kernel's own (boot-time allocations kmemleak cannot
# follow, say): shown, not counted.
#
# Prints one line per object ("rpcdev: ..." or "kernel: ...", the object's
# first line and the backtrace line that decided), then the rpcdev objects in
# full, then "kmemleak: N unreferenced objects, M of them rpcdev's".
# Exits 1 if M > 0, 0 otherwise, 2 if REPORT cannot be read.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 REPORT" >&2; exit 2; }
report=$1
[ -r "$report" ] || { echo "check-kmemleak: cannot read $report" >&2; exit 2; }

awk '
function finish(   i) {
	if (!n)
		return
	total++
	if (why != "") {
		ours++
		printf "rpcdev: %s (%s)\n", obj[1], why
		for (i = 1; i <= n; i++)
			full = full "  | " obj[i] "\n"
	} else {
		printf "kernel: %s (%s)\n", obj[1], top != "" ? "allocated by " top : "no backtrace"
	}
	n = 0
}
{
	sub(/\r$/, "")
}
/^unreferenced object / {
	finish()
	why = ""; top = ""; inbt = 0
}
n || /^unreferenced object / {
	obj[++n] = $0
}
n && /^  backtrace/ {
	inbt = 1
	next
}
n && inbt {
	f = $0
	sub(/^ +/, "", f)
	# Older kernels print "[<address>] symbol": keep the symbol.
	sub(/^\[<[0-9a-f]+>\] /, "", f)
	if (f !~ /^(kmemleak_|__kmalloc|kmalloc|kmem_cache_alloc|__kmem_cache|slab_|__slab|krealloc|kvmalloc|__kvmalloc|kzalloc|__vmalloc|vmalloc|__alloc|alloc_pages)/ && top == "")
		top = f
	if (why == "" && f ~ /\[rpcdev[a-z0-9_]*\]$/)
		why = "in " f
	else if (why == "" && f ~ /^0xffffffff[a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/)
		why = "unloaded module code at " f
}
END {
	finish()
	if (ours)
		printf "rpcdev objects in full:\n%s", full
	printf "kmemleak: %d unreferenced object%s, %d of them rpcdev'"'"'s\n", total, total == 1 ? "" : "s", ours
	exit ours > 0
}' "$report"
