// SPDX-License-Identifier: GPL-2.0-only
/*
 * iptables/ip6tables extension for the NETFLOW target (ipt_NETFLOW.ko).
 * The target has no options: `-j NETFLOW` meters the packet and lets it
 * continue.  Works with the legacy and the nft backends alike.
 */
#include <stdio.h>
#include <xtables.h>

static void netflow_help(void)
{
	printf("NETFLOW target takes no options: it meters the packet into a flow\n"
	       "and continues.  Configure export with sysctl net.netflow.* or\n"
	       "modprobe ipt_NETFLOW destination=HOST:PORT protocol=5|9|10.\n");
}

static struct xtables_target netflow_tg_reg[] = {
	{
		.family = NFPROTO_IPV4,
		.name = "NETFLOW",
		.version = XTABLES_VERSION,
		.revision = 0,
		.size = XT_ALIGN(0),
		.userspacesize = XT_ALIGN(0),
		.help = netflow_help,
	},
	{
		.family = NFPROTO_IPV6,
		.name = "NETFLOW",
		.version = XTABLES_VERSION,
		.revision = 0,
		.size = XT_ALIGN(0),
		.userspacesize = XT_ALIGN(0),
		.help = netflow_help,
	},
};

/* libxtables dlopen()s the plugin; registration runs as it loads. */
static void __attribute__((constructor)) netflow_tg_init(void)
{
	xtables_register_targets(netflow_tg_reg,
				 sizeof(netflow_tg_reg) / sizeof(netflow_tg_reg[0]));
}
