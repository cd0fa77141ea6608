#!/bin/bash
# Per-suite build roots for the kernel matrix: a `debootstrap --variant=minbase` root of a
# Debian suite with that suite's compiler (gcc, make, libc6-dev, kmod, bc, libelf-dev), so
# each kernel's module is built by the gcc its kernel was built with. Cached: a second run
# only refreshes the apt lists when they are older than a day.
#
# Roots: trixie-backports uses the trixie root (backports added to its sources),
# experimental the sid root (experimental added, pinned low); bullseye, trixie, sid have
# their own. bookworm is this machine: no root (the host's apt and gcc 12).
#
# Usage: tests/vm/suite-root.sh SUITE                    make/refresh the root, print its path
#        tests/vm/suite-root.sh SUITE --resolve FLAVOR   newest kernel ABI of SUITE's archive
#                                                        (FLAVOR amd64 or rt), e.g. 6.12.57+deb13-amd64
#        tests/vm/suite-root.sh SUITE --headers KVER     install linux-headers-KVER in the root
#        tests/vm/suite-root.sh SUITE --download KVER DIR  apt-get download the image of KVER
#                                                        (and its split linux-binary/-modules/-base) into DIR
#        tests/vm/suite-root.sh SUITE --run CMD...       run CMD in the root (/proc mounted)
#        tests/vm/suite-root.sh SUITE --path             print the root's path (no setup)
# Env: NF_KMATRIX_ROOTS (default $NF_VM_CACHE/roots, NF_VM_CACHE default $REPO/build/vm-cache),
#      NF_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${NF_VM_CACHE:-$REPO/build/vm-cache}
ROOTS=${NF_KMATRIX_ROOTS:-$CACHE/roots}
MIRROR=${NF_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# perl: 6.12's W=1 runs scripts/kernel-doc, which needs Pod::Usage (not in perl-base)
PKGS=gcc,make,libc6-dev,kmod,bc,libelf-dev,perl,ca-certificates,xz-utils,zstd
APTOPT=(-o Acquire::Check-Valid-Until=false -o APT::Get::Assume-Yes=true -o Dpkg::Use-Pty=0)

say() { echo "suite-root: $*" >&2; }
die() { echo "suite-root: error: $*" >&2; exit 1; }

SUITE=${1:?suite (bookworm bullseye trixie trixie-backports sid experimental)}
shift
case "$SUITE" in
bookworm) BASE=host ;;
bullseye | trixie | sid) BASE=$SUITE ;;
trixie-backports) BASE=trixie ;;
experimental) BASE=sid ;;
*) die "unknown suite '$SUITE'" ;;
esac
ROOT=$ROOTS/$BASE

in_root() { # CMD...: run in the root with /proc mounted (objtool needs it)
	local rc=0
	mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
	LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$ROOT" "$@" || rc=$?
	umount "$ROOT/proc" 2>/dev/null || true
	return $rc
}

# the apt of the suite: the host's for bookworm, the root's otherwise
apt_suite() {
	if [ "$BASE" = host ]; then "$@"; else in_root "$@"; fi
}

setup() {
	[ "$BASE" = host ] && return 0
	[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot)"
	mkdir -p "$ROOTS"
	exec 9>"$ROOT.lock"
	flock 9
	if [ ! -f "$ROOT/.debootstrap.done" ]; then
		command -v debootstrap >/dev/null || die "debootstrap not found (apt-get install debootstrap)"
		say "debootstrap --variant=minbase $BASE into $ROOT (a few minutes)"
		rm -rf "$ROOT"
		debootstrap --variant=minbase --include=$PKGS "$BASE" "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 ||
			{ tail -n 20 "$ROOT.debootstrap.log" >&2; die "debootstrap $BASE failed (log: $ROOT.debootstrap.log)"; }
		{
			echo "deb $MIRROR $BASE main"
			case "$BASE" in
			trixie) echo "deb $MIRROR trixie-backports main" ;;
			sid) echo "deb $MIRROR experimental main" ;;
			esac
		} >"$ROOT/etc/apt/sources.list"
		# the sid/experimental Release files can be past Valid-Until
		echo 'Acquire::Check-Valid-Until "false";' >"$ROOT/etc/apt/apt.conf.d/99nf-valid-until"
		# no documentation, no recommends: small roots
		printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
			>"$ROOT/etc/apt/apt.conf.d/99nf-norecommends"
		rm -f "$ROOT/var/lib/apt/lists/.stamp"
		touch "$ROOT/.debootstrap.done"
	fi
	# a root made before PKGS grew gets the missing packages
	if [ "$(cat "$ROOT/.pkgs" 2>/dev/null)" != "$PKGS" ]; then
		in_root apt-get "${APTOPT[@]}" -q install ${PKGS//,/ } >&2 || die "cannot install $PKGS in $ROOT"
		echo "$PKGS" >"$ROOT/.pkgs"
	fi
	# refresh the lists once a day: a new point release is seen without any change here
	if [ -z "$(find "$ROOT/var/lib/apt/lists/.stamp" -mmin -1440 2>/dev/null)" ]; then
		say "apt-get update in $ROOT"
		in_root apt-get "${APTOPT[@]}" -q update >&2 || die "apt-get update in $ROOT failed"
		touch "$ROOT/var/lib/apt/lists/.stamp"
	fi
}

# Packages index of SUITE (host's apt lists for bookworm)
packages_files() {
	local lists=/var/lib/apt/lists
	[ "$BASE" = host ] || lists=$ROOT$lists
	# bookworm: the point-release suite and its -updates/-security carry the newest ABI
	case "$SUITE" in
	bookworm) ls "$lists"/*_dists_bookworm{,-updates,-security}_main_binary-amd64_Packages* 2>/dev/null || true ;;
	*) ls "$lists"/*_dists_"${SUITE}"_main_binary-amd64_Packages* 2>/dev/null || true ;;
	esac
}

cat_index() { # decompress whatever apt stored
	local f
	for f in "$@"; do
		case "$f" in
		*.lz4) lz4cat "$f" ;;
		*.gz) zcat "$f" ;;
		*.xz) xzcat "$f" ;;
		*.zst) zstdcat "$f" ;;
		*) cat "$f" ;;
		esac
	done
}

# The suite's kernel: what its metapackage linux-image-amd64 (linux-image-rt-amd64) depends
# on, at the metapackage's highest version in the suite's own index (bookworm also carries
# 6.12 images, but its kernel is 6.1); without a metapackage, the highest linux-image-<abi>.
resolve() {
	local flavor=$1 meta suffix files k
	case "$flavor" in amd64) meta=linux-image-amd64 suffix=-amd64 ;; rt) meta=linux-image-rt-amd64 suffix=-rt-amd64 ;; *) die "flavor must be amd64 or rt" ;; esac
	mapfile -t files < <(packages_files)
	[ ${#files[@]} -gt 0 ] || die "no Packages index for $SUITE (apt-get update?)"
	k=$(cat_index "${files[@]}" | awk -v meta="$meta" -v suf="$suffix" '
		/^Package: / { p = $2; v = ""; next }
		/^Version: / { v = $2; next }
		/^Depends: / && p == meta {
			n = split(substr($0, 10), d, /[,|] */)
			for (i = 1; i <= n; i++) {
				sub(/^ +/, "", d[i]); sub(/ .*/, "", d[i])
				if (d[i] ~ /^linux-image-[0-9]/) {
					x = d[i]; sub(/^linux-image-/, "", x); sub(/-unsigned$/, "", x)
					if (substr(x, length(x) - length(suf) + 1) == suf) { print v "\t" x; break }
				}
			}
		}' | sort -V -k1,1 | tail -n1 | cut -f2)
	if [ -z "$k" ]; then
		k=$(cat_index "${files[@]}" | awk -v suf="$suffix" '
			/^Package: / { p = $2; next }
			/^Version: / {
				if (p !~ /^linux-image-[0-9]/) next
				n = p; sub(/^linux-image-/, "", n); sub(/-unsigned$/, "", n)
				if (substr(n, length(n) - length(suf) + 1) != suf) next
				if (suf == "-amd64" && n ~ /-rt-amd64$/) next
				if (n ~ /-(cloud|dbg)-/ || n ~ /-dbg$/) next
				print $2 "\t" n
			}' | sort -V -k1,1 | tail -n1 | cut -f2)
	fi
	echo "$k"
}

case "${1:-}" in
--path) echo "$ROOT"; exit 0 ;;
--resolve)
	setup
	k=$(resolve "${2:?flavor}")
	[ -n "$k" ] || die "no linux-image-*-${2}-amd64 in $SUITE"
	echo "$k"
	;;
--headers)
	setup
	k=${2:?kver}
	if [ "$BASE" = host ]; then
		[ -f "/usr/src/linux-headers-$k/Makefile" ] ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q "linux-headers-$k" >&2 ||
			die "cannot install linux-headers-$k"
	elif [ ! -f "$ROOT/usr/src/linux-headers-$k/Makefile" ]; then
		say "installing linux-headers-$k in $ROOT"
		in_root apt-get "${APTOPT[@]}" -q install -t "$SUITE" "linux-headers-$k" >&2 ||
			die "cannot install linux-headers-$k in $ROOT"
		in_root apt-get clean >&2
	fi
	;;
--download)
	setup
	k=${2:?kver} dir=${3:?dir}
	mkdir -p "$dir"
	cd "$dir" # the host's apt-get download writes here (the root's into its /)
	# the image, or its -unsigned twin; newer packages split the image into
	# linux-binary-<v> (vmlinuz), linux-modules-<v>, linux-base-<v> (modules.builtin, ...)
	got=""
	for p in "linux-image-$k" "linux-image-$k-unsigned"; do
		if apt_suite apt-get "${APTOPT[@]}" -q download -t "$SUITE" "$p" >/dev/null 2>&1 ||
			apt_suite apt-get "${APTOPT[@]}" -q download "$p" >/dev/null 2>&1; then
			got=$p
			break
		fi
	done
	[ -n "$got" ] || die "cannot download linux-image-$k (nor -unsigned) from $SUITE"
	for p in "linux-binary-$k" "linux-modules-$k" "linux-base-$k"; do
		apt_suite apt-get "${APTOPT[@]}" -q download -t "$SUITE" "$p" >/dev/null 2>&1 ||
			apt_suite apt-get "${APTOPT[@]}" -q download "$p" >/dev/null 2>&1 || true
	done
	# apt-get download writes into the current directory of the root (/) or the host's
	if [ "$BASE" = host ]; then :; else mv "$ROOT"/*.deb "$dir/"; fi
	echo "$got"
	;;
--run)
	shift
	setup
	in_root "$@"
	;;
"")
	setup
	echo "$ROOT"
	;;
*) die "unknown option '$1'" ;;
esac
