#!/bin/bash
# libfnmflow's sender: records/s over TCP and TLS on loopback, from C
# (fnmflow_bench send) and from Python (fnmflow_bench.py: batches of 4096
# prebuilt fnmflow.Record; and with every Record built in Python), into a C
# receiver in another process (fnmflow_bench sink).  The time runs from the
# sender's first record (connected, interpreter started) until the sink has
# every record (its exit).  Part of `make bench`;
# alone: make bench-fnmflow.  --append: also to bench/results.md.
#   NF_BENCH_FNMFLOW_N (default 2000000, Python a quarter; built in Python a
#   twentieth)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
B=$REPO/build/userspace/fnmflow
N=${NF_BENCH_FNMFLOW_N:-2000000}
for f in "$B/fnmflow_bench" "$B/libfnmflow.so.1"; do
  [ -f "$f" ] || { echo "skipped: $f not built (make userspace)"; exit 0; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
bash "$REPO/userspace/fnmflow/tests/make_certs.sh" "$T/certs"
export FNMFLOW_LIBRARY=$B/libfnmflow.so.1 PYTHONPATH=$REPO/userspace/fnmflow/python

# run PROTO COUNT SENDER...: prints records/s
run() {
  local proto=$1 n=$2 host=127.0.0.1 tls=() ca=()
  shift 2
  if [ "$proto" = tls ]; then
    host=localhost tls=("$T/certs/good.pem" "$T/certs/good.key") ca=("$T/certs/ca.pem")
  fi
  "$B/fnmflow_bench" sink "$proto://127.0.0.1:0" "$n" "${tls[@]}" >"$T/sink.out" 2>"$T/sink.err" &
  local sink=$! port=
  for _ in $(seq 200); do
    port=$(sed -n 's/^port //p' "$T/sink.out")
    [ -n "$port" ] && break
    sleep 0.01
  done
  local t0 t1
  "$@" "$proto://$host:$port" "$n" "${ca[@]}" >"$T/send.out" || { kill "$sink"; echo "sender failed" >&2; exit 1; }
  wait "$sink" || { echo "sink: $(cat "$T/sink.err")" >&2; exit 1; }
  t1=$(date +%s.%N)
  t0=$(sed -n 's/^start //p' "$T/send.out")
  python3 -c "print(round($n / ($t1 - $t0)))"
}

row() {  # LABEL COUNT SENDER...
  local label=$1 n=$2
  shift 2
  printf '| %s | %s | %s | %s |\n' "$label" "$n" "$(run tcp "$n" "$@")" "$(run tls "$n" "$@")"
}

{
  echo "### libfnmflow sender ($(date -u +%Y-%m-%d), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
  echo "| sender | records | TCP rec/s | TLS rec/s |"
  echo "|---|---|---|---|"
  row "C (fnmflow_sender_send, batches of 4096)" "$N" "$B/fnmflow_bench" send
  row "Python (Sender.send, prebuilt batches of 4096)" $((N / 4)) python3 "$REPO/userspace/fnmflow/bench/fnmflow_bench.py"
  row "Python (a Record built per record)" $((N / 20)) env FNMFLOW_BENCH_MAKE=1 python3 "$REPO/userspace/fnmflow/bench/fnmflow_bench.py"
  echo
} | tee "$T/table"
if [ "${1:-}" = --append ]; then
  cat "$T/table" >>"$REPO/bench/results.md"
fi
