#!/bin/bash
# Kernel matrix: build ipt_NETFLOW.ko for each kernel from a snapshot of kernel/ into
# build/kmatrix/<kver>/ (never in kernel/ itself), boot that kernel in the VM harness and
# run the kernel scenarios against it; print a table.
#
# Usage: tests/vm/kmatrix.sh [TARGET...]          build + test (default: generic rt trixie)
#        tests/vm/kmatrix.sh --build TARGET       only build; prints the .ko path
#        tests/vm/kmatrix.sh --kver TARGET        only print the kernel version
# Targets: generic  Debian 12's 6.1 (the version of the installed linux-headers-amd64)
#          rt       the same ABI's PREEMPT_RT flavour (linux-headers-<abi>-rt-amd64 is
#                   installed with apt-get on first use)
#          trixie   Debian 13's 6.12, built with trixie's gcc inside build/trixie
#                   (tests/vm/trixie-root.sh makes it on first use: a few minutes)
# Env: NF_KMATRIX_SCENARIOS_<target> (scenario patterns per target; "all" = every
#      scenario), NF_KMATRIX_SCENARIOS (same for every target). Default on every kernel:
#      the full VM suite (VM_SCENARIOS of the Makefile, what make check-vm runs) plus the
#      packaging scenarios 50-dkms and 51-install (on trixie, 50-dkms runs dkms in a chroot
#      of the trixie root, whose gcc and headers match the kernel booted).
#      NF_SCENARIO_TIMEOUT (default here 2400: 50-dkms compiles the module under TCG, and
#      depmod alone takes minutes on a busy machine), NF_TSHARK_WAIT (default here 300),
#      NF_VM_TRIXIE_ROOT.
# Logs: build/kmatrix/logs/<target>/ (scenarios.log, kmsg.log, build.log).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$REPO/build/kmatrix
TROOT=${NF_VM_TRIXIE_ROOT:-$REPO/build/trixie}
JOBS=${JOBS:-2}

die() { echo "kmatrix: error: $*" >&2; exit 1; }
say() { echo "kmatrix: $*" >&2; }

generic_kver() {
	dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null | sed 's/[,|]/\n/g' |
		sed -n 's/^ *linux-headers-\([^ ]*-amd64\).*/\1/p' | head -n1
}

kver_of() {
	local k
	case "$1" in
	generic) k=$(generic_kver) ;;
	rt) k=$(generic_kver); k=${k%-amd64}-rt-amd64 ;;
	trixie) k=$("$HERE/trixie-root.sh" --kver 2>/dev/null || true) ;;
	*) die "unknown target '$1' (generic, rt, trixie)" ;;
	esac
	[ -n "$k" ] || die "cannot tell the kernel version of $1"
	echo "$k"
}

snapshot_sources() { # DIR   copy the module sources (as configured) into DIR
	local dir=$1 f
	[ -f "$REPO/kernel/nf_config.h" ] || die "kernel/nf_config.h missing: run ./configure first"
	rm -rf "$dir"
	mkdir -p "$dir"
	for f in "$REPO"/kernel/Kbuild "$REPO"/kernel/*.c "$REPO"/kernel/*.h; do
		case "$f" in *.mod.c) continue ;; esac
		cp "$f" "$dir/"
	done
}

compile() { # TARGET KVER DIR LOG   build the module in DIR for KVER
	local t=$1 k=$2 dir=$3 log=$4
	case "$t" in
	generic | rt)
		make -C "/usr/src/linux-headers-$k" M="$dir" W=1 modules -j"$JOBS" >"$log" 2>&1 ||
			{ tail -n 30 "$log" >&2; die "build for $k failed (log: $log)"; }
		;;
	trixie)
		# bookworm's gcc 12 cannot build against 6.12's headers: build inside the root
		local in=/usr/src/nf-kmatrix
		rm -rf "${TROOT:?}$in"
		cp -a "$dir" "$TROOT$in"
		LC_ALL=C.UTF-8 chroot "$TROOT" make -C "/usr/src/linux-headers-$k" M="$in" W=1 modules -j"$JOBS" >"$log" 2>&1 ||
			{ tail -n 30 "$log" >&2; die "build for $k failed (log: $log)"; }
		cp "$TROOT$in/ipt_NETFLOW.ko" "$dir/"
		rm -rf "${TROOT:?}$in"
		;;
	esac
	[ -f "$dir/ipt_NETFLOW.ko" ] || die "no $dir/ipt_NETFLOW.ko after the build"
	local vm
	vm=$(modinfo -F vermagic "$dir/ipt_NETFLOW.ko" | cut -d' ' -f1)
	[ "$vm" = "$k" ] || die "$dir/ipt_NETFLOW.ko has vermagic '$vm', expected '$k'"
	if grep -q 'warning:' "$log"; then say "$t: compiler warnings (see $log)"; fi
}

build() { # TARGET -> prints the .ko; DIR-full/ipt_NETFLOW.ko: every optional field in
	local t=$1 k dir log
	if [ "$t" = trixie ]; then "$HERE/trixie-root.sh" >&2; fi
	k=$(kver_of "$t")
	dir=$OUT/$k
	log=$OUT/logs/$t/build.log
	mkdir -p "$(dirname "$log")"
	if [ "$t" != trixie ] && [ ! -f "/usr/src/linux-headers-$k/Makefile" ]; then
		say "installing linux-headers-$k"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "linux-headers-$k" >&2 ||
			die "cannot install linux-headers-$k"
	fi
	snapshot_sources "$dir"
	snapshot_sources "$dir-full"
	# the same features as make kmod-full
	make -s --no-print-directory -C "$REPO" kfull-config >"$dir-full/nf_config.h"
	compile "$t" "$k" "$dir" "$log"
	compile "$t" "$k" "$dir-full" "${log%.log}-full.log"
	echo "$dir/ipt_NETFLOW.ko"
}

default_scenarios() { # the Makefile's VM_SCENARIOS (make check-vm) + the packaging ones
	local vm
	vm=$(sed -n 's/^VM_SCENARIOS *:= *//p' "$REPO/Makefile")
	[ -n "$vm" ] || die "no VM_SCENARIOS line in $REPO/Makefile"
	echo "$vm 50- 51-"
}

env_of() { # TARGET -> env assignments for run-scenarios.sh
	case "$1" in
	generic) echo "NF_VM_KERNEL_FLAVOR=amd64 NF_VM_SUITE=bookworm" ;;
	rt) echo "NF_VM_KERNEL_FLAVOR=rt NF_VM_SUITE=bookworm" ;;
	trixie) echo "NF_VM_KERNEL_FLAVOR=amd64 NF_VM_SUITE=trixie NF_VM_TRIXIE_ROOT=$TROOT" ;;
	esac
}

case "${1:-}" in
--build) build "${2:?target}"; exit ;;
--kver) kver_of "${2:?target}"; exit ;;
-h | --help) sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}"; exit 0 ;;
esac
[ $# -gt 0 ] || set -- generic rt trixie

declare -A RES PASSED FAILED SECS KV
overall=0
t_all=$(date +%s)
for t in "$@"; do
	case "$t" in generic | rt | trixie) ;; *) die "unknown target '$t' (generic, rt, trixie)" ;; esac
	start=$(date +%s)
	logdir=$OUT/logs/$t
	mkdir -p "$logdir"
	say "=== $t: build"
	if ! ko=$(build "$t"); then
		RES[$t]="BUILD FAILED" PASSED[$t]=0 FAILED[$t]=- KV[$t]=$(kver_of "$t" 2>/dev/null || echo "?")
		SECS[$t]=$(($(date +%s) - start))
		overall=1
		continue
	fi
	KV[$t]=$(kver_of "$t")
	var=NF_KMATRIX_SCENARIOS_$t
	pats=${!var:-${NF_KMATRIX_SCENARIOS:-$(default_scenarios)}}
	[ "$pats" != all ] || pats=
	say "=== $t: kernel ${KV[$t]}, module $ko, scenarios matching: ${pats:-(all)}"
	set +e -f # -f: the patterns are globs for run-scenarios.sh, not for this shell
	# shellcheck disable=SC2046,SC2086 # env assignments and patterns split on purpose
	env $(env_of "$t") NF_KMOD="$ko" NF_KMOD_FULL="$(dirname "$ko")-full/ipt_NETFLOW.ko" \
		NF_VM_LOGDIR="$logdir" \
		NF_SCENARIO_TIMEOUT="${NF_SCENARIO_TIMEOUT:-2400}" NF_TSHARK_WAIT="${NF_TSHARK_WAIT:-300}" \
		"$HERE/run-scenarios.sh" $pats 2>&1 | tee "$logdir/run.out" | sed -u "s/^/[$t] /"
	rc=${PIPESTATUS[0]}
	set -e +f
	SECS[$t]=$(($(date +%s) - start))
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logdir/run.out" | tail -n1 || true)
	PASSED[$t]=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	FAILED[$t]=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
	if [ "$rc" = 0 ]; then RES[$t]=PASS; else RES[$t]=FAIL; overall=1; fi
done

echo
echo "Kernel matrix ($(($(date +%s) - t_all)) s):"
printf '%-8s %-24s %-12s %6s %6s %6s\n' target kernel result passed failed secs
for t in "$@"; do
	printf '%-8s %-24s %-12s %6s %6s %6s\n' "$t" "${KV[$t]:-?}" "${RES[$t]}" "${PASSED[$t]:--}" "${FAILED[$t]:--}" "${SECS[$t]}"
done
for t in "$@"; do
	[ "${RES[$t]}" = PASS ] || grep -h '^FAIL ' "$OUT/logs/$t/run.out" 2>/dev/null | sed "s/^/  $t: /" || true
done
exit $overall
