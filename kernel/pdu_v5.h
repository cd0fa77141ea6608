/* SPDX-License-Identifier: GPL-2.0-only */
/* NetFlow v5 PDU layout (Cisco): 24-byte header, up to 30 48-byte records. */
#ifndef NF_PDU_V5_H
#define NF_PDU_V5_H

#include "export_rec.h"

#define NF_V5_HDR_LEN 24
#define NF_V5_REC_LEN 48
#define NF_V5_MAX_RECS 30
#define NF_V5_MAX_PDU (NF_V5_HDR_LEN + NF_V5_MAX_RECS * NF_V5_REC_LEN)

struct nf_v5_hdr {
	u16 count;
	u32 uptime_ms;
	u32 unix_secs;
	u32 unix_nsecs;
	u32 sequence;		/* flows exported before this PDU */
	u8 engine_type;
	u8 engine_id;
	u16 sampling;		/* 2-bit mode << 14 | 14-bit interval */
};

void nf_v5_put_header(u8 *p, const struct nf_v5_hdr *h);
/* One record; pkts/bytes given separately because v5 counters are 32-bit. */
static __always_inline void nf_v5_put_record(u8 *p, const struct nf_exp_rec *r,
					     u32 pkts, u32 bytes)
{
	const struct nf_flow_key *k = &r->key;

	memcpy(p, &k->a.v4.src, 4);
	memcpy(p + 4, &k->a.v4.dst, 4);
	memcpy(p + 8, r->nexthop, 4);
	nf_put16(p + 12, k->iif > 0xffff ? 0xffff : k->iif);
	nf_put16(p + 14, r->oif > 0xffff ? 0xffff : r->oif);
	nf_put32(p + 16, pkts);
	nf_put32(p + 20, bytes);
	nf_put32(p + 24, r->first_ms);
	nf_put32(p + 28, r->last_ms);
	nf_put16(p + 32, k->sport);
	nf_put16(p + 34, k->dport);
	p[36] = 0;
	p[37] = r->tcp_flags;
	p[38] = k->proto;
	p[39] = k->tos;
	nf_put16(p + 40, r->src_as);
	nf_put16(p + 42, r->dst_as);
	memset(p + 44, 0, 4);		/* masks, pad */
}

/* How many v5 records a flow needs so that no 32-bit counter overflows. */
unsigned int nf_v5_records_needed(const struct nf_exp_rec *r);
/* Counters of part i (0-based) of n, so that the parts sum to the flow. */
void nf_v5_split(const struct nf_exp_rec *r, unsigned int i, unsigned int n,
		 u32 *pkts, u32 *bytes);

/*
 * The v5 pseudo-record of a NAT event, as ipt_NETFLOW defines it: pre-NAT
 * source, post-NAT destination; nexthop and source AS carry the post-NAT
 * source address and port for SNAT, or nexthop and destination AS the
 * pre-NAT destination for DNAT; TCP flags SYN+ACK for a start, RST+FIN for an
 * end; no packets, no bytes.
 */
void nf_v5_nat_rec(const struct nf_nat_rec *n, struct nf_exp_rec *r);

#endif /* NF_PDU_V5_H */
