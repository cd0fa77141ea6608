/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * natflows=1 (natflows.c): the NAT translation of a flow in its v9/IPFIX
 * record (postNAT addresses and ports), taken from conntrack.
 */
#ifndef IPNF_NATFLOWS_H
#define IPNF_NATFLOWS_H

#include <linux/types.h>
#include <linux/jump_label.h>
#include "export_rec.h"

/* Built where the module has conntrack (--enable-natevents, the default). */
#if defined(ENABLE_NAT) && IS_ENABLED(CONFIG_NF_CONNTRACK)
#define IPNF_NATFLOWS_BUILT 1
#endif

struct ipnf_natflows_stats {
	u32 bindings;		/* addresses-and-ports views known now */
	u32 peak;
	u64 full;		/* views not kept: the table was full */
	u64 translated;		/* records exported with the translation */
	u64 plain;		/* records of ported protocols without one */
};

struct sk_buff;
struct nf_hook_state;
struct seq_file;

#ifdef IPNF_NATFLOWS_BUILT
DECLARE_STATIC_KEY_FALSE(ipnf_natflows_key);

int ipnf_natflows_set(bool on);	/* ipnf_cfg_mutex held */
void ipnf_natflows_exit(void);
struct ipnf_pkt_info;
/* ipnf_account_skb() while natflows is on (meter.h): account, note the views */
void ipnf_account_skb_nat(const struct sk_buff *skb,
			const struct nf_hook_state *state,
			struct ipnf_flow_key *key, struct ipnf_pkt_info *pi);
void ipnf_natflows_fill(struct ipnf_exp_rec *r);
bool ipnf_natflows_on(void);		/* records may carry a translation */
void ipnf_natflows_stats(struct ipnf_natflows_stats *s);
void ipnf_natflows_show(struct seq_file *m, const struct ipnf_natflows_stats *s);

/* The packet path: one patched-out jump while natflows is off. */
static __always_inline bool ipnf_natflows_on_fast(void)
{
	return static_branch_unlikely(&ipnf_natflows_key);
}
#else
static inline int ipnf_natflows_set(bool on) { return on ? -EOPNOTSUPP : 0; }
static inline void ipnf_natflows_exit(void) { }
static inline bool ipnf_natflows_on_fast(void) { return false; }
struct ipnf_pkt_info;
static inline void ipnf_account_skb_nat(const struct sk_buff *skb,
				      const struct nf_hook_state *state,
				      struct ipnf_flow_key *key,
				      struct ipnf_pkt_info *pi) { }
static inline void ipnf_natflows_fill(struct ipnf_exp_rec *r) { r->nat = 0; }
static inline void ipnf_natflows_stats(struct ipnf_natflows_stats *s)
{
	memset(s, 0, sizeof(*s));
}
static inline void ipnf_natflows_show(struct seq_file *m,
				    const struct ipnf_natflows_stats *s) { }
#endif

#endif /* IPNF_NATFLOWS_H */
