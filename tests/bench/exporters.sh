# tests/bench/exporters.sh — sourced by tests/bench/guest.sh (inside the benchmark VM): the
# userspace exporters a Debian user would pick instead of a kernel module, in the same boot,
# the same topology and the same two regimes (flood: FLOOD_N new flows; est: 64 flows).
#
#   softflowd  libpcap on veth1 (Debian's softflowd), NetFlow v5
#   pmacctd    libpcap on veth1, nfprobe plugin (pmacct), NetFlow v5
#   uacctd     NFLOG group 5 from `-t raw PREROUTING -j NFLOG` (pmacct), nfprobe, NetFlow v5
#
# Each runs in the dut namespace and exports to nfcapd in the root namespace (10.98.0.1:$EXP_PORT,
# over a veth pair of its own: the dut's `-j DROP` in raw PREROUTING would drop exports to its
# own loopback, and veth0/veth1 carry only the test traffic); nfdump reads what it stored. Per tool and regime it prints RAW lines:
#   <tool> <regime>_x1000      guest ns per packet of the pktgen run (as measure() does): the
#                              capture (or NFLOG) path in softirq plus whatever the daemon ran
#                              on the one vCPU while pktgen sent
#   <tool> <regime>_sent       packets pktgen put on veth0 while the daemon ran (warm-up and
#                              reruns included)
#   <tool> <regime>_accounted  packets of the test traffic in the flows the collector stored
#   <tool> <regime>_flows      those flows
#   <tool> <regime>_cpu_ns     the daemon's own CPU (its cgroup's usage_usec, all its processes,
#                              user + kernel) from ready to exit: capture reads, flow table,
#                              export of every flow at shutdown
#   <tool> <regime>_cpu_run_ns the same up to the moment it went idle after the run (before the
#                              shutdown's export)
#   <tool> <regime>_rcvbuf_err the collector's socket overflows (0 or the count is a lower bound)
# Needs: softflowd, pmacct (pmacctd, uacctd), nfdump (nfcapd) on the host root; cgroup2 at
# /sys/fs/cgroup (guest-init.sh mounts it).
# shellcheck shell=bash

EXP_PORT=9995
EXP_TOOLS=${NF_BENCH_EXPORTERS-softflowd pmacctd uacctd}
EXP_CG=/sys/fs/cgroup/nfbench-exporter
EXP_DIR=/tmp/nfbench-exp

exp_usage_ns() { echo $(($(sed -n 's/^usage_usec //p' "$EXP_CG/cpu.stat") * 1000)); }
exp_procs() { wc -l <"$EXP_CG/cgroup.procs"; }
veth0_tx() { cat /sys/class/net/veth0/statistics/tx_packets; }
rcvbuf_errors() {
	# shellcheck disable=SC2016
	awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $6 }' /proc/net/snmp
}

# wait until the daemon's CPU stops growing (it has read what was queued for it)
exp_wait_idle() {
	local a b i
	a=$(exp_usage_ns)
	for i in $(seq 600); do
		sleep 0.5
		b=$(exp_usage_ns)
		[ "$b" != "$a" ] || return 0
		a=$b
	done
	log "exporters: daemon still busy after $i polls"
}

exp_wait_exit() {
	local i
	for i in $(seq 600); do
		[ "$(exp_procs)" = 0 ] && return 0
		sleep 0.2
	done
	die "exporters: daemon did not exit: $(cat "$EXP_CG/cgroup.procs")"
}

exp_collector_start() {
	rm -rf "$EXP_DIR/nfc"
	mkdir -p "$EXP_DIR/nfc"
	nfcapd -w "$EXP_DIR/nfc" -b 10.98.0.1 -p "$EXP_PORT" -B 67108864 \
		-P "$EXP_DIR/nfcapd.pid" -D >"$EXP_DIR/nfcapd.log" 2>&1 || die "nfcapd: $(cat "$EXP_DIR/nfcapd.log")"
	for _ in $(seq 100); do
		ss -Hlun "sport = :$EXP_PORT" | grep -q . && return 0
		sleep 0.1
	done
	die "nfcapd does not listen on $EXP_PORT"
}

# stop nfcapd (it closes its file), then: "FLOWS PACKETS" of the test traffic it stored
exp_collector_count() {
	local pid
	pid=$(cat "$EXP_DIR/nfcapd.pid")
	kill -TERM "$pid"
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	nfdump -R "$EXP_DIR/nfc" -q -N -o 'fmt:%pkt' 'proto udp and dst ip 10.0.0.2 and dst port 9' |
		awk '{ n++; s += $1 } END { print n + 0, s + 0 }'
}

# start TOOL in the cgroup (in the dut namespace), wait until it listens
exp_start() {
	local tool=$1 conf=$EXP_DIR/$1.conf
	rmdir "$EXP_CG" 2>/dev/null || true
	mkdir -p "$EXP_CG" || die "cgroup $EXP_CG"
	case $tool in
	softflowd)
		# -m: room for every flow of the flood (the default, 8192, would expire flows early)
		set -- softflowd -d -i veth1 -n "10.98.0.1:$EXP_PORT" -v 5 -m 1000000 \
			-c "$EXP_DIR/sf.ctl" -p "$EXP_DIR/sf.pid" ;;
	pmacctd | uacctd)
		{
			echo "daemonize: false"
			echo "pidfile: $EXP_DIR/$tool.pid"
			if [ "$tool" = pmacctd ]; then
				echo "pcap_interface: veth1"
			else
				echo "uacctd_group: 5"
			fi
			echo "plugins: nfprobe"
			echo "aggregate: src_host, dst_host, src_port, dst_port, proto, tos"
			echo "nfprobe_receiver: 10.98.0.1:$EXP_PORT"
			echo "nfprobe_version: 5"
			echo "nfprobe_maxflows: 1000000"
		} >"$conf"
		set -- "$tool" -f "$conf" ;;
	*) die "exporters: unknown tool $tool" ;;
	esac
	(
		echo "$BASHPID" >"$EXP_CG/cgroup.procs"
		exec ip netns exec dut "$@" >"$EXP_DIR/$tool.log" 2>&1
	) &
	# ready: its packet socket (libpcap) or its NFLOG group is bound
	for _ in $(seq 300); do
		case $tool in
		uacctd) grep -qE '^ *5 ' /proc/net/netfilter/nfnetlink_log 2>/dev/null && break ;;
		*) [ "$(ip netns exec dut awk 'NR > 1' /proc/net/packet | wc -l)" -gt 0 ] && break ;;
		esac
		[ "$(exp_procs)" != 0 ] || die "$tool exited: $(cat "$EXP_DIR/$tool.log")"
		sleep 0.1
	done
	sleep 1
}

# ask TOOL to export every flow and exit
exp_stop() {
	local tool=$1
	case $tool in
	softflowd) ip netns exec dut softflowctl -c "$EXP_DIR/sf.ctl" shutdown >/dev/null ||
		die "softflowctl shutdown" ;;
	*) kill -INT "$(cat "$EXP_DIR/$tool.pid")" || die "kill $tool" ;;
	esac
	exp_wait_exit
}

# exp_run TOOL REGIME
exp_run() {
	local tool=$1 regime=$2 tx0 tx1 u0 u1 u2 e0 e1 flows pkts
	mkdir -p "$EXP_DIR"
	if [ "$tool" = uacctd ]; then
		ip netns exec dut "$IPT" -t raw -F PREROUTING
		ip netns exec dut "$IPT" -t raw -A PREROUTING -j NFLOG --nflog-group 5 || die "-j NFLOG"
		ip netns exec dut "$IPT" -t raw -A PREROUTING -j DROP
	else
		rules_drop
	fi
	exp_collector_start
	e0=$(rcvbuf_errors)
	exp_start "$tool"
	u0=$(exp_usage_ns)
	tx0=$(veth0_tx)
	case $regime in
	flood) measure "$tool" flood "$FLOOD_N" 10.1.0.0 "$(ipmax "$FLOOD_N")" 1000 1001 ;;
	est)
		pg_run 640 10.1.0.1 10.1.0.1 1000 1064
		measure "$tool" est "$EST_N" 10.1.0.1 10.1.0.1 1000 1064 ;;
	esac
	tx1=$(veth0_tx)
	exp_wait_idle
	u1=$(exp_usage_ns)
	exp_stop "$tool"
	# the cgroup's usage after the exit: the export at shutdown included
	u2=$(exp_usage_ns)
	sleep 1
	read -r flows pkts < <(exp_collector_count)
	if [ "${pkts:-0}" = 0 ]; then
		log "$tool $regime: nothing accounted; collector files: $(find "$EXP_DIR/nfc" -type f -printf '%f %s B; ')"
		nfdump -R "$EXP_DIR/nfc" -q -N -o 'fmt:%pkt %sa %da %sp %dp %pr' 2>&1 | head -n3 | sed 's/^/bench:   nfdump: /'
	fi
	# what the daemon said (warnings about drops, buffers...)
	grep -v '^$' "$EXP_DIR/$tool.log" | tail -n8 | sed "s/^/bench:   $tool: /"
	e1=$(rcvbuf_errors)
	rules_none
	raw "$tool" "${regime}_sent" "$((tx1 - tx0))"
	raw "$tool" "${regime}_accounted" "$pkts"
	raw "$tool" "${regime}_flows" "$flows"
	raw "$tool" "${regime}_cpu_ns" "$((u2 - u0))"
	raw "$tool" "${regime}_cpu_run_ns" "$((u1 - u0))"
	raw "$tool" "${regime}_rcvbuf_err" "$((e1 - e0))"
	log "$tool $regime: sent $((tx1 - tx0)), accounted $pkts in $flows flows, daemon CPU $((u2 - u0)) ns, collector overflows $((e1 - e0))"
	rmdir "$EXP_CG" 2>/dev/null || true
}

bench_exporters() {
	local tool regime
	modprobe nfnetlink_log 2>/dev/null || true
	modprobe xt_NFLOG 2>/dev/null || true
	sysctl -qw net.core.rmem_max=67108864
	if ! ip link show vexp0 >/dev/null 2>&1; then
		ip link add vexp0 type veth peer name vexp1 netns dut || die "veth vexp"
		ip addr add 10.98.0.1/24 dev vexp0
		ip -n dut addr add 10.98.0.2/24 dev vexp1
		ip link set vexp0 up
		ip -n dut link set vexp1 up
	fi
	raw softflowd version "$(dpkg-query -W -f '${Version}' softflowd 2>/dev/null)"
	raw pmacctd version "$(dpkg-query -W -f '${Version}' pmacct 2>/dev/null)"
	raw nfcapd version "$(dpkg-query -W -f '${Version}' nfdump 2>/dev/null)"
	for tool in $EXP_TOOLS; do
		command -v "$tool" >/dev/null || { log "exporters: $tool not installed, skipped"; continue; }
		for regime in flood est; do
			exp_run "$tool" "$regime"
		done
	done
}
