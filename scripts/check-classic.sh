#!/bin/sh
# scripts/check-classic.sh KVER XT_LIBDIR — run by `make install` (DESTDIR empty) before it
# copies anything: is another ipt_NETFLOW (Debian's iptables-netflow-dkms 2.6, a classic
# build from source, or our own DKMS package) installed where it would win over what
# `make install` puts in /lib/modules/KVER/extra and XT_LIBDIR?
#   - a package that owns such files: refuse, saying what to remove (or to install our
#     Debian packages instead, which replace iptables-netflow-dkms);
#   - a module elsewhere in /lib/modules/KVER (updates/, dkms): refuse, naming it;
#   - libipt_NETFLOW.so / libip6t_NETFLOW.so that are not ours and no package's (a classic
#     `make install` from source): taken over (make install replaces them with links
#     to our plugin).
# Exit 0: go ahead; exit 1 with the reason on stderr: refused.
set -u
kver=$1 xtdir=$2
refuse() {
	echo "make install: refused: $*" >&2
	exit 1
}

# Debian's classic package (any state in which its files are on disk)
st=$(dpkg-query -W -f='${db:Status-Status}' iptables-netflow-dkms 2>/dev/null || true)
case "$st" in
'' | not-installed | config-files) ;;
*)
	refuse "Debian's iptables-netflow-dkms (ipt_NETFLOW $(dpkg-query -W -f='${Version}' iptables-netflow-dkms)) is installed.
  Its DKMS module in /lib/modules/$kver/updates/dkms ranks above /lib/modules/$kver/extra,
  so 'modprobe ipt_NETFLOW' would still load it, and iptables would keep loading its
  $xtdir/libipt_NETFLOW.so and libip6t_NETFLOW.so instead of our plugin.
  Either install our Debian packages, which replace it in one step:
      make deb && sudo apt install ./build/deb/*.deb
  or remove it first, then run make install again:
      sudo apt-get remove iptables-netflow-dkms     (sudo rmmod ipt_NETFLOW if it is loaded)"
	;;
esac

# any other ipt_NETFLOW module for this kernel, outside the place make install writes
others=$(find "/lib/modules/$kver" -name 'ipt_NETFLOW.ko*' ! -path "/lib/modules/$kver/extra/ipt_NETFLOW.ko" 2>/dev/null)
if [ -n "$others" ]; then
	for f in $others; do
		pkg=$(dpkg-query -S "$f" 2>/dev/null | cut -d: -f1)
		how="rm $f && depmod -a $kver"
		case "$f" in */updates/dkms/*)
			how="dkms status, then dkms remove NAME/VERSION --all (ipt-netflow/2.6: a classic DKMS install;
      ipt-netflow-ng/3.0: ours, from make install-dkms: make uninstall-dkms; from the
      ipt-netflow-ng-dkms package: it already provides the module, make install is not needed)" ;;
		esac
		[ -z "$pkg" ] || how="apt-get remove $pkg"
		refuse "another ipt_NETFLOW module is installed for $kver: $f${pkg:+ (package $pkg)}.
  modprobe prefers it to /lib/modules/$kver/extra/ipt_NETFLOW.ko. Remove it first:
      $how"
	done
fi

# plugins under the names libxtables tries first
for a in libipt_NETFLOW.so libip6t_NETFLOW.so; do
	f=$xtdir/$a
	[ -e "$f" ] || [ -L "$f" ] || continue
	[ "$(readlink "$f")" != libxt_NETFLOW.so ] || continue
	pkg=$(dpkg-query -S "$f" 2>/dev/null | cut -d: -f1)
	if [ -n "$pkg" ]; then
		refuse "$f belongs to the package $pkg, and iptables loads it before our plugin.
  Remove it first: apt-get remove $pkg (or install our packages: make deb && apt install ./build/deb/*.deb)"
	fi
	if ! grep -q 'ipt-netflow-ng xtables plugin' "$f" 2>/dev/null; then
		echo "make install: taking over $f (a classic ipt_NETFLOW plugin no package owns): replaced by our plugin" >&2
	fi
done
exit 0
