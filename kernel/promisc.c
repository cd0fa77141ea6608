// SPDX-License-Identifier: GPL-2.0-only
/*
 * The promisc hack (--enable-promisc, promisc=1): frames an interface in
 * promiscuous mode receives for other hosts (PACKET_OTHERHOST, e.g. a port
 * mirror) never reach the IP stack; this taps them, strips VLAN tags left in
 * the frame and (--promisc-mpls=N) an MPLS label stack, and runs the IPv4 or
 * IPv6 packet through the PREROUTING hook (raw first), where a NETFLOW rule
 * meters it; then the copy is freed.  The tags and labels go with the packet
 * to the target through a per-CPU context, valid while the hook runs (the
 * receive path runs with bottom halves off, so nothing else runs there).
 */
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include "locks.h"
#include "promisc.h"

#ifdef ENABLE_PROMISC

DEFINE_PER_CPU(struct ipnf_promisc_ctx, ipnf_promisc_ctx);
atomic64_t ipnf_promisc_seen, ipnf_promisc_dropped;
static bool ipnf_promisc_on;

static int ipnf_promisc_finish(struct net *net, struct sock *sk,
			     struct sk_buff *skb)
{
	consume_skb(skb);
	return 0;
}

/* Strip in-frame VLAN tags and MPLS labels; returns the L3 protocol or 0. */
static __be16 ipnf_promisc_decap(struct sk_buff *skb, struct ipnf_promisc_ctx *c)
{
	__be16 proto = skb->protocol;
	int labels = 0;

	while (eth_type_vlan(proto)) {
		const struct vlan_hdr *vh;

		if (!pskb_may_pull(skb, VLAN_HLEN))
			return 0;
		vh = (const struct vlan_hdr *)skb->data;
		/* each tag found is inside the ones before */
		if (c->ntags < IPNF_VLAN_TAGS)
			c->vlan[c->ntags] = ntohs(vh->h_vlan_TCI);
		c->ntags++;
		proto = vh->h_vlan_encapsulated_proto;
		skb_pull(skb, VLAN_HLEN);
	}
	if (proto == htons(ETH_P_MPLS_UC) || proto == htons(ETH_P_MPLS_MC)) {
		u32 e;

		do {
			if (!pskb_may_pull(skb, 4) || ++labels > 16)
				return 0;
			e = ntohl(*(const __be32 *)skb->data);
#ifdef ENABLE_PROMISC_MPLS
			if (labels <= ENABLE_PROMISC_MPLS)
				c->mpls[labels - 1] = e;
#endif
			skb_pull(skb, 4);
		} while (!(e & 0x100));		/* bottom of stack */
		if (!pskb_may_pull(skb, 1))
			return 0;
		switch (skb->data[0] >> 4) {
		case 4:
			proto = htons(ETH_P_IP);
			break;
		case 6:
			proto = htons(ETH_P_IPV6);
			break;
		default:
			return 0;
		}
	}
	return proto;
}

static int ipnf_promisc_rcv(struct sk_buff *skb, struct net_device *dev,
			  struct packet_type *pt, struct net_device *orig_dev)
{
	struct ipnf_promisc_ctx *c;
	__be16 proto;
	u8 pf;

	if (skb->pkt_type != PACKET_OTHERHOST) {
		consume_skb(skb);	/* a tap's reference: not ours to meter */
		return NET_RX_SUCCESS;
	}
	atomic64_inc(&ipnf_promisc_seen);
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		goto drop;
	c = this_cpu_ptr(&ipnf_promisc_ctx);
	memset(c, 0, sizeof(*c));
	if (skb_vlan_tag_present(skb))	/* the outer tag, taken off already */
		c->vlan[c->ntags++] = skb_vlan_tag_get(skb);
	proto = ipnf_promisc_decap(skb, c);
	if (proto == htons(ETH_P_IP) && pskb_may_pull(skb, sizeof(struct iphdr)))
		pf = NFPROTO_IPV4;
	else if (proto == htons(ETH_P_IPV6) && pskb_may_pull(skb, sizeof(struct ipv6hdr)))
		pf = NFPROTO_IPV6;
	else
		goto drop;
	skb->protocol = proto;
	skb_reset_network_header(skb);
	skb->pkt_type = PACKET_HOST;	/* for the hook only; freed after it */
	c->active = true;
	NF_HOOK(pf, NF_INET_PRE_ROUTING, dev_net(dev), NULL, skb, dev, NULL,
		ipnf_promisc_finish);
	c->active = false;
	return NET_RX_SUCCESS;
drop:
	atomic64_inc(&ipnf_promisc_dropped);
	kfree_skb(skb);
	return NET_RX_DROP;
}

static struct packet_type ipnf_promisc_pt __read_mostly = {
	.type = htons(ETH_P_ALL),
	.func = ipnf_promisc_rcv,
};

/* promisc on or off (ipnf_cfg_mutex held). */
void ipnf_promisc_set(bool on)
{
	lockdep_assert_held(&ipnf_cfg_mutex);

	if (on == ipnf_promisc_on)
		return;
	ipnf_promisc_on = on;
	if (on)
		dev_add_pack(&ipnf_promisc_pt);
	else
		dev_remove_pack(&ipnf_promisc_pt);	/* waits for receivers */
}

#endif /* ENABLE_PROMISC */
