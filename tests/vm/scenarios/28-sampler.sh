#!/bin/bash
# Flow sampling (RFC 7014): deterministic:4, random:4 and hash:4 under NetFlow v5, v9 and
# IPFIX, each on 400 distinct flows.  Deterministic exports exactly 1 in 4, random and
# hash about 1 in 4; the sampling is signalled in the v5 header (mode, interval) and in
# the v9/IPFIX sampling options record (interval, algorithm: hash shows as random).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

nf_topo
nf_load protocol=5 destination=127.0.0.1:2055 inactive_timeout=600 active_timeout=600
nf_collector_start c 2055
nf_cap_start /tmp/smp.pcap 2055
nf_ns nfdst iptables -I INPUT -p udp -j NETFLOW
ulimit -n 4096	# the sender holds one socket per flow

dport=3000
declare -A DPORT
for proto in 5 9 10; do
	assert_ok sysctl -q -w net.netflow.protocol=$proto
	for s in deterministic:4 random:4 hash:4; do
		dport=$((dport + 1))
		DPORT[$proto.$s]=$dport
		assert_ok sysctl -q -w net.netflow.sampler=$s
		nf_ns nfsrc python3 "$NF_TOOLS/send_flows.py" 10.0.0.2 $dport 20000 400 1 10 >/dev/null
		assert_ok sysctl -q -w net.netflow.flush=1
	done
done
assert_ok sysctl -q -w net.netflow.sampler=
sleep 1
nf_collector_stop c
nf_cap_stop

flows=$(nfdump -R /tmp/nfcap-c -q -N -o 'fmt:%dp %pkt' 2>/dev/null | awk 'NF == 2 { n[$1]++ } END { for (d in n) print d, n[d] }')
for proto in 5 9 10; do
	for s in deterministic:4 random:4 hash:4; do
		d=${DPORT[$proto.$s]}
		n=$(echo "$flows" | awk -v d="$d" '$1 == d { print $2 }')
		echo "figure: protocol $proto, sampler $s: ${n:-0} of 400 flows exported"
		case $s in
		deterministic*) assert_eq "${n:-0}" 100 "protocol $proto $s: exactly every 4th flow" ;;
		*)
			# binomial(400, 1/4): mean 100, sd 8.7; 60..140 is beyond 4.5 sd
			assert_ge "${n:-0}" 60 "protocol $proto $s: about 1 in 4 (low)"
			assert_le "${n:-0}" 140 "protocol $proto $s: about 1 in 4 (high)"
			;;
		esac
	done
done

# v5: header sampling field, mode (1 deterministic, 2 random) and interval
v5=$(tshark -n -r /tmp/smp.pcap -d udp.port==2055,cflow -Y 'cflow.version == 5' \
	-T fields -e cflow.samplingmode -e cflow.samplerate 2>/dev/null | sort | uniq -c | awk '{ print $2, $3 }')
echo "v5 header sampling (mode rate):"; echo "$v5" | sed 's/^/  /'
assert_match "$v5" '^1 4$' "v5 header: deterministic, 1 in 4"
assert_match "$v5" '^2 4$' "v5 header: random (and hash), 1 in 4"
# v9 / IPFIX: sampling options records
tshark -n -r /tmp/smp.pcap -d udp.port==2055,cflow -T pdml > /tmp/smp.pdml 2>/dev/null
smp=$(python3 "$NF_TOOLS/tshark_v9.py" /tmp/smp.pdml 2055 cflow.sampling_interval cflow.sampling_algorithm | sort -u)
echo "v9/IPFIX sampling records (interval algorithm):"; echo "$smp" | sed 's/^/  /'
assert_eq "$smp" "$(printf '4 1\n4 2')" "options records: interval 4; deterministic (1), random/hash (2)"
bad=$(nf_pdml_complaints /tmp/smp.pdml)
assert_eq "$bad" "" "tshark: nothing malformed, no unknown fields or warnings"
nf_dmesg_clean
