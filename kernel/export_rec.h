/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A finished flow as the PDU encoders see it: a plain value, detached from
 * the flow table, so encoders are pure functions tested in userspace.
 */
#ifndef IPNF_EXPORT_REC_H
#define IPNF_EXPORT_REC_H

#include "flow_key.h"

/* Why a flow ended (IPFIX flowEndReason values, RFC 5102). */
enum ipnf_end_reason {
	IPNF_END_IDLE = 1,
	IPNF_END_ACTIVE = 2,
	IPNF_END_EOF = 3,		/* TCP FIN or RST */
	IPNF_END_FORCED = 4,	/* flush, unload, protocol switch */
	IPNF_END_RESOURCES = 5,
};

/*
 * natflows: a translated flow's addresses and ports after NAT (IPFIX
 * 225-228, 281/282): what the packets of its direction carry when they leave
 * the router.  IPv4 addresses in the first 4 bytes.
 */
struct ipnf_nat_post {
	u8 src[16];
	u8 dst[16];
	u16 sport, dport;	/* host order */
};

struct ipnf_exp_rec {
	struct ipnf_flow_key key;
	u64 packets;
	u64 bytes;
	u32 first_ms;		/* system uptime in ms of the first packet */
	u32 last_ms;		/* ... and of the last one */
	u32 oif;		/* egress ifindex of the first packet */
	u64 start_abs_ms;	/* wall clock ms since 1970 of the first packet */
	u64 end_abs_ms;		/* ... and of the last one */
	u8 tcp_flags;		/* OR of all packets */
	u8 end_reason;
	u32 ip_opts;		/* OR: ipv4Options / ipv6ExtensionHeaders bits */
	u32 label;		/* IPv6 flow label of the first packet */
	u64 tcp_opts;		/* OR: tcpOptions bits */
	u32 physin, physout;	/* bridge ports of the first packet, or 0 */
	u32 vrf_in, vrf_out;	/* VRF (l3mdev table) of iif and oif, or 0 */
	u8 nat;			/* natflows: post holds the translation */
	struct ipnf_nat_post post;
	/* NetFlow v5 only: the NAT event pseudo-records use these */
	u8 nexthop[4];
	u16 src_as, dst_as;
};

/*
 * What the head of a flow's template record takes (tmpl.c ipnf_put_head):
 * from a general record, or straight from an IPv4 flow (flow_rec.h).
 */
struct ipnf_rec_head {
	const struct ipnf_flow_key *key;
	u64 packets, bytes;
	u64 start_abs_ms, end_abs_ms;	/* IPFIX */
	u32 first_ms, last_ms;		/* v9 */
	u32 oif;
	u8 tcp_flags, end_reason;
};

/* A NAT event (NAT44): a translated connection started or ended. */
enum ipnf_nat_event { IPNF_NAT_CREATE = 1, IPNF_NAT_DELETE = 2 };	/* natEvent */

struct ipnf_nat_rec {
	u8 event;		/* enum ipnf_nat_event */
	u8 proto;
	u8 snat, dnat;		/* which translations the connection has */
	__be32 src, dst;	/* before NAT: as the first packet came */
	__be32 post_src, post_dst;	/* after NAT */
	u16 sport, dport, post_sport, post_dport;	/* host order */
	u64 time_ms;		/* wall clock ms of the event */
	u32 uptime_ms;		/* system uptime ms of the event */
};

#endif /* IPNF_EXPORT_REC_H */
