#!/bin/bash
# Live tests of the IPT-NETFLOW-MIB agent against a private snmpd, with no
# kernel module: a fake /proc and /sys tree in a temp dir holds the files
# in the format of docs/proc-snmp.md. Runs twice: (a) netflow-agentx as an
# AgentX subagent, (b) snmp_NETFLOW.so loaded by snmpd's dlmod.
# snmpd listens only on a unix socket in the temp dir; everything started
# here is stopped at the end. Prints "N passed, N failed".
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
AGENTX=$TOP/snmp/netflow-agentx
DLMOD=$TOP/snmp/snmp_NETFLOW.so
for f in "$AGENTX" "$DLMOD"; do
	[ -x "$f" ] || [ -f "$f" ] || { echo "missing $f: run make -C snmp"; exit 2; }
done
command -v snmpd >/dev/null || { echo "snmpd not installed"; exit 2; }

T=$(mktemp -d /tmp/nf-agent-test.XXXXXX)
PROC=$T/proc SYS=$T/sys
SOCK=$T/snmpd.sock AXSOCK=$T/agentx.sock
mkdir -p "$T/persist/cert_indexes" "$T/conf"
export SNMPCONFPATH=$T/conf SNMP_PERSISTENT_DIR=$T/persist HOME=$T TZ=UTC
export MIBDIRS=$HERE/mibs:$TOP/mibs MIBS=IPT-NETFLOW-MIB
R=.1.3.6.1.4.1.37476.9000.10.1
SNMPD_PID= AGENT_PID=

pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL [$MODE]: $*"; }
# expect DESCRIPTION WANT GOT
expect() {
	if [ "$3" = "$2" ]; then ok; else
		bad "$1"; diff <(echo "$2") <(echo "$3") | sed 's/^/    /' | head -20
	fi
}
contains() {	# contains DESCRIPTION NEEDLE HAYSTACK
	case "$3" in *"$2"*) ok ;; *) bad "$1: want '$2' in: $3" ;; esac
}

stop() {	# stop PID: TERM, then KILL after 5 s
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
cleanup() {
	stop "$AGENT_PID"; stop "$SNMPD_PID"
	if [ "$fail" -ne 0 ] && [ -z "${KEEP:-}" ]; then
		for l in "$T"/*.log; do echo "--- $l"; tail -20 "$l"; done
	fi
	[ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait_for SECONDS CMD...: poll every 0.1 s until CMD succeeds
wait_for() {
	local n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}

SNMP_OPTS=(-v2c -c private -t 2 -r 1)
get()   { snmpget "${SNMP_OPTS[@]}" -OU "unix:$SOCK" "$@" 2>&1; }
getn()  { snmpget "${SNMP_OPTS[@]}" -m "" -On "unix:$SOCK" "$@" 2>&1; }
walk()  { snmpwalk "${SNMP_OPTS[@]}" -OqU "unix:$SOCK" "$@" 2>&1; }
bwalk() { snmpbulkwalk "${SNMP_OPTS[@]}" -OqU "unix:$SOCK" "$@" 2>&1; }
set_()  { snmpset "${SNMP_OPTS[@]}" -m "" "unix:$SOCK" "$@" 2>&1; }
table() { snmptable "${SNMP_OPTS[@]}" -OU -CH -Cf , "unix:$SOCK" "$@" 2>&1; }

# ---- the fake module -------------------------------------------------
# write_proc STATE: the module's files as they are in state 1 or 2
write_proc() {
	local f=$PROC/net/stat/ipt_netflow_snmp
	mkdir -p "$PROC/net/stat" "$PROC/sys/net/netflow" "$SYS/module/ipt_NETFLOW"
	if [ "$1" = 1 ]; then
		cat >"$f.tmp" <<'X'
inBitRate    202448
inPacketRate 83
inFlows      10473
inPackets    188765
inBytes      5000000000
hashMetric   1.03
hashMemory   286720
hashFlows    5187
hashPackets  1420
hashBytes    372736
dropPackets  27863
dropBytes    1169408
outByteRate  4096
outFlows     18
outPackets   2
outBytes     1024
lostFlows    1
lostPackets  3
lostBytes    180
errTotal     928
cpu0 83 10473 188765 5000000000 1.03 27863 1169408 1 2 3 4
sock0 10.0.0.2:2055 1 0 928 0 0 212992 0 106848
sock1 [2001:db8::1]:2055%eth1 0 5 0 0 0 0 0 0
sndbufPeak   106848
X
	else	# traffic moved; a second cpu; big values; one destination
		cat >"$f.tmp" <<'X'
inBitRate    8000000000
inPacketRate 1000
inFlows      20946
inPackets    377530
inBytes      10000000000
hashMetric   2.50
hashMemory   573440
hashFlows    10374
hashPackets  2840
hashBytes    5000000000
dropPackets  27864
dropBytes    1169500
outByteRate  8192
outFlows     36
outPackets   4
outBytes     2048
lostFlows    1
lostPackets  3
lostBytes    180
errTotal     4294967306
cpu0 500 10473 188765 5000000000 1.03 27863 1169408 1 2 3 4
cpu1 500 10473 188765 5000000000 2.05 1 92 0 0 0 0
sock0 10.0.0.2:2055 1 0 929 1 0 212992 512 106848
sndbufPeak   106848
X
	fi
	mv "$f.tmp" "$f"
}
write_sysctls() {
	local d=$PROC/sys/net/netflow
	echo 5 >"$d/protocol"; echo 8192 >"$d/hashsize"
	echo 2000000 >"$d/maxflows"; echo 1800 >"$d/active_timeout"
	echo 15 >"$d/inactive_timeout"; echo 212992 >"$d/sndbuf"
	echo "10.0.0.2:2055,[2001:db8::1]:2055%eth1" >"$d/destination"
	echo >"$d/aggregation"; echo >"$d/sampler"
	echo 0 >"$d/natevents"; echo 0 >"$d/promisc"
	echo "ppp:200" >"$d/snmp-rules"; echo 1 >"$d/scan-min"
	echo 2.6-ng >"$SYS/module/ipt_NETFLOW/version"
	echo 0123456789ABCDEF0123456 >"$SYS/module/ipt_NETFLOW/srcversion"
	echo 2 >"$SYS/module/ipt_NETFLOW/refcnt"
	touch -d '2026-01-02 03:04:05 UTC' "$SYS/module/ipt_NETFLOW"
}
load_module()   { write_proc 1; write_sysctls; }
unload_module() { rm -rf "$PROC/net/stat/ipt_netflow_snmp" "$PROC/sys/net/netflow" \
		  "$SYS/module/ipt_NETFLOW"; }
sysctl_file()   { cat "$PROC/sys/net/netflow/$1"; }

# ---- snmpd -----------------------------------------------------------
start_snmpd() {	# start_snmpd agentx|dlmod
	{
		echo "agentAddress unix:$SOCK"
		echo "com2secunix rwsec default private"
		echo "group rwgroup v2c rwsec"
		echo "view all included .1"
		echo 'access rwgroup "" any noauth exact all all none'
		echo "master agentx"
		echo "agentXSocket $AXSOCK"
		[ "$1" = dlmod ] && echo "dlmod netflow $DLMOD"
	} >"$T/snmpd.conf"
	NETFLOW_PROC_ROOT=$PROC NETFLOW_SYS_ROOT=$SYS \
		snmpd -f -C -c "$T/snmpd.conf" -Lf "$T/snmpd.log" -p "$T/snmpd.pid" &
	SNMPD_PID=$!
	wait_for 10 snmpd_up || { bad "snmpd did not come up"; return 1; }
}
snmpd_up() { getn .1.3.6.1.2.1.1.3.0 | grep -q Timeticks; }
nf_up()    { getn "$R.1.1.1.0" | grep -q '"ipt_NETFLOW"'; }
start_agentx() {
	"$AGENTX" -f -x "$AXSOCK" --proc-root "$PROC" --sys-root "$SYS" \
		--ping 1 >>"$T/agentx.log" 2>&1 &
	AGENT_PID=$!
}

# ---- the checks, the same for both ways of serving the MIB -----------
TOTALS1='IPT-NETFLOW-MIB::inBitRate.0 202448
IPT-NETFLOW-MIB::inPacketRate.0 83
IPT-NETFLOW-MIB::inFlows.0 10473
IPT-NETFLOW-MIB::inPackets.0 188765
IPT-NETFLOW-MIB::inBytes.0 5000000000
IPT-NETFLOW-MIB::hashMetric.0 1.03
IPT-NETFLOW-MIB::hashMemory.0 286720
IPT-NETFLOW-MIB::hashFlows.0 5187
IPT-NETFLOW-MIB::hashPackets.0 1420
IPT-NETFLOW-MIB::hashBytes.0 372736
IPT-NETFLOW-MIB::dropPackets.0 27863
IPT-NETFLOW-MIB::dropBytes.0 1169408
IPT-NETFLOW-MIB::outByteRate.0 4096
IPT-NETFLOW-MIB::outFlows.0 18
IPT-NETFLOW-MIB::outPackets.0 2
IPT-NETFLOW-MIB::outBytes.0 1024
IPT-NETFLOW-MIB::lostFlows.0 1
IPT-NETFLOW-MIB::lostPackets.0 3
IPT-NETFLOW-MIB::lostBytes.0 180
IPT-NETFLOW-MIB::errTotal.0 928
IPT-NETFLOW-MIB::sndbufPeak.0 106848'
# state 2: Gauge32 latches at 2^32-1 (inBitRate, hashBytes), Counter32
# wraps (errTotal 2^32+10 -> 10), Counter64 carries the full value
TOTALS2='IPT-NETFLOW-MIB::inBitRate.0 4294967295
IPT-NETFLOW-MIB::inPacketRate.0 1000
IPT-NETFLOW-MIB::inFlows.0 20946
IPT-NETFLOW-MIB::inPackets.0 377530
IPT-NETFLOW-MIB::inBytes.0 10000000000
IPT-NETFLOW-MIB::hashMetric.0 2.50
IPT-NETFLOW-MIB::hashMemory.0 573440
IPT-NETFLOW-MIB::hashFlows.0 10374
IPT-NETFLOW-MIB::hashPackets.0 2840
IPT-NETFLOW-MIB::hashBytes.0 4294967295
IPT-NETFLOW-MIB::dropPackets.0 27864
IPT-NETFLOW-MIB::dropBytes.0 1169500
IPT-NETFLOW-MIB::outByteRate.0 8192
IPT-NETFLOW-MIB::outFlows.0 36
IPT-NETFLOW-MIB::outPackets.0 4
IPT-NETFLOW-MIB::outBytes.0 2048
IPT-NETFLOW-MIB::lostFlows.0 1
IPT-NETFLOW-MIB::lostPackets.0 3
IPT-NETFLOW-MIB::lostBytes.0 180
IPT-NETFLOW-MIB::errTotal.0 10
IPT-NETFLOW-MIB::sndbufPeak.0 106848'
SYSCTLS='IPT-NETFLOW-MIB::protocol.0 netflow5
IPT-NETFLOW-MIB::hashsize.0 8192
IPT-NETFLOW-MIB::maxflows.0 2000000
IPT-NETFLOW-MIB::active-timeout.0 1800
IPT-NETFLOW-MIB::inactive-timeout.0 15
IPT-NETFLOW-MIB::sndbuf.0 212992
IPT-NETFLOW-MIB::destination.0 10.0.0.2:2055,[2001:db8::1]:2055%eth1
IPT-NETFLOW-MIB::aggregation.0 
IPT-NETFLOW-MIB::sampler.0 
IPT-NETFLOW-MIB::natevents.0 disabled
IPT-NETFLOW-MIB::promisc.0 disabled
IPT-NETFLOW-MIB::snmp-rules.0 ppp:200
IPT-NETFLOW-MIB::scan-min.0 1'

check_all() {
	local out

	# module info; the issue's own example, without any MIB loaded
	expect "name by numeric OID" \
		"$R.1.1.1.0 = STRING: \"ipt_NETFLOW\"" "$(getn "$R.1.1.1.0")"
	expect "module group" 'IPT-NETFLOW-MIB::name.0 ipt_NETFLOW
IPT-NETFLOW-MIB::version.0 2.6-ng
IPT-NETFLOW-MIB::srcversion.0 0123456789ABCDEF0123456
IPT-NETFLOW-MIB::loadTime.0 2026-1-2,3:4:5.0,+0:0
IPT-NETFLOW-MIB::refcnt.0 2' "$(walk IPT-NETFLOW-MIB::iptNetflowModule)"
	expect "sysctl group" "$SYSCTLS" "$(walk IPT-NETFLOW-MIB::iptNetflowSysctl)"

	# totals equal the /proc figures, and follow them
	expect "totals (walk)" "$TOTALS1" "$(walk IPT-NETFLOW-MIB::iptNetflowTotals)"
	expect "inPackets.0 by name" "IPT-NETFLOW-MIB::inPackets.0 = Counter64: 188765" \
		"$(get IPT-NETFLOW-MIB::inPackets.0)"
	expect "inPackets.0 by OID" "$R.2.1.4.0 = Counter64: 188765" \
		"$(getn "$R.2.1.4.0")"
	expect "cpu table" '0,83,10473,188765,5000000000,1.03,27863,1169408,1,2,3,4' \
		"$(table IPT-NETFLOW-MIB::iptNetflowCpuTable)"
	expect "sock table" '0,10.0.0.2:2055,active,0,928,0,0,212992,0,106848
1,[2001:db8::1]:2055%eth1,inactive,5,0,0,0,0,0,0' \
		"$(table -Ci IPT-NETFLOW-MIB::iptNetflowSockTable)"

	write_proc 2
	expect "totals after traffic (walk)" "$TOTALS2" \
		"$(walk IPT-NETFLOW-MIB::iptNetflowTotals)"
	expect "totals after traffic (bulkwalk)" "$TOTALS2" \
		"$(bwalk IPT-NETFLOW-MIB::iptNetflowTotals)"
	expect "cpu table after traffic" '0,500,10473,188765,5000000000,1.03,27863,1169408,1,2,3,4
1,500,10473,188765,5000000000,2.05,1,92,0,0,0,0' \
		"$(table IPT-NETFLOW-MIB::iptNetflowCpuTable)"
	expect "sock table after traffic" '0,10.0.0.2:2055,active,0,929,1,0,212992,512,106848' \
		"$(table -Ci IPT-NETFLOW-MIB::iptNetflowSockTable)"
	expect "gone socket row" "$R.2.3.1.2.1 = No Such Instance currently exists at this OID" \
		"$(getn "$R.2.3.1.2.1")"
	write_proc 1

	# absent objects
	expect "unknown object" "$R.2.1.99.0 = No Such Object available on this agent at this OID" \
		"$(getn "$R.2.1.99.0")"
	expect "no cpu 7" "$R.2.2.1.4.7 = No Such Instance currently exists at this OID" \
		"$(getn "$R.2.2.1.4.7")"
	# the walk of the whole subtree ends at its end: module, sysctl,
	# totals, 12 cpu columns x 1, 9 sock columns x 2
	expect "instances in subtree" $((5 + 13 + 21 + 12 + 18)) \
		"$(walk -On "$R" | grep -c "^$R\.")"

	# SET: valid values reach the sysctl file
	out=$(set_ "$R.1.2.5.0" i 30)
	expect "set inactive-timeout 30" "$R.1.2.5.0 = INTEGER: 30" "$(sed 's/^iso/.1/' <<<"$out")"
	expect "inactive_timeout file" 30 "$(sysctl_file inactive_timeout)"
	expect "inactive-timeout read back" "IPT-NETFLOW-MIB::inactive-timeout.0 = INTEGER: 30" \
		"$(get IPT-NETFLOW-MIB::inactive-timeout.0)"
	set_ "$R.1.2.1.0" i 9 >/dev/null
	expect "protocol file" 9 "$(sysctl_file protocol)"
	set_ "$R.1.2.7.0" s "10.1.1.1:2055" >/dev/null
	expect "destination file" "10.1.1.1:2055" "$(sysctl_file destination)"
	set_ "$R.1.2.9.0" s "" >/dev/null
	expect "sampler set empty" "" "$(sysctl_file sampler)"

	# SET: invalid values are refused with the SNMP error and change nothing
	contains "negative timeout refused" wrongValue "$(set_ "$R.1.2.5.0" i -5)"
	contains "zero timeout refused" wrongValue "$(set_ "$R.1.2.5.0" i 0)"
	contains "huge timeout refused" wrongValue "$(set_ "$R.1.2.4.0" i 2147484)"
	expect "inactive_timeout unchanged" 30 "$(sysctl_file inactive_timeout)"
	expect "active_timeout unchanged" 1800 "$(sysctl_file active_timeout)"
	contains "protocol 7 refused" wrongValue "$(set_ "$R.1.2.1.0" i 7)"
	expect "protocol unchanged" 9 "$(sysctl_file protocol)"
	contains "natevents 2 refused" wrongValue "$(set_ "$R.1.2.10.0" i 2)"
	contains "long destination refused" wrongLength \
		"$(set_ "$R.1.2.7.0" s "$(printf '1.2.3.4:5,%.0s' $(seq 30))")"
	contains "destination with newline refused" wrongValue \
		"$(set_ "$R.1.2.7.0" x 310a32)"
	expect "destination unchanged" "10.1.1.1:2055" "$(sysctl_file destination)"
	contains "string to integer refused" wrongType "$(set_ "$R.1.2.5.0" s 20)"
	contains "read-only refused" notWritable "$(set_ "$R.2.1.4.0" i 1)"
	contains "unknown sysctl refused" noCreation "$(set_ "$R.1.2.14.0" i 1)"
	# one bad varbind fails the whole request
	contains "mixed set refused" wrongValue \
		"$(set_ "$R.1.2.5.0" i 40 "$R.1.2.1.0" i 7)"
	expect "mixed set changed nothing" "30 9" \
		"$(sysctl_file inactive_timeout) $(sysctl_file protocol)"

	# module unloaded: no such instance everywhere; loaded again: back
	unload_module
	expect "unloaded: name" "$R.1.1.1.0 = No Such Instance currently exists at this OID" \
		"$(getn "$R.1.1.1.0")"
	expect "unloaded: inPackets" "$R.2.1.4.0 = No Such Instance currently exists at this OID" \
		"$(getn "$R.2.1.4.0")"
	expect "unloaded: inactive-timeout" "$R.1.2.5.0 = No Such Instance currently exists at this OID" \
		"$(getn "$R.1.2.5.0")"
	expect "unloaded: nothing to walk" 0 "$(walk -On "$R" | grep -c "^$R\.")"
	contains "unloaded: set refused" noCreation "$(set_ "$R.1.2.5.0" i 20)"
	[ ! -e "$PROC/sys/net/netflow/inactive_timeout" ] && ok ||
		bad "set created a sysctl file"
	load_module
	expect "reloaded: name" "$R.1.1.1.0 = STRING: \"ipt_NETFLOW\"" "$(getn "$R.1.1.1.0")"
	expect "reloaded: totals" "$TOTALS1" "$(walk IPT-NETFLOW-MIB::iptNetflowTotals)"
	expect "reloaded: sysctls" "$SYSCTLS" "$(walk IPT-NETFLOW-MIB::iptNetflowSysctl)"
}

# ---- (a) AgentX subagent ---------------------------------------------
MODE=agentx
load_module
# the subagent starts first and waits for snmpd, as after a boot
start_agentx
sleep 0.3
kill -0 "$AGENT_PID" 2>/dev/null && ok || bad "subagent exited without snmpd"
start_snmpd agentx && {
	if wait_for 10 nf_up; then
		ok
		check_all
		# snmpd restarts: the subagent reconnects by itself
		stop "$SNMPD_PID"; SNMPD_PID=
		kill -0 "$AGENT_PID" 2>/dev/null && ok || bad "subagent died with snmpd"
		start_snmpd agentx
		wait_for 15 nf_up && ok || bad "subagent did not reconnect after snmpd restart"
		expect "after reconnect: totals" "$TOTALS1" \
			"$(walk IPT-NETFLOW-MIB::iptNetflowTotals)"
		contains "after reconnect: set" "INTEGER: 25" "$(set_ "$R.1.2.5.0" i 25)"
		expect "after reconnect: file" 25 "$(sysctl_file inactive_timeout)"
		# the subagent ends cleanly on SIGTERM
		kill "$AGENT_PID"
		wait_for 5 eval '! kill -0 $AGENT_PID 2>/dev/null' && ok ||
			bad "subagent did not exit on SIGTERM"
		wait "$AGENT_PID"; rc=$?; AGENT_PID=
		expect "subagent exit status" 0 "$rc"
		expect "subagent gone: no such object" \
			"$R.1.1.1.0 = No Such Object available on this agent at this OID" \
			"$(getn "$R.1.1.1.0")"
	else
		bad "subagent did not register"
	fi
}
stop "$AGENT_PID"; AGENT_PID=
stop "$SNMPD_PID"; SNMPD_PID=
mv "$T/snmpd.log" "$T/snmpd-agentx.log" 2>/dev/null

# ---- (b) dlmod in snmpd ----------------------------------------------
MODE=dlmod
unload_module; load_module
start_snmpd dlmod && {
	if wait_for 5 nf_up; then ok; check_all; else bad "dlmod not serving"; fi
}
stop "$SNMPD_PID"; SNMPD_PID=

MODE=all
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
