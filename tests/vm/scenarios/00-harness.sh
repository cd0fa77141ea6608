#!/bin/bash
# Proves the VM harness itself: the guest environment, namespaces + veth with IPv4/IPv6
# traffic, iptables-legacy / iptables-nft / ip6tables rules inside a namespace counting
# real packets, the collectors (nfcapd, tshark) decoding a NetFlow v5 datagram sent
# across the veth, modprobe of a stock module, nf_artifact's lookup.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$(dirname "$0")/../lib.sh"

# --- the guest ---------------------------------------------------------------------------
assert_eq "${NF_IN_VM:-}" 1 "NF_IN_VM"
assert_eq "$(id -u)" 0 "uid"
assert_eq "$PWD" "$NF_REPO" "current directory (run-scenarios.sh runs from the repo)"
assert_match "$(dmesg)" 'crng init done' "dmesg (entropy credited)"
assert_ge "$(cat /proc/sys/kernel/random/entropy_avail)" 256 "entropy_avail"
assert_eq "$(ip -br link show lo | awk '{print $2}')" UNKNOWN "loopback state (up)"
assert_ok touch "/lib/modules/$(uname -r)/.writable"
assert_match "$(findmnt -n -o FSTYPE /tmp)" '^tmpfs$' "/tmp filesystem"

# --- two namespaces joined by a veth pair --------------------------------------------------
nf_ns_add nfa nfb
nf_link nfa veth0 "10.99.0.1/24 fd99::1/64" nfb veth0 "10.99.0.2/24 fd99::2/64"
assert_ok nf_ns nfa ping -c 2 -i 0.2 -W 2 10.99.0.2
assert_ok nf_ns nfa ping -6 -c 2 -i 0.2 -W 2 fd99::2
assert_ok nf_ns nfb ping -c 1 -W 2 10.99.0.1
assert_ok nf_ns nfb ping -6 -c 1 -W 2 fd99::1

# --- iptables, both backends, v4 and v6, rules counting real packets --------------------
icmp_pkts() { # NS TOOL  -> packets counted by the first INPUT rule
	nf_ns "$1" "$2" -L INPUT -v -x -n | awk 'NR == 3 { print $1 }'
}
# nfa takes the legacy backend where the kernel has it (not PREEMPT_RT from 6.17 on)
v4=iptables-legacy v6=ip6tables-legacy
nf_legacy_tables || { v4=iptables-nft v6=ip6tables-nft; echo "no legacy iptables tables in $(uname -r): nft in both namespaces"; }
assert_ok nf_ns nfa "$v4" -A INPUT -p icmp -j ACCEPT
assert_ok nf_ns nfa "$v6" -A INPUT -p ipv6-icmp -j ACCEPT
assert_ok nf_ns nfb iptables-nft -A INPUT -p icmp -j ACCEPT
assert_ok nf_ns nfb ip6tables-nft -A INPUT -p ipv6-icmp -j ACCEPT
assert_ok nf_ns nfb ip6tables -A OUTPUT -p ipv6-icmp -j ACCEPT
assert_match "$(nf_ns nfa "$v4" -S INPUT)" '^-A INPUT -p icmp -j ACCEPT$' "$v4 -S in nfa"
assert_match "$(nf_ns nfb iptables-nft -S INPUT)" '^-A INPUT -p icmp -j ACCEPT$' "iptables-nft -S in nfb"
assert_match "$(nf_ns nfb ip6tables -S OUTPUT)" '^-A OUTPUT -p ipv6-icmp -j ACCEPT$' "ip6tables -S in nfb"
assert_eq "$("$v4" -S INPUT 2>/dev/null | grep -c icmp || true)" 0 "root namespace untouched"
nf_ns nfb ping -c 3 -i 0.2 -W 2 10.99.0.1 >/dev/null
nf_ns nfa ping -c 3 -i 0.2 -W 2 10.99.0.2 >/dev/null
nf_ns nfa ping -6 -c 3 -i 0.2 -W 2 fd99::2 >/dev/null
assert_ge "$(icmp_pkts nfa "$v4")" 3 "$v4 packets counted in nfa"
assert_ge "$(icmp_pkts nfb iptables-nft)" 3 "iptables-nft packets counted in nfb"
assert_ge "$(icmp_pkts nfb ip6tables-nft)" 3 "ip6tables-nft packets counted in nfb"

# --- collectors inside the guest ----------------------------------------------------------
# A NetFlow v5 datagram with one record 10.1.1.1:1234 -> 10.2.2.2:80 TCP, 7 packets, 700 bytes.
send_v5() { # NS DST PORT
	nf_ns "$1" python3 - "$2" "$3" <<'EOF'
import socket, struct, sys, time
now = int(time.time())
hdr = struct.pack("!HHIIIIBBH", 5, 1, 100000, now, 0, 1, 0, 0, 0)
rec = struct.pack("!4s4s4sHHIIIIHHBBBBHHBBH",
                  socket.inet_aton("10.1.1.1"), socket.inet_aton("10.2.2.2"),
                  socket.inet_aton("0.0.0.0"), 1, 2, 7, 700, 90000, 99000,
                  1234, 80, 0, 0x1b, 6, 0, 0, 0, 24, 24, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(hdr + rec, (sys.argv[1], int(sys.argv[2])))
EOF
}

mkdir -p /tmp/nfcap
nf_bg nfb /tmp/nfcapd.log nfcapd -w /tmp/nfcap -b 10.99.0.2 -p 2055 -t 3600
nfcapd_pid=$NF_BG_PID
nf_wait_udp nfb 2055 30 || nf_die "nfcapd does not listen on 2055: $(cat /tmp/nfcapd.log)"
nf_pass "nfcapd listens in nfb"
send_v5 nfa 10.99.0.2 2055
sleep 1
kill -TERM "$nfcapd_pid"
nf_wait_for 20 sh -c "! kill -0 $nfcapd_pid" || nf_fail "nfcapd did not stop on SIGTERM"
flows=$(nfdump -R /tmp/nfcap -q -o 'fmt:%sa %da %sp %dp %pr %pkt %byt' 2>&1 || true)
assert_match "$flows" '10\.1\.1\.1 +10\.2\.2\.2 +1234 +80 +TCP +7 +700' "nfdump of what nfcapd stored"

nf_bg nfb /tmp/tshark.out tshark -l -n -i veth0 -c 1 -f 'udp port 2056' \
	-d udp.port==2056,cflow -T fields -e cflow.version -e cflow.srcaddr -e cflow.packets
tshark_pid=$NF_BG_PID
nf_wait_for "${NF_TSHARK_WAIT:-60}" grep -q 'Capturing on' /tmp/tshark.out || nf_die "tshark did not start: $(cat /tmp/tshark.out)"
nf_pass "tshark captures in nfb"
for _ in 1 2 3 4 5; do # resend until tshark has seen one (BPF attach races the first)
	send_v5 nfa 10.99.0.2 2056
	nf_wait_for 3 sh -c "! kill -0 $tshark_pid" && break
done
nf_wait_for 20 sh -c "! kill -0 $tshark_pid" || true
assert_match "$(cat /tmp/tshark.out)" $'^5\t10\\.1\\.1\\.1\t7$' "tshark decoding of the v5 datagram"

# --- modules ------------------------------------------------------------------------------
assert_ok modprobe dummy
assert_match "$(lsmod)" '^dummy ' "lsmod"
assert_ok ip -n nfa link add dum0 type dummy
assert_ok ip -n nfa link del dum0
assert_ok modprobe -r dummy

# --- nf_artifact: build/artifacts.env first, then the in-tree fallbacks --------------------
(
	NF_REPO=/tmp/fake-repo
	unset NF_KMOD # the kernel matrix points kmod elsewhere; test the defaults here
	mkdir -p $NF_REPO/build $NF_REPO/kernel $NF_REPO/xtables
	touch $NF_REPO/kernel/ipt_NETFLOW.ko $NF_REPO/xtables/libxt_NETFLOW.so /tmp/relay-bin
	assert_eq "$(nf_artifact kmod)" "$NF_REPO/kernel/ipt_NETFLOW.ko" "nf_artifact kmod (fallback)"
	echo "relay=/tmp/relay-bin" >$NF_REPO/build/artifacts.env
	assert_eq "$(nf_artifact relay)" /tmp/relay-bin "nf_artifact relay (artifacts.env)"
	assert_fail nf_artifact agentx
	echo "NF_PASS=$NF_PASS NF_FAIL=$NF_FAIL" >/tmp/artifact-counts
)
eval "$(cat /tmp/artifact-counts)" # the subshell's counts
