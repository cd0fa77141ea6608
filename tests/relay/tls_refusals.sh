#!/bin/bash
# TLS refusals, each with a clear log line: a TLS 1.2 client is refused by
# the relay's listener; the relay's exporter refuses a self-signed server, a
# certificate for another hostname and an expired certificate.
. "$(dirname "$0")/lib.sh" "$@"

make_ca
issue_cert good localhost "DNS:localhost"
issue_cert other otherhost.test "DNS:otherhost.test"
issue_cert expired localhost "DNS:localhost" 20200101000000Z 20200102000000Z
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/self.key" -out "$T/self.pem" \
  -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" -days 2 2>/dev/null
chmod 600 "$T/self.key"
$FLOWTOOL gen 5 "$T/recs"
encode <"$T/recs.txt" >"$T/recs.bin"
passed=0

# 1. TLS 1.2 client against the relay's TLS 1.3-only listener.
P=$(free_port)
start_relay srv --listen "tls://127.0.0.1:$P" --tls-cert "$T/good.pem" --tls-key "$T/good.key" \
  --output "jsonl:$T/srv.jsonl"
if timeout 10 openssl s_client -connect "127.0.0.1:$P" -tls1_2 -CAfile "$T/ca.pem" </dev/null \
    >"$T/s12.out" 2>&1; then
  fail "a TLS 1.2 handshake succeeded"
fi
wait_log "$T/srv.log" "TLS handshake with 127.0.0.1:[0-9]* failed: unsupported protocol" 10
wait_counter srv fastnetmon_flow_tls_handshake_failures 1 5
# ...while TLS 1.3 with the same CA works.
echo | timeout 10 openssl s_client -connect "127.0.0.1:$P" -tls1_3 -CAfile "$T/ca.pem" -verify_return_error \
  -verify_hostname localhost >"$T/s13.out" 2>&1 || fail "TLS 1.3 handshake failed: $(tail -3 "$T/s13.out")"
stop_relay srv
passed=$((passed + 1))
echo "ok: TLS 1.2 client refused: $(grep -m1 'unsupported protocol' "$T/srv.log")"

# 2-4. The exporter refuses bad servers.
check_refused() {  # NAME CERT EXPECTED_LOG_FRAGMENT [extra relay args]
  local name=$1 cert=$2 want=$3; shift 3
  PS=$(free_port); PC=$(free_port)
  start_relay "s_$name" --listen "tls://127.0.0.1:$PS" --tls-cert "$T/$cert.pem" --tls-key "$T/$cert.key" \
    --output "jsonl:$T/s_$name.jsonl"
  start_relay "c_$name" --listen "tcp://127.0.0.1:$PC" --forward "tls://localhost:$PS" --reconnect-interval 1 "$@"
  $FLOWTOOL send tcp 127.0.0.1 "$PC" "$T/recs.bin"
  wait_log "$T/c_$name.log" "$want" 10
  wait_counter "c_$name" flow_forwarder_errors 1 5
  expect_counter "c_$name" flow_forwarder_pushed_messages 0
  expect_counter "s_$name" fastnetmon_flow_tls_packets 0
  [ ! -s "$T/s_$name.jsonl" ] || fail "$name: records reached the server"
  stop_relay "c_$name"
  stop_relay "s_$name"
  passed=$((passed + 1))
  echo "ok: $name refused: $(grep -m1 -- "$want" "$T/c_$name.log")"
}
check_refused self_signed self "certificate verify failed: self-signed certificate"
check_refused self_signed_with_ca self "certificate verify failed: self-signed certificate" --tls-ca "$T/ca.pem"
check_refused wrong_hostname other "certificate verify failed: hostname mismatch" --tls-ca "$T/ca.pem"
check_refused expired expired "certificate verify failed: certificate has expired" --tls-ca "$T/ca.pem"

# Chain mode: a leaf signed by an intermediate; the client trusts only the
# root.  Without --tls-chain the intermediate is not sent and the client
# cannot build the chain; with it the chain verifies.
make_intermediate
CA_DIR=$T/inter issue_cert leaf localhost "DNS:localhost"
cat "$T/leaf.pem" "$T/inter.pem" >"$T/leaf_chain.pem"
cp "$T/leaf.key" "$T/leaf_chain.key"
check_refused no_chain_mode leaf_chain "certificate verify failed: unable to get local issuer certificate" \
  --tls-ca "$T/ca.pem"
PS=$(free_port); PC=$(free_port)
start_relay s_chain --listen "tls://127.0.0.1:$PS" --tls-cert "$T/leaf_chain.pem" --tls-key "$T/leaf_chain.key" \
  --tls-chain --output "jsonl:$T/s_chain.jsonl"
start_relay c_chain --listen "tcp://127.0.0.1:$PC" --forward "tls://localhost:$PS" --tls-ca "$T/ca.pem"
$FLOWTOOL send tcp 127.0.0.1 "$PC" "$T/recs.bin"
wait_lines "$T/s_chain.jsonl" 5 10
$FLOWTOOL compare "$T/recs.expected.jsonl" "$T/s_chain.jsonl" >/dev/null || fail "chain mode: records differ"
passed=$((passed + 1))
echo "ok: chain mode sends the intermediate; the client verifies leaf -> intermediate -> root"

# The good certificate from the same CA is accepted (the checks above can fail).
PS=$(free_port); PC=$(free_port)
start_relay s_good --listen "tls://127.0.0.1:$PS" --tls-cert "$T/good.pem" --tls-key "$T/good.key" \
  --output "jsonl:$T/s_good.jsonl"
start_relay c_good --listen "tcp://127.0.0.1:$PC" --forward "tls://localhost:$PS" --tls-ca "$T/ca.pem"
$FLOWTOOL send tcp 127.0.0.1 "$PC" "$T/recs.bin"
wait_lines "$T/s_good.jsonl" 5 10
$FLOWTOOL compare "$T/recs.expected.jsonl" "$T/s_good.jsonl" >/dev/null || fail "good certificate: records differ"
passed=$((passed + 1))
echo "tls_refusals: $passed passed, 0 failed"
