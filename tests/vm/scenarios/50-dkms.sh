#!/bin/bash
# DKMS: the source installed as /usr/src/ipt-netflow-ng-<version> (make install-dkms-src)
# goes through dkms add/build/install for the running kernel, modprobe loads the module
# from the tree dkms installed it into, it meters traffic, and dkms remove takes every
# trace away.
# Needs dkms and linux-headers-$(uname -r) of the kernel the VM boots, with the compiler
# that kernel was built with: on the host (Debian 12's 6.1), or else in the trixie root
# (NF_VM_TRIXIE_ROOT, default build/trixie, tests/vm/trixie-root.sh: Debian 13's 6.12,
# gcc 14), where dkms, depmod and modprobe then run in a chroot, trixie's own userland on
# trixie's kernel. The guest's writes go to its tmpfs overlay, so the root stays as it was.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

kver=$(uname -r)
kver_re=${kver//./\\.} # as a regex (trixie's is 6.12.107+deb13-amd64)
kver_re=${kver_re//+/\\+}
name=ipt-netflow-ng
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$NF_REPO/dkms.conf")
src=/usr/src/$name-$ver
root= # "": the host's system; else the root dkms runs in (chroot)
troot=${NF_VM_TRIXIE_ROOT:-$NF_REPO/build/trixie}
if [ ! -f "/usr/src/linux-headers-$kver/Makefile" ] && [ -f "$troot/usr/src/linux-headers-$kver/Makefile" ]; then
	root=$troot
fi
[ -f "$root/usr/src/linux-headers-$kver/Makefile" ] ||
	nf_die "no headers for $kver on the host (apt-get install linux-headers-$kver) nor in $troot"
[ -x "$root/usr/sbin/dkms" ] || command -v dkms >/dev/null ||
	nf_die "dkms is not installed ${root:+in $root (tests/vm/trixie-root.sh installs it)}${root:-on the host (apt-get install dkms)}"

mounts=()
umount_root() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[$i]}" 2>/dev/null || true; done
	mounts=()
}
in_root() { # CMD...   run CMD where dkms runs: the host's system, or the chroot
	if [ -n "$root" ]; then
		LC_ALL=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$root" "$@"
	else
		"$@"
	fi
}
if [ -n "$root" ]; then
	echo "dkms, depmod and modprobe run in a chroot of $root ($(in_root dkms --version 2>/dev/null | head -n1 || true))"
	# what a booted system has; unmounted at the end, or on the way out if it fails
	trap 'rc=$?; umount_root; (exit $rc); _nf_on_exit' EXIT
	mount -t proc proc "$root/proc" && mounts+=("$root/proc")
	mount -t sysfs sysfs "$root/sys" && mounts+=("$root/sys")
	mount --bind /dev "$root/dev" && mounts+=("$root/dev")
	mount -t tmpfs tmpfs "$root/tmp" && mounts+=("$root/tmp")
	assert_match "$(in_root gcc --version | head -n1)" 'gcc' "the root's compiler"
fi
# The guest's /lib/modules/$kver comes from the image package; linux-headers-$kver adds
# this link on a real system (the trixie root has it).
[ -e "$root/lib/modules/$kver/build" ] || ln -s "/usr/src/linux-headers-$kver" "$root/lib/modules/$kver/build"
# Earlier scenarios may have copied the module into extra/: start from a clean tree.
rm -f "$root/lib/modules/$kver/extra/ipt_NETFLOW.ko"

assert_ok make -s -C "$NF_REPO" install-dkms-src DESTDIR="$root"
assert_ok test -x "$root$src/configure"
assert_ok test -f "$root$src/kernel/Kbuild"
assert_ok in_root dkms add "$name/$ver"
assert_match "$(in_root dkms status "$name/$ver")" "^$name/$ver: added" "dkms status after add"
if ! in_root dkms build "$name/$ver" -k "$kver" >/tmp/dkms-build.log 2>&1; then
	cat /tmp/dkms-build.log
	cat "$root/var/lib/dkms/$name/$ver/build/make.log" 2>/dev/null || true
	nf_die "dkms build failed"
fi
assert_match "$(in_root dkms status "$name/$ver" -k "$kver")" "built" "dkms status after build"
assert_ok in_root dkms install "$name/$ver" -k "$kver"
assert_match "$(in_root dkms status "$name/$ver" -k "$kver")" "installed" "dkms status after install"
ko=$(in_root modinfo -n -k "$kver" ipt_NETFLOW) || nf_die "modinfo ipt_NETFLOW: not found after dkms install"
# trixie's dkms compresses the module as its kernel's own modules are (.ko.xz)
assert_match "$ko" "^/lib/modules/$kver_re/(updates|extra)/(dkms/)?ipt_NETFLOW\.ko(\.xz|\.zst|\.gz)?$" "module path"
assert_eq "$(in_root modinfo -F vermagic "$ko" | cut -d' ' -f1)" "$kver" "vermagic"

nf_install_xtables
assert_ok in_root modprobe ipt_NETFLOW destination=127.0.0.1:2055 protocol=5
assert_ok test -d /sys/module/ipt_NETFLOW
assert_eq "$(sysctl -n net.netflow.destination)" 127.0.0.1:2055 "sysctl destination"
pkts() { awk '$1 == "inPackets" { print $2 }' /proc/net/stat/ipt_netflow_snmp; }
before=$(pkts)
assert_ok iptables -I OUTPUT -j NETFLOW
assert_ok ping -c5 -i0.2 -W2 127.0.0.1
assert_ge "$(pkts)" $((before + 5)) "packets metered by the dkms-built module (inPackets)"
assert_match "$(cat /proc/net/stat/ipt_netflow)" '^Flows: ' "/proc/net/stat/ipt_netflow"
assert_ok iptables -D OUTPUT -j NETFLOW
assert_ok rmmod ipt_NETFLOW

assert_ok in_root dkms remove "$name/$ver" --all
assert_eq "$(in_root dkms status "$name/$ver")" "" "dkms status after remove"
assert_fail test -e "$root$ko"
assert_fail test -e "$root/var/lib/dkms/$name"
assert_fail in_root modinfo -k "$kver" ipt_NETFLOW
if [ -n "$root" ]; then
	rm -rf "${root:?}$src"
else
	assert_ok make -s -C "$NF_REPO" uninstall-dkms
fi
assert_fail test -e "$root$src"
umount_root
