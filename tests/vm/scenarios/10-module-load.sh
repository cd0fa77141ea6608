#!/bin/bash
# Foundation: the module loads with parameters, refuses bad ones with a clear message,
# exposes sysctl net.netflow.* and /proc/net/stat/ipt_netflow*, the NETFLOW target works
# from iptables-legacy, iptables-nft, ip6tables (both backends), and it unloads cleanly.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

nf_install_module
nf_install_xtables

# --- bad parameters fail the load, each with a one-line reason --------------------------
bad_load() { # PARAM=VALUE  EXPECTED-MESSAGE-REGEX
	nf_dmesg_mark "bad:$1"
	assert_fail modprobe ipt_NETFLOW "$1"
	assert_match "$(nf_dmesg_since "bad:$1")" "$2" "kernel message for $1"
	assert_eq "$([ -d /sys/module/ipt_NETFLOW ] && echo loaded || echo absent)" absent "module after $1"
}
bad_load inactive_timeout=-5 'ipt_NETFLOW: inactive_timeout: must be an integer 1\.\.'
bad_load active_timeout=0 'ipt_NETFLOW: active_timeout: must be an integer'
bad_load protocol=7 'ipt_NETFLOW: protocol: must be 5, 9 or 10'
bad_load destination=300.0.0.1:2055 'ipt_NETFLOW: destination: bad address'
bad_load destination=127.0.0.1:99999 'ipt_NETFLOW: destination: bad port'
bad_load sampler=hash:1 'ipt_NETFLOW: sampler: sampler interval must be 2\.\.16383'
bad_load sampler=every:5 'ipt_NETFLOW: sampler: sampler must be'
bad_load destination_mode=random "ipt_NETFLOW: destination_mode: destination_mode must be 'mirror' or 'balance'"
bad_load maxflows=abc 'ipt_NETFLOW: maxflows: must be an integer'
bad_load hashsize=0 'ipt_NETFLOW: hashsize: must be an integer 1\.\.'
bad_load exportcpu=4096 'ipt_NETFLOW: exportcpu: no such online CPU'

# --- the default build has NAT events compiled in (./configure: free while off) ----------
assert_ok modprobe ipt_NETFLOW natevents=1
assert_eq "$(sysctl -n net.netflow.natevents)" 1 "natevents=1 on the default build"
assert_match "$(cat /proc/net/stat/ipt_netflow)" 'natevents' "natevents in the features line"
assert_ok rmmod ipt_NETFLOW

# --- a good load: parameters visible in sysctl and /sys/module ------------------------
assert_ok modprobe ipt_NETFLOW destination=127.0.0.1:2055,[::1]:2056 inactive_timeout=7 \
	active_timeout=60 hashsize=4096 maxflows=1000 engine_id=9 refresh-rate=25 sampler=hash:4
assert_eq "$(sysctl -n net.netflow.destination)" "127.0.0.1:2055,[::1]:2056" "sysctl destination"
assert_eq "$(sysctl -n net.netflow.inactive_timeout)" 7 "sysctl inactive_timeout"
assert_eq "$(sysctl -n net.netflow.active_timeout)" 60 "sysctl active_timeout"
assert_eq "$(sysctl -n net.netflow.hashsize)" 4096 "sysctl hashsize"
assert_eq "$(sysctl -n net.netflow.maxflows)" 1000 "sysctl maxflows"
assert_eq "$(sysctl -n net.netflow.engine_id)" 9 "sysctl engine_id"
assert_eq "$(sysctl -n net.netflow.refresh-rate)" 25 "sysctl refresh-rate (dash, as classic)"
assert_eq "$(sysctl -n net.netflow.sampler)" hash:4 "sysctl sampler"
assert_eq "$(sysctl -n net.netflow.protocol)" 5 "sysctl protocol"
assert_eq "$(sysctl -n net.netflow.destination_mode)" mirror "sysctl destination_mode"
assert_eq "$(cat /sys/module/ipt_NETFLOW/parameters/inactive_timeout)" 7 "/sys/module parameter"
for k in protocol destination destination_mode sampler natevents inactive_timeout active_timeout \
	refresh-rate timeout-rate debug sndbuf hashsize maxflows aggregation snmp-rules scan-min \
	promisc exportcpu engine_id flush hooks hook_mark; do
	assert_ok test -e "/proc/sys/net/netflow/$k"
done

# --- sysctl writes: good ones apply, bad ones are refused and change nothing -----------
assert_ok sysctl -q -w net.netflow.inactive_timeout=3
assert_eq "$(sysctl -n net.netflow.inactive_timeout)" 3 "inactive_timeout after write"
nf_bad_sysctl inactive_timeout -5 'inactive_timeout: must be an integer 1\.\.'
nf_bad_sysctl active_timeout 99999999 'active_timeout: must be an integer'
nf_bad_sysctl protocol 6 'protocol: must be 5, 9 or 10'
nf_bad_sysctl aggregation '1.2.3.4/99=8' 'aggregation: bad netmask rule'
nf_bad_sysctl destination '1.2.3.4:0' 'destination: bad port'
nf_bad_sysctl sampler 'random:0' 'sampler interval'
nf_bad_sysctl hashsize 0 'hashsize: must be'
nf_bad_sysctl maxflows -1 'maxflows: must be'
nf_bad_sysctl destination_mode both 'destination_mode must be'
nf_bad_sysctl sndbuf 100 'sndbuf: must be 0'
assert_ok sysctl -q -w net.netflow.destination=127.0.0.1:2057
assert_eq "$(sysctl -n net.netflow.destination)" 127.0.0.1:2057 "destination after write"
assert_ok sysctl -q -w net.netflow.hashsize=8192
assert_eq "$(sysctl -n net.netflow.hashsize)" 8192 "hashsize after resize"
assert_ok sysctl -q -w net.netflow.destination_mode=balance
assert_ok sysctl -q -w net.netflow.sampler=
assert_eq "$(sysctl -n net.netflow.sampler)" "" "sampler off"

# unprivileged writes are refused
assert_fail setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	sh -c 'echo 9 > /proc/sys/net/netflow/inactive_timeout'
assert_eq "$(sysctl -n net.netflow.inactive_timeout)" 3 "inactive_timeout after unprivileged write"

# --- /proc files ----------------------------------------------------------------------
stat=$(nf_stat)
assert_match "$stat" '^ipt_NETFLOW 3\.0, srcversion [0-9A-F]+;' "version line, as ipt_NETFLOW 2.x prints it"
assert_match "$stat" '^Protocol version 5 \(netflow\), refresh-rate 25, timeout-rate 30,' "protocol line"
assert_match "$stat" 'Timeouts: active 60, inactive 3\. Maxflows 1000$' "timeouts line"
assert_match "$stat" '^Flows: active 0 \(peak [0-9]+ reached .* ago\), mem [0-9]+K, worker delay [0-9]+/[0-9]+' "flows line"
assert_match "$stat" '^Hash: size 8192 \(mem 64K\), metric [0-9.]+, \[[0-9.]+, [0-9.]+, [0-9.]+\]\. InHash: 0 pkt, 0 K, InPDU 0, 0\.$' "hash line"
assert_match "$stat" '^Rate: [0-9]+ bits/sec, [0-9]+ packets/sec; 1 min: [0-9]+ bps, [0-9]+ pps; 5 min: [0-9]+ bps, [0-9]+ pps$' "rate line"
assert_match "$stat" '^cpu#     pps; <search found new \[metric\], trunc frag alloc maxflows>, traffic: <pkt, bytes>, drop: <pkt, bytes>$' "cpu header"
assert_match "$stat" '^Total +[0-9]+; +[0-9]+ +[0-9]+ +[0-9]+ \[[0-9.]+\], +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+, traffic: [0-9]+, [0-9]+ MB, drop: [0-9]+, [0-9]+ K$' "total line"
assert_match "$stat" '^cpu0 +[0-9]+; ' "cpu0 line"
assert_match "$stat" '^Export: Rate [0-9]+ bytes/s; Total [0-9]+ pkts, [0-9]+ MB, [0-9]+ flows; Errors [0-9]+ pkts; Traffic lost [0-9]+ pkts, [0-9]+ Kbytes, [0-9]+ flows\.$' "export line"
assert_match "$stat" '^sock0: 127\.0\.0\.1:2057, sndbuf [0-9]+, filled [0-9]+, peak [0-9]+; err: sndbuf reached [0-9]+, connect [0-9]+, cberr [0-9]+, other [0-9]+' "sock0 line"
assert_no_match "$stat" 'ffff[0-9a-f]{8,}' "no kernel pointers"
snmp=$(cat /proc/net/stat/ipt_netflow_snmp)
for k in inBitRate inPacketRate inFlows inPackets inBytes hashMetric hashMemory hashFlows \
	hashPackets hashBytes dropPackets dropBytes outByteRate outFlows outPackets outBytes \
	lostFlows lostPackets lostBytes errTotal sndbufPeak; do
	assert_match "$snmp" "^$k +[0-9.]+\$" "snmp $k"
done
assert_match "$snmp" '^cpu0 [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+\.[0-9]{2} [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+$' "snmp cpu0"
assert_match "$snmp" '^sock0 127\.0\.0\.1:2057 1 [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+ [0-9]+$' "snmp sock0"
assert_match "$(head -1 /proc/net/stat/ipt_netflow_flows)" '^# family proto' "flows header"

# --- the target from every frontend -------------------------------------------------------
nf_topo
nf_legacy_tables || echo "no legacy iptables tables in $(uname -r) (PREEMPT_RT since 6.17): iptables-nft only"
for tool in $(nf_iptables_tools iptables); do
	assert_ok nf_ns nfdst "$tool" -I INPUT -j NETFLOW
	assert_match "$(nf_ns nfdst "$tool" -S INPUT)" '^-A INPUT -j NETFLOW$' "$tool -S"
	assert_ok nf_ns nfdst "$tool" -t raw -I PREROUTING -p udp -j NETFLOW
	assert_ok nf_ns nfdst "$tool" -t mangle -I POSTROUTING -j NETFLOW
done
for tool in $(nf_iptables_tools ip6tables); do
	assert_ok nf_ns nfdst "$tool" -I INPUT -j NETFLOW
	assert_match "$(nf_ns nfdst "$tool" -S INPUT)" '^-A INPUT -j NETFLOW$' "$tool -S"
done
assert_match "$(iptables -j NETFLOW --help 2>&1)" 'NETFLOW target takes no options' "plugin help"
nf_ns nfsrc ping -c 3 -i 0.2 -W 2 10.0.0.2 >/dev/null
nf_ns nfsrc ping -6 -c 3 -i 0.2 -W 2 fd00::2 >/dev/null
first=$(nf_iptables_tools iptables | cut -d' ' -f1)
assert_ge "$(nf_ns nfdst "$first" -L INPUT -v -x -n | awk '/NETFLOW/ { print $1 }')" 3 "$first rule packets"
assert_ge "$(nf_snmp inPackets)" 6 "packets metered (IPv4 and IPv6, several frontends)"
# everything is removed again: the module unloads
nf_cleanup
assert_eq "$([ -d /sys/module/ipt_NETFLOW ] && echo loaded || echo absent)" absent "module unloaded"
assert_no_match "$(grep ipt_netflow /proc/slabinfo || true)" . "slab caches gone after unload"
