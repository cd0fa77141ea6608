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

void nf_v5_nat_rec(const struct nf_nat_rec *n, struct nf_exp_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->key.family = NF_FAM_V4;
	r->key.proto = n->proto;
	r->key.a.v4.src = n->src;		/* pre-NAT source */
	r->key.sport = n->sport;
	r->key.a.v4.dst = n->post_dst;		/* post-NAT destination */
	r->key.dport = n->post_dport;
	if (n->snat) {				/* post-NAT source */
		memcpy(r->nexthop, &n->post_src, 4);
		r->src_as = n->post_sport;
	} else if (n->dnat) {			/* pre-NAT destination */
		memcpy(r->nexthop, &n->dst, 4);
		r->dst_as = n->dport;
	}
	r->tcp_flags = n->event == NF_NAT_CREATE ? NF_TCP_SYN | NF_TCP_ACK :
						   NF_TCP_RST | NF_TCP_FIN;
	r->first_ms = n->uptime_ms;
	r->last_ms = n->uptime_ms;
	r->start_abs_ms = n->time_ms;
	r->end_abs_ms = n->time_ms;
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
