#!/bin/bash
# tests/bench/relay.sh — FastNetMon Flow records/s over TCP and TLS on loopback (issue 9,
# relay part), host side (NOT icount: wall-clock figures depend on the machine's load).
# Prints a markdown section on stdout.
#   direct:  relay_bench send -> relay_bench recv (the relay's codec: EncodeFrameTo batched into
#            256 KiB writes vs the naive framing, a write for the length and one per message)
#   relay:   relay_bench send -> netflow-relay --listen tcp|tls --forward tcp|tls -> recv
#   collector: relay_bench sendnf v9|ipfix -> netflow-relay --listen netflow:// (records decoded)
#   cores:   relay_cores.sh (issue 23): NetFlow v9 -> netflow-relay --threads 1|2 -> TCP / Kafka,
#            paced senders, highest loss-free rate and records per relay CPU-second
# Every figure comes twice: wall clock (records / elapsed seconds) and records per CPU-second
# of each process taking part (sender and receiver: getrusage over their own window; relay:
# utime+stime from /proc/PID/stat over the run).  On a shared machine the wall-clock rate
# drops when another load takes a core; the per-CPU-second rates do not, and a rate per
# CPU-second ≥ the target means one core on that side sustains the target.
# Env: NF_BENCH_RELAY_N (records, default 2000000), NF_BENCH_RELAY_NAIVE_N (default 500000),
#      NF_BENCH_RELAY_NF_N (collector records, default 4000000).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$REPO/build/bench
N=${NF_BENCH_RELAY_N:-2000000}
NN=${NF_BENCH_RELAY_NAIVE_N:-500000}
NF=${NF_BENCH_RELAY_NF_N:-4000000}
LIB=$REPO/build/userspace/relay/libnfr_core.a
NFLIB=$REPO/build/userspace/relay/netflow/libnf_netflow.a
FNMLIB=$REPO/build/userspace/fnmflow/libfnmflow_core.a
RELAY=$(sed -n 's/^relay=//p' "$REPO/build/artifacts.env" 2>/dev/null | tail -n1)
RELAY=${RELAY:-$REPO/build/userspace/relay/netflow-relay}
mkdir -p "$OUT"
if [ ! -f "$LIB" ] || [ ! -f "$NFLIB" ]; then
	echo "### Relay (FastNetMon Flow over TCP/TLS)"
	echo
	echo "skipped: $LIB or $NFLIB not built (make userspace)"
	exit 0
fi
g++ -O2 -std=gnu++20 -I "$REPO/userspace/relay/src" -I "$REPO/userspace/fnmflow/src" \
	-I "$REPO/build/userspace/fnmflow/gen" -I "$REPO/userspace/relay/netflow" "$HERE/relay_bench.cc" "$LIB" "$NFLIB" \
	"$FNMLIB" \
	-lcapnp -lkj -lssl -lcrypto -lrdkafka -lpthread -o "$OUT/relay_bench"
B=$OUT/relay_bench
T=$(mktemp -d)
pids=()
# shellcheck disable=SC2317
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1
port=$((40000 + RANDOM % 20000))
HZ=$(getconf CLK_TCK)

# CPU ticks (utime+stime) of PID.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# rate RECORDS SECONDS -> records/s (integer), "-" when nothing was measured
rate() { awk -v n="$1" -v s="$2" 'BEGIN{ if (s > 0 && n > 0) printf "%.0f", n / s; else print "-" }'; }
# Field after WORD in a relay_bench output line.
field() { sed -n "s/.* $2 \\([0-9.]*\\).*/\\1/p" "$1" | head -n1; }
recs() { sed -n 's/^\(recv\|send\|sendnf\) \([0-9]*\) records.*/\2/p' "$1" | head -n1; }

start_recv() {  # PROTO PORT N -> sets r
	if [ "$1" = tls ]; then
		"$B" recv tls "$2" "$3" "$T/cert.pem" "$T/key.pem" >"$T/recv" &
	else
		"$B" recv tcp "$2" "$3" >"$T/recv" &
	fi
	r=$!
	for _ in $(seq 50); do grep -q listening "$T/recv" && break; sleep 0.1; done
}

# direct PROTO N batched|naive -> "wall send_cpu_rate recv_cpu_rate"
direct() {
	local proto=$1 n=$2 how=$3 p=$((port++)) r
	start_recv "$proto" $p "$n"
	"$B" send "$proto" 127.0.0.1 $p "$n" "$how" "$T/cert.pem" >"$T/send" || true
	wait "$r" || true
	echo "$(rate "$(recs "$T/recv")" "$(field "$T/recv" records)" | sed 's/-/0/') \
$(rate "$(recs "$T/send")" "$(field "$T/send" cpu)") $(rate "$(recs "$T/recv")" "$(field "$T/recv" cpu)")"
}
# wall-clock rate, as the receiver measured it
recv_wall() { sed -n 's/^recv .* \([0-9]*\) rec\/s.*/\1/p' "$T/recv"; }

# via PROTO N: sender -> netflow-relay -> receiver -> "wall send_cpu relay_cpu recv_cpu drops"
# The relay's queue holds N records so that a sender running ahead of the forwarder on a
# loaded machine does not turn the measurement into drops (figures stay comparable).
via() {
	local proto=$1 n=$2 pin=$((port++)) pout=$((port++)) r rel t0 t1 tlsargs=()
	[ "$proto" = tcp ] || tlsargs=(--tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --tls-ca "$T/cert.pem")
	start_recv "$proto" $pout "$n"
	"$RELAY" --listen "$proto://127.0.0.1:$pin" --forward "$proto://localhost:$pout" "${tlsargs[@]}" \
		--queue-size "$n" --control "$T/ctl" >"$T/relay.log" 2>&1 &
	rel=$!
	pids+=("$rel")
	for _ in $(seq 100); do ss -Htln "sport = :$pin" | grep -q . && break; sleep 0.1; done
	t0=$(ticks $rel)
	"$B" send "$proto" 127.0.0.1 $pin "$n" batched "$T/cert.pem" >"$T/send"
	if ! timeout 120 tail --pid="$r" -f /dev/null; then echo "timeout" >&2; kill "$r"; fi
	wait "$r" 2>/dev/null || true
	t1=$(ticks $rel)
	local drops
	drops=$("$RELAY" counters --control "$T/ctl" | awk '/flow_forwarder_(queue_drops|lost_in_flight)/{s+=$2} END{print s+0}')
	kill $rel 2>/dev/null || true
	wait $rel 2>/dev/null || true
	echo "$(recv_wall) $(rate "$(recs "$T/send")" "$(field "$T/send" cpu)") \
$(rate "$(recs "$T/recv")" "$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" 'BEGIN{print (b - a) / hz}')") \
$(rate "$(recs "$T/recv")" "$(field "$T/recv" cpu)") $drops"
}

# collector v9|ipfix N -> "wall relay_cpu_rate decoded sent send_cpu_rate"
# netflow-relay --listen netflow:// alone (no output): records decoded = netflow_records.
# Wall clock: from the sender's start until the counter stops moving (polled every 20 ms).
collector() {
	local kind=$1 n=$2 p=$((port++)) rel t0 t1 s0 e0 last=-1 cur
	"$RELAY" --listen "netflow://127.0.0.1:$p" --control "$T/nfctl" >"$T/nf.log" 2>&1 &
	rel=$!
	pids+=("$rel")
	for _ in $(seq 100); do ss -Hlun "sport = :$p" | grep -q . && break; sleep 0.1; done
	t0=$(ticks $rel)
	s0=$(date +%s.%N)
	"$B" sendnf "$kind" 127.0.0.1 $p "$n" >"$T/sendnf"
	e0=$(date +%s.%N)
	while :; do
		cur=$("$RELAY" counters --control "$T/nfctl" | awk '$1=="netflow_records"{print $2}')
		[ "$cur" = "$last" ] && break
		last=$cur
		e0=$(date +%s.%N)
		sleep 0.02
	done
	t1=$(ticks $rel)
	kill $rel 2>/dev/null || true
	wait $rel 2>/dev/null || true
	echo "$(rate "$cur" "$(awk -v a="$s0" -v b="$e0" 'BEGIN{print b - a}')") \
$(rate "$cur" "$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" 'BEGIN{print (b - a) / hz}')") $cur $(recs "$T/sendnf") \
$(rate "$(recs "$T/sendnf")" "$(field "$T/sendnf" cpu)")"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.1f", a / b; else print "-" }'; }

load0=$(cut -d' ' -f1-3 /proc/loadavg)
read -r tbw tbs tbr < <(direct tcp "$N" batched) || true
read -r sbw sbs sbr < <(direct tls "$N" batched) || true
read -r tnw tns tnr < <(direct tcp "$NN" naive) || true
read -r snw sns snr < <(direct tls "$NN" naive) || true
if [ -x "$RELAY" ]; then
	read -r vtw vts vtr vtc vtd < <(via tcp "$N" || echo "failed - - - -")
	read -r vsw vss vsr vsc vsd < <(via tls "$N" || echo "failed - - - -")
	read -r c9w c9r c9n c9s c9sc < <(collector v9 "$NF" || echo "failed - - - -")
	read -r cxw cxr cxn cxs cxsc < <(collector ipfix "$NF" || echo "failed - - - -")
fi

echo "### Relay: FastNetMon Flow records/s on loopback ($(nproc) CPUs, host load $load0 at the start)"
echo
echo "Wall clock = records / elapsed seconds (shared machine: another VM may hold a core while"
echo "this runs, which lowers these). Per CPU-second = records / CPU seconds (user+sys) each"
echo "process used: sender · receiver, and the relay process (both its threads) in between;"
echo "a per-CPU-second figure ≥ the target means one core on that side sustains the target."
echo
echo "| path | TCP rec/s wall | TLS rec/s wall | TCP rec/CPU-s | TLS rec/CPU-s | target |"
echo "|---|---|---|---|---|---|"
echo "| codec direct, batched framing (encode→send→recv→decode), $N records | $tbw | $sbw | send $tbs · recv $tbr | send $sbs · recv $sbr | ≥ 1.5M TCP, ≥ 1M TLS |"
echo "| codec direct, naive framing (2 writes/record), $NN records | $tnw | $snw | send $tns · recv $tnr | send $sns · recv $snr | |"
echo "| batched / naive | $(ratio "$tbw" "$tnw") | $(ratio "$sbw" "$snw") | send $(ratio "$tbs" "$tns") · recv $(ratio "$tbr" "$tnr") | send $(ratio "$sbs" "$sns") · recv $(ratio "$sbr" "$snr") | ≥ 5 |"
if [ -x "$RELAY" ]; then
	echo "| through netflow-relay (listen → forward, same protocol), $N records, dropped $vtd / $vsd | $vtw | $vsw | send $vts · **relay $vtr** · recv $vtc | send $vss · **relay $vsr** · recv $vsc | ≥ 1.5M TCP, ≥ 1M TLS |"
	echo
	echo "| NetFlow collector (netflow-relay --listen netflow://, no output) | records decoded / sent | rec/s wall | relay rec/CPU-s | sender rec/CPU-s |"
	echo "|---|---|---|---|---|"
	echo "| NetFlow v9 (12 fields, 40 records/datagram) | $c9n / $c9s | $c9w | $c9r | $c9sc |"
	echo "| IPFIX (our IpfixEncoder's IPv4 template) | $cxn / $cxs | $cxw | $cxr | $cxsc |"
	echo
	echo "(UDP: a sender faster than the collector loses datagrams, so the wall rate is the collector's"
	echo "capacity when records were lost, a lower bound otherwise.)"
else
	echo "| through netflow-relay | not built | not built | | | |"
fi
MOCK=$REPO/build/userspace/relay/nfr_kafka_mock
if [ -x "$RELAY" ] && [ -x "$MOCK" ]; then
	echo
	"$HERE/relay_cores.sh" "$RELAY" "$B" "$MOCK" || echo "relay_cores.sh failed"
fi
