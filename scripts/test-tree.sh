#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Checks on the tree's own files (prints TAP):
#   - every man page renders with `man --warnings` without a warning, and
#     every .so link names a page that exists;
#   - every function of librpcdev (userlib/rpcdev.h, librpcdev.map) has a
#     section 3 page that names it;
#   - every file's SPDX tag is one COPYING gives the text of, and the one
#     of its part (kmod/ GPL-2.0, uapi/ GPL-2.0 WITH Linux-syscall-note,
#     userlib/ LGPL-2.1-or-later OR MIT);
#   - the udev rule is well formed (and `udevadm verify` accepts it, where
#     udevadm has it: systemd 253 and later).
#
#   scripts/test-tree.sh
set -uo pipefail
scripts=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$scripts")
. "$scripts/tap.sh"
cd "$top"
man=userlib/man
version=$(cat VERSION)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ----------------------------------------------------------------- man pages
# As installed: the version filled in, links resolved from the man root.
mkdir -p "$tmp/man/man1" "$tmp/man/man3" "$tmp/man/man4"
for p in "$man"/*.[134]; do
	sed "s/@VERSION@/$version/g" "$p" >"$tmp/man/man${p##*.}/${p##*/}"
done
for p in "$tmp"/man/man*/*; do
	name=${p##*/}
	if target=$(sed -n '1s/^\.so //p' "$p") && [ -n "$target" ]; then
		tap_result "$([ -f "$tmp/man/$target" ] && echo 1 || echo 0)" \
			"man_link_${name}_names_an_existing_page" "$name: .so $target"
		continue
	fi
	warn=$(cd "$tmp/man" && LC_ALL=C.UTF-8 MANWIDTH=80 \
		man --warnings -E UTF-8 -l -Tutf8 "$p" 2>&1 >/dev/null)
	rc=$?
	tap_result "$([ $rc -eq 0 ] && [ -z "$warn" ] && echo 1 || echo 0)" \
		"man_page_${name}_renders_without_warnings" "exit status $rc" "$warn"
done

# Public functions: the header's prototypes and the map's exported names.
funcs=$( { sed -nE 's/^[a-z][a-z0-9_ ]*[ *](rpcdev_[a-z0-9_]+)\(.*/\1/p' userlib/rpcdev.h
	sed -nE 's/^[[:space:]]+(rpcdev_[a-z0-9_]+);/\1/p' userlib/librpcdev.map; } | sort -u)
nopage=
for f in $funcs; do
	p=$tmp/man/man3/$f.3
	target=$(sed -n '1s/^\.so //p' "$p" 2>/dev/null)
	[ -z "$target" ] || p=$tmp/man/$target
	# The NAME line: "a, b, c \- what they do".
	sed -n '/^\.SH NAME/{n;p}' "$p" 2>/dev/null | sed 's/ \\-.*//' | tr -d ' ' | tr ',' '\n' |
		grep -qx "$f" || nopage+="$f "
done
tap_result "$([ -n "$funcs" ] && [ -z "$nopage" ] && echo 1 || echo 0)" \
	every_library_function_has_a_man_page "no page naming: ${nopage:-(no function found)}"

# ---------------------------------------------------------------- SPDX tags
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files)
else
	files=$(find . -path ./build -prune -o -type f -print | sed 's|^\./||')
fi
known='GPL-2.0|GPL-2.0 WITH Linux-syscall-note|LGPL-2.1-or-later OR MIT'
untagged=
unknown=
misplaced=
for f in $files; do
	[ -f "$f" ] || continue
	tag=$(grep -m1 -o 'SPDX-License-Identifier: .*' "$f" | sed -E 's/^SPDX-License-Identifier: //; s/ *(\*\/)? *$//')
	if [ -z "$tag" ]; then
		case $f in
		*.md|VERSION|.gitignore|COPYING) ;;
		# man page links are one .so line
		"$man"/*) grep -qx '\.so man[0-9]/[a-z0-9_]*\.[0-9]' "$f" || untagged+="$f " ;;
		*) untagged+="$f " ;;
		esac
		continue
	fi
	grep -qxE "$known" <<<"$tag" || { unknown+="$f ($tag) "; continue; }
	case $f in
	uapi/*) want='GPL-2.0 WITH Linux-syscall-note' ;;
	kmod/*) want='GPL-2.0' ;;
	# The Python package's tests and rig tools are GPL-2.0, as selftests/ is.
	userlib/python/tests/*|userlib/python/rpcdev_python_test|\
	userlib/python/guest_tree.py|userlib/python/bench_artiq.py) want='GPL-2.0' ;;
	userlib/*) want='LGPL-2.1-or-later OR MIT' ;;
	*) want=$tag ;;
	esac
	[ "$tag" = "$want" ] || misplaced+="$f ($tag, not $want) "
done
tap_result "$([ -z "$untagged" ] && echo 1 || echo 0)" every_source_file_has_an_spdx_tag \
	"untagged: $untagged"
tap_result "$([ -z "$unknown$misplaced" ] && echo 1 || echo 0)" spdx_tags_are_those_of_copying_and_their_part \
	"${unknown:+not in COPYING: $unknown}" "${misplaced:+wrong for its part: $misplaced}"
texts=
for t in 'GNU GENERAL PUBLIC LICENSE' 'Version 2, June 1991' 'GNU LESSER GENERAL PUBLIC LICENSE' \
	'Version 2.1, February 1999' 'MIT License' 'NOTE! This copyright does \*not\* cover user programs'; do
	grep -q "$t" COPYING || texts+="'$t' "
done
tap_result "$([ -z "$texts" ] && echo 1 || echo 0)" copying_holds_every_licence_text "missing: $texts"

# ---------------------------------------------------------------- udev rule
# Each rule: comma-separated KEY op "value" pairs, keys udev knows, at
# least one match (==) and one assignment.
rule=userlib/udev/60-rpcdev.rules
bad=
while IFS= read -r line; do
	case $line in '#'*|'') continue ;; esac
	IFS=, read -ra pairs <<<"$line"
	matches=0 assigns=0
	for p in "${pairs[@]}"; do
		if [[ $p =~ ^\ *(ACTION|KERNEL|SUBSYSTEM|DRIVER|ATTR\{[a-z_]+\}|ENV\{[A-Z_]+\}|TAG)(==|!=)\"[^\"]*\"\ *$ ]]; then
			matches=$((matches + 1))
		elif [[ $p =~ ^\ *(GROUP|MODE|OWNER|TAG|SYMLINK|ENV\{[A-Z_]+\})(=|\+=|:=)\"[^\"]*\"\ *$ ]]; then
			assigns=$((assigns + 1))
		else
			bad+="'$p' "
		fi
	done
	[ $matches -gt 0 ] && [ $assigns -gt 0 ] || bad+="(rule without a match or an assignment: $line) "
done <"$rule"
grep -q 'GROUP="rpcdev"' "$rule" && grep -q 'MODE="0660"' "$rule" || bad+="(not GROUP=\"rpcdev\" MODE=\"0660\") "
tap_result "$([ -z "$bad" ] && echo 1 || echo 0)" udev_rule_is_well_formed "$bad"
if command -v udevadm >/dev/null && udevadm verify --help >/dev/null 2>&1; then
	tap_check udevadm_verify_accepts_the_udev_rule udevadm verify "$rule"
else
	tap_skip udevadm_verify_accepts_the_udev_rule "no udevadm verify here (systemd < 253)"
fi
tap_done
