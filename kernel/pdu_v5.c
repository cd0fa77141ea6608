// SPDX-License-Identifier: GPL-2.0-only
/* NetFlow v5 encoding.  Pure: byte-exact output checked in userspace tests. */
#include "pdu_v5.h"

void ipnf_v5_put_header(u8 *p, const struct ipnf_v5_hdr *h)
{
	ipnf_put16(p, 5);
	ipnf_put16(p + 2, h->count);
	ipnf_put32(p + 4, h->uptime_ms);
	ipnf_put32(p + 8, h->unix_secs);
	ipnf_put32(p + 12, h->unix_nsecs);
	ipnf_put32(p + 16, h->sequence);
	p[20] = h->engine_type;
	p[21] = h->engine_id;
	ipnf_put16(p + 22, h->sampling);
}

void ipnf_v5_nat_rec(const struct ipnf_nat_rec *n, struct ipnf_exp_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->key.family = IPNF_FAM_V4;
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
	r->tcp_flags = n->event == IPNF_NAT_CREATE ? IPNF_TCP_SYN | IPNF_TCP_ACK :
						   IPNF_TCP_RST | IPNF_TCP_FIN;
	r->first_ms = n->uptime_ms;
	r->last_ms = n->uptime_ms;
	r->start_abs_ms = n->time_ms;
	r->end_abs_ms = n->time_ms;
}

static u64 ipnf_div_up(u64 a, u64 b)
{
	return a / b + (a % b != 0);
}

unsigned int ipnf_v5_records_needed(const struct ipnf_exp_rec *r)
{
	u64 n = ipnf_div_up(r->bytes, 0xffffffffULL);
	u64 m = ipnf_div_up(r->packets, 0xffffffffULL);

	if (m > n)
		n = m;
	return n ? (unsigned int)n : 1;
}

/* Part i gets floor(total / n), the last part gets the remainder too. */
static u32 ipnf_part(u64 total, unsigned int i, unsigned int n)
{
	u64 each = total / n;

	return (u32)(i + 1 == n ? total - each * (n - 1) : each);
}

void ipnf_v5_split(const struct ipnf_exp_rec *r, unsigned int i, unsigned int n,
		 u32 *pkts, u32 *bytes)
{
	*pkts = ipnf_part(r->packets, i, n);
	*bytes = ipnf_part(r->bytes, i, n);
}
