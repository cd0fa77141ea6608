#!/bin/bash
# Runs inside the VM (started by run-scenarios.sh): every tests/vm/scenarios/*.sh, or those
# whose name matches one of the patterns (shell glob, matched anywhere in the name), one
# after another, each under `timeout`, with a full cleanup after each. Prints
# "PASS name (Ns)" (with the scenario's "figure: ..." lines) / "FAIL name ..." plus the
# failing scenario's output, then a final
# kernel-log check, then one machine-readable line "NF_SCENARIOS_RESULT passed=P failed=F"
# (run-scenarios.sh turns it into the closing "P passed, F failed" line).
# Env: NF_SCENARIO_TIMEOUT (seconds per scenario, default 300), NF_VERBOSE=1 (show every
#      scenario's output, not only the failing ones).
set -uo pipefail
[ "${NF_IN_VM:-}" = 1 ] || { echo "guest-scenarios.sh: runs inside the VM only (use run-scenarios.sh)" >&2; exit 2; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # read by lib.sh; not exported, so scenarios get the trap
NF_LIB_NO_TRAP=1
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"

per_timeout=${NF_SCENARIO_TIMEOUT:-300}
# processes that must survive the between-scenario cleanup (e.g. the kmsg logger)
NF_KEEP_PIDS=$(cd /proc && printf '%s ' [0-9]*)
export NF_KEEP_PIDS

matches() {
	local name=$1 pat
	[ $# -gt 1 ] || return 0
	shift
	for pat in "$@"; do
		# shellcheck disable=SC2053 # glob match on purpose
		[[ $name == *$pat* ]] && return 0
	done
	return 1
}

# NF_CLASSIC_HOST=1: behave as a host where Debian's iptables-netflow-dkms is installed
# (its files unpacked into the guest's overlay from build/classic/, `make classic-deb`:
# the classic libipt_/libip6t_NETFLOW.so, /usr/src/ipt-netflow-2.6, its dpkg status), so
# that `make check` is shown to pass there too.
if [ "${NF_CLASSIC_HOST:-}" = 1 ]; then
	classic=$(find "$HERE/../../build/classic" -name 'iptables-netflow-dkms_*.deb' 2>/dev/null | sort | tail -n1)
	if [ -z "$classic" ] || ! dpkg --unpack "$classic" >/tmp/classic-host.log 2>&1; then
		echo "FAIL NF_CLASSIC_HOST: cannot unpack the classic package (make classic-deb): $(cat /tmp/classic-host.log 2>/dev/null)"
		echo "NF_SCENARIOS_RESULT passed=0 failed=1"
		exit 1
	fi
	echo "NF_CLASSIC_HOST: $(basename "$classic") unpacked (iptables-netflow-dkms on this host)"
fi

# Debug kernels (make check-debug): what kmemleak suspects from boot is not ours.
KMEMLEAK=/sys/kernel/debug/kmemleak
# (kmemleak=off leaves the file, writes fail: EPERM)
kmemleak_on=0
if [ -w $KMEMLEAK ] && { echo clear >$KMEMLEAK; } 2>/dev/null; then kmemleak_on=1; fi

passed=0 failed=0
for f in "$HERE"/scenarios/*.sh; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .sh)
	matches "$name" "$@" || continue
	log=/tmp/nf-scenario-$name.log
	start=$(date +%s%N)
	NF_SCENARIO=$name timeout -k 10 "$per_timeout" bash "$f" >"$log" 2>&1 </dev/null
	rc=$?
	secs=$((($(date +%s%N) - start) / 1000000000))
	if [ $rc = 0 ]; then
		echo "PASS $name (${secs}s)"
		passed=$((passed + 1))
		if [ "${NF_VERBOSE:-}" = 1 ]; then sed "s/^/    $name| /" "$log"; else
			grep '^figure: ' "$log" | sed 's/^/    /' || true # what stress scenarios measured
		fi
	else
		why="exit status $rc"
		[ $rc != 124 ] && [ $rc != 137 ] || why="timeout after ${per_timeout}s"
		echo "FAIL $name ($why, ${secs}s)"
		failed=$((failed + 1))
		echo "----- output of $name -----"
		sed 's/^/    | /' "$log"
		echo "----- end of $name -----"
	fi
	# Whatever the scenario left behind (a timed-out one cleans nothing): stray processes,
	# every namespace, iptables, the module.
	cleanup_out=$(NF_CLEAN_ALL=1 nf_cleanup 2>&1) || {
		echo "FAIL cleanup after $name"
		printf '%s\n' "$cleanup_out" | sed 's/^/    | /'
		failed=$((failed + 1))
	}
done

# kmemleak (debug kernels), scanned with the module unloaded: every object it allocated
# and did not free is reported (twice: an object is reported from its second scan).
if [ "$kmemleak_on" = 1 ]; then
	rmmod ipt_NETFLOW 2>/dev/null
	echo scan >$KMEMLEAK
	sleep 5
	echo scan >$KMEMLEAK
	leaks=$(grep -c '^unreferenced object' $KMEMLEAK)
	if [ "$leaks" = 0 ]; then
		echo "PASS kmemleak (no unreferenced object since boot, the module unloaded)"
		passed=$((passed + 1))
	else
		echo "FAIL kmemleak ($leaks unreferenced objects)"
		head -n 80 $KMEMLEAK | sed 's/^/    | /'
		failed=$((failed + 1))
	fi
fi

# The kernel log since boot, over all scenarios, counts as one more test.
if out=$(nf_dmesg_clean boot 2>&1); then
	echo "PASS dmesg (no WARNING/BUG/Oops/deprecation/leak/lockup/stall since boot)"
	passed=$((passed + 1))
else
	echo "FAIL dmesg"
	printf '%s\n' "$out" | sed 's/^/    | /'
	failed=$((failed + 1))
fi
echo "NF_SCENARIOS_RESULT passed=$passed failed=$failed"
[ $failed = 0 ]
