#!/bin/bash
# The VM suite under the debug kernels (make check-debug): for each KIND (kasan, kcsan;
# tests/vm/debug-kernel.sh builds them once), build the module against that kernel in the
# default and the full configuration (W=1), boot it and run the scenarios (the Makefile's
# VM_SCENARIOS, 70-74 included, and 75-concurrency with 4 vCPUs in a boot of its own),
# then count the reports in the whole kernel log: KASAN, lockdep, RCU, DEBUG_OBJECTS,
# UBSAN, KCSAN (races with a frame of the module), kmemleak (scanned with the module
# unloaded) and any WARNING/BUG/Oops. Any report fails the run. panic_on_warn=1 is on
# the command line of the KASAN kernel's main boot (NF_DEBUG_PANIC_ON_WARN=0 turns it off
# to see every report of a run rather than the first); not of the KCSAN kernel's.
#
# Usage: tests/vm/debug-suite.sh [KIND...]     default: kasan kcsan
# Env:   NF_DEBUG_SCENARIOS (patterns; default: the Makefile's VM_SCENARIOS), NF_CONC_SECONDS
#        (75-concurrency's length; default here 300), NF_SCENARIO_TIMEOUT (default here 1800),
#        NF_STRESS_FLOOD (72-flood-maxflows' packets; default here 400000, four times its
#        maxflows: the 3,000,000 of the production run take over 30 minutes under KASAN),
#        NF_STRESS_MEMDROP_MB (72's bound on the system's MemAvailable drop; default here
#        1024: under KASAN the 400,000 packets took 434 MB, the module's slab 9 MB of it),
#        NF_DEBUG_TABLE (default tests/vm/debug.md; empty: do not write), JOBS (2).
# Logs:  build/debug-logs/<kind>/ (build-*.log, run.out, scenarios.log, kmsg.log and the
#        same with -conc for the 4-vCPU boot).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$REPO/build/debug-logs
JOBS=${JOBS:-2}
TABLE=${NF_DEBUG_TABLE-$REPO/tests/vm/debug.md}
[ $# -gt 0 ] || set -- kasan kcsan

say() { echo "debug-suite: $*" >&2; }
die() { echo "debug-suite: error: $*" >&2; exit 1; }

vm_scenarios() {
	local vm
	vm=$(sed -n 's/^VM_SCENARIOS *:= *//p' "$REPO/Makefile")
	[ -n "$vm" ] || die "no VM_SCENARIOS line in $REPO/Makefile"
	echo "$vm"
}

build_module() { # KIND CONF -> path of the .ko
	local kind=$1 conf=$2 bdir dir log
	bdir=$("$HERE/debug-kernel.sh" "$kind" --build-dir)
	dir=$OUT/$kind/module-$conf
	log=$OUT/$kind/build-$conf.log
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$REPO"/kernel/Kbuild "$REPO"/kernel/*.h "$dir/"
	for f in "$REPO"/kernel/*.c; do case "$f" in *.mod.c) ;; *) cp "$f" "$dir/" ;; esac; done
	[ "$conf" = default ] || make -s --no-print-directory -C "$REPO" kfull-config >"$dir/nf_config.h"
	make -C "$bdir" M="$dir" W=1 modules -j"$JOBS" >"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "module build ($kind, $conf) failed: $log"; }
	! grep -q 'warning:' "$log" || die "W=1 warnings in the $kind $conf build: $log"
	echo "$dir/ipt_NETFLOW.ko"
}

# Reports in a kernel log: "CLASS COUNT" lines.
count_reports() { # KMSG
	local k=$1
	printf 'KASAN %s\n' "$(grep -c 'BUG: KASAN' "$k" || true)"
	printf 'lockdep %s\n' "$(grep -cE 'possible circular locking|possible recursive locking|inconsistent lock state|lock held when returning|bad unlock balance|held lock freed|possible irq lock inversion|sleeping function called from invalid context' "$k" || true)"
	printf 'RCU %s\n' "$(grep -cE 'suspicious RCU usage|rcu.*stall' "$k" || true)"
	printf 'ODEBUG %s\n' "$(grep -c 'ODEBUG:' "$k" || true)"
	printf 'UBSAN %s\n' "$(grep -c 'UBSAN:' "$k" || true)"
	# KCSAN: a race report counts when one of its frames is the module's
	printf 'KCSAN %s\n' "$(awk '/BUG: KCSAN/ { if (r && ours) n++; r = 1; ours = 0; next }
		/^\[.*\] ====/ && r { if (ours) n++; r = 0; ours = 0 }
		r && /ipt_NETFLOW/ { ours = 1 }
		END { if (r && ours) n++; print n + 0 }' "$k")"
	printf 'other %s\n' "$(grep -E 'WARNING:|Oops|general protection|BUG:' "$k" | grep -cvE 'BUG: KASAN|BUG: KCSAN' || true)"
}

run_kind() { # KIND
	local kind=$1 kv ko full t0 logdir pats rc append
	logdir=$OUT/$kind
	mkdir -p "$logdir"
	t0=$(date +%s)
	kv=$("$HERE/debug-kernel.sh" "$kind") || die "the $kind kernel did not build"
	say "$kind: kernel $kv (built in $(cat "$("$HERE/debug-kernel.sh" "$kind" --build-dir)/build.seconds" 2>/dev/null || echo '?') s)"
	ko=$(build_module "$kind" default)
	full=$(build_module "$kind" full)
	pats=${NF_DEBUG_SCENARIOS:-$(vm_scenarios)}
	append="kmemleak=on"
	# not under KCSAN: a race report is a warning there (check_panic_on_warn), and the
	# kernel's own races (virtio's vring_interrupt, 166 s into the first boot) would end
	# the run; the count below keeps the races with a frame of the module
	[ "${NF_DEBUG_PANIC_ON_WARN:-1}" = 0 ] || [ "$kind" = kcsan ] || append="$append panic_on_warn=1"
	set +e -f
	# shellcheck disable=SC2086 # patterns split on purpose
	NF_VM_KVER="$kv" NF_KMOD="$ko" NF_KMOD_FULL="$full" NF_VM_LOGDIR="$logdir" \
		NF_VM_APPEND="$append" NF_DEBUG_KERNEL="$kind" \
		NF_DMESG_IGNORE='kmemleak: Kernel memory leak detector|kmemleak: Automatic memory scanning|BUG: KCSAN|KCSAN: ' \
		NF_SCENARIO_TIMEOUT="${NF_SCENARIO_TIMEOUT:-1800}" NF_TSHARK_WAIT="${NF_TSHARK_WAIT:-300}" \
		NF_STRESS_FLOOD="${NF_STRESS_FLOOD:-400000}" NF_STRESS_MEMDROP_MB="${NF_STRESS_MEMDROP_MB:-1024}" \
		"$HERE/run-scenarios.sh" $pats 2>&1 | tee "$logdir/run.out" | sed -u "s/^/[$kind] /"
	rc=${PIPESTATUS[0]}
	# the concurrency scenario: 4 vCPUs, a boot of its own, without kmemleak.  kmemleak
	# frees its record of every freed object through call_rcu(): under four pktgen threads
	# the RCU callback queues grew faster than the KASAN kernel ran them, and the kernel's
	# own rcu_barrier() (unregister_pernet_subsys() at unload) and synchronize_rcu()
	# waited behind them for over 6 minutes (grace periods themselves kept completing).
	# The main boot keeps kmemleak (and scans after the unload).
	mkdir -p "$logdir/conc"
	NF_VM_KVER="$kv" NF_KMOD="$ko" NF_KMOD_FULL="$full" NF_VM_LOGDIR="$logdir/conc" \
		NF_VM_APPEND="${append/kmemleak=on/kmemleak=off}" NF_VM_SMP=4 NF_CONC_SECONDS="${NF_CONC_SECONDS:-300}" \
		NF_DMESG_IGNORE='kmemleak: Kernel memory leak detector|kmemleak: Automatic memory scanning|BUG: KCSAN|KCSAN: ' \
		NF_SCENARIO_TIMEOUT="${NF_SCENARIO_TIMEOUT:-1800}" \
		"$HERE/run-scenarios.sh" 75-concurrency 2>&1 | tee "$logdir/conc/run.out" | sed -u "s/^/[$kind 4 vCPUs] /"
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	set -e +f
	cat "$logdir/kmsg.log" "$logdir/conc/kmsg.log" >"$logdir/kmsg-all.log" 2>/dev/null || true
	count_reports "$logdir/kmsg-all.log" >"$logdir/reports"
	if awk '$2 != 0 { bad = 1 } END { exit !bad }' "$logdir/reports"; then rc=1; fi
	{
		echo "kernel $kv"
		echo "seconds $(($(date +%s) - t0))"
		echo "scenarios $(sed -n 's/^\([0-9]* passed, [0-9]* failed\)$/\1/p' "$logdir/run.out" | tail -n1)"
		echo "conc $(sed -n 's/^\([0-9]* passed, [0-9]* failed\)$/\1/p' "$logdir/conc/run.out" | tail -n1)"
		echo "result $([ "$rc" = 0 ] && echo PASS || echo FAIL)"
	} >"$logdir/summary"
	return "$rc"
}

table() {
	local kind
	echo "# Debug kernels"
	echo
	echo "Written by \`make check-debug\` (tests/vm/debug-suite.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'),"
	echo "at commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'). Reports are counted in the whole"
	echo "kernel log of both boots (the suite with 2 vCPUs, 75-concurrency with 4)."
	echo
	echo "| kernel | build (s) | suite | 75-concurrency | KASAN | lockdep | RCU | ODEBUG | UBSAN | KCSAN (ours) | other | run (s) | result |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for kind in "$@"; do
		[ -f "$OUT/$kind/summary" ] || continue
		r() { awk -v k="$1" '$1 == k { print $2 }' "$OUT/$kind/reports"; }
		s() { sed -n "s/^$1 //p" "$OUT/$kind/summary"; }
		echo "| $(s kernel) | $(cat "$("$HERE/debug-kernel.sh" "$kind" --build-dir)/build.seconds" 2>/dev/null || echo '?') | $(s scenarios) | $(s conc) | $(r KASAN) | $(r lockdep) | $(r RCU) | $(r ODEBUG) | $(r UBSAN) | $(r KCSAN) | $(r other) | $(s seconds) | $(s result) |"
	done
}

overall=0
for kind in "$@"; do
	case "$kind" in kasan | kcsan) ;; *) die "unknown kind '$kind' (kasan, kcsan)" ;; esac
	run_kind "$kind" || overall=1
done
table "$@" | tee /dev/stderr >"${TABLE:-/dev/null}"
exit $overall
