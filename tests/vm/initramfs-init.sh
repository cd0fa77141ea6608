#!/bin/busybox sh
# shellcheck shell=dash
# nf-vm first stage: load virtio/9p/overlay, mount host root read-only + tmpfs overlay,
# switch_root into it and run the second stage (tests/vm/guest-init.sh from the host).
# 9p cache=mmap (override: nfvm.cache=none|loose on the command line): binaries and
# libraries are mapped through the page cache (tshark starts 4x faster than with none),
# plain reads still see the host files as they are now.
# Copied into the initramfs as /init by kernel.sh.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
fail() {
	echo "nf-vm initramfs: $*" >/dev/console
	echo o >/proc/sysrq-trigger
	sleep 1000
}
while read -r m; do
	insmod "/modules/$m" || fail "insmod $m failed"
done </modules.list
run='' moddir='' stage2='' cache=mmap
# shellcheck disable=SC2013 # the command line is one line of words
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	nfvm.run=*) run=${arg#nfvm.run=} ;;
	nfvm.moddir=*) moddir=${arg#nfvm.moddir=} ;;
	nfvm.init=*) stage2=${arg#nfvm.init=} ;;
	nfvm.cache=*) cache=${arg#nfvm.cache=} ;;
	esac
done
if [ -z "$run" ] || [ -z "$moddir" ] || [ -z "$stage2" ]; then
	fail "missing nfvm.run/nfvm.moddir/nfvm.init on the kernel command line"
fi
mkdir -p /lower /rw /newroot
mount -t 9p -o "trans=virtio,version=9p2000.L,ro,msize=262144,cache=$cache" hostroot /lower || fail "cannot mount the host root over 9p"
mount -t tmpfs -o mode=0755 rw /rw
mkdir -p /rw/root/upper /rw/root/work /rw/mod/upper /rw/mod/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/root/upper,workdir=/rw/root/work root /newroot || fail "cannot mount the root overlay"
mkdir -p /newroot/lib/modules
mount -t overlay -o "lowerdir=/lower$moddir,upperdir=/rw/mod/upper,workdir=/rw/mod/work" modules /newroot/lib/modules || fail "cannot mount $moddir over /lib/modules"
mount -o move /dev /newroot/dev
mount -o move /proc /newroot/proc
mount -o move /sys /newroot/sys
[ -x /newroot/bin/bash ] || fail "host root has no /bin/bash"
exec switch_root /newroot /bin/bash "$stage2" "$run"
