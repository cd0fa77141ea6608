#!/bin/bash
# tests/bench/profile.sh — `make bench-profile`: where the guest instructions of one regime
# go. Boots the benchmark VM (icount, 1 vCPU), loads our module, runs the regimes under
# `perf record -e cpu-clock -c 10000` (under icount a sample every 10000 guest instructions,
# so the histogram is an instruction profile) and prints per-function shares; for the
# module's own functions also the source lines (addr2line -i through the inlining).
#
# Usage: tests/bench/profile.sh [REGIME...]   (flood est flood_hook est_hook hits exp5
#        exp10; default est flood)
# Env: NF_BENCH_OURS_KO (default kernel/ipt_NETFLOW.ko), NF_PROFILE_LINES (source lines
#      shown per regime, default 40), NF_BENCH_{FLOOD,EST,HITS,EXP10}_N.
# Needs linux-perf on the host (the guest runs the host's root over 9p).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
command -v perf >/dev/null || { echo "profile: needs perf (apt-get install linux-perf)" >&2; exit 2; }
[ $# -gt 0 ] || set -- est flood
ko=${NF_BENCH_OURS_KO:-$REPO/kernel/ipt_NETFLOW.ko}
[ -f "$ko" ] || { echo "profile: no module at $ko (make kmod)" >&2; exit 2; }
out=$REPO/build/bench/prof-$(date -u +%Y%m%dT%H%M%S)
mkdir -p "$out"
cp "$ko" "$out/ours.ko"
NF_VM_APPEND="${NF_VM_APPEND:-} slub_nomerge" "$REPO/tests/vm/run.sh" --icount --smp 1 \
	--timeout "${NF_BENCH_TIMEOUT:-2700}" -- \
	bash "$HERE/guest.sh" --profile "$out/ours.ko" "$@" | tee "$out/guest.log" |
	grep --line-buffered -v '^RAW \|^PROF '
for r in "$@"; do
	sed -n "s/^PROF $r //p" "$out/guest.log" >"$out/$r.samples"
	[ -s "$out/$r.samples" ] || { echo "profile: no samples for $r" >&2; continue; }
	echo "== $r"
	python3 "$HERE/profile_report.py" "$out/$r.samples" "$out/ours.ko" "${NF_PROFILE_LINES:-40}"
done
echo "profile: samples in $out" >&2
