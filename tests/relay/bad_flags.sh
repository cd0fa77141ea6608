#!/bin/bash
# Bad flags, URLs, values, config files, certificates and keys: one line
# naming the problem on stderr and exit code 2; nothing keeps running.
. "$(dirname "$0")/lib.sh" "$@"
passed=0

make_ca
issue_cert good localhost "DNS:localhost"
issue_cert other otherhost.test "DNS:otherhost.test"
cp "$T/good.key" "$T/open.key"
chmod 644 "$T/open.key"
echo "not a certificate" >"$T/junk.pem"
printf 'tera_flow_local_addresses = udp://127.0.0.1:1\ntera_flow_colour = blue\n' >"$T/unknown.conf"
printf 'flow_forwarder_sampling_rate = many\n' >"$T/badvalue.conf"
P=$(free_port)

expect2() {  # FRAGMENT ARGS...
  local want=$1 rc=0
  shift
  timeout 10 "$RELAY" --control "$T/never.sock" "$@" >"$T/out" 2>"$T/err" || rc=$?
  [ "$rc" -eq 2 ] || fail "exit $rc (want 2) for: $* ($(cat "$T/err"))"
  [ "$(wc -l <"$T/err")" -eq 1 ] || fail "want one line for: $*; got: $(cat "$T/err")"
  grep -q -- "$want" "$T/err" || fail "want '$want' for: $*; got: $(cat "$T/err")"
  passed=$((passed + 1))
  echo "ok: $(cat "$T/err")"
}

expect2 "unknown flag '--bogus'" --bogus
expect2 "needs a value" --listen
expect2 "unknown scheme 'http'" --listen http://127.0.0.1:80
expect2 "sflow:// is an input" --listen "udp://127.0.0.1:$P" --forward sflow://127.0.0.1:6343
expect2 "kafka:// is an output" --listen kafka://127.0.0.1/flows
expect2 "missing topic" --listen "udp://127.0.0.1:$P" --forward kafka://127.0.0.1:9092/
expect2 "format 'xml' is not capnp or json" --listen "udp://127.0.0.1:$P" --forward "kafka://127.0.0.1/t?format=xml"
expect2 "shards are FastNetMon Flow targets" --listen "udp://127.0.0.1:$P" --forward-shard "tcp://127.0.0.1:1,ipfix://127.0.0.1:2"
expect2 "empty URL" --listen "udp://127.0.0.1:$P" --forward-shard "tcp://127.0.0.1:1,,tcp://127.0.0.1:2"
expect2 "'sometimes' is not queue or rehash" --listen "udp://127.0.0.1:$P" --shard-down sometimes
expect2 "--shard-prefix-v4: 33 is out of range 0-32" --listen "udp://127.0.0.1:$P" --shard-prefix-v4 33
expect2 "Kafka property compression.codec=zip" --listen "udp://127.0.0.1:$P" \
  --forward "kafka://127.0.0.1/t?compression.codec=zip"
expect2 "out of range 1-65535" --listen udp://127.0.0.1:70000
expect2 "brackets" --listen udp://::1:8104
expect2 "not a valid IPv4" --listen udp://256.1.1.1:1
expect2 "nothing to listen on" --forward udp://127.0.0.1:1
expect2 "is an output" --listen ipfix://127.0.0.1:4739
expect2 "IP literal '127.0.0.1'" --listen "udp://127.0.0.1:$P" --forward tls://127.0.0.1:8104
expect2 "IP literal '::1'" --listen "udp://127.0.0.1:$P" --forward "tls://[::1]:8104"
expect2 "needs --tls-cert and --tls-key" --listen "tls://127.0.0.1:$P"
expect2 "world-readable" --listen "tls://127.0.0.1:$P" --tls-cert "$T/good.pem" --tls-key "$T/open.key"
expect2 "cannot load TLS certificate" --listen "tls://127.0.0.1:$P" --tls-cert "$T/junk.pem" --tls-key "$T/good.key"
expect2 "does not match certificate" --listen "tls://127.0.0.1:$P" --tls-cert "$T/other.pem" --tls-key "$T/good.key"
expect2 "No such file" --listen "tls://127.0.0.1:$P" --tls-cert "$T/missing.pem" --tls-key "$T/good.key"
expect2 "cannot load --tls-ca" --listen "udp://127.0.0.1:$P" --forward tls://localhost:1 --tls-ca "$T/junk.pem"
expect2 "out of range" --listen "udp://127.0.0.1:$P" --sampling-rate 0
expect2 "not a non-negative integer" --listen "udp://127.0.0.1:$P" --reconnect-interval soon
expect2 "jsonl:PATH" --listen "udp://127.0.0.1:$P" --output csv:/tmp/x
expect2 "unknown setting 'tera_flow_colour'" --config "$T/unknown.conf"
expect2 "badvalue.conf:1" --config "$T/badvalue.conf"
expect2 "cannot read config file" --config "$T/missing.conf"

# `counters` with nobody listening: a clear message, exit 1.
rc=0
"$RELAY" counters --control "$T/nobody.sock" 2>"$T/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "cannot reach netflow-relay" "$T/err" || fail "counters without relay: rc=$rc $(cat "$T/err")"
passed=$((passed + 1))

# A good config file with the FastNetMon key names starts the relay.
cat >"$T/good.conf" <<CONF
# FastNetMon key names
tera_flow_local_addresses = ["udp://127.0.0.1:$P", "tls://127.0.0.1:$P"]
tera_flow_tls_certificate_path = $T/good.pem
tera_flow_tls_private_key_path = $T/good.key
tera_flow_tls_certificate_chain = false
flow_forwarder_sampling_rate = 4
CONF
start_relay conf --config "$T/good.conf"
expect_counter conf fastnetmon_flow_udp_packets 0
grep -q "listening on tls://127.0.0.1:$P" "$T/conf.log" || fail "config file listeners"
stop_relay conf
passed=$((passed + 1))
echo "bad_flags: $passed passed, 0 failed"
