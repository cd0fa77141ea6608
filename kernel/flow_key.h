/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Flow key and per-packet values: what distinguishes a flow (the key, as the
 * classic module defines it) and what a packet adds to it.  Pure: compiled in
 * the kernel and in userspace tests.
 */
#ifndef IPNF_FLOW_KEY_H
#define IPNF_FLOW_KEY_H

#include "nf_env.h"
#ifdef IPNF_ALL_FEATURES
/* userspace unit tests: every optional key field and element compiled in */
#define ENABLE_MAC 1
#define ENABLE_VLAN 1
#define ENABLE_DIRECTION 1
#define ENABLE_PHYSDEV 1
#define ENABLE_PROMISC 1
#define ENABLE_PROMISC_MPLS 3
#else
#include "nf_config.h"
#endif

#define IPNF_FAM_V4 4
#define IPNF_FAM_V6 6

/* key->dir: the hook a flow was metered at (--enable-direction) */
enum ipnf_dir {
	IPNF_DIR_NONE = 0,	/* not recorded (direction not compiled in) */
	IPNF_DIR_IN = 1,		/* PREROUTING, INPUT: flowDirection ingress */
	IPNF_DIR_OUT = 2,		/* OUTPUT, POSTROUTING: flowDirection egress */
	IPNF_DIR_FWD = 3,		/* FORWARD: flowDirection 255 (undefined) */
};

#define IPNF_VLAN_TAGS 2		/* outer (service) and customer tag */

/*
 * Key fields come first, addresses last, so an IPv4 key is a short prefix of
 * the IPv6 layout: both hashing and comparison use ipnf_key_len() bytes, and
 * IPv4 flows are allocated from a smaller cache.  The optional fields (VLAN,
 * MAC) exist only when configured, so they cost nothing otherwise; the header
 * stays a multiple of 4 bytes (ipnf_key_eq compares words).
 */
struct ipnf_flow_key {
	u32 iif;		/* ingress ifindex */
	u16 sport;		/* host order; ICMP: 0 */
	u16 dport;		/* host order; ICMP: type << 8 | code */
	u8 proto;		/* IP protocol / IPv6 upper-layer header */
	u8 tos;			/* IPv4 TOS / IPv6 traffic class */
	u8 family;		/* IPNF_FAM_V4 or IPNF_FAM_V6 */
	u8 dir;			/* enum ipnf_dir; 0 unless --enable-direction */
#ifdef ENABLE_VLAN
	u16 vlan[IPNF_VLAN_TAGS];	/* TCI (PCP, DEI, VID) outer first; 0: none */
#endif
#ifdef ENABLE_MAC
	u8 smac[6];		/* Ethernet source / destination of ingress */
	u8 dmac[6];		/* frames; zero when there is none (output) */
#endif
#ifdef ENABLE_PROMISC_MPLS
	/* label stack entries of promisc frames, top first, TTL byte cleared */
	u32 mpls[ENABLE_PROMISC_MPLS];
#endif
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

#define IPNF_KEY_HDR_LEN offsetof(struct ipnf_flow_key, a)
/* no optional key fields: the header is iif, ports, proto/tos/family/dir */
#if !defined(ENABLE_VLAN) && !defined(ENABLE_MAC) && !defined(ENABLE_PROMISC_MPLS)
#define IPNF_KEY_COMPACT 1
#endif
#define IPNF_KEY_V4_LEN (IPNF_KEY_HDR_LEN + 8)
#define IPNF_KEY_V6_LEN (IPNF_KEY_HDR_LEN + 32)

static inline unsigned int ipnf_key_len(const struct ipnf_flow_key *k)
{
	return k->family == IPNF_FAM_V4 ? IPNF_KEY_V4_LEN : IPNF_KEY_V6_LEN;
}

/*
 * Between sport << 16 | dport and the word the two adjacent key fields
 * make in memory (asserted in flowtable.c): the same on big-endian hosts,
 * the halves swapped on little-endian ones (its own inverse).
 */
static inline u32 ipnf_key_ports_image(u32 w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return w >> 16 | w << 16;
#else
	return w;
#endif
}

/* sport << 16 | dport of a key, read as one word. */
static inline u32 ipnf_key_ports_hl(const struct ipnf_flow_key *k)
{
	u32 w;

	memcpy(&w, (const u8 *)k + offsetof(struct ipnf_flow_key, sport), 4);
	return ipnf_key_ports_image(w);
}

/* A key's ports from the 4 bytes of a TCP/UDP header's: one load, one store. */
static inline void ipnf_key_set_ports(struct ipnf_flow_key *k, const u8 *l4)
{
	u32 w = ipnf_key_ports_image(ipnf_get32(l4));

	memcpy((u8 *)k + offsetof(struct ipnf_flow_key, sport), &w, 4);
}

/* TCP flag bits as in the TCP header's 13th byte. */
#define IPNF_TCP_FIN 0x01
#define IPNF_TCP_SYN 0x02
#define IPNF_TCP_RST 0x04
#define IPNF_TCP_PSH 0x08
#define IPNF_TCP_ACK 0x10

/*
 * ipv6ExtensionHeaders (IANA element 64) bits: bit n is 1 << n, numbered as
 * RFC 5102 lists them (DST 0, HOP 1, UNK 3, FRA0 4, RH 5, FRA1 6, MOB 12,
 * ESP 13, AH 14, PAY 15).
 */
#define IPNF_X6_DST	(1u << 0)
#define IPNF_X6_HOP	(1u << 1)
#define IPNF_X6_UNK	(1u << 3)	/* an upper-layer header not known here */
#define IPNF_X6_FRA0	(1u << 4)	/* fragment header, first fragment */
#define IPNF_X6_RH	(1u << 5)
#define IPNF_X6_FRA1	(1u << 6)	/* fragment header, later fragment */
#define IPNF_X6_MOB	(1u << 12)
#define IPNF_X6_ESP	(1u << 13)
#define IPNF_X6_AH	(1u << 14)
#define IPNF_X6_PAY	(1u << 15)

/* Values a packet contributes that are not part of the key. */
struct ipnf_pkt_info {
	u16 l4_end;	/* bytes from the network header to the end of L4 header */
	u8 tcp_flags;
	u8 ttl;		/* IPv4 TTL / IPv6 hop limit */
	u8 is_frag;	/* any fragment (first or later) */
	u32 ip_opts;	/* IPv4: ipv4Options (208); IPv6: ipv6ExtensionHeaders (64) */
	u32 label;	/* IPv6 flow label (20 bits) */
	u64 tcp_opts;	/* tcpOptions (209): bit k set when option kind k seen */
	u32 oif;	/* egress ifindex, 0 if none (filled by the target) */
	u32 physin;	/* bridge ports (--enable-physdev), 0 if none */
	u32 physout;
};

#endif /* IPNF_FLOW_KEY_H */
