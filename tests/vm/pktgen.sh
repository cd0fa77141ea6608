# shellcheck shell=bash
# tests/vm/pktgen.sh — pktgen floods for the stress scenarios, sourced after lib.sh and
# netflow.sh.  Topology of nf_pg_topo: pg0 (root namespace, 10.0.0.1, pktgen sends from
# it) <-> veth1 in namespace "dut" (10.0.0.2), offloads off.
#
#   nf_pg_topo                       the namespace and the veth pair
#   nf_pg_no_ipv6                    no IPv6 in either namespace (only the flood reaches dut)
#   nf_pg_setup COUNT [CMD...]       (re)configure pg0: COUNT packets (0 = until stopped),
#                                    60-byte UDP 10.0.0.1:9 -> 10.0.0.2:9, then each CMD
#                                    (e.g. "ratep 20000", "flag IPSRC_RND", "src_max ...")
#   nf_pg_start                      start in the background (NF_PG_PID)
#   nf_pg_wait                       wait for a COUNT run to finish
#   nf_pg_stop                       stop a run
#   nf_pg_sent                       packets pktgen sent in the last run
# Traps (from tests/bench/guest.sh): udp_src_max is exclusive; a removed device disappears
# asynchronously, so wait before adding it again.
NF_PG=/proc/net/pktgen
NF_PG_PID=

nf_pg_topo() {
	modprobe pktgen || nf_die "modprobe pktgen"
	nf_ns_add dut
	nf_veth - pg0 dut veth1
	nf_addr - pg0 10.0.0.1/24
	nf_addr dut veth1 10.0.0.2/24
	ethtool -K pg0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
	nf_ns dut ethtool -K veth1 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
	NF_PG_DMAC=$(nf_ns dut cat /sys/class/net/veth1/address)
}

nf_pg_no_ipv6() {
	local ns
	for ns in - dut; do
		nf_sysctl "$ns" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
}

_nf_pgset() { # FILE CMD
	echo "$2" >"$1" || nf_die "pktgen: '$2' > $1 failed"
}

nf_pg_setup() { # COUNT [CMD...]
	local count=$1 c
	shift
	_nf_pgset $NF_PG/kpktgend_0 "rem_device_all"
	for _ in $(seq 200); do [ -e $NF_PG/pg0 ] || break; sleep 0.05; done
	[ ! -e $NF_PG/pg0 ] || nf_die "pktgen device pg0 not removed"
	_nf_pgset $NF_PG/kpktgend_0 "add_device pg0"
	for c in "count $count" "clone_skb 0" "burst 1" "pkt_size 60" "delay 0" "dst 10.0.0.2" \
		"dst_mac $NF_PG_DMAC" "udp_src_min 9" "udp_src_max 10" "udp_dst_min 9" "udp_dst_max 10" "$@"; do
		_nf_pgset $NF_PG/pg0 "$c"
	done
}

nf_pg_start() {
	echo start >$NF_PG/pgctrl &
	NF_PG_PID=$!
	NF_PIDS+=("$NF_PG_PID")
	nf_wait_for 30 grep -q 'pkts-sofar: [1-9]' $NF_PG/pg0 || nf_die "pktgen did not start"
}

nf_pg_wait() { wait "$NF_PG_PID" 2>/dev/null || true; }

nf_pg_stop() {
	echo stop >$NF_PG/pgctrl || true
	wait "$NF_PG_PID" 2>/dev/null || true
}

nf_pg_sent() { sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' $NF_PG/pg0; }
