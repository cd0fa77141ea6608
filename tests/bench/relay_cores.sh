#!/bin/bash
# tests/bench/relay_cores.sh — issue 23 ("every core"): NetFlow v9 through netflow-relay on 1
# and 2 loop threads (--threads), out to FastNetMon Flow over TCP (`relay_bench sink`: any
# number of connections, every frame decoded; with --threads 2 the relay opens one connection
# per loop thread) and to Kafka (librdkafka's mock cluster in nfr_kafka_mock, 2 brokers, capnp
# messages, lz4; one producer shared by the loop threads).
#
# Paced, not blasted: NF_BENCH_CORES_SENDERS (8) `relay_bench sendnf v9 ... RATE/8` senders
# (8 source ports, which SO_REUSEPORT spreads over the loop threads by hash: with 2 ports
# both land on one thread half the time) offer RATE records/s for
# NF_BENCH_CORES_SECONDS; "out" = what left the relay (flow_forwarder_pushed_messages /
# kafka_delivered) once its counter has stopped moving, loss = 1 − out/sent.  RATE starts at
# NF_BENCH_CORES_START and grows by NF_BENCH_CORES_FACTOR until a step loses more than
# NF_BENCH_CORES_LOSS or the senders cannot reach it, three tries in a row (the machine is
# shared: another load holding a core for a while makes one try lossy); the figure is the
# highest loss-free rate.  (Blasting senders that share
# the 2 CPUs with the relay take the CPU it needs and most records are lost at its socket.)
#
# For that step, also records per relay CPU-second: out / (utime+stime of the relay process
# over the step, /proc/PID/stat), and the CPU seconds of each group of its threads
# (/proc/PID/task/*/stat: loop threads = netflow-relay + nfr-loop-N; forward lanes =
# nfr-forward; librdkafka = rdk:* + nfr-kafka-dr).  On a shared machine the wall rate drops
# when another load holds a core; the per-CPU-second figure hardly moves.
# Prints a markdown section.
#
# usage: relay_cores.sh [--append] [RELAY RELAY_BENCH NFR_KAFKA_MOCK]
#   without the binaries: build/userspace's (make userspace), relay_bench compiled here.
#   --append: also append the section, dated, to bench/results.md (`make bench-relay`).
# Env: NF_BENCH_CORES_SECONDS (3), NF_BENCH_CORES_START (100000), NF_BENCH_CORES_FACTOR (1.3),
#      NF_BENCH_CORES_MAX (6000000), NF_BENCH_CORES_LOSS (0.001), NF_BENCH_CORES_THREADS ("1 2"),
#      NF_BENCH_CORES_SENDERS (8).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
append=0
if [ "${1:-}" = --append ]; then append=1; shift; fi
if [ $# -ge 3 ]; then
	RELAY=$1 B=$2 MOCK=$3
else
	RELAY=$REPO/build/userspace/relay/netflow-relay MOCK=$REPO/build/userspace/relay/nfr_kafka_mock
	B=$REPO/build/bench/relay_bench
	mkdir -p "$REPO/build/bench"
	g++ -O2 -std=gnu++20 -I "$REPO/userspace/relay/src" -I "$REPO/userspace/fnmflow/src" \
		-I "$REPO/build/userspace/fnmflow/gen" -I "$REPO/userspace/relay/netflow" "$HERE/relay_bench.cc" \
		"$REPO/build/userspace/relay/libnfr_core.a" "$REPO/build/userspace/relay/netflow/libnf_netflow.a" \
		"$REPO/build/userspace/fnmflow/libfnmflow_core.a" -lcapnp -lkj -lssl -lcrypto -lrdkafka -lpthread \
		-o "$B" || exit 1
fi
SECS=${NF_BENCH_CORES_SECONDS:-3}
START=${NF_BENCH_CORES_START:-100000}
FACTOR=${NF_BENCH_CORES_FACTOR:-1.3}
MAX=${NF_BENCH_CORES_MAX:-6000000}
MAXLOSS=${NF_BENCH_CORES_LOSS:-0.001}
THREADS=${NF_BENCH_CORES_THREADS:-1 2}
SENDERS=${NF_BENCH_CORES_SENDERS:-8}
HZ=$(getconf CLK_TCK)
T=$(mktemp -d)
pids=()
# shellcheck disable=SC2317
cleanup() { exec 3>&- 2>/dev/null; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))

now() { date +%s.%N; }
calc() { awk "BEGIN{ $1 }"; }
# Relay counter KEY (control socket $T/ctl).
counter() { "$RELAY" counters --control "$T/ctl" 2>/dev/null | awk -v k="$1" '$1==k{print $2}'; }
# CPU ticks of the relay's threads by group: "total loops lanes kafka"; and one
# "tid:comm:ticks" word per thread in $T/tids.$2.
ticks() {
	local tot=0 loops=0 lanes=0 kafka=0 t comm v
	: >"$T/tids.$2"
	for t in /proc/"$1"/task/*; do
		comm=$(cat "$t/comm" 2>/dev/null) || continue
		v=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "$t/stat" 2>/dev/null) || continue
		echo "${t##*/}:$comm:$v" >>"$T/tids.$2"
		tot=$((tot + v))
		case $comm in
		netflow-relay | nfr-loop-*) loops=$((loops + v)) ;;
		nfr-forward) lanes=$((lanes + v)) ;;
		*) kafka=$((kafka + v)) ;;
		esac
	done
	echo "$tot $loops $lanes $kafka"
}
# The thread that used most CPU between the two ticks snapshots: "seconds comm".
busiest() {
	awk -F: -v hz="$HZ" 'NR == FNR { a[$1] = $3; next }
		{ d = $3 - a[$1]; if (d > m) { m = d; c = $2 } }
		END { printf "%.2f %s\n", m / hz, c }' "$T/tids.a" "$T/tids.b"
}

# step RATE COUNTER -> "reached sent out loss out_per_s cpu_s loops_s lanes_s kafka_s in busiest_s busiest_comm"
# out/s: records out / (from the senders' start until the last record was out).
step() {
	local rate=$1 key=$2 n c0 i0 i1 last cur s0 e0 a b same=0
	n=$(calc "printf \"%d\", $rate * $SECS / $SENDERS")
	c0=$(counter "$key") i0=$(counter netflow_records)
	ticks "$REL" a >"$T/ticks.a"
	read -r -a a <"$T/ticks.a"
	s0=$(now)
	local k sp=()
	for k in $(seq "$SENDERS"); do
		"$B" sendnf v9 127.0.0.1 "$PIN" "$n" "$(calc "print $rate / $SENDERS")" >"$T/s.$k" &
		sp+=($!)
	done
	wait "${sp[@]}"
	e0=$(now) last=$c0
	# Until everything decoded is out, or the counter stays put for 2 s (bounded: 60 s).
	for _ in $(seq 1200); do
		cur=$(counter "$key") i1=$(counter netflow_records)
		if [ "$cur" != "$last" ]; then same=0 last=$cur e0=$(now); fi
		[ $((cur - c0)) -ge $((i1 - i0)) ] && break
		same=$((same + 1))
		[ $same -ge 40 ] && break
		sleep 0.05
	done
	ticks "$REL" b >"$T/ticks.b"
	read -r -a b <"$T/ticks.b"
	local busy
	busy=$(busiest)
	cat "$T"/s.* | awk -v busy="$busy" -v c0="$c0" -v c1="$last" -v i0="$i0" -v i1="$i1" -v s0="$s0" -v e0="$e0" -v hz="$HZ" \
		-v t0="${a[0]}" -v t1="${b[0]}" -v l0="${a[1]}" -v l1="${b[1]}" -v f0="${a[2]}" -v f1="${b[2]}" \
		-v k0="${a[3]}" -v k1="${b[3]}" '
		{ sent += $2; reached += $8 }
		END {
			out = c1 - c0; loss = sent > 0 ? 1 - out / sent : 1; if (loss < 0) loss = 0
			printf "%.0f %d %d %.5f %.0f %.2f %.2f %.2f %.2f %d %s\n", reached, sent, out, loss, out / (e0 - s0),
				(t1 - t0) / hz, (l1 - l0) / hz, (f1 - f0) / hz, (k1 - k0) / hz, i1 - i0, busy
		}'
}

# measure THREADS tcp|kafka: appends one table row (markdown) to $T/rows; steps on stderr
measure() {
	local threads=$1 out=$2 fwd key rate r=() best=() bad=() tries mockpid sinkpid
	PIN=$((port++))
	local pout=$((port++))
	if [ "$out" = tcp ]; then
		"$B" sink tcp $pout >"$T/sink" &
		sinkpid=$!
		pids+=("$sinkpid")
		for _ in $(seq 50); do grep -q listening "$T/sink" && break; sleep 0.1; done
		fwd="tcp://127.0.0.1:$pout" key=flow_forwarder_pushed_messages
	else
		rm -f "$T/mock.ctl" "$T/mock.out"
		mkfifo "$T/mock.ctl"
		"$MOCK" 2 bench:4 <"$T/mock.ctl" >"$T/mock.out" 2>"$T/mock.log" &
		mockpid=$!
		pids+=("$mockpid")
		exec 3>"$T/mock.ctl" # the mock runs until this closes
		for _ in $(seq 50); do [ -s "$T/mock.out" ] && break; sleep 0.1; done
		fwd="kafka://$(head -n1 "$T/mock.out")/bench?compression.codec=lz4&linger.ms=20&batch.num.messages=10000"
		key=kafka_delivered
	fi
	"$RELAY" --threads "$threads" --listen "netflow://127.0.0.1:$PIN" --forward "$fwd" --queue-size 2000000 \
		--control "$T/ctl" >"$T/relay-$threads-$out.log" 2>&1 &
	REL=$!
	pids+=("$REL")
	for _ in $(seq 100); do [ -n "$(counter netflow_records)" ] && break; sleep 0.1; done
	# warm-up: templates known, connections / Kafka metadata up
	step 20000 "$key" >/dev/null
	rate=$START
	while calc "exit !($rate <= $MAX)"; do
		tries=0
		while :; do
			read -r -a r < <(step "$rate" "$key")
			echo "--threads $threads $out: offered $rate: ${r[*]}" | tee -a "$T/steps" >&2
			tries=$((tries + 1))
			calc "exit !(${r[3]} > $MAXLOSS || ${r[0]} < 0.97 * $rate)" || break
			[ $tries -ge 3 ] && break
		done
		if calc "exit !(${r[3]} > $MAXLOSS || ${r[0]} < 0.97 * $rate)"; then
			bad=("$rate" "${r[@]}")
			break
		fi
		best=("$rate" "${r[@]}")
		rate=$(calc "printf \"%d\", $rate * $FACTOR")
	done
	kill "$REL" 2>/dev/null
	wait "$REL" 2>/dev/null
	if [ "$out" = tcp ]; then
		kill "$sinkpid" 2>/dev/null
		wait "$sinkpid" 2>/dev/null
		echo "--threads $threads: $(tail -n1 "$T/sink")" >>"$T/sinks"
	else
		exec 3>&-
		wait "$mockpid" 2>/dev/null
	fi
	local label
	label=$([ "$out" = tcp ] && echo "FastNetMon Flow TCP" || echo "Kafka (mock, capnp, lz4)")
	if [ ${#best[@]} -eq 0 ]; then
		echo "| NetFlow v9 → $label | $threads | none loss-free from $START | | | | | ${bad[0]:-}: loss $(calc "printf \"%.2f %%\", ${bad[4]:-1} * 100") |" >>"$T/rows"
		return
	fi
	# best: rate reached sent out loss out/s cpu loops lanes kafka
	local cpu_rate thr busy_rate
	cpu_rate=$(calc "if (${best[6]} > 0) printf \"%.0f\", ${best[3]} / ${best[6]}; else print \"-\"")
	busy_rate=$(calc "if (${best[11]} > 0) printf \"%.0f\", ${best[3]} / ${best[11]}; else print \"-\"")
	thr="loops ${best[7]} · lanes ${best[8]}"
	[ "$out" = kafka ] && thr="loops ${best[7]} · librdkafka ${best[9]}"
	local next="—"
	if [ ${#bad[@]} -gt 0 ]; then
		next="${bad[0]}: reached ${bad[1]}, loss $(calc "printf \"%.2f %%\", ${bad[4]} * 100")"
	fi
	echo "| NetFlow v9 → $label | $threads | ${best[1]} | $(calc "printf \"%.3f %%\", ${best[4]} * 100") (${best[3]} / ${best[2]}) | **$cpu_rate** | $busy_rate (${best[12]} ${best[11]} s) | ${best[6]} s: $thr | $next |" >>"$T/rows"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$T/rows"
: >"$T/sinks"
: >"$T/steps"
for out in tcp kafka; do
	for th in $THREADS; do
		measure "$th" "$out"
	done
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
section=$(
	echo "### Relay on 1 and 2 cores (--threads): NetFlow v9 in, paced senders ($(nproc) CPUs, load $load0 at the start, $load1 at the end)"
	echo
	echo "$SENDERS paced \`relay_bench sendnf v9\` senders ($SENDERS source ports), ${SECS} s per step, offered rate ×$FACTOR per step"
	echo "from $START rec/s until a step loses > $(calc "print $MAXLOSS * 100") % or the senders cannot reach it, 3 tries in a row."
	echo "Highest loss-free step: rec/s wall = the rate the senders reached by their own clocks (every record"
	echo "came out: the relay kept up in wall-clock time on this shared machine); **relay rec/CPU-s** = records out /"
	echo "relay CPU seconds (utime+stime, all its threads) over that step; relay CPU by thread group from"
	echo "/proc/PID/task/*/stat; the busiest thread's figure (records / its CPU seconds) is the rate the relay"
	echo "would carry with a core for each of its threads, so it shows what a second loop thread adds on"
	echo "free cores. Senders, sink / mock cluster run on the same CPUs."
	echo
	echo "| path | --threads | highest loss-free rec/s wall | loss (out / sent) | relay rec/CPU-s | rec per CPU-s of the busiest thread | relay CPU in the step | next step: offered, reached, loss |"
	echo "|---|---|---|---|---|---|---|---|"
	cat "$T/rows"
	echo
	echo "TCP sink (\`relay_bench sink\`, warm-up included): $(paste -sd';' "$T/sinks")"
	echo
	echo "Every step: senders' rate reached, sent, out, loss, out/s until the counter stopped (polled), relay CPU s"
	echo "(all, loop threads, forward lanes, librdkafka), records decoded, busiest thread CPU s and name:"
	echo
	echo '```'
	cat "$T/steps"
	echo '```'
)
printf '%s\n' "$section"
if [ $append = 1 ]; then
	commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
	[ -n "$(git -C "$REPO" status --porcelain -- userspace tests/bench 2>/dev/null)" ] && commit="$commit+dirty"
	# shellcheck disable=SC2016
	printf '\n## %s — relay on 1 and 2 cores only (`make bench-relay`), commit %s\n\n%s\n' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$commit" "$section" >>"$REPO/bench/results.md"
	echo "appended to bench/results.md" >&2
fi
