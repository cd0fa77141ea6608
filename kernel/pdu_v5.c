// SPDX-License-Identifier: GPL-2.0-only
/* NetFlow v5 encoding.  Pure: byte-exact output checked in userspace tests. */
#include "pdu_v5.h"

void nf_v5_put_header(u8 *p, const struct nf_v5_hdr *h)
{
	nf_put16(p, 5);
	nf_put16(p + 2, h->count);
	nf_put32(p + 4, h->uptime_ms);
	nf_put32(p + 8, h->unix_secs);
	nf_put32(p + 12, h->unix_nsecs);
	nf_put32(p + 16, h->sequence);
	p[20] = h->engine_type;
	p[21] = h->engine_id;
	nf_put16(p + 22, h->sampling);
}

void nf_v5_put_record(u8 *p, const struct nf_exp_rec *r, u32 pkts, u32 bytes)
{
	const struct nf_flow_key *k = &r->key;

	memcpy(p, &k->a.v4.src, 4);
	memcpy(p + 4, &k->a.v4.dst, 4);
	memset(p + 8, 0, 4);				/* nexthop */
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
	memset(p + 40, 0, 8);		/* src/dst AS, masks, pad */
}

static u64 nf_div_up(u64 a, u64 b)
{
	return a / b + (a % b != 0);
}

unsigned int nf_v5_records_needed(const struct nf_exp_rec *r)
{
	u64 n = nf_div_up(r->bytes, 0xffffffffULL);
	u64 m = nf_div_up(r->packets, 0xffffffffULL);

	if (m > n)
		n = m;
	return n ? (unsigned int)n : 1;
}

/* Part i gets floor(total / n), the last part gets the remainder too. */
static u32 nf_part(u64 total, unsigned int i, unsigned int n)
{
	u64 each = total / n;

	return (u32)(i + 1 == n ? total - each * (n - 1) : each);
}

void nf_v5_split(const struct nf_exp_rec *r, unsigned int i, unsigned int n,
		 u32 *pkts, u32 *bytes)
{
	*pkts = nf_part(r->packets, i, n);
	*bytes = nf_part(r->bytes, i, n);
}
