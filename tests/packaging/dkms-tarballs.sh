#!/bin/bash
# tests/packaging/dkms-tarballs.sh KVER OUTDIR CLASSIC_DEB OUR_DKMS_DEB
# Builds, on the host, the DKMS modules of both packages for kernel KVER as DKMS
# "binaries-only" tarballs (dkms mktarball), so that the migration scenario (52-migration)
# does not compile them under TCG (~30 min each): a dkms package's postinst loads
# /usr/share/<package>/<name>-<version>.dkms.tar.gz with `dkms ldtarball` instead of
# building when it is there.  Writes:
#   OUTDIR/ipt-netflow-2.6.dkms.tar.gz       (Debian's iptables-netflow-dkms)
#   OUTDIR/ipt-netflow-ng-3.0.dkms.tar.gz    (our ipt-netflow-ng-dkms)
# dkms runs in a private mount namespace whose /etc/dkms/framework.conf points every tree
# (source, dkms, install, signing key) into OUTDIR/work: the host's /var/lib/dkms,
# /usr/src and /lib/modules are not touched.  Needs root (unshare -m), dkms and the
# headers of KVER (linux-headers-amd64).
set -euo pipefail
[ $# = 4 ] || { echo "usage: $0 KVER OUTDIR CLASSIC_DEB OUR_DKMS_DEB" >&2; exit 2; }
kver=$1 out=$(realpath -m "$2") classic=$(realpath "$3") ours=$(realpath "$4")
[ -d "/lib/modules/$kver/build" ] || { echo "dkms-tarballs: no headers for $kver" >&2; exit 2; }
w=$out/work
rm -rf "$w"
mkdir -p "$w/root" "$w/dkms" "$w/install" "$w/keys"
dpkg -x "$classic" "$w/root"
dpkg -x "$ours" "$w/root"
cat >"$w/framework.conf" <<EOC
source_tree="$w/root/usr/src"
dkms_tree="$w/dkms"
install_tree="$w/install"
mok_signing_key="$w/keys/mok.key"
mok_certificate="$w/keys/mok.pub"
EOC
build() { # NAME VERSION
	local name=$1 ver=$2
	# shellcheck disable=SC2016 # expanded by the inner bash
	unshare -m bash -euc '
		mount --bind "$1" /etc/dkms/framework.conf
		mount -t tmpfs tmpfs /var/lib/dkms   # anything dkms writes there by default
		dkms add -m "$2" -v "$3"
		dkms build -m "$2" -v "$3" -k "$4" || { cat "$5/dkms/$2/$3/build/make.log" >&2; exit 1; }
		dkms mktarball -m "$2" -v "$3" -k "$4" --binaries-only --archive "$6"
	' _ "$w/framework.conf" "$name" "$ver" "$kver" "$w" "$out/$name-$ver.dkms.tar.gz"
	# dkms mktarball writes a relative --archive name under the tree's tarball/ directory
	[ -f "$out/$name-$ver.dkms.tar.gz" ] ||
		cp "$w/dkms/$name/$ver/tarball/$name-$ver.dkms.tar.gz" "$out/" 2>/dev/null || true
	[ -f "$out/$name-$ver.dkms.tar.gz" ] || { echo "dkms-tarballs: no tarball for $name $ver" >&2; exit 1; }
}
build ipt-netflow 2.6
build ipt-netflow-ng 3.0
rm -rf "$w"
ls -l "$out"/*.dkms.tar.gz
