#!/bin/bash
# check_symbols.sh LIB LIST: the dynamic symbols libfnmflow.so defines are
# exactly those in LIST (the ABI of SONAME libfnmflow.so.1), each with the
# version node FNMFLOW_1, and the SONAME is libfnmflow.so.1.  A symbol added
# to the API goes into LIST in the same change; one removed or renamed
# breaks the ABI (a new SONAME).
set -euo pipefail
lib=$1 list=$2
soname=$(objdump -p "$lib" | awk '$1 == "SONAME" {print $2}')
[ "$soname" = libfnmflow.so.1 ] || { echo "SONAME is '$soname', expected libfnmflow.so.1"; exit 1; }
actual=$(nm -D --defined-only --with-symbol-versions "$lib" | awk '$2 != "A" {print $3}' | sort)
expected=$(grep -v '^#' "$list" | sed '/^$/d; s/$/@@FNMFLOW_1/' | sort)
if [ "$actual" != "$expected" ]; then
  echo "exported symbols differ from $list (- expected, + exported):"
  diff <(echo "$expected") <(echo "$actual") | grep '^[<>]' | sed 's/^</-/; s/^>/+/'
  exit 1
fi
echo "$(echo "$actual" | wc -l) symbols, as listed"
