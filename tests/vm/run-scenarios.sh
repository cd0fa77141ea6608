#!/bin/bash
# Boot ONE VM and run the kernel scenarios in it (tests/vm/scenarios/*.sh, or those whose
# names match the patterns: shell globs matched anywhere in the name, e.g. "00" "netflow*v9").
#
# Usage: tests/vm/run-scenarios.sh [NAME-PATTERN...]
# Prints "PASS name (Ns)" / "FAIL name" per scenario (with the failing one's output), a
# final dmesg check, and exactly one closing line "N passed, N failed". Exits non-zero if
# anything failed or the VM itself failed (timeout, panic).
# Env: NF_SCENARIO_TIMEOUT (per scenario, default 300 s), NF_VM_TIMEOUT (whole VM; default
#      from the scenario count), NF_VERBOSE=1 (show all scenario output), NF_VM_SMP,
#      NF_VM_MEM; logs go to NF_VM_LOGDIR (default build/vm-logs/): scenarios.log, and
#      kmsg.log, the guest's whole kernel log.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
cd "$REPO"

per=${NF_SCENARIO_TIMEOUT:-300}
export NF_SCENARIO_TIMEOUT=$per
count=0
for f in "$HERE"/scenarios/*.sh; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .sh)
	if [ $# = 0 ]; then count=$((count + 1)); continue; fi
	for pat in "$@"; do
		# shellcheck disable=SC2053 # glob match on purpose
		if [[ $name == *$pat* ]]; then count=$((count + 1)); break; fi
	done
done
if [ $# -gt 0 ] && [ $count = 0 ]; then
	echo "run-scenarios: no scenario in tests/vm/scenarios matches: $*" >&2
	exit 2
fi
vm_timeout=${NF_VM_TIMEOUT:-$((count * (per + 20) + 180))}

logdir=${NF_VM_LOGDIR:-$REPO/build/vm-logs}
mkdir -p "$logdir"
log=$logdir/scenarios.log
echo "run-scenarios: $count scenario(s), ${per}s each at most; log: $log, kernel log: $logdir/kmsg.log"

set +e
"$HERE/run.sh" --timeout "$vm_timeout" --smp "${NF_VM_SMP:-2}" --mem "${NF_VM_MEM:-2048}" \
	--kmsg "$logdir/kmsg.log" -- bash "$HERE/guest-scenarios.sh" "$@" 2>&1 |
	tee "$log" | grep --line-buffered -v '^NF_SCENARIOS_RESULT '
vm_rc=${PIPESTATUS[0]}
set -e

result=$(sed -n 's/^NF_SCENARIOS_RESULT //p' "$log" | tail -n1)
if [ -n "$result" ] && { [ "$vm_rc" = 0 ] || [ "$vm_rc" = 1 ]; }; then
	passed=$(printf '%s\n' "$result" | sed -n 's/.*passed=\([0-9]*\).*/\1/p')
	failed=$(printf '%s\n' "$result" | sed -n 's/.*failed=\([0-9]*\).*/\1/p')
else
	# The VM died or hung before the runner finished: count what was reported, and the VM.
	passed=$(grep -c '^PASS ' "$log" || true)
	failed=$(grep -c '^FAIL ' "$log" || true)
	echo "FAIL vm (run.sh exit status $vm_rc: the VM timed out, panicked or did not boot)"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$vm_rc" = 0 ]
