# SPDX-License-Identifier: GPL-2.0
#
# rpcdev: top-level build.
#
#   make [all]        modules for one kernel, the library, the tool, the Python
#                     package (with the VM's Python), the ivshmem firmware
#                     (build/ivshmem/rpcdev-ivshmem-fw) and the ring bench
#                     (build/ivshmem/rpcdev-ring-bench), the tests
#   make check        host tests, then the selftests in a VM on every flavour
#   make run          boot a VM with the driver and run the demo (= make demo)
#   make bench        the ring bench on this host, then boot a VM (FLAVOUR)
#                     and run `rpcdev bench` there, on rpcdev_sim, then on
#                     the ivshmem device
#   make install      the product (modules, library, tool, man pages, udev
#                     rule) and nothing else; make uninstall; make dkms-install
#   make checkpatch   the kernel's coding style on kmod/ and uapi/
#   make clean
#
# The kernel: KDIR=<build tree> or KVER=<release> (its /lib/modules/KVER/build)
# choose one; without either, the running kernel's build tree is used if it
# exists, else the Debian kernel of FLAVOUR (6.12, 6.12-rt or 6.1; default
# 6.12) is fetched into the cache (scripts/fetch-kernels.sh). FLAVOUR=debug
# is a kernel with KASAN, lockdep, kmemleak and UBSAN, built into the cache
# from linux-source-6.12 the first time (scripts/build-debug-kernel.sh).

SHELL := /bin/bash
TOP := $(CURDIR)
BUILD ?= $(TOP)/build
FLAVOUR ?= 6.12
FLAVOURS := 6.12 6.12-rt 6.1 debug
RPCDEV_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/rpcdev
export RPCDEV_CACHE

KVER ?= $(shell uname -r)
# FLAVOUR= given on the command line picks that cached kernel even when the
# running kernel's build tree exists.
ifeq ($(origin KDIR),undefined)
ifneq ($(origin FLAVOUR),command line)
ifneq ($(wildcard /lib/modules/$(KVER)/build/Makefile),)
KDIR := /lib/modules/$(KVER)/build
endif
endif
endif

KSFT_DIR = $(RPCDEV_CACHE)/src/tools/testing/selftests
CHECKPATCH = $(RPCDEV_CACHE)/src/scripts/checkpatch.pl

.PHONY: all modules modules-all userlib python ivshmem selftests tools check run \
	demo bench install-kdir checkpatch clean

all: modules userlib ivshmem selftests

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
	for f in Kbuild VERSION $$(find kmod uapi/linux -type f -name '*.[ch]' -o -type f -name Kbuild); do \
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

# The ivshmem device's firmware (and ivshmem server): a host program, built
# from scripts/ivshmem/ and the portable firmware of kmod/fw/; beside it
# rpcdev-ring-bench, that firmware and librpcdev on this host's own CPUs.
ivshmem: userlib
	@$(MAKE) -s -C scripts/ivshmem O=$(BUILD)/ivshmem LIBDIR=$(BUILD)/userlib

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
	@perl $(CHECKPATCH) --no-tree -q -f kmod/*.[ch] kmod/fw/*.[ch] uapi/linux/*.h && \
		echo "checkpatch: kmod/ and uapi/ are clean"

# ----------------------------------------------------------- install (pkg)
# On a real host, the product only: the modules for the running kernel (or
# KDIR/KVER), the library, its headers and pkg-config file, the tool, the
# man pages and the udev rule. It builds what it installs and nothing else:
# no test, no package installed, no kernel fetched (the test rig's
# dependencies are installed by `make check` and scripts/ only).
#
#   make install   [KDIR=|KVER=] [DESTDIR=] [PREFIX=/usr/local]
#   make uninstall [KDIR=|KVER=] [DESTDIR=] [PREFIX=/usr/local]
#   make install-userlib      the library, headers, tool, man pages only
#   make dkms-install         the modules' source into /usr/src/rpcdev-VERSION,
#                             then `dkms add/build/install` (root; rebuilt on
#                             every kernel update); dkms-uninstall removes it
#
# Other parts add their own install and uninstall targets to INSTALL_PARTS
# and UNINSTALL_PARTS (the Python package: install-python, uninstall-python).

VERSION := $(shell cat $(TOP)/VERSION)
PREFIX ?= /usr/local
DESTDIR ?=
udevrulesdir ?= $(PREFIX)/lib/udev/rules.d
dkmssrcdir ?= /usr/src/rpcdev-$(VERSION)
UDEV_RULE := userlib/udev/60-rpcdev.rules
# The modules' sources, as DKMS builds them (Kbuild's obj-m += kmod/).
DKMS_FILES = dkms.conf VERSION COPYING Kbuild \
	$(shell find kmod -type f \( -name '*.[ch]' -o -name Kbuild \)) \
	$(wildcard uapi/linux/*.h)
# The release a build tree is for (what uname -r says on that kernel).
kdir-release = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	"$(1)/include/generated/utsrelease.h" 2>/dev/null)
MODREL = $(if $(KDIR),$(call kdir-release,$(KDIR)),$(KVER))
MODDIR = $(DESTDIR)/lib/modules/$(MODREL)/updates/kmod

INSTALL_PARTS += install-modules install-userlib install-udev install-python
UNINSTALL_PARTS += uninstall-modules uninstall-userlib uninstall-udev uninstall-python

.PHONY: install uninstall install-modules uninstall-modules install-userlib \
	uninstall-userlib install-udev uninstall-udev dkms-source dkms-install \
	dkms-uninstall

install: $(INSTALL_PARTS)
	@echo "rpcdev $(VERSION) installed$(if $(DESTDIR), into $(DESTDIR))."
	@$(if $(DESTDIR),true,echo "Members of group rpcdev may open /dev/rpcdevN" \
		"(usermod -aG rpcdev USER); load the driver with modprobe rpcdev.")

uninstall: $(UNINSTALL_PARTS)

install-kdir:
	@[ -n "$(KDIR)" ] || { echo "make install: no kernel build tree for $(KVER):" \
		"install linux-headers-$(KVER) or give KDIR=" >&2; exit 1; }

# Modules are not signed here (no key of the kernel's); they load, tainting
# it, unless the kernel enforces signatures. With DESTDIR, depmod is left to
# whoever installs the tree (depmod -b).
# (`modules` is made here, not as a prerequisite: without KDIR it would
# fetch a kernel.)
install-modules: install-kdir
	@$(MAKE) -s modules KDIR=$(KDIR)
	@$(MAKE) -s -C $(KDIR) M=$(BUILD)/kmod/$(MODREL)/src INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) DEPMOD=true \
		CONFIG_MODULE_SIG_ALL= modules_install
	@$(if $(DESTDIR),true,depmod -a $(MODREL))

uninstall-modules:
	rm -f $(MODDIR)/rpcdev*.ko*
	-rmdir $(MODDIR) 2>/dev/null
	@$(if $(DESTDIR),true,[ ! -d /lib/modules/$(MODREL) ] || depmod -a $(MODREL))

install-userlib uninstall-userlib:
	@$(MAKE) -s -C userlib O=$(BUILD)/userlib $(@:-userlib=) \
		PREFIX=$(PREFIX) $(if $(DESTDIR),DESTDIR=$(DESTDIR))

# The rule names group rpcdev; on the host itself (no DESTDIR) the group is
# made if it is missing, as a package's postinst would.
install-udev:
	install -D -m 644 $(UDEV_RULE) $(DESTDIR)$(udevrulesdir)/60-rpcdev.rules
	@$(if $(DESTDIR),true,getent group rpcdev >/dev/null || groupadd --system rpcdev)
	@$(if $(DESTDIR),true,! command -v udevadm >/dev/null || udevadm control --reload)

uninstall-udev:
	rm -f $(DESTDIR)$(udevrulesdir)/60-rpcdev.rules

# The modules' source tree as DKMS wants it in /usr/src/rpcdev-VERSION.
dkms-source:
	@rm -rf $(DESTDIR)$(dkmssrcdir)
	@for f in $(DKMS_FILES); do \
		install -D -m 644 "$$f" "$(DESTDIR)$(dkmssrcdir)/$$f" || exit 1; \
	done

dkms-install: dkms-source
	dkms add -m rpcdev -v $(VERSION)
	dkms build -m rpcdev -v $(VERSION) $(if $(KDIR),-k $(MODREL) --kernelsourcedir $(KDIR))
	dkms install -m rpcdev -v $(VERSION) $(if $(KDIR),-k $(MODREL))

dkms-uninstall:
	-dkms remove -m rpcdev -v $(VERSION) --all
	rm -rf $(DESTDIR)$(dkmssrcdir)
# The Python package, into the interpreter's dist-packages under PREFIX.
install-python uninstall-python:
	@$(MAKE) -s -C userlib O=$(BUILD)/userlib $@ \
		PREFIX=$(PREFIX) $(if $(DESTDIR),DESTDIR=$(DESTDIR))
# ------------------------------------------------------- end install (pkg)

clean:
	rm -rf $(BUILD)
