#!/bin/bash
# The whole chain: the module's IPFIX export -> netflow-relay A (netflow:// collector)
# -> FastNetMon Flow over TLS 1.3 (hostname-verified, test CA) -> netflow-relay B ->
# jsonl.  The flows that come out are exactly the flows sent: addresses, ports,
# protocol, packets, bytes; IPv4 and IPv6.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

RELAY=$(nf_artifact relay)
P=/tmp/pki
mkdir -p $P
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $P/ca.key \
	-out $P/ca.pem -days 2 -subj /CN=nf-test-ca 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $P/srv.key \
	-out $P/srv.csr -subj /CN=localhost 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >$P/ext
openssl x509 -req -in $P/srv.csr -CA $P/ca.pem -CAkey $P/ca.key -CAcreateserial \
	-out $P/srv.pem -days 2 -extfile $P/ext 2>/dev/null
chmod 600 $P/*.key

nf_bg - /tmp/relay-b.log "$RELAY" --listen 'tls://[::0]:8104' --tls-cert $P/srv.pem \
	--tls-key $P/srv.key --output jsonl:/tmp/out.jsonl --control /tmp/relay-b.sock
nf_wait_tcp - 8104 30 || nf_die "relay B does not listen: $(cat /tmp/relay-b.log)"
nf_bg - /tmp/relay-a.log "$RELAY" --listen netflow://127.0.0.1:2055 \
	--forward tls://localhost:8104 --tls-ca $P/ca.pem --reconnect-interval 1 \
	--control /tmp/relay-a.sock
nf_wait_udp - 2055 30 || nf_die "relay A does not listen: $(cat /tmp/relay-a.log)"

nf_topo
nf_load destination=127.0.0.1:2055 protocol=10
nf_ns nfdst iptables -I INPUT -j NETFLOW
nf_ns nfdst ip6tables -I INPUT -p udp -j NETFLOW
nf_udp nfsrc 10.0.0.2 5001 7 100 40001      # 7 x 128 = 896
nf_udp nfsrc 10.0.0.2 5002 3 1000 40002     # 3 x 1028 = 3084
nf_udp nfsrc fd00::2 5003 4 50 40003        # 4 x 98 = 392
assert_ok sysctl -q -w net.netflow.flush=1
nf_wait_for 30 sh -c '[ "$(wc -l < /tmp/out.jsonl 2>/dev/null || echo 0)" -ge 3 ]' ||
	nf_fail "jsonl has $(wc -l </tmp/out.jsonl 2>/dev/null) records, expected 3: $(cat /tmp/relay-a.log /tmp/relay-b.log)"

got=$(python3 - /tmp/out.jsonl <<'EOT'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    src = r["srcIp"] if r["ipProtocolVersion"] == 4 else r["srcIpv6"]
    dst = r["dstIp"] if r["ipProtocolVersion"] == 4 else r["dstIpv6"]
    print(r["protocol"], src, r["sourcePort"], dst, r["destinationPort"], r["numberOfPackets"], r["length"])
EOT
)
got=$(echo "$got" | sort)
expected=$(sort <<EOT
17 10.0.0.1 40001 10.0.0.2 5001 7 896
17 10.0.0.1 40002 10.0.0.2 5002 3 3084
17 fd00::1 40003 fd00::2 5003 4 392
EOT
)
echo "jsonl after module -> IPFIX -> relay A -> TLS -> relay B:"; echo "$got" | sed 's/^/  /'
assert_eq "$got" "$expected" "flows out of the chain equal the flows sent"
assert_match "$("$RELAY" counters --control /tmp/relay-b.sock)" 'fastnetmon_flow_tls_packets 3' "relay B counted 3 TLS records"
