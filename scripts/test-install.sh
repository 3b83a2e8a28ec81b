#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make install` as a user on a real host runs it, proved (prints TAP):
#   on the build host: install into a DESTDIR (against FLAVOUR's fetched
#   kernel headers, from an empty build directory) with every package tool
#   made to fail, and check that no package was installed, nothing was
#   fetched and no test was built; what lands where; the version each part
#   reports; an external program built with nothing but `pkg-config
#   --cflags --libs rpcdev` against the install; and `make uninstall`;
#   in the VM: that install as a scratch root (depmod -b), whose modules
#   load with modprobe, whose udev rule and module parameters give group
#   rpcdev the node, and where the external program makes a call
#   (selftests/pkg/rpcdev_install_test, the guest's half).
#
#   scripts/test-install.sh [--no-vm] FLAVOUR
#
# Uses $BUILD/install-test (BUILD default <repo>/build) as scratch space;
# the VM half takes no lock: run it under the VM lock, as check.sh is.
set -uo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$scripts")
. "$scripts/common.sh"
. "$scripts/tap.sh"

vm=1
[ "${1:-}" != --no-vm ] || { vm=0; shift; }
[ $# -eq 1 ] || { echo "usage: $0 [--no-vm] FLAVOUR" >&2; exit 2; }
flavour=$1
abi=$(flavour_abi "$flavour") || { echo "kernel $flavour not fetched" >&2; exit 2; }
kdir=$RPCDEV_CACHE/kernels/$abi/usr/src/linux-headers-$abi
kroot=$RPCDEV_CACHE/kernels/$abi
version=$(cat "$top/VERSION")

scratch=${BUILD:-$top/build}/install-test
dest=$scratch/dest
rm -rf "$scratch"
mkdir -p "$scratch/fakebin"

# ------------------------------------------------------ make install DESTDIR
# Every tool that installs or downloads packages logs its call and fails;
# dpkg-query says nothing is installed, so scripts/install-deps.sh, if it
# ran, would call apt-get.
for t in apt apt-get apt-cache aptitude dpkg dpkg-query sudo wget curl; do
	printf '#!/bin/sh\necho "%s $*" >>"%s"\nexit 1\n' "$t" "$scratch/tool-calls" \
		>"$scratch/fakebin/$t"
	chmod +x "$scratch/fakebin/$t"
done
dpkg-query -W -f '${Package} ${Version} ${Status}\n' | sort >"$scratch/dpkg.before"
PATH=$scratch/fakebin:$PATH RPCDEV_CACHE=$scratch/cache \
	make -s -C "$top" install BUILD="$scratch/build" KDIR="$kdir" \
	DESTDIR="$dest" PREFIX=/usr >"$scratch/install.log" 2>&1
rc=$?
dpkg-query -W -f '${Package} ${Version} ${Status}\n' | sort >"$scratch/dpkg.after"

tap_result $([ $rc -eq 0 ] && echo 1 || echo 0) make_install_into_destdir_succeeds \
	"exit status $rc" "$(tail -n 20 "$scratch/install.log")"
tap_result $([ ! -s "$scratch/tool-calls" ] && echo 1 || echo 0) make_install_calls_no_package_tool \
	"$(cat "$scratch/tool-calls" 2>/dev/null)"
tap_result $(cmp -s "$scratch/dpkg.before" "$scratch/dpkg.after" && echo 1 || echo 0) \
	make_install_installs_no_debian_package \
	"$(diff "$scratch/dpkg.before" "$scratch/dpkg.after")"
tap_result $([ ! -e "$scratch/cache" ] && [ ! -e "$scratch/build/selftests" ] && echo 1 || echo 0) \
	make_install_fetches_nothing_and_builds_no_test \
	"$(ls -d "$scratch/cache" "$scratch/build/selftests" 2>/dev/null)"

# ------------------------------------------------------------ what and where
expect=$scratch/files.expected
{
	for m in "$scratch/build/kmod/$abi"/*.ko; do
		[ -e "$m" ] && echo "lib/modules/$abi/updates/kmod/${m##*/}"
	done
	printf '%s\n' usr/bin/rpcdev usr/include/rpcdev.h \
		usr/include/rpcdev/linux/rpcdev.h usr/include/rpcdev/linux/rpcdev_sim.h \
		usr/lib/librpcdev.a usr/lib/librpcdev.so usr/lib/librpcdev.so.1 \
		"usr/lib/librpcdev.so.$version" usr/lib/pkgconfig/rpcdev.pc \
		usr/lib/udev/rules.d/60-rpcdev.rules
	for p in "$top"/userlib/man/*.[134]; do
		echo "usr/share/man/man${p##*.}/${p##*/}"
	done
} | sort >"$expect"
# Compressed modules are named as the kernel's config says (.ko.xz here).
(cd "$dest" 2>/dev/null && find . ! -type d | sed 's|^\./||; s/\.ko\.[a-z]*$/.ko/' | sort) \
	>"$scratch/files.installed"
missing=$(comm -23 "$expect" "$scratch/files.installed")
# The Python package installs its own files (install-python).
extra=$(comm -13 "$expect" "$scratch/files.installed" | grep -v '^usr/lib/python3/')
tap_result $([ -z "$missing$extra" ] && echo 1 || echo 0) install_puts_every_file_in_its_place \
	"missing: ${missing:-none}" "unexpected: ${extra:-none}"
tap_result $([ ! -e "$dest/usr/include/linux" ] && echo 1 || echo 0) \
	uapi_headers_do_not_collide_with_linux_libc_dev \
	"$(ls "$dest/usr/include/linux" 2>&1)"

pc() {
	PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$dest/usr/lib/pkgconfig \
		pkg-config "$@" rpcdev
}
got=$(pc --modversion 2>&1)
tap_result $([ "$got" = "$version" ] && echo 1 || echo 0) pkg_config_reports_the_project_version \
	"pkg-config --modversion: $got, VERSION: $version"
got=$(pc --cflags 2>&1 | xargs)
tap_result $([ "$got" = "-I$dest/usr/include -I$dest/usr/include/rpcdev" ] && echo 1 || echo 0) \
	pkg_config_cflags_point_at_the_installed_headers "pkg-config --cflags: $got"

bad=
for m in "$dest/lib/modules/$abi/updates/kmod"/*; do
	v=$(/sbin/modinfo -F version "$m" 2>&1)
	[ "$v" = "$version" ] || bad+="${m##*/}: '$v' "
done
tap_result $([ -z "$bad" ] && [ -n "$(ls "$dest/lib/modules/$abi/updates/kmod" 2>/dev/null)" ] && echo 1 || echo 0) \
	installed_modules_carry_the_project_version "${bad:-no module installed}"
got=$("$dest/usr/bin/rpcdev" --version 2>&1)
tap_result $([ "$got" = "rpcdev $version" ] && echo 1 || echo 0) installed_tool_prints_the_project_version \
	"rpcdev --version: $got"

# ------------------------------------------------------- an external program
# Built as a user would, against the installed tree only; cflags and libs
# from pkg-config, no path of the source tree.
src=$top/selftests/pkg/rpcdev_hello.c
hello_dyn=$scratch/rpcdev_hello
hello_static=$scratch/rpcdev_hello.static
# shellcheck disable=SC2046
out=$(cc -Wall -Werror $(pc --cflags) -o "$hello_dyn" "$src" $(pc --libs) 2>&1)
rc=$?
run=$(LD_LIBRARY_PATH=$dest/usr/lib "$hello_dyn" 2>&1)
needed=$(LC_ALL=C readelf -d "$hello_dyn" 2>/dev/null | grep -o 'Shared library: \[librpcdev[^]]*\]')
versym=$(LC_ALL=C readelf --dyn-syms -W "$hello_dyn" 2>/dev/null | grep -o 'rpcdev_version@LIBRPCDEV_1.2')
tap_result $([ $rc -eq 0 ] && [ "$run" = "librpcdev $version" ] &&
	[ "$needed" = "Shared library: [librpcdev.so.1]" ] && [ -n "$versym" ] && echo 1 || echo 0) \
	external_program_links_the_installed_shared_library \
	"cc: exit status $rc $out" "run: $run" "needed: $needed" "symbol: ${versym:-none}"
# shellcheck disable=SC2046
out=$(cc -Wall -Werror -static $(pc --cflags) -o "$hello_static" "$src" \
	$(pc --libs --static) 2>&1)
rc=$?
tap_result $([ $rc -eq 0 ] && echo 1 || echo 0) external_program_links_the_installed_static_library \
	"cc -static: exit status $rc" "$out"

# The VM's scratch root: the install as it is, with the kernel's own
# module lists, indexed by depmod -b as a host's /lib/modules would be.
overlay=$scratch/overlay
mkdir -p "$overlay/scratch" "$overlay/opt" "$overlay/etc" "$overlay/selftests"
cp -a "$dest/." "$overlay/scratch/"
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ ! -f "$kroot/lib/modules/$abi/$f" ] ||
		cp "$kroot/lib/modules/$abi/$f" "$overlay/scratch/lib/modules/$abi/"
done
out=$(/sbin/depmod -b "$overlay/scratch" "$abi" 2>&1)
rc=$?
tap_result $([ $rc -eq 0 ] && [ -z "$out" ] &&
	grep -q '^updates/kmod/rpcdev_sim.ko[.a-z]*: updates/kmod/rpcdev.ko' \
		"$overlay/scratch/lib/modules/$abi/modules.dep" && echo 1 || echo 0) \
	depmod_indexes_the_installed_modules \
	"depmod -b: exit status $rc $out" \
	"$(cat "$overlay/scratch/lib/modules/$abi/modules.dep" 2>&1)"

# ------------------------------------------------------------ make uninstall
make -s -C "$top" uninstall BUILD="$scratch/build" KDIR="$kdir" DESTDIR="$dest" \
	PREFIX=/usr >"$scratch/uninstall.log" 2>&1
rc=$?
left=$(cd "$dest" && find . ! -type d)
tap_result $([ $rc -eq 0 ] && [ -z "$left" ] && echo 1 || echo 0) uninstall_removes_every_installed_file \
	"exit status $rc: $(tail -n 5 "$scratch/uninstall.log")" "left: $left"

# ------------------------------------------------------------------- the VM
if [ $vm = 0 ]; then
	tap_done
	exit
fi
if [ ! -x "$hello_static" ]; then
	tap_result 0 guest_install_test_ran "no static external program to run"
	tap_done
	exit
fi
install -m 0755 "$hello_static" "$overlay/opt/rpcdev_hello"
install -m 0755 "$top/selftests/pkg/rpcdev_install_test" "$overlay/selftests/"
echo "$version" >"$overlay/etc/rpcdev-version"
cat >"$overlay/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
member:x:1000:1000:a member of group rpcdev:/tmp:/bin/sh
other:x:1001:1001:not a member:/tmp:/bin/sh
PASSWD
cat >"$overlay/etc/group" <<'GROUP'
root:x:0:
rpcdev:x:990:member
member:x:1000:
other:x:1001:
GROUP

# An empty build: the guest gets only the overlay (no test programs, no
# modules of the build tree), so what it loads is what was installed.
vmbuild=$scratch/vm
mkdir -p "$vmbuild"
"$scripts/vm-run.sh" --mode test --only rpcdev_install_test --build "$vmbuild" \
	--overlay "$overlay" "$flavour" >"$scratch/vm.out" 2>&1
rc=$?
tap_log=$vmbuild/logs/$flavour-test.tap.log
# The guest's results, numbered on from ours.
while IFS= read -r line; do
	case $line in
	"ok "*|"not ok "*)
		good=0
		case $line in "ok "*) good=1 ;; esac
		name=$(sed -E 's/^(not )?ok [0-9]+ //' <<<"$line")
		tap_result "$good" "guest_$name"
		;;
	"# "*) echo "#   ${line#\# }" ;;
	esac
done < <(grep -E '^(ok|not ok) [0-9]+|^# ' "$tap_log" 2>/dev/null)
# The run itself: the kernel log is clean and the guest finished.
tap_result $([ $rc -eq 0 ] && echo 1 || echo 0) guest_install_run_is_clean "$(tail -n 30 "$scratch/vm.out")"
tap_done
