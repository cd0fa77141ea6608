#!/bin/bash
# Resolve, fetch, extract and cache the Debian kernel that matches the installed
# linux-headers-amd64, and build the busybox initramfs that boots it under qemu.
#
# Usage: tests/vm/kernel.sh [--env]
#   (no option)  prepare the cache (idempotent; a second run is instant) and print a summary
#   --env        prepare, then print shell assignments (NF_VM_KVER, NF_VM_KERNEL,
#                NF_VM_INITRD, NF_VM_MODDIR) for run.sh to source
# Env: NF_VM_CACHE (default $REPO/build/vm-cache), NF_VM_KVER (force a kernel version,
#      e.g. 6.1.0-56-amd64, instead of resolving it from linux-headers-amd64).
#      NF_VM_KERNEL_FLAVOR: amd64 (default) or rt: the PREEMPT_RT twin of the same ABI
#      (linux-image-<abi>-rt-amd64, e.g. 6.1.0-56-rt-amd64).
#      NF_VM_SUITE: bookworm (default: the host's packages) or another suite of the kernel
#      matrix (bullseye trixie trixie-backports sid experimental): the kernel is NF_VM_KVER,
#      or the suite's newest one (tests/vm/suite-root.sh SUITE --resolve FLAVOR), downloaded
#      with that suite's apt (the debootstrap root of suite-root.sh), split packages
#      (linux-binary-/linux-modules-/linux-base-<v>) included.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${NF_VM_CACHE:-$REPO/build/vm-cache}
FLAVOR=${NF_VM_KERNEL_FLAVOR:-amd64}
SUITE=${NF_VM_SUITE:-bookworm}
case "$FLAVOR" in amd64 | rt) ;; *) echo "vm-kernel: error: NF_VM_KERNEL_FLAVOR must be amd64 or rt, not '$FLAVOR'" >&2; exit 1 ;; esac
case "$SUITE" in bookworm | bullseye | trixie | trixie-backports | sid | experimental) ;; *) echo "vm-kernel: error: NF_VM_SUITE must be bookworm, bullseye, trixie, trixie-backports, sid or experimental, not '$SUITE'" >&2; exit 1 ;; esac
DPKGQ=(dpkg-query)

say() { echo "vm-kernel: $*" >&2; }
die() { echo "vm-kernel: error: $*" >&2; exit 1; }

for tool in dpkg-query dpkg apt-get apt-cache depmod cpio flock; do
	command -v "$tool" >/dev/null || die "'$tool' not found (install: apt-get install dpkg apt kmod cpio util-linux)"
done
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || die "$BUSYBOX not found (apt-get install busybox-static)"
file_is_static() { ! LC_ALL=C ldd "$1" >/dev/null 2>&1; }
file_is_static "$BUSYBOX" || die "$BUSYBOX is dynamically linked; install busybox-static"

# --- which kernel -----------------------------------------------------------------------
resolve_kver() {
	if [ -n "${NF_VM_KVER:-}" ]; then
		echo "$NF_VM_KVER"
		return
	fi
	local deps hdr
	if [ "$SUITE" != bookworm ]; then
		"$HERE/suite-root.sh" "$SUITE" --resolve "$FLAVOR"
		return
	fi
	# shellcheck disable=SC2016 # dpkg-query's own ${Field} syntax
	deps=$("${DPKGQ[@]}" -W -f='${Depends}' linux-headers-amd64 2>/dev/null) ||
		die "linux-headers-amd64 is not installed (apt-get install linux-headers-amd64)"
	# e.g. "linux-headers-6.1.0-56-amd64 (= 6.1.192-2)"
	hdr=$(printf '%s\n' "$deps" | sed 's/[,|]/\n/g' | sed -n 's/^ *linux-headers-\([^ ]*-amd64\).*/\1/p' | head -n1)
	[ -n "$hdr" ] || die "cannot find linux-headers-<ver>-amd64 in the dependencies of linux-headers-amd64: '$deps'"
	# the rt flavour of the same ABI: 6.1.0-56-amd64 -> 6.1.0-56-rt-amd64
	[ "$FLAVOR" = amd64 ] || hdr=${hdr%-amd64}-$FLAVOR-amd64
	echo "$hdr"
}
KVER=$(resolve_kver)
# shellcheck disable=SC2016
HDRVER=$("${DPKGQ[@]}" -W -f='${Version}' "linux-headers-$KVER" 2>/dev/null || true)
DIR=$CACHE/$KVER
ROOT=$DIR/root
KERNEL=$ROOT/boot/vmlinuz-$KVER
MODDIR=$ROOT/lib/modules
INITRD=$DIR/initramfs.cpio

# Concurrent runs (several run.sh at once) wait for one another while the cache is prepared.
mkdir -p "$DIR"
exec 9>"$DIR/.lock"
flock 9

# --- fetch + extract ----------------------------------------------------------------------
fetch_image() {
	mkdir -p "$DIR/debs"
	local pkg cand got=""
	# The signed image is what Debian users boot; the -unsigned one has the same bits.
	for pkg in "linux-image-$KVER" "linux-image-$KVER-unsigned"; do
		cand=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
		if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
			continue
		fi
		# Prefer exactly the headers' version; fall back to whatever the archive has
		# (same ABI number = same module ABI).
		if [ -n "$HDRVER" ] && (cd "$DIR/debs" && apt-get download -q "$pkg=$HDRVER" >/dev/null 2>&1); then
			got=$pkg
		elif (cd "$DIR/debs" && apt-get download -q "$pkg" >/dev/null 2>&1); then
			got=$pkg
		fi
		[ -n "$got" ] && break
	done
	if [ -z "$got" ]; then
		return 1
	fi
	echo "$got"
}

# other suites: that suite's apt downloads the image and, for split packages, its
# linux-binary (vmlinuz in /usr/lib/modules/<v>/), linux-modules and linux-base
# (modules.builtin, ...); all are extracted and laid out as bookworm's (boot/vmlinuz-<v>,
# lib/modules/<v>).
fetch_suite() {
	local pkg deb
	mkdir -p "$DIR/debs" "$ROOT"
	pkg=$("$HERE/suite-root.sh" "$SUITE" --download "$KVER" "$DIR/debs") ||
		die "cannot download linux-image-$KVER from $SUITE"
	for deb in "$DIR"/debs/*.deb; do dpkg -x "$deb" "$ROOT"; done
	if [ -d "$ROOT/usr/lib/modules/$KVER" ]; then
		mkdir -p "$MODDIR"
		cp -a "$ROOT/usr/lib/modules/$KVER" "$MODDIR/"
		rm -rf "$ROOT/usr/lib/modules/$KVER"
	fi
	if [ ! -f "$KERNEL" ]; then
		mkdir -p "$ROOT/boot"
		[ -f "$MODDIR/$KVER/vmlinuz" ] && cp "$MODDIR/$KVER/vmlinuz" "$KERNEL"
	fi
	[ -f "$KERNEL" ] || die "no vmlinuz for $KVER in $(ls "$DIR"/debs)"
	[ -f "$MODDIR/$KVER/modules.builtin" ] || die "no modules.builtin for $KVER in $(ls "$DIR"/debs)"
	rm -rf "$MODDIR/$KVER/build" "$MODDIR/$KVER/source"
	# Compressed modules (.ko.xz from 6.12 on) are decompressed here, at native speed:
	# otherwise every depmod in the guest (each scenario's nf_install_module) decompresses
	# thousands of modules under TCG, minutes each time. The kernel loads either.
	find "$MODDIR/$KVER" -name '*.ko.xz' -print0 | xargs -0 -r -n 64 -P 2 xz -d
	find "$MODDIR/$KVER" -name '*.ko.zst' -print0 | xargs -0 -r -n 64 -P 2 zstd -q -d --rm
	depmod -b "$ROOT" "$KVER"
	# shellcheck disable=SC2012 # Debian package names have no odd characters
	printf '%s %s\n' "$pkg" "$(dpkg-deb -f "$(ls "$DIR"/debs/linux-image-*.deb | head -n1)" Version)" >"$DIR/extracted.stamp"
	rm -rf "$DIR/debs"
}

if [ "$SUITE" != bookworm ] && { [ ! -f "$DIR/extracted.stamp" ] || [ ! -f "$KERNEL" ]; }; then
	say "preparing kernel $KVER of $SUITE in $DIR"
	rm -rf "$ROOT" "$DIR/debs"
	fetch_suite
fi
if [ ! -f "$DIR/extracted.stamp" ] || [ ! -f "$KERNEL" ]; then
	say "preparing kernel $KVER in $DIR"
	rm -rf "$DIR/debs" "$ROOT"
	pkg=$(fetch_image) || {
		say "package not found in apt lists; running apt-get update once"
		apt-get update -q >/dev/null || die "apt-get update failed"
		pkg=$(fetch_image) || die "cannot download linux-image-$KVER (nor -unsigned) with apt-get download"
	}
	deb=$(ls "$DIR"/debs/*.deb)
	say "downloaded $(basename "$deb")"
	mkdir -p "$ROOT"
	dpkg -x "$deb" "$ROOT"
	[ -f "$KERNEL" ] || die "$deb has no boot/vmlinuz-$KVER"
	[ -d "$MODDIR/$KVER" ] || die "$deb has no lib/modules/$KVER"
	depmod -b "$ROOT" "$KVER"
	printf '%s %s\n' "$pkg" "$(dpkg-deb -f "$deb" Version)" >"$DIR/extracted.stamp"
	rm -rf "$DIR/debs" # keep the cache small: the extracted tree is all we need
fi

# --- initramfs ------------------------------------------------------------------------------
# Modules the first stage needs, resolved with their dependencies from modules.dep (so the
# order is always right: virtio_ring, virtio, virtio_pci_{legacy,modern}_dev, virtio_pci,
# 9pnet, 9pnet_virtio, netfs, fscache, 9p, overlay on 6.1) and skipping built-in ones.
WANT_MODULES="virtio_pci 9pnet_virtio 9p overlay virtio-rng"
# 6.12 (trixie): netfs must be loaded before 9pnet (virtio is built in there)
case "$KVER" in
6.[0-9].* | 6.1[01].* | [1-5].*) ;;
*) WANT_MODULES="netfs $WANT_MODULES" ;;
esac

resolve_modules() {
	local kdir=$MODDIR/$KVER
	awk -v want="$WANT_MODULES" '
		function name(p,   n) { n = p; sub(/.*\//, "", n); sub(/\.ko(\.(xz|zst|gz))?$/, "", n); gsub(/-/, "_", n); return n }
		FNR == NR { sub(/:.*/, ""); builtin[name($0)] = 1; next }
		{
			mod = $1; sub(/:$/, "", mod); n = name(mod); path[n] = mod
			d = ""; for (i = 2; i <= NF; i++) d = d " " name($i); deps[n] = d
		}
		function visit(n,   k, arr, cnt) {
			if (n in seen) return; seen[n] = 1
			if (n in builtin) return
			if (!(n in path)) { print "MISSING " n; return }
			cnt = split(deps[n], arr, " ")
			for (k = cnt; k >= 1; k--) visit(arr[k])   # modules.dep lists deepest last
			print path[n]
		}
		END { cnt = split(want, w, " "); for (k = 1; k <= cnt; k++) { x = w[k]; gsub(/-/, "_", x); visit(x) } }
	' "$kdir/modules.builtin" "$kdir/modules.dep"
}

build_initrd() {
	local mods tmp m n src
	mods=$(resolve_modules)
	if printf '%s\n' "$mods" | grep -q '^MISSING '; then
		die "kernel $KVER lacks modules: $(printf '%s\n' "$mods" | sed -n 's/^MISSING //p' | tr '\n' ' ')"
	fi
	tmp=$(mktemp -d "$DIR/initramfs.XXXXXX")
	mkdir -p "$tmp/bin" "$tmp/modules" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/lower" "$tmp/rw" "$tmp/newroot"
	cp "$BUSYBOX" "$tmp/bin/busybox"
	: >"$tmp/modules.list"
	for m in $mods; do
		src=$MODDIR/$KVER/$m
		n=$(basename "$m")
		case "$n" in # busybox insmod cannot read compressed modules
		*.ko.xz) xz -dc "$src" >"$tmp/modules/${n%.xz}"; n=${n%.xz} ;;
		*.ko.zst) zstd -qdc "$src" >"$tmp/modules/${n%.zst}"; n=${n%.zst} ;;
		*.ko.gz) gzip -dc "$src" >"$tmp/modules/${n%.gz}"; n=${n%.gz} ;;
		*) cp "$src" "$tmp/modules/$n" ;;
		esac
		echo "$n" >>"$tmp/modules.list"
	done
	cp "$HERE/initramfs-init.sh" "$tmp/init"
	chmod 755 "$tmp/init"
	(cd "$tmp" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$INITRD.new"
	mv "$INITRD.new" "$INITRD"
	say "initramfs modules: $(tr '\n' ' ' <"$tmp/modules.list")"
	rm -rf "$tmp"
}

# Rebuild the initramfs when busybox, this script, initramfs-init.sh or the kernel changed.
STAMP=$( (sha256sum "$BUSYBOX" "${BASH_SOURCE[0]}" "$HERE/initramfs-init.sh" "$DIR/extracted.stamp" | awk '{print $1}') | sha256sum | cut -c1-16)
if [ ! -f "$INITRD" ] || [ "$(cat "$DIR/initramfs.stamp" 2>/dev/null)" != "$STAMP" ]; then
	build_initrd
	echo "$STAMP" >"$DIR/initramfs.stamp"
fi

read -r PKG PKGVER <"$DIR/extracted.stamp"
say "using kernel $KVER ($PKG $PKGVER${HDRVER:+, headers $HDRVER})"

if [ "${1:-}" = "--env" ]; then
	printf 'NF_VM_KVER=%q\nNF_VM_KERNEL=%q\nNF_VM_INITRD=%q\nNF_VM_MODDIR=%q\n' \
		"$KVER" "$KERNEL" "$INITRD" "$MODDIR"
fi
