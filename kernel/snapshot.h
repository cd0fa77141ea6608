/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One statistics snapshot: what /proc/net/stat/ipt_netflow, its _snmp
 * companion and the netlink GET_STATS reply report, taken one way —
 * exporter counters copied under the export mutex (the worker writes them
 * there), per-CPU counters summed, the optional parts' counters read.
 */
#ifndef NF_SNAPSHOT_H
#define NF_SNAPSHOT_H

#include "stats.h"
#include "export.h"
#include "sock.h"
#include "hooks.h"
#include "offload.h"
#include "natflows.h"

struct nf_snap {
	struct nf_export_stats x;
	struct nf_sock_stats socks[NF_MAX_DESTS];
	int nsocks;
	unsigned int ntmpl, nactive;	/* templates known, active */
	struct nf_cpu_stats t;		/* every CPU's counters, summed */
	struct nf_hooks_stats hooks;
	struct nf_offload_stats ft;
	struct nf_natflows_stats nfl;
};

/* A snapshot (kzalloc'd: kfree() it), or NULL out of memory.  Sleeps. */
struct nf_snap *nf_snap_take(void);

#endif /* NF_SNAPSHOT_H */
