// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hook mode: hooks=FAMILY:HOOK[:PRIORITY],... registers the meter as
 * netfilter hooks in every network namespace, those that exist and those
 * created later, for hosts whose firewall is nftables only.  hook_mark=
 * VALUE[/MASK] meters only the packets whose skb mark matches, so an nft
 * rule chooses what is metered.  The packet path is the target's (meter.h).
 *
 * Counted once: a family with any hook is metered by the hooks alone; the
 * NETFLOW rules of that family continue without metering (rule_left).
 *
 * Changes at run time, without a gap at the points that stay: a point is a
 * slot (family, hook) in one of two banks.  A change registers the points
 * it adds, or whose priority it changes, in the other bank of their slot,
 * in every namespace; one store to ipnf_hooks_live then makes the new set the
 * one that meters (hooks check their bit), and the old points are
 * unregistered.  Points that do not change are never touched.  Outside a
 * change, a live point without a mark filter meters after one load (its
 * gate, below).
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/netfilter.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "meter.h"
#include "hooks.h"
#include "cfg.h"
#include "locks.h"
#include "netns.h"

DEFINE_PER_CPU(struct ipnf_hooks_cpu, ipnf_hooks_cpu);
DEFINE_STATIC_KEY_FALSE(ipnf_hooks_key);
u32 ipnf_hooks_live;		/* written under ipnf_hooks_mutex */
static u64 ipnf_hooks_mark;	/* mask << 32 | value: one load */

#define IPNF_HOOKS_POINTS (2 * IPNF_HOOK_SLOTS)	/* two banks */

/*
 * What every namespace must have registered: bit b of ipnf_hooks_reg is
 * point b (bank b / IPNF_HOOK_SLOTS) at priority ipnf_hooks_prio[b].
 */
static DEFINE_MUTEX(ipnf_hooks_mutex);
static u32 ipnf_hooks_reg;
static s32 ipnf_hooks_prio[IPNF_HOOKS_POINTS];
static unsigned int ipnf_hooks_errors;	/* registrations refused, last change */

/* Per namespace: the points registered there. */
struct ipnf_hooks_net {
	u32 on;
	struct nf_hook_ops ops[IPNF_HOOKS_POINTS];
};
static unsigned int ipnf_hooks_net_id __read_mostly;

/*
 * The gate of each point, the one load of the common case: open (1) while the
 * point is live and no mark is asked for, so the hook meters without looking
 * further; closed (0) otherwise, and the hook takes the full test below.  A
 * change closes the gates of the points it adds and removes before its
 * switch, so around the switch each of them tests ipnf_hooks_live as before;
 * the points that stay keep theirs open.  Written under ipnf_hooks_mutex; a
 * hook's priv points at its gate.
 */
static u8 ipnf_hooks_gate[IPNF_HOOKS_POINTS] __read_mostly;

static void ipnf_hooks_gates(u32 open)
{
	unsigned int p;

	lockdep_assert_held(&ipnf_hooks_mutex);
	if (READ_ONCE(ipnf_hooks_mark))
		open = 0;	/* a mark filter: every packet is tested */
	for (p = 0; p < IPNF_HOOKS_POINTS; p++)
		WRITE_ONCE(ipnf_hooks_gate[p], !!(open & BIT(p)));
	smp_wmb();	/* closed gates before the switch they prepare */
}

static noinline bool ipnf_hook_tested(const struct sk_buff *skb,
				      const u8 *gate)
{
	unsigned long point = gate - ipnf_hooks_gate;
	u64 m = READ_ONCE(ipnf_hooks_mark);

	if (!(READ_ONCE(ipnf_hooks_live) & BIT(point)))
		return false;	/* registered, not yet (or no longer) live */
	if ((skb->mark & (u32)(m >> 32)) != (u32)m) {
		this_cpu_inc(ipnf_hooks_cpu.mark_skipped);
		return false;
	}
	return true;
}

static __always_inline bool ipnf_hook_wanted(const struct sk_buff *skb,
					   const u8 *gate)
{
	if (unlikely(!READ_ONCE(*gate)) && !ipnf_hook_tested(skb, gate))
		return false;
	this_cpu_inc(ipnf_hooks_cpu.seen);
	return true;
}

static ipnf_meter_entry unsigned int ipnf_hook_ipv4(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	if (ipnf_hook_wanted(skb, priv))
		ipnf_meter_ipv4(skb, state);
	return NF_ACCEPT;
}

static ipnf_meter_entry unsigned int ipnf_hook_ipv6(void *priv, struct sk_buff *skb,
				 const struct nf_hook_state *state)
{
	if (ipnf_hook_wanted(skb, priv))
		ipnf_meter_ipv6(skb, state);
	return NF_ACCEPT;
}

static void ipnf_hooks_fill(struct nf_hook_ops *ops, unsigned int point)
{
	unsigned int slot = point % IPNF_HOOK_SLOTS;
	bool v6 = slot >= IPNF_HOOK_NUM;

	memset(ops, 0, sizeof(*ops));
	ops->hook = v6 ? ipnf_hook_ipv6 : ipnf_hook_ipv4;
	ops->pf = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	ops->hooknum = slot % IPNF_HOOK_NUM;	/* NF_INET_* order */
	ops->priority = ipnf_hooks_prio[point];
	ops->priv = &ipnf_hooks_gate[point];
}

/* Make the points registered in net those of ipnf_hooks_reg. */
static void ipnf_hooks_sync(struct net *net)
{
	struct ipnf_hooks_net *hn = net_generic(net, ipnf_hooks_net_id);
	unsigned int p;

	lockdep_assert_held(&ipnf_hooks_mutex);
	for (p = 0; p < IPNF_HOOKS_POINTS; p++) {
		bool want = ipnf_hooks_reg & BIT(p), on = hn->on & BIT(p);

		if (on && (!want || hn->ops[p].priority != ipnf_hooks_prio[p])) {
			nf_unregister_net_hook(net, &hn->ops[p]);
			hn->on &= ~BIT(p);
			on = false;
		}
		if (want && !on) {
			ipnf_hooks_fill(&hn->ops[p], p);
			if (nf_register_net_hook(net, &hn->ops[p]))
				ipnf_hooks_errors++;
			else
				hn->on |= BIT(p);
		}
	}
}

static void ipnf_hooks_sync_locked(struct net *net)
{
	mutex_lock(&ipnf_hooks_mutex);
	ipnf_hooks_sync(net);
	mutex_unlock(&ipnf_hooks_mutex);
}

static int __net_init ipnf_hooks_net_init(struct net *net)
{
	ipnf_hooks_sync_locked(net);	/* a new namespace: the current set */
	return 0;
}

static void __net_exit ipnf_hooks_net_exit(struct net *net)
{
	struct ipnf_hooks_net *hn = net_generic(net, ipnf_hooks_net_id);
	unsigned int p;

	mutex_lock(&ipnf_hooks_mutex);
	for (p = 0; p < IPNF_HOOKS_POINTS; p++)
		if (hn->on & BIT(p))
			nf_unregister_net_hook(net, &hn->ops[p]);
	hn->on = 0;
	mutex_unlock(&ipnf_hooks_mutex);
}

static struct pernet_operations ipnf_hooks_net_ops = {
	.init = ipnf_hooks_net_init,
	.exit = ipnf_hooks_net_exit,
	.id = &ipnf_hooks_net_id,
	.size = sizeof(struct ipnf_hooks_net),
};

/* Registers ipnf_hooks_reg everywhere; the number of refusals. */
static unsigned int ipnf_hooks_sync_all(void)
{
	unsigned int errors;

	mutex_lock(&ipnf_hooks_mutex);
	ipnf_hooks_errors = 0;
	mutex_unlock(&ipnf_hooks_mutex);
	ipnf_netns_walk(ipnf_hooks_sync_locked);
	mutex_lock(&ipnf_hooks_mutex);
	errors = ipnf_hooks_errors;
	mutex_unlock(&ipnf_hooks_mutex);
	return errors;
}

/*
 * The live point of each slot of set: the one live now if its priority is
 * the same, else the slot's other bank.
 */
static u32 ipnf_hooks_plan(const struct ipnf_hook_set *set, s32 *prio)
{
	u32 live = ipnf_hooks_live, next = 0;
	unsigned int s;

	for (s = 0; s < IPNF_HOOK_SLOTS; s++) {
		unsigned int p = s;

		if (!(set->present & BIT(s)))
			continue;
		if (live & BIT(s + IPNF_HOOK_SLOTS))
			p = s + IPNF_HOOK_SLOTS;
		if ((live & BIT(p)) && ipnf_hooks_prio[p] != set->prio[s])
			p = (p + IPNF_HOOK_SLOTS) % IPNF_HOOKS_POINTS;
		next |= BIT(p);
		prio[p] = set->prio[s];
	}
	return next;
}

int ipnf_hooks_set(const struct ipnf_hook_set *set)
{
	s32 prio[IPNF_HOOKS_POINTS];
	unsigned int errors;
	u32 next;

	lockdep_assert_held(&ipnf_cfg_mutex);
	mutex_lock(&ipnf_hooks_mutex);
	memcpy(prio, ipnf_hooks_prio, sizeof(prio));
	next = ipnf_hooks_plan(set, prio);
	if (next == ipnf_hooks_live) {
		mutex_unlock(&ipnf_hooks_mutex);
		return 0;
	}
	/* 1: the new points, registered but not live, beside the old ones */
	memcpy(ipnf_hooks_prio, prio, sizeof(prio));
	ipnf_hooks_reg = ipnf_hooks_live | next;
	ipnf_hooks_gates(ipnf_hooks_live & next);
	mutex_unlock(&ipnf_hooks_mutex);
	if (next)
		static_branch_enable(&ipnf_hooks_key);
	errors = ipnf_hooks_sync_all();
	mutex_lock(&ipnf_hooks_mutex);
	if (errors) {
		/* back to the old set: nothing switched */
		ipnf_hooks_reg = ipnf_hooks_live;
		next = ipnf_hooks_live;
	} else {
		/* 2: one store switches every point; 3: the old ones go */
		WRITE_ONCE(ipnf_hooks_live, next);
		ipnf_hooks_reg = next;
		smp_wmb();	/* the switch before the gates it opens */
	}
	ipnf_hooks_gates(next);
	mutex_unlock(&ipnf_hooks_mutex);
	ipnf_hooks_sync_all();
	if (!next)
		static_branch_disable(&ipnf_hooks_key);
	if (errors) {
		pr_err("ipt_NETFLOW: hooks: %u hook registrations refused; the hooks are unchanged\n",
		       errors);
		return -ENOMEM;
	}
	return 0;
}

void ipnf_hooks_set_mark(u32 value, u32 mask)
{
	lockdep_assert_held(&ipnf_cfg_mutex);
	mutex_lock(&ipnf_hooks_mutex);
	WRITE_ONCE(ipnf_hooks_mark, (u64)mask << 32 | value);
	ipnf_hooks_gates(ipnf_hooks_live);
	mutex_unlock(&ipnf_hooks_mutex);
}

void ipnf_hooks_stats(struct ipnf_hooks_stats *s)
{
	u64 mark = READ_ONCE(ipnf_hooks_mark);
	int cpu;

	memset(s, 0, sizeof(*s));
	s->points = hweight32(READ_ONCE(ipnf_hooks_live));
	s->mark_value = (u32)mark;
	s->mark_mask = (u32)(mark >> 32);
	for_each_possible_cpu(cpu) {
		const struct ipnf_hooks_cpu *c = per_cpu_ptr(&ipnf_hooks_cpu, cpu);

		s->seen += READ_ONCE(c->seen);
		s->mark_skipped += READ_ONCE(c->mark_skipped);
		s->rule_left += READ_ONCE(c->rule_left);
	}
}

void ipnf_hooks_show(struct seq_file *m, const struct ipnf_hooks_stats *s)
{
	if (!s->points && !s->seen && !s->rule_left)
		return;		/* hook mode never used: the classic lines only */
	seq_printf(m, "Hooks: %s, mark 0x%x/0x%x. Metered %llu, mark skipped %llu, rule packets left to hooks %llu.\n",
		   ipnf_cfg.hooks[0] ? ipnf_cfg.hooks : "none", s->mark_value,
		   s->mark_mask, s->seen, s->mark_skipped, s->rule_left);
}

int ipnf_hooks_init(void)
{
	struct ipnf_hook_set set;
	const char *err;
	int ret;

	ret = register_pernet_subsys(&ipnf_hooks_net_ops);
	if (ret)
		return ret;
	/* the parameters were checked when modprobe gave them */
	if (ipnf_parse_hooks(ipnf_cfg.hooks, &set, &err) || !set.present)
		return 0;
	mutex_lock(&ipnf_cfg_mutex);
	ret = ipnf_hooks_set(&set);
	mutex_unlock(&ipnf_cfg_mutex);
	if (ret)
		unregister_pernet_subsys(&ipnf_hooks_net_ops);
	return ret;
}

void ipnf_hooks_exit(void)
{
	mutex_lock(&ipnf_hooks_mutex);
	ipnf_hooks_gates(0);
	mutex_unlock(&ipnf_hooks_mutex);
	WRITE_ONCE(ipnf_hooks_live, 0);
	unregister_pernet_subsys(&ipnf_hooks_net_ops);	/* every namespace's */
	mutex_lock(&ipnf_hooks_mutex);
	ipnf_hooks_reg = 0;
	mutex_unlock(&ipnf_hooks_mutex);
	static_branch_disable(&ipnf_hooks_key);
}
