/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * ipt_NETFLOW generic netlink interface (uapi): statistics, run-time
 * parameters, active flows and configuration-change notifications.
 * Userspace (netflowctl) includes this file as it is; it needs only
 * <linux/types.h>.
 *
 * Family NETFLOW_GENL_NAME, version NETFLOW_GENL_VERSION, initial network
 * namespace only.  Requests are strictly validated: unknown attributes and
 * non-zero reserved header fields are refused with EINVAL.
 *
 * Commands (request attributes -> reply):
 *
 *   NETFLOW_CMD_GET_STATS      (doit, anyone; /proc/net/stat/ipt_netflow is
 *                              world-readable too)
 *	-> one message: NETFLOW_A_API_VERSION, NETFLOW_A_MOD_VERSION and the
 *	   groups NETFLOW_A_TOTALS, NETFLOW_A_HASH, NETFLOW_A_RATES,
 *	   NETFLOW_A_EXPORT, NETFLOW_A_SAMPLER, NETFLOW_A_WORKER, NETFLOW_A_NAT,
 *	   NETFLOW_A_AGGR, NETFLOW_A_HOOKS, NETFLOW_A_FLOWTABLE, NETFLOW_A_NATFLOWS
 *	   (each a nest of NETFLOW_S_* u64
 *	   counters), then one
 *	   NETFLOW_A_CPU nest per present CPU (NETFLOW_S_CPU + the per-CPU
 *	   counters) and one NETFLOW_A_SOCK nest per destination
 *	   (NETFLOW_S_SOCK_INDEX, NETFLOW_A_SOCK_NAME + the socket counters).
 *	   Figures come from the very counters /proc/net/stat/ipt_netflow and
 *	   ipt_netflow_snmp print.
 *
 *   NETFLOW_CMD_GET_PARAMS     (doit, anyone; sysctl net.netflow is readable)
 *	[NETFLOW_A_PARAM_NAME]
 *	-> NETFLOW_CMD_PARAMS with one NETFLOW_A_PARAM nest (PARAM_NAME,
 *	   PARAM_VALUE, both NUL-terminated strings, the value as sysctl prints
 *	   it) per parameter, or only the one named; ENOENT for an unknown name.
 *
 *   NETFLOW_CMD_SET_PARAM      (doit, CAP_NET_ADMIN as for sysctl writes)
 *	NETFLOW_A_PARAM_NAME, NETFLOW_A_PARAM_VALUE
 *	-> ack.  The value goes through the same validation as sysctl and
 *	   modprobe: a bad value is refused with EINVAL and the same one-line
 *	   kernel message; ENOENT for an unknown name.
 *
 *   NETFLOW_CMD_GET_FLOWS      (dumpit only, CAP_NET_ADMIN: the flow list in
 *                              /proc is root-only too)
 *	-> a stream of NETFLOW_CMD_FLOW messages, one NETFLOW_A_FLOW nest of
 *	   NETFLOW_F_* each, walking the hash table bucket by bucket and
 *	   resuming where the last skb filled up.  Nothing is held between
 *	   skbs: flows added or removed meanwhile may or may not appear (and
 *	   one may then show twice), as with /proc/net/stat/ipt_netflow_flows;
 *	   a quiet table is dumped exactly.
 *
 * Multicast group NETFLOW_GENL_MCGRP_CONFIG ("config"): a
 * NETFLOW_CMD_PARAM_CHANGED message (one NETFLOW_A_PARAM nest with the new
 * value) after every accepted parameter change, whether it came from
 * sysctl, /sys/module/ipt_NETFLOW/parameters or NETFLOW_CMD_SET_PARAM.
 *
 * Compatibility: new attributes and commands are only ever appended;
 * NETFLOW_GENL_VERSION grows when the meaning of an existing one changes.
 */
#ifndef _UAPI_NETFLOW_GENL_H
#define _UAPI_NETFLOW_GENL_H

#include <linux/types.h>

#define NETFLOW_GENL_NAME		"NETFLOW"
#define NETFLOW_GENL_VERSION		1
#define NETFLOW_GENL_MCGRP_CONFIG	"config"

enum netflow_cmd {
	NETFLOW_CMD_UNSPEC,
	NETFLOW_CMD_GET_STATS,		/* request and reply */
	NETFLOW_CMD_GET_PARAMS,		/* request */
	NETFLOW_CMD_PARAMS,		/* reply to GET_PARAMS */
	NETFLOW_CMD_SET_PARAM,		/* request */
	NETFLOW_CMD_GET_FLOWS,		/* dump request */
	NETFLOW_CMD_FLOW,		/* one flow of the dump */
	NETFLOW_CMD_PARAM_CHANGED,	/* "config" multicast */
	__NETFLOW_CMD_MAX,
};
#define NETFLOW_CMD_MAX (__NETFLOW_CMD_MAX - 1)

/* Top-level attributes. */
enum netflow_attr {
	NETFLOW_A_UNSPEC,
	NETFLOW_A_API_VERSION,		/* u32: NETFLOW_GENL_VERSION */
	NETFLOW_A_MOD_VERSION,		/* string: module version, "3.0" */
	NETFLOW_A_TOTALS,		/* nest: NETFLOW_S_* of all CPUs summed */
	NETFLOW_A_CPU,			/* nest, one per CPU: NETFLOW_S_CPU, ... */
	NETFLOW_A_HASH,			/* nest: NETFLOW_S_HASH_* and flow gauges */
	NETFLOW_A_RATES,		/* nest: NETFLOW_S_RATE_* */
	NETFLOW_A_EXPORT,		/* nest: NETFLOW_S_EXP_* */
	NETFLOW_A_SAMPLER,		/* nest: NETFLOW_S_SAMPLER_* */
	NETFLOW_A_WORKER,		/* nest: NETFLOW_S_WORKER_* */
	NETFLOW_A_NAT,			/* nest: NETFLOW_S_NAT_* */
	NETFLOW_A_AGGR,			/* nest: NETFLOW_S_AGGR_* */
	NETFLOW_A_SOCK,			/* nest, one per destination */
	NETFLOW_A_SOCK_NAME,		/* string, inside NETFLOW_A_SOCK */
	NETFLOW_A_PARAM,		/* nest: PARAM_NAME, PARAM_VALUE */
	NETFLOW_A_PARAM_NAME,		/* string: sysctl name, e.g. "protocol" */
	NETFLOW_A_PARAM_VALUE,		/* string: the value as text */
	NETFLOW_A_FLOW,			/* nest: NETFLOW_F_* */
	NETFLOW_A_PAD,
	NETFLOW_A_HOOKS,		/* nest: NETFLOW_S_HOOKS_* (hook mode) */
	NETFLOW_A_FLOWTABLE,		/* nest: NETFLOW_S_FT_* (flowtable=1) */
	NETFLOW_A_NATFLOWS,		/* nest: NETFLOW_S_NFL_* (natflows=1) */
	__NETFLOW_A_MAX,
};
#define NETFLOW_A_MAX (__NETFLOW_A_MAX - 1)

/*
 * Statistics: every one a u64 (64-bit aligned with NETFLOW_S_PAD), in one
 * number space shared by all the group nests so a reader can map ids to
 * names with a single table.  A reader skips ids it does not know.
 */
enum netflow_stat {
	NETFLOW_S_UNSPEC,
	NETFLOW_S_PAD,
	/* metering, per CPU (NETFLOW_A_CPU) and summed (NETFLOW_A_TOTALS) */
	NETFLOW_S_CPU,			/* CPU number (NETFLOW_A_CPU only) */
	NETFLOW_S_PKTS,			/* packets accounted */
	NETFLOW_S_BYTES,		/* bytes accounted */
	NETFLOW_S_SEARCHED,		/* hash chain entries compared */
	NETFLOW_S_FOUND,		/* lookups that found their flow */
	NETFLOW_S_NEW_FLOWS,		/* flows created */
	NETFLOW_S_TRUNC,		/* truncated packets */
	NETFLOW_S_FRAG,			/* fragments */
	NETFLOW_S_ALLOC_ERR,		/* flow allocation failures */
	NETFLOW_S_MAXFLOWS_ERR,		/* packets refused at maxflows */
	NETFLOW_S_DROP_PKTS,		/* packets not accounted */
	NETFLOW_S_DROP_BYTES,
	NETFLOW_S_SAMPLED_OUT,		/* packets the hash sampler skipped */
	NETFLOW_S_PPS,			/* packets in the last second */
	NETFLOW_S_METRIC_X100,		/* searches per lookup x100 (per CPU:
					 * one-minute average) */
	/* NETFLOW_A_HASH */
	NETFLOW_S_HASH_SIZE,		/* buckets */
	NETFLOW_S_HASH_MEM,		/* bytes of the bucket array */
	NETFLOW_S_FLOWS_ACTIVE,		/* flows in the table */
	NETFLOW_S_FLOWS_V6,		/* of which IPv6 */
	NETFLOW_S_FLOWS_MEM,		/* bytes held by the flows */
	NETFLOW_S_FLOWS_PEAK,
	NETFLOW_S_HASH_PKTS,		/* packets of the flows in the table */
	NETFLOW_S_HASH_BYTES,
	NETFLOW_S_MAXFLOWS,		/* configured bound, 0 = unlimited */
	/* NETFLOW_A_RATES */
	NETFLOW_S_RATE_BPS,		/* bits/s, last second */
	NETFLOW_S_RATE_PPS,
	NETFLOW_S_RATE_BPS_1M,		/* one-minute average */
	NETFLOW_S_RATE_PPS_1M,
	NETFLOW_S_RATE_BPS_5M,
	NETFLOW_S_RATE_PPS_5M,
	NETFLOW_S_RATE_METRIC_X100,	/* searches per lookup x100, last s */
	NETFLOW_S_RATE_METRIC_1M,
	NETFLOW_S_RATE_METRIC_5M,
	NETFLOW_S_RATE_METRIC_15M,
	NETFLOW_S_RATE_EXPORT_BPS,	/* export bytes/s */
	/* NETFLOW_A_EXPORT */
	NETFLOW_S_EXP_PROTOCOL,		/* 5, 9 or 10 */
	NETFLOW_S_EXP_PDUS,		/* PDUs sent */
	NETFLOW_S_EXP_BYTES,
	NETFLOW_S_EXP_FLOWS,
	NETFLOW_S_EXP_ERR_PDUS,		/* PDUs that reached no destination */
	NETFLOW_S_EXP_LOST_PKTS,	/* traffic of lost flows */
	NETFLOW_S_EXP_LOST_BYTES,
	NETFLOW_S_EXP_LOST_FLOWS,
	NETFLOW_S_EXP_V6_UNEXPORTABLE,	/* IPv6 flows under NetFlow v5 */
	NETFLOW_S_EXP_PDU_PKTS,		/* in the PDU being built */
	NETFLOW_S_EXP_PDU_BYTES,
	NETFLOW_S_EXP_TEMPLATES,	/* v9/IPFIX templates known */
	NETFLOW_S_EXP_TEMPLATES_ACTIVE,
	/* NETFLOW_A_SAMPLER */
	NETFLOW_S_SAMPLER_KIND,		/* 0 off, 1 deterministic, 2 random,
					 * 3 hash */
	NETFLOW_S_SAMPLER_INTERVAL,
	NETFLOW_S_SAMPLER_SEEN,		/* flows */
	NETFLOW_S_SAMPLER_SELECTED,
	/* NETFLOW_A_WORKER */
	NETFLOW_S_WORKER_DELAY,		/* jiffies between runs */
	NETFLOW_S_WORKER_HZ,
	NETFLOW_S_WORKER_LAST_RUN_US,
	NETFLOW_S_WORKER_SCANNED,	/* flows scanned by the last run */
	NETFLOW_S_WORKER_EXPORTED,	/* flows exported by the last run */
	/* NETFLOW_A_NAT: NAT events (0 when the module is built without them) */
	NETFLOW_S_NAT_ENABLED,
	NETFLOW_S_NAT_START,
	NETFLOW_S_NAT_STOP,
	/* NETFLOW_A_AGGR */
	NETFLOW_S_AGGR_RULES,		/* aggregation rules in force */
	/* NETFLOW_A_SOCK, with NETFLOW_A_SOCK_NAME */
	NETFLOW_S_SOCK_INDEX,		/* N of /proc's "sockN:" */
	NETFLOW_S_SOCK_CONNECTED,	/* 0 or 1 */
	NETFLOW_S_SOCK_CONNECT_ATTEMPTS,
	NETFLOW_S_SOCK_SNDBUF,
	NETFLOW_S_SOCK_FILLED,
	NETFLOW_S_SOCK_PEAK,
	NETFLOW_S_SOCK_ERR_SNDBUF,
	NETFLOW_S_SOCK_ERR_CONNECT,
	NETFLOW_S_SOCK_ERR_CBERR,
	NETFLOW_S_SOCK_ERR_OTHER,
	NETFLOW_S_SOCK_PKTS,		/* PDUs sent to it */
	NETFLOW_S_SOCK_BYTES,
	NETFLOW_S_SOCK_RESENT,		/* PDUs re-sent for another one */
	NETFLOW_S_SOCK_DOWN,		/* 1 while skipped (balance mode) */
	/* NETFLOW_A_HOOKS: the Hooks line of /proc */
	NETFLOW_S_HOOKS_POINTS,		/* hook points metering now */
	NETFLOW_S_HOOKS_SEEN,		/* packets the hooks metered */
	NETFLOW_S_HOOKS_MARK_SKIPPED,	/* packets hook_mark passed over */
	NETFLOW_S_HOOKS_RULE_LEFT,	/* packets NETFLOW rules left to hooks */
	/* NETFLOW_A_FLOWTABLE: the Flowtable line of /proc */
	NETFLOW_S_FT_DEVICES,		/* devices with the ingress hook */
	NETFLOW_S_FT_REFUSED,		/* hook registrations refused */
	NETFLOW_S_FT_PKTS,		/* fast-path packets metered */
	NETFLOW_S_FT_BYTES,
	NETFLOW_S_FT_LEFT,		/* offloaded connections' slow-path packets */
	/* NETFLOW_A_NATFLOWS: the Natflows line of /proc */
	NETFLOW_S_NFL_ENABLED,		/* natflows setting */
	NETFLOW_S_NFL_VIEWS,		/* views of translated connections kept */
	NETFLOW_S_NFL_PEAK,
	NETFLOW_S_NFL_NOT_KEPT,		/* views not kept: table full */
	NETFLOW_S_NFL_TRANSLATED,	/* records exported with the translation */
	NETFLOW_S_NFL_PLAIN,		/* records of ported protocols without one */
	__NETFLOW_S_MAX,
};
#define NETFLOW_S_MAX (__NETFLOW_S_MAX - 1)

/* One active flow (NETFLOW_A_FLOW). */
enum netflow_flow_attr {
	NETFLOW_F_UNSPEC,
	NETFLOW_F_PAD,
	NETFLOW_F_FAMILY,		/* u8: 4 or 6 */
	NETFLOW_F_PROTO,		/* u8 */
	NETFLOW_F_TOS,			/* u8 */
	NETFLOW_F_SRC,			/* binary: 4 or 16 bytes, network order */
	NETFLOW_F_DST,
	NETFLOW_F_SPORT,		/* u16, host order */
	NETFLOW_F_DPORT,
	NETFLOW_F_IIF,			/* u32: ifindex in, 0 = none */
	NETFLOW_F_OIF,			/* u32: ifindex out, 0 = none */
	NETFLOW_F_PACKETS,		/* u64 */
	NETFLOW_F_BYTES,		/* u64 */
	NETFLOW_F_TCP_FLAGS,		/* u8: OR of the flags seen */
	NETFLOW_F_AGE_MS,		/* u32: since the first packet */
	NETFLOW_F_IDLE_MS,		/* u32: since the last packet */
	__NETFLOW_F_MAX,
};
#define NETFLOW_F_MAX (__NETFLOW_F_MAX - 1)

#endif /* _UAPI_NETFLOW_GENL_H */
