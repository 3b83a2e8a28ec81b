# SPDX-License-Identifier: GPL-2.0
# Shared settings for rpcdev's scripts; sourced, never run.

# Where downloaded kernels and the kselftest headers are kept.
RPCDEV_CACHE=${RPCDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rpcdev}

# The kernel flavours every test runs on, as "name:package": Debian's
# kernels by their metapackage (fetched, scripts/fetch-kernels.sh), and
# "debug", built here from the kernel source package with KASAN, lockdep,
# kmemleak, UBSAN and more (scripts/build-debug-kernel.sh).
RPCDEV_FLAVOURS="6.12:linux-image-6.12-amd64 6.12-rt:linux-image-6.12-rt-amd64 6.1:linux-image-amd64
	debug:linux-source-6.12"

# Host packages the build, the VM and the tests need (dkms, man-db and
# groff-base for the packaging tests); `make install` needs none of them.
RPCDEV_HOST_PACKAGES="gcc make libc6-dev libelf-dev bc kmod cpio xz-utils pkg-config
	qemu-system-x86 busybox-static liburing-dev linux-source-6.12 flex bison
	dkms man-db groff-base python3 python3-dev libjson-c-dev trinity"

die() { echo "error: $*" >&2; exit 1; }

# The package that names a flavour.
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

# Whether a flavour's kernel is built here rather than fetched.
flavour_is_built() {
	[ "$1" = debug ]
}

# The kernel ABI (uname -r) of a flavour already fetched (or built) into the
# cache.
flavour_abi() {
	[ -f "$RPCDEV_CACHE/kernels/$1.abi" ] || return 1
	cat "$RPCDEV_CACHE/kernels/$1.abi"
}
