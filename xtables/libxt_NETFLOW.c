// SPDX-License-Identifier: GPL-2.0-only
/*
 * iptables/ip6tables extension for the NETFLOW target (ipt_NETFLOW.ko).
 * The target has no options: `-j NETFLOW` meters the packet and lets it
 * continue.  Works with the legacy and the nft backends alike.
 *
 * libxtables (1.8.9, Debian 12) looks in each plugin directory for
 * libipt_NETFLOW.so / libip6t_NETFLOW.so before libxt_NETFLOW.so, so the
 * plugin is installed under all three names (the first two as links to the
 * third): a classic ipt_NETFLOW plugin left under the family names would
 * otherwise win.  The same file registers both families.
 */
#include <stdio.h>
#include <xtables.h>

static void netflow_help(void)
{
	printf("NETFLOW target takes no options: it meters the packet into a flow\n"
	       "and continues.  Configure export with sysctl net.netflow.* or\n"
	       "modprobe ipt_NETFLOW destination=HOST:PORT protocol=5|9|10.\n");
}

/* Found by `make install` (scripts/check-classic.sh) to tell our plugin from
 * the classic one under the same file name. */
static const char netflow_ng_plugin_id[] __attribute__((used)) = "ipt-netflow-ng xtables plugin";

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
