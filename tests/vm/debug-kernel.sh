#!/bin/bash
# Debug kernels for the VM suite (make check-debug): Debian's own 6.1 source
# (linux-source-6.1 from the archive) built with a small configuration plus a debug
# fragment, laid out in the VM cache as kernel.sh lays out a packaged kernel, so that
# NF_VM_KVER=<its release> boots it.
#
# Usage: tests/vm/debug-kernel.sh KIND          build (once; cached) and print the release
#        tests/vm/debug-kernel.sh KIND --kver   print the release it has / would have
#        tests/vm/debug-kernel.sh KIND --build-dir   print the kernel build tree (for M= builds)
# KIND:  kasan  KASAN + lockdep (PROVE_LOCKING, PROVE_RCU) + DEBUG_ATOMIC_SLEEP +
#               DEBUG_OBJECTS_RCU_HEAD + KMEMLEAK + UBSAN
#        kcsan  the same with KCSAN instead of KASAN (and no KMEMLEAK: KCSAN excludes it)
#
# The configuration: Debian's config of the packaged 6.1 kernel, reduced by localmodconfig
# to the modules the harness and the scenarios use (netfilter legacy + nft, conntrack and
# NAT, bridge, 8021q, VRF, veth, dummy, pktgen, 9p, overlay, virtio...: the module
# directories listed below, taken from the packaged kernel's module tree), the boot modules
# built in, module signing and debug info off, then the debug fragment.
# Env: NF_VM_CACHE (default build/vm-cache), JOBS (2), NF_DEBUG_SRC (default
#      build/debug-kernel: the source package and the build trees).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${NF_VM_CACHE:-$REPO/build/vm-cache}
WORK=${NF_DEBUG_SRC:-$REPO/build/debug-kernel}
JOBS=${JOBS:-2}
KIND=${1:?usage: debug-kernel.sh kasan|kcsan [--kver|--build-dir]}
case "$KIND" in kasan | kcsan) ;; *) echo "debug-kernel: error: KIND must be kasan or kcsan, not '$KIND'" >&2; exit 2 ;; esac
LOCALVERSION=-nf$KIND
BUILD=$WORK/build-$KIND

say() { echo "debug-kernel: $*" >&2; }
die() { echo "debug-kernel: error: $*" >&2; exit 1; }

# The module directories of the packaged kernel whose modules stay (as modules).
KEEP_DIRS="net/802 net/8021q net/9p net/bridge net/core net/ipv4 net/ipv6 net/llc
net/netfilter net/netlink net/packet net/sched net/unix net/psample net/xfrm net/key
drivers/net/veth.ko drivers/net/vrf.ko drivers/net/dummy.ko drivers/net/macvlan.ko
drivers/net/ifb.ko drivers/net/tun.ko drivers/net/virtio_net.ko drivers/net/net_failover.ko
drivers/virtio drivers/char/hw_random fs/9p fs/overlayfs fs/fscache fs/netfs lib/libcrc32c.ko"

src_dir() { # the extracted linux-source-6.1 tree
	local deb
	if [ ! -f "$WORK/src.stamp" ]; then
		mkdir -p "$WORK"
		rm -rf "$WORK/src" "$WORK/pkg"
		say "downloading linux-source-6.1"
		(cd "$WORK" && rm -f linux-source-6.1_*.deb && apt-get download -q linux-source-6.1 >/dev/null 2>&1) ||
			die "apt-get download linux-source-6.1 failed"
		deb=$(ls "$WORK"/linux-source-6.1_*.deb)
		dpkg -x "$deb" "$WORK/pkg"
		mkdir -p "$WORK/src"
		say "extracting $(basename "$deb")"
		tar -xf "$WORK"/pkg/usr/src/linux-source-6.1.tar.xz -C "$WORK/src" --strip-components=1
		dpkg-deb -f "$deb" Version >"$WORK/src.stamp"
		rm -rf "$WORK/pkg" "$deb"
	fi
	echo "$WORK/src"
}

base_config() { # Debian's config of the packaged 6.1 kernel (kernel.sh fetches it)
	local kv cfg
	kv=$(NF_VM_KVER='' NF_VM_SUITE=bookworm "$HERE/kernel.sh" --env | sed -n "s/^NF_VM_KVER='\{0,1\}\([^']*\)'\{0,1\}$/\1/p")
	cfg=$CACHE/$kv/root/boot/config-$kv
	[ -f "$cfg" ] || die "no $cfg (tests/vm/kernel.sh should have fetched it)"
	echo "$cfg"
}

fake_lsmod() { # MODDIR: lsmod-format lines for every module of KEEP_DIRS
	local d
	echo "Module Size Used by"
	for d in $KEEP_DIRS; do
		[ -e "$1/kernel/$d" ] || continue
		find "$1/kernel/$d" -name '*.ko*'
	done | sed 's,.*/,,; s/\.ko.*$//; s/-/_/g' | sort -u | awk '{ print $1, 4096, 0 }'
}

fragment() {
	cat <<'EOF'
CONFIG_LOCALVERSION_AUTO=n
CONFIG_MODULE_SIG=n
CONFIG_MODULE_COMPRESS_NONE=y
CONFIG_SYSTEM_TRUSTED_KEYS=""
CONFIG_SYSTEM_REVOCATION_KEYS=""
CONFIG_DEBUG_INFO_NONE=y
CONFIG_DEBUG_INFO_BTF=n
CONFIG_DEBUG_INFO_DWARF5=n
CONFIG_DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT=n
CONFIG_VIRTIO=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_NET=y
CONFIG_HW_RANDOM=y
CONFIG_HW_RANDOM_VIRTIO=y
CONFIG_NET_9P=y
CONFIG_NET_9P_VIRTIO=y
CONFIG_NETFS_SUPPORT=y
CONFIG_9P_FS=y
CONFIG_OVERLAY_FS=y
CONFIG_PANIC_ON_OOPS=y
CONFIG_SOFTLOCKUP_DETECTOR=y
CONFIG_PROVE_LOCKING=y
CONFIG_PROVE_RCU=y
CONFIG_DEBUG_ATOMIC_SLEEP=y
CONFIG_DEBUG_OBJECTS=y
CONFIG_DEBUG_OBJECTS_RCU_HEAD=y
CONFIG_DEBUG_OBJECTS_WORK=y
CONFIG_DEBUG_OBJECTS_TIMERS=y
CONFIG_UBSAN=y
CONFIG_UBSAN_BOUNDS=y
CONFIG_UBSAN_SHIFT=y
CONFIG_UBSAN_SANITIZE_ALL=y
CONFIG_KFENCE=n
EOF
	case "$KIND" in
	kasan)
		cat <<'EOF'
CONFIG_KASAN=y
CONFIG_KASAN_GENERIC=y
CONFIG_KASAN_INLINE=y
CONFIG_KASAN_VMALLOC=y
CONFIG_DEBUG_KMEMLEAK=y
CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF=n
CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN=n
CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE=65536
EOF
		;;
	kcsan)
		cat <<'EOF'
CONFIG_KASAN=n
CONFIG_DEBUG_KMEMLEAK=n
CONFIG_KCSAN=y
CONFIG_KCSAN_REPORT_ONCE_IN_MS=0
CONFIG_KCSAN_STRICT=n
CONFIG_KCSAN_REPORT_VALUE_CHANGE_ONLY=y
CONFIG_KCSAN_INTERRUPT_WATCHER=n
EOF
		;;
	esac
}

configure() { # SRC
	local src=$1 cfg moddir kv
	cfg=$(base_config)
	kv=$(basename "$cfg")
	kv=${kv#config-}
	moddir=$CACHE/$kv/root/lib/modules/$kv
	mkdir -p "$BUILD"
	cp "$cfg" "$BUILD/.config"
	fake_lsmod "$moddir" >"$BUILD/lsmod.keep"
	make -s -C "$src" O="$BUILD" olddefconfig >/dev/null
	# localmodconfig asks nothing with yes ''; it only turns modules off
	{ yes '' || true; } | make -s -C "$src" O="$BUILD" LSMOD="$BUILD/lsmod.keep" localmodconfig >"$BUILD/localmodconfig.log" 2>&1 ||
		die "localmodconfig failed (see $BUILD/localmodconfig.log)"
	fragment >"$BUILD/debug.config"
	"$src/scripts/kconfig/merge_config.sh" -m -O "$BUILD" "$BUILD/.config" "$BUILD/debug.config" >"$BUILD/merge.log" 2>&1 ||
		die "merge_config failed (see $BUILD/merge.log)"
	sed -i "s/^CONFIG_LOCALVERSION=.*/CONFIG_LOCALVERSION=\"$LOCALVERSION\"/" "$BUILD/.config"
	make -s -C "$src" O="$BUILD" olddefconfig >/dev/null
	make -s -C "$src" O="$BUILD" syncconfig >/dev/null	# kernelrelease reads auto.conf
	# what the fragment asked and did not get (a dependency missing) is an error
	local miss
	miss=$(grep -E '^CONFIG_[A-Z0-9_]+=[ym]$' "$BUILD/debug.config" | while IFS= read -r l; do
		grep -qx "$l" "$BUILD/.config" || grep -qx "${l%=*}=y" "$BUILD/.config" || echo "${l%=*}"
	done)
	[ -z "$miss" ] || die "the configuration lacks: $miss"
}

release() { # the kernel release of a configured tree
	make -s -C "$1" O="$BUILD" kernelrelease 2>/dev/null
}

build() {
	local src kv dir t0
	src=$(src_dir)
	if [ ! -f "$BUILD/.config" ] || [ ! -f "$BUILD/config.stamp" ] ||
		[ "$(cat "$BUILD/config.stamp")" != "$(fragment | sha256sum | cut -c1-16)" ]; then
		say "configuring $KIND in $BUILD"
		configure "$src"
		fragment | sha256sum | cut -c1-16 >"$BUILD/config.stamp"
	fi
	kv=$(release "$src")
	dir=$CACHE/$kv
	if [ -f "$dir/extracted.stamp" ] && [ -f "$dir/root/boot/vmlinuz-$kv" ] &&
		[ "$(cat "$dir/extracted.stamp")" = "debug-kernel $KIND $(cat "$BUILD/config.stamp")" ]; then
		echo "$kv"
		return
	fi
	t0=$(date +%s)
	say "building $kv (make -j$JOBS bzImage modules; ~1 h on 2 busy cores)"
	nice -n 19 make -s -C "$src" O="$BUILD" -j"$JOBS" bzImage modules >"$BUILD/build.log" 2>&1 ||
		{ tail -n 30 "$BUILD/build.log" >&2; die "kernel build failed (see $BUILD/build.log)"; }
	rm -rf "$dir"
	mkdir -p "$dir/root/boot"
	make -s -C "$src" O="$BUILD" INSTALL_MOD_PATH="$dir/root" modules_install >>"$BUILD/build.log" 2>&1 ||
		die "modules_install failed (see $BUILD/build.log)"
	rm -f "$dir/root/lib/modules/$kv/build" "$dir/root/lib/modules/$kv/source"
	cp "$BUILD/arch/x86/boot/bzImage" "$dir/root/boot/vmlinuz-$kv"
	cp "$BUILD/.config" "$dir/root/boot/config-$kv"
	echo "debug-kernel $KIND $(cat "$BUILD/config.stamp")" >"$dir/extracted.stamp"
	echo $(($(date +%s) - t0)) >"$BUILD/build.seconds"
	say "built $kv in $(cat "$BUILD/build.seconds") s"
	echo "$kv"
}

case "${2:-}" in
--kver) release "$(src_dir)" ;;
--build-dir) echo "$BUILD" ;;
"") build ;;
*) echo "debug-kernel: error: unknown option '$2'" >&2; exit 2 ;;
esac
