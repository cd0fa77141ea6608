#!/bin/bash
# No record lost across peer restarts, over TCP and TLS: a sender streams
# 300,000 records (~30,000/s) into relay A, which forwards them to relay B;
# B is restarted (SIGTERM, down ~1 s, started again) 3 times during the
# stream.  (B drains its connections when it stops: before it did, the
# records in its socket buffer at SIGTERM vanished, counted as pushed by A.)
# Everything B's incarnations wrote + what A counted as dropped (queue
# overflow, lost in flight) == what was sent, and A's "pushed" == what B
# received (nothing lost silently); with nothing dropped, the records arrive
# complete, exact and in order.
. "$(dirname "$0")/lib.sh" "$@"
N1=30000
ROUNDS=10
N=$((N1 * ROUNDS))
RESTARTS=3
$FLOWTOOL gen $N1 "$T/recs"
for _ in $(seq $ROUNDS); do cat "$T/recs.expected.jsonl"; done >"$T/all.expected.jsonl"
encode <"$T/recs.txt" >"$T/recs.bin"
make_ca
issue_cert srv localhost "DNS:localhost"

run() { # PROTO
  local proto=$1 IN B extra=() bargs=() i recv=0 drops lost pushed
  IN=$(free_port); B=$(free_port)
  [ "$proto" = tls ] && extra=(--tls-ca "$T/ca.pem") && bargs=(--tls-cert "$T/srv.pem" --tls-key "$T/srv.key")
  start_relay "${proto}_b0" --listen "$proto://127.0.0.1:$B" "${bargs[@]}" --output "jsonl:$T/${proto}_b0.jsonl"
  start_relay "${proto}_a" --listen "tcp://127.0.0.1:$IN" --forward "$proto://localhost:$B" \
    --reconnect-interval 1 "${extra[@]}"
  # ~30,000 records/s for ~10 s
  python3 - "$IN" "$T/recs.bin" "$HERE" $ROUNDS >"$T/${proto}_sender.log" 2>&1 <<'PY' &
import socket, struct, sys, time
sys.path.insert(0, sys.argv[3])
import flowtool
msgs = flowtool.split_messages(open(sys.argv[2], "rb").read())
frames = [struct.pack("<Q", len(m)) + m for m in msgs]
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for _ in range(int(sys.argv[4])):
    for i in range(0, len(frames), 300):
        s.sendall(b"".join(frames[i:i + 300]))
        time.sleep(0.01)
s.close()
PY
  local sender=$!
  PIDS="$PIDS $sender"
  # restarts under traffic: python can take seconds to start on a loaded machine
  wait_counter "${proto}_a" total_simple_packets_processed 1 30
  for i in $(seq $RESTARTS); do
    sleep 2.5
    stop_relay "${proto}_b$((i - 1))"
    sleep 1
    start_relay "${proto}_b$i" --listen "$proto://127.0.0.1:$B" "${bargs[@]}" --output "jsonl:$T/${proto}_b$i.jsonl"
  done
  wait "$sender" || fail "$proto: sender"
  wait_counter "${proto}_a" flow_forwarder_sampler_seen_packets $N 60
  wait_counter_eq "${proto}_a" flow_forwarder_queued_messages 0 60
  stop_relay "${proto}_b$RESTARTS"
  pushed=$(counter "${proto}_a" flow_forwarder_pushed_messages)
  drops=$(counter "${proto}_a" flow_forwarder_queue_drops)
  lost=$(counter "${proto}_a" flow_forwarder_lost_in_flight)
  stop_relay "${proto}_a"
  for i in $(seq 0 $RESTARTS); do
    recv=$((recv + $(wc -l <"$T/${proto}_b$i.jsonl")))
  done
  echo "figure: $proto peer restart: sent $N, $RESTARTS restarts, received $recv, dropped $((drops + lost)) (queue $drops, in flight $lost), A pushed $pushed"
  [ $((recv + drops + lost)) -eq $N ] || fail "$proto: received $recv + dropped $((drops + lost)) != sent $N"
  [ "$recv" -eq "$pushed" ] || fail "$proto: A pushed $pushed but B received $recv (lost silently)"
  # every incarnation that was stopped got records first: the restarts were under traffic
  for i in $(seq 0 $((RESTARTS - 1))); do
    [ -s "$T/${proto}_b$i.jsonl" ] || fail "$proto: incarnation $i of B received nothing (restart not under traffic)"
  done
  if [ $((drops + lost)) -eq 0 ]; then
    for i in $(seq 0 $RESTARTS); do cat "$T/${proto}_b$i.jsonl"; done >"$T/${proto}_all.jsonl"
    $FLOWTOOL compare "$T/all.expected.jsonl" "$T/${proto}_all.jsonl" >/dev/null ||
      fail "$proto: records differ or out of order"
  fi
}
run tcp
run tls
echo "peer_restart: 2 passed, 0 failed"
