/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Flow key and per-packet values: what distinguishes a flow (the key, as the
 * classic module defines it) and what a packet adds to it.  Pure: compiled in
 * the kernel and in userspace tests.
 */
#ifndef NF_FLOW_KEY_H
#define NF_FLOW_KEY_H

#include "nf_env.h"

#define NF_FAM_V4 4
#define NF_FAM_V6 6

/*
 * Key fields come first, addresses last, so an IPv4 key is a short prefix of
 * the IPv6 layout: both hashing and comparison use nf_key_len() bytes, and
 * IPv4 flows are allocated from a smaller cache.
 */
struct nf_flow_key {
	u32 iif;		/* ingress ifindex */
	u16 sport;		/* host order; ICMP: 0 */
	u16 dport;		/* host order; ICMP: type << 8 | code */
	u8 proto;		/* IP protocol / IPv6 upper-layer header */
	u8 tos;			/* IPv4 TOS / IPv6 traffic class */
	u8 family;		/* NF_FAM_V4 or NF_FAM_V6 */
	u8 pad;			/* always 0: part of the hashed bytes */
	union {
		struct {
			__be32 src;
			__be32 dst;
		} v4;
		struct {
			u8 src[16];
			u8 dst[16];
		} v6;
		u32 words[8];
	} a;
};

#define NF_KEY_HDR_LEN offsetof(struct nf_flow_key, a)
#define NF_KEY_V4_LEN (NF_KEY_HDR_LEN + 8)
#define NF_KEY_V6_LEN (NF_KEY_HDR_LEN + 32)

static inline unsigned int nf_key_len(const struct nf_flow_key *k)
{
	return k->family == NF_FAM_V4 ? NF_KEY_V4_LEN : NF_KEY_V6_LEN;
}

/* TCP flag bits as in the TCP header's 13th byte. */
#define NF_TCP_FIN 0x01
#define NF_TCP_SYN 0x02
#define NF_TCP_RST 0x04
#define NF_TCP_PSH 0x08
#define NF_TCP_ACK 0x10

/* Values a packet contributes that are not part of the key. */
struct nf_pkt_info {
	u16 l4_end;	/* bytes from the network header to the end of L4 header */
	u8 tcp_flags;
	u8 ttl;		/* IPv4 TTL / IPv6 hop limit */
	u8 is_frag;	/* any fragment (first or later) */
};

enum nf_parse_result {
	NF_PARSE_OK = 0,
	NF_PARSE_TRUNC = -1,	/* not a valid IP packet / header cut short */
};

/*
 * Parse the packet whose network header starts at nhoff.  Fill key (except
 * iif, which the caller knows) and pi.  Never reads past the packet.
 */
int nf_parse_ipv4(const nf_skb_t *skb, unsigned int nhoff,
		  struct nf_flow_key *key, struct nf_pkt_info *pi);
int nf_parse_ipv6(const nf_skb_t *skb, unsigned int nhoff,
		  struct nf_flow_key *key, struct nf_pkt_info *pi);

#endif /* NF_FLOW_KEY_H */
