#!/bin/bash
# tests/bench/guest.sh — runs INSIDE the benchmark VM (tests/bench/run.sh boots it with
# tests/vm/run.sh --icount --smp 1): guest time = guest instructions (1 ns each).
#
# Usage (in the VM): guest.sh NAME=KO [NAME=KO...]
#   Each module is loaded in turn (insmod; both are called ipt_NETFLOW, so one at a time)
#   and measured in the same boot. Prints "RAW <name> <key> <value>" lines for run.sh.
#
# Topology: veth0 (root ns, pktgen) <-> veth1 (ns "dut", 10.0.0.2/24).
#   dut: iptables-legacy -t raw PREROUTING [-j NETFLOW] -j DROP
#   Exports go to 10.99.0.2:2055 through dummy0 (root ns, NOARP): the "collector" drops
#   every datagram in the device, after the whole UDP/IP send path; dummy0's tx counters
#   give the bytes on the wire.
#
# Regimes (see issue 9):
# Baselines (rule -j DROP only, no module loaded) run once first; est again at the end.
#   flood   every packet a new flow, table 0 -> FLOOD_N (300k) flows
#   est     64 established flows (EST_N packets)
#   flood_hook, est_hook  the same two in hook mode (hooks=ipv4:prerouting:-400, only the
#           -j DROP rule), where the module has it
#   hits    hits spread over HITS_N (500k) existing flows (second pass over the same keys)
#   mem     slab (objsize * active objs of the ipt_netflow* caches; needs slub_nomerge)
#           + hash memory ("Hash: size N (mem XK)"), per active flow, at HITS_N flows
#   export  sysctl net.netflow.flush=1 of the HITS_N flows, v5: guest ns per flow and UDP
#           payload bytes per flow (dummy0 tx bytes - 42 B headers per datagram)
#   export10 the same for IPFIX (protocol=10) over EXP10_N flows, when the module takes it
#   exporters  softflowd, pmacctd, uacctd (the userspace exporters a user would pick instead),
#           flood and est, each exporting to nfcapd in the guest (tests/bench/exporters.sh);
#           NF_BENCH_EXPORTERS="" skips them
# Overhead per packet = (ns/pkt with NETFLOW) - (ns/pkt without it, same pattern, same boot).
# A pktgen run with send errors (or veth drops) is rerun (up to 3 times).
set -uo pipefail

FLOOD_N=${NF_BENCH_FLOOD_N:-300000}
EST_N=${NF_BENCH_EST_N:-200000}
HITS_N=${NF_BENCH_HITS_N:-500000}
EXP10_N=${NF_BENCH_EXP10_N:-200000}
IPT=${NF_BENCH_IPT:-iptables-legacy}
PARAMS="destination=10.99.0.2:2055 maxflows=0 hashsize=1000000 inactive_timeout=1000000 active_timeout=1000000"
# Timeouts: with icount sleep=off the guest clock jumps ahead whenever the vCPU idles (e.g.
# waiting for 9p reads), hours per run; flows must not expire between populate and measure.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

raw() { echo "RAW $*"; }
log() { echo "bench: $*"; }
die() { echo "bench: FATAL: $*"; exit 1; }

[ "${NF_IN_VM:-}" = 1 ] || die "run me through tests/bench/run.sh (inside the VM only)"

# ---- entropy: the harness gives a virtio-rng and waits for "crng init done" ----------
if dmesg | grep -q 'crng init done'; then
	raw vm crng_init_done 1
else
	raw vm crng_init_done 0
	die "crng not initialised: get_random_*() would take the slow path"
fi
raw vm entropy_avail "$(cat /proc/sys/kernel/random/entropy_avail)"
raw vm kernel "$(uname -r)"
raw vm slub_nomerge "$(grep -c slub_nomerge /proc/cmdline)"

modprobe pktgen || die "modprobe pktgen"
modprobe iptable_raw || die "modprobe iptable_raw"
modprobe dummy numdummies=0 || die "modprobe dummy"
modprobe x_tables
modprobe nf_conntrack	# natevents and flowtable=1 are compiled in: the module needs its symbols
# (no conntrack hook is registered by loading it: the packet path is as before)

# xtables plugin: ours (target NETFLOW rev 0, no target data: fits both modules)
so=$REPO/xtables/libxt_NETFLOW.so
xtdir=$(dirname "$(find /usr/lib /usr/lib64 /lib -name libxt_mark.so -path '*xtables*' 2>/dev/null | head -n1)")
cp "$so" "$xtdir/" || die "cannot install $so"

# ---- topology ---------------------------------------------------------------------------
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns add dut
ip netns exec dut sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n dut link set lo up
ip link add veth0 type veth peer name veth1 netns dut || die "veth"
ip addr add 10.0.0.1/24 dev veth0
ip -n dut addr add 10.0.0.2/24 dev veth1
ip link set veth0 up
ip -n dut link set veth1 up
ip link add dummy0 type dummy || die "dummy0"
# No UDP segmentation offload on the "NIC": a run of v5 PDUs sent with UDP GSO is cut into
# datagrams by the stack (its cost is measured, as on a NIC without USO) and each datagram
# passes dummy0 (so its counters count datagrams).
ethtool -K dummy0 tx-udp-segmentation off >/dev/null 2>&1 || log "ethtool: cannot turn off USO on dummy0"
ip addr add 10.99.0.1/24 dev dummy0
ip link set dummy0 up
DMAC=$(ip netns exec dut cat /sys/class/net/veth1/address)
ip netns exec dut "$IPT" -t raw -F PREROUTING || die "$IPT"

rules_drop() {
	ip netns exec dut "$IPT" -t raw -F PREROUTING
	ip netns exec dut "$IPT" -t raw -A PREROUTING -j DROP
}
rules_netflow() {
	ip netns exec dut "$IPT" -t raw -F PREROUTING
	ip netns exec dut "$IPT" -t raw -A PREROUTING -j NETFLOW || die "-j NETFLOW"
	ip netns exec dut "$IPT" -t raw -A PREROUTING -j DROP
}
rules_none() { ip netns exec dut "$IPT" -t raw -F PREROUTING; }

# ---- pktgen -------------------------------------------------------------------------------
PG=/proc/net/pktgen
pgset() { # FILE CMD
	echo "$2" >"$1" || die "pktgen: '$2' > $1 failed"
	if ! grep -q '^Result: OK' "$1"; then
		case "$2" in start | stop) ;; *) grep '^Result' "$1" ;; esac
	fi
}
veth_drops() { # rx drops of veth1 + tx drops of veth0
	echo $(($(ip netns exec dut cat /sys/class/net/veth1/statistics/rx_dropped) + \
		$(cat /sys/class/net/veth0/statistics/tx_dropped)))
}

# pg_run COUNT SRC_MIN SRC_MAX SPORT_MIN SPORT_MAX_EXCL -> sets PG_NS_PKT (x1000), PG_ERR
pg_run() {
	local count=$1 smin=$2 smax=$3 pmin=$4 pmax=$5 dev=$PG/veth0 res usec sent d0 d1
	pgset $PG/kpktgend_0 "rem_device_all"
	# trap: the old device disappears asynchronously; adding it again too early fails
	for _ in $(seq 200); do [ -e "$dev" ] || break; sleep 0.05; done
	[ ! -e "$dev" ] || die "pktgen device veth0 not removed"
	pgset $PG/kpktgend_0 "add_device veth0"
	pgset "$dev" "count $count"
	pgset "$dev" "clone_skb 0"
	pgset "$dev" "burst 1"
	pgset "$dev" "pkt_size 60"
	pgset "$dev" "delay 0"
	pgset "$dev" "dst 10.0.0.2"
	pgset "$dev" "dst_mac $DMAC"
	pgset "$dev" "src_min $smin"
	pgset "$dev" "src_max $smax"
	# trap: udp_src_max is exclusive (IP max is inclusive)
	pgset "$dev" "udp_src_min $pmin"
	pgset "$dev" "udp_src_max $pmax"
	pgset "$dev" "udp_dst_min 9"
	pgset "$dev" "udp_dst_max 9"
	d0=$(veth_drops)
	if [ -n "${PG_PERF:-}" ]; then # profile mode: the samples of exactly this run
		# shellcheck disable=SC2086
		perf record $PG_PERF -- sh -c "echo start >$PG/pgctrl" >/dev/null 2>&1
	else
		echo start >$PG/pgctrl
	fi
	d1=$(veth_drops)
	res=$(cat "$dev")
	# Result: OK: 123456(c123000+d456) usec, 300000 (60byte,0frags)
	usec=$(printf '%s\n' "$res" | sed -n 's/^Result: OK: \([0-9]*\)(.*/\1/p')
	sent=$(printf '%s\n' "$res" | sed -n 's/^Result: OK: [^,]*, \([0-9]*\) (.*/\1/p')
	PG_ERR=$(printf '%s\n' "$res" | sed -n 's/.*errors: \([0-9]*\).*/\1/p' | tail -n1)
	PG_ERR=$((${PG_ERR:-1} + d1 - d0))
	if [ -z "$usec" ] || [ "$sent" != "$count" ]; then die "pktgen result: $res"; fi
	PG_USEC=$usec
	PG_NS_PKT=$((usec * 1000000 / count)) # ns/pkt x 1000
}

# measure NAME WHAT COUNT SRC_MIN SRC_MAX PMIN PMAX [PREP]
#   a pktgen run, rerun (after PREP) while it reports send errors or drops
measure() {
	local name=$1 what=$2 try
	shift 2
	local count=$1 smin=$2 smax=$3 pmin=$4 pmax=$5 prep=${6:-}
	for try in 1 2 3; do
		[ -z "$prep" ] || $prep
		pg_run "$count" "$smin" "$smax" "$pmin" "$pmax"
		[ "$PG_ERR" = 0 ] && break
		log "$name $what: $PG_ERR pktgen errors/drops, rerun ($try)"
	done
	raw "$name" "${what}_usec" "$PG_USEC"
	raw "$name" "${what}_pkts" "$count"
	raw "$name" "${what}_errors" "$PG_ERR"
	raw "$name" "${what}_x1000" "$PG_NS_PKT"
	log "$name $what: $count pkts, $PG_USEC us, $(fmt3 "$PG_NS_PKT") ns/pkt, errors $PG_ERR"
}
fmt3() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# ---- module helpers -----------------------------------------------------------------------
stat_new() { sed -n 's/^Total *[0-9]*; *[0-9]* *[0-9]* *\([0-9]*\).*/\1/p' /proc/net/stat/ipt_netflow; }
stat_flows() { sed -n 's/^Flows: active \([0-9]*\).*/\1/p' /proc/net/stat/ipt_netflow; }
flush() { echo 1 >/proc/sys/net/netflow/flush; }
# KiB of flow objects the module holds (the "mem" of /proc's Flows: line: table and pool)
stat_mem() { sed -n 's/^Flows: active [0-9]*.*, mem \([0-9]*\)K.*/\1/p' /proc/net/stat/ipt_netflow; }
# After a flush of many flows the pool gives their memory back over the next seconds (a
# share per worker run): wait for that to end before a measured regime, or that work lands
# in its window (~6-20 instructions a packet in est after the flood). Ends when the module
# holds (almost) nothing or its memory stood still for 70 s (longer than the trim's longest
# wait between passes: pages a pooled flow or two keep stay); at most 400 polls of guest
# time (idle guest time costs little host time under icount).
settle() { # NAME
	local i kb=0 last=-1 same=0
	for i in $(seq 400); do
		kb=$(stat_mem)
		[ "${kb:-0}" -le 8 ] && break
		if [ "$kb" = "$last" ]; then
			same=$((same + 1))
			[ "$same" -ge 70 ] && break
		else
			same=0 last=$kb
		fi
		sleep 1
	done
	raw "$1" settle_polls "$i"
	raw "$1" settle_mem_kb "${kb:-0}"
}
flush_new0() { flush; N0=$(stat_new); }
unload() {
	rules_none
	for _ in $(seq 50); do
		[ -d /sys/module/ipt_NETFLOW ] || return 0
		rmmod ipt_NETFLOW 2>/dev/null && return 0
		sleep 0.2
	done
	die "cannot unload ipt_NETFLOW"
}
dummy_tx() { echo "$(cat /sys/class/net/dummy0/statistics/tx_packets) $(cat /sys/class/net/dummy0/statistics/tx_bytes)"; }
us_ns() { local t=${1/./}; echo $((10#$t * 1000)); } # $EPOCHREALTIME (us) -> ns

# timed_flush NAME TAG FLOWS: guest ns of "echo 1 > flush" (bash builtins only, no fork in
# the window), the write's own cost ("echo 0 > flush": a no-op in both modules), the
# writer's on-CPU time (schedstat), datagrams and bytes through dummy0
# The memory of the flows now in the table (slab + hash): RAW NAME mem_*.
mem_figures() { # NAME
	local name=$1 slab hashline
	slab=$(awk '$1 ~ /^ipt_netflow/ { s += $2 * $4; p += $15 * $6 * 4096; printf "slabinfo %s\n", $0 > "/dev/stderr" }
		END { print s + 0, p + 0 }' /proc/slabinfo 2>"/tmp/slab.$name")
	sed "s/^/RAW $name slabline /" "/tmp/slab.$name"
	raw "$name" mem_flows "$(stat_flows)"
	raw "$name" mem_slab_bytes "${slab% *}"
	raw "$name" mem_slab_pages_bytes "${slab#* }"
	# flows carved from whole pages (ours): the module's own count of its pages, 0 if none
	raw "$name" mem_paged_bytes "$(sed -n 's/^Flow objects: .*, \([0-9]*\) pages (.*/\1/p' /proc/net/stat/ipt_netflow |
		awk '{ print $1 * 4096 } END { if (!NR) print 0 }')"
	raw "$name" mem_objects_line "$(grep '^Flow objects:' /proc/net/stat/ipt_netflow | tr ' ' '_')"
	hashline=$(grep '^Hash:' /proc/net/stat/ipt_netflow)
	raw "$name" mem_hash_kb "$(printf '%s\n' "$hashline" | sed -n 's/.*(mem \([0-9]*\)K).*/\1/p')"
	raw "$name" mem_flows_line "$(grep '^Flows:' /proc/net/stat/ipt_netflow | tr ' ' '_')"
}

timed_flush() {
	local name=$1 tag=$2 flows=$3 t0 t1 c0 c1 b0 b1 w0 w1 wc0 wc1 tx0 tx1 pk by e0 e1
	read -r tx0 b0 < <(dummy_tx)
	read -r wc0 _ </proc/$BASHPID/schedstat; w0=$EPOCHREALTIME
	echo 0 >/proc/sys/net/netflow/flush
	w1=$EPOCHREALTIME; read -r wc1 _ </proc/$BASHPID/schedstat
	read -r c0 _ </proc/$BASHPID/schedstat; t0=$EPOCHREALTIME
	echo 1 >/proc/sys/net/netflow/flush
	t1=$EPOCHREALTIME; read -r c1 _ </proc/$BASHPID/schedstat
	sleep 0.2 # anything left queued (nothing expected: both flush synchronously)
	read -r tx1 b1 < <(dummy_tx)
	# fixed cost of a flush of the (now empty) table: hash sweep etc.
	e0=$EPOCHREALTIME
	echo 1 >/proc/sys/net/netflow/flush
	e1=$EPOCHREALTIME
	t0=$(us_ns "$t0") t1=$(us_ns "$t1") w0=$(us_ns "$w0") w1=$(us_ns "$w1") e0=$(us_ns "$e0") e1=$(us_ns "$e1")
	pk=$((tx1 - tx0)) by=$((b1 - b0))
	raw "$name" "${tag}_flows" "$flows"
	raw "$name" "${tag}_flush_ns" "$((t1 - t0))"
	raw "$name" "${tag}_flush_task_ns" "$((c1 - c0))"
	raw "$name" "${tag}_noop_ns" "$((w1 - w0))"
	raw "$name" "${tag}_noop_task_ns" "$((wc1 - wc0))"
	raw "$name" "${tag}_empty_flush_ns" "$((e1 - e0))"
	raw "$name" "${tag}_pdus" "$pk"
	raw "$name" "${tag}_wire_bytes" "$by"
	raw "$name" "${tag}_udp_payload" "$((by - pk * 42))"
	raw "$name" "${tag}_flows_after" "$(stat_flows)"
	raw "$name" "${tag}_export_line" "$(grep '^Export:' /proc/net/stat/ipt_netflow | tr ' ' '_')"
	log "$name $tag: flush of $flows flows: $((t1 - t0)) ns (no-op write $((w1 - w0)) ns, empty flush $((e1 - e0)) ns), $pk datagrams, $((by - pk * 42)) B payload"
}

# ---- per module ---------------------------------------------------------------------------
bench_module() { # NAME KO
	local name=$1 ko=$2 f
	log "== $name: $ko"
	raw "$name" ko_md5 "$(md5sum <"$ko" | cut -c1-12)"
	# shellcheck disable=SC2086
	insmod "$ko" $PARAMS || die "insmod $ko $PARAMS: $(dmesg | tail -3)"
	raw "$name" version "$(head -n1 /proc/net/stat/ipt_netflow | tr ' ' '_')"
	[ "$(cat /proc/sys/net/netflow/protocol)" = 5 ] || echo 5 >/proc/sys/net/netflow/protocol

	# (1) flood: 300k sequential source addresses from 10.1.0.0, one packet each
	local fmax
	fmax=$(printf '10.%d.%d.%d' $((1 + (FLOOD_N - 1) / 65536)) $(((FLOOD_N - 1) / 256 % 256)) $(((FLOOD_N - 1) % 256)))
	rules_netflow
	local n0
	measure "$name" flood_nf "$FLOOD_N" 10.1.0.0 "$fmax" 1000 1001 "flush_new0"
	f=$(stat_flows); raw "$name" flood_flows "$f"
	raw "$name" flood_new_in_window "$(($(stat_new) - N0))"
	flush
	settle "$name"

	# (2) established: 64 flows (source ports 1000..1063), warmed up first
	rules_netflow
	pg_run 640 10.1.0.1 10.1.0.1 1000 1064
	n0=$(stat_new)
	measure "$name" est_nf "$EST_N" 10.1.0.1 10.1.0.1 1000 1064
	raw "$name" est_new_in_window "$(($(stat_new) - n0))"
	f=$(stat_flows); raw "$name" est_flows "$f"
	flush

	# (2b) hook mode (issue 19, modules that have it): the meter as a netfilter hook
	# before raw (priority -400), no NETFLOW rule, the same -j DROP rule as the baseline
	if { echo ipv4:prerouting:-400 >/proc/sys/net/netflow/hooks; } 2>/dev/null; then
		rules_drop
		measure "$name" flood_hook "$FLOOD_N" 10.1.0.0 "$fmax" 1000 1001 "flush_new0"
		raw "$name" flood_hook_new_in_window "$(($(stat_new) - N0))"
		flush
		settle "$name"
		pg_run 640 10.1.0.1 10.1.0.1 1000 1064
		n0=$(stat_new)
		measure "$name" est_hook "$EST_N" 10.1.0.1 10.1.0.1 1000 1064
		raw "$name" est_hook_new_in_window "$(($(stat_new) - n0))"
		flush
		echo >/proc/sys/net/netflow/hooks
	fi

	# (3) hits over 500k existing flows: populate with one pass, measure a second pass
	local hmax
	hmax=$(printf '10.%d.%d.%d' $((1 + (HITS_N - 1) / 65536)) $(((HITS_N - 1) / 256 % 256)) $(((HITS_N - 1) % 256)))
	rules_netflow
	pg_run "$HITS_N" 10.1.0.0 "$hmax" 1000 1001
	raw "$name" hits_populate_x1000 "$PG_NS_PKT"
	n0=$(stat_new)
	measure "$name" hits_nf "$HITS_N" 10.1.0.0 "$hmax" 1000 1001
	raw "$name" hits_new_in_window "$(($(stat_new) - n0))"
	f=$(stat_flows); raw "$name" hits_flows "$f"

	# (5) memory at 500k flows
	rules_none
	mem_figures "$name"

	# (4) export v5: flush the 500k flows
	timed_flush "$name" exp5 "$f"

	# (4b) IPFIX, if the module takes protocol=10
	if echo 10 >/proc/sys/net/netflow/protocol 2>/dev/null && [ "$(cat /proc/sys/net/netflow/protocol)" = 10 ]; then
		local emax
		emax=$(printf '10.%d.%d.%d' $((1 + (EXP10_N - 1) / 65536)) $(((EXP10_N - 1) / 256 % 256)) $(((EXP10_N - 1) % 256)))
		flush # templates out now, not in the timed window
		rules_netflow
		pg_run "$EXP10_N" 10.1.0.0 "$emax" 1000 1001
		rules_none
		f=$(stat_flows)
		timed_flush "$name" exp10 "$f"
	else
		raw "$name" exp10_supported 0
		log "$name: protocol=10 not accepted, IPFIX skipped"
	fi
	raw "$name" dmesg_bad "$(dmesg | grep -cE 'WARNING:|BUG:|Oops|general protection|leak')"
	unload
}

# ---- profile mode (tests/bench/profile.sh): perf samples of one regime ------------------
# cpu-clock under icount ticks every N guest instructions, so the samples are an
# instruction profile. Prints "PROF REGIME SYM+OFF COUNT" lines (the host's root is
# read-only here: everything goes out on the console).
ipmax() { printf '10.%d.%d.%d' $((1 + ($1 - 1) / 65536)) $((($1 - 1) / 256 % 256)) $((($1 - 1) % 256)); }
PERIOD=${NF_PROFILE_PERIOD:-10000}
prof_out() { # REGIME
	perf script -i /tmp/perf.data -F ip,sym,symoff 2>/dev/null |
		awk -v r="$1" '{ c[$2]++; n++ } END { for (k in c) print "PROF", r, k, c[k]; print "PROF", r, "TOTAL", n + 0 }'
}
profile_regime() { # KO REGIME...
	local ko=$1 r
	shift
	# shellcheck disable=SC2086
	insmod "$ko" $PARAMS || die "insmod $ko"
	# no throttling of the sampling rate: it would drop most samples
	sysctl -qw kernel.perf_cpu_time_max_percent=0
	for r in "$@"; do
		rules_netflow
		case $r in
		flood) flush; set -- "$FLOOD_N" 10.1.0.0 "$(ipmax "$FLOOD_N")" 1000 1001 ;;
		est) pg_run 640 10.1.0.1 10.1.0.1 1000 1064; set -- "$EST_N" 10.1.0.1 10.1.0.1 1000 1064 ;;
		est_hook | flood_hook)
			echo ipv4:prerouting:-400 >/proc/sys/net/netflow/hooks || die "hooks"
			rules_drop
			if [ "$r" = est_hook ]; then
				pg_run 640 10.1.0.1 10.1.0.1 1000 1064
				set -- "$EST_N" 10.1.0.1 10.1.0.1 1000 1064
			else
				flush
				set -- "$FLOOD_N" 10.1.0.0 "$(ipmax "$FLOOD_N")" 1000 1001
			fi ;;
		hits) pg_run "$HITS_N" 10.1.0.0 "$(ipmax "$HITS_N")" 1000 1001
			set -- "$HITS_N" 10.1.0.0 "$(ipmax "$HITS_N")" 1000 1001 ;;
		exp5|exp10)
			echo "${r#exp}" >/proc/sys/net/netflow/protocol; flush
			pg_run "$EXP10_N" 10.1.0.0 "$(ipmax "$EXP10_N")" 1000 1001
			rules_none
			perf record -q -m 8192 -a -e cpu-clock -c "$PERIOD" -o /tmp/perf.data -- \
				sh -c 'echo 1 >/proc/sys/net/netflow/flush' >/dev/null 2>&1
			prof_out "$r"
			continue ;;
		*) die "unknown regime $r" ;;
		esac
		PG_PERF="-q -m 8192 -a -e cpu-clock -c $PERIOD -o /tmp/perf.data"
		pg_run "$@"
		PG_PERF=''
		log "profile $r: $(fmt3 "$PG_NS_PKT") ns/pkt (with perf sampling)"
		prof_out "$r"
		flush
		echo >/proc/sys/net/netflow/hooks
	done
	unload
}
# ---- quick mode (tests/bench/quick.sh): one regime for several builds, same boot ------------
if [ "${1:-}" = --quick ]; then
	regime=$2
	shift 2
	case $regime in
	est | est_hook | est_after | est_settled) qargs=("$EST_N" 10.1.0.1 10.1.0.1 1000 1064) ;;
	flood | reflood) qargs=("$FLOOD_N" 10.1.0.0 "$(ipmax "$FLOOD_N")" 1000 1001) ;;
	hits) qargs=("$HITS_N" 10.1.0.0 "$(ipmax "$HITS_N")" 1000 1001) ;;
	exp5 | exp10) qargs=() ;;
	*) die "quick: regime est, flood, reflood, hits, exp5 or exp10" ;;
	esac
	[ ${#qargs[@]} = 0 ] || { rules_drop; measure base "$regime" "${qargs[@]}"; }
	for arg in "$@"; do # NAME=KO[:PARAM=VALUE...]
		ko=${arg#*=}
		extra=${ko#*:}
		[ "$extra" != "$ko" ] || extra=
		ko=${ko%%:*}
		# shellcheck disable=SC2086
		insmod "$ko" $PARAMS ${extra//:/ } || die "insmod $ko"
		if [ ${#qargs[@]} = 0 ]; then # export: populate, then a timed flush
			echo "${regime#exp}" >/proc/sys/net/netflow/protocol
			flush
			rules_netflow
			pg_run "$HITS_N" 10.1.0.0 "$(ipmax "$HITS_N")" 1000 1001
			rules_none
			mem_figures "${arg%%=*}"
			timed_flush "${arg%%=*}" "$regime" "$(stat_flows)"
			unload
			continue
		fi
		rules_netflow
		case $regime in
		est) pg_run 640 10.1.0.1 10.1.0.1 1000 1064 ;;
		est_hook)
			echo ipv4:prerouting:-400 >/proc/sys/net/netflow/hooks || die "hooks"
			rules_drop
			pg_run 640 10.1.0.1 10.1.0.1 1000 1064 ;;
		est_after | est_settled) # est after a flood and its flush, as make bench runs it
			pg_run "$FLOOD_N" 10.1.0.0 "$(ipmax "$FLOOD_N")" 1000 1001
			flush
			[ "$regime" = est_after ] || settle "${arg%%=*}"
			pg_run 640 10.1.0.1 10.1.0.1 1000 1064 ;;
		hits) pg_run "${qargs[@]}" ;; # populate: the measured pass hits these flows
		flood) flush ;;
		reflood) pg_run "${qargs[@]}"; flush ;; # the flood's flows from the recycled pool
		esac
		measure "${arg%%=*}" "$regime" "${qargs[@]}"
		unload
	done
	raw vm 'done' 1
	exit 0
fi
# ---- exporters mode (tests/bench/quick.sh exporters): baselines + the userspace exporters ---
# shellcheck source=tests/bench/exporters.sh
. "$HERE/exporters.sh"
if [ "${1:-}" = --exporters ]; then
	rules_drop
	measure base flood "$FLOOD_N" 10.1.0.0 "$(ipmax "$FLOOD_N")" 1000 1001
	measure base est "$EST_N" 10.1.0.1 10.1.0.1 1000 1064
	rules_none
	bench_exporters
	raw vm 'done' 1
	exit 0
fi
if [ "${1:-}" = --profile ]; then
	shift
	profile_regime "$@"
	raw vm 'done' 1
	exit 0
fi

# ---- baselines: the same patterns without NETFLOW (only -j DROP), no module loaded -------
rules_drop
measure base flood "$FLOOD_N" 10.1.0.0 "$(ipmax "$FLOOD_N")" 1000 1001
measure base est "$EST_N" 10.1.0.1 10.1.0.1 1000 1064
measure base hits "$HITS_N" 10.1.0.0 "$(ipmax "$HITS_N")" 1000 1001
rules_none

for arg in "$@"; do
	bench_module "${arg%%=*}" "${arg#*=}"
done
bench_exporters
rules_drop
measure base2 est "$EST_N" 10.1.0.1 10.1.0.1 1000 1064
rules_none
raw vm uptime "$(cut -d' ' -f1 /proc/uptime)"
raw vm 'done' 1
