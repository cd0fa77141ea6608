/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Aggregation and SNMP-index rule sets (ruleset.c): parsed by rules.c,
 * installed and swapped under RCU, applied on the packet path.
 */
#ifndef NF_RULESET_H
#define NF_RULESET_H

#include <linux/types.h>
#include <linux/rcupdate.h>
#include "flow_key.h"

struct seq_file;
struct net_device;
/* Parse val, install it, write its canonical text to canon (cfg mutex held). */
int nf_rules_set_aggr(const char *val, char *canon, int len, const char **err);
int nf_rules_set_snmp(const char *val, char *canon, int len, const char **err);

void nf_rules_aggr(struct nf_flow_key *key);		/* packet path */
struct nf_aggr_set;
extern struct nf_aggr_set __rcu *nf_aggr_rules;
/* Packet path: no call at all while there are no aggregation rules. */
static inline void nf_rules_aggr_key(struct nf_flow_key *key)
{
	if (unlikely(rcu_access_pointer(nf_aggr_rules)))
		nf_rules_aggr(key);
}
u32 nf_rules_ifindex(const struct net_device *dev);	/* packet path */
void nf_rules_show(struct seq_file *m);			/* aggrN: lines */
unsigned int nf_rules_aggr_count(void);
void nf_rules_exit(void);

#endif /* NF_RULESET_H */
