// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run-time rule sets: aggregation (--enable-aggregation) and SNMP-index
 * rules (--enable-snmp-rules).  A write parses the text (rules.c) into a new
 * set that replaces the old one under RCU: the packet path reads the current
 * set without a lock, the old one is freed after a grace period.  Writers
 * hold nf_cfg_mutex (params.c).
 */
#include <linux/slab.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/netdevice.h>
#include "locks.h"
#include "ruleset.h"
#include "rules.h"

struct nf_aggr_set {
	struct rcu_head rcu;
	struct nf_aggr a;
};

struct nf_snmp_set {
	struct rcu_head rcu;
	struct nf_snmp_rules r;
};

struct nf_aggr_set __rcu *nf_aggr_rules;
struct nf_snmp_set __rcu *nf_snmp_rules;

int nf_rules_set_aggr(const char *val, char *canon, int len, const char **err)
{
	struct nf_aggr_set *n = kzalloc(sizeof(*n), GFP_KERNEL), *old;
	int ret;

	if (!n)
		return -ENOMEM;
	ret = nf_parse_aggr(val, &n->a, err);
	if (ret < 0) {
		kfree(n);
		return ret;
	}
	nf_format_aggr(&n->a, canon, len);
	if (!ret) {
		kfree(n);
		n = NULL;
	}
	old = rcu_replace_pointer(nf_aggr_rules, n, lockdep_is_held(&nf_cfg_mutex));
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

int nf_rules_set_snmp(const char *val, char *canon, int len, const char **err)
{
	struct nf_snmp_set *n = kzalloc(sizeof(*n), GFP_KERNEL), *old;
	int ret;

	if (!n)
		return -ENOMEM;
	ret = nf_parse_snmp_rules(val, &n->r, err);
	if (ret < 0) {
		kfree(n);
		return ret;
	}
	nf_format_snmp_rules(&n->r, canon, len);
	if (!ret) {
		kfree(n);
		n = NULL;
	}
	old = rcu_replace_pointer(nf_snmp_rules, n, lockdep_is_held(&nf_cfg_mutex));
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/* Packet path (RCU read side, as every xtables target runs). */
void nf_rules_aggr(struct nf_flow_key *key)
{
	struct nf_aggr_set *s = rcu_dereference(nf_aggr_rules);

	if (s)
		nf_aggr_apply(&s->a, key);
}

u32 nf_rules_ifindex(const struct net_device *dev)
{
	struct nf_snmp_set *s;
	long idx;

	if (!dev)
		return 0;
	s = rcu_dereference(nf_snmp_rules);
	if (!s)
		return dev->ifindex;
	idx = nf_snmp_index(&s->r, dev->name);
	return idx < 0 ? dev->ifindex : (u32)idx;
}

unsigned int nf_rules_aggr_count(void)
{
	const struct nf_aggr_set *s;
	unsigned int n;

	rcu_read_lock();
	s = rcu_dereference(nf_aggr_rules);
	n = s ? s->a.nnet + s->a.nport : 0;
	rcu_read_unlock();
	return n;
}

void nf_rules_show(struct seq_file *m)
{
	const struct nf_aggr_set *s;
	unsigned int i, n = 0;

	rcu_read_lock();
	s = rcu_dereference(nf_aggr_rules);
	for (i = 0; s && i < s->a.nnet; i++, n++) {
		const struct nf_aggr_net *r = &s->a.net[i];

		seq_printf(m, "aggr%u: net match %u.%u.%u.%u/%u strip to /%u\n", n,
			   r->addr >> 24, r->addr >> 16 & 0xff, r->addr >> 8 & 0xff,
			   r->addr & 0xff, r->len, r->to);
	}
	for (i = 0; s && i < s->a.nport; i++, n++)
		seq_printf(m, "aggr%u: port match %u-%u replace with %u\n", n,
			   s->a.port[i].lo, s->a.port[i].hi, s->a.port[i].to);
	rcu_read_unlock();
}

void nf_rules_exit(void)
{
	struct nf_aggr_set *a = rcu_replace_pointer(nf_aggr_rules, NULL, true);
	struct nf_snmp_set *s = rcu_replace_pointer(nf_snmp_rules, NULL, true);

	/* the target is unregistered: no reader left once a grace period ends */
	nf_wait_readers();
	kfree(a);
	kfree(s);
}
