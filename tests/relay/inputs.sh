#!/bin/bash
# FastNetMon Flow messages encoded by `capnp encode` (an outside party) arrive
# over UDP, TCP and TLS and come out of jsonl with every field exact; bad
# frames close only their own connection and are counted.
. "$(dirname "$0")/lib.sh" "$@"

$FLOWTOOL gen 300 "$T/recs"
encode <"$T/recs.txt" >"$T/recs.bin"
make_ca
issue_cert server localhost "DNS:localhost"

for proto in udp tcp tls; do
  P=$(free_port)
  start_relay $proto --listen "$proto://127.0.0.1:$P" --tls-cert "$T/server.pem" --tls-key "$T/server.key" \
    --output "jsonl:$T/$proto.jsonl"
  $FLOWTOOL send $proto 127.0.0.1 "$P" "$T/recs.bin" "$T/ca.pem" localhost
  wait_lines "$T/$proto.jsonl" 300 20
  $FLOWTOOL compare "$T/recs.expected.jsonl" "$T/$proto.jsonl" || fail "$proto records differ"
  expect_counter $proto "fastnetmon_flow_${proto}_packets" 300
  expect_counter $proto total_simple_packets_processed 300
  eval "PORT_$proto=$P"
done
echo "ok: 300 records each over udp, tcp (python sender) and tls (python ssl)"

# openssl s_client as a TLS 1.3 sender, IPv6 listener.
P6=$(free_port)
start_relay v6 --listen "tls://[::1]:$P6" --tls-cert "$T/server.pem" --tls-key "$T/server.key" \
  --output "jsonl:$T/v6.jsonl"
python3 -c "
import sys, struct
sys.path.insert(0, '$HERE')
import flowtool
msgs = flowtool.split_messages(open('$T/recs.bin','rb').read())[:50]
open('$T/frames.bin','wb').write(b''.join(struct.pack('<Q', len(m)) + m for m in msgs))
"
head -n 50 "$T/recs.expected.jsonl" >"$T/first50.jsonl"
( cat "$T/frames.bin"; sleep 1 ) | timeout 20 openssl s_client -connect "[::1]:$P6" -tls1_3 -quiet -no_ign_eof -nocommands \
  -CAfile "$T/ca.pem" -verify_hostname localhost -verify_return_error >/dev/null 2>"$T/s_client.log" || true
wait_lines "$T/v6.jsonl" 50 20
$FLOWTOOL compare "$T/first50.jsonl" "$T/v6.jsonl" || fail "openssl s_client records differ"
echo "ok: 50 records over TLS 1.3 from openssl s_client to [::1]"

# Malformed input: zero length, over 64 KiB, garbage body, wrong root;
# each closes its own connection; a concurrent good stream is unharmed.
P=$PORT_tcp
python3 - "$P" "$T/recs.bin" <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])
good = open(sys.argv[2], "rb").read()
def frames():
    out, pos = [], 0
    while pos < len(good):
        n = struct.unpack_from("<I", good, pos)[0] + 1
        sizes = struct.unpack_from("<%dI" % n, good, pos + 4)
        total = (4 + 4 * n + 7) // 8 * 8 + 8 * sum(sizes)
        out.append(good[pos:pos + total]); pos += total
    return out
msgs = frames()
keep = socket.create_connection(("127.0.0.1", port))
keep.sendall(b"".join(struct.pack("<Q", len(m)) + m for m in msgs[:100]))
bad = [struct.pack("<Q", 0), struct.pack("<Q", 65537), struct.pack("<Q", 16) + b"\xee" * 16,
       # root pointer is a list, not a struct
       struct.pack("<Q", 16) + struct.pack("<II", 0, 1) + struct.pack("<Q", 0x0000001d00000001)]
for b in bad:
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b)
    s.settimeout(5)
    assert s.recv(10) == b"", "relay must close a connection after a bad frame"
    s.close()
keep.sendall(b"".join(struct.pack("<Q", len(m)) + m for m in msgs[100:]))
keep.close()
PY
wait_lines "$T/tcp.jsonl" 600 20
tail -n 300 "$T/tcp.jsonl" >"$T/tcp2.jsonl"
$FLOWTOOL compare "$T/recs.expected.jsonl" "$T/tcp2.jsonl" || fail "good stream damaged by bad peers"
expect_counter tcp fastnetmon_flow_malformed_zero_length 1
expect_counter tcp fastnetmon_flow_malformed_too_long 1
expect_counter tcp fastnetmon_flow_malformed_unparsable 1
expect_counter tcp fastnetmon_flow_malformed_wrong_root 1
expect_counter tcp fastnetmon_flow_connections_closed_bad_frame 4
grep -q "bad frame (zero length)" "$T/tcp.log" || fail "no log line for the bad frame"
# UDP: bad datagrams are counted, the relay lives on.
python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for d in [b'', b'\xff' * 64, b'\x00' * 7]:
    s.sendto(d, ('127.0.0.1', $PORT_udp))
"
wait_counter udp fastnetmon_flow_malformed_messages 3 10
stop_relay udp
echo "ok: malformed frames counted, only their connections closed"

# Many concurrent clients: 200 over TCP and 50 over TLS, all connected at
# once, each sending the first 50 records interleaved with the others.
python3 -c "
import sys
sys.path.insert(0, '$HERE')
import flowtool
open('$T/fifty.bin', 'wb').write(b''.join(flowtool.split_messages(open('$T/recs.bin', 'rb').read())[:50]))
"
head -n 50 "$T/recs.expected.jsonl" | sort >"$T/fifty.sorted"
for spec in "tcp 200" "tls 50"; do
  set -- $spec
  proto=$1; clients=$2
  PC=$(free_port)
  start_relay "many_$proto" --listen "$proto://127.0.0.1:$PC" --tls-cert "$T/server.pem" --tls-key "$T/server.key" \
    --output "jsonl:$T/many_$proto.jsonl"
  $FLOWTOOL many "$proto" 127.0.0.1 "$PC" "$T/fifty.bin" "$clients" "$T/ca.pem" localhost || fail "$proto clients"
  wait_lines "$T/many_$proto.jsonl" $((50 * clients)) 60
  expect_counter "many_$proto" "fastnetmon_flow_${proto}_connections_accepted" "$clients"
  expect_counter "many_$proto" "fastnetmon_flow_${proto}_packets" $((50 * clients))
  # Every client's 50 records arrived whole: the multiset is 'clients' copies.
  python3 - "$T/fifty.sorted" "$T/many_$proto.jsonl" "$clients" <<'PY' || fail "$proto: records differ"
import collections, json, sys
want = collections.Counter(json.dumps(json.loads(l), sort_keys=True) for l in open(sys.argv[1]))
got = collections.Counter(json.dumps(json.loads(l), sort_keys=True) for l in open(sys.argv[2]))
n = int(sys.argv[3])
assert got == collections.Counter({k: v * n for k, v in want.items()}), "multiset differs"
PY
  wait_counter_eq "many_$proto" fastnetmon_flow_connections_active 0 10
  stop_relay "many_$proto"
  echo "ok: $clients concurrent $proto clients, $((50 * clients)) records, all exact"
done
echo "inputs: 6 passed, 0 failed"
