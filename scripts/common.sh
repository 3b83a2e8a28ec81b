# SPDX-License-Identifier: GPL-2.0
# Shared settings for rpcdev's scripts; sourced, never run.

# Where downloaded kernels and the kselftest headers are kept.
RPCDEV_CACHE=${RPCDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rpcdev}

# The kernel flavours every test runs on, as "name:metapackage".
RPCDEV_FLAVOURS="6.12:linux-image-6.12-amd64 6.12-rt:linux-image-6.12-rt-amd64 6.1:linux-image-amd64"

# Host packages the build, the VM and the tests need.
RPCDEV_HOST_PACKAGES="gcc make libc6-dev libelf-dev bc kmod cpio xz-utils pkg-config
	qemu-system-x86 busybox-static liburing-dev linux-source-6.12 python3 python3-dev"

die() { echo "error: $*" >&2; exit 1; }

# The metapackage that names a flavour.
flavour_meta() {
	local f
	for f in $RPCDEV_FLAVOURS; do
		[ "${f%%:*}" = "$1" ] && { echo "${f#*:}"; return 0; }
	done
	return 1
}

flavour_names() {
	local f
	for f in $RPCDEV_FLAVOURS; do echo "${f%%:*}"; done
}

# The kernel ABI (uname -r) of a flavour already fetched into the cache.
flavour_abi() {
	[ -f "$RPCDEV_CACHE/kernels/$1.abi" ] || return 1
	cat "$RPCDEV_CACHE/kernels/$1.abi"
}
