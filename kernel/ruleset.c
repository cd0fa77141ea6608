// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run-time rule sets: aggregation (--enable-aggregation) and SNMP-index
 * rules (--enable-snmp-rules).  A write parses the text (rules.c) into a new
 * set that replaces the old one under RCU: the packet path reads the current
 * set without a lock, the old one is freed after a grace period.  Writers
 * hold ipnf_cfg_mutex (params.c).
 */
#include <linux/slab.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/netdevice.h>
#include "locks.h"
#include "ruleset.h"
#include "rules.h"

struct ipnf_aggr_set {
	struct rcu_head rcu;
	struct ipnf_aggr a;
};

struct ipnf_snmp_set {
	struct rcu_head rcu;
	struct ipnf_snmp_rules r;
};

static struct ipnf_aggr_set __rcu *ipnf_aggr_rules;
DEFINE_STATIC_KEY_FALSE(ipnf_aggr_on);
struct ipnf_snmp_set __rcu *ipnf_snmp_rules;

int ipnf_rules_set_aggr(const char *val, char *canon, int len, const char **err)
{
	struct ipnf_aggr_set *n = kzalloc(sizeof(*n), GFP_KERNEL), *old;
	int ret;

	if (!n)
		return -ENOMEM;
	ret = ipnf_parse_aggr(val, &n->a, err);
	if (ret < 0) {
		kfree(n);
		return ret;
	}
	ipnf_format_aggr(&n->a, canon, len);
	if (!ret) {
		kfree(n);
		n = NULL;
	}
	old = rcu_replace_pointer(ipnf_aggr_rules, n, lockdep_is_held(&ipnf_cfg_mutex));
	/* on before the packet path can need it; off once nothing is left */
	if (n)
		static_branch_enable(&ipnf_aggr_on);
	else
		static_branch_disable(&ipnf_aggr_on);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

int ipnf_rules_set_snmp(const char *val, char *canon, int len, const char **err)
{
	struct ipnf_snmp_set *n = kzalloc(sizeof(*n), GFP_KERNEL), *old;
	int ret;

	if (!n)
		return -ENOMEM;
	ret = ipnf_parse_snmp_rules(val, &n->r, err);
	if (ret < 0) {
		kfree(n);
		return ret;
	}
	ipnf_format_snmp_rules(&n->r, canon, len);
	if (!ret) {
		kfree(n);
		n = NULL;
	}
	old = rcu_replace_pointer(ipnf_snmp_rules, n, lockdep_is_held(&ipnf_cfg_mutex));
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/* Packet path (RCU read side, as every xtables target runs). */
void ipnf_rules_aggr(struct ipnf_flow_key *key)
{
	struct ipnf_aggr_set *s = rcu_dereference(ipnf_aggr_rules);

	if (s)
		ipnf_aggr_apply(&s->a, key);
}

u32 ipnf_rules_ifindex(const struct net_device *dev)
{
	struct ipnf_snmp_set *s;
	long idx;

	if (!dev)
		return 0;
	s = rcu_dereference(ipnf_snmp_rules);
	if (!s)
		return dev->ifindex;
	idx = ipnf_snmp_index(&s->r, dev->name);
	return idx < 0 ? dev->ifindex : (u32)idx;
}

unsigned int ipnf_rules_aggr_count(void)
{
	const struct ipnf_aggr_set *s;
	unsigned int n;

	rcu_read_lock();
	s = rcu_dereference(ipnf_aggr_rules);
	n = s ? s->a.nnet + s->a.nport : 0;
	rcu_read_unlock();
	return n;
}

void ipnf_rules_show(struct seq_file *m)
{
	const struct ipnf_aggr_set *s;
	unsigned int i, n = 0;

	rcu_read_lock();
	s = rcu_dereference(ipnf_aggr_rules);
	for (i = 0; s && i < s->a.nnet; i++, n++) {
		const struct ipnf_aggr_net *r = &s->a.net[i];

		seq_printf(m, "aggr%u: net match %u.%u.%u.%u/%u strip to /%u\n", n,
			   r->addr >> 24, r->addr >> 16 & 0xff, r->addr >> 8 & 0xff,
			   r->addr & 0xff, r->len, r->to);
	}
	for (i = 0; s && i < s->a.nport; i++, n++)
		seq_printf(m, "aggr%u: port match %u-%u replace with %u\n", n,
			   s->a.port[i].lo, s->a.port[i].hi, s->a.port[i].to);
	rcu_read_unlock();
}

void ipnf_rules_exit(void)
{
	struct ipnf_aggr_set *a = rcu_replace_pointer(ipnf_aggr_rules, NULL, true);
	struct ipnf_snmp_set *s = rcu_replace_pointer(ipnf_snmp_rules, NULL, true);

	static_branch_disable(&ipnf_aggr_on);

	/* the target is unregistered: no reader left once a grace period ends */
	ipnf_wait_readers();
	kfree(a);
	kfree(s);
}
