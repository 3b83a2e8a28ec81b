#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The main job, from nothing: install what is missing, fetch a Debian kernel
# (FLAVOUR, default 6.12), build the driver, the library and the tests, boot
# the kernel in QEMU and show there what rpcdev does, step by step, then
# run the selftests.
#
#   scripts/demo.sh [FLAVOUR]
#
# What it prints is the demo: each step's command and its output, as typed
# in the guest (scripts/guest-init, demo_steps), then one line per test
# program. Package installation, the build and the guest's boot go to
# build/logs/demo.log behind one progress line; the guest's whole console
# (kernel messages included) to build/logs/<flavour>-demo.console.log.
# RPCDEV_VM_VERBOSE=1 streams that console instead.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
flavour=${1:-${FLAVOUR:-6.12}}
build=${BUILD:-$top/build}
logs=$build/logs
log=$logs/demo.log
tap_log=$logs/$flavour-demo.tap.log
console_log=$logs/$flavour-demo.console.log
mkdir -p "$logs"
: >"$log"
start=$(date +%s)

# progress TEXT: the one progress line (rewritten in place on a terminal).
if [ -t 1 ]; then
	progress() { printf '\r\033[K%s' "$*"; }
	progress_end() { printf '\r\033[K'; }
else
	progress() { echo "$*"; }
	progress_end() { :; }
fi

# setup WHAT CMD...: one phase of the setup, its output in the log.
setup() {
	local what=$1
	shift
	progress "setting up: $what (log: $log)"
	echo "== $what: $*" >>"$log"
	if ! "$@" >>"$log" 2>&1; then
		progress_end
		echo "demo: $what failed; the end of $log:" >&2
		tail -n 20 "$log" >&2
		exit 1
	fi
}

# The guest's ttyS1, as the demo shows it: the steps as they are; of the
# selftests, a line per program and its failures only.
show_guest() {
	awk -v console="$console_log" '
	# The guest serial lines end in CR LF.
	{ sub(/\r$/, "") }
	function flush() {
		if (prog != "")
			printf "  %-28s %s\n", prog, totals != "" ? totals : "(no result)"
		prog = ""; totals = ""
	}
	/^RPCDEV-DEMO-SELFTESTS$/ {
		tests = 1
		print ""
		print "The selftests (kselftest harness), one line per program. The fork tests"
		print "make children fault on purpose (a child does not inherit the mappings of"
		print "the queue), so the guest kernel logs \"segfault at\" lines for them: that is"
		print "expected, and they are kept in " console "."
		fflush(); next
	}
	!tests { print; fflush(); next }
	/^RPCDEV-DEMO-PROGRAM / { flush(); prog = $2; next }
	/^# Totals: / {
		sub(/^# Totals: /, ""); totals = $0; flush(); fflush(); next
	}
	/^not ok [0-9]/ { print "  " $0; fflush() }
	END { flush() }'
}

setup "installing missing packages" scripts/install-deps.sh
setup "fetching the Debian $flavour kernel" scripts/fetch-kernels.sh "$flavour"
setup "building the driver, library, tool and tests" make -s FLAVOUR="$flavour" BUILD="$build" all
progress "booting Debian $flavour in QEMU (software emulation: a minute or so; log: $log)"

rm -f "$tap_log"
if [ "${RPCDEV_VM_VERBOSE:-0}" = 1 ]; then
	progress_end
	scripts/vm-run.sh --mode demo --build "$build" "$flavour" 2>&1 | tee -a "$log"
	rc=${PIPESTATUS[0]}
else
	scripts/vm-run.sh --mode demo --build "$build" "$flavour" >>"$log" 2>&1 &
	pid=$!
	# The first line from the guest ends the progress line.
	tail -n +1 -F --pid="$pid" "$tap_log" 2>/dev/null |
		{ IFS= read -r first && { progress_end; printf '%s\n' "$first"; cat; }; } |
		show_guest
	wait "$pid"
	rc=$?
	progress_end
fi

summary=$(grep -E "^$flavour: [0-9]+ passed" "$log" | tail -n 1)
echo
echo "${summary:-$flavour: the VM run gave no result} ($(($(date +%s) - start)) s in all)"
[ "$rc" -eq 0 ] || { echo "The run failed; why is at the end of $log:"; grep -A 20 "FAILED" "$log" | head -n 30; }
cat <<NEXT

What next:
  make check                all tests: host tests, then the selftests in a VM on
                            Debian's 6.12, 6.12-rt and 6.1 kernels, on the simulated
                            and the PCI device, and on a debug kernel built here
                            (about 45 minutes; the first run adds 15 for its build)
  make bench                the full benchmark in a VM, against its baselines
  scripts/demo.sh 6.1       this demo on another kernel (6.12, 6.12-rt, 6.1);
                            RPCDEV_VM_VERBOSE=1 shows the guest's whole console
  make install              on a real host: the driver, library, tool and man
                            pages (make dkms-install: rebuilt on kernel updates);
                            then man rpcdev, man 4 rpcdev, man rpcdev_call
  Logs: $log, $console_log
NEXT
exit "$rc"
