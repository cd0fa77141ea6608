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

static int __init nf_init(void)
{
	int err;

	err = nf_table_init(nf_cfg.hashsize);
	if (err)
		return err;
	err = nf_export_init(nf_cfg.dests, nf_cfg.ndests);
	if (err)
		goto err_table;
	err = nf_expiry_init();
	if (err)
		goto err_export;
	err = nf_ifaces_init();
	if (err)
		goto err_expiry;
	err = nf_natevents_init();
	if (err)
		goto err_ifaces;
	err = nf_proc_init();
	if (err)
		goto err_nat;
	err = nf_hooks_init();
	if (err)
		goto err_procfs;
	mutex_lock(&nf_cfg_mutex);
	nf_running = true;
	mutex_unlock(&nf_cfg_mutex);
	err = nf_sysctl_init();
	if (err)
		goto err_proc;
	err = nf_genl_init();
	if (err)
		goto err_sysctl;
	err = nf_target_init();
	if (err)
		goto err_genl;
	mutex_lock(&nf_cfg_mutex);
	nf_promisc_set(nf_cfg.promisc);	/* after the target: frames go to it */
	err = nf_offload_set(nf_cfg.flowtable);
	if (!err) {
		err = nf_natflows_set(nf_cfg.natflows);
		if (err)
			nf_offload_set(false);
	}
	if (err)
		nf_promisc_set(false);
	mutex_unlock(&nf_cfg_mutex);
	if (err)
		goto err_target;
	pr_info("version " NF_VERSION " loaded: protocol %d, destination %s, hashsize %u, maxflows %d\n",
		nf_cfg.protocol, nf_cfg.destination, nf_table_size(), nf_cfg.maxflows);
	return 0;

err_target:
	nf_target_exit();
err_genl:
	nf_genl_exit();
err_sysctl:
	nf_sysctl_exit();
err_proc:
	mutex_lock(&nf_cfg_mutex);
	nf_running = false;
	mutex_unlock(&nf_cfg_mutex);
	nf_hooks_exit();
err_procfs:
	nf_proc_exit();
err_nat:
	nf_natevents_exit();
err_ifaces:
	nf_ifaces_exit();
err_expiry:
	nf_expiry_exit();
err_export:
	nf_export_exit();
err_table:
	nf_table_exit();
	nf_rules_exit();	/* rule sets given as module parameters */
	return err;
}

static void __exit nf_exit(void)
{
	nf_offload_exit();	/* no ingress hook meters after this */
	mutex_lock(&nf_cfg_mutex);
	nf_promisc_set(false);
	mutex_unlock(&nf_cfg_mutex);
	nf_target_exit();
	nf_genl_exit();
	nf_sysctl_exit();
	mutex_lock(&nf_cfg_mutex);
	nf_running = false;
	mutex_unlock(&nf_cfg_mutex);
	nf_hooks_exit();	/* no hook meters after this */
	nf_proc_exit();
	nf_natevents_exit();
	nf_ifaces_exit();
	nf_expiry_exit();	/* exports every remaining flow and NAT event */
	nf_natflows_exit();	/* after: those records took their translation */
	nf_export_exit();
	nf_table_exit();
	nf_rules_exit();
	pr_info("unloaded\n");
}

module_init(nf_init);
module_exit(nf_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("ipt-netflow-ng developers");
MODULE_DESCRIPTION("NetFlow v5 export: iptables/ip6tables target NETFLOW");
MODULE_VERSION(NF_VERSION);
MODULE_ALIAS("ip6t_NETFLOW");
MODULE_ALIAS("ipt_NETFLOW");
