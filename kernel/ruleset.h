/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Aggregation and SNMP-index rule sets (ruleset.c): parsed by rules.c,
 * installed and swapped under RCU, applied on the packet path.
 */
#ifndef IPNF_RULESET_H
#define IPNF_RULESET_H

#include <linux/types.h>
#include <linux/rcupdate.h>
#include <linux/jump_label.h>
#include "flow_key.h"

struct seq_file;
struct net_device;
/* Parse val, install it, write its canonical text to canon (cfg mutex held). */
int ipnf_rules_set_aggr(const char *val, char *canon, int len, const char **err);
int ipnf_rules_set_snmp(const char *val, char *canon, int len, const char **err);

void ipnf_rules_aggr(struct ipnf_flow_key *key);		/* packet path */
/* There are aggregation rules (a patched jump on the packet path). */
DECLARE_STATIC_KEY_FALSE(ipnf_aggr_on);
/* Packet path: no call at all while there are no aggregation rules. */
static inline void ipnf_rules_aggr_key(struct ipnf_flow_key *key)
{
	if (static_branch_unlikely(&ipnf_aggr_on))
		ipnf_rules_aggr(key);
}
u32 ipnf_rules_ifindex(const struct net_device *dev);	/* packet path */
void ipnf_rules_show(struct seq_file *m);			/* aggrN: lines */
unsigned int ipnf_rules_aggr_count(void);
void ipnf_rules_exit(void);

#endif /* IPNF_RULESET_H */
