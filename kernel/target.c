// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NETFLOW xtables target for IPv4 and IPv6: parse, account, continue.
 * It never changes the packet's fate (XT_CONTINUE) and never prints.
 */
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/netdevice.h>
#include <linux/netfilter/x_tables.h>
#include "netflow.h"

/* Count the packet (GSO packets as the segments they will become). */
static void nf_account_skb(const struct sk_buff *skb,
			   const struct xt_action_param *par,
			   struct nf_flow_key *key, const struct nf_pkt_info *pi)
{
	const struct net_device *in = xt_in(par), *out = xt_out(par);
	u32 bytes = skb->len - skb_network_offset(skb);
	u32 pkts = 1;

	if (skb_is_gso(skb) && skb_shinfo(skb)->gso_segs > 1) {
		pkts = skb_shinfo(skb)->gso_segs;
		bytes += (pkts - 1) * pi->l4_end;
	}
	if (unlikely(pi->is_frag))
		this_cpu_inc(nf_stats.frag);
	key->iif = in ? in->ifindex : 0;
	nf_if_note(in);
	nf_if_note(out);
	nf_flow_account(key, pi, pkts, bytes, out ? out->ifindex : 0);
}

typedef int (*nf_parse_fn)(const nf_skb_t *skb, unsigned int nhoff,
			   struct nf_flow_key *key, struct nf_pkt_info *pi);

/* Inlined into each family's target, so the parser call is direct. */
static __always_inline unsigned int nf_target(struct sk_buff *skb,
					      const struct xt_action_param *par,
					      nf_parse_fn parse)
{
	struct nf_flow_key key;
	struct nf_pkt_info pi = {};

	key.sport = 0;
	key.dport = 0;
	key.pad = 0;
	if (likely(!parse(skb, skb_network_offset(skb), &key, &pi))) {
		nf_account_skb(skb, par, &key, &pi);
	} else {
		/* As the classic module: counted in drop packets, not drop bytes. */
		this_cpu_inc(nf_stats.trunc);
		this_cpu_inc(nf_stats.drop_pkts);
	}
	return XT_CONTINUE;
}

static unsigned int nf_target_v4(struct sk_buff *skb,
				 const struct xt_action_param *par)
{
	return nf_target(skb, par, nf_parse_ipv4);
}

static unsigned int nf_target_v6(struct sk_buff *skb,
				 const struct xt_action_param *par)
{
	return nf_target(skb, par, nf_parse_ipv6);
}

static int nf_target_check(const struct xt_tgchk_param *par)
{
	return 0;	/* no options: every table and hook is fine */
}

static struct xt_target nf_targets[] __read_mostly = {
	{
		.name = "NETFLOW",
		.revision = 0,
		.family = NFPROTO_IPV4,
		.target = nf_target_v4,
		.checkentry = nf_target_check,
		.targetsize = 0,
		.me = THIS_MODULE,
	},
	{
		.name = "NETFLOW",
		.revision = 0,
		.family = NFPROTO_IPV6,
		.target = nf_target_v6,
		.checkentry = nf_target_check,
		.targetsize = 0,
		.me = THIS_MODULE,
	},
};

int nf_target_init(void)
{
	return xt_register_targets(nf_targets, ARRAY_SIZE(nf_targets));
}

void nf_target_exit(void)
{
	xt_unregister_targets(nf_targets, ARRAY_SIZE(nf_targets));
}
