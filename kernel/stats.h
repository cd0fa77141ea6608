/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-CPU metering statistics and the rates computed from them (stats.c). */
#ifndef IPNF_STATS_H
#define IPNF_STATS_H

#include <linux/types.h>
#include <linux/percpu.h>

struct ipnf_cpu_stats {
	u64 searched;		/* chain entries compared */
	u64 found;
	u64 new_flows;
	u64 trunc;
	u64 frag;
	u64 alloc_err;
	u64 maxflows_err;
	u64 pkts;		/* accounted */
	u64 bytes;
	u64 drop_pkts;		/* not accounted */
	u64 drop_bytes;
	u64 sampled_out;	/* packets of flows the hash sampler skipped */
	/* written by the worker only */
	u64 pps;
	u64 prev_pkts;
	u64 metric_x100;	/* 1-minute average of searches per lookup */
	u64 prev_lookups, prev_searched;
};

DECLARE_PER_CPU(struct ipnf_cpu_stats, ipnf_stats);

struct ipnf_rates {
	u64 bps, pps;			/* last second */
	u64 bps_1m, pps_1m, bps_5m, pps_5m;
	u64 metric_x100;		/* searches per lookup, last second */
	u64 metric_4s, metric_1m, metric_5m, metric_15m;	/* x100 */
	u64 export_Bps;
};

extern struct ipnf_rates ipnf_rates;
void ipnf_stats_sum(struct ipnf_cpu_stats *sum);
/* Once a second from the worker; exported: the exporter's byte count so far. */
void ipnf_stats_tick(u64 exported);

#endif /* IPNF_STATS_H */
