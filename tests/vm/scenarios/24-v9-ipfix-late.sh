#!/bin/bash
# IPFIX then NetFlow v9 (switched at run time) decoded by pmacct's nfacctd with exact
# packets, bytes, addresses and ports; and templates reaching a collector that starts after
# the module, through refresh-rate.  (24-v9-ipfix.sh: nfdump, tshark, options records.)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

indent() { sed 's/^/  /'; }
nf_topo

# nfacctd: per-5-tuple packets and bytes, appended to a CSV every second
cat > /tmp/nfacctd.conf <<EOT
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: 2057
plugins: print
aggregate: src_host,dst_host,src_port,dst_port,proto
print_output: csv
print_output_file: /tmp/nfacctd.csv
print_output_file_append: true
print_refresh_time: 1
print_num_protos: true
EOT
rm -f /tmp/nfacctd.csv
nf_bg - /tmp/nfacctd.log nfacctd -f /tmp/nfacctd.conf
nfacctd_pid=$NF_BG_PID
nf_wait_udp - 2057 60 || nf_die "nfacctd does not listen: $(cat /tmp/nfacctd.log)"

nf_load protocol=10 destination=127.0.0.1:2057,127.0.0.1:2056 refresh-rate=2
nf_ns nfdst iptables -I INPUT -j NETFLOW
nf_ns nfdst ip6tables -I INPUT -j NETFLOW

nf_udp nfsrc 10.0.0.2 5001 7 100 40001             # 7 x 128 = 896
nf_udp nfsrc fd00::2 5004 2 50 40004               # 2 x 98 = 196
assert_ok sysctl -q -w net.netflow.flush=1
assert_ok sysctl -q -w net.netflow.protocol=9
nf_udp nfsrc 10.0.0.2 5005 4 200 40005             # 4 x 228 = 912
nf_udp nfsrc fd00::2 5006 3 10 40006               # 3 x 58 = 174
assert_ok sysctl -q -w net.netflow.flush=1

# a collector that starts now: it gets the templates with the refresh (every 2 PDUs)
nf_collector_start late 2056
for i in 1 2 3; do
	nf_udp nfsrc 10.0.0.2 $((5100 + i)) 1 10 $((41000 + i))   # 38 bytes each
	assert_ok sysctl -q -w net.netflow.flush=1
done
sleep 2.5    # nfacctd writes its CSV every second
nf_collector_stop late
kill -INT "$nfacctd_pid" 2>/dev/null || true
nf_wait_for 20 sh -c "! kill -0 $nfacctd_pid 2>/dev/null" || true

expected=$(sort <<EOT
17 10.0.0.1 40001 10.0.0.2 5001 7 896
17 fd00::1 40004 fd00::2 5004 2 196
17 10.0.0.1 40005 10.0.0.2 5005 4 912
17 fd00::1 40006 fd00::2 5006 3 174
17 10.0.0.1 41001 10.0.0.2 5101 1 38
17 10.0.0.1 41002 10.0.0.2 5102 1 38
17 10.0.0.1 41003 10.0.0.2 5103 1 38
EOT
)
main() { grep -Ev '^(1|58) ' || true; }

echo "nfacctd CSV (head):"; head -3 /tmp/nfacctd.csv 2>/dev/null | indent
acct=$(awk -F, '$1 ~ /^[A-Z_]+$/ { next }
	{ k = $5 " " $1 " " $3 " " $2 " " $4; p[k] += $6; b[k] += $7 }
	END { for (k in p) print k, p[k], b[k] }' /tmp/nfacctd.csv 2>/dev/null | sort)
echo "nfacctd decoded:"; echo "$acct" | indent
assert_eq "$(echo "$acct" | main)" "$expected" "nfacctd: IPFIX and v9 flows, IPv4 and IPv6, exactly"

late=$(nf_collector_flows late)
echo "late nfdump decoded:"; echo "$late" | indent
assert_match "$late" '^17 10\.0\.0\.1 41003 10\.0\.0\.2 5103 1 38$' "late collector: flows after the template refresh"
assert_eq "$(echo "$late" | main | grep -vxF -f <(echo "$expected") || true)" "" "late collector: nothing it should not have"
assert_match "$(nf_stat)" 'Traffic lost 0 pkts, 0 Kbytes, 0 flows' "nothing lost"
