#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The main job, from nothing: install what is missing, fetch a Debian kernel
# (FLAVOUR, default 6.12), build the driver, the library and the tests, boot
# the kernel in QEMU with the driver loaded, show `rpcdev info` for the
# simulated devices and run the selftests there.
#
#   scripts/demo.sh [FLAVOUR]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
flavour=${1:-${FLAVOUR:-6.12}}

scripts/install-deps.sh
scripts/fetch-kernels.sh "$flavour"
make -s FLAVOUR="$flavour" all
RPCDEV_VM_VERBOSE=${RPCDEV_VM_VERBOSE:-1} scripts/vm-run.sh --mode demo "$flavour"
