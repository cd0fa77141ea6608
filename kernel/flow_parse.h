/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The packet parsers (flow_parse.c): a packet's flow key and what else it
 * contributes (flow_key.h), from its network header on.  Pure: compiled in
 * kernel/tests too (nf_env.h), where they are checked against each other.
 */
#ifndef IPNF_FLOW_PARSE_H
#define IPNF_FLOW_PARSE_H

#include "nf_env.h"
#include "flow_key.h"

/* Option bits of one header's options (pure helpers, also unit tested). */
u32 ipnf_ipv4_opts(const u8 *opt, unsigned int len);
u64 ipnf_tcp_opts(const u8 *opt, unsigned int len);

enum ipnf_parse_result {
	IPNF_PARSE_OK = 0,
	IPNF_PARSE_TRUNC = -1,	/* not a valid IP packet / header cut short */
	IPNF_PARSE_SLOW = 1,	/* ipnf_parse_ipv4_lin: not the common case */
};

/*
 * Parse the packet whose network header starts at nhoff.  Fill key (except
 * iif, which the caller knows) and pi.  Never reads past the packet.
 */
int ipnf_parse_ipv4(const ipnf_skb_t *skb, unsigned int nhoff,
		  struct ipnf_flow_key *key, struct ipnf_pkt_info *pi);
int ipnf_parse_ipv6(const ipnf_skb_t *skb, unsigned int nhoff,
		  struct ipnf_flow_key *key, struct ipnf_pkt_info *pi);

/* The IPv4 header's part of the key (h: at least 20 bytes of it). */
static inline void ipnf_ipv4_key(const u8 *h, struct ipnf_flow_key *key,
			       struct ipnf_pkt_info *pi)
{
	key->family = IPNF_FAM_V4;
	key->tos = h[1];
	key->proto = h[9];
	memcpy(&key->a.v4, h + 12, 8);	/* source and destination */
	pi->ttl = h[8];
}

/*
 * The common case straight from contiguous bytes h[0..len) (the linear part
 * of the packet): IPv4 without options, not a fragment, TCP, UDP or ICMP,
 * headers all within len.  Fills every field of key (but iif, dir) and pi
 * (but oif, physin, physout) exactly as ipnf_parse_ipv4 would; anything else
 * returns IPNF_PARSE_SLOW and ipnf_parse_ipv4 decides.  Checked against
 * ipnf_parse_ipv4 on random and mutated packets in the unit tests.  Inline:
 * the target's common path has no call until the flow table.
 */
static __always_inline int ipnf_parse_ipv4_lin(const u8 *h, unsigned int len,
					     struct ipnf_flow_key *key,
					     struct ipnf_pkt_info *pi)
{
	const u8 *l4 = h + 20;
	unsigned int thl;

	/*
	 * Version 4 with IHL 5, no MF flag, fragment offset 0: bytes 0, 6 and
	 * 7 of the header, tested as one word (masks built from bytes, so the
	 * host's byte order does not matter).
	 */
	static const u8 mask[8] = { 0xff, 0, 0, 0, 0, 0, 0x3f, 0xff };
	static const u8 want[8] = { 0x45, 0, 0, 0, 0, 0, 0, 0 };
	u64 w, m, v;

	if (unlikely(len < 28))
		return IPNF_PARSE_SLOW;
	memcpy(&w, h, 8);
	memcpy(&m, mask, 8);
	memcpy(&v, want, 8);
	if (unlikely((w & m) != v || ipnf_get16(h + 2) < 20))
		return IPNF_PARSE_SLOW;
	pi->ip_opts = 0;
	pi->label = 0;
	pi->is_frag = 0;
	pi->tcp_opts = 0;
	pi->tcp_flags = 0;
	switch (h[9]) {
	case 6:	/* TCP */
		thl = (l4[12] >> 4) * 4;
		if (len < 34 || thl < 20)
			return IPNF_PARSE_SLOW;
		pi->tcp_flags = l4[13];
		pi->l4_end = 20 + thl;
		if (thl > 20 && len >= 20 + thl)
			pi->tcp_opts = ipnf_tcp_opts(l4 + 20, thl - 20);
		ipnf_key_set_ports(key, l4);
		break;
	case 17:	/* UDP */
		pi->l4_end = 28;
		ipnf_key_set_ports(key, l4);
		break;
	case 1:	/* ICMP */
		pi->l4_end = 28;
		key->sport = 0;
		key->dport = (u16)(l4[0] << 8 | l4[1]);
		break;
	default:
		return IPNF_PARSE_SLOW;
	}
	ipnf_ipv4_key(h, key, pi);
	return IPNF_PARSE_OK;
}

#endif /* IPNF_FLOW_PARSE_H */
