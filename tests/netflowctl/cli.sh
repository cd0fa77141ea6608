#!/bin/bash
# netflowctl's command line without a kernel module: usage errors exit 2 with a
# message naming the culprit; --help and --version exit 0.
# Usage: tests/netflowctl/cli.sh PATH/TO/netflowctl
set -u
ctl=$1
fail=0
check() { # WANT_STATUS REGEX ARGS...
	local want=$1 re=$2 out rc
	shift 2
	out=$("$ctl" "$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ] || ! grep -Eq -- "$re" <<<"$out"; then
		echo "FAIL netflowctl $*: status $rc (want $want), output: $out"
		fail=1
	else
		echo "ok   netflowctl $* -> $rc"
	fi
}
check 0 '^usage: netflowctl stats' --help
check 0 'netlink API 1' --version
check 2 "no command given"
check 2 "unknown command 'frobnicate'" frobnicate
check 2 "unknown flag '--bogus'" --bogus
check 2 "unknown flag '--bogus' for 'stats'" stats --bogus
check 2 "unknown flag '--listen' for 'stats'" stats --listen x
check 2 "unknown flag '--json' for 'set'" set --json a b
check 2 "'set' needs NAME VALUE" set protocol
check 2 "unexpected argument 'x' for 'stats'" stats x
check 2 "unexpected argument 'b' for 'get'" get a b
check 2 "flag '--interval' needs seconds" watch --interval 0
check 2 "flag '--interval' needs a value" watch --interval
check 2 "flag '--iterations' needs a count" monitor --iterations=x
check 2 "unknown filter key 'bogus'" flows bogus=1
check 2 "bad value in filter term 'dport=x'" flows dport=x
check 2 "--listen: .*no :PORT" serve --listen localhost
exit $fail
