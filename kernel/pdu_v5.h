/* SPDX-License-Identifier: GPL-2.0-only */
/* NetFlow v5 PDU layout (Cisco): 24-byte header, up to 30 48-byte records. */
#ifndef IPNF_PDU_V5_H
#define IPNF_PDU_V5_H

#include "export_rec.h"

#define IPNF_V5_HDR_LEN 24
#define IPNF_V5_REC_LEN 48
#define IPNF_V5_MAX_RECS 30
#define IPNF_V5_MAX_PDU (IPNF_V5_HDR_LEN + IPNF_V5_MAX_RECS * IPNF_V5_REC_LEN)
/* Full PDUs sent together: ≤ UDP_MAX_SEGMENTS (64), ≤ 64 KiB in all. */
#define IPNF_V5_RUN 32

struct ipnf_v5_hdr {
	u16 count;
	u32 uptime_ms;
	u32 unix_secs;
	u32 unix_nsecs;
	u32 sequence;		/* flows exported before this PDU */
	u8 engine_type;
	u8 engine_id;
	u16 sampling;		/* 2-bit mode << 14 | 14-bit interval */
};

void ipnf_v5_put_header(u8 *p, const struct ipnf_v5_hdr *h);
/* The fields of one v5 record, as values (kept in registers when inlined). */
struct ipnf_v5_rec {
	__be32 src, dst, nexthop;
	u32 iif, oif;
	u32 pkts, bytes;
	u32 first_ms, last_ms;	/* system uptime */
	u32 ports;		/* sport << 16 | dport, host order */
	u8 tcp_flags, proto, tos;
	u16 src_as, dst_as;
};

/* Adjacent fields go out as one big-endian word: fewer stores a record. */
static __always_inline void ipnf_v5_write(u8 *p, const struct ipnf_v5_rec *v)
{
	u32 iif = v->iif > 0xffff ? 0xffff : v->iif;
	u32 oif = v->oif > 0xffff ? 0xffff : v->oif;

	memcpy(p, &v->src, 4);
	memcpy(p + 4, &v->dst, 4);
	memcpy(p + 8, &v->nexthop, 4);
	ipnf_put32(p + 12, iif << 16 | oif);
	ipnf_put32(p + 16, v->pkts);
	ipnf_put32(p + 20, v->bytes);
	ipnf_put32(p + 24, v->first_ms);
	ipnf_put32(p + 28, v->last_ms);
	ipnf_put32(p + 32, v->ports);
	/* pad1, tcp_flags, prot, tos: bytes (proto and tos lie so in a key) */
	p[36] = 0;
	p[37] = v->tcp_flags;
	p[38] = v->proto;
	p[39] = v->tos;
	/* AS numbers, then masks and pad: one word */
	ipnf_put64(p + 40, (u64)((u32)v->src_as << 16 | v->dst_as) << 32);
}

/* The v5 view of a record; pkts/bytes separately (v5 counters are 32-bit). */
static __always_inline void ipnf_v5_of_rec(struct ipnf_v5_rec *v,
					 const struct ipnf_exp_rec *r,
					 u32 pkts, u32 bytes)
{
	const struct ipnf_flow_key *k = &r->key;

	v->src = k->a.v4.src;
	v->dst = k->a.v4.dst;
	memcpy(&v->nexthop, r->nexthop, 4);
	v->iif = k->iif;
	v->oif = r->oif;
	v->pkts = pkts;
	v->bytes = bytes;
	v->first_ms = r->first_ms;
	v->last_ms = r->last_ms;
	v->ports = (u32)k->sport << 16 | k->dport;
	v->tcp_flags = r->tcp_flags;
	v->proto = k->proto;
	v->tos = k->tos;
	v->src_as = r->src_as;
	v->dst_as = r->dst_as;
}

/* One record of r with the given counters. */
static __always_inline void ipnf_v5_put_record(u8 *p, const struct ipnf_exp_rec *r,
					     u32 pkts, u32 bytes)
{
	struct ipnf_v5_rec v;

	ipnf_v5_of_rec(&v, r, pkts, bytes);
	ipnf_v5_write(p, &v);
}

/* How many v5 records a flow needs so that no 32-bit counter overflows. */
unsigned int ipnf_v5_records_needed(const struct ipnf_exp_rec *r);
/* Counters of part i (0-based) of n, so that the parts sum to the flow. */
void ipnf_v5_split(const struct ipnf_exp_rec *r, unsigned int i, unsigned int n,
		 u32 *pkts, u32 *bytes);

/*
 * The v5 pseudo-record of a NAT event, as ipt_NETFLOW defines it: pre-NAT
 * source, post-NAT destination; nexthop and source AS carry the post-NAT
 * source address and port for SNAT, or nexthop and destination AS the
 * pre-NAT destination for DNAT; TCP flags SYN+ACK for a start, RST+FIN for an
 * end; no packets, no bytes.
 */
void ipnf_v5_nat_rec(const struct ipnf_nat_rec *n, struct ipnf_exp_rec *r);

#endif /* IPNF_PDU_V5_H */
