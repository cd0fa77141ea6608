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
AGENTX := $(TOP)/snmp/netflow-agentx
DLMOD := $(TOP)/snmp/snmp_NETFLOW.so
MIB := $(TOP)/mibs/IPT-NETFLOW-MIB.my

# Debian packages to build, test and run the demo (make deps).
DEPS := build-essential pkg-config linux-headers-amd64 kmod cpio \
	qemu-system-x86 busybox-static iptables libxtables-dev iproute2 \
	ethtool procps python3 nfdump tshark pmacct snmpd snmp libsnmp-dev \
	capnproto libcapnp-dev libssl-dev openssl catch2 cmake \
	libnl-3-dev libnl-genl-3-dev socat iputils-ping util-linux smitools shellcheck

.PHONY: all kmod xtables userspace snmp artifacts print-artifacts check \
	check-unit check-userspace check-snmp check-vm check-vm-selftest demo \
	deps install uninstall clean distclean

all: kmod xtables userspace snmp artifacts

config.mk kernel/nf_config.h:
	./configure

kmod: config.mk kernel/nf_config.h
	$(MAKE) -C $(KDIR) M=$(TOP)/kernel W=1 modules -j$(JOBS)

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
	@echo agentx=$(AGENTX)
	@echo dlmod=$(DLMOD)
	@echo mib=$(MIB)

# ---- tests ----
check: all check-unit check-snmp check-vm-selftest check-vm
	@echo "make check: all test suites passed"

check-unit: userspace
	ctest --test-dir $(BUILD)/userspace --output-on-failure -j$(JOBS)

check-snmp: snmp
ifneq ($(SNMP_AGENT),no)
	$(MAKE) -C snmp check
endif

check-vm-selftest:
	tests/vm/selftest.sh

check-vm: all
	tests/vm/run-scenarios.sh

demo: all
	tests/vm/run.sh --timeout 300 -- tests/demo/demo.sh

deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEPS)

# ---- install ----
install: all
	$(MAKE) -C $(KDIR) M=$(TOP)/kernel modules_install INSTALL_MOD_DIR=extra
	depmod -a $(KVER)
	$(MAKE) -C xtables install
ifneq ($(SNMP_AGENT),no)
	$(MAKE) -C snmp install
endif
	install -D -m 0644 $(MIB) $(DESTDIR)/usr/share/snmp/mibs/IPT-NETFLOW-MIB.my
	install -D -m 0755 $(RELAY) $(DESTDIR)$(PREFIX)/sbin/netflow-relay

uninstall:
	rm -f /lib/modules/$(KVER)/extra/ipt_NETFLOW.ko
	depmod -a $(KVER)
	$(MAKE) -C xtables uninstall
ifneq ($(SNMP_AGENT),no)
	-$(MAKE) -C snmp uninstall
endif
	rm -f $(DESTDIR)/usr/share/snmp/mibs/IPT-NETFLOW-MIB.my
	rm -f $(DESTDIR)$(PREFIX)/sbin/netflow-relay

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP)/kernel clean
	$(MAKE) -C xtables clean
	-$(MAKE) -C snmp clean
	rm -rf $(BUILD)/userspace $(BUILD)/artifacts.env

distclean: clean
	rm -rf $(BUILD) config.mk kernel/nf_config.h

# ---- benchmarks (issue 9; not part of check, ~30 min): tests/bench/run.sh ----
.PHONY: bench
bench: kmod xtables artifacts
	tests/bench/run.sh
