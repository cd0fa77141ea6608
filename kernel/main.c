// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipt_NETFLOW: NetFlow export from Linux, the NETFLOW iptables target.
 * This file only wires the parts together, in order, and unwinds on error.
 */
#include <linux/module.h>
#include <linux/init.h>
#include "cfg.h"
#include "locks.h"
#include "sysctl.h"
#include "target.h"
#include "proc.h"
#include "genl.h"
#include "flowtable.h"
#include "expiry.h"
#include "export.h"
#include "ifaces.h"
#include "ruleset.h"
#include "natevents.h"
#include "promisc.h"
#include "hooks.h"
#include "offload.h"
#include "natflows.h"

static int __init ipnf_init(void)
{
	int err;

	err = ipnf_table_init(ipnf_cfg.hashsize);
	if (err)
		return err;
	err = ipnf_export_init(ipnf_cfg.dests, ipnf_cfg.ndests);
	if (err)
		goto err_table;
	err = ipnf_expiry_init();
	if (err)
		goto err_export;
	err = ipnf_ifaces_init();
	if (err)
		goto err_expiry;
	err = ipnf_natevents_init();
	if (err)
		goto err_ifaces;
	err = ipnf_proc_init();
	if (err)
		goto err_nat;
	err = ipnf_hooks_init();
	if (err)
		goto err_procfs;
	mutex_lock(&ipnf_cfg_mutex);
	ipnf_running = true;
	mutex_unlock(&ipnf_cfg_mutex);
	err = ipnf_sysctl_init();
	if (err)
		goto err_proc;
	err = ipnf_genl_init();
	if (err)
		goto err_sysctl;
	err = ipnf_target_init();
	if (err)
		goto err_genl;
	mutex_lock(&ipnf_cfg_mutex);
	ipnf_promisc_set(ipnf_cfg.promisc);	/* after the target: frames go to it */
	err = ipnf_offload_set(ipnf_cfg.flowtable);
	if (!err) {
		err = ipnf_natflows_set(ipnf_cfg.natflows);
		if (err)
			ipnf_offload_set(false);
	}
	if (err)
		ipnf_promisc_set(false);
	mutex_unlock(&ipnf_cfg_mutex);
	if (err)
		goto err_target;
	pr_info("version " IPNF_VERSION " loaded: protocol %d, destination %s, hashsize %u, maxflows %d\n",
		ipnf_cfg.protocol, ipnf_cfg.destination, ipnf_table_size(), ipnf_cfg.maxflows);
	return 0;

err_target:
	ipnf_target_exit();
err_genl:
	ipnf_genl_exit();
err_sysctl:
	ipnf_sysctl_exit();
err_proc:
	mutex_lock(&ipnf_cfg_mutex);
	ipnf_running = false;
	mutex_unlock(&ipnf_cfg_mutex);
	ipnf_hooks_exit();
err_procfs:
	ipnf_proc_exit();
err_nat:
	ipnf_natevents_exit();
err_ifaces:
	ipnf_ifaces_exit();
err_expiry:
	ipnf_expiry_exit();
err_export:
	ipnf_export_exit();
err_table:
	ipnf_table_exit();
	ipnf_rules_exit();	/* rule sets given as module parameters */
	return err;
}

static void __exit ipnf_exit(void)
{
	ipnf_offload_exit();	/* no ingress hook meters after this */
	mutex_lock(&ipnf_cfg_mutex);
	ipnf_promisc_set(false);
	mutex_unlock(&ipnf_cfg_mutex);
	ipnf_target_exit();
	ipnf_genl_exit();
	ipnf_sysctl_exit();
	mutex_lock(&ipnf_cfg_mutex);
	ipnf_running = false;
	mutex_unlock(&ipnf_cfg_mutex);
	ipnf_hooks_exit();	/* no hook meters after this */
	ipnf_proc_exit();
	ipnf_natevents_exit();
	ipnf_ifaces_exit();
	ipnf_expiry_exit();	/* exports every remaining flow and NAT event */
	ipnf_natflows_exit();	/* after: those records took their translation */
	ipnf_export_exit();
	ipnf_table_exit();
	ipnf_rules_exit();
	pr_info("unloaded\n");
}

module_init(ipnf_init);
module_exit(ipnf_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("ipt-netflow-ng developers");
MODULE_DESCRIPTION("NetFlow v5 export: iptables/ip6tables target NETFLOW");
MODULE_VERSION(IPNF_VERSION);
MODULE_ALIAS("ip6t_NETFLOW");
MODULE_ALIAS("ipt_NETFLOW");
