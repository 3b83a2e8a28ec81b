# SPDX-License-Identifier: GPL-2.0
#
# rpcdev: top-level build.
#
#   make [all]        modules for one kernel, the library, the tool, the Python
#                     package (with the VM's Python), the tests
#   make check        host tests, then the selftests in a VM on every flavour
#   make run          boot a VM with the driver and run the demo (= make demo)
#   make bench        boot a VM (FLAVOUR) and run `rpcdev bench` there
#   make install      modules for the running kernel, library, headers
#   make checkpatch   the kernel's coding style on kmod/ and uapi/
#   make clean
#
# The kernel: KDIR=<build tree> or KVER=<release> (its /lib/modules/KVER/build)
# choose one; without either, the running kernel's build tree is used if it
# exists, else the Debian kernel of FLAVOUR (6.12, 6.12-rt or 6.1; default
# 6.12) is fetched into the cache (scripts/fetch-kernels.sh).

SHELL := /bin/bash
TOP := $(CURDIR)
BUILD ?= $(TOP)/build
FLAVOUR ?= 6.12
FLAVOURS := 6.12 6.12-rt 6.1
RPCDEV_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/rpcdev
export RPCDEV_CACHE

KVER ?= $(shell uname -r)
ifeq ($(origin KDIR),undefined)
ifneq ($(wildcard /lib/modules/$(KVER)/build/Makefile),)
KDIR := /lib/modules/$(KVER)/build
endif
endif

KSFT_DIR = $(RPCDEV_CACHE)/src/tools/testing/selftests
CHECKPATCH = $(RPCDEV_CACHE)/src/scripts/checkpatch.pl

.PHONY: all modules modules-all userlib python selftests tools check run demo \
	bench install install-kdir checkpatch clean

all: modules userlib selftests

# Build the modules for one kernel tree ($1) into $(BUILD)/kmod/<release>/,
# <release> being the tree's UTS_RELEASE (what uname -r says when it runs).
# Kbuild writes objects next to the sources, so each kernel gets its own
# copy of them. Only files that differ are copied (and so get a new time
# stamp): rebuilds stay incremental, and a file changed during a build is
# never left older than its object.
define build-modules
	set -e; kdir="$(1)"; \
	rel=$$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$$kdir/include/generated/utsrelease.h"); \
	out="$(BUILD)/kmod/$$rel"; mkdir -p "$$out/src"; \
	for f in Kbuild kmod/* uapi/linux/*; do \
		mkdir -p "$$out/src/$$(dirname $$f)"; \
		cmp -s "$$f" "$$out/src/$$f" || cp "$$f" "$$out/src/$$f"; \
	done; \
	$(MAKE) -s -C "$$kdir" M="$$out/src" CONFIG_DEBUG_INFO_BTF_MODULES= modules; \
	cp "$$out/src/kmod/"*.ko "$$out/"; \
	echo "modules for $$rel in $$out"
endef

ifdef KDIR
modules:
	@$(call build-modules,$(KDIR))
else
modules:
	@scripts/fetch-kernels.sh $(FLAVOUR)
	@abi=$$(cat "$(RPCDEV_CACHE)/kernels/$(FLAVOUR).abi"); \
	$(MAKE) -s modules KDIR="$(RPCDEV_CACHE)/kernels/$$abi/usr/src/linux-headers-$$abi"
endif

# Modules for every flavour the tests run on.
modules-all:
	@scripts/fetch-kernels.sh $(FLAVOURS)
	@for f in $(FLAVOURS); do \
		abi=$$(cat "$(RPCDEV_CACHE)/kernels/$$f.abi"); \
		$(MAKE) -s modules KDIR="$(RPCDEV_CACHE)/kernels/$$abi/usr/src/linux-headers-$$abi" || exit 1; \
	done

userlib:
	@$(MAKE) -s -C userlib O=$(BUILD)/userlib
	@$(MAKE) -s python

# The Python package against Debian's python3-dev, and the interpreter and
# modules the VM runs its tests with ($(BUILD)/python/guest).
python:
	@$(MAKE) -s -C userlib/python O=$(BUILD)/python LIBDIR=$(BUILD)/userlib guest

tools:
	@scripts/fetch-tools.sh >/dev/null

selftests: userlib tools
	@$(MAKE) -s -C selftests O=$(BUILD)/selftests KSFT_DIR=$(KSFT_DIR) \
		LIBDIR=$(BUILD)/userlib

check:
	@scripts/check.sh

run demo:
	@scripts/demo.sh

bench:
	@BUILD="$(BUILD)" scripts/bench.sh $(FLAVOUR)

checkpatch: tools
	@perl $(CHECKPATCH) --no-tree -q -f kmod/*.[ch] uapi/linux/*.h && \
		echo "checkpatch: kmod/ and uapi/ are clean"

# On a real host: the modules for the running kernel (or KDIR), the library,
# the tool and the headers. DESTDIR and PREFIX are honoured by the library.
install-kdir:
	@[ -n "$(KDIR)" ] || { echo "make install: no kernel build tree for $(KVER):" \
		"install linux-headers-$(KVER) or give KDIR=" >&2; exit 1; }

# Modules are not signed here (no key of the kernel's); they load, tainting
# it, unless the kernel enforces signatures.
install: install-kdir all
	rel=$$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$(KDIR)/include/generated/utsrelease.h"); \
	$(MAKE) -C $(KDIR) M=$(BUILD)/kmod/$$rel/src INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) \
		CONFIG_MODULE_SIG_ALL= modules_install
	$(MAKE) -C userlib O=$(BUILD)/userlib install install-python

clean:
	rm -rf $(BUILD)
