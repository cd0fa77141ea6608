/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The first half of metering a packet (meter.h has the rest): its key and
 * values completed from the hook state and the skb.  Inline; shared by
 * meter.h's ipnf_account_skb() and natflows.c's out-of-line path.
 */
#ifndef IPNF_METER_PREP_H
#define IPNF_METER_PREP_H

#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/netfilter_bridge.h>
#include "stats.h"
#include "flowtable.h"
#include "ifaces.h"
#include "ruleset.h"
#include "promisc.h"
#include "flow_parse.h"

/*
 * The optional key fields and values (configure switches).  Each is a few
 * loads; without its switch a feature compiles to nothing.
 */
#ifdef ENABLE_DIRECTION
static inline u8 ipnf_hook_dir(unsigned int hook)
{
	switch (hook) {
	case NF_INET_PRE_ROUTING:
	case NF_INET_LOCAL_IN:
		return IPNF_DIR_IN;
	case NF_INET_LOCAL_OUT:
	case NF_INET_POST_ROUTING:
		return IPNF_DIR_OUT;
	default:
		return IPNF_DIR_FWD;
	}
}
#endif

#ifdef ENABLE_VLAN
/*
 * Tags, collected inner first: one still in the skb (bridged frames: no VLAN
 * device took it), then those of the VLAN devices the frame came through,
 * walking down from the ingress device.  The outermost go into the key.
 */
static void ipnf_vlan_tags(const struct sk_buff *skb,
			 const struct net_device *in, struct ipnf_flow_key *key)
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
static bool ipnf_promisc_frame(struct ipnf_flow_key *key)
{
	const struct ipnf_promisc_ctx *c = ipnf_promisc_current();

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
static void ipnf_mac_addrs(const struct sk_buff *skb,
			 const struct net_device *in, struct ipnf_flow_key *key)
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
 * A fragment counted, for the general parsers' callers: the IPv4 fast
 * parser takes no fragment (meter.h), so the common path has no test.
 */
static __always_inline void ipnf_count_frag(const struct ipnf_pkt_info *pi)
{
	if (unlikely(pi->is_frag))
		this_cpu_inc(ipnf_stats.frag);
}

/*
 * Complete the key and the packet's values from the hook state and the
 * skb: what ipnf_flow_account() needs, counted as *pkts and *bytes (GSO
 * packets as the segments they will become); l3len: the packet's bytes
 * from its network header on.
 */
static __always_inline void ipnf_account_prep_len(const struct sk_buff *skb,
			   const struct nf_hook_state *state,
			   struct ipnf_flow_key *key, struct ipnf_pkt_info *pi,
			   u32 l3len, u32 *pkts_out, u32 *bytes_out)
{
	const struct net_device *in = state->in, *out = state->out;
	u32 bytes = l3len;
	u32 pkts = 1;

	if (skb_is_gso(skb) && skb_shinfo(skb)->gso_segs > 1) {
		pkts = skb_shinfo(skb)->gso_segs;
		bytes += (pkts - 1) * pi->l4_end;
	}
#ifdef ENABLE_SNMP
	key->iif = ipnf_rules_ifindex(in);
	pi->oif = ipnf_rules_ifindex(out);
#else
	key->iif = in ? in->ifindex : 0;
	pi->oif = out ? out->ifindex : 0;
#endif
#ifdef ENABLE_AGGR
	ipnf_rules_aggr_key(key);
#endif
#ifdef ENABLE_DIRECTION
	key->dir = ipnf_hook_dir(state->hook);
#endif
#ifdef ENABLE_PROMISC
	if (unlikely(ipnf_promisc_frame(key)))
		goto tagged;
#endif
#ifdef ENABLE_VLAN
	ipnf_vlan_tags(skb, in, key);
#endif
#ifdef ENABLE_PROMISC_MPLS
	memset(key->mpls, 0, sizeof(key->mpls));
#endif
#ifdef ENABLE_PROMISC
tagged:
#endif
#ifdef ENABLE_MAC
	ipnf_mac_addrs(skb, in, key);
#endif
#ifdef ENABLE_PHYSDEV
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	pi->physin = nf_bridge_get_physinif(skb);
	pi->physout = nf_bridge_get_physoutif(skb);
#else
	pi->physin = 0;
	pi->physout = 0;
#endif
#endif
	*pkts_out = pkts;
	*bytes_out = bytes;
}

/* The same, the packet's length from its network header on taken here. */
static __always_inline void ipnf_account_prep(const struct sk_buff *skb,
			   const struct nf_hook_state *state,
			   struct ipnf_flow_key *key, struct ipnf_pkt_info *pi,
			   u32 *pkts_out, u32 *bytes_out)
{
	ipnf_account_prep_len(skb, state, key, pi, skb->len - skb_network_offset(skb),
			      pkts_out, bytes_out);
}

/*
 * The interfaces of a flow the packet made, for the options records
 * (ifaces.h): what a flow can refer to is its first packet's in and out.
 */
static __always_inline void ipnf_flow_ifaces(const struct nf_hook_state *state)
{
	ipnf_if_note(state->in);
	ipnf_if_note(state->out);
}

#endif /* IPNF_METER_PREP_H */
