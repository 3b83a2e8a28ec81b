#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Take the kselftest harness and checkpatch from Debian's linux-source-6.12
# into $RPCDEV_CACHE/src (read from the tarball, never copied into the tree).
# Prints the directory holding tools/ and scripts/.
set -euo pipefail
. "$(dirname "$0")/common.sh"

dst=$RPCDEV_CACHE/src
if [ ! -f "$dst/.complete" ]; then
	"$(dirname "$0")/install-deps.sh" >&2
	tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null) ||
		die "linux-source-6.12 is not installed"
	rm -rf "$dst"
	mkdir -p "$dst"
	tar -xJf "$tarball" -C "$dst" --strip-components=1 --wildcards \
		'*/tools/testing/selftests/kselftest*' \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	touch "$dst/.complete"
fi
echo "$dst"
