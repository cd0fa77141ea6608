#!/bin/bash
# Checks the VM harness itself, from the host: exit statuses passed out, timeout, panic,
# clean output, working directory, environment, argument quoting, --icount.
# Usage: tests/vm/selftest.sh      Prints "N passed, N failed"; non-zero exit on failure.
# shellcheck disable=SC2016 # the guest commands are single-quoted on purpose
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
RUN=$HERE/run.sh
cd "$REPO" || exit 2
pass=0 fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

check() { # WHAT CONDITION-STATUS DETAIL
	if [ "$2" = 0 ]; then
		echo "PASS $1"
		pass=$((pass + 1))
	else
		echo "FAIL $1: $3"
		sed 's/^/    | /' "$out"
		fail=$((fail + 1))
	fi
}
vm() { # ARGS...   run run.sh, stdout to $out (kernel.sh's note on stderr dropped); sets rc, secs
	local t0
	t0=$(date +%s)
	"$RUN" "$@" >"$out" 2>/dev/null
	rc=$?
	secs=$(($(date +%s) - t0))
}

t_start=$(date +%s)
"$HERE/kernel.sh" >/dev/null 2>&1 # fetch/build first, so the timings below are boots only

vm -- true
check "run.sh -- true exits 0 (${secs}s)" "$([ $rc = 0 ]; echo $?)" "exit status $rc"

vm -- sh -c 'exit 3'
check "run.sh -- sh -c 'exit 3' exits 3" "$([ $rc = 3 ]; echo $?)" "exit status $rc"

vm --timeout 25 -- sleep 1000
ok=1
[ $rc = 124 ] && [ $secs -ge 25 ] && [ $secs -le 45 ] && grep -qx 'VM TIMEOUT after 25 s' "$out" && ok=0
check "run.sh --timeout 25 -- sleep 1000 exits 124 after ${secs}s with 'VM TIMEOUT after 25 s'" $ok "exit status $rc after ${secs}s"

vm -- echo hello
ok=1
grep -qx hello "$out" && ! grep -q $'\r' "$out" && ok=0
check "run.sh -- echo hello prints hello, no CR" $ok "output above"
check "run.sh -- echo hello prints nothing else (quiet console)" "$([ "$(cat "$out")" = hello ]; echo $?)" "output above"

(cd "$REPO/tests" && NF_SELFTEST_VAR='x y' "$RUN" -- sh -c 'pwd; echo "$NF_IN_VM $NF_SELFTEST_VAR $PATH"; printf "[%s]" "$@"; echo' argv0 'a b' "c'd" '$e' >"$out" 2>/dev/null)
rc=$?
expect="$REPO/tests
1 x y /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
[a b][c'd][\$e]"
check "same cwd, NF_IN_VM=1, NF_* passed, PATH, arguments kept" "$([ $rc = 0 ] && [ "$(cat "$out")" = "$expect" ]; echo $?)" "status $rc, expected: $expect"

vm -- sh -c 'dmesg | grep -q "crng init done" && test "$(cat /proc/sys/kernel/random/entropy_avail)" -ge 256'
check "crng initialised before the command" "$([ $rc = 0 ]; echo $?)" "exit status $rc"

vm -- sh -c 'echo c >/proc/sysrq-trigger'
ok=1
[ $rc = 125 ] && grep -q 'Kernel panic' "$out" && grep -q '^VM FAILED' "$out" && ok=0
check "kernel panic: exit 125, panic shown, VM FAILED reported" $ok "exit status $rc"

vm --icount -- sh -c 'test "$(nproc)" = 1 && cat /proc/cmdline >/dev/null && sleep 1'
check "--icount boots (smp 1) and runs (${secs}s)" "$([ $rc = 0 ]; echo $?)" "exit status $rc"

echo "selftest took $(($(date +%s) - t_start))s"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
