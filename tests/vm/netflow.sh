# shellcheck shell=bash
# tests/vm/netflow.sh — helpers for the ipt_NETFLOW scenarios, sourced after lib.sh.
#
#   nf_load [PARAM=VALUE...]     install the plugin, load the built module with params
#   nf_topo                      namespaces nfsrc (10.0.0.1, fd00::1) <-> nfdst (10.0.0.2,
#                                fd00::2), offloads off so packets on the wire = packets seen
#   nf_collector_start NAME PORT [ADDR]   nfcapd in the root namespace -> /tmp/nfcap-NAME
#                                (receive buffer NF_NFCAPD_BUF, default 8 MB)
#   nf_collector_stop NAME       stop it (files are complete afterwards)
#   nf_collector_flows NAME      "proto src sport dst dport packets bytes" per record
#   nf_lo_datagrams              lo's UDP segmentation off: captures see each datagram
#   nf_pcap_start NAME PORT      tshark capture of UDP PORT on lo -> /tmp/NAME.pcap
#   nf_pcap_stop NAME            stop it
#   nf_pcap_flows NAME           tshark's decoding, same line format as nf_collector_flows
#   nf_pdml_complaints PDML      what tshark complained of in a PDML decoding, counted
#   nf_stat                      cat /proc/net/stat/ipt_netflow
#   nf_snmp KEY                  value of KEY in /proc/net/stat/ipt_netflow_snmp
#   nf_udp NS DST DPORT COUNT SIZE [SPORT]  send COUNT UDP datagrams of SIZE payload bytes

NF_TOOLS=$NF_REPO/tests/vm/tools
declare -A NF_COLLECTOR_PID NF_PCAP_PID

nf_load() { # insmod: depmod of the whole module tree is slow under TCG (10-module-load
	# covers modprobe); x_tables and nf_conntrack are the dependencies
	local ko
	ko=$(nf_local_kmod)
	nf_install_xtables
	modprobe x_tables
	modprobe nf_conntrack	# natevents and flowtable=1 use conntrack's symbols
	insmod "$ko" "$@" || nf_die "insmod $ko $* failed: $(dmesg | tail -3)"
}

nf_local_kmod() { # the kmod copied to tmpfs once (9p reads can fail under heavy load)
	local ko
	if [ ! -f /tmp/ipt_NETFLOW.ko ]; then
		ko=$(nf_artifact kmod) || nf_die "no kernel module built"
		cp "$ko" /tmp/ipt_NETFLOW.ko || nf_die "cannot copy $ko"
	fi
	echo /tmp/ipt_NETFLOW.ko
}

nf_topo() {
	local ns
	nf_ns_add nfsrc nfdst
	nf_link nfsrc veth0 "10.0.0.1/24 fd00::1/64" nfdst veth0 "10.0.0.2/24 fd00::2/64"
	for ns in nfsrc nfdst; do
		nf_ns $ns ethtool -K veth0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
	done
}

nf_collector_start() { # NAME PORT [ADDR]
	local dir=/tmp/nfcap-$1
	rm -rf "$dir"
	mkdir -p "$dir"
	nf_bg - "/tmp/nfcapd-$1.log" nfcapd -w "$dir" -b "${3:-127.0.0.1}" -p "$2" -t 3600 -B "${NF_NFCAPD_BUF:-8388608}"
	NF_COLLECTOR_PID[$1]=$NF_BG_PID
	nf_wait_udp - "$2" 30 || nf_die "nfcapd $1 does not listen on $2: $(cat "/tmp/nfcapd-$1.log")"
}

nf_collector_stop() { # NAME
	local pid=${NF_COLLECTOR_PID[$1]}
	kill -TERM "$pid" 2>/dev/null || true
	nf_wait_for 20 sh -c "! kill -0 $pid 2>/dev/null" || nf_fail "nfcapd $1 did not stop"
}

nf_collector_flows() { # NAME
	nfdump -R "/tmp/nfcap-$1" -q -N -o 'fmt:%pr %sa %sp %da %dp %pkt %byt' 2>/dev/null |
		awk 'NF == 7 { print $1, $2, $3, $4, $5, $6, $7 }' | sort
}

# Captures must see datagrams: the module sends runs of full v5 PDUs with UDP GSO, and a
# device that segments itself (lo does) shows such a run to taps as one large packet; with
# lo's UDP segmentation off the stack cuts the run before lo, as for a NIC without USO.
nf_lo_datagrams() {
	ethtool -K lo tx-udp-segmentation off >/dev/null || nf_die "ethtool -K lo tx-udp-segmentation off"
}

nf_pcap_start() { # NAME PORT
	nf_lo_datagrams
	rm -f "/tmp/$1.pcap"
	nf_bg - "/tmp/$1.tshark.log" tshark -n -i lo -f "udp port $2" -w "/tmp/$1.pcap"
	NF_PCAP_PID[$1]=$NF_BG_PID
	nf_wait_for "${NF_TSHARK_WAIT:-60}" grep -q 'Capturing on' "/tmp/$1.tshark.log" ||
		nf_die "tshark did not start: $(cat "/tmp/$1.tshark.log")"
}

nf_pcap_stop() { # NAME
	local pid=${NF_PCAP_PID[$1]}
	sleep 0.5
	kill -INT "$pid" 2>/dev/null || true
	nf_wait_for 20 sh -c "! kill -0 $pid 2>/dev/null" || nf_fail "tshark $1 did not stop"
}

# dumpcap instead of tshark: it starts in a moment even on a loaded host (no dissectors
# to register); tshark decodes the file once at the end
nf_cap_start() { # FILE PORT
	nf_lo_datagrams
	rm -f "$1"
	nf_bg - /tmp/dumpcap.log dumpcap -q -i lo -f "udp port $2" -w "$1"
	NF_CAP_PID=$NF_BG_PID
	nf_wait_for 120 grep -q 'Capturing on' /tmp/dumpcap.log ||
		nf_die "dumpcap did not start: $(cat /tmp/dumpcap.log)"
}

nf_cap_stop() {
	sleep 0.5
	kill -INT "$NF_CAP_PID" 2>/dev/null || true
	nf_wait_for 20 sh -c "! kill -0 $NF_CAP_PID 2>/dev/null" || nf_fail "dumpcap did not stop"
}

nf_load_full() { # ARGS...   like nf_load, the module with every optional field (make kmod-full)
	local ko=/tmp/ipt_NETFLOW_full.ko src
	if [ ! -f "$ko" ]; then
		src=${NF_KMOD_FULL:-}
		[ -n "$src" ] || src=$(nf_artifact kmod_full) || nf_die "no full module: make kmod-full"
		cp "$src" "$ko" || nf_die "cannot copy $src"
	fi
	nf_install_xtables
	modprobe x_tables
	modprobe nf_conntrack	# natevents are built in: the module needs conntrack's symbols
	insmod "$ko" "$@" || nf_die "insmod $ko $* failed: $(dmesg | tail -3)"
}

nf_pcap_flows() { # NAME [PORT]
	python3 "$NF_TOOLS/tshark_flows.py" "/tmp/$1.pcap" "${2:-2055}" | sort
}

# Malformed packets, unknown fields or templates, trailing bytes, and expert infos from
# Note up (Wireshark's sequence analysis of each observation domain included), counted
# by line.  A Chat one is a remark, not a complaint: "Possible traceroute" comes when the
# export socket's ephemeral source port falls in traceroute's range (33435-33464).
nf_pdml_complaints() { # PDML
	grep -E '_ws\.malformed|[Uu]nknown|[Nn]o [Tt]emplate|Trailing stray|name="_ws\.expert" showname="Expert Info \((Note|Warning|Error)/' "$1" |
		grep -v 'name="_ws\.expert\.\(group\|severity\|message\)"' | sort | uniq -c || true
}

nf_stat() { cat /proc/net/stat/ipt_netflow; }

nf_snmp() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/stat/ipt_netflow_snmp; }

nf_udp() { # NS DST DPORT COUNT SIZE [SPORT]
	nf_ns "$1" python3 "$NF_TOOLS/send_udp.py" "$2" "$3" "$4" "$5" "${6:-0}"
}

nf_bad_sysctl() { # KEY VALUE REGEX   a bad write is refused (EINVAL, one kernel line
	# matching REGEX) and changes nothing
	local before
	before=$(sysctl -n "net.netflow.$1")
	nf_dmesg_mark "sysctl:$1"
	assert_fail bash -c "echo '$2' > /proc/sys/net/netflow/$1"
	assert_match "$(bash -c "echo '$2' > /proc/sys/net/netflow/$1" 2>&1 || true)" 'Invalid argument' "errno of bad $1 write"
	assert_eq "$(sysctl -n "net.netflow.$1")" "$before" "$1 unchanged after bad write"
	assert_match "$(nf_dmesg_since "sysctl:$1")" "$3" "kernel message for bad $1"
}
