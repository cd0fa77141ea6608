#!/bin/bash
# Security (issue 7):
#  - the flow hash is keyed with a random seed: the same 300 flows, loaded twice with the
#    same hashsize, land in a different bucket order (/proc/net/stat/ipt_netflow_flows
#    lists them bucket by bucket);
#  - writes to sysctl net.netflow.* and /sys/module/ipt_NETFLOW/parameters/* need
#    CAP_NET_ADMIN: root without it (setpriv) and root of a user namespace are refused,
#    an unprivileged user cannot even open them; reads stay allowed where they were;
#  - the flow dump is root-only, and no /proc, /sys or sysctl output of the module shows a
#    kernel pointer.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

nf_topo
ko=$(nf_local_kmod)
nf_install_xtables
modprobe x_tables
order() { # load, send the same 300 flows, print them in dump order, unload
	insmod "$ko" hashsize=1024 inactive_timeout=600 destination=127.0.0.1:2055
	nf_ns nfdst iptables -I INPUT -s 10.0.0.1 -p udp -j NETFLOW
	nf_ns nfsrc python3 "$NF_TOOLS/send_flows.py" 10.0.0.2 7000 30000 300 1 20 >/dev/null
	awk '$1 == 4 { print $5 }' /proc/net/stat/ipt_netflow_flows
	nf_ns nfdst iptables -D INPUT -s 10.0.0.1 -p udp -j NETFLOW
	rmmod ipt_NETFLOW
}
o1=$(order)
o2=$(order)
assert_eq "$(echo "$o1" | wc -l)" 300 "first load: 300 flows"
assert_eq "$(echo "$o1" | sort -n | md5sum)" "$(echo "$o2" | sort -n | md5sum)" "same flows both times"
assert_ne "$(echo "$o1" | md5sum)" "$(echo "$o2" | md5sum)" "different bucket order after a reload (random hash key)"
same=$(paste <(echo "$o1") <(echo "$o2") | awk '$1 == $2' | wc -l)
echo "flows at the same dump position in both loads: $same of 300"

insmod "$ko" destination=127.0.0.1:2055 inactive_timeout=600
nf_ns nfdst iptables -I INPUT -s 10.0.0.1 -p udp -j NETFLOW
nf_ns nfsrc python3 "$NF_TOOLS/send_flows.py" 10.0.0.2 7000 31000 50 1 20 >/dev/null
refused=0 tried=0
try_write() { # WHO FILE VALUE: the write must fail and change nothing
	local who=$1 f=$2 v=$3 before
	shift 3
	before=$(cat "$f")
	tried=$((tried + 1))
	case $who in
	nocap) setpriv --inh-caps=-net_admin --bounding-set=-net_admin -- sh -c "echo '$v' > '$f'" 2>/dev/null && rc=0 || rc=$? ;;
	userns) unshare --user --map-root-user sh -c "echo '$v' > '$f'" 2>/dev/null && rc=0 || rc=$? ;;
	nobody) setpriv --reuid=65534 --regid=65534 --clear-groups -- sh -c "echo '$v' > '$f'" 2>/dev/null && rc=0 || rc=$? ;;
	esac
	if [ "$rc" != 0 ] && [ "$(cat "$f")" = "$before" ]; then
		refused=$((refused + 1))
	else
		nf_fail "$who could write $v to $f (now $(cat "$f"))"
	fi
}
for who in nocap userns nobody; do
	for f in protocol inactive_timeout destination sampler hashsize flush; do
		try_write $who /proc/sys/net/netflow/$f 9
	done
	for f in protocol inactive_timeout destination sampler hashsize; do
		try_write $who /sys/module/ipt_NETFLOW/parameters/$f 9
	done
done
assert_eq "$refused" "$tried" "writes without CAP_NET_ADMIN refused (sysctl and /sys/module, 3 kinds of caller)"
assert_eq "$(setpriv --inh-caps=-net_admin --bounding-set=-net_admin -- cat /proc/sys/net/netflow/inactive_timeout)" 600 \
	"reading sysctl without CAP_NET_ADMIN still works"
assert_ok setpriv --reuid=65534 --regid=65534 --clear-groups -- cat /proc/net/stat/ipt_netflow
assert_fail setpriv --reuid=65534 --regid=65534 --clear-groups -- cat /proc/net/stat/ipt_netflow_flows
# root with CAP_NET_ADMIN still can (the checks above can fail)
assert_ok sh -c 'echo 9 > /sys/module/ipt_NETFLOW/parameters/protocol'
assert_eq "$(cat /proc/sys/net/netflow/protocol)" 9 "root with CAP_NET_ADMIN writes /sys/module parameters"

# no kernel pointers: 16 hex digits starting ffff, or 0x + 12 or more hex digits
all=$( {
	cat /proc/net/stat/ipt_netflow /proc/net/stat/ipt_netflow_snmp /proc/net/stat/ipt_netflow_flows
	for f in /proc/sys/net/netflow/* /sys/module/ipt_NETFLOW/parameters/*; do
		[ "$(basename "$f")" = flush ] || cat "$f"
	done
} 2>/dev/null)
lines=$(echo "$all" | wc -l)
assert_no_match "$all" '(^|[^0-9a-fA-F])ffff[0-9a-f]{12}([^0-9a-fA-F]|$)|0x[0-9a-fA-F]{12,}' "module output ($lines lines)"
echo "figure: 74-security: reload gives a new hash order ($same/300 flows at the same position); $refused/$tried writes without CAP_NET_ADMIN refused; $lines lines of /proc, sysctl and /sys output without a kernel pointer"
