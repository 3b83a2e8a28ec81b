#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# DKMS builds rpcdev as a host's kernel update would (prints TAP): the
# modules' source as `make dkms-install` stages it, `dkms add` and `dkms
# build` against each FLAVOUR's fetched kernel headers, in a scratch DKMS
# tree ($BUILD/dkms-test), so nothing of the host's /var/lib/dkms or
# /usr/src is touched. Needs dkms (scripts/install-deps.sh) and root.
#
#   scripts/test-dkms.sh FLAVOUR...
set -uo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$scripts")
. "$scripts/common.sh"
. "$scripts/tap.sh"

[ $# -ge 1 ] || { echo "usage: $0 FLAVOUR..." >&2; exit 2; }
version=$(cat "$top/VERSION")
scratch=${BUILD:-$top/build}/dkms-test
rm -rf "$scratch"
mkdir -p "$scratch/dkms"
dkms=(dkms --dkmstree "$scratch/dkms" --sourcetree "$scratch/src")

if ! command -v dkms >/dev/null; then
	for f in "$@"; do tap_skip "dkms_builds_the_modules_for_$f" "dkms is not installed"; done
	tap_done
	exit
fi
if [ "$(id -u)" -ne 0 ]; then
	for f in "$@"; do tap_skip "dkms_builds_the_modules_for_$f" "dkms add needs root"; done
	tap_done
	exit
fi

out=$(make -s -C "$top" dkms-source DESTDIR="$scratch/src" dkmssrcdir=/rpcdev-"$version" 2>&1 &&
	"${dkms[@]}" add -m rpcdev -v "$version" 2>&1)
rc=$?
tap_result "$([ $rc -eq 0 ] && echo 1 || echo 0)" dkms_adds_the_staged_source "$out"

for f in "$@"; do
	abi=$(flavour_abi "$f") || { tap_result 0 "dkms_builds_the_modules_for_$f" "kernel $f not fetched"; continue; }
	kdir=$RPCDEV_CACHE/kernels/$abi/usr/src/linux-headers-$abi
	out=$("${dkms[@]}" build -m rpcdev -v "$version" -k "$abi" --kernelsourcedir "$kdir" 2>&1)
	rc=$?
	mods=$scratch/dkms/rpcdev/$version/$abi/$(uname -m)/module
	bad=
	for m in rpcdev rpcdev_sim; do
		ko=$(ls "$mods/$m.ko"* 2>/dev/null | head -n1)
		v=$([ -n "$ko" ] && /sbin/modinfo -F version "$ko" 2>&1)
		[ "$v" = "$version" ] || bad+="$m: '${v:-not built}' "
	done
	tap_result "$([ $rc -eq 0 ] && [ -z "$bad" ] && echo 1 || echo 0)" \
		"dkms_builds_the_modules_for_$f" "$bad" "$(tail -n 15 <<<"$out")" \
		"$(tail -n 15 "$scratch/dkms/rpcdev/$version/build/make.log" 2>/dev/null)"
done
tap_done
