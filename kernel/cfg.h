/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The configuration every part reads: module parameters and sysctl
 * net.netflow.* write it (params.c, under ipnf_cfg_mutex: locks.h), the rest
 * of the module reads it, on the packet path with READ_ONCE().
 */
#ifndef IPNF_CFG_H
#define IPNF_CFG_H

#include <linux/types.h>
#include <linux/jump_label.h>
#include "options.h"

#define IPNF_VERSION "3.0"

struct ipnf_config {
	int protocol;
	int inactive_timeout;	/* seconds */
	int active_timeout;	/* seconds */
	int refresh_rate;	/* packets */
	int timeout_rate;	/* minutes */
	int debug;
	int sndbuf;		/* bytes, 0 = system default */
	int hashsize;		/* buckets, 0 = automatic at load */
	int maxflows;		/* 0 = unlimited */
	int scan_min;		/* jiffies */
	int exportcpu;		/* -1 = any */
	int engine_id;
	int natevents;
	int promisc;
	int dest_mode;		/* enum ipnf_dest_mode */
	int sampler_kind;	/* enum ipnf_sampler_kind */
	unsigned int sampler_interval;
	char destination[512];	/* as written */
	struct ipnf_dest dests[IPNF_MAX_DESTS];	/* destination, parsed once */
	int ndests;
	char sampler[32];
	char hooks[256];	/* hook mode (hooks.c); "" = off */
	char hook_mark[32];
	int flowtable;		/* offload.c: meter flowtable fast paths */
	int natflows;		/* natflows.c: NAT translation in flow records */
};

extern struct ipnf_config ipnf_cfg;
extern bool ipnf_running;		/* init done: parameter changes apply at once */

/*
 * Hash sampling is on (the packet path's test of it is a patched jump):
 * follows ipnf_cfg.sampler_kind, which ipnf_cfg_set_sampler() writes.
 */
DECLARE_STATIC_KEY_FALSE(ipnf_hash_sampling);
void ipnf_cfg_set_sampler(int kind, unsigned int interval);	/* process context */

#endif /* IPNF_CFG_H */
