/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The packet path shared by the NETFLOW target (target.c) and the netfilter
 * hooks (hooks.c): parse, account.  Inline, so each entry point is one
 * function with no call in between; it never prints and never changes the
 * packet's fate.  Included by those two files and offload.c (packets the
 * nftables flowtable fast path forwards, metered as the forward hook would
 * have seen them).
 */
#ifndef IPNF_METER_H
#define IPNF_METER_H

#include <linux/netfilter.h>
#include "flowtable.h"
#include "flow_parse.h"
#include "meter_prep.h"
#include "natflows.h"

/*
 * Count the packet.  v4: the caller's fast path made an IPv4 key (so the
 * flow table's path is inlined for that length alone); else any family,
 * through the out-of-line ipnf_flow_account().
 */
static __always_inline void ipnf_account_skb(const struct sk_buff *skb,
			   const struct nf_hook_state *state,
			   struct ipnf_flow_key *key, struct ipnf_pkt_info *pi,
			   u32 l3len, bool v4)
{
	u32 pkts, bytes;
	bool made;

	/*
	 * natflows=1: the whole of it out of line, so that while it is off
	 * this path is a patched-out jump and nothing else (no value kept
	 * across a call that never happens).
	 */
	if (ipnf_natflows_on_fast()) {
		ipnf_account_skb_nat(skb, state, key, pi);
		return;
	}
	ipnf_account_prep_len(skb, state, key, pi, l3len, &pkts, &bytes);
	if (v4)		/* aggregation keeps the family */
		made = ipnf_account_len(key, IPNF_KEY_V4_LEN, pi, pkts, bytes);
	else
		made = ipnf_flow_account(key, pi, pkts, bytes);
	if (unlikely(made))
		ipnf_flow_ifaces(state);
}

/*
 * The packet path's entry points (the target, the hooks) and the general
 * parser's frame: without the stack protector, whose canary costs six
 * instructions a packet here.  Their only stack objects are the key and the
 * packet values, written field by field with fixed-size stores; no copy of
 * a packet-given length lands in them (the parsers that copy headers into
 * stack buffers, through skb_header_pointer(), keep theirs).
 */
#define ipnf_meter_entry __no_stack_protector

typedef int (*ipnf_parse_fn)(const ipnf_skb_t *skb, unsigned int nhoff,
			   struct ipnf_flow_key *key, struct ipnf_pkt_info *pi);

/* The general parser: any header layout, non-linear packets. */
static noinline ipnf_meter_entry void ipnf_meter_parse(struct sk_buff *skb,
				    const struct nf_hook_state *state,
				    ipnf_parse_fn parse)
{
	struct ipnf_flow_key key;
	struct ipnf_pkt_info pi = {};

	key.sport = 0;
	key.dport = 0;
	key.dir = IPNF_DIR_NONE;
	if (likely(!parse(skb, skb_network_offset(skb), &key, &pi))) {
		ipnf_count_frag(&pi);
		ipnf_account_skb(skb, state, &key, &pi,
				 skb->len - skb_network_offset(skb), false);
	} else {
		/* As the classic module: counted in drop packets, not drop bytes. */
		this_cpu_inc(ipnf_stats.trunc);
		this_cpu_inc(ipnf_stats.drop_pkts);
	}
}

/*
 * IPv4: the common case (no options, no fragment, TCP/UDP/ICMP headers in
 * the linear part) is parsed straight from the header bytes; the rest goes
 * through the general parser, which gives the same key for the same packet.
 */
static __always_inline void ipnf_meter_ipv4(struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	const u8 *h = skb_network_header(skb);
	/*
	 * The linear bytes from the network header on (the parser wants 28 or
	 * more; a header past the tail gives a negative count), and the
	 * packet's bytes from there: read before the key's stores, which the
	 * compiler takes as aliasing the skb.
	 */
	int avail = (int)(skb_tail_pointer(skb) - h);
	u32 l3len = skb->len + (u32)(skb->data - h);
	/* every field is set before use: no zeroing (INIT_STACK_ALL_ZERO) */
	struct ipnf_flow_key key __uninitialized;
	struct ipnf_pkt_info pi __uninitialized;

	if (likely(avail > 0) &&
	    ipnf_parse_ipv4_lin(h, avail, &key, &pi) == IPNF_PARSE_OK) {
		key.dir = IPNF_DIR_NONE;
		ipnf_account_skb(skb, state, &key, &pi, l3len, true);
	} else {
		ipnf_meter_parse(skb, state, ipnf_parse_ipv4);
	}
}

static __always_inline void ipnf_meter_ipv6(struct sk_buff *skb,
					  const struct nf_hook_state *state)
{
	ipnf_meter_parse(skb, state, ipnf_parse_ipv6);
}

#endif /* IPNF_METER_H */
