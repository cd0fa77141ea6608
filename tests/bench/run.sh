#!/bin/bash
# tests/bench/run.sh — `make bench`: ipt_NETFLOW 2.6 (Debian's iptables-netflow-dkms) vs our
# module, side by side in one VM boot with deterministic guest time (issue 9).
#
# Usage: tests/bench/run.sh [--no-append] [--parse LOG]
#   --no-append  print the results table, do not append it to bench/results.md
#   --parse LOG  only format an existing guest log (RAW lines) instead of running the VM
#
# Steps (host): fetch + build the classic module into build/bench/ (apt-get download
# iptables-netflow-dkms, dpkg -x, its own configure with the DKMS flags of the Debian
# package, `make ipt_NETFLOW.ko`; cached), snapshot our module (NF_BENCH_OURS_KO, default
# the `kmod` artifact) to build/bench/ours.ko, boot tests/vm/run.sh --icount --smp 1 with
# slub_nomerge (so our slab caches are not merged and /proc/slabinfo shows them), run
# tests/bench/guest.sh in the guest; the relay part (tests/bench/relay.sh, wall clock on
# the host); tests/bench/report.py -> stdout + bench/results.md.
# Logs: build/bench/guest-<date>.log. Env: NF_BENCH_OURS_KO, NF_BENCH_CLASSIC_KO (skip the
# classic build), NF_BENCH_KDIR (headers for the classic build),
# NF_BENCH_TIMEOUT (VM timeout, default 2700 s), NF_BENCH_{FLOOD,EST,HITS,
# EXP10}_N (packet/flow counts, defaults 300000/200000/500000/200000), NF_BENCH_IPT,
# NF_BENCH_RELAY=0 (skip the relay part, tests/bench/relay.sh; it needs `make userspace`).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# the kernel the VM boots (tests/vm/kernel.sh resolves it); the classic module is built for it
KVER=${NF_VM_KVER:-$("$REPO/tests/vm/kernel.sh" --env 2>/dev/null | sed -n 's/^NF_VM_KVER=//p')}
[ -n "$KVER" ] || { echo "bench: cannot resolve the VM kernel (tests/vm/kernel.sh --env)" >&2; exit 2; }
KDIR=${NF_BENCH_KDIR:-/lib/modules/$KVER/build}
OUT=$REPO/build/bench
RESULTS=$REPO/bench/results.md
append=1 parse=''
while [ $# -gt 0 ]; do
	case "$1" in
	--no-append) append=0; shift ;;
	--parse) parse=${2:?}; shift 2 ;;
	*) echo "usage: $0 [--no-append] [--parse LOG]" >&2; exit 2 ;;
	esac
done
mkdir -p "$OUT" "$REPO/bench"
commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$REPO" status --porcelain -- kernel 2>/dev/null)" ]; then commit="$commit+dirty(kernel/)"; fi
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)

build_classic() {
	local src=$OUT/classic-src deb
	if [ -f "$src/ipt_NETFLOW.ko" ]; then echo "$src/ipt_NETFLOW.ko"; return; fi
	echo "bench: building ipt_NETFLOW 2.6 (iptables-netflow-dkms) in $src" >&2
	(
		cd "$OUT"
		deb=$(ls iptables-netflow-dkms_*.deb 2>/dev/null | tail -n1 || true)
		if [ -z "$deb" ]; then
			apt-get download iptables-netflow-dkms >&2
			deb=$(ls iptables-netflow-dkms_*.deb | tail -n1)
		fi
		rm -rf classic-pkg "$src"
		dpkg -x "$deb" classic-pkg
		cp -a classic-pkg/usr/src/ipt-netflow-* "$src"
		cd "$src"
		# the feature flags of the package's dkms.conf (PRE_BUILD), as DKMS builds it
		./configure --kdir="$KDIR" --kver="$KVER" --ipt-bin=/usr/sbin/iptables-legacy \
			--enable-natevents --enable-snmp-rules --enable-macaddress --enable-vlan \
			--enable-direction --enable-sampler --enable-physdev --enable-promisc \
			--promisc-mpls --disable-snmp-agent --disable-dkms >&2
		make -j2 ipt_NETFLOW.ko >&2
	)
	echo "$src/ipt_NETFLOW.ko"
}

t0=$(date +%s)
if [ -z "$parse" ]; then
	classic=${NF_BENCH_CLASSIC_KO:-$(build_classic)}
	ours=${NF_BENCH_OURS_KO:-$(sed -n 's/^kmod=//p' "$REPO/build/artifacts.env" 2>/dev/null | tail -n1)}
	ours=${ours:-$REPO/kernel/ipt_NETFLOW.ko}
	[ -f "$ours" ] || { echo "bench: no module at $ours (run make first)" >&2; exit 2; }
	[ -f "$REPO/xtables/libxt_NETFLOW.so" ] || { echo "bench: no xtables plugin (run make first)" >&2; exit 2; }
	# snapshots: a rebuild during the run must not change what is measured
	cp "$classic" "$OUT/classic.ko"
	cp "$ours" "$OUT/ours.ko"
	parse=$OUT/guest-$stamp.log
	echo "bench: VM run (icount, 1 vCPU); log $parse" >&2
	set +e
	NF_VM_APPEND="${NF_VM_APPEND:-} slub_nomerge" "$REPO/tests/vm/run.sh" --icount --smp 1 \
		--timeout "${NF_BENCH_TIMEOUT:-2700}" -- \
		bash "$HERE/guest.sh" "classic=$OUT/classic.ko" "ours=$OUT/ours.ko" | tee "$parse" | grep --line-buffered -v '^RAW ' >&2
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" != 0 ] || ! grep -q '^RAW vm done 1' "$parse"; then
		echo "bench: the VM run failed (status $rc); see $parse" >&2
		exit 1
	fi
fi
relay_md=$OUT/relay-$stamp.md
if [ "${NF_BENCH_RELAY:-1}" = 1 ]; then
	echo "bench: relay part (tests/bench/relay.sh)" >&2
	"$HERE/relay.sh" >"$relay_md" || echo "relay part failed (see above)" >>"$relay_md"
	echo "bench: libfnmflow's sender (tests/bench/fnmflow.sh)" >&2
	"$HERE/fnmflow.sh" >>"$relay_md" || echo "libfnmflow part failed (see above)" >>"$relay_md"
else
	echo "relay part skipped (NF_BENCH_RELAY=0)" >"$relay_md"
fi
wall=$(($(date +%s) - t0))
md=$(python3 "$HERE/report.py" "$parse" "$commit" "$stamp" "$wall" "$relay_md")
printf '%s\n' "$md"
if [ $append = 1 ]; then
	[ -f "$RESULTS" ] || printf '# Benchmark results (make bench)\n\nNewest last. See tests/bench/run.sh for the method.\n' >"$RESULTS"
	printf '%s\n' "$md" >>"$RESULTS"
	echo "bench: appended to $RESULTS" >&2
fi
