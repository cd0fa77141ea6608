#!/bin/bash
# relay -> relay over TLS 1.3 with a test CA made here by openssl: 100k
# records, none lost, every field preserved; the receiving relay restarting
# is survived (records queued meanwhile arrive after the reconnect, and any
# loss is counted).
. "$(dirname "$0")/lib.sh" "$@"
N=${NFR_TLS_RECORDS:-100000}

make_ca
issue_cert server localhost "DNS:localhost"
$FLOWTOOL gen "$N" "$T/recs"
encode <"$T/recs.txt" >"$T/recs.bin"

PA=$(free_port); PB=$(free_port)
start_relay b --listen "tls://127.0.0.1:$PB" --tls-cert "$T/server.pem" --tls-key "$T/server.key" \
  --output "jsonl:$T/b.jsonl"
start_relay a --listen "tcp://127.0.0.1:$PA" --forward "tls://localhost:$PB" --tls-ca "$T/ca.pem" \
  --reconnect-interval 1
start=$(date +%s.%N)
$FLOWTOOL send tcp 127.0.0.1 "$PA" "$T/recs.bin"
wait_lines "$T/b.jsonl" "$N" 120
end=$(date +%s.%N)
$FLOWTOOL compare "$T/recs.expected.jsonl" "$T/b.jsonl" || fail "records differ after relay -> relay"
expect_counter a flow_forwarder_pushed_messages "$N"
expect_counter a flow_forwarder_errors 0
expect_counter a flow_forwarder_queue_drops 0
expect_counter b fastnetmon_flow_tls_packets "$N"
expect_counter b fastnetmon_flow_malformed_messages 0
echo "ok: $N records relay -> TLS -> relay, none lost, all fields exact ($(python3 -c "print('%.1f' % ($end - $start))") s)"

# Peer restart: stop b, send 1000 more, start b again on the same port.
python3 -c "
import sys
sys.path.insert(0, '$HERE')
import flowtool
msgs = flowtool.split_messages(open('$T/recs.bin', 'rb').read())[:1000]
open('$T/more.bin', 'wb').write(b''.join(msgs))
"
stop_relay b
$FLOWTOOL send tcp 127.0.0.1 "$PA" "$T/more.bin"
sleep 0.5
start_relay b --listen "tls://127.0.0.1:$PB" --tls-cert "$T/server.pem" --tls-key "$T/server.key" \
  --output "jsonl:$T/b2.jsonl"
end=$(( $(date +%s) + 30 ))
while [ "$(date +%s)" -le "$end" ]; do
  got=$(wc -l <"$T/b2.jsonl" 2>/dev/null || echo 0)
  lost=$(( $(counter a flow_forwarder_lost_in_flight) + $(counter a flow_forwarder_queue_drops) ))
  [ $(( got + lost )) -ge 1000 ] && break
  sleep 0.2
done
[ $(( got + lost )) -eq 1000 ] || fail "after restart: $got received + $lost counted lost != 1000"
[ "$got" -gt 0 ] || fail "nothing arrived after the peer restarted"
grep -q "reconnecting\|retrying" "$T/a.log" || fail "no log line about the lost peer"
if [ "$got" -eq 1000 ]; then
  head -n 1000 "$T/recs.expected.jsonl" >"$T/first1000.jsonl"
  $FLOWTOOL compare "$T/first1000.jsonl" "$T/b2.jsonl" || fail "records differ after the restart"
fi
echo "ok: peer restart survived: $got of 1000 delivered, $lost counted lost"
stop_relay a
echo "tls_relay: 2 passed, 0 failed"
