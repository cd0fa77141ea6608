#!/bin/bash
# What the relay forwards over UDP and TCP decodes with `capnp decode` to
# exactly what `capnp encode` made; a hostname target is resolved; the 1-in-N
# sampler forwards every Nth record with sampleRatio multiplied by N.
. "$(dirname "$0")/lib.sh" "$@"

$FLOWTOOL gen 300 "$T/recs"
encode <"$T/recs.txt" >"$T/recs.bin"
decode <"$T/recs.bin" >"$T/recs.decoded"
[ "$(wc -l <"$T/recs.decoded")" -eq 300 ] || fail "capnp decode of the input"

IN=$(free_port); UOUT=$(free_port); TOUT=$(free_port)
$FLOWTOOL recv udp "$UOUT" "$T/udp_out.bin" 300 30 >"$T/udp_recv.out" &
PIDS="$PIDS $!"; URECV=$!
$FLOWTOOL recv tcp "$TOUT" "$T/tcp_out.bin" 300 30 >"$T/tcp_recv.out" &
PIDS="$PIDS $!"; TRECV=$!
wait_listening udp "$UOUT" 20
wait_listening tcp "$TOUT" 20
start_relay fwd --listen "tcp://127.0.0.1:$IN" --forward "udp://127.0.0.1:$UOUT" --forward "tcp://localhost:$TOUT"
$FLOWTOOL send tcp 127.0.0.1 "$IN" "$T/recs.bin"
wait "$URECV" || fail "udp receiver"
wait "$TRECV" || fail "tcp receiver"
for p in udp tcp; do
  decode <"$T/${p}_out.bin" >"$T/$p.decoded" || fail "capnp decode of what the relay sent over $p"
  cmp -s "$T/recs.decoded" "$T/$p.decoded" || { diff "$T/recs.decoded" "$T/$p.decoded" | head -5; fail "$p output differs"; }
done
wait_counter fwd flow_forwarder_pushed_messages 600 10
expect_counter fwd flow_forwarder_errors 0
expect_counter fwd flow_forwarder_sampler_seen_packets 300
expect_counter fwd flow_forwarder_sampler_selected_packets 300
stop_relay fwd
echo "ok: 300 records forwarded over udp and tcp decode identically with capnp decode"

# Sampling 1-in-3.
IN=$(free_port); TOUT=$(free_port)
$FLOWTOOL recv tcp "$TOUT" "$T/sampled.bin" 100 30 >/dev/null &
PIDS="$PIDS $!"; TRECV=$!
wait_listening tcp "$TOUT" 20
start_relay sampled --listen "tcp://127.0.0.1:$IN" --forward "tcp://127.0.0.1:$TOUT" --sampling-rate 3
$FLOWTOOL send tcp 127.0.0.1 "$IN" "$T/recs.bin"
wait "$TRECV" || fail "tcp receiver"
decode <"$T/sampled.bin" >"$T/sampled.decoded"
python3 - "$T/recs.decoded" "$T/sampled.decoded" <<'PY' || fail "sampled output"
import re, sys
orig = open(sys.argv[1]).read().splitlines()
got = open(sys.argv[2]).read().splitlines()
assert len(got) == 100, len(got)
for k, line in enumerate(got):
    want = orig[3 * k + 2]
    ratio = int(re.search(r"sampleRatio = (\d+)", want).group(1))
    want = re.sub(r"sampleRatio = \d+", "sampleRatio = %d" % (ratio * 3), want)
    assert line == want, (k, line, want)
print("100 sampled records exact, sampleRatio x3")
PY
expect_counter sampled flow_forwarder_sampler_seen_packets 300
expect_counter sampled flow_forwarder_sampler_selected_packets 100
stop_relay sampled
echo "forward: 2 passed, 0 failed"
