#!/bin/bash
# C sender -> netflow-relay -> C receiver, both ends libfnmflow's examples
# (fnmflow_send, fnmflow_recv), over UDP, TCP and TLS: what the receiver
# prints is exactly what the sender printed, every field of every record.
# Usage: fnmflow_path.sh RELAY SCHEMA FNMFLOW_SEND FNMFLOW_RECV
. "$(dirname "$0")/lib.sh" "$1" "$2"
SEND=$3 RECV=$4
N=3000
make_ca
issue_cert srv localhost "DNS:localhost"
for proto in udp tcp tls; do
  tls_recv=() tls_relay=() ca=()
  if [ "$proto" = tls ]; then
    tls_recv=("$T/srv.pem" "$T/srv.key")
    tls_relay=(--tls-cert "$T/srv.pem" --tls-key "$T/srv.key" --tls-ca "$T/ca.pem")
    ca=("$T/ca.pem")
    host=localhost
  else
    host=127.0.0.1
  fi
  "$RECV" "$proto://127.0.0.1:0" "$N" "${tls_recv[@]}" >"$T/$proto.recv" 2>"$T/recv-$proto.log" &
  rpid=$!
  PIDS="$PIDS $rpid"
  wait_log "$T/recv-$proto.log" "listening on port" 5
  rport=$(sed -n 's/^listening on port //p' "$T/recv-$proto.log")
  lport=$(free_port)
  start_relay "relay_$proto" --listen "$proto://127.0.0.1:$lport" --forward "$proto://$host:$rport" \
    --reconnect-interval 1 "${tls_relay[@]}"
  "$SEND" -p "$proto://$host:$lport" "$N" "${ca[@]}" >"$T/$proto.sent" 2>"$T/send-$proto.log" ||
    fail "fnmflow_send over $proto: $(cat "$T/send-$proto.log")"
  wait "$rpid" || fail "fnmflow_recv over $proto got $(wc -l <"$T/$proto.recv") of $N records"
  [ "$(wc -l <"$T/$proto.sent")" -eq "$N" ] || fail "fnmflow_send printed $(wc -l <"$T/$proto.sent") records"
  if [ "$proto" = udp ]; then
    sort "$T/$proto.sent" >"$T/a" && sort "$T/$proto.recv" >"$T/b"
  else
    cp "$T/$proto.sent" "$T/a" && cp "$T/$proto.recv" "$T/b"
  fi
  cmp -s "$T/a" "$T/b" || fail "$proto: received records differ: $(diff "$T/a" "$T/b" | head -5)"
  expect_counter "relay_$proto" flow_forwarder_pushed_messages "$N"
  stop_relay "relay_$proto"
  echo "ok: $proto: $N records C sender -> relay -> C receiver, every field exact"
done

# Mutual TLS on both hops: the C sender shows a client certificate to a relay that asks
# for one (--tls-client-ca), the relay shows its own (--tls-client-cert) to a C receiver
# that asks too; a sender without one is refused at open, by name, and nothing gets in.
issue_cert exporter exporter.test "DNS:exporter.test"
issue_cert relaycl relay.test "DNS:relay.test"
"$RECV" "tls://127.0.0.1:0" "$N" "$T/srv.pem" "$T/srv.key" "$T/ca.pem" >"$T/mtls.recv" 2>"$T/recv-mtls.log" &
rpid=$!
PIDS="$PIDS $rpid"
wait_log "$T/recv-mtls.log" "listening on port" 5
rport=$(sed -n 's/^listening on port //p' "$T/recv-mtls.log")
lport=$(free_port)
start_relay relay_mtls --listen "tls://127.0.0.1:$lport" --forward "tls://localhost:$rport" --reconnect-interval 1 \
  --tls-cert "$T/srv.pem" --tls-key "$T/srv.key" --tls-ca "$T/ca.pem" --tls-client-ca "$T/ca.pem" \
  --tls-client-cert "$T/relaycl.pem" --tls-client-key "$T/relaycl.key"
if "$SEND" "tls://localhost:$lport" 10 "$T/ca.pem" >/dev/null 2>"$T/send-nocert.log"; then
  fail "a sender without a client certificate was accepted"
fi
grep -q "client certificate refused" "$T/send-nocert.log" ||
  fail "no certificate: expected 'client certificate refused', got: $(cat "$T/send-nocert.log")"
"$SEND" -p "tls://localhost:$lport" "$N" "$T/ca.pem" "$T/exporter.pem" "$T/exporter.key" >"$T/mtls.sent" \
  2>"$T/send-mtls.log" || fail "fnmflow_send with a client certificate: $(cat "$T/send-mtls.log")"
wait "$rpid" || fail "fnmflow_recv over mutual TLS got $(wc -l <"$T/mtls.recv") of $N records"
cmp -s "$T/mtls.sent" "$T/mtls.recv" || fail "mutual TLS: received records differ"
expect_counter relay_mtls flow_forwarder_pushed_messages "$N"
expect_counter relay_mtls fastnetmon_flow_tls_handshake_failures 1
stop_relay relay_mtls
echo "ok: mutual TLS: $N records, client certificates on both hops; a sender without one refused: $(grep -o 'client certificate refused.*' "$T/send-nocert.log" | head -1)"
