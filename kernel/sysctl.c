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

#define NF_SYSCTL_BUF 1024

static struct ctl_table *nf_ctl;
static struct ctl_table_header *nf_ctl_hdr;

static int nf_sysctl_handler(NF_CTL_CONST struct ctl_table *t, int write,
			     void *buffer, size_t *lenp, loff_t *ppos)
{
	const struct nf_param *p = t->extra1;
	struct ctl_table tmp = *t;
	char *buf;
	int err;

	if (write && !capable(CAP_NET_ADMIN))
		return -EPERM;
	buf = kzalloc(NF_SYSCTL_BUF, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	tmp.data = buf;
	tmp.maxlen = NF_SYSCTL_BUF;
	if (!write) {
		nf_param_get(p, buf, NF_SYSCTL_BUF);
		err = proc_dostring(&tmp, 0, buffer, lenp, ppos);
	} else {
		err = proc_dostring(&tmp, 1, buffer, lenp, ppos);
		if (!err)
			err = nf_param_set(p, buf);
	}
	kfree(buf);
	return err;
}

int nf_sysctl_init(void)
{
	unsigned int i;

	nf_ctl = kcalloc(nf_nparams + NF_CTL_SENTINEL, sizeof(*nf_ctl), GFP_KERNEL);
	if (!nf_ctl)
		return -ENOMEM;
	for (i = 0; i < nf_nparams; i++) {
		nf_ctl[i].procname = nf_params[i].name;
		nf_ctl[i].mode = 0644;
		nf_ctl[i].proc_handler = nf_sysctl_handler;
		nf_ctl[i].extra1 = (void *)&nf_params[i];
	}
	nf_ctl_hdr = nf_register_sysctl("net/netflow", nf_ctl, nf_nparams);
	if (!nf_ctl_hdr) {
		kfree(nf_ctl);
		return -ENOMEM;
	}
	return 0;
}

void nf_sysctl_exit(void)
{
	unregister_sysctl_table(nf_ctl_hdr);
	kfree(nf_ctl);
}
