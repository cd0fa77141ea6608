#!/bin/bash
# readme_examples.sh README LIBFNMFLOW INCLUDE_DIR FNMFLOW_RECV: the code
# blocks of README.md marked "<!-- readme-example: NAME -->" are compiled
# (C, -Wall -Wextra -Werror) and run: send.c against fnmflow_recv over TCP,
# receive_send.py as it is; each must print what the README says.
set -euo pipefail
README=$1 LIB=$2 INC=$3 RECV=$4
T=$(mktemp -d /tmp/fnmflow-readme.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
awk -v dir="$T" '
  /<!-- readme-example: / { name = $3; next }
  name != "" && /^```/ { if (inblock) { inblock = 0; name = "" } else inblock = 1; next }
  inblock { print > (dir "/" name) }' "$README"
for f in send.c receive_send.py; do [ -s "$T/$f" ] || fail "README has no example $f"; done
cc -std=gnu11 -Wall -Wextra -Werror -I "$INC" -o "$T/send" "$T/send.c" -L "$(dirname "$LIB")" -lfnmflow ||
  fail "the README's C example does not compile"
LD_LIBRARY_PATH=$(dirname "$LIB")
export LD_LIBRARY_PATH
"$RECV" tcp://127.0.0.1:0 1 >"$T/recv.txt" 2>"$T/recv.log" &
rpid=$!
for _ in $(seq 100); do grep -q "listening on port" "$T/recv.log" && break; sleep 0.05; done
port=$(sed -n 's/^listening on port //p' "$T/recv.log")
out=$("$T/send" "tcp://127.0.0.1:$port") || fail "send.c: $out"
[ "$out" = "sent 1, dropped 0" ] || fail "send.c printed: $out"
wait "$rpid" || fail "fnmflow_recv: $(cat "$T/recv.log")"
grep -q "^src=10.0.0.1:0 dst=198.100.2.7:443 v4 proto=6 .* pkts=10 " "$T/recv.txt" ||
  fail "fnmflow_recv got: $(cat "$T/recv.txt")"
echo "ok: the README's C example compiles and its record arrives"
out=$(FNMFLOW_LIBRARY=$LIB python3 "$T/receive_send.py") || fail "receive_send.py: $out"
[ "$out" = "10.0.0.1 443" ] || fail "receive_send.py printed: $out"
echo "ok: the README's Python example runs"
