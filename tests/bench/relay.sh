#!/bin/bash
# tests/bench/relay.sh — FastNetMon Flow records/s over TCP and TLS on loopback (issue 9,
# relay part), host side, wall clock (NOT icount: figures depend on the machine's load).
# Prints a markdown section on stdout.
#   direct:  relay_bench send -> relay_bench recv (the relay's codec: EncodeFrame batched into
#            64 KiB writes vs the naive framing, a write for the length and one per message)
#   relay:   relay_bench send -> netflow-relay --listen tcp|tls --forward tcp|tls -> recv
# Env: NF_BENCH_RELAY_N (records, default 2000000), NF_BENCH_RELAY_NAIVE_N (default 500000).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$REPO/build/bench
N=${NF_BENCH_RELAY_N:-2000000}
NN=${NF_BENCH_RELAY_NAIVE_N:-500000}
LIB=$REPO/build/userspace/relay/libnfr_core.a
RELAY=$(sed -n 's/^relay=//p' "$REPO/build/artifacts.env" 2>/dev/null | tail -n1)
RELAY=${RELAY:-$REPO/build/userspace/relay/netflow-relay}
mkdir -p "$OUT"
if [ ! -f "$LIB" ]; then
	echo "### Relay (FastNetMon Flow over TCP/TLS)"
	echo
	echo "skipped: $LIB not built (make userspace)"
	exit 0
fi
g++ -O2 -std=gnu++20 -I "$REPO/userspace/relay/src" -I "$REPO/build/userspace/relay/gen" \
	"$HERE/relay_bench.cc" "$LIB" -lcapnp -lkj -lssl -lcrypto -lpthread -o "$OUT/relay_bench"
B=$OUT/relay_bench
T=$(mktemp -d)
pids=()
# shellcheck disable=SC2317
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
	-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1
port=$((40000 + RANDOM % 20000))

# direct PROTO N batched|naive -> rec/s measured by the receiver
direct() {
	local proto=$1 n=$2 how=$3 p=$((port++)) r
	if [ "$proto" = tls ]; then
		"$B" recv tls $p "$n" "$T/cert.pem" "$T/key.pem" >"$T/recv" &
	else
		"$B" recv tcp $p "$n" >"$T/recv" &
	fi
	r=$!
	for _ in $(seq 50); do grep -q listening "$T/recv" && break; sleep 0.1; done
	"$B" send "$proto" 127.0.0.1 $p "$n" "$how" "$T/cert.pem" >/dev/null
	wait $r
	sed -n 's/^recv .* \([0-9]*\) rec\/s.*/\1/p' "$T/recv"
}
# via PROTO N: sender -> netflow-relay -> receiver
via() {
	local proto=$1 n=$2 pin=$((port++)) pout=$((port++)) r rel tlsargs=()
	[ "$proto" = tcp ] || tlsargs=(--tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --tls-ca "$T/cert.pem")
	if [ "$proto" = tls ]; then
		"$B" recv tls $pout "$n" "$T/cert.pem" "$T/key.pem" >"$T/recv" &
	else
		"$B" recv tcp $pout "$n" >"$T/recv" &
	fi
	r=$!
	for _ in $(seq 50); do grep -q listening "$T/recv" && break; sleep 0.1; done
	"$RELAY" --listen "$proto://127.0.0.1:$pin" --forward "$proto://localhost:$pout" "${tlsargs[@]}" \
		--control "$T/ctl" >"$T/relay.log" 2>&1 &
	rel=$!
	pids+=("$rel")
	for _ in $(seq 100); do ss -Htln "sport = :$pin" | grep -q . && break; sleep 0.1; done
	"$B" send "$proto" 127.0.0.1 $pin "$n" batched "$T/cert.pem" >/dev/null
	if ! timeout 120 tail --pid=$r -f /dev/null; then echo "timeout"; kill $r; fi
	wait $r 2>/dev/null || true
	kill $rel 2>/dev/null || true
	sed -n 's/^recv .* \([0-9]*\) rec\/s.*/\1/p' "$T/recv"
}

echo "### Relay: FastNetMon Flow records/s on loopback (wall clock, host load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| path | TCP rec/s | TLS rec/s | target |"
echo "|---|---|---|---|"
tb=$(direct tcp "$N" batched); sb=$(direct tls "$N" batched)
tn=$(direct tcp "$NN" naive); sn=$(direct tls "$NN" naive)
echo "| codec direct, batched framing (encode→send→recv→decode), $N records | $tb | $sb | ≥ 1.5M TCP, ≥ 1M TLS |"
echo "| codec direct, naive framing (2 writes/record), $NN records | $tn | $sn | |"
echo "| batched / naive | $(awk -v a="$tb" -v b="$tn" 'BEGIN{printf "%.1f", a/b}') | $(awk -v a="$sb" -v b="$sn" 'BEGIN{printf "%.1f", a/b}') | ≥ 5 |"
if [ -x "$RELAY" ]; then
	vt=$(via tcp "$N" || true); vs=$(via tls "$N" || true)
	echo "| through netflow-relay (listen → forward, same protocol), $N records | ${vt:-failed} | ${vs:-failed} | ≥ 1.5M TCP, ≥ 1M TLS |"
else
	echo "| through netflow-relay | not built | not built | |"
fi
