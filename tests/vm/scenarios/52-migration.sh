#!/bin/bash
# Migration from Debian's iptables-netflow-dkms (ipt_NETFLOW 2.6) to our packages and back,
# as an operator does it on a Debian 12 router:
#   1. apt install iptables-netflow-dkms, an /etc/modprobe.d options file and saved
#      iptables rules (/etc/iptables/rules.v4 + rules.v6, iptables-persistent style, for
#      both backends: nft and legacy); modprobe, restore the rules, meter traffic, the
#      collector gets every flow exactly;
#   2. apt install ./build/deb/*.deb (ours): iptables-netflow-dkms goes; after the module
#      is reloaded /proc shows 3.0, the same options apply, the same rules meter (legacy
#      and nft, IPv4 and IPv6), iptables loads our plugin, the collector gets every flow
#      exactly;
#   3. the reverse: apt install iptables-netflow-dkms again removes ours; reloaded, 2.6
#      meters with the same files; then apt purge of ours leaves no file of ours behind.
# The DKMS builds are not repeated under TCG (~30 min each): `make dkms-tarballs` built both
# modules on the host for this kernel as DKMS binaries-only tarballs, which the packages'
# postinst loads (dkms ldtarball) from /usr/share/<package>/ instead of compiling
# (50-dkms covers building our source with dkms).  Runs in check-packaging.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source-path=SCRIPTDIR source=../netflow.sh
. "$(dirname "$0")/../netflow.sh"

kver=$(uname -r)
classic=$(find "$NF_REPO/build/classic" -name 'iptables-netflow-dkms_*.deb' 2>/dev/null | sort | tail -n1)
[ -n "$classic" ] || nf_die "no build/classic/iptables-netflow-dkms_*.deb (make classic-deb)"
mapfile -t ours < <(find "$NF_REPO/build/deb" -name '*.deb' ! -name '*-dbgsym_*' | sort)
[ "${#ours[@]}" = 4 ] || nf_die "expected 4 packages in build/deb (make deb), found ${#ours[@]}"
tarballs=${NF_DKMS_TARBALLS:-$NF_REPO/build/dkms-tarballs}
for t in ipt-netflow-2.6 ipt-netflow-ng-3.0; do
	[ -f "$tarballs/$t.dkms.tar.gz" ] || nf_die "no $tarballs/$t.dkms.tar.gz (make dkms-tarballs)"
done
mkdir -p /usr/share/ipt-netflow-dkms /usr/share/ipt-netflow-ng-dkms
cp "$tarballs/ipt-netflow-2.6.dkms.tar.gz" /usr/share/ipt-netflow-dkms/
cp "$tarballs/ipt-netflow-ng-3.0.dkms.tar.gz" /usr/share/ipt-netflow-ng-dkms/
# what linux-headers-$kver adds on a real system (the guest's /lib/modules is the image's)
[ -e "/lib/modules/$kver/build" ] || ln -s "/usr/src/linux-headers-$kver" "/lib/modules/$kver/build"
# earlier scenarios' copies of the module and plugin: start from a clean system
xtdir=$(nf_xtables_dir)
rm -f "/lib/modules/$kver/extra/ipt_NETFLOW.ko" "$xtdir/libxt_NETFLOW.so" "$xtdir/libipt_NETFLOW.so" "$xtdir/libip6t_NETFLOW.so"
depmod -a "$kver"

# man-db's trigger rebuilds its index after every install: minutes under TCG, nothing to test
echo 'man-db man-db/auto-update boolean false' | debconf-set-selections
# The guest is offline and every dependency is installed already: apt without the archive's
# lists, so that it takes the local .deb even where the archive has the same version
# (iptables-netflow-dkms) instead of trying to download it.
mkdir -p /tmp/apt-nolists/partial
apt_() { # apt-get ARGS...
	if ! DEBIAN_FRONTEND=noninteractive apt-get -y --no-install-recommends \
		-o Dir::State::Lists=/tmp/apt-nolists -o Dir::Etc::SourceList=/dev/null \
		-o Dir::Etc::SourceParts=/tmp/apt-nolists \
		-o Dpkg::Options::=--force-confdef "$@" >/tmp/apt.log 2>&1; then
		cat /tmp/apt.log
		nf_die "apt-get $* failed"
	fi
}

# --- the operator's files: they stay through every step ------------------------------------
cat >/etc/modprobe.d/ipt_NETFLOW.conf <<'EOC'
options ipt_NETFLOW destination=127.0.0.1:2055 protocol=9 natevents=1 inactive_timeout=2 active_timeout=120 maxflows=100000
EOC
mkdir -p /etc/iptables
printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p udp --dport 5101 -j NETFLOW\nCOMMIT\n' >/etc/iptables/rules.v4
printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p udp --dport 5301 -j NETFLOW\nCOMMIT\n' >/etc/iptables/rules.v6
printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p udp --dport 5201 -j NETFLOW\nCOMMIT\n' >/etc/iptables/rules-legacy.v4
printf '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p udp --dport 5401 -j NETFLOW\nCOMMIT\n' >/etc/iptables/rules-legacy.v6
nf_topo

rules_restore() { # as netfilter-persistent does at boot (nft = Debian's default iptables)
	nf_ns nfdst iptables-nft-restore </etc/iptables/rules.v4
	nf_ns nfdst ip6tables-nft-restore </etc/iptables/rules.v6
	nf_ns nfdst iptables-legacy-restore </etc/iptables/rules-legacy.v4
	nf_ns nfdst ip6tables-legacy-restore </etc/iptables/rules-legacy.v6
}
rules_flush() {
	local t
	for t in iptables-nft ip6tables-nft iptables-legacy ip6tables-legacy; do nf_ns nfdst "$t" -F INPUT; done
}
reload() { # the module of the package now installed: rules out, rmmod, modprobe, rules in
	rules_flush
	if [ -d /sys/module/ipt_NETFLOW ]; then rmmod ipt_NETFLOW; fi
	modprobe ipt_NETFLOW || nf_die "modprobe ipt_NETFLOW failed: $(dmesg | tail -n 5)"
	rules_restore
}
options_apply() { # PHASE
	assert_eq "$(sysctl -n net.netflow.destination)" 127.0.0.1:2055 "$1: destination from modprobe.d"
	assert_eq "$(sysctl -n net.netflow.protocol)" 9 "$1: protocol from modprobe.d"
	if [ "$1" = ours ]; then # compiled in by default (./configure): the option applies
		assert_eq "$(sysctl -n net.netflow.natevents)" 1 "$1: natevents from modprobe.d"
	else # Debian's 2.6 on 6.1 has no NAT events (its configure finds no NAT support there)
		assert_match "$(dmesg | grep "ipt_NETFLOW: unknown parameter 'natevents' ignored" | tail -n1)" . \
			"$1: the classic module ignores natevents=1 (and loads)"
	fi
	assert_eq "$(sysctl -n net.netflow.inactive_timeout)" 2 "$1: inactive_timeout from modprobe.d"
	assert_eq "$(sysctl -n net.netflow.active_timeout)" 120 "$1: active_timeout from modprobe.d"
	assert_eq "$(sysctl -n net.netflow.maxflows)" 100000 "$1: maxflows from modprobe.d"
}
meter() { # PHASE: traffic through each rule; the collector gets exactly these flows
	nf_collector_start "$1" 2055
	nf_udp nfsrc 10.0.0.2 5101 7 100 41101 # nft IPv4:    7 x 128 B
	nf_udp nfsrc 10.0.0.2 5201 3 1000 41201 # legacy IPv4: 3 x 1028 B
	nf_udp nfsrc fd00::2 5301 2 50 41301    # nft IPv6:    2 x 98 B
	nf_udp nfsrc fd00::2 5401 4 60 41401    # legacy IPv6: 4 x 108 B
	nf_udp nfsrc 10.0.0.2 5999 5 10 41999   # no rule: not metered
	sleep 1
	sysctl -q -w net.netflow.flush=1
	sleep 3
	nf_collector_stop "$1"
	assert_eq "$(nf_collector_flows "$1")" "$(sort <<EOT
17 10.0.0.1 41101 10.0.0.2 5101 7 896
17 10.0.0.1 41201 10.0.0.2 5201 3 3084
17 fd00::1 41301 fd00::2 5301 2 196
17 fd00::1 41401 fd00::2 5401 4 432
EOT
)" "$1: flows at the collector (nft + legacy, IPv4 + IPv6)"
}

# --- 1. the classic package -----------------------------------------------------------------
apt_ install "$classic"
assert_match "$(dkms status ipt-netflow/2.6)" "installed" "classic: dkms status"
assert_match "$(modinfo -n ipt_NETFLOW)" "/updates/dkms/ipt_NETFLOW\.ko" "classic: module path"
reload
assert_match "$(head -n1 /proc/net/stat/ipt_netflow)" '^ipt_NETFLOW (version )?2\.6,' "classic: /proc version"
options_apply classic
assert_no_match "$(iptables -j NETFLOW --help 2>&1)" 'takes no options' "classic: iptables loads the classic plugin"
meter classic

# --- 2. ours, over it -----------------------------------------------------------------------
apt_ install "${ours[@]}"
assert_match "$(dpkg-query -W -f='${db:Status-Status}' iptables-netflow-dkms 2>/dev/null || echo gone)" '^(not-installed|config-files|gone)$' "ours: iptables-netflow-dkms removed"
assert_eq "$(dkms status ipt-netflow/2.6)" "" "ours: classic gone from dkms"
assert_match "$(dkms status ipt-netflow-ng/3.0)" "installed" "ours: dkms status"
assert_eq "$(modinfo -F version ipt_NETFLOW)" 3.0 "ours: modinfo version of the installed module"
assert_match "$(head -n1 /proc/net/stat/ipt_netflow)" '^ipt_NETFLOW (version )?2\.6,' "ours: the loaded module stays the classic one until reloaded"
reload
assert_match "$(head -n1 /proc/net/stat/ipt_netflow)" '^ipt_NETFLOW 3\.0, srcversion' "ours: /proc version after reload"
options_apply ours
assert_match "$(iptables -j NETFLOW --help 2>&1)" 'NETFLOW target takes no options' "ours: iptables loads our plugin"
assert_match "$(ip6tables -j NETFLOW --help 2>&1)" 'NETFLOW target takes no options' "ours: ip6tables loads our plugin"
meter ours
assert_match "$(netflowctl get destination)" '127\.0\.0\.1:2055' "ours: netflowctl"
assert_ok test -f /etc/netflow-relay.conf
assert_ok getent passwd netflow-relay
assert_match "$(netflow-relay --help 2>&1)" 'usage: netflow-relay' "ours: netflow-relay"
assert_ok test -f /usr/share/snmp/mibs/IPT-NETFLOW-MIB.my
mapfile -t pkgs < <(for d in "${ours[@]}"; do dpkg-deb -f "$d" Package; done)
dpkg -L "${pkgs[@]}" | sort -u >/tmp/ours.files

# --- 3. back to the classic package, then purge ours ----------------------------------------
apt_ install "$classic"
assert_eq "$(dkms status ipt-netflow-ng/3.0)" "" "reverse: ours gone from dkms"
assert_match "$(dkms status ipt-netflow/2.6)" "installed" "reverse: classic dkms status"
reload
assert_match "$(head -n1 /proc/net/stat/ipt_netflow)" '^ipt_NETFLOW (version )?2\.6,' "reverse: /proc version after reload"
options_apply reverse
assert_no_match "$(iptables -j NETFLOW --help 2>&1)" 'takes no options' "reverse: iptables loads the classic plugin"
meter reverse
# what the removal left (the packages with conffiles, in state config-files, and the ones
# the classic package does not conflict with) is purged; the others are gone already
mapfile -t left_pkgs < <(for p in "${pkgs[@]}"; do
	case "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" in
	'' | not-installed) ;;
	*) echo "$p" ;;
	esac
done)
assert_ge "${#left_pkgs[@]}" 1 "packages of ours left to purge (netflow-relay's conffile at least)"
apt_ purge "${left_pkgs[@]}"
left=$(while read -r f; do
	{ [ -e "$f" ] || [ -L "$f" ]; } || continue
	[ -d "$f" ] && [ ! -L "$f" ] && continue # shared directories (/usr/sbin, /etc, ...)
	dpkg -S "$f" >/dev/null 2>&1 && continue  # now the classic package's (libipt_NETFLOW.so)
	echo "$f"
done </tmp/ours.files)
assert_eq "$left" "" "files of ours left after apt purge"
assert_fail test -e /var/lib/dkms/ipt-netflow-ng
assert_fail test -e /usr/src/ipt-netflow-ng-3.0
assert_fail test -e /etc/netflow-relay.conf
assert_eq "$(dpkg -l "${pkgs[@]}" 2>/dev/null | grep -c '^[ir][ic]' || true)" 0 "our packages purged"
rules_flush
