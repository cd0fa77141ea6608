#!/bin/bash
# The Prometheus alerting rules the packages ship (prometheus/ipt-netflow-ng.rules.yml), on
# a real Prometheus server (Debian's prometheus): it scrapes `netflowctl serve` and
# `netflow-relay --metrics` every second; with the collector up no alert fires, and when
# the collector is taken down (its port closed: ICMP port unreachable, flows counted lost)
# IptNetflowFlowsLost fires; with the module unloaded, ipt_netflow_up is 0.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source-path=SCRIPTDIR source=../netflow.sh
. "$(dirname "$0")/../netflow.sh"

command -v prometheus >/dev/null || nf_die "prometheus is not installed (make deps)"
ctl=$(nf_artifact ctl) || nf_die "no netflowctl built"
relay=$(nf_artifact relay) || nf_die "no netflow-relay built"
rules=$NF_REPO/prometheus/ipt-netflow-ng.rules.yml

nf_collector_start c1 2055
nf_load destination=127.0.0.1:2055 protocol=5 inactive_timeout=1 active_timeout=5
assert_ok iptables -I OUTPUT -p udp --dport 7000:7999 -j NETFLOW

nf_bg - /tmp/serve.log "$ctl" serve --listen 127.0.0.1:9106
nf_bg - /tmp/relay.log "$relay" --listen udp://127.0.0.1:8104 --metrics http://127.0.0.1:9105/metrics
nf_wait_tcp - 9106 30 || nf_die "netflowctl serve does not listen: $(cat /tmp/serve.log)"
nf_wait_tcp - 9105 30 || nf_die "netflow-relay --metrics does not listen: $(cat /tmp/relay.log)"

mkdir -p /tmp/prom
cat >/tmp/prom/prometheus.yml <<EOC
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $rules
scrape_configs:
  - job_name: ipt-netflow
    static_configs:
      - targets: ["127.0.0.1:9106"]
  - job_name: netflow-relay
    static_configs:
      - targets: ["127.0.0.1:9105"]
EOC
nf_bg - /tmp/prometheus.log prometheus --config.file=/tmp/prom/prometheus.yml \
	--storage.tsdb.path=/tmp/prom/data --web.listen-address=127.0.0.1:9090
api() { curl -fsS --max-time 10 "http://127.0.0.1:9090/api/v1/$1"; }
value() { # PROMQL -> the first sample's value, or empty
	api "query?query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1")" |
		python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
alert_state() { # ALERTNAME -> firing, pending or nothing
	api alerts | python3 -c 'import json, sys
a = [x["state"] for x in json.load(sys.stdin)["data"]["alerts"] if x["labels"]["alertname"] == sys.argv[1]]
print(a[0] if a else "")' "$1"
}
nf_wait_for 180 sh -c 'curl -fsS http://127.0.0.1:9090/-/ready >/dev/null 2>&1' ||
	nf_die "prometheus did not start: $(tail -20 /tmp/prometheus.log)"
assert_eq "$(api rules | python3 -c 'import json, sys; print(sum(len(g["rules"]) for g in json.load(sys.stdin)["data"]["groups"]))')" 8 "rules loaded by prometheus"
is() { # VALUE PROMQL|alert:NAME   true when it has that value now (polls at most once a second)
	local v
	case "$2" in alert:*) v=$(alert_state "${2#alert:}") ;; *) v=$(value "$2") ;; esac
	[ "$v" = "$1" ] || { sleep 1; false; }
}
nf_wait_for 60 is 2 'sum(up)' || nf_fail "both targets up: $(value 'sum(up)')"
assert_eq "$(value 'ipt_netflow_up')" 1 "ipt_netflow_up scraped"
assert_eq "$(value 'netflow_relay_up')" 1 "netflow_relay_up scraped"

# collector up: flows arrive, nothing is lost, the alert stays silent
traffic() { # ROUND: 20 new UDP flows (one python, not one per flow: TCG), exported now
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
base = 7000 + int(sys.argv[1]) * 20
for p in range(base, base + 20):
    s.sendto(b"x" * 100, ("127.0.0.1", p))' "$1"
	sysctl -q -w net.netflow.flush=1
}
for r in 1 2 3; do traffic "$r"; sleep 1; done
sleep 3
assert_eq "$(value 'ipt_netflow_export_lost_flows_total')" 0 "no flow lost while the collector is up"
assert_eq "$(alert_state IptNetflowFlowsLost)" "" "IptNetflowFlowsLost silent with the collector up"
assert_ge "$(value 'ipt_netflow_export_flows_total')" 60 "flows exported (as scraped)"

# collector down: its port answers ICMP port unreachable, the flows exported after it count lost
nf_collector_stop c1
for r in 4 5 6 7 8 9; do traffic "$r"; sleep 1; done
assert_ge "$(awk '$1 == "lostFlows" { print $2 }' /proc/net/stat/ipt_netflow_snmp)" 1 "flows counted lost by the module"
nf_wait_for 60 is firing alert:IptNetflowFlowsLost || true
assert_eq "$(alert_state IptNetflowFlowsLost)" firing "IptNetflowFlowsLost fires when the collector is down"
assert_eq "$(alert_state IptNetflowDestinationDown)" firing "IptNetflowDestinationDown fires too"
echo "figure: lost flows $(value 'ipt_netflow_export_lost_flows_total'), alert IptNetflowFlowsLost $(alert_state IptNetflowFlowsLost)"

# module unloaded: netflowctl serve answers ipt_netflow_up 0 (the alert waits 1m; the
# promtool unit test covers it)
assert_ok iptables -D OUTPUT -p udp --dport 7000:7999 -j NETFLOW
assert_ok rmmod ipt_NETFLOW
nf_wait_for 30 is 0 ipt_netflow_up || true
assert_eq "$(value 'ipt_netflow_up')" 0 "ipt_netflow_up after rmmod"
