#!/bin/bash
# Hook mode on a router, exactly as README.md documents it (issue 19): the nftables
# ruleset and the module options are taken from README's "Hook mode" example (nft -f of
# its file, its modprobe.d options with the collector on 127.0.0.1), hooks=inet:forward
# with hook_mark=0x10/0x10: forwarded traffic from 10.0.0.0/8 and 2001:db8::/32 is metered,
# the rest is not; nfdump decodes exactly the selected flows.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../netflow.sh"

readme=$NF_REPO/README.md
ruleset=$(awk '/^    table inet netflow_select \{$/,/^    \}$/' "$readme" | sed 's/^    //')
options=$(sed -n 's/^    options ipt_NETFLOW \(.*hooks=.*\)$/\1/p' "$readme" | head -n1)
[ -n "$ruleset" ] || nf_die "README.md has no netflow_select ruleset"
[ -n "$options" ] || nf_die "README.md has no modprobe.d options line with hooks="
echo "README ruleset:"; echo "$ruleset" | sed 's/^/  /'
echo "README options: $options"

nf_ns_add a1 a2 r b
nf_link a1 veth0 "10.1.0.1/24 2001:db8:1::1/64" r ra1 "10.1.0.254/24 2001:db8:1::fe/64"
nf_link a2 veth0 "172.16.0.1/24 fd01::1/64" r ra2 "172.16.0.254/24 fd01::fe/64"
nf_link b veth0 "10.2.0.2/24 2001:db8:2::2/64" r rb "10.2.0.254/24 2001:db8:2::fe/64"
nf_forwarding r
nf_ip a1 route add default via 10.1.0.254
nf_ip a1 -6 route add default via 2001:db8:1::fe
nf_ip a2 route add default via 172.16.0.254
nf_ip a2 -6 route add default via fd01::fe
nf_ip b route add default via 10.2.0.254
nf_ip b -6 route add default via 2001:db8:2::fe
assert_ok nf_ns a1 ping -c1 -W5 10.2.0.2
assert_ok nf_ns a2 ping -c1 -W5 -6 2001:db8:2::2

echo "$ruleset" >/tmp/netflow.nft
assert_ok nf_ns r nft -f /tmp/netflow.nft
# README's options, the collector here instead of 10.0.0.2
# shellcheck disable=SC2086 # the options are a space separated list
set -- ${options//destination=10.0.0.2:2055/destination=127.0.0.1:2055}
ko=$(nf_local_kmod)
modprobe x_tables
insmod "$ko" "$@" inactive_timeout=600 || nf_die "insmod $*: $(dmesg | tail -3)"
assert_eq "$(sysctl -n net.netflow.hooks)" inet:forward "hooks from README's options"
assert_eq "$(sysctl -n net.netflow.hook_mark)" 0x10/0x10 "hook_mark from README's options"
nf_collector_start c 2055

nf_udp a1 10.2.0.2 5001 5 100 45001			# 10.0.0.0/8: metered
nf_udp a1 2001:db8:2::2 5002 3 100 45002		# 2001:db8::/32: metered
nf_udp a2 10.2.0.2 5003 4 100 45003			# 172.16.0.1: not
nf_udp a2 2001:db8:2::2 5004 2 100 45004		# fd01::1: not
sleep 0.5
assert_ok sysctl -q -w net.netflow.flush=1
sleep 1
nf_collector_stop c
expected=$(sort <<EOT
17 10.1.0.1 45001 10.2.0.2 5001 5 640
17 2001:db8:1::1 45002 2001:db8:2::2 5002 3 444
EOT
)
got=$(nf_collector_flows c | grep '^17 ' | grep -v ' 127\.0\.0\.1 ' || true)
echo "nfdump decoded (UDP):"; echo "$got" | sed 's/^/  /'
assert_eq "$got" "$expected" "only the forwarded flows the ruleset marked, exact"
assert_match "$(nf_stat)" '^Hooks: inet:forward, mark 0x10/0x10\. Metered [0-9]+, mark skipped ([6-9]|[1-9][0-9]+), rule packets left to hooks 0\.' "the unmarked packets were skipped by mark"
