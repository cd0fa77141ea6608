#!/bin/bash
# make demo: inside the test VM, load ipt_NETFLOW as a user would, send traffic between
# two namespaces through `iptables -j NETFLOW`, and show what a NetFlow collector
# (nfcapd + nfdump) receives, next to the module's own statistics.
set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"
. "$(dirname "$0")/../vm/netflow.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "modprobe ipt_NETFLOW destination=127.0.0.1:2055 (collector: nfcapd on 127.0.0.1:2055)"
nf_install_module
nf_install_xtables
modprobe ipt_NETFLOW destination=127.0.0.1:2055 inactive_timeout=5
nf_collector_start demo 2055
nf_topo
nf_ns nfdst iptables -I INPUT -j NETFLOW
nf_ns nfdst ip6tables -I INPUT -j NETFLOW
echo "host nfsrc 10.0.0.1 ---veth--- 10.0.0.2 host nfdst   (nfdst: iptables -I INPUT -j NETFLOW)"
sysctl net.netflow | sed 's/^/  /'

say "traffic: UDP 10 x 200 B, UDP 5 x 1200 B, ping x 3, one TCP session"
nf_udp nfsrc 10.0.0.2 5001 10 200 40001
nf_udp nfsrc 10.0.0.2 5002 5 1200 40002
nf_ns nfsrc ping -c 3 -i 0.2 10.0.0.2 | tail -2
nf_bg nfdst /tmp/demo-tcp.log python3 "$NF_TOOLS/tcp_session.py" server 5003
nf_wait_tcp nfdst 5003 20
nf_ns nfsrc python3 "$NF_TOOLS/tcp_session.py" client 10.0.0.2 5003 40003 20000 fin >/dev/null

say "the TCP flow ended with FIN: exported at once; the rest after inactive_timeout (5 s)"
sleep 7
say "cat /proc/net/stat/ipt_netflow"
nf_stat | sed 's/^/  /'
nf_collector_stop demo
say "what the collector received (nfdump -R /tmp/nfcap-demo)"
nfdump -R /tmp/nfcap-demo -o 'fmt:%ts %pr %sap -> %dap %pkt %byt %flg' | sed 's/^/  /'
n=$(nf_collector_flows demo | wc -l)
assert_ge "$n" 4 "flows received by the collector"
