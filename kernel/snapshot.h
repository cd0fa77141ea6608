/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One statistics snapshot: what /proc/net/stat/ipt_netflow, its _snmp
 * companion and the netlink GET_STATS reply report, taken one way —
 * exporter counters copied under the export mutex (the worker writes them
 * there), per-CPU counters summed, the optional parts' counters read.
 */
#ifndef IPNF_SNAPSHOT_H
#define IPNF_SNAPSHOT_H

#include "stats.h"
#include "export.h"
#include "sock.h"
#include "hooks.h"
#include "offload.h"
#include "natflows.h"

struct ipnf_snap {
	struct ipnf_export_stats x;
	struct ipnf_sock_stats socks[IPNF_MAX_DESTS];
	int nsocks;
	unsigned int ntmpl, nactive;	/* templates known, active */
	struct ipnf_cpu_stats t;		/* every CPU's counters, summed */
	struct ipnf_hooks_stats hooks;
	struct ipnf_offload_stats ft;
	struct ipnf_natflows_stats nfl;
};

/* A snapshot (kzalloc'd: kfree() it), or NULL out of memory.  Sleeps. */
struct ipnf_snap *ipnf_snap_take(void);

#endif /* IPNF_SNAPSHOT_H */
