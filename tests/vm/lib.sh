# shellcheck shell=bash
# tests/vm/lib.sh — shell library for the VM scenario scripts (tests/vm/scenarios/*.sh).
# Source it first thing:   . "$(dirname "$0")/../lib.sh"
#
# Run on the host, a script that sources this re-executes itself inside a fresh VM
# (tests/vm/run.sh); inside the VM (NF_IN_VM=1) it sets up:
#   - a per-scenario check count: every assert_* prints "ok ..." or "FAIL ..." and counts;
#   - an EXIT trap that cleans up (namespaces, background processes, iptables, module),
#     checks dmesg since the scenario started, prints "-- NAME: P checks ok, F failed" and
#     makes the script exit non-zero if any check failed.
#
# Namespaces:   nf_ns_add NAME...          nf_ns NAME CMD...        nf_ip NAME ARGS...
#               nf_veth NS1 IF1 NS2 IF2    nf_addr NS IF ADDR/LEN...
#               nf_link NS1 IF1 "ADDRS1" NS2 IF2 "ADDRS2"   (veth + addresses + up)
#               nf_sysctl NS KEY=VALUE...   nf_forwarding NS
#               (NS "-" is the VM's root namespace)
# Processes:    nf_bg NS LOG CMD...  (sets NF_BG_PID; killed at cleanup)
#               nf_wait_for SECS CMD...   nf_wait_udp NS PORT [SECS]   nf_wait_tcp NS PORT [SECS]
# Checks:       assert_eq ACTUAL EXPECTED [WHAT]   assert_ne ACTUAL UNEXPECTED [WHAT]
#               assert_ge ACTUAL MIN [WHAT]        assert_le ACTUAL MAX [WHAT]
#               assert_match TEXT REGEX [WHAT]     assert_no_match TEXT REGEX [WHAT]
#               assert_ok CMD...   assert_fail CMD...   nf_pass WHAT   nf_fail WHAT
#               nf_die MSG (abort the scenario; counts as a failure)
# Kernel log:   nf_dmesg_mark LABEL    nf_dmesg_since [LABEL]    nf_dmesg_clean [LABEL]
# Artifacts:    nf_artifact NAME (kmod, xtables, relay, ctl, agentx, dlmod, mib; env NF_KMOD=PATH
#               overrides kmod, e.g. a module built for another kernel in build/kmatrix/)
#               nf_install_module (copies the kmod into /lib/modules/$(uname -r)/extra, depmod)
#               nf_install_xtables (copies libxt_NETFLOW.so into the xtables directory,
#               libipt_/libip6t_NETFLOW.so linked to it)
# Cleanup:      nf_cleanup (also run by the EXIT trap)
# Env:          NF_DMESG_IGNORE (ERE of dmesg lines to ignore), NF_SCENARIO (name), NF_KMOD,
#               NF_LIB_NO_TRAP=1 (source without trap/re-exec: for the scenario runner)

NF_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ "${NF_IN_VM:-}" != 1 ] && [ "${NF_LIB_NO_TRAP:-}" != 1 ]; then
	# Never touch the host's namespaces, iptables or modules: run in a VM instead.
	case "$0" in
	*.sh) exec "$NF_REPO/tests/vm/run.sh" -- bash "$(cd "$(dirname "$0")" && pwd)/$(basename "$0")" "$@" ;;
	*) echo "lib.sh: only for use inside the test VM (NF_IN_VM=1)" >&2; return 2 ;;
	esac
fi

NF_SCENARIO=${NF_SCENARIO:-$(basename "$0" .sh)}
NF_PASS=0
NF_FAIL=0
NF_NAMESPACES=()
NF_PIDS=()
NF_BG_PID=
NF_DMESG_PATTERN='WARNING:|BUG:|Oops|UBSAN:|ODEBUG:|[Dd]eprecated|general protection|Call Trace|kmemleak|leak|soft lockup|hard LOCKUP|rcu.*stall|RCU stall|stall on CPU|hung_task|blocked for more than'

# ---------------------------------------------------------------------------------------
# checks
_nf_where() { # FILE:LINE of the first caller outside lib.sh
	local i=1
	while [ -n "${BASH_SOURCE[$i]:-}" ] && [ "${BASH_SOURCE[$i]}" = "${BASH_SOURCE[0]}" ]; do
		i=$((i + 1))
	done
	echo "$(basename "${BASH_SOURCE[$i]:-${BASH_SOURCE[0]}}"):${BASH_LINENO[$((i - 1))]:-?}"
}
nf_pass() {
	NF_PASS=$((NF_PASS + 1))
	echo "ok   $*"
}
nf_fail() {
	NF_FAIL=$((NF_FAIL + 1))
	echo "FAIL $* [$(_nf_where)]"
}
_nf_show() { # a value for a message: quoted, multi-line values indented on their own lines
	case "$1" in
	*$'\n'*) printf '\n%s\n' "$1" | sed 's/^/    | /' ;;
	*) printf "'%s'" "$1" ;;
	esac
}
assert_eq() { # ACTUAL EXPECTED [WHAT]
	local what=${3:-value}
	if [ "$1" = "$2" ]; then nf_pass "$what = $(_nf_show "$1")"; else
		nf_fail "$what: expected $(_nf_show "$2"), got $(_nf_show "$1")"
		return 0
	fi
}
assert_ne() { # ACTUAL UNEXPECTED [WHAT]
	local what=${3:-value}
	if [ "$1" != "$2" ]; then nf_pass "$what != $(_nf_show "$2")"; else
		nf_fail "$what: expected anything but $(_nf_show "$2"), got it"
	fi
}
_nf_is_int() { [[ $1 =~ ^-?[0-9]+$ ]]; }
assert_ge() { # ACTUAL MIN [WHAT]
	local what=${3:-value}
	if ! _nf_is_int "$1" || ! _nf_is_int "$2"; then
		nf_fail "$what: expected an integer >= $(_nf_show "$2"), got $(_nf_show "$1")"
	elif [ "$1" -ge "$2" ]; then nf_pass "$what = $1 (>= $2)"; else
		nf_fail "$what: expected >= $2, got $1"
	fi
}
assert_le() { # ACTUAL MAX [WHAT]
	local what=${3:-value}
	if ! _nf_is_int "$1" || ! _nf_is_int "$2"; then
		nf_fail "$what: expected an integer <= $(_nf_show "$2"), got $(_nf_show "$1")"
	elif [ "$1" -le "$2" ]; then nf_pass "$what = $1 (<= $2)"; else
		nf_fail "$what: expected <= $2, got $1"
	fi
}
assert_match() { # TEXT REGEX [WHAT]   (grep -E, any line)
	local what=${3:-text}
	# a here-string, not a pipe: grep -q exits at the first match and a writer on a
	# pipe would die of SIGPIPE, failing the check under pipefail
	if grep -Eq -- "$2" <<<"$1"; then nf_pass "$what matches /$2/"; else
		nf_fail "$what: expected a match for /$2/, got $(_nf_show "$1")"
	fi
}
assert_no_match() { # TEXT REGEX [WHAT]
	local what=${3:-text} hits
	hits=$(printf '%s\n' "$1" | grep -E -- "$2" || true)
	if [ -z "$hits" ]; then nf_pass "$what has no /$2/"; else
		nf_fail "$what: expected no match for /$2/, got $(_nf_show "$hits")"
	fi
}
assert_ok() { # CMD...   (exit status 0 expected; output shown on failure)
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	if [ $rc = 0 ]; then nf_pass "$*"; else
		nf_fail "$*: expected exit status 0, got $rc; output: $(_nf_show "$out")"
	fi
}
assert_fail() { # CMD...   (non-zero exit status expected)
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	if [ $rc != 0 ]; then nf_pass "$* fails (status $rc)"; else
		nf_fail "$*: expected a non-zero exit status, got 0; output: $(_nf_show "$out")"
	fi
}
nf_die() {
	nf_fail "aborted: $*"
	exit 1
}

# ---------------------------------------------------------------------------------------
# namespaces, links, addresses
nf_ns_add() { # NAME...
	local n
	for n in "$@"; do
		ip netns add "$n" || nf_die "cannot create namespace $n"
		NF_NAMESPACES+=("$n")
		ip -n "$n" link set lo up
	done
}
nf_ns() { # NS CMD...   run CMD in namespace NS ("-" = root namespace)
	local ns=$1
	shift
	if [ "$ns" = - ] || [ -z "$ns" ]; then "$@"; else ip netns exec "$ns" "$@"; fi
}
nf_ip() { # NS ARGS...
	local ns=$1
	shift
	if [ "$ns" = - ] || [ -z "$ns" ]; then ip "$@"; else ip -n "$ns" "$@"; fi
}
nf_veth() { # NS1 IF1 NS2 IF2   veth pair IF1 (in NS1) <-> IF2 (in NS2), both up
	local peer_ns=()
	[ "$3" = - ] || [ -z "$3" ] || peer_ns=(netns "$3")
	nf_ip "$1" link add "$2" type veth peer name "$4" "${peer_ns[@]}" ||
		nf_die "cannot create veth $1/$2 <-> $3/$4"
	nf_ip "$1" link set "$2" up
	nf_ip "$3" link set "$4" up
}
nf_addr() { # NS IF ADDR/LEN...   IPv6 addresses get nodad so they are usable at once
	local ns=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		case "$a" in
		*:*) nf_ip "$ns" -6 addr add "$a" dev "$dev" nodad || nf_die "cannot add $a to $ns/$dev" ;;
		*) nf_ip "$ns" addr add "$a" dev "$dev" || nf_die "cannot add $a to $ns/$dev" ;;
		esac
	done
}
nf_link() { # NS1 IF1 "ADDRS1" NS2 IF2 "ADDRS2"
	nf_veth "$1" "$2" "$4" "$5"
	# shellcheck disable=SC2086 # address lists are space separated on purpose
	nf_addr "$1" "$2" $3
	# shellcheck disable=SC2086
	nf_addr "$4" "$5" $6
}
nf_sysctl() { # NS KEY=VALUE...
	local ns=$1
	shift
	nf_ns "$ns" sysctl -q -w "$@" >/dev/null || nf_die "sysctl $* failed in $ns"
}
nf_forwarding() { # NS...   enable IPv4 and IPv6 forwarding
	local ns
	for ns in "$@"; do
		nf_sysctl "$ns" net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	done
}

# ---------------------------------------------------------------------------------------
# background processes and waiting
nf_bg() { # NS LOGFILE CMD...   start CMD in NS in the background; NF_BG_PID = its pid
	local ns=$1 log=$2
	shift 2
	# no function in between, so that $! is the command itself (ip netns exec execs it)
	if [ "$ns" = - ] || [ -z "$ns" ]; then
		"$@" >"$log" 2>&1 </dev/null &
	else
		ip netns exec "$ns" "$@" >"$log" 2>&1 </dev/null &
	fi
	NF_BG_PID=$!
	NF_PIDS+=("$NF_BG_PID")
}
nf_wait_for() { # SECS CMD...   poll CMD every 0.1 s until it succeeds; 1 on timeout
	local secs=$1 end
	shift
	end=$(($(date +%s%N) + secs * 1000000000))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.1
	done
}
_nf_listening() { nf_ns "$1" ss -H "-$2ln" "sport = :$3" | grep -q .; }
nf_wait_udp() { nf_wait_for "${3:-10}" _nf_listening "$1" u "$2"; } # NS PORT [SECS]
nf_wait_tcp() { nf_wait_for "${3:-10}" _nf_listening "$1" t "$2"; } # NS PORT [SECS]

# ---------------------------------------------------------------------------------------
# kernel log
nf_dmesg_mark() { # LABEL   put a mark in the kernel log
	echo "nf-vm-mark: $1" >/dev/kmsg
}
nf_dmesg_since() { # [LABEL]   kernel log after the last mark LABEL (default: any mark)
	local label=${1:-}
	dmesg | awk -v label="$label" '
		function is_mark(   i) {
			i = index($0, "nf-vm-mark: "); if (!i) return 0
			return label == "" || substr($0, i + 12) == label
		}
		is_mark() { n = 0; delete buf; next }
		{ buf[n++] = $0 }
		END { for (i = 0; i < n; i++) print buf[i] }'
}
nf_dmesg_clean() { # [LABEL]   check: no WARNING/BUG/Oops/leak/lockup/stall since the mark
	local bad since=${1:+ since \"$1\"}
	bad=$(nf_dmesg_since "${1:-}" | grep -iE -- "$NF_DMESG_PATTERN" || true)
	if [ -n "${NF_DMESG_IGNORE:-}" ] && [ -n "$bad" ]; then
		bad=$(printf '%s\n' "$bad" | grep -vE -- "$NF_DMESG_IGNORE" || true)
	fi
	if [ -z "$bad" ]; then nf_pass "dmesg clean$since"; else
		nf_fail "dmesg$since: expected no WARNING/BUG/Oops/leak/lockup/stall, got $(printf '%s\n' "$bad" | wc -l) line(s):"
		printf '%s\n' "$bad" | sed 's/^/    | /'
		echo "    kernel log$since (last 60 lines):"
		nf_dmesg_since "${1:-}" | tail -n 60 | sed 's/^/    dmesg| /'
		return 1
	fi
}

# ---------------------------------------------------------------------------------------
# artifacts (build/artifacts.env: NAME=PATH lines written by the top Makefile)
nf_artifact() { # NAME   print the path of a built artifact
	# NF_KMOD=PATH overrides kmod (e.g. a module built for another kernel in build/kmatrix/)
	local name=$1 env=$NF_REPO/build/artifacts.env p=
	if [ "$name" = kmod ] && [ -n "${NF_KMOD:-}" ]; then
		p=$NF_KMOD
	elif [ -f "$env" ]; then
		p=$(sed -n "s/^$name=//p" "$env" | tail -n1)
	fi
	if [ -z "$p" ]; then
		case "$name" in
		kmod) p=$NF_REPO/kernel/ipt_NETFLOW.ko ;;
		xtables) p=$NF_REPO/xtables/libxt_NETFLOW.so ;;
		*)
			echo "nf_artifact: '$name' is not listed in $env (run make first)" >&2
			return 1
			;;
		esac
	fi
	if [ ! -e "$p" ]; then
		echo "nf_artifact: $name: $p does not exist (run make first)" >&2
		return 1
	fi
	echo "$p"
}
nf_xtables_dir() {
	local d
	d=$(pkg-config --variable=xtlibdir xtables 2>/dev/null || true)
	[ -n "$d" ] || d=$(dirname "$(find /usr/lib /usr/lib64 /lib -name libxt_mark.so -path '*xtables*' 2>/dev/null | head -n1)")
	echo "$d"
}
nf_install_module() { # copy the kmod into /lib/modules/$(uname -r)/extra and depmod,
	# so that "modprobe ipt_NETFLOW ..." works as it does for users (the guest's
	# /lib/modules is a writable overlay)
	local ko dir
	ko=$(nf_artifact kmod) || nf_die "no kernel module built"
	dir=/lib/modules/$(uname -r)/extra
	{ mkdir -p "$dir" && cp "$ko" "$dir/" && depmod -a; } || nf_die "cannot install $ko"
}
nf_install_xtables() { # copy libxt_NETFLOW.so where iptables/ip6tables look for plugins,
	# with the family names as links to it, as make install does (libxtables 1.8.9 tries
	# libipt_/libip6t_NETFLOW.so first: a classic plugin installed on the host, e.g. by
	# Debian's iptables-netflow-dkms, would win otherwise)
	local so dir a
	so=$(nf_artifact xtables) || nf_die "no xtables plugin built"
	dir=$(nf_xtables_dir)
	[ -d "$dir" ] || nf_die "cannot find the xtables plugin directory"
	cp "$so" "$dir/" || nf_die "cannot install $so into $dir"
	for a in libipt_NETFLOW.so libip6t_NETFLOW.so; do
		ln -sfn libxt_NETFLOW.so "$dir/$a" || nf_die "cannot link $dir/$a"
	done
}

# nf_legacy_tables: whether this kernel has the legacy iptables tables (ip_tables and
# ip6_tables). PREEMPT_RT kernels from 6.17 on (trixie-backports' 7.3-rt) have none:
# NETFILTER_XTABLES_LEGACY excludes PREEMPT_RT there, so the NETFLOW target is used
# through iptables-nft (nft_compat) alone.
nf_legacy_tables() {
	[ -e /proc/net/ip_tables_names ] || modprobe -q ip_tables 2>/dev/null
}
# nf_iptables_tools FAMILY: the frontends this kernel takes, "iptables" or "ip6tables":
# TOOL-legacy (where the kernel has the legacy tables) and TOOL-nft.
nf_iptables_tools() {
	if nf_legacy_tables; then echo "$1-legacy $1-nft"; else echo "$1-nft"; fi
}

# ---------------------------------------------------------------------------------------
# cleanup
_nf_flush_iptables() {
	local tool t c names
	for tool in iptables-legacy ip6tables-legacy iptables-nft ip6tables-nft; do
		command -v "$tool" >/dev/null || continue
		case "$tool" in
		iptables-legacy) names=$(cat /proc/net/ip_tables_names 2>/dev/null || true) ;;
		ip6tables-legacy) names=$(cat /proc/net/ip6_tables_names 2>/dev/null || true) ;;
		*) names=$("$tool-save" 2>/dev/null | sed -n 's/^\*//p' || true) ;;
		esac
		for t in $names; do
			for c in $("$tool" -t "$t" -S 2>/dev/null | awk '$1 == "-P" { print $2 }'); do
				"$tool" -t "$t" -P "$c" ACCEPT 2>/dev/null || true
			done
			"$tool" -t "$t" -F 2>/dev/null || true
			"$tool" -t "$t" -X 2>/dev/null || true
			"$tool" -t "$t" -Z 2>/dev/null || true
		done
	done
	if command -v nft >/dev/null; then nft flush ruleset 2>/dev/null || true; fi
}
_nf_kill_strays() { # kill every process not in NF_KEEP_PIDS and not our ancestor
	local p a keep=" 1 $$ $BASHPID ${NF_KEEP_PIDS:-} "
	a=$$
	while [ -n "$a" ] && [ "$a" != 0 ] && [ "$a" != 1 ]; do
		keep="$keep $a "
		a=$(awk '{print $4}' "/proc/$a/stat" 2>/dev/null || true)
	done
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		case "$keep" in *" $p "*) continue ;; esac
		[ -n "$(tr -d '\0' <"/proc/$p/cmdline" 2>/dev/null)" ] || continue # kernel thread
		kill -9 "$p" 2>/dev/null || true
	done
}
nf_cleanup() { # delete our namespaces, stop our processes, flush iptables, unload ipt_NETFLOW
	local p n i rc=0
	for p in "${NF_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${NF_PIDS[@]}"; do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$p" 2>/dev/null || true
	done
	NF_PIDS=()
	[ "${NF_CLEAN_ALL:-}" != 1 ] || _nf_kill_strays
	for n in "${NF_NAMESPACES[@]}"; do ip netns del "$n" 2>/dev/null || true; done
	NF_NAMESPACES=()
	[ "${NF_CLEAN_ALL:-}" != 1 ] || ip -all netns delete 2>/dev/null || true
	_nf_flush_iptables
	if [ -d /sys/module/ipt_NETFLOW ]; then
		# namespaces die asynchronously and may still hold rules using the target
		for i in $(seq 50); do
			rmmod ipt_NETFLOW 2>/dev/null && break
			sleep 0.2
		done
		if [ -d /sys/module/ipt_NETFLOW ]; then
			echo "cleanup: cannot unload ipt_NETFLOW (refcount $(cat /sys/module/ipt_NETFLOW/refcnt 2>/dev/null))"
			rc=1
		fi
	fi
	return $rc
}

_nf_on_exit() {
	local rc=$? cleanup_ok=1
	trap - EXIT
	set +e
	nf_cleanup || cleanup_ok=0
	[ $cleanup_ok = 1 ] || nf_fail "cleanup could not unload ipt_NETFLOW"
	nf_dmesg_clean "scenario:$NF_SCENARIO"
	echo "-- $NF_SCENARIO: $NF_PASS checks ok, $NF_FAIL failed"
	if [ $rc = 0 ] && [ "$NF_FAIL" -gt 0 ]; then rc=1; fi
	exit $rc
}

_nf_on_err() { # with set -e, say where the scenario stopped
	local rc=$?
	case $- in *e*) nf_fail "aborted: '$1' exited with status $rc" ;; esac
}

if [ "${NF_LIB_NO_TRAP:-}" != 1 ]; then
	trap _nf_on_exit EXIT
	set -E # the ERR trap also fires inside functions
	trap '_nf_on_err "$BASH_COMMAND"' ERR
	trap 'nf_fail "terminated (timeout?)"; exit 143' TERM
	trap 'nf_fail "interrupted"; exit 130' INT
	nf_dmesg_mark "scenario:$NF_SCENARIO"
fi
