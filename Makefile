# ipt-netflow-ng: top-level build.  `make` builds every artifact, `make check`
# runs every test (unit, relay, SNMP, VM scenarios), `make demo` shows flows
# reaching a collector.  See README.md.

TOP := $(CURDIR)
BUILD := $(TOP)/build
JOBS ?= 2

-include config.mk

KMOD := $(TOP)/kernel/ipt_NETFLOW.ko
XTLIB := $(TOP)/xtables/libxt_NETFLOW.so
RELAY := $(BUILD)/userspace/relay/netflow-relay
CTL := $(BUILD)/userspace/netflowctl/netflowctl
AGENTX := $(TOP)/snmp/netflow-agentx
DLMOD := $(TOP)/snmp/snmp_NETFLOW.so
MIB := $(TOP)/mibs/IPT-NETFLOW-MIB.my

# Debian packages to build, test and run the demo (make deps).
DEPS := build-essential pkg-config linux-headers-amd64 kmod cpio \
	qemu-system-x86 busybox-static iptables libxtables-dev iproute2 \
	ethtool procps python3 nfdump tshark pmacct snmpd snmp libsnmp-dev \
	capnproto libcapnp-dev libssl-dev openssl catch2 cmake \
	libnl-3-dev libnl-genl-3-dev socat iputils-ping util-linux smitools shellcheck \
	man-db groff-base dkms debootstrap nftables curl python3-prometheus-client clang libclang-rt-14-dev \
	librdkafka-dev kcat debhelper dh-dkms lintian prometheus softflowd \
	flex bison libelf-dev bc

.PHONY: all kmod kmod-full kfull-config xtables userspace snmp artifacts print-artifacts check check-stress bench-profile \
	check-man check-packaging check-prometheus check-unit check-tsan check-userspace check-snmp check-vm check-vm-selftest demo \
	deps install uninstall clean distclean

all: kmod xtables userspace snmp artifacts

config.mk kernel/nf_config.h:
	./configure

kmod: config.mk kernel/nf_config.h
	$(MAKE) -C $(KDIR) M=$(TOP)/kernel W=1 modules -j$(JOBS)

# The module with every optional flow field compiled in (MAC addresses, VLAN tags,
# direction, bridge ports), whatever ./configure chose: the scenarios that check those
# fields load it.  Built from a copy of kernel/ in build/kfull/; never installed.
KMOD_FULL := $(BUILD)/kfull/ipt_NETFLOW.ko
KFULL_FEATURES := ENABLE_SAMPLER ENABLE_SAMPLER_HASH ENABLE_NAT ENABLE_AGGR ENABLE_SNMP \
	ENABLE_MAC ENABLE_VLAN ENABLE_DIRECTION ENABLE_PHYSDEV ENABLE_PROMISC ENABLE_PROMISC_MPLS=3
# nf_config.h of that module (also used by tests/vm/kmatrix.sh)
kfull-config:
	@echo '/* every optional field (make kmod-full) */'
	@for f in $(KFULL_FEATURES); do \
		case $$f in *=*) echo "#define $${f%%=*} $${f#*=}" ;; *) echo "#define $$f 1" ;; esac; \
	done
kmod-full: config.mk kernel/nf_config.h
	rm -rf $(BUILD)/kfull
	mkdir -p $(BUILD)/kfull
	cp kernel/Kbuild $(filter-out %.mod.c,$(wildcard kernel/*.c)) \
		$(filter-out kernel/nf_config.h,$(wildcard kernel/*.h)) $(BUILD)/kfull/
	@$(MAKE) -s --no-print-directory kfull-config > $(BUILD)/kfull/nf_config.h
	$(MAKE) -C $(KDIR) M=$(BUILD)/kfull W=1 modules -j$(JOBS)

xtables: config.mk
	$(MAKE) -C xtables

$(BUILD)/userspace/CMakeCache.txt:
	cmake -S userspace -B $(BUILD)/userspace -DCMAKE_BUILD_TYPE=RelWithDebInfo

userspace: config.mk $(BUILD)/userspace/CMakeCache.txt
	cmake --build $(BUILD)/userspace -j$(JOBS)

snmp: config.mk
ifneq ($(SNMP_AGENT),no)
	$(MAKE) -C snmp
endif

# build/artifacts.env: NAME=PATH of each built artifact (read by tests).
artifacts:
	@mkdir -p $(BUILD)
	@$(MAKE) -s --no-print-directory print-artifacts > $(BUILD)/artifacts.env

print-artifacts:
	@echo kmod=$(KMOD)
	@echo xtables=$(XTLIB)
	@echo relay=$(RELAY)
	@echo ctl=$(CTL)
	@echo agentx=$(AGENTX)
	@echo dlmod=$(DLMOD)
	@echo mib=$(MIB)
	@if [ -f $(KMOD_FULL) ]; then echo kmod_full=$(KMOD_FULL); fi

# ---- tests ----
check: all check-unit check-layers check-fuzz-short check-man check-snmp check-prometheus check-deb check-vm-selftest check-vm
	@echo "make check: all test suites passed"

check-unit: userspace
	ctest --test-dir $(BUILD)/userspace --output-on-failure -j$(JOBS)

# The module's layering (kernel/tests/layers.py), on the default and the full build's
# objects: calls go one way down README's layers, one header per unit, no include loop.
.PHONY: check-layers
check-layers: kmod kmod-full
	python3 kernel/tests/layers.py kernel $(BUILD)/kfull

# The relay's threaded parts under ThreadSanitizer (issue 23; not part of check): loop
# threads, forward lanes, shards, and libfnmflow's sender and receiver threads
# (fnmflow.api, issue 25), in build/tsan.  Not Kafka: librdkafka starts its threads
# with C11 thrd_create, which TSan does not intercept, and crashes in them.  Not the
# reliability tests with 5 s drain bounds (peer_restart): TSan makes the relay ~10x slower.
TSAN_BUILD := $(BUILD)/tsan
TSAN_TESTS := (relay|fnmflow)\.(forwarder|shard|api\.|integration\.(threads|threads_output|shard|forward)$$)
.PHONY: check-tsan
$(TSAN_BUILD)/CMakeCache.txt:
	cmake -S userspace -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNF_TSAN=ON
check-tsan: $(TSAN_BUILD)/CMakeCache.txt
	cmake --build $(TSAN_BUILD) -j$(JOBS) --target netflow-relay nfr_unit_tests fnmflow_unit_tests fnmflow_api_tests nfr_kafka_mock
	TSAN_OPTIONS="halt_on_error=1 exitcode=66" ctest --test-dir $(TSAN_BUILD) --output-on-failure -R '$(TSAN_TESTS)'

check-snmp: snmp
ifneq ($(SNMP_AGENT),no)
	$(MAKE) -C snmp check
endif

check-vm-selftest:
	tests/vm/selftest.sh

# The Prometheus alerting rules the packages ship: syntax (promtool check rules) and each
# alert firing on the series that should trigger it (promtool test rules); a real
# Prometheus server scrapes netflowctl serve and the relay in the VM scenario 52-prometheus.
.PHONY: check-prometheus
check-prometheus:
	promtool check rules prometheus/ipt-netflow-ng.rules.yml
	promtool test rules tests/prometheus/alerts_test.yml

# ---- fuzzing (issue 7): the relay's libFuzzer targets, clang + ASan/UBSan in build/fuzz ----
# `make fuzz` runs each for FUZZ_TIME seconds (default 60) from the seed corpus in
# tests/relay/fuzz_corpus/; `make check` runs them 20 s each (check-fuzz-short).
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_TIME ?= 60
FUZZERS := frame config url netflow sflow
.PHONY: fuzz fuzz-build check-fuzz-short
$(FUZZ_BUILD)/CMakeCache.txt:
	cmake -S userspace -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DNFR_FUZZ=ON -DNF_SANITIZE=ON
fuzz-build: $(FUZZ_BUILD)/CMakeCache.txt
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target $(addprefix nfr_fuzz_,$(FUZZERS))
fuzz: fuzz-build
	tests/relay/fuzz.sh $(FUZZ_BUILD)/relay $(FUZZ_TIME) $(FUZZERS)
check-fuzz-short: fuzz-build
	tests/relay/fuzz.sh $(FUZZ_BUILD)/relay 20 $(FUZZERS)

# ---- reliability (issue 7): `make check-stress` runs the kernel stress scenarios (one VM
# boot; slub_nomerge so the module's slab caches are visible), the relay's stress tests and
# every fuzzer for FUZZ_TIME seconds, and prints what each measured ("figure:" lines).
STRESS_SCENARIOS := 34- 40- 41- 70- 71- 72- 73- 74- 75-
RELAY_STRESS := garbage_flood slow_consumer tls_flood peer_restart
check-stress: all fuzz-build
	NF_VM_APPEND=slub_nomerge NF_SCENARIO_TIMEOUT=900 NF_HOOKS_ROUNDS=1000 tests/vm/run-scenarios.sh $(STRESS_SCENARIOS)
	@for t in $(RELAY_STRESS); do \
		bash tests/relay/$$t.sh $(RELAY) userspace/fnmflow/schema/simple_packet.capnp >$(BUILD)/stress-$$t.log 2>&1 || \
			{ cat $(BUILD)/stress-$$t.log; echo "FAIL relay $$t"; exit 1; }; \
		echo "PASS relay $$t"; grep '^figure: ' $(BUILD)/stress-$$t.log | sed 's/^/    /'; \
	done
	tests/relay/fuzz.sh $(FUZZ_BUILD)/relay $(FUZZ_TIME) $(FUZZERS)
	@echo "make check-stress: all reliability tests passed"

# One VM boot for the kernel scenarios; generous per-scenario limit for loaded CI
# machines.  The packaging scenarios (50-dkms builds the module inside the VM, ~30 min
# under TCG; 51-install) run in check-packaging and check-kernels instead.
VM_SCENARIOS := 00- 10- 20- 21- 22- 23- 24- 25- 26- 27- 28- 29- 30- 31- 32- 33- 34- 35- 36- 37- 38- 40- 41- 52-prometheus 60- 70- 71- 72- 73- 74-
check-vm: all kmod-full
	@$(MAKE) -s --no-print-directory artifacts
	NF_SCENARIO_TIMEOUT=600 tests/vm/run-scenarios.sh $(VM_SCENARIOS)

# 52-migration: Debian's iptables-netflow-dkms -> our packages -> back (make deb, and both
# DKMS modules built here for the VM's kernel: make dkms-tarballs).
check-packaging: all classic-deb dkms-tarballs
	NF_SCENARIO_TIMEOUT=2400 tests/vm/run-scenarios.sh 50-dkms 51-install 52-migration

# Both DKMS packages' modules built on the host for the VM's kernel, as DKMS binaries-only
# tarballs their postinst loads instead of compiling under TCG (tests/packaging/dkms-tarballs.sh)
.PHONY: dkms-tarballs
VM_KVER = $(shell tests/vm/kernel.sh --env | sed -n 's/^NF_VM_KVER=//p')
dkms-tarballs: classic-deb
	@$(MAKE) --no-print-directory $(DEB_CHANGES)
	tests/packaging/dkms-tarballs.sh $(VM_KVER) $(BUILD)/dkms-tarballs \
		$$(ls $(BUILD)/classic/iptables-netflow-dkms_*.deb | tail -n1) $$(ls $(DEB_DIR)/ipt-netflow-ng-dkms_*.deb | tail -n1)

# Debian's iptables-netflow-dkms (ipt_NETFLOW 2.6), for the scenarios that check what
# happens on a host that has it (51-install, 52-*): build/classic/*.deb
.PHONY: classic-deb
classic-deb:
	@mkdir -p $(BUILD)/classic
	@ls $(BUILD)/classic/iptables-netflow-dkms_*.deb >/dev/null 2>&1 || \
		(cd $(BUILD)/classic && apt-get download iptables-netflow-dkms)

check-man:
	tests/man/check.sh

demo: all
	tests/vm/run.sh --timeout 300 -- tests/demo/demo.sh

deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEPS)

# ---- install ----
# `make install` copies what `make` built and builds nothing itself (so it works from a
# read-only tree and as root after `make` as a user); DESTDIR and PREFIX are honoured and
# depmod runs when DESTDIR is empty. `make uninstall` removes exactly those files.
# KMOD=path installs a module built for another kernel (into that kernel's tree).
PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
UNITDIR ?= /lib/systemd/system
DLMODDIR ?= $(PREFIX)/lib/snmp/dlmod
MIBDIR ?= $(PREFIX)/share/snmp/mibs
MAN8DIR ?= $(PREFIX)/share/man/man8
DOCDIR ?= $(PREFIX)/share/doc/ipt-netflow-ng
MODPROBEDIR ?= /etc/modprobe.d
XT_LIBDIR ?= $(shell pkg-config --variable=xtlibdir xtables 2>/dev/null)
# libxtables 1.8.9 tries lib{ipt,ip6t}_NETFLOW.so before libxt_NETFLOW.so: links to ours
# (a classic plugin left under those names would win otherwise; scripts/check-classic.sh)
XT_ALIASES := libipt_NETFLOW.so libip6t_NETFLOW.so
MOD_KVER = $(shell modinfo -F vermagic $(KMOD) 2>/dev/null | cut -d' ' -f1)
MOD_DIR = $(DESTDIR)/lib/modules/$(MOD_KVER)/extra
MANPAGES := man/ipt_NETFLOW.8 man/netflow-relay.8 man/netflow-agentx.8 man/netflowctl.8
INSTALL_ARTIFACTS := $(KMOD) $(XTLIB) $(RELAY) $(CTL) $(MIB) $(if $(filter no,$(SNMP_AGENT)),,$(AGENTX) $(DLMOD))
# the relay unit: the relay's own template, with the paths filled in
RELAY_UNIT_IN := $(TOP)/userspace/relay/netflow-relay.service.in
RELAY_CONF_EXAMPLE := $(TOP)/userspace/relay/netflow-relay.conf.example

.PHONY: install-check install-dkms install-dkms-src uninstall-dkms
install-check:
	@for f in $(INSTALL_ARTIFACTS); do \
		[ -f "$$f" ] || { echo "make install: $$f is missing: run make first" >&2; exit 1; }; \
	done
	@[ -n "$(MOD_KVER)" ] || { echo "make install: cannot read the vermagic of $(KMOD)" >&2; exit 1; }
	@[ -n "$(XT_LIBDIR)" ] || { echo "make install: xtables plugin directory unknown (pkg-config xtables)" >&2; exit 1; }
	@[ -n "$(DESTDIR)" ] || $(TOP)/scripts/check-classic.sh $(MOD_KVER) $(XT_LIBDIR)

install: install-check
	install -D -m 0644 $(KMOD) $(MOD_DIR)/ipt_NETFLOW.ko
	install -D -m 0644 $(XTLIB) $(DESTDIR)$(XT_LIBDIR)/libxt_NETFLOW.so
	for a in $(XT_ALIASES); do ln -sfn libxt_NETFLOW.so $(DESTDIR)$(XT_LIBDIR)/$$a; done
	install -D -m 0755 $(RELAY) $(DESTDIR)$(SBINDIR)/netflow-relay
	install -D -m 0755 $(CTL) $(DESTDIR)$(SBINDIR)/netflowctl
	install -D -m 0644 $(MIB) $(DESTDIR)$(MIBDIR)/IPT-NETFLOW-MIB.my
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|@CMAKE_INSTALL_FULL_SBINDIR@|$(SBINDIR)|g' -e 's|@CMAKE_INSTALL_FULL_SYSCONFDIR@|/etc|g' \
		$(RELAY_UNIT_IN) > $(DESTDIR)$(UNITDIR)/netflow-relay.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/netflow-relay.service
	install -D -m 0644 $(RELAY_CONF_EXAMPLE) $(DESTDIR)$(DOCDIR)/netflow-relay.conf.example
	# libfnmflow: library, fnmflow.h/.hpp, fnmflow.pc, the Python package (CMake's install rules)
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)/userspace --component fnmflow --prefix $(PREFIX)
	[ -n "$(DESTDIR)" ] || ldconfig
ifneq ($(SNMP_AGENT),no)
	install -D -m 0755 $(AGENTX) $(DESTDIR)$(SBINDIR)/netflow-agentx
	install -D -m 0644 $(DLMOD) $(DESTDIR)$(DLMODDIR)/snmp_NETFLOW.so
	sed 's|@SBINDIR@|$(SBINDIR)|g' snmp/netflow-agentx.service > $(DESTDIR)$(UNITDIR)/netflow-agentx.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/netflow-agentx.service
endif
	install -D -m 0644 kernel/ipt_NETFLOW.conf.example $(DESTDIR)$(MODPROBEDIR)/ipt_NETFLOW.conf.example
	install -d $(DESTDIR)$(MAN8DIR)
	install -m 0644 $(MANPAGES) $(DESTDIR)$(MAN8DIR)/
	[ -n "$(DESTDIR)" ] || depmod -a $(MOD_KVER)

uninstall:
	rm -f $(MOD_DIR)/ipt_NETFLOW.ko
	-rmdir --ignore-fail-on-non-empty $(MOD_DIR)
	for a in $(XT_ALIASES); do \
		[ "$$(readlink $(DESTDIR)$(XT_LIBDIR)/$$a)" != libxt_NETFLOW.so ] || rm -f $(DESTDIR)$(XT_LIBDIR)/$$a; \
	done
	rm -f $(DESTDIR)$(XT_LIBDIR)/libxt_NETFLOW.so
	rm -f $(DESTDIR)$(SBINDIR)/netflow-relay $(DESTDIR)$(SBINDIR)/netflow-agentx $(DESTDIR)$(SBINDIR)/netflowctl
	rm -f $(DESTDIR)$(MIBDIR)/IPT-NETFLOW-MIB.my
	rm -f $(DESTDIR)$(DLMODDIR)/snmp_NETFLOW.so
	-rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DLMODDIR) $(dir $(DESTDIR)$(DLMODDIR))
	rm -f $(DESTDIR)$(UNITDIR)/netflow-relay.service $(DESTDIR)$(UNITDIR)/netflow-agentx.service
	rm -f $(DESTDIR)$(DOCDIR)/netflow-relay.conf.example
	rm -f $(DESTDIR)$(PREFIX)/lib/libfnmflow.so $(DESTDIR)$(PREFIX)/lib/libfnmflow.so.1 \
		$(DESTDIR)$(PREFIX)/lib/libfnmflow.so.1.0.0 $(DESTDIR)$(PREFIX)/lib/pkgconfig/fnmflow.pc \
		$(DESTDIR)$(PREFIX)/include/fnmflow.h $(DESTDIR)$(PREFIX)/include/fnmflow.hpp
	rm -rf $(DESTDIR)$(PREFIX)/lib/python3/dist-packages/fnmflow
	-rmdir --ignore-fail-on-non-empty $(DESTDIR)$(PREFIX)/lib/pkgconfig
	-rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(MODPROBEDIR)/ipt_NETFLOW.conf.example
	rm -f $(addprefix $(DESTDIR)$(MAN8DIR)/,$(notdir $(MANPAGES)))
	[ -n "$(DESTDIR)" ] || [ ! -d /lib/modules/$(MOD_KVER) ] || depmod -a $(MOD_KVER)

# DKMS: the module source into /usr/src/ipt-netflow-ng-<version> (what dkms.conf expects),
# then dkms add/build/install for the running kernel (DKMS_KVER=... for another one).
DKMS_NAME := ipt-netflow-ng
DKMS_VER := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(TOP)/dkms.conf)
DKMS_SRC = $(DESTDIR)/usr/src/$(DKMS_NAME)-$(DKMS_VER)
DKMS_KVER ?= $(shell uname -r)
DKMS_FILES = $(filter-out %.mod.c kernel/nf_config.h,$(wildcard kernel/*.c kernel/*.h)) kernel/Kbuild

install-dkms-src:
	install -d $(DKMS_SRC)/kernel
	install -m 0644 dkms.conf $(DKMS_SRC)/dkms.conf
	install -m 0755 configure $(DKMS_SRC)/configure
	install -m 0644 $(DKMS_FILES) $(DKMS_SRC)/kernel/

install-dkms: install-dkms-src
	dkms add $(DKMS_NAME)/$(DKMS_VER)
	dkms install $(DKMS_NAME)/$(DKMS_VER) -k $(DKMS_KVER)

uninstall-dkms:
	-dkms remove $(DKMS_NAME)/$(DKMS_VER) --all
	rm -rf $(DKMS_SRC)

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP)/kernel clean
	$(MAKE) -C xtables clean
	-$(MAKE) -C snmp clean
	rm -rf $(BUILD)/userspace $(BUILD)/artifacts.env

distclean: clean
	rm -rf $(BUILD) config.mk kernel/nf_config.h

# ---- Debian packages (issue 21): `make deb` builds them with dpkg-buildpackage from
# debian/ in a copy of the tree (build/deb/src; the tree itself stays clean) into
# build/deb/: ipt-netflow-ng-dkms (replaces iptables-netflow-dkms), ipt-netflow-ng
# (xtables plugin, netflowctl, Prometheus rules), netflow-relay, ipt-netflow-ng-snmp.
# `make check-deb` (part of `make check`) runs lintian on them.
DEB_DIR := $(BUILD)/deb
DEB_SRC := $(DEB_DIR)/src/ipt-netflow-ng-$(DKMS_VER)
DEB_ARCH = $(shell dpkg --print-architecture)
DEB_CHANGES = $(DEB_DIR)/ipt-netflow-ng_$(DKMS_VER)_$(DEB_ARCH).changes
# the tree as git sees it (tracked, and new files not ignored): what the packages are made of
DEB_INPUTS = $(shell git ls-files --cached --others --exclude-standard 2>/dev/null | grep -v '^build/')
.PHONY: deb check-deb
deb:
	rm -f $(DEB_CHANGES)
	$(MAKE) --no-print-directory $(DEB_CHANGES)

$(DEB_DIR)/ipt-netflow-ng_%.changes: $(DEB_INPUTS)
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	git ls-files -z --cached --others --exclude-standard | grep -zv '^build/' | \
		xargs -0 cp --parents -t $(DEB_SRC)
	cd $(DEB_SRC) && DEB_BUILD_OPTIONS="parallel=$(JOBS) noautodbgsym $(DEB_BUILD_OPTIONS)" \
		dpkg-buildpackage -us -uc -b
	mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/src/*.changes $(DEB_DIR)/src/*.buildinfo $(DEB_DIR)/
	rm -rf $(DEB_DIR)/src
	@ls -l $(DEB_DIR)/*.deb

# lintian on the packages of this tree (rebuilt when a file changed): no error, no warning
check-deb: $(DEB_CHANGES)
	lintian --fail-on error,warning $(DEB_CHANGES)

# ---- benchmarks (issue 9; not part of check, ~30 min): tests/bench/run.sh ----
.PHONY: bench
bench: kmod xtables userspace artifacts
	tests/bench/run.sh

# The relay on 1 and 2 loop threads alone (issue 23; host only, ~5 min; also the last part of
# `make bench`): NetFlow v9 -> FastNetMon Flow TCP and -> Kafka (mock cluster), paced senders,
# records per relay CPU-second; appends a dated section to bench/results.md.
.PHONY: bench-relay
bench-relay: userspace
	tests/bench/relay_cores.sh --append

# libfnmflow's sender alone (issue 25; host only, ~1 min; also in `make bench`, with the relay
# part): records/s over TCP and TLS from C and from Python; appends to bench/results.md.
.PHONY: bench-fnmflow
bench-fnmflow: userspace
	tests/bench/fnmflow.sh --append

# Instruction profile of the packet and export paths (perf in the icount VM; needs
# linux-perf): REGIMES="est flood hits exp5 exp10".
REGIMES ?= est flood exp5
bench-profile: kmod xtables artifacts
	tests/bench/profile.sh $(REGIMES)

# ---- kernel matrix (issues 8, 17; not part of check, whose kernel stays bookworm's 6.1):
# bullseye 5.10, bookworm 6.1 + rt, trixie 6.12 + rt, trixie-backports 7.x + rt, sid's
# newest, experimental's release candidate (allowed to fail), each resolved from the archive
# when the command runs and built with its own suite's gcc (debootstrap roots cached under
# build/vm-cache/roots), default and full (kmod-full) configurations, W=1; the VM suite runs
# on each kernel.  Prints the table and writes tests/vm/kernels.md.  KERNELS="sid trixie-rt"
# or KERNELS="sid:7.2.13+deb14-amd64" selects kernels; see tests/vm/kmatrix.sh for the rest.
# The VM suite under debug kernels built from linux-source-6.1 (KASAN + lockdep + KMEMLEAK +
# UBSAN, and KCSAN): tests/vm/debug-suite.sh; hours here, not in make check.
.PHONY: check-debug
DEBUG_KINDS ?= kasan kcsan
check-debug: config.mk kernel/nf_config.h xtables userspace snmp artifacts
	tests/vm/debug-suite.sh $(DEBUG_KINDS)

.PHONY: check-kernels
KERNELS ?=
# The scenarios each kernel runs: the list the kernel-matrix issue names as the least
# (about 20-30 min a kernel here); KMATRIX_SCENARIOS=all for every scenario (~1 h a kernel).
KMATRIX_SCENARIOS ?= 00- 10- 20- 22- 24- 26- 28- 29- 30- 40- 60- 72- 73-
check-kernels: config.mk kernel/nf_config.h xtables userspace snmp artifacts
	NF_KMATRIX_SCENARIOS="$${NF_KMATRIX_SCENARIOS:-$(KMATRIX_SCENARIOS)}" NF_KMATRIX_LANES="$${NF_KMATRIX_LANES:-2}" \
		tests/vm/kmatrix.sh $(KERNELS)
