#!/bin/bash
# tests/bench/relay_cores.sh — issue 23: NetFlow v9 through netflow-relay on 1 and 2 loop
# threads (--threads), out to FastNetMon Flow over TCP (relay_bench recv) and to Kafka
# (librdkafka's mock cluster, nfr_kafka_mock; capnp messages, lz4).  Two senders (relay_bench
# sendnf v9, two source ports: SO_REUSEPORT spreads exporters by source) blast NF_BENCH_CORES_N
# records each over UDP; the rate is records that left the relay (flow_forwarder_pushed_messages
# / kafka_delivered) per wall-clock second, from the senders' start until the counter stops.
# UDP: what the relay cannot take is lost at its socket, so a rate is the relay's capacity.
# Wall clock on a shared host: other load lowers it.  Prints a markdown section.
# usage: relay_cores.sh RELAY RELAY_BENCH NFR_KAFKA_MOCK
set -uo pipefail
RELAY=$1 B=$2 MOCK=$3
N=${NF_BENCH_CORES_N:-2000000}
T=$(mktemp -d)
pids=()
# shellcheck disable=SC2317
cleanup() { exec 3>&-; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))

# run THREADS tcp|kafka -> "rate delivered sent"
run() {
	local threads=$1 out=$2 pin=$((port++)) pout=$((port++)) rel fwd counter s0 e0 last=-1 cur sent
	if [ "$out" = tcp ]; then
		"$B" recv tcp $pout 999999999999 >"$T/recv" &
		pids+=("$!")
		for _ in $(seq 50); do grep -q listening "$T/recv" && break; sleep 0.1; done
		fwd="tcp://127.0.0.1:$pout" counter=flow_forwarder_pushed_messages
	else
		fwd="kafka://$BOOT/bench$threads?compression.codec=lz4&linger.ms=20&batch.num.messages=10000"
		counter=kafka_delivered
	fi
	"$RELAY" --threads "$threads" --listen "netflow://127.0.0.1:$pin" --forward "$fwd" --queue-size 4000000 \
		--control "$T/ctl" >"$T/relay-$threads-$out.log" 2>&1 &
	rel=$!
	pids+=("$rel")
	for _ in $(seq 100); do "$RELAY" counters --control "$T/ctl" >/dev/null 2>&1 && break; sleep 0.1; done
	s0=$(date +%s.%N)
	"$B" sendnf v9 127.0.0.1 $pin "$N" >"$T/s1" &
	local p1=$!
	"$B" sendnf v9 127.0.0.1 $pin "$N" >"$T/s2"
	wait $p1
	e0=$(date +%s.%N)
	while :; do
		cur=$("$RELAY" counters --control "$T/ctl" | awk -v k=$counter '$1==k{print $2}')
		[ "$cur" = "$last" ] && break
		last=$cur
		e0=$(date +%s.%N)
		sleep 0.5
	done
	kill $rel 2>/dev/null
	wait $rel 2>/dev/null
	sent=$(cat "$T/s1" "$T/s2" | awk '{s+=$2} END{print s}')
	echo "$(awk -v n="$cur" -v a="$s0" -v b="$e0" 'BEGIN{ printf "%.0f", n / (b - a - 0.5) }') $cur $sent"
}

mkfifo "$T/mock.ctl"
"$MOCK" 1 bench1:4 bench2:4 <"$T/mock.ctl" >"$T/mock.out" 2>"$T/mock.log" &
pids+=("$!")
exec 3>"$T/mock.ctl"  # the mock runs until this closes
for _ in $(seq 50); do [ -s "$T/mock.out" ] && break; sleep 0.1; done
BOOT=$(head -n1 "$T/mock.out")

load0=$(cut -d' ' -f1-3 /proc/loadavg)
read -r t1 t1n t1s < <(run 1 tcp)
read -r t2 t2n t2s < <(run 2 tcp)
read -r k1 k1n k1s < <(run 1 kafka)
read -r k2 k2n k2s < <(run 2 kafka)
echo "### Relay on 1 and 2 cores (--threads): NetFlow v9 in, records/s out ($(nproc) CPUs, load $load0)"
echo
echo "| path | 1 thread rec/s (out / sent) | 2 threads rec/s (out / sent) |"
echo "|---|---|---|"
echo "| NetFlow v9 → FastNetMon Flow TCP | $t1 ($t1n / $t1s) | $t2 ($t2n / $t2s) |"
echo "| NetFlow v9 → Kafka (mock cluster, capnp, lz4) | $k1 ($k1n / $k1s) | $k2 ($k2n / $k2s) |"
