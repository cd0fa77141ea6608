/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The packet path shared by the NETFLOW target (target.c) and the netfilter
 * hooks (hooks.c): parse, account.  Inline, so each entry point is one
 * function with no call in between; it never prints and never changes the
 * packet's fate.  Included by those two files and offload.c (packets the
 * nftables flowtable fast path forwards, metered as the forward hook would
 * have seen them).
 */
#ifndef NF_METER_H
#define NF_METER_H

#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/netfilter_bridge.h>
#include "netflow.h"
#include "natflows.h"

/*
 * The optional key fields and values (configure switches).  Each is a few
 * loads; without its switch a feature compiles to nothing.
 */
#ifdef ENABLE_DIRECTION
static inline u8 nf_hook_dir(unsigned int hook)
{
	switch (hook) {
	case NF_INET_PRE_ROUTING:
	case NF_INET_LOCAL_IN:
		return NF_DIR_IN;
	case NF_INET_LOCAL_OUT:
	case NF_INET_POST_ROUTING:
		return NF_DIR_OUT;
	default:
		return NF_DIR_FWD;
	}
}
#endif

#ifdef ENABLE_VLAN
/*
 * Tags, collected inner first: one still in the skb (bridged frames: no VLAN
 * device took it), then those of the VLAN devices the frame came through,
 * walking down from the ingress device.  The outermost go into the key.
 */
static void nf_vlan_tags(const struct sk_buff *skb,
			 const struct net_device *in, struct nf_flow_key *key)
{
	key->vlan[0] = skb_vlan_tag_present(skb) ? skb_vlan_tag_get(skb) : 0;
	key->vlan[1] = 0;
	/*
	 * Each device further down carries a tag outside the ones so far.  The
	 * private data is read directly: the accessor functions would make
	 * this module depend on 8021q.
	 */
	for (; in && is_vlan_dev(in); in = vlan_dev_priv(in)->real_dev) {
		key->vlan[1] = key->vlan[0];
		key->vlan[0] = vlan_dev_priv(in)->vlan_id;
	}
}
#endif

#ifdef ENABLE_PROMISC
/* A frame the promisc tap passes: its VLAN tags and labels, from the tap. */
static bool nf_promisc_frame(struct nf_flow_key *key)
{
	const struct nf_promisc_ctx *c = nf_promisc_current();

	if (!c)
		return false;
#ifdef ENABLE_VLAN
	memcpy(key->vlan, c->vlan, sizeof(key->vlan));
#endif
#ifdef ENABLE_PROMISC_MPLS
	memcpy(key->mpls, c->mpls, sizeof(key->mpls));
#endif
	return true;
}
#endif

#ifdef ENABLE_MAC
/* Ethernet addresses of a received frame; zero on output hooks. */
static void nf_mac_addrs(const struct sk_buff *skb,
			 const struct net_device *in, struct nf_flow_key *key)
{
	const struct ethhdr *eth;

	if (in && in->type == ARPHRD_ETHER && skb_mac_header_was_set(skb) &&
	    skb_mac_header(skb) >= skb->head &&
	    skb_network_header(skb) - skb_mac_header(skb) >= ETH_HLEN) {
		eth = eth_hdr(skb);
		memcpy(key->smac, eth->h_source, ETH_ALEN);
		memcpy(key->dmac, eth->h_dest, ETH_ALEN);
		return;
	}
	memset(key->smac, 0, ETH_ALEN);
	memset(key->dmac, 0, ETH_ALEN);
}
#endif

/*
 * Complete the key and the packet's values from the hook state and the
 * skb: what nf_flow_account() needs, counted as *pkts and *bytes (GSO
 * packets as the segments they will become).
 */
static __always_inline void nf_account_prep(const struct sk_buff *skb,
			   const struct nf_hook_state *state,
			   struct nf_flow_key *key, struct nf_pkt_info *pi,
			   u32 *pkts_out, u32 *bytes_out)
{
	const struct net_device *in = state->in, *out = state->out;
	u32 bytes = skb->len - skb_network_offset(skb);
	u32 pkts = 1;

	if (skb_is_gso(skb) && skb_shinfo(skb)->gso_segs > 1) {
		pkts = skb_shinfo(skb)->gso_segs;
		bytes += (pkts - 1) * pi->l4_end;
	}
	if (unlikely(pi->is_frag))
		this_cpu_inc(nf_stats.frag);
#ifdef ENABLE_SNMP
	key->iif = nf_rules_ifindex(in);
	pi->oif = nf_rules_ifindex(out);
#else
	key->iif = in ? in->ifindex : 0;
	pi->oif = out ? out->ifindex : 0;
#endif
#ifdef ENABLE_AGGR
	nf_rules_aggr_key(key);
#endif
#ifdef ENABLE_DIRECTION
	key->dir = nf_hook_dir(state->hook);
#endif
#ifdef ENABLE_PROMISC
	if (unlikely(nf_promisc_frame(key)))
		goto tagged;
#endif
#ifdef ENABLE_VLAN
	nf_vlan_tags(skb, in, key);
#endif
#ifdef ENABLE_PROMISC_MPLS
	memset(key->mpls, 0, sizeof(key->mpls));
#endif
#ifdef ENABLE_PROMISC
tagged:
#endif
#ifdef ENABLE_MAC
	nf_mac_addrs(skb, in, key);
#endif
#if defined(ENABLE_PHYSDEV) && IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	pi->physin = nf_bridge_get_physinif(skb);
	pi->physout = nf_bridge_get_physoutif(skb);
#endif
	nf_if_note(in);
	nf_if_note(out);
	*pkts_out = pkts;
	*bytes_out = bytes;
}

/* Count the packet. */
static __always_inline void nf_account_skb(const struct sk_buff *skb,
			   const struct nf_hook_state *state,
			   struct nf_flow_key *key, struct nf_pkt_info *pi)
{
	u32 pkts, bytes;

	/*
	 * natflows=1: the whole of it out of line, so that while it is off
	 * this path is a patched-out jump and nothing else (no value kept
	 * across a call that never happens).
	 */
	if (nf_natflows_on_fast()) {
		nf_account_skb_nat(skb, state, key, pi);
		return;
	}
	nf_account_prep(skb, state, key, pi, &pkts, &bytes);
	nf_flow_account(key, pi, pkts, bytes);
}

typedef int (*nf_parse_fn)(const nf_skb_t *skb, unsigned int nhoff,
			   struct nf_flow_key *key, struct nf_pkt_info *pi);

/* The general parser: any header layout, non-linear packets. */
static noinline void nf_meter_parse(struct sk_buff *skb,
				    const struct nf_hook_state *state,
				    nf_parse_fn parse)
{
	struct nf_flow_key key;
	struct nf_pkt_info pi = {};

	key.sport = 0;
	key.dport = 0;
	key.dir = NF_DIR_NONE;
	if (likely(!parse(skb, skb_network_offset(skb), &key, &pi))) {
		nf_account_skb(skb, state, &key, &pi);
	} else {
		/* As the classic module: counted in drop packets, not drop bytes. */
		this_cpu_inc(nf_stats.trunc);
		this_cpu_inc(nf_stats.drop_pkts);
	}
}

/*
 * IPv4: the common case (no options, no fragment, TCP/UDP/ICMP headers in
 * the linear part) is parsed straight from the header bytes; the rest goes
 * through the general parser, which gives the same key for the same packet.
 */
static __always_inline void nf_meter_ipv4(struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	int nhoff = skb_network_offset(skb);
	/* every field is set before use: no zeroing (INIT_STACK_ALL_ZERO) */
	struct nf_flow_key key __uninitialized;
	struct nf_pkt_info pi __uninitialized;

	if (likely(nhoff >= 0 && skb_headlen(skb) > nhoff) &&
	    nf_parse_ipv4_lin(skb->data + nhoff, skb_headlen(skb) - nhoff,
			      &key, &pi) == NF_PARSE_OK) {
		key.dir = NF_DIR_NONE;
		pi.physin = 0;
		pi.physout = 0;
		nf_account_skb(skb, state, &key, &pi);
	} else {
		nf_meter_parse(skb, state, nf_parse_ipv4);
	}
}

static __always_inline void nf_meter_ipv6(struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	nf_meter_parse(skb, state, nf_parse_ipv6);
}

#endif /* NF_METER_H */
