#!/bin/bash
# install_examples.sh BUILD_DIR SOURCE_DIR: installs libfnmflow (cmake
# --install, component fnmflow) into a temporary prefix, builds the C examples
# there the way the README says (cc + pkg-config), runs them against each
# other over TCP, and runs the Python example with the installed binding.
set -euo pipefail
B=$1 S=$2
T=$(mktemp -d /tmp/fnmflow-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cmake --install "$B" --component fnmflow --prefix "$T/usr" >"$T/install.log" || fail "cmake --install: $(cat "$T/install.log")"
for f in include/fnmflow.h include/fnmflow.hpp lib/python3/dist-packages/fnmflow/__init__.py; do
  [ -f "$T/usr/$f" ] || fail "$f not installed"
done
pc=$(find "$T/usr" -name fnmflow.pc)
[ -n "$pc" ] || fail "fnmflow.pc not installed"
lib=$(dirname "$(dirname "$pc")")
[ -L "$lib/libfnmflow.so" ] && [ -L "$lib/libfnmflow.so.1" ] && [ -f "$lib/libfnmflow.so.1.0.0" ] ||
  fail "libfnmflow.so, .so.1, .so.1.0.0 not in $lib"
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
[ "$(pkg-config --modversion fnmflow)" = 1.0.0 ] || fail "pkg-config --modversion fnmflow"
# the .pc is relocatable: its paths are where it was installed
[ "$(realpath "$(pkg-config --variable=includedir fnmflow)")" = "$T/usr/include" ] ||
  fail "pkg-config includedir $(pkg-config --variable=includedir fnmflow)"
for e in fnmflow_send fnmflow_recv; do
  # shellcheck disable=SC2046
  cc -std=c11 -Wall -Wextra -Werror -o "$T/$e" "$S/examples/$e.c" $(pkg-config --cflags --libs fnmflow) -lpthread ||
    fail "cc $e.c with pkg-config"
done
export LD_LIBRARY_PATH=$lib
"$T/fnmflow_recv" tcp://127.0.0.1:0 100 >"$T/recv.txt" 2>"$T/recv.log" &
rpid=$!
for _ in $(seq 100); do grep -q "listening on port" "$T/recv.log" && break; sleep 0.05; done
port=$(sed -n 's/^listening on port //p' "$T/recv.log")
[ -n "$port" ] || fail "fnmflow_recv did not start: $(cat "$T/recv.log")"
"$T/fnmflow_send" -p "tcp://127.0.0.1:$port" 100 >"$T/sent.txt" 2>"$T/send.log" || fail "fnmflow_send: $(cat "$T/send.log")"
wait "$rpid" || fail "fnmflow_recv: $(cat "$T/recv.log")"
cmp -s "$T/sent.txt" "$T/recv.txt" || fail "received records differ: $(diff "$T/sent.txt" "$T/recv.txt" | head -3)"
[ "$(wc -l <"$T/recv.txt")" -eq 100 ] || fail "$(wc -l <"$T/recv.txt") records"
echo "ok: C examples built with pkg-config against the installed library, 100 records exact"
out=$(FNMFLOW_LIBRARY='' PYTHONPATH="$T/usr/lib/python3/dist-packages" python3 "$S/examples/example.py") ||
  fail "example.py: $out"
expected="sent 3
192.0.2.1 -> 198.51.100.7:80 60 bytes
192.0.2.1 -> 198.51.100.7:443 60 bytes
192.0.2.1 -> 198.51.100.7:8104 60 bytes"
[ "$out" = "$expected" ] || fail "example.py printed: $out"
echo "ok: example.py with the installed binding"
