#!/bin/bash
# Runs the relay's libFuzzer targets (clang, ASan + UBSan; built by `make fuzz` in
# build/fuzz) for a bounded time each, starting from the seed corpus in
# tests/relay/fuzz_corpus/<name>/ plus what earlier runs found (build/fuzz/corpus/<name>).
# Prints one figure line per fuzzer; a crash fails the run and leaves the input in
# build/fuzz/crashes/: fix the bug, then add the input to tests/relay/fuzz_corpus/<name>/,
# where every build replays it (ctest relay.fuzz_corpus.<name>).
# Usage: fuzz.sh FUZZ_BIN_DIR SECONDS NAME...
set -u
BIN=$1 SECS=$2
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(cd "$BIN/.." && pwd)
mkdir -p "$OUT/crashes"
failed=0
for f in "$@"; do
  corpus=$OUT/corpus/$f
  mkdir -p "$corpus"
  log=$OUT/fuzz_$f.log
  "$BIN/nfr_fuzz_$f" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$OUT/crashes/$f-" "$corpus" "$HERE/fuzz_corpus/$f" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  seeds=$(find "$HERE/fuzz_corpus/$f" -type f | wc -l)
  size=$(find "$corpus" -type f | wc -l)
  if [ $rc = 0 ]; then
    echo "figure: fuzz $f: ${runs:-?} inputs in $SECS s, no crash ($seeds seeds, corpus now $size)"
  else
    failed=$((failed + 1))
    echo "FAIL: fuzz $f: exit $rc after ${runs:-?} inputs; crash input(s): $(ls "$OUT/crashes/$f-"* 2>/dev/null | tr '\n' ' ')"
    grep -E 'ERROR|SUMMARY|^    #[0-9]+ .* in (nfr|LLVMFuzzer|\(anonymous)' "$log" | head -20
  fi
done
[ $failed = 0 ] || exit 1
echo "fuzz: $# fuzzers passed"
