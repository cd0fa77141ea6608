#!/bin/bash
# SNMP against the real module: a real snmpd with its default AgentX socket, first with
# netflow-agentx as subagent, then with snmp_NETFLOW.so loaded by dlmod.  snmpget of the
# module name, totals equal to /proc and moving with traffic, snmptable of the cpu and
# socket tables, snmpset of a timeout (good and out of range), module unload/reload.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

AGENTX=$(nf_artifact agentx)
DLMOD=$(nf_artifact dlmod)
export MIBDIRS="$NF_REPO/tests/snmp/mibs:$NF_REPO/mibs" MIBS=IPT-NETFLOW-MIB
R=.1.3.6.1.4.1.37476.9000.10
SNMP=(-v2c -c private -t 3 -r 2 127.0.0.1:1161)

start_snmpd() { # EXTRA-CONFIG-LINE
	mkdir -p /var/agentx /tmp/snmp
	printf 'master agentx\nagentXSocket /var/agentx/master\nrwcommunity private 127.0.0.1\n%s\n' "$1" >/tmp/snmp/snmpd.conf
	nf_bg - /tmp/snmp/snmpd.log snmpd -f -Lo -C -c /tmp/snmp/snmpd.conf -p /tmp/snmp/snmpd.pid udp:127.0.0.1:1161
	SNMPD_PID=$NF_BG_PID
	nf_wait_udp - 1161 30 || nf_die "snmpd did not start: $(cat /tmp/snmp/snmpd.log)"
}
stop_snmpd() {
	kill "$SNMPD_PID" 2>/dev/null || true
	nf_wait_for 10 sh -c "! kill -0 $SNMPD_PID 2>/dev/null" || true
}
snmp_val() { snmpget "${SNMP[@]}" -OqvU "$1" 2>&1; }

nf_topo
nf_load destination=127.0.0.1:2055,127.0.0.1:2056 inactive_timeout=15
nf_ns nfdst iptables -I INPUT -j NETFLOW

# hashFlows is a gauge that moves without traffic (flows expire): the agent's value must lie
# between two /proc reads taken around it, not equal one taken after it.
gauge_between() { # OID PROC-NAME LABEL
	local a v b lo hi
	a=$(nf_snmp "$2")
	v=$(snmp_val "$1")
	b=$(nf_snmp "$2")
	lo=$((a < b ? a : b)) hi=$((a > b ? a : b))
	assert_ge "$v" "$lo" "$3 (/proc before and after: $a, $b)"
	assert_le "$v" "$hi" "$3 (/proc before and after: $a, $b)"
}

check_all() { # LABEL
	local label=$1 before after
	assert_eq "$(snmp_val $R.1.1.1.1.0)" ipt_NETFLOW "$label: module name at .1.1.1.1.0"
	assert_eq "$(snmp_val IPT-NETFLOW-MIB::inPackets.0)" "$(nf_snmp inPackets)" "$label: inPackets = /proc"
	assert_eq "$(snmp_val IPT-NETFLOW-MIB::inFlows.0)" "$(nf_snmp inFlows)" "$label: inFlows = /proc"
	gauge_between IPT-NETFLOW-MIB::hashFlows.0 hashFlows "$label: hashFlows = /proc"
	before=$(snmp_val IPT-NETFLOW-MIB::inPackets.0)
	nf_udp nfsrc 10.0.0.2 5001 25 100 40001
	after=$(snmp_val IPT-NETFLOW-MIB::inPackets.0)
	assert_eq "$after" "$((before + 25))" "$label: inPackets moves with traffic"
	assert_eq "$(snmp_val IPT-NETFLOW-MIB::inBytes.0)" "$(nf_snmp inBytes)" "$label: inBytes = /proc"
	walk=$(snmpwalk "${SNMP[@]}" -OqU IPT-NETFLOW-MIB::iptNetflowTotals 2>&1)
	assert_match "$walk" "^IPT-NETFLOW-MIB::inPackets.0 $after\$" "$label: walk of totals"
	cpu=$(snmptable "${SNMP[@]}" -CH -Cf , IPT-NETFLOW-MIB::iptNetflowCpuTable 2>&1)
	assert_eq "$(echo "$cpu" | grep -c .)" "$(nproc)" "$label: one cpu table row per CPU"
	sock=$(snmptable "${SNMP[@]}" -CH -Cf , IPT-NETFLOW-MIB::iptNetflowSockTable 2>&1)
	assert_match "$sock" '127\.0\.0\.1:2055' "$label: socket table row 1"
	assert_match "$sock" '127\.0\.0\.1:2056' "$label: socket table row 2"
	out=$(snmpset "${SNMP[@]}" IPT-NETFLOW-MIB::inactive-timeout.0 i 33 2>&1)
	assert_match "$out" 'inactive-timeout.0 = INTEGER: 33' "$label: snmpset inactive-timeout 33"
	assert_eq "$(sysctl -n net.netflow.inactive_timeout)" 33 "$label: the sysctl changed"
	out=$(snmpset -m "" "${SNMP[@]}" $R.1.1.2.5.0 i -5 2>&1 || true)
	assert_match "$out" 'wrongValue|badValue|commitFailed|inconsistentValue' "$label: snmpset -5 refused"
	assert_eq "$(sysctl -n net.netflow.inactive_timeout)" 33 "$label: sysctl unchanged by the refused set"
	sysctl -q -w net.netflow.inactive_timeout=15
}

# --- AgentX subagent ----------------------------------------------------------------
start_snmpd ""
nf_bg - /tmp/snmp/agentx.log "$AGENTX" -f --ping 1
nf_wait_for 30 sh -c "snmpget ${SNMP[*]} -Oqv $R.1.1.1.1.0 2>/dev/null | grep -q ipt_NETFLOW" ||
	nf_die "subagent did not register: $(cat /tmp/snmp/agentx.log)"
check_all agentx

# module unloaded: no such instance; loaded again: values again
nf_ns nfdst iptables -F
rmmod ipt_NETFLOW
assert_match "$(snmp_val IPT-NETFLOW-MIB::inPackets.0)" 'No Such Instance' "agentx: module unloaded"
nf_load destination=127.0.0.1:2055,127.0.0.1:2056
nf_ns nfdst iptables -I INPUT -j NETFLOW
nf_udp nfsrc 10.0.0.2 5001 4 100 40001
assert_eq "$(snmp_val IPT-NETFLOW-MIB::inPackets.0)" 4 "agentx: module reloaded, counting again"

# snmpd restarts: the subagent reconnects
stop_snmpd
start_snmpd ""
nf_wait_for 30 sh -c "snmpget ${SNMP[*]} -Oqv $R.1.1.1.1.0 2>/dev/null | grep -q ipt_NETFLOW" &&
	nf_pass "agentx: reconnected after snmpd restart" || nf_fail "agentx: no reconnect after snmpd restart"
stop_snmpd

# --- dlmod ----------------------------------------------------------------------------
start_snmpd "dlmod netflow $DLMOD"
check_all dlmod
stop_snmpd
