#!/bin/bash
# tests/bench/quick.sh — one regime (est or flood) for several module builds in one
# benchmark VM boot: ns/pkt over the no-module baseline for each. For trying changes
# (e.g. builds that stop at a given stage of the packet path) without the full `make bench`.
# Usage: tests/bench/quick.sh est|flood|reflood|hits|exp5|exp10 NAME=KO[:PARAM=VALUE...] [...]
#        tests/bench/quick.sh exporters   (the userspace exporters part of make bench alone)
#   (NAME not "base": the no-module baseline; PARAM=VALUE: module parameters of that run)
#   reflood: a flood, a flush, then the same flood measured (its flows from the recycled pool)
#   est_hook: est in hook mode; est_after/est_settled: est after a flood and its flush, at
#   once / once the pool has returned the flood's objects to the slab
#   exp5/exp10: NF_BENCH_HITS_N flows populated, then a timed flush (ns per flow)
# Env: NF_BENCH_EST_N, NF_BENCH_FLOOD_N, NF_BENCH_HITS_N (packets; defaults 200000/300000/500000).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
[ $# -ge 2 ] || [ "${1:-}" = exporters ] || { sed -n '2,10s/^# \{0,1\}//p' "$0" >&2; exit 2; }
regime=$1
shift
out=$REPO/build/bench/quick-$(date -u +%Y%m%dT%H%M%S)
mkdir -p "$out"
args=()
for a in "$@"; do # NAME=KO[:PARAM=VALUE...]
	n=${a%%=*} rest=${a#*=}
	ko=${rest%%:*}
	cp "$ko" "$out/$n.ko"
	args+=("$n=$out/$n.ko${rest#"$ko"}")
done
if [ "$regime" = exporters ]; then
	gargs=(--exporters)
else
	gargs=(--quick "$regime" "${args[@]}")
fi
NF_VM_APPEND="${NF_VM_APPEND:-} slub_nomerge" "$REPO/tests/vm/run.sh" --icount --smp 1 \
	--timeout "${NF_BENCH_TIMEOUT:-2700}" -- \
	bash "$HERE/guest.sh" "${gargs[@]}" | tee "$out/guest.log" | grep -v '^RAW '
if [ "$regime" = exporters ]; then
	python3 "$HERE/report.py" --exporters "$out/guest.log"
	exit 0
fi
case $regime in exp*)
	for a in "$@"; do
		n=${a%%=*}
		f=$(sed -n "s/^RAW $n ${regime}_flows //p" "$out/guest.log")
		t=$(sed -n "s/^RAW $n ${regime}_flush_ns //p" "$out/guest.log")
		w=$(sed -n "s/^RAW $n ${regime}_noop_ns //p" "$out/guest.log")
		e=$(sed -n "s/^RAW $n ${regime}_empty_flush_ns //p" "$out/guest.log")
		p=$(sed -n "s/^RAW $n ${regime}_udp_payload //p" "$out/guest.log")
		ms=$(sed -n "s/^RAW $n mem_slab_bytes //p" "$out/guest.log")
		mh=$(sed -n "s/^RAW $n mem_hash_kb //p" "$out/guest.log")
		mf=$(sed -n "s/^RAW $n mem_flows //p" "$out/guest.log")
		# flows carved from the module's own pages count as slab here (report.py does the same)
		mp=$(sed -n "s/^RAW $n mem_paged_bytes //p" "$out/guest.log")
		ms=$(( ${ms:-0} + ${mp:-0} ))
		[ -n "$f" ] && [ -n "$t" ] && printf '%-12s %s ns/flow (%s flows), %s B/flow exported, empty flush %s ns; memory %s B/flow (slab or pages %s + hash %s)\n' "$n" \
			"$(awk -v t="$t" -v w="$w" -v f="$f" 'BEGIN { printf "%.1f", (t - w) / f }')" "$f" \
			"$(awk -v p="$p" -v f="$f" 'BEGIN { printf "%.1f", p / f }')" "$e" \
			"$(awk -v s="$ms" -v h="$mh" -v f="$mf" 'BEGIN { printf "%.1f", (s + h * 1024) / f }')" \
			"$(awk -v s="$ms" -v f="$mf" 'BEGIN { printf "%.1f", s / f }')" \
			"$(awk -v h="$mh" -v f="$mf" 'BEGIN { printf "%.1f", h * 1024 / f }')"
	done
	exit 0 ;;
esac
base=$(sed -n "s/^RAW base ${regime}_x1000 //p" "$out/guest.log")
for a in "$@"; do
	n=${a%%=*}
	v=$(sed -n "s/^RAW $n ${regime}_x1000 //p" "$out/guest.log")
	[ -n "$v" ] && [ -n "$base" ] && printf '%-12s %s ns/pkt over the baseline\n' "$n" \
		"$(awk -v a="$v" -v b="$base" 'BEGIN { printf "%.1f", (a - b) / 1000 }')"
done
