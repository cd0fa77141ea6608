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
