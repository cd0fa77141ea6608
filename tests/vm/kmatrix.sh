#!/bin/bash
# Kernel matrix (make check-kernels): for each kernel, build ipt_NETFLOW.ko from a snapshot
# of kernel/ with that kernel's own suite's gcc (in a debootstrap root, tests/vm/suite-root.sh;
# bookworm's on this machine), in the default configuration and the full-featured one
# (make kmod-full's switches), W=1; boot the kernel in the VM harness and run the scenarios
# against it; print a table and write it to tests/vm/kernels.md and README.md's
# "Supported kernels" (between <!-- kernels:begin --> and <!-- kernels:end -->).
#
# Usage: tests/vm/kmatrix.sh [TARGET...]            build + test (default: the list below)
#        tests/vm/kmatrix.sh --build TARGET         only build both configurations; prints the .ko
#        tests/vm/kmatrix.sh --kver TARGET          only print the kernel version
#        tests/vm/kmatrix.sh --list                 print the targets and their kernels
#        tests/vm/kmatrix.sh --table [TARGET...]    table from the logs of earlier runs
# Targets: SUITE or SUITE-rt (PREEMPT_RT flavour), SUITE one of bullseye bookworm trixie
#          trixie-backports sid experimental; the kernel is the newest linux-image-*-amd64
#          (-rt-amd64) of that suite's Packages index when the command runs (a new point
#          release or upstream version needs no change here). SUITE:KVER pins a kernel
#          (e.g. sid:7.2.13+deb14-amd64). generic and rt are bookworm and bookworm-rt.
#          Default: bullseye bookworm bookworm-rt trixie trixie-rt trixie-backports
#          trixie-backports-rt sid experimental. experimental (release candidates) is
#          reported but allowed to fail (NF_KMATRIX_ALLOW_FAIL, default "experimental").
# Env: NF_KMATRIX_SCENARIOS_<target> (- and : as _), NF_KMATRIX_SCENARIOS: scenario patterns
#      ("all" = every scenario; "none" = build only). Default: the Makefile's VM_SCENARIOS.
#      NF_KMATRIX_TABLE (default tests/vm/kernels.md; empty: do not write), JOBS (2),
#      NF_KMATRIX_LANES (1): runs side by side (a suite's targets in one lane; logs
#      build/kmatrix/lane-N.log),
#      NF_KMATRIX_REUSE=1: test the modules an earlier run built (no rebuild),
#      NF_SCENARIO_TIMEOUT (default here 900), NF_TSHARK_WAIT (default here 300),
#      NF_VM_CACHE (roots under $NF_VM_CACHE/roots, kernels under $NF_VM_CACHE/<kver>).
# Logs: build/kmatrix/logs/<target>/ (build-default.log, build-full.log, scenarios.log,
#       kmsg.log, run.out).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$REPO/build/kmatrix
JOBS=${JOBS:-2}
TABLE=${NF_KMATRIX_TABLE-$REPO/tests/vm/kernels.md}
ALLOW_FAIL=${NF_KMATRIX_ALLOW_FAIL:-experimental}
DEFAULT_TARGETS="bullseye bookworm bookworm-rt trixie trixie-rt trixie-backports trixie-backports-rt sid experimental"
ROOTSH=$HERE/suite-root.sh

die() { echo "kmatrix: error: $*" >&2; exit 1; }
say() { echo "kmatrix: $*" >&2; }

# TARGET -> "SUITE FLAVOR PINNED-KVER"
parse() {
	local t=$1 s f=amd64 k=""
	case "$t" in generic) t=bookworm ;; rt) t=bookworm-rt ;; esac
	case "$t" in *:*) k=${t#*:}; t=${t%%:*} ;; esac
	s=$t
	case "$s" in *-rt) s=${s%-rt}; f=rt ;; esac
	case "$s" in bullseye | bookworm | trixie | trixie-backports | sid | experimental) ;; *) die "unknown target '$1'" ;; esac
	[ -z "$k" ] || case "$k" in *-rt-amd64) f=rt ;; esac
	echo "$s $f ${k:--}"
}

kver_of() {
	local s f k
	read -r s f k < <(parse "$1")
	if [ "$k" = - ]; then k=$("$ROOTSH" "$s" --resolve "$f"); fi
	[ -n "$k" ] || die "cannot tell the kernel of $1"
	echo "$k"
}

snapshot_sources() { # DIR CONFIG   copy the module sources into DIR with CONFIG's nf_config.h
	local dir=$1 conf=$2 f
	[ -f "$REPO/kernel/nf_config.h" ] || die "kernel/nf_config.h missing: run ./configure first"
	rm -rf "$dir"
	mkdir -p "$dir"
	for f in "$REPO"/kernel/Kbuild "$REPO"/kernel/*.c "$REPO"/kernel/*.h; do
		case "$f" in *.mod.c) continue ;; esac
		cp "$f" "$dir/"
	done
	# full: every optional field, the same switches as make kmod-full
	[ "$conf" = default ] || make -s --no-print-directory -C "$REPO" kfull-config >"$dir/nf_config.h"
}

# SUITE KVER DIR LOG: build in DIR (with the suite's gcc), print the seconds it took
compile() {
	local s=$1 k=$2 dir=$3 log=$4 t0 root in vm
	t0=$(date +%s)
	if [ "$s" = bookworm ]; then
		nice -n 10 make -C "/usr/src/linux-headers-$k" M="$dir" W=1 modules -j"$JOBS" >"$log" 2>&1 ||
			{ tail -n 30 "$log" >&2; say "build for $k failed (log: $log)"; return 1; }
	else
		root=$("$ROOTSH" "$s" --path)
		# one directory per build: runs from two checkouts may share the suite root
		in=/usr/src/nf-kmatrix-$(basename "$dir")-$$
		rm -rf "${root:?}$in"
		cp -a "$dir" "$root$in"
		if ! nice -n 10 "$ROOTSH" "$s" --run make -C "/usr/src/linux-headers-$k" M="$in" W=1 modules -j"$JOBS" >"$log" 2>&1; then
			rm -rf "${root:?}$in"
			tail -n 30 "$log" >&2
			say "build for $k failed (log: $log)"
			return 1
		fi
		cp "$root$in/ipt_NETFLOW.ko" "$dir/"
		rm -rf "${root:?}$in"
	fi
	[ -f "$dir/ipt_NETFLOW.ko" ] || { say "no $dir/ipt_NETFLOW.ko after the build"; return 1; }
	vm=$(modinfo -F vermagic "$dir/ipt_NETFLOW.ko" | cut -d' ' -f1)
	[ "$vm" = "$k" ] || { say "$dir/ipt_NETFLOW.ko has vermagic '$vm', expected '$k'"; return 1; }
	echo $(($(date +%s) - t0))
}

warnings() { grep -c 'warning:' "$1" 2>/dev/null || true; }

gcc_of() { # SUITE
	if [ "$1" = bookworm ]; then gcc -dumpfullversion; else "$ROOTSH" "$1" --run gcc -dumpfullversion; fi
}

# TARGET -> sets BK (kver), B_<conf> (seconds or FAILED), W_<conf> (warning count); prints .ko
build() {
	local t=$1 s f k conf dir log secs
	read -r s f k < <(parse "$t")
	"$ROOTSH" "$s" >/dev/null
	k=$(kver_of "$t")
	"$ROOTSH" "$s" --headers "$k"
	mkdir -p "$OUT/logs/$t"
	for conf in default full; do
		dir=$OUT/$k-$conf
		log=$OUT/logs/$t/build-$conf.log
		snapshot_sources "$dir" "$conf"
		if secs=$(compile "$s" "$k" "$dir" "$log"); then
			echo "$conf ok $secs $(warnings "$log")"
		else
			echo "$conf FAILED - $(grep -c 'error:' "$log" || true)"
		fi
		[ "$(warnings "$log")" = 0 ] || say "$t $conf: compiler warnings (see $log)"
	done >"$OUT/logs/$t/build.res"
	echo "$k" >"$OUT/logs/$t/kver"
	gcc_of "$s" >"$OUT/logs/$t/gcc" 2>/dev/null || echo "?" >"$OUT/logs/$t/gcc"
	cat "$OUT/logs/$t/build.res" >&2
	grep -q '^default ok' "$OUT/logs/$t/build.res" || return 1
	echo "$OUT/$k-default/ipt_NETFLOW.ko"
}

default_scenarios() { # the Makefile's VM_SCENARIOS (make check-vm)
	local vm
	vm=$(sed -n 's/^VM_SCENARIOS *:= *//p' "$REPO/Makefile")
	[ -n "$vm" ] || die "no VM_SCENARIOS line in $REPO/Makefile"
	echo "$vm"
}

case "${1:-}" in
--build) build "${2:?target}"; exit ;;
--kver) kver_of "${2:?target}"; exit ;;
--list)
	shift
	# shellcheck disable=SC2086 # the list splits on purpose
	[ $# -gt 0 ] || set -- $DEFAULT_TARGETS
	for t in "$@"; do printf '%-22s %s\n' "$t" "$(kver_of "$t" 2>/dev/null || echo '?')"; done
	exit 0
	;;
--table)
	shift
	# shellcheck disable=SC2086 # the list splits on purpose
	[ $# -gt 0 ] || set -- $DEFAULT_TARGETS
	TABLE_ONLY=1
	;;
-h | --help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; exit 0 ;;
esac
# shellcheck disable=SC2086
[ $# -gt 0 ] || set -- $DEFAULT_TARGETS
for t in "$@"; do parse "$t" >/dev/null; done

declare -A RES PASSED FAILED VMSECS
overall=0
t_all=$(date +%s)
TABLE_ONLY=${TABLE_ONLY:-}
FROM_LOGS=$TABLE_ONLY

# NF_KMATRIX_LANES=N: N kmatrix runs side by side, each a share of the targets (the
# targets of one suite stay in one lane: they share its root, where apt installs the
# headers); the table is made from their logs once all are done. The VMs sleep a good
# part of the time (timeouts, conntrack, tshark), so two lanes take less than one.
LANES=${NF_KMATRIX_LANES:-1}
mkdir -p "$OUT"
if [ -z "$TABLE_ONLY" ] && [ "$LANES" -gt 1 ] && [ -z "${NF_KMATRIX_IN_LANE:-}" ] && [ $# -gt 1 ]; then
	declare -A lane_of
	lanes=()
	for ((i = 0; i < LANES; i++)); do lanes[i]=""; done
	for t in "$@"; do
		read -r s _ _ < <(parse "$t")
		if [ -z "${lane_of[$s]:-}" ]; then	# a new suite: the lane with the fewest targets
			best=0
			for ((i = 1; i < LANES; i++)); do
				[ "$(wc -w <<<"${lanes[i]}")" -ge "$(wc -w <<<"${lanes[best]}")" ] || best=$i
			done
			lane_of[$s]=$best
		fi
		lanes[${lane_of[$s]}]="${lanes[${lane_of[$s]}]} $t"
	done
	pids=()
	for ((i = 0; i < LANES; i++)); do
		[ -n "${lanes[i]// /}" ] || continue
		say "lane $i:${lanes[i]}"
		# shellcheck disable=SC2086 # the lane's targets split on purpose
		NF_KMATRIX_IN_LANE=1 NF_KMATRIX_TABLE='' "${BASH_SOURCE[0]}" ${lanes[i]} > >(tee "$OUT/lane-$i.log") 2>&1 &
		pids+=("$!")
	done
	for p in "${pids[@]}"; do wait "$p" || overall=1; done
	FROM_LOGS=1
fi

[ -n "$FROM_LOGS" ] || for t in "$@"; do
	logdir=$OUT/logs/$t
	mkdir -p "$logdir"
	rm -f "$logdir/run.out" "$logdir/vm.res"
	read -r s f k < <(parse "$t")
	if [ -n "${NF_KMATRIX_REUSE:-}" ] && grep -q '^default ok' "$logdir/build.res" 2>/dev/null &&
		[ -f "$OUT/$(cat "$logdir/kver")-default/ipt_NETFLOW.ko" ]; then
		say "=== $t: reusing the build of $(cat "$logdir/kver") (NF_KMATRIX_REUSE)"
		ko=$OUT/$(cat "$logdir/kver")-default/ipt_NETFLOW.ko
	elif ! ko=$(rm -f "$logdir/build.res"; say "=== $t: build"; build "$t"); then
		RES[$t]="BUILD FAILED"
		case " $ALLOW_FAIL " in *" $t "* | *" $s "*) ;; *) overall=1 ;; esac
		continue
	fi
	kv=$(cat "$logdir/kver")
	var=NF_KMATRIX_SCENARIOS_${t//[-:.+]/_}
	pats=${!var:-${NF_KMATRIX_SCENARIOS:-$(default_scenarios)}}
	if [ "$pats" = none ]; then
		RES[$t]="built"
		continue
	fi
	[ "$pats" != all ] || pats=
	full=$OUT/$kv-full/ipt_NETFLOW.ko
	[ -f "$full" ] || full=""
	say "=== $t: kernel $kv, module $ko, scenarios matching: ${pats:-(all)}"
	vstart=$(date +%s)
	set +e -f # -f: the patterns are globs for run-scenarios.sh, not for this shell
	# shellcheck disable=SC2086 # patterns split on purpose
	NF_VM_SUITE="$s" NF_VM_KVER="$kv" NF_VM_KERNEL_FLAVOR="$f" NF_KMOD="$ko" NF_KMOD_FULL="$full" \
		NF_VM_LOGDIR="$logdir" \
		NF_SCENARIO_TIMEOUT="${NF_SCENARIO_TIMEOUT:-900}" NF_TSHARK_WAIT="${NF_TSHARK_WAIT:-300}" \
		nice -n 10 "$HERE/run-scenarios.sh" $pats 2>&1 | tee "$logdir/run.out" | sed -u "s/^/[$t] /"
	rc=${PIPESTATUS[0]}
	set -e +f
	VMSECS[$t]=$(($(date +%s) - vstart))
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logdir/run.out" | tail -n1 || true)
	PASSED[$t]=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	FAILED[$t]=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
	if [ "$rc" = 0 ]; then RES[$t]=PASS; else
		RES[$t]=FAIL
		case " $ALLOW_FAIL " in *" $t "* | *" $s "*) ;; *) overall=1 ;; esac
	fi
	echo "${PASSED[$t]:--} ${FAILED[$t]:--} ${VMSECS[$t]} ${RES[$t]} ${pats:-all}" >"$logdir/vm.res"
done

# one row per kernel and configuration (from the logs: --table rebuilds it without a run)
table() {
	local t conf st secs w kv gccv p fl vs r
	echo "| target | kernel | gcc | config | build | W=1 warnings | passed | failed | VM (s) | result | scenarios |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	for t in "$@"; do
		kv=$(cat "$OUT/logs/$t/kver" 2>/dev/null || echo "?")
		gccv=$(cat "$OUT/logs/$t/gcc" 2>/dev/null || echo "?")
		read -r p fl vs r sc < <(cat "$OUT/logs/$t/vm.res" 2>/dev/null || echo "- - - - -")
		[ -z "${RES[$t]:-}" ] || [ "${RES[$t]}" = PASS ] || [ "${RES[$t]}" = FAIL ] || r=${RES[$t]}
		[ -f "$OUT/logs/$t/build.res" ] || r="not run"
		grep -q '^default ok' "$OUT/logs/$t/build.res" 2>/dev/null || [ ! -f "$OUT/logs/$t/build.res" ] || r="BUILD FAILED"
		for conf in default full; do
			read -r _ st secs w < <(grep "^$conf " "$OUT/logs/$t/build.res" 2>/dev/null || echo "$conf - - -")
			if [ "$st" = ok ]; then st="ok, ${secs} s"; w=${w:-0}; else st=${st/-/not built}; w=-; fi
			printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$t" "$kv" "$gccv" "$conf" \
				"$st" "$w" "$p" "$fl" "$vs" "$r" "$sc"
		done
	done
}

total=$(($(date +%s) - t_all))
when="in $total s on $(nproc) CPUs (qemu TCG)"
[ -z "$TABLE_ONLY" ] || when="from the logs of each kernel's latest run"
echo
echo "Kernel matrix ($when):"
table "$@"
for t in "$@"; do
	grep -h '^FAIL ' "$OUT/logs/$t/run.out" 2>/dev/null | sed "s/^/  $t: /" || true
done
if [ -n "$TABLE" ]; then
	{
		echo "# Kernel matrix"
		echo
		echo "Written by \`make check-kernels\` (tests/vm/kmatrix.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'),"
		echo "at commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?'), $when."
		echo "VM (s) is the wall time of that kernel's VM run; \"scenarios\" lists the patterns it ran."
		echo "\"build\" is the wall time of one configuration's W=1 build with that suite's gcc;"
		echo "scenarios count the VM run of the default module (NF_KMOD; the full one is NF_KMOD_FULL)"
		echo "plus run-scenarios.sh's final dmesg check. Allowed to fail: $ALLOW_FAIL."
		echo
		table "$@"
		echo
		for t in "$@"; do
			grep -h '^FAIL ' "$OUT/logs/$t/run.out" 2>/dev/null | sed "s/^/- $t: /" || true
		done
	} >"$TABLE"
	say "table written to $TABLE"
	# README's supported kernels are this table (between its kernels:begin/end markers)
	readme=$REPO/README.md
	if [ "$TABLE" = "$REPO/tests/vm/kernels.md" ] && grep -q '^<!-- kernels:begin' "$readme"; then
		awk -v tbl="$TABLE" '
			/^<!-- kernels:begin/ { print; while ((getline l < tbl) > 0) if (l ~ /^\|/) print l; skip = 1; next }
			/^<!-- kernels:end/ { skip = 0 }
			!skip' "$readme" >"$readme.new" && mv "$readme.new" "$readme"
		say "README.md's supported kernels updated"
	fi
fi
exit $overall
