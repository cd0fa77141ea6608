# Shared helpers for the netflow-relay integration tests.
# Usage in a test: . "$(dirname "$0")/lib.sh" RELAY_BINARY SCHEMA
# Only loopback addresses; every wait is bounded.
set -eu
RELAY=$1
SCHEMA=$2
HERE=$(cd "$(dirname "$0")" && pwd)
FLOWTOOL="python3 $HERE/flowtool.py"
T=$(mktemp -d /tmp/nfr-relay-test.XXXXXX)
PIDS=""

cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  for p in $PIDS; do wait "$p" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  for f in "$T"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
  exit 1
}

# A port free for both TCP and UDP on 127.0.0.1.
free_port() {
  python3 - <<'PY'
import socket
for _ in range(100):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        t.close(); u.close()
PY
}

# start_relay NAME ARGS...: runs the relay with its own control socket and log,
# waits until it answers on the control socket.
start_relay() {
  local name=$1 pid; shift
  "$RELAY" "$@" --control "$T/$name.sock" 2>>"$T/$name.log" &
  pid=$!
  PIDS="$PIDS $pid"
  eval "PID_$name=$pid"
  for _ in $(seq 100); do
    "$RELAY" counters --control "$T/$name.sock" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || fail "relay $name exited at start"
    sleep 0.05
  done
  fail "relay $name did not come up"
}

stop_relay() {
  eval "pid=\$PID_$1"
  kill -TERM "$pid"
  rc=0
  wait "$pid" || rc=$?
  [ "$rc" -eq 0 ] || fail "relay $1 exited $rc on SIGTERM"
}

counter() {
  "$RELAY" counters --control "$T/$1.sock" | awk -v k="$2" '$1 == k { print $2 }'
}

# wait_counter NAME KEY VALUE SECONDS: until the counter reaches VALUE.
wait_counter() {
  end=$(( $(date +%s) + $4 ))
  while [ "$(date +%s)" -le "$end" ]; do
    v=$(counter "$1" "$2")
    [ -n "$v" ] && [ "$v" -ge "$3" ] && return 0
    sleep 0.1
  done
  fail "counter $2 of $1 is $(counter "$1" "$2"), expected $3"
}

# wait_counter_eq NAME KEY VALUE SECONDS: until the counter equals VALUE.
wait_counter_eq() {
  end=$(( $(date +%s) + $4 ))
  while [ "$(date +%s)" -le "$end" ]; do
    [ "$(counter "$1" "$2")" = "$3" ] && return 0
    sleep 0.1
  done
  fail "counter $2 of $1 is $(counter "$1" "$2"), expected $3"
}

expect_counter() {
  v=$(counter "$1" "$2")
  [ "$v" = "$3" ] || fail "counter $2 of $1 is $v, expected $3"
}

# wait_listening tcp|udp PORT SECONDS: until something listens on 127.0.0.1:PORT
# (a receiver started in the background; python can take seconds to start
# on a loaded machine, and a relay that finds nobody waits out its retry).
wait_listening() {
  local flag=-Htln
  [ "$1" = udp ] && flag=-Hlun
  end=$(( $(date +%s) + $3 ))
  while [ "$(date +%s)" -le "$end" ]; do
    ss $flag "sport = :$2" | grep -q . && return 0
    sleep 0.05
  done
  fail "nothing listening on $1 port $2"
}

wait_lines() {
  end=$(( $(date +%s) + $3 ))
  while [ "$(date +%s)" -le "$end" ]; do
    [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
    sleep 0.1
  done
  fail "$1 has $(wc -l <"$1" 2>/dev/null || echo 0) lines, expected $2"
}

wait_log() {
  end=$(( $(date +%s) + $3 ))
  while [ "$(date +%s)" -le "$end" ]; do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "no line matching '$2' in $1"
}

encode() { capnp encode "$SCHEMA" SimplePacketType; }
decode() { capnp decode --short "$SCHEMA" SimplePacketType; }

# write_ca_cnf DIR CERT KEY: an `openssl ca` setup signing with CERT/KEY.
write_ca_cnf() {
  mkdir -p "$1/newcerts"
  : >"$1/index.txt"
  echo 1000 >"$1/serial"
  cat >"$1/ca.cnf" <<CNF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $1/index.txt
new_certs_dir = $1/newcerts
serial = $1/serial
certificate = $2
private_key = $3
default_md = sha256
default_days = 2
policy = any
copy_extensions = copy
unique_subject = no
[ any ]
commonName = supplied
[ intermediate ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
CNF
}

# make_ca: a test CA in $T/ca.{key,pem}, signing in $T/ca/.
make_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/ca.key" \
    -out "$T/ca.pem" -subj "/CN=netflow-relay test CA" -days 2 2>/dev/null
  write_ca_cnf "$T/ca" "$T/ca.pem" "$T/ca.key"
}

# make_intermediate: $T/inter.{key,pem} signed by the CA, signing in $T/inter/.
make_intermediate() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/inter.key" \
    -out "$T/inter.csr" -subj "/CN=netflow-relay test intermediate" 2>/dev/null
  openssl ca -batch -config "$T/ca/ca.cnf" -extensions intermediate -in "$T/inter.csr" -out "$T/inter.pem" \
    -notext >/dev/null 2>&1 || fail "openssl ca intermediate"
  write_ca_cnf "$T/inter" "$T/inter.pem" "$T/inter.key"
}

# issue_cert NAME CN SAN [START END]: $T/NAME.{key,pem}, signed by $CA_DIR
# (default the CA).
issue_cert() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/$1.key" \
    -out "$T/$1.csr" -subj "/CN=$2" -addext "subjectAltName=$3" 2>/dev/null
  chmod 600 "$T/$1.key"
  dates=""
  [ $# -ge 5 ] && dates="-startdate $4 -enddate $5"
  # shellcheck disable=SC2086
  openssl ca -batch -config "${CA_DIR:-$T/ca}/ca.cnf" -in "$T/$1.csr" -out "$T/$1.pem" -notext $dates \
    >/dev/null 2>&1 || fail "openssl ca $1"
}
