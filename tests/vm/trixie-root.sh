#!/bin/bash
# Make (once) the Debian 13 "trixie" root used to build and boot the module on trixie's
# 6.12 kernel: debootstrap (buildd variant: build-essential), then inside it
# linux-headers-amd64, trixie's packaged kernel image and dkms (50-dkms runs trixie's dkms
# in a chroot of this root inside the VM). Idempotent: a second run only checks. Needs root, debootstrap and Debian's mirror (the same one apt uses here).
#
# Usage: tests/vm/trixie-root.sh [--kver]
#   --kver   print the kernel version of the root's linux-headers-amd64 (e.g. 6.12.57+deb13-amd64)
# Env: NF_VM_TRIXIE_ROOT (default $REPO/build/trixie), NF_TRIXIE_MIRROR (default
#      http://deb.debian.org/debian).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TROOT=${NF_VM_TRIXIE_ROOT:-$REPO/build/trixie}
MIRROR=${NF_TRIXIE_MIRROR:-http://deb.debian.org/debian}

say() { echo "trixie-root: $*" >&2; }
die() { echo "trixie-root: error: $*" >&2; exit 1; }

kver() {
	{ dpkg-query "--admindir=$TROOT/var/lib/dpkg" -W -f='${Depends}' linux-headers-amd64 2>/dev/null || true; } |
		sed 's/[,|]/\n/g' | sed -n 's/^ *linux-headers-\([^ ]*-amd64\).*/\1/p' | head -n1
}

in_root() { # run a command in the root with /proc mounted for it (debootstrap made /dev)
	local rc=0
	mount -t proc proc "$TROOT/proc"
	LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$TROOT" "$@" || rc=$?
	umount "$TROOT/proc"
	return $rc
}

if [ "${1:-}" = --kver ]; then
	k=$(kver)
	[ -n "$k" ] || die "no trixie root with linux-headers-amd64 at $TROOT (run $0)"
	echo "$k"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
mkdir -p "$(dirname "$TROOT")"
exec 9>"$TROOT.lock"
flock 9

if [ ! -x "$TROOT/usr/bin/gcc" ] || [ ! -f "$TROOT/.debootstrap.done" ]; then
	command -v debootstrap >/dev/null || die "debootstrap not found (apt-get install debootstrap)"
	say "debootstrap trixie into $TROOT (a few minutes)"
	rm -rf "$TROOT"
	debootstrap --variant=buildd --include=ca-certificates trixie "$TROOT" "$MIRROR" >&2
	touch "$TROOT/.debootstrap.done"
fi

k=$(kver)
if [ -z "$k" ] || [ ! -f "$TROOT/boot/vmlinuz-$k" ] || [ ! -d "$TROOT/usr/src/linux-headers-$k" ]; then
	say "installing linux-headers-amd64 and the kernel image in $TROOT"
	# the root only provides the kernel files and headers: no initramfs needed in it
	in_root apt-get install -y -q --no-install-recommends initramfs-tools >&2
	sed -i 's/^update_initramfs=.*/update_initramfs=no/' "$TROOT/etc/initramfs-tools/update-initramfs.conf"
	in_root apt-get install -y -q --no-install-recommends linux-headers-amd64 linux-image-amd64 >&2
	in_root apt-get clean >&2
	k=$(kver)
	if [ -z "$k" ] || [ ! -f "$TROOT/boot/vmlinuz-$k" ]; then die "kernel installation in $TROOT failed"; fi
fi
if [ ! -x "$TROOT/usr/sbin/dkms" ]; then
	say "installing dkms in $TROOT"
	in_root apt-get install -y -q --no-install-recommends dkms >&2
	in_root apt-get clean >&2
	[ -x "$TROOT/usr/sbin/dkms" ] || die "dkms installation in $TROOT failed"
fi
say "trixie root $TROOT: kernel $k, $(chroot "$TROOT" gcc --version | head -n1)"
