#!/bin/bash
# nf-vm second stage: PID 1 inside the guest, started by the initramfs after switch_root.
# $1 = the run directory run.sh made on the host (visible here through 9p at the same
# path). It holds: cmd (bash script: env exports, cd, the command), nonce, flags.
# Prints "NF_VM_EXIT:<nonce>:<status>" on the console when the command has finished, then
# powers off. Not meant to be run by hand.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
umask 022
run=${1:?run directory}

poweroff_now() {
	echo o >/proc/sysrq-trigger
	sleep 1000
}
trap poweroff_now EXIT

echo "nf-vm: stage2 start" >/dev/kmsg
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
# Fresh /tmp and /run, but host paths run.sh needs (the repo, the working directory) stay
# visible if they live there (e.g. a CI clone under /tmp): hold them, then put them back.
mapfile -t keep < <(grep -E '^/(tmp|run)/' "$run/keep" 2>/dev/null || true)
mkdir -p /dev/.nf-hold
i=0
for p in "${keep[@]}"; do
	mkdir -p "/dev/.nf-hold/$i" && mount --bind "$p" "/dev/.nf-hold/$i"
	i=$((i + 1))
done
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
i=0
for p in "${keep[@]}"; do
	mkdir -p "$p" && mount --move "/dev/.nf-hold/$i" "$p"
	i=$((i + 1))
done
mkdir -p /run/lock /run/netns /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=000 devpts /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || true
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null || true
mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
hostname nf-vm
ip link set lo up

echo "nf-vm: mounts done" >/dev/kmsg
flags=$(cat "$run/flags" 2>/dev/null || true)

# Full kernel log to the second serial port (a host file) when run.sh was given --kmsg.
case " $flags " in
*" kmsg "*)
	stty -F /dev/ttyS1 raw -echo 2>/dev/null || true
	dmesg --follow --nopager >/dev/ttyS1 2>&1 &
	;;
esac

# Entropy: the virtio-rng device feeds the crng through hwrng; wait until the kernel says
# the crng is initialised so get_random_*() take the fast path from the start.
crng=0
for _ in $(seq 200); do
	if dmesg | grep -q 'crng init done'; then
		crng=1
		break
	fi
	sleep 0.05
done

nonce=$(cat "$run/nonce")
printf 'NF_VM_START:%s\n' "$nonce" >/dev/console
[ $crng = 1 ] || echo "nf-vm: warning: crng not initialised after 10 s (get_random_* will be slow)" >/dev/console
echo "nf-vm-mark: boot" >/dev/kmsg
# The command runs as a child so that PID 1 always survives to report its status.
bash "$run/cmd" </dev/null >/dev/console 2>&1
rc=$?

# An oops/BUG/panic-worthy event in the kernel makes the run fail even if the command
# did not notice; show the kernel's own words (the console is kept quiet otherwise).
# KCSAN's race reports ("BUG: KCSAN", debug kernels only) are not: the debug suite counts
# those with a frame of the module (the KCSAN kernel reports its own virtio races too).
if dmesg | grep -E 'Oops|BUG:|general protection fault|Kernel panic|kernel BUG at' |
	grep -qv 'BUG: KCSAN'; then
	{
		echo "nf-vm: kernel oops/BUG detected; kernel log follows"
		dmesg | grep -A40 -E 'Oops|BUG:|general protection fault|Kernel panic|kernel BUG at' | head -n 200
	} >/dev/console 2>&1
	[ "$rc" -ne 0 ] || rc=1
fi
printf 'NF_VM_EXIT:%s:%d\n' "$nonce" "$rc" >/dev/console
# stty sets the (unchanged) mode with TCSADRAIN: it returns once the serial line has sent
# everything, so the marker is out before the power-off messages of the kernel.
stty onlcr </dev/console 2>/dev/null || sleep 0.5
poweroff_now
