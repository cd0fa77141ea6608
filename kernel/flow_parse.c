// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet → flow key.  Reads headers byte by byte through ipnf_hdr() (bounded
 * copies for non-linear packets), so it is the same code in the kernel and in
 * the userspace tests, and it cannot read past the packet.
 *
 * Fragments, as the classic module documents: counted, accounted, never
 * reassembled; a fragment without transport header gives ports 0.
 */
#include "flow_key.h"
#include "flow_parse.h"

#define IPNF_MAX_EXTHDRS 16	/* IPv6 extension headers walked at most */

enum { P_ICMP = 1, P_TCP = 6, P_UDP = 17, P_DCCP = 33, P_ICMPV6 = 58,
       P_SCTP = 132, P_UDPLITE = 136 };

/*
 * ipv4Options (IANA element 208): row n of RFC 5102's table is bit n
 * (value 1 << n); this lists the option type of each row.
 */
static const u8 ipnf_ipopt_type[32] = {
	7, 134, 133, 68, 131, 130, 1, 0,	/* RR CIPSO E-SEC TS LSR SEC NOP EOOL */
	15, 142, 205, 12, 11, 10, 137, 136,	/* ENCODE VISA FINN MTUR MTUP ZSU SSR SID */
	151, 150, 149, 147, 148, 82, 145, 144,	/* DPS NSAPA SDB ADDEXT RTRALT TR EIP IMITD */
	255, 30, 255, 255, 255, 25, 152, 255,	/* EXP, QS, UMP; 255: unassigned */
};

static u32 ipnf_ipopt_bit(u8 type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ipnf_ipopt_type); i++)
		if (ipnf_ipopt_type[i] == type && type != 255)
			return 1u << i;
	return 0;
}

/*
 * The next option of an IPv4 or TCP option list at *i: its kind, or -1 at
 * the end.  Kind 0 ends the list, kind 1 is one byte, any other kind has a
 * length byte >= 2; a malformed length ends the walk.
 */
static int ipnf_opt_next(const u8 *opt, unsigned int len, unsigned int *i)
{
	u8 kind;

	if (*i >= len)
		return -1;
	kind = opt[*i];
	if (kind == 0) {
		*i = len;
		return 0;
	}
	if (kind == 1) {
		(*i)++;
		return 1;
	}
	if (*i + 1 >= len || opt[*i + 1] < 2) {
		*i = len;
		return -1;
	}
	*i += opt[*i + 1];
	return kind;
}

u32 ipnf_ipv4_opts(const u8 *opt, unsigned int len)
{
	unsigned int i = 0;
	u32 bits = 0;
	int kind;

	while ((kind = ipnf_opt_next(opt, len, &i)) >= 0)
		bits |= ipnf_ipopt_bit((u8)kind);
	return bits;
}

u64 ipnf_tcp_opts(const u8 *opt, unsigned int len)
{
	unsigned int i = 0;
	u64 bits = 0;
	int kind;

	while ((kind = ipnf_opt_next(opt, len, &i)) >= 0)
		if (kind < 64)
			bits |= 1ULL << kind;
	return bits;
}

/* Options of a TCP header of hlen bytes at off: bits, 0 if cut short. */
static u64 ipnf_parse_tcp_opts(const ipnf_skb_t *skb, unsigned int off,
			     unsigned int hlen)
{
	u8 buf[40];
	const u8 *o;

	if (hlen <= 20)
		return 0;
	o = ipnf_hdr(skb, off + 20, hlen - 20, buf);
	return o ? ipnf_tcp_opts(o, hlen - 20) : 0;
}

/*
 * Transport part.  Returns IPNF_PARSE_TRUNC if the transport header is cut
 * short in an unfragmented packet; in a first fragment a short header just
 * leaves the ports at zero.
 */
static int ipnf_parse_l4(const ipnf_skb_t *skb, unsigned int nhoff,
		       unsigned int l4off, int first_frag,
		       struct ipnf_flow_key *key, struct ipnf_pkt_info *pi)
{
	u8 buf[14];
	const u8 *h;

	switch (key->proto) {
	case P_TCP:
		h = ipnf_hdr(skb, nhoff + l4off, 14, buf);
		if (!h)
			break;
		key->sport = ipnf_get16(h);
		key->dport = ipnf_get16(h + 2);
		pi->tcp_flags = h[13];
		pi->l4_end = l4off + (h[12] >> 4) * 4;
		if (unlikely(h[12] > 0x5f))
			pi->tcp_opts = ipnf_parse_tcp_opts(skb, nhoff + l4off,
							 (h[12] >> 4) * 4);
		return IPNF_PARSE_OK;
	case P_UDP:
	case P_UDPLITE:
	case P_SCTP:
	case P_DCCP:
		h = ipnf_hdr(skb, nhoff + l4off, 4, buf);
		if (!h)
			break;
		key->sport = ipnf_get16(h);
		key->dport = ipnf_get16(h + 2);
		pi->l4_end = l4off + (key->proto == P_UDP || key->proto == P_UDPLITE ? 8 : 4);
		return IPNF_PARSE_OK;
	case P_ICMP:
	case P_ICMPV6:
		h = ipnf_hdr(skb, nhoff + l4off, 2, buf);
		if (!h)
			break;
		key->dport = (u16)(h[0] << 8 | h[1]);
		pi->l4_end = l4off + 8;
		return IPNF_PARSE_OK;
	default:
		pi->l4_end = l4off;
		return IPNF_PARSE_OK;
	}
	/* header cut short */
	pi->l4_end = l4off;
	return first_frag ? IPNF_PARSE_OK : IPNF_PARSE_TRUNC;
}

int ipnf_parse_ipv4(const ipnf_skb_t *skb, unsigned int nhoff,
		  struct ipnf_flow_key *key, struct ipnf_pkt_info *pi)
{
	u8 buf[20];
	const u8 *h;
	unsigned int ihl, tot_len, frag;

	h = ipnf_hdr(skb, nhoff, 20, buf);
	if (!h || (h[0] >> 4) != 4)
		return IPNF_PARSE_TRUNC;
	ihl = (h[0] & 0x0f) * 4;
	tot_len = ipnf_get16(h + 2);
	if (ihl < 20 || tot_len < ihl || nhoff + ihl > ipnf_skb_len(skb))
		return IPNF_PARSE_TRUNC;

	ipnf_ipv4_key(h, key, pi);
	if (unlikely(ihl > 20)) {
		u8 obuf[40];
		const u8 *o = ipnf_hdr(skb, nhoff + 20, ihl - 20, obuf);

		if (o)
			pi->ip_opts = ipnf_ipv4_opts(o, ihl - 20);
	}

	frag = ipnf_get16(h + 6);
	pi->is_frag = (frag & 0x3fff) != 0;	/* MF or offset */
	if (frag & 0x1fff) {			/* not the first fragment */
		pi->l4_end = ihl;
		return IPNF_PARSE_OK;
	}
	return ipnf_parse_l4(skb, nhoff, ihl, pi->is_frag, key, pi);
}

/* ipv6ExtensionHeaders bit of the header that ends the chain, if any. */
static u32 ipnf_x6_final(u8 next)
{
	switch (next) {
	case P_TCP:
	case P_UDP:
	case P_ICMPV6:
	case P_UDPLITE:
	case P_SCTP:
	case P_DCCP:
	case 4:		/* IPv4 in IPv6 */
	case 41:	/* IPv6 in IPv6 */
	case 47:	/* GRE */
	case 59:	/* no next header */
	case 103:	/* PIM */
	case 115:	/* L2TP */
		return 0;
	case 50:
		return IPNF_X6_ESP;
	case 108:
		return IPNF_X6_PAY;
	case 135:
		return IPNF_X6_MOB;
	default:
		return IPNF_X6_UNK;
	}
}

int ipnf_parse_ipv6(const ipnf_skb_t *skb, unsigned int nhoff,
		  struct ipnf_flow_key *key, struct ipnf_pkt_info *pi)
{
	u8 buf[40];
	const u8 *h;
	unsigned int off = 40, n;
	u8 next;

	h = ipnf_hdr(skb, nhoff, 40, buf);
	if (!h || (h[0] >> 4) != 6)
		return IPNF_PARSE_TRUNC;

	key->family = IPNF_FAM_V6;
	key->tos = (u8)((h[0] & 0x0f) << 4 | h[1] >> 4);
	memcpy(key->a.v6.src, h + 8, 16);
	memcpy(key->a.v6.dst, h + 24, 16);
	pi->ttl = h[7];
	pi->label = (u32)(h[1] & 0x0f) << 16 | h[2] << 8 | h[3];
	next = h[6];

	for (n = 0; n < IPNF_MAX_EXTHDRS; n++) {
		switch (next) {
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
			h = ipnf_hdr(skb, nhoff + off, 2, buf);
			if (!h)
				return IPNF_PARSE_TRUNC;
			pi->ip_opts |= next == 0 ? IPNF_X6_HOP :
				       next == 43 ? IPNF_X6_RH : IPNF_X6_DST;
			next = h[0];
			off += (h[1] + 1) * 8;
			continue;
		case 51:	/* AH */
			h = ipnf_hdr(skb, nhoff + off, 2, buf);
			if (!h)
				return IPNF_PARSE_TRUNC;
			pi->ip_opts |= IPNF_X6_AH;
			next = h[0];
			off += (h[1] + 2) * 4;
			continue;
		case 44: {	/* fragment */
			u16 fo;

			h = ipnf_hdr(skb, nhoff + off, 8, buf);
			if (!h)
				return IPNF_PARSE_TRUNC;
			next = h[0];
			fo = ipnf_get16(h + 2);
			pi->is_frag = 1;
			off += 8;
			if (fo & 0xfff8) {	/* not the first fragment */
				pi->ip_opts |= IPNF_X6_FRA1;
				key->proto = next;
				pi->l4_end = off;
				return IPNF_PARSE_OK;
			}
			pi->ip_opts |= IPNF_X6_FRA0;
			continue;
		}
		default:
			break;
		}
		break;
	}
	if (n == IPNF_MAX_EXTHDRS)	/* absurd chain: treat as garbage */
		return IPNF_PARSE_TRUNC;
	key->proto = next;
	pi->ip_opts |= ipnf_x6_final(next);
	if (next == 59 || next == 50) {	/* no next header / ESP */
		pi->l4_end = off;
		return IPNF_PARSE_OK;
	}
	return ipnf_parse_l4(skb, nhoff, off, pi->is_frag, key, pi);
}
