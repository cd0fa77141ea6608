// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysctl net.netflow.*: one entry per parameter of params.c, read and
 * written as text through the same validation as module parameters.
 * Writing needs CAP_NET_ADMIN.
 */
#include <linux/sysctl.h>
#include <linux/slab.h>
#include <linux/capability.h>
#include "params.h"
#include "compat.h"
#include "sysctl.h"

#define IPNF_SYSCTL_BUF 1024

static struct ctl_table *ipnf_ctl;
static struct ctl_table_header *ipnf_ctl_hdr;

static int ipnf_sysctl_handler(IPNF_CTL_CONST struct ctl_table *t, int write,
			     void *buffer, size_t *lenp, loff_t *ppos)
{
	const struct ipnf_param *p = t->extra1;
	struct ctl_table tmp = *t;
	char *buf;
	int err;

	if (write && !capable(CAP_NET_ADMIN))
		return -EPERM;
	buf = kzalloc(IPNF_SYSCTL_BUF, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	tmp.data = buf;
	tmp.maxlen = IPNF_SYSCTL_BUF;
	if (!write) {
		ipnf_param_get(p, buf, IPNF_SYSCTL_BUF);
		err = proc_dostring(&tmp, 0, buffer, lenp, ppos);
	} else {
		err = proc_dostring(&tmp, 1, buffer, lenp, ppos);
		if (!err)
			err = ipnf_param_set(p, buf);
	}
	kfree(buf);
	return err;
}

int ipnf_sysctl_init(void)
{
	unsigned int i;

	ipnf_ctl = kcalloc(ipnf_nparams + IPNF_CTL_SENTINEL, sizeof(*ipnf_ctl), GFP_KERNEL);
	if (!ipnf_ctl)
		return -ENOMEM;
	for (i = 0; i < ipnf_nparams; i++) {
		ipnf_ctl[i].procname = ipnf_params[i].name;
		ipnf_ctl[i].mode = 0644;
		ipnf_ctl[i].proc_handler = ipnf_sysctl_handler;
		ipnf_ctl[i].extra1 = (void *)&ipnf_params[i];
	}
	ipnf_ctl_hdr = ipnf_register_sysctl("net/netflow", ipnf_ctl, ipnf_nparams);
	if (!ipnf_ctl_hdr) {
		kfree(ipnf_ctl);
		return -ENOMEM;
	}
	return 0;
}

void ipnf_sysctl_exit(void)
{
	unregister_sysctl_table(ipnf_ctl_hdr);
	kfree(ipnf_ctl);
}
