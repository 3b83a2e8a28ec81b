#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages rpcdev's build and tests need; does nothing
# when they are all present, so it is cheap to call before every job.
#
#   scripts/install-deps.sh [PACKAGE...]
#
# PACKAGEs: more that one job alone needs (scripts/bench.sh: gnuplot-nox).
set -euo pipefail
. "$(dirname "$0")/common.sh"

missing=()
for p in $RPCDEV_HOST_PACKAGES "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
