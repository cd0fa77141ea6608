#!/bin/bash
# Concurrency (issue 18; written for the debug kernels of make check-debug, runs on any):
# pktgen threads on every vCPU, half of them new flows (random sources and ports), half
# 64 established flows, metered by hook mode, while seven loops run at the same time and
# over again: hashsize changes, flushes, protocol 5/9/10, destination and destination_mode
# changes, sampler and aggregation changes, netlink dumps of all flows, /proc reads, and
# TCP flows that end by FIN or RST (the worker finds them through per-CPU maps that a
# hashsize change regroups).
# For NF_CONC_SECONDS (default 60; make check-debug: 300).  Every packet that reached dut's
# IP layer is accounted: metered, dropped (counted) or skipped by the hash sampler
# (counted).  Then NF_CONC_RELOADS (default 5) module reloads under the flood with the
# loops still running: each load meters, each unload succeeds.  No WARN, no report.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"
. "$(dirname "$0")/../pktgen.sh"

secs=${NF_CONC_SECONDS:-60}
reloads=${NF_CONC_RELOADS:-5}
ncpu=$(nproc)
nf_pg_topo
nf_pg_no_ipv6
nf_ns dut nft -f - <<'EOF'
table ip sink {
	chain pre {	# the flood is marked: only it is metered (hook_mark=1/1), not the export
		type filter hook prerouting priority raw;
		iifname "veth1" meta mark set 1
	}
	chain input {
		type filter hook input priority filter;
		udp dport 9 drop
	}
}
EOF
ko=$(nf_local_kmod)
cp "$(nf_artifact ctl)" /tmp/netflowctl
chmod 755 /tmp/netflowctl
modprobe x_tables
modprobe nf_conntrack	# (natevents is compiled in: the module needs its symbols)
load() {
	insmod "$ko" destination=127.0.0.1:2055 inactive_timeout=2 active_timeout=5 \
		maxflows=100000 hooks=ipv4:prerouting hook_mark=1/1 || nf_die "insmod failed: $(dmesg | tail -3)"
}
load
nf_collector_start c1 2055
nf_collector_start c2 2056
inrecv() { nf_ns dut awk '$1 == "Ip:" && $4 ~ /^[0-9]+$/ { print $4 }' /proc/net/snmp; }	# InReceives

# ---- pktgen: one thread per vCPU on the same device (pg0@N)
pg_thread() { # CPU CMD...
	local t=$NF_PG/kpktgend_$1 d=$NF_PG/pg0@$1 c
	shift
	echo "add_device pg0@${t##*_}" >"$t" || nf_die "pktgen: add_device on ${t##*/}"
	for c in "count 0" "clone_skb 0" "burst 1" "pkt_size 60" "delay 0" "dst 10.0.0.2" \
		"dst_mac $NF_PG_DMAC" "udp_dst_min 9" "udp_dst_max 10" "ratep 8000" "$@"; do
		echo "$c" >"$d" || nf_die "pktgen: '$c' > $d"
	done
}
for ((c = 0; c < ncpu; c++)); do echo rem_device_all >"$NF_PG/kpktgend_$c"; done
sleep 0.5
for ((c = 0; c < ncpu; c++)); do
	if [ $((c % 2)) = 0 ]; then	# new flows
		pg_thread "$c" "src_min 10.0.1.1" "src_max 10.0.1.254" "flag IPSRC_RND" \
			"udp_src_min 1024" "udp_src_max 65535" "flag UDPSRC_RND"
	else				# 64 established flows
		pg_thread "$c" "src_min 10.0.2.1" "src_max 10.0.2.64" "udp_src_min 5000" "udp_src_max 5001"
	fi
done
pg_sent() { cat "$NF_PG"/pg0@* | sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' | awk '{ n += $1 } END { print n + 0 }'; }

# ---- the loops: each counts its operations and records what failed
rm -rf /tmp/conc && mkdir -p /tmp/conc
w() { # KEY VALUE   a sysctl write; refused or not applied = a failure (not while reloading)
	if ! { echo "$2" >"/proc/sys/net/netflow/$1"; } 2>/dev/null; then
		[ -e /tmp/conc/reloading ] || echo "sysctl $1=$2 refused" >>/tmp/conc/failures
	fi
}
loop() { # NAME BODY...   run BODY (a function) until /tmp/conc/stop
	local name=$1 n=0
	shift
	while [ ! -e /tmp/conc/stop ]; do
		"$@" "$n"
		n=$((n + 1))
	done
	echo "$n" >"/tmp/conc/$name.count"
}
op_hashsize() { w hashsize $((1024 << ($1 % 6))); sleep 0.3; }
op_flush() { w flush 1; sleep 0.5; }
op_protocol() { w protocol "$(echo "5 9 10" | cut -d' ' -f$(($1 % 3 + 1)))"; sleep 0.4; }
op_destination() {
	case $(($1 % 4)) in
	0) w destination 127.0.0.1:2055 ;;
	1) w destination 127.0.0.1:2055,127.0.0.1:2056 ;;
	2) w destination_mode balance ;;
	3) w destination_mode mirror ;;
	esac
	sleep 0.4
}
samplers=("deterministic:5" "random:3" "hash:4" "")
op_sampler() {
	w sampler "${samplers[$(($1 % 4))]}"
	if [ $(($1 % 2)) = 0 ]; then w aggregation "10.0.0.0/8=16,1024-65535=1024"; else w aggregation ""; fi
	sleep 0.4
}
op_dump() {
	if ! /tmp/netflowctl flows --count >/dev/null 2>&1; then
		[ -e /tmp/conc/reloading ] || echo "netflowctl flows failed" >>/tmp/conc/failures
	fi
	[ $(($1 % 5)) != 0 ] || /tmp/netflowctl flows --json >/dev/null 2>&1 || true
}
op_tcpend() { # 100 TCP flows, each ended by FIN or RST (tools/send_tcp_ends.py)
	local n
	n=$(python3 "$NF_TOOLS/send_tcp_ends.py" pg0 "$NF_PG_DMAC" 100 2>/dev/null) || n=0
	echo "$n" >>/tmp/conc/tcpend.frames
	sleep 0.2
}
op_proc() {
	cat /proc/net/stat/ipt_netflow /proc/net/stat/ipt_netflow_snmp >/dev/null 2>&1 ||
		{ [ -e /tmp/conc/reloading ] || echo "/proc read failed" >>/tmp/conc/failures; }
	head -c 65536 /proc/net/stat/ipt_netflow_flows >/dev/null 2>&1 || true
}
ops="hashsize flush protocol destination sampler dump proc tcpend"
nops=$(echo "$ops" | wc -w)

before=$(inrecv)
echo start >"$NF_PG/pgctrl" &
NF_PG_PID=$!
NF_PIDS+=("$NF_PG_PID")
nf_wait_for 30 grep -q 'pkts-sofar: [1-9]' "$NF_PG/pg0@0" || nf_die "pktgen did not start"
for op in $ops; do
	loop "$op" "op_$op" &
	NF_PIDS+=("$!")
done
sleep "$secs"
touch /tmp/conc/stop
wait "${NF_PIDS[@]: -$nops}" 2>/dev/null || true
echo stop >"$NF_PG/pgctrl" || true
wait "$NF_PG_PID" 2>/dev/null || true
sleep 1
sent=$(pg_sent)
seen=$(($(inrecv) - before))
assert_eq "$(cat /tmp/conc/failures 2>/dev/null || true)" "" "no change refused, no dump or /proc read failed"
summary=""
for op in $ops; do
	n=$(cat "/tmp/conc/$op.count")
	# the TCP-end loop starts python for each round (seconds on a debug kernel): one
	# round per 40 s of the run, at least two; every other loop five times at least
	min=5
	[ "$op" != tcpend ] || min=$((secs / 40 > 2 ? secs / 40 : 2))
	assert_ge "$n" "$min" "the $op loop ran (x$n)"
	summary="$summary $op x$n"
done

tcp=$(awk '{ n += $1 } END { print n + 0 }' /tmp/conc/tcpend.frames 2>/dev/null || echo 0)
assert_ge "$tcp" 200 "frames of TCP flows ending by FIN or RST sent (x$tcp)"
summary="$summary ($tcp TCP frames)"

# every packet that reached the IP layer: metered, dropped or hash-skipped
sysctl -q -w net.netflow.sampler=hash:2	# (the skipped count shows with a hash sampler)
metered=$(nf_snmp inPackets)
dropped=$(nf_snmp dropPackets)
skipped=$(nf_stat | sed -n 's/.*hash-skipped \([0-9]*\) packets.*/\1/p')
assert_eq "$((metered + dropped + skipped))" "$seen" \
	"every packet accounted: metered $metered + dropped $dropped + hash-skipped $skipped = dut's Ip InReceives"
assert_ge "$metered" 1000 "packets were metered"
echo "figure: 75-concurrency: $ncpu pktgen threads, ${secs}s: $sent packets sent, $seen reached dut's IP layer, metered $metered, dropped $dropped, hash-skipped $skipped; loops:$summary"

# ---- reloads under the flood, the loops running (their writes may race the unload)
rm -f /tmp/conc/stop /tmp/conc/*.count
touch /tmp/conc/reloading
echo start >"$NF_PG/pgctrl" &
NF_PG_PID=$!
NF_PIDS+=("$NF_PG_PID")
for op in $ops; do
	loop "$op" "op_$op" &
	NF_PIDS+=("$!")
done
ok=0
for i in $(seq "$reloads"); do
	sleep 2
	m=$(nf_snmp inPackets)
	[ "${m:-0}" -gt 0 ] || nf_fail "reload $i: the module meters nothing"
	# a netlink dump in progress holds a reference to the module: retry, as an operator would
	for _ in $(seq 100); do
		! rmmod ipt_NETFLOW 2>/dev/null || break
		sleep 0.1
	done
	if [ -e /sys/module/ipt_NETFLOW ]; then
		nf_fail "reload $i: rmmod failed 100 times"
		break
	fi
	ok=$((ok + 1))
	sleep 0.5
	load
done
touch /tmp/conc/stop
wait "${NF_PIDS[@]: -$nops}" 2>/dev/null || true
echo stop >"$NF_PG/pgctrl" || true
wait "$NF_PG_PID" 2>/dev/null || true
assert_eq "$ok" "$reloads" "module unloaded under the flood and the loops, $reloads times"
assert_ok rmmod ipt_NETFLOW
nf_collector_stop c1
nf_collector_stop c2
