#!/bin/bash
# TLS handshake flood: 600 connections against a tls:// listener, all at
# once: 200 send random bytes (not a TLS record) instead of a ClientHello, 200 send half a
# ClientHello and stall, 100 connect and say nothing, 100 complete a TLS 1.3
# handshake and hang up.  Meanwhile a valid TLS client streams 5,000 records:
# it loses nothing; every flood connection is closed and counted (failure,
# timeout or ordinary close) and none stays open.
. "$(dirname "$0")/lib.sh" "$@"
N=5000
$FLOWTOOL gen $N "$T/recs"
encode <"$T/recs.txt" >"$T/recs.bin"
make_ca
issue_cert srv localhost "DNS:localhost"
P=$(free_port)
start_relay srv --listen "tls://127.0.0.1:$P" --tls-cert "$T/srv.pem" --tls-key "$T/srv.key" \
  --output "jsonl:$T/out.jsonl"

python3 - "$P" "$T/ca.pem" "$T/recs.bin" "$HERE" <<'PY' || fail "flood run"
import os, socket, ssl, struct, sys, threading, time
port, ca = int(sys.argv[1]), sys.argv[2]
sys.path.insert(0, sys.argv[4])
import flowtool
msgs = flowtool.split_messages(open(sys.argv[3], "rb").read())
stream = b"".join(struct.pack("<Q", len(m)) + m for m in msgs)

def ctx():
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.minimum_version = ssl.TLSVersion.TLSv1_3
    c.load_verify_locations(ca)
    return c

# A real ClientHello to cut in half: capture what an SSLObject writes first.
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx().wrap_bio(inc, out, server_hostname="localhost")
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = out.read()
assert len(hello) > 100, len(hello)

held, errors = [], []
def raw(payload):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    if payload:
        s.sendall(payload)
    held.append(s)

for i in range(200):  # not a TLS record header (type 'G', major version 0): refused at once
    raw(b"G\x00" + os.urandom(48 + i))
for i in range(200):
    raw(hello[:len(hello) // 2])
for i in range(100):
    raw(b"")

def full():
    try:
        s = ctx().wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30), server_hostname="localhost")
        s.close()
    except Exception as e:
        errors.append(repr(e))
flood = [threading.Thread(target=full) for _ in range(100)]
for t in flood:
    t.start()

# the valid client, while all that is going on
s = ctx().wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=60), server_hostname="localhost")
for off in range(0, len(stream), 4096):
    s.sendall(stream[off:off + 4096])
s.close()
for t in flood:
    t.join(60)
assert not errors, errors[:3]
print("flood: %d raw connections held open, 100 full handshakes" % len(held))
time.sleep(12)  # past the relay's 10 s handshake timeout
for h in held:
    h.close()
PY
wait_lines "$T/out.jsonl" $N 60
$FLOWTOOL compare "$T/recs.expected.jsonl" "$T/out.jsonl" >/dev/null || fail "valid stream damaged"
# every flood connection ends: failures/closes at once, stalled ones at the handshake timeout
wait_counter_eq srv fastnetmon_flow_connections_active 0 40
accepted=$(counter srv fastnetmon_flow_tls_connections_accepted)
failures=$(counter srv fastnetmon_flow_tls_handshake_failures)
timeouts=$(counter srv fastnetmon_flow_tls_handshake_timeouts)
records=$(counter srv fastnetmon_flow_tls_packets)
echo "figure: TLS flood: $accepted connections accepted (600 flood + 1 valid), $failures handshake failures, $timeouts handshake timeouts, valid client $records/$N records"
[ "$accepted" -eq 601 ] || fail "accepted $accepted, expected 601"
[ "$records" -eq $N ] || fail "records $records"
[ "$failures" -ge 200 ] || fail "random ClientHellos: $failures failures"
[ $((failures + timeouts)) -ge 500 ] || fail "only $((failures + timeouts)) of 500 bad handshakes counted"
kill -0 "$PID_srv" || fail "relay died"
stop_relay srv
echo "tls_flood: 1 passed, 0 failed"
