#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch a matched kernel image and headers for each flavour (default: all)
# into $RPCDEV_CACHE/kernels, without installing them: nothing touches /boot
# or /lib/modules. A flavour already present is reused. The debug flavour is
# built, not fetched: scripts/build-debug-kernel.sh (about 15 minutes the
# first time, then only when its config fragment changes).
#
#   scripts/fetch-kernels.sh [6.12] [6.12-rt] [6.1] [debug]
#
# Prints nothing but progress; afterwards $RPCDEV_CACHE/kernels/<flavour>.abi
# holds the kernel release and <abi>/ the extracted packages.
set -euo pipefail
. "$(dirname "$0")/common.sh"

fetch_one() {
	local flavour=$1 meta abi root dl hdr common kbuild pkg
	local dir=$RPCDEV_CACHE/kernels

	meta=$(flavour_meta "$flavour") || die "unknown flavour '$flavour'"
	if flavour_is_built "$flavour"; then
		"$(dirname "$0")/build-debug-kernel.sh"
		return
	fi
	if abi=$(flavour_abi "$flavour") && [ -f "$dir/$abi/.complete" ]; then
		return 0
	fi

	abi=$(apt-cache depends "$meta" | sed -n 's/^ *Depends: linux-image-//p' | head -n1)
	[ -n "$abi" ] || die "cannot resolve $meta (run apt-get update?)"
	echo "fetching kernel $abi for $flavour"

	root=$dir/$abi
	dl=$dir/$abi.debs
	rm -rf "$root" "$dl"
	mkdir -p "$root" "$dl"

	# The headers package names its -common and kbuild companions.
	hdr=linux-headers-$abi
	common=$(apt-cache depends "$hdr" | sed -n 's/^ *Depends: \(linux-headers-.*-common.*\)/\1/p' | head -n1)
	kbuild=$(apt-cache depends "$hdr" | sed -n 's/^ *Depends: \(linux-kbuild-.*\)/\1/p' | head -n1)
	[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot resolve the packages of $hdr"

	(cd "$dl" && apt-get download -qq -o APT::Sandbox::User=root "linux-image-$abi-unsigned" "$hdr" "$common" "$kbuild")
	for pkg in "$dl"/*.deb; do
		dpkg-deb -x "$pkg" "$root"
	done
	rm -rf "$dl"

	# The arch headers include the -common tree by absolute path.
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$root/usr/src/linux-headers-$abi/Makefile"
	# Debian links scripts/ and tools/ into the kbuild package absolutely on
	# some releases; point them into the private root.
	local l t
	for l in "$root/usr/src/linux-headers-$abi"/{scripts,tools}; do
		[ -L "$l" ] || continue
		t=$(readlink "$l")
		case "$t" in /*) ln -sfn "$root$t" "$l" ;; esac
	done

	touch "$root/.complete"
	echo "$abi" >"$dir/$flavour.abi"
}

"$(dirname "$0")/install-deps.sh"
mkdir -p "$RPCDEV_CACHE/kernels"
[ $# -gt 0 ] || set -- $(flavour_names)
for f in "$@"; do
	fetch_one "$f"
done
