/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parameters (params.c): one table drives modprobe options,
 * /sys/module/ipt_NETFLOW/parameters, sysctl net.netflow.* (sysctl.c) and
 * netlink (genl.c).  Setting one validates it and, once running, applies it
 * through the part it belongs to (the exporter's changes through
 * ipnf_export_change(), export.h).
 */
#ifndef IPNF_PARAMS_H
#define IPNF_PARAMS_H

#include <linux/types.h>

struct notifier_block;

/* A parameter settable by modprobe, /sys/module and sysctl alike. */
struct ipnf_param {
	const char *name;	/* sysctl name, as the classic module spells it */
	int *ival;		/* integer parameters */
	char *sval;		/* string parameters */
	int slen;
	int min, max;
	const void *ops;	/* integer checks and actions (params.c) */
	/* Validates and, once running, applies; returns 0 or -EINVAL. */
	int (*set)(const struct ipnf_param *p, const char *val);
};

extern const struct ipnf_param ipnf_params[];
extern const unsigned int ipnf_nparams;
/* Takes ipnf_cfg_mutex: validates, applies once running, stores, tells. */
int ipnf_param_set(const struct ipnf_param *p, const char *val);
int ipnf_param_get(const struct ipnf_param *p, char *buf, int len);

/*
 * Told of every change a write made (data: the struct ipnf_param), with
 * ipnf_cfg_mutex held; (un)register with it held too.  genl.c multicasts
 * them, so params.c names no part above it.
 */
void ipnf_param_notifier_register(struct notifier_block *nb);
void ipnf_param_notifier_unregister(struct notifier_block *nb);

#endif /* IPNF_PARAMS_H */
