#!/bin/sh
# Lint the man pages: groff must render each one without a warning, and man(1) too.
# Usage: tests/man/check.sh [PAGE...]   (default: man/*.[1-8])
set -eu
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || set -- man/*.[1-8]
command -v groff >/dev/null || { echo "man-check: groff not found (apt-get install groff-base)" >&2; exit 2; }
fail=0
for page in "$@"; do
	out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1) || out="$out (groff exit status $?)"
	if command -v man >/dev/null; then
		more=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null || echo "(man -l failed)")
		[ -z "$more" ] || out="${out:+$out
}$more"
	fi
	name=$(sed -n 's/^\.TH \([^ ]*\) \([0-9]\).*/\1(\2)/p' "$page" | head -n1 | sed 's/\\-/-/g')
	if [ -z "$name" ]; then
		echo "FAIL $page: no .TH line"
		fail=1
	elif [ -n "$out" ]; then
		echo "FAIL $page:"
		printf '%s\n' "$out" | sed 's/^/  /'
		fail=1
	else
		echo "PASS $page ($name)"
	fi
done
exit $fail
