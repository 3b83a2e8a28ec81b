#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the "debug" flavour's kernel (KASAN, KFENCE, lockdep, kmemleak,
# UBSAN...) from Debian's linux-source-6.12 into $RPCDEV_CACHE/kernels, laid
# out like a fetched flavour so the rest of the rig treats it the same:
#
#   kernels/debug.abi                      the kernel release, <abi> below
#   kernels/<abi>/boot/vmlinuz-<abi>       what QEMU boots
#   kernels/<abi>/usr/src/linux-headers-<abi>
#                                          the build tree (O=), the KDIR
#                                          rpcdev's modules are built against
#   kernels/<abi>/usr/src/linux-source-6.12  its source
#   kernels/<abi>/key                      what the cache key was made of
#
#   scripts/build-debug-kernel.sh [--config-only | --print-abi]
#
#   --config-only   make and check the .config, do not build
#   --print-abi     print the release the current fragment gives, and exit
#
# The cache key is the first 12 hex digits of the SHA-256 of: the config
# fragment (scripts/debug-kernel.config), the source package's name and
# version, the compiler's version (a module must be built by the compiler
# of its kernel) and the recipe's version below. The key ends the release,
# <abi> = <kernel version>-rpcdev-debug-<key>, so a change to any of them
# makes a new kernel and new module directories, and nothing else rebuilds
# it. A complete tree is reused at once; an interrupted build resumes
# (same key, same tree). Once a new tree is complete, the older debug trees
# are removed (each is a few GB).
#
# The build runs under `nice -n 15` on every CPU; about 15 minutes on two
# cores. The configuration: `make allnoconfig` with the fragment as
# KCONFIG_ALLCONFIG, then `make olddefconfig`; every line of the fragment
# must hold in the result, or the build stops and names the ones that do
# not (an option whose dependencies are missing vanishes silently).
set -euo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
. "$scripts/common.sh"

# Bump when the way the tree is made changes (not the fragment: it is
# hashed itself).
recipe=1
fragment=$scripts/debug-kernel.config
srcpkg=linux-source-6.12
tarball=${RPCDEV_DEBUG_SOURCE:-/usr/src/$srcpkg.tar.xz}

what=build
case "${1:-}" in
'') ;;
--config-only) what=config ;;
--print-abi) what=abi ;;
*) echo "usage: $0 [--config-only | --print-abi]" >&2; exit 2 ;;
esac

[ -r "$fragment" ] || die "missing $fragment"
[ -r "$tarball" ] || die "missing $tarball: install $srcpkg (scripts/install-deps.sh)"
srcver=$(dpkg-query -W -f='${Version}' "$srcpkg" 2>/dev/null) ||
	die "$srcpkg is not installed (scripts/install-deps.sh)"
ccver=$(${CC:-gcc} --version | head -n1)

key_text() {
	echo "recipe $recipe"
	echo "source $srcpkg $srcver"
	echo "compiler $ccver"
	echo "fragment:"
	cat "$fragment"
}
key=$(key_text | sha256sum | cut -c1-12)

kernels=$RPCDEV_CACHE/kernels
localversion=-rpcdev-debug-$key

# The kernel version: the complete tree of this key has it in its name
# (found at once, as every `make FLAVOUR=debug` asks); else from the
# tarball's top Makefile (VERSION, PATCHLEVEL, SUBLEVEL, EXTRAVERSION: the
# first lines), which takes tar half a minute through the whole archive.
abi=
for d in "$kernels"/*"$localversion"; do
	[ -f "$d/.complete" ] && abi=${d##*/}
done
if [ -z "$abi" ]; then
	kver=$(tar -xJOf "$tarball" "$srcpkg/Makefile" 2>/dev/null | awk -F' = ' '
		$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
		$1 == "SUBLEVEL" { s = $2 } $1 == "EXTRAVERSION" { e = $2; exit }
		END { if (v != "") printf "%s.%s.%s%s\n", v, p, s, e }')
	[ -n "$kver" ] || die "cannot read the kernel version from $tarball"
	abi=$kver$localversion
fi
if [ "$what" = abi ]; then
	echo "$abi"
	exit 0
fi

root=$kernels/$abi
src=$root/usr/src/$srcpkg
obj=$root/usr/src/linux-headers-$abi
mkdir -p "$kernels"

# One build at a time; a second caller waits and then finds it complete.
exec 9>"$kernels/debug.lock"
flock 9

if [ -f "$root/.complete" ]; then
	echo "$abi" >"$kernels/debug.abi"
	exit 0
fi

start=$(date +%s)
echo "building the debug kernel $abi from $srcpkg $srcver (about 15 minutes)"
if [ ! -f "$src/.extracted" ]; then
	rm -rf "$src"
	mkdir -p "$root/usr/src"
	tar -xJf "$tarball" -C "$root/usr/src"
	touch "$src/.extracted"
fi
mkdir -p "$obj"
key_text >"$root/key"
# The release's local part; kbuild reads localversion* in the build tree.
echo "$localversion" >"$obj/localversion"

kmake() {
	nice -n 15 make -s -C "$src" O="$obj" ARCH=x86_64 \
		KBUILD_BUILD_USER=rpcdev KBUILD_BUILD_HOST=rpcdev "$@"
}

if [ ! -f "$obj/.config" ] || ! cmp -s "$fragment" "$obj/.config-fragment"; then
	rm -f "$obj/.config"
	kmake KCONFIG_ALLCONFIG="$fragment" allnoconfig >/dev/null
	kmake olddefconfig >/dev/null
	cp "$fragment" "$obj/.config-fragment"
fi

# Every line of the fragment must hold: "CONFIG_X=v" as is, "# CONFIG_X is
# not set" as not set (absent or so commented).
missing=$(awk '
	FNR == NR {
		if ($0 ~ /^CONFIG_[A-Za-z0-9_]+=/) {
			n = index($0, "=")
			have[substr($0, 1, n - 1)] = substr($0, n + 1)
		}
		next
	}
	/^CONFIG_[A-Za-z0-9_]+=/ {
		n = index($0, "=")
		k = substr($0, 1, n - 1)
		if (!(k in have) || have[k] != substr($0, n + 1))
			print "  want " $0 ", have " ((k in have) ? k "=" have[k] : "it unset")
		next
	}
	/^# CONFIG_[A-Za-z0-9_]+ is not set$/ {
		k = $2
		if ((k in have) && have[k] != "n")
			print "  want " k " unset, have " k "=" have[k]
	}' "$obj/.config" "$fragment")
if [ -n "$missing" ]; then
	echo "error: $obj/.config does not have what $fragment asks for:" >&2
	echo "$missing" >&2
	echo "(a missing dependency? see make -C $src O=$obj menuconfig)" >&2
	rm -f "$obj/.config-fragment"
	exit 1
fi
[ "$what" = config ] && { echo "config OK: $obj/.config"; exit 0; }

kmake -j"$(nproc)" all
mkdir -p "$root/boot"
cp "$obj/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$abi"
rel=$(cat "$obj/include/config/kernel.release")
[ "$rel" = "$abi" ] || die "the tree says its release is $rel, expected $abi"

touch "$root/.complete"
echo "$abi" >"$kernels/debug.abi"
echo "debug kernel $abi built in $(($(date +%s) - start)) s"

# Older debug trees are of no further use.
for old in "$kernels"/*-rpcdev-debug-*; do
	[ -d "$old" ] && [ "$old" != "$root" ] || continue
	echo "removing the old debug kernel $(basename "$old")"
	rm -rf "$old"
done
