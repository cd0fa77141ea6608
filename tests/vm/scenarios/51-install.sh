#!/bin/bash
# make install / make uninstall, as a user runs them, from a read-only tree (the guest
# sees the repository through a read-only bind mount here, so install must not write into
# it): every file lands where the system looks for it (module + depmod, xtables plugin,
# MIB, snmpd dlmod, agent and relay binaries, systemd units, modprobe.d example, man
# pages) and works there; uninstall leaves the system as it found it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

kver=$(uname -r)
ko=$(nf_artifact kmod) || nf_die "no kernel module built"
[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$kver" ] ||
	nf_die "$ko is not built for $kver (set NF_KMOD)"
xtdir=$(nf_xtables_dir)

# Earlier scenarios copy the module and the plugin in by hand: start from a clean system.
rm -f "/lib/modules/$kver/extra/ipt_NETFLOW.ko" "$xtdir/libxt_NETFLOW.so" \
	"$xtdir/libipt_NETFLOW.so" "$xtdir/libip6t_NETFLOW.so"
rmdir "/lib/modules/$kver/extra" 2>/dev/null || true

in_ro_tree() { # CMD...  run CMD with the repository read-only (private mount namespace)
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare -m bash -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' \
		_ "$NF_REPO" "$@"
}

# A host with Debian's iptables-netflow-dkms (or NF_CLASSIC_HOST=1): make install refuses;
# it is removed here (in the guest's overlay) for the rest of the scenario.
case "$(dpkg-query -W -f='${db:Status-Status}' iptables-netflow-dkms 2>/dev/null || true)" in
'' | not-installed | config-files) ;;
*)
	in_ro_tree make -C "$NF_REPO" install KMOD="$ko" >/tmp/install-refused.log 2>&1 && st=0 || st=$?
	assert_ne "$st" 0 "make install on a host with iptables-netflow-dkms"
	assert_match "$(cat /tmp/install-refused.log)" "apt-get remove iptables-netflow-dkms" "refusal names what to remove"
	assert_ok dpkg --remove iptables-netflow-dkms
	;;
esac

watched=("/lib/modules/$kver" "$xtdir" /usr/sbin /usr/share/snmp /usr/lib/snmp /lib/systemd/system
	/etc/modprobe.d /usr/share/man/man8 /usr/share/doc /etc)
snapshot() { # names (not contents: depmod rewrites its indexes) of everything watched
	local d
	for d in "${watched[@]}"; do
		[ -e "$d" ] && find "$d" -xdev
	done | LC_ALL=C sort
}
snapshot >/tmp/before.list

assert_fail in_ro_tree touch "$NF_REPO/.nf-ro-probe" # the tree really is read-only there

if ! in_ro_tree make -C "$NF_REPO" install KMOD="$ko" >/tmp/install.log 2>&1; then
	cat /tmp/install.log
	nf_die "make install failed"
fi

# --- what got installed, and that it works where it is ------------------------------------
assert_eq "$(modinfo -n -k "$kver" ipt_NETFLOW)" "/lib/modules/$kver/extra/ipt_NETFLOW.ko" "modinfo ipt_NETFLOW"
assert_ok test -f "$xtdir/libxt_NETFLOW.so"
for a in libipt_NETFLOW.so libip6t_NETFLOW.so; do # the names libxtables 1.8.9 tries first
	assert_eq "$(readlink "$xtdir/$a")" libxt_NETFLOW.so "$a links to our plugin"
done
assert_match "$(ip6tables -j NETFLOW --help 2>&1)" 'NETFLOW target takes no options' "ip6tables loads our plugin"
assert_ok modprobe ipt_NETFLOW destination=127.0.0.1:2055
assert_ok iptables -I OUTPUT -j NETFLOW
assert_match "$(iptables -S OUTPUT)" '-j NETFLOW' "iptables rule with the installed plugin"
assert_ok iptables -D OUTPUT -j NETFLOW
assert_ok rmmod ipt_NETFLOW
assert_ok test -f /usr/share/snmp/mibs/IPT-NETFLOW-MIB.my
assert_match "$(head -c 4000 /usr/share/snmp/mibs/IPT-NETFLOW-MIB.my)" 'IPT-NETFLOW-MIB DEFINITIONS' "MIB"
assert_ok test -f /usr/lib/snmp/dlmod/snmp_NETFLOW.so
assert_ok test -x /usr/sbin/netflow-agentx
assert_ok test -x /usr/sbin/netflow-relay
assert_match "$(/usr/sbin/netflow-relay --help 2>&1)" '^usage: netflow-relay' "netflow-relay --help"
for unit in netflow-relay netflow-agentx; do
	f=/lib/systemd/system/$unit.service
	assert_ok test -f "$f"
	assert_match "$(grep '^ExecStart=' "$f")" "^ExecStart=/usr/sbin/$unit( |$)" "$unit.service ExecStart"
	assert_no_match "$(cat "$f")" '@[A-Z_]+@' "$unit.service has no unfilled @PLACEHOLDER@"
done
assert_match "$(cat /etc/modprobe.d/ipt_NETFLOW.conf.example)" '^#?options ipt_NETFLOW ' "modprobe.d example"
for page in ipt_NETFLOW netflow-relay netflow-agentx; do
	assert_eq "$(man -w 8 "$page" 2>/dev/null)" "/usr/share/man/man8/$page.8" "man -w $page"
done
assert_match "$(MANWIDTH=80 man 8 ipt_NETFLOW 2>/dev/null)" 'inactive_timeout' "man ipt_NETFLOW renders"

# --- uninstall: back to the same set of files ----------------------------------------------
if ! in_ro_tree make -C "$NF_REPO" uninstall KMOD="$ko" >/tmp/uninstall.log 2>&1; then
	cat /tmp/uninstall.log
	nf_die "make uninstall failed"
fi
snapshot >/tmp/after.list
assert_eq "$(diff /tmp/before.list /tmp/after.list)" "" "files left or removed by install+uninstall"
assert_fail modinfo -k "$kver" ipt_NETFLOW

# --- a host with the classic ipt_NETFLOW: make install takes over or refuses ------------------
# Debian's iptables-netflow-dkms (downloaded on the host by `make classic-deb`), unpacked
# only (dpkg --unpack: its files are there, its postinst's DKMS build is not run).
classic=$(find "$NF_REPO/build/classic" -name "iptables-netflow-dkms_*.deb" 2>/dev/null | sort | tail -n1)
[ -n "$classic" ] || nf_die "no build/classic/iptables-netflow-dkms_*.deb (make classic-deb)"
assert_ok dpkg --unpack "$classic"
in_ro_tree make -C "$NF_REPO" install KMOD="$ko" >/tmp/install-classic.log 2>&1 && st=0 || st=$?
assert_ne "$st" 0 "make install with iptables-netflow-dkms installed"
assert_match "$(cat /tmp/install-classic.log)" "apt-get remove iptables-netflow-dkms" "refusal names what to remove"
assert_match "$(cat /tmp/install-classic.log)" "apt install ./build/deb/" "refusal names our packages"
assert_fail test -e "/lib/modules/$kver/extra/ipt_NETFLOW.ko"
# the classic module in updates/dkms (as its DKMS build would have put it): refused too
classic_plugins=$(mktemp -d)
cp "$xtdir/libipt_NETFLOW.so" "$xtdir/libip6t_NETFLOW.so" "$classic_plugins/"
assert_ok dpkg --remove iptables-netflow-dkms
mkdir -p "/lib/modules/$kver/updates/dkms"
cp "$ko" "/lib/modules/$kver/updates/dkms/ipt_NETFLOW.ko"
in_ro_tree make -C "$NF_REPO" install KMOD="$ko" >/tmp/install-dkms.log 2>&1 && st=0 || st=$?
assert_ne "$st" 0 "make install with another module in updates/dkms"
assert_match "$(cat /tmp/install-dkms.log)" "updates/dkms/ipt_NETFLOW.ko" "refusal names the module"
rm -rf "/lib/modules/$kver/updates"
# a classic plugin no package owns (a classic make install from source): taken over
cp "$classic_plugins"/*.so "$xtdir/"
if ! in_ro_tree make -C "$NF_REPO" install KMOD="$ko" >/tmp/install-takeover.log 2>&1; then
	cat /tmp/install-takeover.log
	nf_die "make install over a classic plugin failed"
fi
assert_match "$(cat /tmp/install-takeover.log)" "taking over $xtdir/libipt_NETFLOW.so" "takeover message"
assert_match "$(iptables -j NETFLOW --help 2>&1)" 'NETFLOW target takes no options' "iptables loads our plugin after the takeover"
assert_ok in_ro_tree make -C "$NF_REPO" uninstall KMOD="$ko"
assert_fail test -e "$xtdir/libipt_NETFLOW.so"
rm -rf "$classic_plugins"
