#!/bin/bash
# Generic netlink family NETFLOW, netflowctl and the metrics endpoints:
#  - a clear error while the module is not loaded;
#  - `netflowctl stats --json` equals /proc's figures after known traffic;
#  - get/set; a bad value is refused with sysctl's errno and kernel message;
#  - the "config" multicast group reports sysctl and netlink changes;
#  - an unprivileged user is refused set and the flow dump (stats stay
#    readable, as /proc/net/stat/ipt_netflow is);
#  - `netflowctl serve` and `netflow-relay --metrics` parse strictly
#    (prom_check.py: python3-prometheus-client + the format's grammar) and
#    their counters move with traffic;
#  - 100000 active flows are dumped completely, over many netlink messages.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=../netflow.sh
. "$(dirname "$0")/../netflow.sh"

cp "$(nf_artifact ctl)" /tmp/netflowctl
chmod 755 /tmp/netflowctl
CTL=/tmp/netflowctl
CHECK="/usr/bin/python3 $NF_TOOLS/prom_check.py"
rc_of() { local rc=0; "$@" >/tmp/rc.out 2>&1 || rc=$?; echo $rc; }

# --- module not loaded ------------------------------------------------------------------------
assert_eq "$(rc_of $CTL stats)" 1 "netflowctl stats without the module: exit 1"
assert_match "$(cat /tmp/rc.out)" '^netflowctl: the ipt_NETFLOW module is not loaded' "not-loaded message"
assert_eq "$(wc -l </tmp/rc.out)" 1 "one line"
assert_eq "$(rc_of $CTL stats --bogus)" 2 "bad flag: exit 2"
assert_match "$(cat /tmp/rc.out)" "unknown flag '--bogus' for 'stats'" "bad flag named"

# --- known traffic: netlink equals /proc ------------------------------------------------------
nf_topo
nf_load destination=127.0.0.1:2055 inactive_timeout=600 active_timeout=600 hashsize=65536
nf_ns nfdst iptables -I INPUT -j NETFLOW
nf_collector_start c 2055
nf_udp nfsrc 10.0.0.2 9000 100 200 5000 >/dev/null
nf_udp nfsrc 10.0.0.2 9001 30 1000 5001 >/dev/null
compare_stats() { # WHAT
	$CTL stats --json >/tmp/stats.json
	cat /proc/net/stat/ipt_netflow_snmp >/tmp/snmp.txt
	cat /proc/net/stat/ipt_netflow >/tmp/stat.txt
	assert_ok /usr/bin/python3 "$NF_TOOLS/stats_compare.py" /tmp/stats.json /tmp/snmp.txt /tmp/stat.txt
	/usr/bin/python3 "$NF_TOOLS/stats_compare.py" /tmp/stats.json /tmp/snmp.txt /tmp/stat.txt | tail -n 1 | sed "s/^/    $1: /"
}
jget() { /usr/bin/python3 -c 'import json,sys; d=json.load(open("/tmp/stats.json")); print(eval(sys.argv[1]))' "$1"; }
compare_stats "after 130 packets"
assert_eq "$(jget 'd["totals"]["packets"]')" 130 "totals.packets = the packets sent"
assert_eq "$(jget 'd["totals"]["bytes"]')" $((100 * 228 + 30 * 1028)) "totals.bytes = their IP bytes"
assert_eq "$(jget 'd["hash"]["flows"]')" 2 "two active flows"
assert_eq "$(jget 'd["api_version"]')" 1 "API version"
assert_eq "$(jget 'sum(c["packets"] for c in d["cpu"])')" 130 "per-CPU packets sum up"
assert_match "$($CTL stats)" '^totals\.packets 130$' "text output"
assert_ok sysctl -q -w net.netflow.flush=1
nf_wait_for 10 sh -c '[ "$(awk "\$1 == \"outFlows\" { print \$2 }" /proc/net/stat/ipt_netflow_snmp)" = 2 ]' ||
	nf_fail "the flush exported nothing"
compare_stats "after the flush"
assert_eq "$(jget 'd["export"]["flows"]')" 2 "export.flows"
assert_ge "$(jget 'd["sockets"][0]["packets"]')" 1 "sock0 sent a PDU"

# --- get / set / bad values -------------------------------------------------------------------
assert_eq "$($CTL get protocol)" "$(sysctl -n net.netflow.protocol)" "get protocol = sysctl"
assert_match "$($CTL get)" '^destination = 127\.0\.0\.1:2055$' "get lists every parameter"
assert_eq "$($CTL get | wc -l)" "$(ls /proc/sys/net/netflow | wc -l)" "as many parameters as sysctl"
assert_eq "$($CTL set inactive_timeout 30)" "inactive_timeout = 30" "set inactive_timeout"
assert_eq "$(sysctl -n net.netflow.inactive_timeout)" 30 "sysctl sees the netlink set"
for bad in inactive_timeout=0 protocol=7 destination=nowhere:99999 sampler=bogus:3; do
	name=${bad%%=*} value=${bad#*=}
	before=$(sysctl -n "net.netflow.$name")
	nf_dmesg_mark "sysctl-$name"
	src=$(rc_of sysctl -w "net.netflow.$name=$value")
	sout=$(cat /tmp/rc.out)
	# sysctl(8) may write twice (stdio retries the failed flush at fclose): one
	# message per write, so compare the distinct lines
	skmsg=$(nf_dmesg_since "sysctl-$name" | grep -o 'ipt_NETFLOW: .*' | sort -u)
	nf_dmesg_mark "ctl-$name"
	crc=$(rc_of $CTL set "$name" "$value")
	cout=$(cat /tmp/rc.out)
	ckmsg=$(nf_dmesg_since "ctl-$name" | grep -o 'ipt_NETFLOW: .*' | sort -u)
	assert_ne "$src" 0 "sysctl refuses $bad"
	assert_eq "$crc" 1 "netflowctl set refuses $bad with exit 1"
	assert_eq "${cout##*: }" "${sout##*: }" "same error as sysctl for $bad"
	assert_eq "$ckmsg" "$skmsg" "same kernel message for $bad"
	assert_match "$ckmsg" "^ipt_NETFLOW: $name: " "kernel message names $name"
	assert_eq "$(sysctl -n "net.netflow.$name")" "$before" "$name unchanged"
done
echo "    e.g. sysctl: $sout"
echo "         netflowctl: $cout"
echo "         kernel: $ckmsg"
assert_eq "$(rc_of $CTL set nosuch 1)" 1 "unknown parameter: exit 1"
assert_match "$(cat /tmp/rc.out)" "unknown parameter 'nosuch'" "unknown parameter named"

# --- config notifications -----------------------------------------------------------------------
nf_bg - /tmp/monitor.log $CTL monitor
got_change() { grep -qx "$1" /tmp/monitor.log; }
for _ in $(seq 40); do # until the monitor has joined the group
	sysctl -q -w net.netflow.active_timeout=700
	sleep 0.5
	got_change "active_timeout = 700" && break
done
assert_ok got_change "active_timeout = 700"
assert_no_match "$(cat /tmp/monitor.log)" 'netflowctl:' "monitor runs without error"
$CTL set active_timeout 800 >/dev/null
echo 9 >/sys/module/ipt_NETFLOW/parameters/protocol
nf_wait_for 10 got_change "active_timeout = 800" || true
nf_wait_for 10 got_change "protocol = 9" || true
assert_ok got_change "active_timeout = 800"
assert_ok got_change "protocol = 9"
$CTL set protocol 5 >/dev/null

# --- unprivileged -------------------------------------------------------------------------------
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$@"; }
assert_eq "$(rc_of as_nobody $CTL set inactive_timeout 20)" 1 "nobody: set refused"
assert_eq "$(cat /tmp/rc.out)" 'netflowctl: setting "inactive_timeout": Operation not permitted (needs CAP_NET_ADMIN)' "nobody: message"
assert_eq "$(sysctl -n net.netflow.inactive_timeout)" 30 "value unchanged"
assert_ne "$(rc_of as_nobody sysctl -w net.netflow.inactive_timeout=20)" 0 "nobody: sysctl refused too"
assert_eq "$(rc_of as_nobody $CTL flows)" 1 "nobody: flow dump refused"
assert_match "$(cat /tmp/rc.out)" 'Operation not permitted' "nobody: flows message"
assert_eq "$(rc_of as_nobody $CTL stats --json)" 0 "nobody: stats readable (as /proc/net/stat/ipt_netflow)"

# --- watch ------------------------------------------------------------------------------------------
assert_match "$($CTL watch --interval 0.5 --iterations 2)" '^total +[0-9]+ ' "watch prints rates"

# --- Prometheus: netflowctl serve and netflow-relay --metrics ---------------------------------------
relay=$(nf_artifact relay)
nf_bg - /tmp/relay.log "$relay" --listen netflow://127.0.0.1:2056 --output jsonl:/dev/null \
	--control /tmp/relay.sock --metrics http://127.0.0.1:9105/metrics
nf_wait_tcp - 9105 30 || nf_die "relay metrics not listening: $(cat /tmp/relay.log)"
sysctl -q -w net.netflow.destination=127.0.0.1:2055,127.0.0.1:2056
nf_bg - /tmp/serve.log $CTL serve --listen 127.0.0.1:9106
nf_wait_tcp - 9106 30 || nf_die "netflowctl serve not listening: $(cat /tmp/serve.log)"
scrape() { # PORT NAME
	curl -sf --max-time 20 "http://127.0.0.1:$1/metrics" >"/tmp/$2.prom" || { nf_fail "scrape of $1"; return; }
	$CHECK "/tmp/$2.prom" >"/tmp/$2.samples" 2>/tmp/check.err || nf_fail "$2 exposition: $(cat /tmp/check.err)"
}
sample() { awk -v k="$2" '$1 == k { print $2 }' "/tmp/$1.samples"; }
scrape 9106 m1
scrape 9105 r1
assert_ge "$(wc -l </tmp/m1.samples)" 50 "module metrics parse"
assert_eq "$(sample m1 ipt_netflow_up)" 1 "ipt_netflow_up"
assert_match "$(cat /tmp/m1.prom)" '^# TYPE ipt_netflow_packets_total counter$' "packets_total is a counter"
assert_match "$(cat /tmp/m1.prom)" '^# TYPE ipt_netflow_flows_active gauge$' "flows_active is a gauge"
assert_match "$(cat /tmp/m1.prom)" '^# HELP ipt_netflow_packets_total .+' "HELP text"
assert_match "$(cat /tmp/m1.samples)" '^ipt_netflow_cpu_packets_total\{cpu="0"\} ' "cpu label"
assert_match "$(cat /tmp/m1.samples)" '^ipt_netflow_socket_sent_pdus_total\{destination="127.0.0.1:2056",socket="1"\} ' "socket/destination labels"
p1=$(sample m1 ipt_netflow_packets_total)
e1=$(sample m1 'ipt_netflow_socket_sent_pdus_total{destination="127.0.0.1:2056",socket="1"}')
r1=$(sample r1 netflow_relay_netflow_records_total)
assert_eq "$p1" "$(nf_snmp inPackets)" "packets_total = /proc inPackets"
nf_udp nfsrc 10.0.0.2 9002 40 100 5002 >/dev/null
assert_ok sysctl -q -w net.netflow.flush=1
nf_wait_for 20 sh -c "\"$relay\" counters --control /tmp/relay.sock | grep -qx 'netflow_records $((r1 + 1))'" || true
scrape 9106 m2
scrape 9105 r2
assert_eq "$(sample m2 ipt_netflow_packets_total)" $((p1 + 40)) "packets_total moved by the 40 packets"
assert_eq "$(awk '/^ipt_netflow_cpu_packets_total/ { s += $2 } END { print s }' /tmp/m2.samples)" $((p1 + 40)) "per-CPU series sum up"
assert_ge "$(sample m2 'ipt_netflow_socket_sent_pdus_total{destination="127.0.0.1:2056",socket="1"}')" $((e1 + 1)) "PDUs to the relay counted"
assert_eq "$(sample r2 netflow_relay_netflow_records_total)" $((r1 + 1)) "relay metric: the flow arrived"
assert_eq "$(sample r2 netflow_relay_up)" 1 "netflow_relay_up"
sysctl -q -w net.netflow.destination=127.0.0.1:2055

# --- 100000 active flows, dumped completely -----------------------------------------------------------
assert_ok sysctl -q -w net.netflow.flush=1
assert_ok $CTL set inactive_timeout 600	# no flow may expire during the checks
sysctl -q -w net.core.netdev_max_backlog=100000
send_100k() {
	nf_ns nfsrc /usr/bin/python3 - <<'PY'
import socket
socks = []
for sport in (40000, 40001):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.0.0.1", sport))
    socks.append(s)
for dport in range(10000, 60000):
    for s in socks:
        s.sendto(b"x", ("10.0.0.2", dport))
PY
}
created0=$(nf_snmp inFlows)
t0=$(date +%s)
# a loaded TCG host can lose a few datagrams on the way: send again what is missing
# (a second packet of a flow only adds to it)
for round in 1 2 3; do
	send_100k
	[ "$(nf_snmp hashFlows)" -lt 100000 ] || break
	echo "    round $round: $(nf_snmp hashFlows) flows, sending again"
done
echo "    100000 flows sent in $(($(date +%s) - t0)) s"
# the worker sweeps while packets stamp flows: none of them may look expired
assert_eq "$(($(nf_snmp inFlows) - created0))" 100000 "no flow expired and was created again while the 100000 arrived"
assert_eq "$(nf_snmp hashFlows)" 100000 "100000 active flows"
t0=$(date +%s)
$CTL flows --verbose >/tmp/flows.txt 2>/tmp/flows.err
echo "    dumped in $(($(date +%s) - t0)) s: $(cat /tmp/flows.err)"
assert_eq "$(($(wc -l </tmp/flows.txt) - 1))" 100000 "netflowctl flows: 100000 lines"
assert_eq "$(awk 'NR > 1 && $4 == "10.0.0.1" && $6 == "10.0.0.2" { print $5, $7 }' /tmp/flows.txt | sort -u | wc -l)" 100000 "each flow once"
assert_eq "$(($(wc -l </proc/net/stat/ipt_netflow_flows) - 1))" 100000 "/proc lists the same number"
msgs=$(sed -n 's/.* in \([0-9]*\) netlink messages$/\1/p' /tmp/flows.err)
assert_eq "$msgs" 100000 "one netlink message per flow"
assert_eq "$($CTL flows --count)" 100000 "flows --count"
one=$($CTL flows --json sport=40001 dport=12345)
assert_eq "$(wc -l <<<"$one")" 1 "flows --json with a filter: one flow"
assert_eq "$(/usr/bin/python3 -c 'import json,sys; f=json.loads(sys.argv[1]); print(f["family"], f["proto"], f["src"], f["sport"], f["dst"], f["dport"], f["bytes"] == 29 * f["packets"])' "$one")" \
	"4 17 10.0.0.1 40001 10.0.0.2 12345 True" "the flow's fields"
