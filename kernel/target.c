// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NETFLOW xtables target for IPv4 and IPv6: parse, account, continue.
 * It never changes the packet's fate (XT_CONTINUE) and never prints.  A
 * family that hook mode meters (hooks.c) is left to the hooks.
 */
#include <linux/module.h>
#include <linux/netfilter/x_tables.h>
#include "meter.h"
#include "hooks.h"
#include "target.h"

static ipnf_meter_entry unsigned int ipnf_target_v4(struct sk_buff *skb,
				 const struct xt_action_param *par)
{
	if (likely(!ipnf_hooks_own(IPNF_HOOKS_FAM_V4)))
		ipnf_meter_ipv4(skb, par->state);
	else
		this_cpu_inc(ipnf_hooks_cpu.rule_left);
	return XT_CONTINUE;
}

static ipnf_meter_entry unsigned int ipnf_target_v6(struct sk_buff *skb,
				 const struct xt_action_param *par)
{
	if (likely(!ipnf_hooks_own(IPNF_HOOKS_FAM_V6)))
		ipnf_meter_ipv6(skb, par->state);
	else
		this_cpu_inc(ipnf_hooks_cpu.rule_left);
	return XT_CONTINUE;
}

static int ipnf_target_check(const struct xt_tgchk_param *par)
{
	return 0;	/* no options: every table and hook is fine */
}

static struct xt_target ipnf_targets[] __read_mostly = {
	{
		.name = "NETFLOW",
		.revision = 0,
		.family = NFPROTO_IPV4,
		.target = ipnf_target_v4,
		.checkentry = ipnf_target_check,
		.targetsize = 0,
		.me = THIS_MODULE,
	},
	{
		.name = "NETFLOW",
		.revision = 0,
		.family = NFPROTO_IPV6,
		.target = ipnf_target_v6,
		.checkentry = ipnf_target_check,
		.targetsize = 0,
		.me = THIS_MODULE,
	},
};

int ipnf_target_init(void)
{
	return xt_register_targets(ipnf_targets, ARRAY_SIZE(ipnf_targets));
}

void ipnf_target_exit(void)
{
	xt_unregister_targets(ipnf_targets, ARRAY_SIZE(ipnf_targets));
}
