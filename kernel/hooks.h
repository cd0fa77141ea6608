/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Hook mode (hooks.c): the meter registered directly as netfilter hooks, in
 * every network namespace, for hosts without iptables.  What the NETFLOW
 * target needs to know of it: whether the hooks meter a family now.
 */
#ifndef IPNF_HOOKS_H
#define IPNF_HOOKS_H

#include <linux/jump_label.h>
#include "options.h"

/*
 * Bits of ipnf_hooks_live: slot (options.h) of bank 0, then of bank 1.  A
 * change registers the points it adds in the other bank, then switches
 * every point at once with one store to ipnf_hooks_live.
 */
#define IPNF_HOOKS_BANK_BITS ((1U << IPNF_HOOK_SLOTS) - 1)
#define IPNF_HOOKS_FAM_V4 ((((1U << IPNF_HOOK_NUM) - 1)) * (1U | 1U << IPNF_HOOK_SLOTS))
#define IPNF_HOOKS_FAM_V6 (IPNF_HOOKS_FAM_V4 << IPNF_HOOK_NUM)

/* per CPU; the packet path only increments */
struct ipnf_hooks_cpu {
	u64 seen;		/* packets the hooks passed to the meter */
	u64 mark_skipped;	/* packets the hooks saw whose mark did not match */
	u64 rule_left;		/* packets NETFLOW rules left to the hooks */
};
DECLARE_PER_CPU(struct ipnf_hooks_cpu, ipnf_hooks_cpu);

DECLARE_STATIC_KEY_FALSE(ipnf_hooks_key);	/* on while any hook is set */
extern u32 ipnf_hooks_live;

/*
 * The packet path of the target: a family the hooks meter is theirs alone,
 * so a packet that meets both a NETFLOW rule and a hook is counted once.
 */
static __always_inline bool ipnf_hooks_own(u32 family_bits)
{
	return static_branch_unlikely(&ipnf_hooks_key) &&
	       (READ_ONCE(ipnf_hooks_live) & family_bits);
}

int ipnf_hooks_init(void);
void ipnf_hooks_exit(void);
/* Parameters (ipnf_cfg_mutex held): validated already. */
int ipnf_hooks_set(const struct ipnf_hook_set *set);
void ipnf_hooks_set_mark(u32 value, u32 mask);
/* What hook mode counted, for /proc and netlink alike. */
struct ipnf_hooks_stats {
	u32 points;		/* live hook points */
	u32 mark_value, mark_mask;
	u64 seen, mark_skipped, rule_left;
};
void ipnf_hooks_stats(struct ipnf_hooks_stats *s);
/* /proc line: what is set and what it counted */
struct seq_file;
void ipnf_hooks_show(struct seq_file *m, const struct ipnf_hooks_stats *s);

#endif /* IPNF_HOOKS_H */
