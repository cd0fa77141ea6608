#!/bin/bash
# Boot Debian's packaged kernel (see kernel.sh) under qemu TCG with the host root shared
# read-only over 9p plus a tmpfs overlay, run COMMAND as root inside, power off.
#
# Usage: tests/vm/run.sh [--timeout SECS] [--icount] [--smp N] [--mem MB] [--kmsg FILE]
#                        [--cpu MODEL] -- COMMAND [ARGS...]
#   --timeout SECS  kill a hung guest after SECS seconds (default 600): "VM TIMEOUT", exit 124
#   --icount        -icount shift=0,sleep=off (deterministic guest time, for benchmarks);
#                   implies --smp 1 unless --smp is given
#   --smp N         virtual CPUs (default 2)
#   --mem MB        guest memory (default 2048)
#   --kmsg FILE     write the guest's whole kernel log (dmesg --follow) to FILE on the host
#   --cpu MODEL     qemu -cpu model (default: qemu's default)
# The command runs with the host's current directory, NF_IN_VM=1, the host's NF_* variables
# and a standard PATH; its output (console, CR stripped) goes to stdout and its exit status
# is run.sh's exit status. 124 = timeout, 125 = the guest died without reporting a status
# (kernel panic, boot failure). A kernel oops/BUG during the run turns status 0 into 1.
# Env: NF_VM_CACHE (see kernel.sh), NF_VM_QEMU (qemu binary), NF_VM_APPEND (extra kernel
# command line), NF_VM_VERBOSE=1 (show the boot messages too).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

usage() {
	sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
	exit 2
}

timeout_s=600 icount=0 smp='' mem=2048 kmsg='' cpu=''
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) timeout_s=${2:?}; shift 2 ;;
	--timeout=*) timeout_s=${1#*=}; shift ;;
	--icount) icount=1; shift ;;
	--smp) smp=${2:?}; shift 2 ;;
	--smp=*) smp=${1#*=}; shift ;;
	--mem) mem=${2:?}; shift 2 ;;
	--mem=*) mem=${1#*=}; shift ;;
	--kmsg) kmsg=${2:?}; shift 2 ;;
	--kmsg=*) kmsg=${1#*=}; shift ;;
	--cpu) cpu=${2:?}; shift 2 ;;
	--cpu=*) cpu=${1#*=}; shift ;;
	--) shift; break ;;
	-h | --help) usage ;;
	*) echo "run.sh: unknown option '$1'" >&2; usage ;;
	esac
done
[ $# -ge 1 ] || { echo "run.sh: no COMMAND given" >&2; usage; }
case "$timeout_s$mem${smp:-1}" in *[!0-9]*) echo "run.sh: --timeout/--mem/--smp take numbers" >&2; exit 2 ;; esac
if [ -z "$smp" ]; then
	if [ $icount = 1 ]; then smp=1; else smp=2; fi
fi

QEMU=${NF_VM_QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null || { echo "run.sh: $QEMU not found (apt-get install qemu-system-x86)" >&2; exit 2; }

NF_VM_KERNEL='' NF_VM_INITRD='' NF_VM_MODDIR=''
# shellcheck source=/dev/null
source <("$HERE/kernel.sh" --env)
if [ ! -f "$NF_VM_KERNEL" ] || [ ! -f "$NF_VM_INITRD" ]; then
	echo "run.sh: kernel.sh failed" >&2
	exit 2
fi

mkdir -p "$REPO/build/vm-runs"
rundir=$(mktemp -d "$REPO/build/vm-runs/run.XXXXXX")
qpid=''
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	if [ -n "$qpid" ]; then kill "$qpid" 2>/dev/null || true; fi
	rm -rf "$rundir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for p in "$rundir" "$NF_VM_MODDIR" "$HERE/guest-init.sh"; do
	case "$p" in *[[:space:]]*)
		echo "run.sh: path '$p' contains whitespace; the kernel command line cannot carry it" >&2
		exit 2
		;;
	esac
done

case "$PWD/" in
/dev/* | /proc/* | /sys/*)
	echo "run.sh: warning: $PWD is not shared with the guest (its own /dev, /proc, /sys); cd into it may fail" >&2
	;;
esac
# The guest mounts a fresh /tmp and /run; these stay visible there at the same paths.
printf '%s\n' "$REPO" "$PWD" >"$rundir/keep"

nonce=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
echo "$nonce" >"$rundir/nonce"
flags=""
[ -z "$kmsg" ] || flags="$flags kmsg"
echo "$flags" >"$rundir/flags"
{
	while IFS= read -r v; do
		printf 'export %s=%q\n' "$v" "${!v}"
	done < <(compgen -e | grep '^NF_' | grep -v '^NF_VM_\(KERNEL\|INITRD\|MODDIR\|KVER\)$' || true)
	echo 'export NF_IN_VM=1'
	printf 'cd -- %q || exit 1\n' "$PWD"
	printf 'exec'
	printf ' %q' "$@"
	printf '\n'
} >"$rundir/cmd"

append="console=ttyS0,115200 loglevel=3 panic=-1 tsc=reliable no_timer_check"
append="$append i8042.noaux i8042.nokbd i8042.nopnp cryptomgr.notests"
append="$append nfvm.run=$rundir nfvm.moddir=$NF_VM_MODDIR nfvm.init=$HERE/guest-init.sh"
append="$append ${NF_VM_APPEND:-}"

# shellcheck disable=SC2054 # commas belong to qemu option values
qemu_args=(
	-accel tcg -nodefaults -no-user-config -display none -no-reboot
	-machine q35 -m "$mem" -smp "$smp"
	-kernel "$NF_VM_KERNEL" -initrd "$NF_VM_INITRD" -append "$append"
	-chardev stdio,id=con,signal=off -serial chardev:con
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
	-device virtio-rng-pci
)
[ -z "$cpu" ] || qemu_args+=(-cpu "$cpu")
# shellcheck disable=SC2054
[ "$icount" = 0 ] || qemu_args+=(-icount shift=0,sleep=off)
if [ -n "$kmsg" ]; then
	mkdir -p "$(dirname "$kmsg")"
	: >"$kmsg"
	qemu_args+=(-serial "file:$kmsg")
fi

mkfifo "$rundir/console"
timeout -k 5 "$timeout_s" "$QEMU" "${qemu_args[@]}" </dev/null >"$rundir/console" 2>&1 &
qpid=$!

# Console filter: strip CR, hide the boot noise before the command starts (shown if the
# guest never got there, or with NF_VM_VERBOSE=1), pick up the exit marker, hide the
# power-off chatter after it (but not a panic).
awk_stream=(awk)
# mawk reads pipes in big blocks unless told otherwise; the console must stream
if awk -W version 2>&1 | grep -q mawk; then awk_stream=(awk -W interactive); fi
# shellcheck disable=SC2016 # an awk program
"${awk_stream[@]}" -v nonce="$nonce" -v rcfile="$rundir/rc" -v verbose="${NF_VM_VERBOSE:-0}" '
	BEGIN { start = "NF_VM_START:" nonce; mark = "NF_VM_EXIT:" nonce ":"; started = 0; done = 0; n = 0 }
	{
		gsub(/\r/, "")
		if ($0 ~ /\] (sysrq: Power Off|reboot: Power down)$/) next
		if (done) {
			if ($0 ~ /Kernel panic|BUG:|Oops|Call Trace/) { print; fflush() }
			next
		}
		if (!started) {
			if (index($0, start)) { started = 1; n = 0; next }
			if (verbose == 1) { print; fflush() } else buf[n++] = $0
			next
		}
		i = index($0, mark)
		if (i) {
			if (i > 1) print substr($0, 1, i - 1)
			rc = substr($0, i + length(mark)); sub(/[^0-9].*/, "", rc)
			print rc > rcfile; close(rcfile)
			done = 1; fflush(); next
		}
		print; fflush()
	}
	END { if (!started) for (k = 0; k < n; k++) print buf[k] }
' <"$rundir/console"

set +e
wait "$qpid"
qst=$?
set -e
qpid=

if [ "$qst" = 124 ] || [ "$qst" = 137 ]; then
	echo "VM TIMEOUT after $timeout_s s"
	exit 124
fi
if [ -s "$rundir/rc" ]; then
	exit "$(cat "$rundir/rc")"
fi
echo "VM FAILED: the guest stopped without reporting an exit status (kernel panic or boot failure; qemu status $qst)"
exit 125
