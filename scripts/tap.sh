# SPDX-License-Identifier: GPL-2.0
# TAP output for rpcdev's test scripts; sourced, never run.
#
#   tap_result GOOD NAME [DIAGNOSTIC...]   GOOD is 1 (ok) or anything else
#   tap_check NAME CMD...                  ok when CMD succeeds; its output
#                                          becomes the diagnostic otherwise
#   tap_skip NAME REASON
#   tap_done                               prints the plan; exit status 0
#                                          only if nothing failed
# The plan comes last ("1..N" after the results), as TAP allows.

tap_n=0
tap_failed=0
echo "TAP version 13"

tap_result() {
	local good=$1 name=$2 d l
	shift 2
	tap_n=$((tap_n + 1))
	if [ "$good" = 1 ]; then
		echo "ok $tap_n $name"
		return 0
	fi
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n $name"
	for d in "$@"; do
		while IFS= read -r l; do echo "#   $l"; done <<<"$d"
	done
	return 0
}

tap_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_result 1 "$name"
	else
		tap_result 0 "$name" "$out"
	fi
}

tap_skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n $1 # SKIP $2"
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
