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

#include <linux/netfilter.h>
#include "flowtable.h"
#include "flow_parse.h"
#include "meter_prep.h"
#include "natflows.h"

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
