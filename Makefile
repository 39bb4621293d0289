# SPDX-License-Identifier: GPL-2.0
# ttyidle: build the BPF object, its skeleton, the daemon, and the tests.
# Everything generated lands in $(OUT). `make V=1` shows full commands.

# Cross builds: `make ARCH=arm64` (or CROSS_COMPILE=aarch64-linux-gnu-) on an
# amd64 host builds in build-arm64/ with $(CROSS_COMPILE)gcc against the
# Debian sysroot that scripts/fetch-sysroot.sh puts in the cache (SYSROOT=
# to use another). The BPF object differs only by vmlinux.h and
# -D__TARGET_ARCH; clang and bpftool run on the host.
HOST_ARCH  := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
ifneq ($(CROSS_COMPILE),)
ARCH       ?= $(shell echo '$(CROSS_COMPILE)' | sed 's/^aarch64-.*/arm64/;s/^x86_64-.*/x86/')
endif
ARCH       ?= $(HOST_ARCH)
ifneq ($(ARCH),$(HOST_ARCH))
CROSS_x86   := x86_64-linux-gnu-
CROSS_arm64 := aarch64-linux-gnu-
MULTIARCH_x86   := x86_64-linux-gnu
MULTIARCH_arm64 := aarch64-linux-gnu
CROSS_COMPILE ?= $(CROSS_$(ARCH))
OUT        ?= build-$(ARCH)
SYSROOT    ?= $(or $(TTYIDLE_CACHE),$(HOME)/.cache/ttyidle)/sysroot/$(ARCH)
PKG_CONFIG ?= PKG_CONFIG_SYSROOT_DIR=$(SYSROOT) PKG_CONFIG_LIBDIR=$(SYSROOT)/usr/lib/$(MULTIARCH_$(ARCH))/pkgconfig:$(SYSROOT)/usr/share/pkgconfig pkg-config
endif
ifneq ($(CROSS_COMPILE),)
ifeq ($(origin CC),default)
CC          = $(CROSS_COMPILE)gcc$(if $(SYSROOT), --sysroot=$(SYSROOT))
endif
endif
OUT        ?= build
CLANG      ?= clang
CC         ?= cc
PKG_CONFIG ?= pkg-config
BPFTOOL    ?= bpftool
LLVM_STRIP ?= llvm-strip
# 0.9.0, 0.9.0+git12.gabcdef1 after the tag v0.9.0 (scripts/version.sh)
VERSION    ?= $(shell scripts/version.sh 2>/dev/null || echo 0.0.0+unknown)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.PHONY: all clean test unit fuzz vm-test bench format format-check

WARN      := -Wall -Wextra -Werror -Wno-unused-parameter
CFLAGS    ?= -O2 -g
CPPFLAGS  += -D_GNU_SOURCE -Ibpf -Iuser -I$(OUT) -DTTYIDLE_VERSION='"$(VERSION)"'
DEPFLAGS   = -MMD -MP
LIBS      := -lbpf -lelf -lz

BPF_SRC   := bpf/ttyidle.bpf.c
BPF_OBJ   := $(OUT)/ttyidle.bpf.o
SKEL      := $(OUT)/ttyidle.skel.h

# user/ is in folders by layer (README, "How it works"): lib/ (text, JSON,
# logging helpers), policy/ (configuration and decisions, pure), host/
# (/proc, sessions, signals, terminal writes), daemon/ (engine, audit,
# metrics, service manager) need no libbpf and are linked into the unit tests
# as well; kernel/ (loader, pins) and cli/ (commands, the loop) use libbpf or
# the skeleton.
LAYERS      := lib policy host daemon
LIBBPF_SRCS := $(wildcard user/kernel/*.c user/cli/*.c)
PURE_SRCS   := $(foreach l,$(LAYERS),$(wildcard user/$(l)/*.c))
USER_SRCS   := $(LIBBPF_SRCS) $(PURE_SRCS)
USER_OBJS   := $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_SRCS))

all: $(OUT)/ttyidle

$(OUT) $(OUT)/unit $(OUT)/fuzz:
	$(Q)mkdir -p $@

# vmlinux/arm64/vmlinux.h is from a 7.x kernel (the code names enums from
# 6.15), whose BTF has anonymous tagged members (`struct foo;` inside a
# struct: the kernel builds with -fms-extensions); bpftool dumps them so.
BPF_CFLAGS_arm64 := -fms-extensions -Wno-microsoft-anon-tag

$(BPF_OBJ): $(BPF_SRC) vmlinux/$(ARCH)/vmlinux.h | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) $(BPF_CFLAGS_$(ARCH)) \
		-Ivmlinux/$(ARCH) -Ibpf $(DEPFLAGS) -Wall -Werror -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@ # DWARF out, BTF (what CO-RE needs) stays

$(SKEL): $(BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name ttyidle_bpf > $@

# Headers come from -MMD's .d files; the skeleton is generated, so every
# object waits for it (an order-only prerequisite would miss its changes).
$(OUT)/user/%.o: user/%.c $(SKEL)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(DEPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@

ifneq ($(SYSROOT),)
$(USER_OBJS): | $(SYSROOT)/.packages
$(SYSROOT)/.packages:
	@echo "make: no $(ARCH) sysroot in $(SYSROOT): run scripts/fetch-sysroot.sh --arch $(ARCH)" >&2
	@exit 1
endif

$(OUT)/ttyidle: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

# ---- unit tests: pure code only, under AddressSanitizer and UBSan ----------
SAN         := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(OUT)/unit/%,$(UNIT_SRCS))
PURE_SAN_OBJS := $(patsubst user/%.c,$(OUT)/unit/%.o,$(PURE_SRCS))

$(OUT)/unit/%.o: user/%.c
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(DEPFLAGS) -O1 -g $(SAN) $(WARN) -c $< -o $@

$(OUT)/unit/test_%: tests/unit/test_%.c $(PURE_SAN_OBJS) | $(OUT)/unit
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CPPFLAGS) $(DEPFLAGS) -Itests/unit -O1 -g $(SAN) $(WARN) $< $(PURE_SAN_OBJS) -lcmocka -o $@

unit: $(UNIT_BINS)
	$(Q)tests/unit/run.sh $(UNIT_BINS)

# ---- fuzz targets: libFuzzer ------------------------------------------------
# FUZZ_SECONDS is per target. A bug of the "tty = /dev//dev/ttyS*" kind (a
# value normalised once, printed, read back as another policy) took minutes
# to find from the seed corpora, so `make fuzz` runs long; `make test` runs
# briefly (tests/run-all.sh sets FUZZ_SECONDS) and relies on the corpora and
# tests/config/bad to replay what was found before.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(OUT)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 300

$(OUT)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(PURE_SRCS) $(wildcard user/*/*.h tests/fuzz/*.h) | $(OUT)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined $(WARN) $< $(PURE_SRCS) -o $@

fuzz: $(FUZZ_BINS)
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# ---- real kernels under QEMU -----------------------------------------------
vm-test: $(OUT)/ttyidle
	$(Q)tests/vm/run.sh

test: $(OUT)/ttyidle
	$(Q)tests/run-all.sh

bench: $(OUT)/ttyidle $(OUT)/hostcost
	$(Q)$(OUT)/hostcost 1000
	$(Q)tests/vm/bench/host/bench.sh --arch $(ARCH)

# The engine and host alone on this machine, no BPF (tests/bench/hostcost.c)
PURE_OBJS := $(patsubst user/%.c,$(OUT)/user/%.o,$(PURE_SRCS))
$(OUT)/hostcost: tests/bench/hostcost.c $(PURE_OBJS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(DEPFLAGS) $(CFLAGS) $(WARN) $< $(PURE_OBJS) $(LIBS) -o $@

FORMAT_SRCS = bpf/*.c bpf/*.h user/*/*.c user/*/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c tests/fuzz/*.h \
	      tests/bench/*.c \
	      tests/vm/progs/*.c tests/vm/progs/*.h

format:
	$(Q)clang-format -i $(FORMAT_SRCS)

# `make test` runs this: .clang-format stays applied
format-check:
	$(Q)clang-format --dry-run -Werror $(FORMAT_SRCS)

clean:
	$(Q)rm -rf $(OUT)

-include $(USER_OBJS:.o=.d) $(PURE_SAN_OBJS:.o=.d) $(UNIT_BINS:=.d) $(BPF_OBJ:.o=.d)

# ---- installing and packaging -----------------------------------------------
# `make install` honours DESTDIR and PREFIX; sbindir, mandir and
# systemdunitdir may be set one by one. The daemon reads /etc/ttyidle.conf
# whatever PREFIX is (user/policy/config.h), so the configuration always goes to
# /etc. An existing /etc/ttyidle.conf is never overwritten, and `make
# uninstall` removes it only while it is unchanged from scripts/ttyidle.conf.
.PHONY: install uninstall deb man-lint pkg-test

PREFIX         ?= /usr/local
sbindir        ?= $(PREFIX)/sbin
mandir         ?= $(PREFIX)/share/man
sysconfdir     ?= /etc
ifeq ($(origin systemdunitdir),undefined)
systemdunitdir := $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
endif
# journald reads catalogs from /usr/lib/systemd/catalog whatever PREFIX is
catalogdir     ?= /usr/lib/systemd/catalog
INSTALL        ?= install
MAN_PAGES      := scripts/man/ttyidle.8 scripts/man/ttyidle.conf.5

# The daemon's object gets sd_notify() from libsystemd when the build has it
# (`make LIBSYSTEMD=no` to do without); notify.c speaks the protocol itself
# otherwise, and the unit tests always test that code.
LIBSYSTEMD     ?= $(shell $(PKG_CONFIG) --exists libsystemd 2>/dev/null && echo yes)
ifeq ($(LIBSYSTEMD),yes)
$(OUT)/user/daemon/notify.o: CPPFLAGS += -DTTYIDLE_HAVE_LIBSYSTEMD $(shell $(PKG_CONFIG) --cflags libsystemd)
$(OUT)/user/daemon/audit.o: CPPFLAGS += -DTTYIDLE_HAVE_LIBSYSTEMD $(shell $(PKG_CONFIG) --cflags libsystemd)
LIBS += $(shell $(PKG_CONFIG) --libs libsystemd)
endif

install: $(OUT)/ttyidle
	$(if $(filter-out /etc,$(sysconfdir)),$(error sysconfdir=$(sysconfdir): ttyidle reads /etc/ttyidle.conf (user/policy/config.h); leave sysconfdir at /etc))
	$(call msg,INSTALL,$(DESTDIR)$(sbindir)/ttyidle)
	$(Q)$(INSTALL) -d -m 0755 $(DESTDIR)$(sbindir) $(DESTDIR)$(systemdunitdir) $(DESTDIR)$(catalogdir) \
		$(DESTDIR)$(mandir)/man8 $(DESTDIR)$(mandir)/man5 $(DESTDIR)$(sysconfdir)/ttyidle.conf.d
	$(Q)$(INSTALL) -m 0755 $(OUT)/ttyidle $(DESTDIR)$(sbindir)/ttyidle
	$(Q)sed 's|/usr/sbin/ttyidle|$(sbindir)/ttyidle|g' scripts/ttyidle.service > $(OUT)/ttyidle.service
	$(Q)$(INSTALL) -m 0644 $(OUT)/ttyidle.service $(DESTDIR)$(systemdunitdir)/ttyidle.service
	$(Q)$(INSTALL) -m 0644 scripts/ttyidle.catalog $(DESTDIR)$(catalogdir)/ttyidle.catalog
	$(Q)if [ -z "$(DESTDIR)" ] && command -v journalctl >/dev/null; then journalctl --update-catalog || true; fi
	$(Q)$(INSTALL) -m 0644 scripts/man/ttyidle.8 $(DESTDIR)$(mandir)/man8/ttyidle.8
	$(Q)$(INSTALL) -m 0644 scripts/man/ttyidle.conf.5 $(DESTDIR)$(mandir)/man5/ttyidle.conf.5
	$(Q)if [ -e $(DESTDIR)$(sysconfdir)/ttyidle.conf ]; then \
		echo "  KEEP     $(DESTDIR)$(sysconfdir)/ttyidle.conf (exists; the sample is scripts/ttyidle.conf)"; \
	else \
		$(INSTALL) -m 0644 scripts/ttyidle.conf $(DESTDIR)$(sysconfdir)/ttyidle.conf; \
	fi

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(sbindir)/ttyidle)
	$(Q)rm -f $(DESTDIR)$(sbindir)/ttyidle $(DESTDIR)$(systemdunitdir)/ttyidle.service \
		$(DESTDIR)$(catalogdir)/ttyidle.catalog \
		$(DESTDIR)$(mandir)/man8/ttyidle.8 $(DESTDIR)$(mandir)/man5/ttyidle.conf.5
	$(Q)if cmp -s scripts/ttyidle.conf $(DESTDIR)$(sysconfdir)/ttyidle.conf; then \
		rm -f $(DESTDIR)$(sysconfdir)/ttyidle.conf; \
	elif [ -e $(DESTDIR)$(sysconfdir)/ttyidle.conf ]; then \
		echo "  KEEP     $(DESTDIR)$(sysconfdir)/ttyidle.conf (edited; remove it by hand)"; \
	fi
	$(Q)rmdir $(DESTDIR)$(sysconfdir)/ttyidle.conf.d 2>/dev/null || \
		{ [ ! -d $(DESTDIR)$(sysconfdir)/ttyidle.conf.d ] || \
		  echo "  KEEP     $(DESTDIR)$(sysconfdir)/ttyidle.conf.d (not empty)"; }
	$(Q)if [ -z "$(DESTDIR)" ] && [ -e /sys/fs/bpf/ttyidle ]; then \
		echo "  NOTE     programs are still attached: \`ttyidle unload\` (before uninstalling) detaches them"; \
	fi

deb:
	$(Q)OUT=$(OUT) ARCH=$(ARCH) scripts/build-deb.sh

man-lint:
	$(call msg,MANDOC,$(MAN_PAGES))
	$(Q)mandoc -T lint -W warning $(MAN_PAGES)

pkg-test: $(OUT)/ttyidle
	$(Q)tests/pkg/run.sh

# ---- a newcomer's first look: a real login warned and ended, in a VM --------
.PHONY: demo
demo: $(OUT)/ttyidle
	$(Q)scripts/demo.sh
