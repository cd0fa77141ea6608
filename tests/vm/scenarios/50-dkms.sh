#!/bin/bash
# DKMS: the source installed as /usr/src/ipt-netflow-ng-<version> (make install-dkms-src)
# goes through dkms add/build/install for the running kernel, modprobe loads the module
# from the tree dkms installed it into, and dkms remove takes every trace away.
# Needs on the host: dkms and linux-headers-$(uname -r) of the kernel the VM boots.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

kver=$(uname -r)
name=ipt-netflow-ng
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$NF_REPO/dkms.conf")
src=/usr/src/$name-$ver
command -v dkms >/dev/null || nf_die "dkms is not installed on the host (apt-get install dkms)"
[ -f "/usr/src/linux-headers-$kver/Makefile" ] ||
	nf_die "no headers for $kver on the host (apt-get install linux-headers-$kver)"
# The guest's /lib/modules/$kver comes from the image package; linux-headers-$kver adds
# this link on a real system.
[ -e "/lib/modules/$kver/build" ] || ln -s "/usr/src/linux-headers-$kver" "/lib/modules/$kver/build"
# Earlier scenarios may have copied the module into extra/: start from a clean tree.
rm -f "/lib/modules/$kver/extra/ipt_NETFLOW.ko"

assert_ok make -s -C "$NF_REPO" install-dkms-src
assert_ok test -x "$src/configure"
assert_ok test -f "$src/kernel/Kbuild"
assert_ok dkms add "$name/$ver"
assert_match "$(dkms status "$name/$ver")" "^$name/$ver: added" "dkms status after add"
if ! dkms build "$name/$ver" -k "$kver" >/tmp/dkms-build.log 2>&1; then
	cat /tmp/dkms-build.log
	cat "/var/lib/dkms/$name/$ver/build/make.log" 2>/dev/null || true
	nf_die "dkms build failed"
fi
assert_match "$(dkms status "$name/$ver" -k "$kver")" "built" "dkms status after build"
assert_ok dkms install "$name/$ver" -k "$kver"
assert_match "$(dkms status "$name/$ver" -k "$kver")" "installed" "dkms status after install"
ko=$(modinfo -n -k "$kver" ipt_NETFLOW) || nf_die "modinfo ipt_NETFLOW: not found after dkms install"
assert_match "$ko" "^/lib/modules/$kver/(updates|extra)/" "module path"
assert_eq "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" "$kver" "vermagic"

nf_install_xtables
assert_ok modprobe ipt_NETFLOW destination=127.0.0.1:2055 protocol=5
assert_eq "$(sysctl -n net.netflow.destination)" 127.0.0.1:2055 "sysctl destination"
assert_ok iptables -I OUTPUT -j NETFLOW
assert_ok ping -c2 -i0.2 -W2 127.0.0.1
assert_match "$(cat /proc/net/stat/ipt_netflow)" '^Flows: ' "/proc/net/stat/ipt_netflow"
assert_ok iptables -D OUTPUT -j NETFLOW
assert_ok rmmod ipt_NETFLOW

assert_ok dkms remove "$name/$ver" --all
assert_eq "$(dkms status "$name/$ver")" "" "dkms status after remove"
assert_fail test -e "$ko"
assert_fail test -e "/var/lib/dkms/$name"
assert_fail modinfo -k "$kver" ipt_NETFLOW
assert_ok make -s -C "$NF_REPO" uninstall-dkms
assert_fail test -e "$src"
