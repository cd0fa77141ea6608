// SPDX-License-Identifier: GPL-2.0-only
/*
 * Metering statistics: per-CPU counters bumped on the packet path, summed
 * and turned into rates and moving averages once a second by the worker.
 * Averages are kept in fixed point (x IPNF_FP) as exponentially weighted means.
 */
#include <linux/percpu.h>
#include <linux/cpumask.h>
#include "stats.h"

#define IPNF_FP 1024

DEFINE_PER_CPU(struct ipnf_cpu_stats, ipnf_stats);
struct ipnf_rates ipnf_rates;

void ipnf_stats_sum(struct ipnf_cpu_stats *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct ipnf_cpu_stats *s = per_cpu_ptr(&ipnf_stats, cpu);

		sum->searched += READ_ONCE(s->searched);
		sum->found += READ_ONCE(s->found);
		sum->new_flows += READ_ONCE(s->new_flows);
		sum->trunc += READ_ONCE(s->trunc);
		sum->frag += READ_ONCE(s->frag);
		sum->alloc_err += READ_ONCE(s->alloc_err);
		sum->maxflows_err += READ_ONCE(s->maxflows_err);
		sum->pkts += READ_ONCE(s->pkts);
		sum->bytes += READ_ONCE(s->bytes);
		sum->drop_pkts += READ_ONCE(s->drop_pkts);
		sum->drop_bytes += READ_ONCE(s->drop_bytes);
		sum->sampled_out += READ_ONCE(s->sampled_out);
		sum->pps += READ_ONCE(s->pps);
	}
}

/* avg += (x - avg) / n, in fixed point. */
static void ipnf_ewma(s64 *avg, u64 x, unsigned int n)
{
	*avg += ((s64)x * IPNF_FP - *avg) / n;
}

static u64 ipnf_fp_out(s64 v)
{
	return v > 0 ? (u64)v / IPNF_FP : 0;
}

/* Searches per lookup x100 from counter deltas; 100 when idle. */
static u64 ipnf_metric(u64 searched, u64 lookups)
{
	return lookups ? div64_u64(searched * 100, lookups) : 100;
}

void ipnf_stats_tick(u64 exported)
{
	static u64 prev_pkts, prev_bytes, prev_searched, prev_lookups, prev_xbytes;
	static s64 bps1, pps1, bps5, pps5, m4, m1, m5, m15;
	static bool primed;
	struct ipnf_cpu_stats sum;
	u64 lookups, pps, bps;
	int cpu;

	ipnf_stats_sum(&sum);
	lookups = sum.found + sum.new_flows;
	if (!primed) {
		m4 = m1 = m5 = m15 = 100 * IPNF_FP;
		primed = true;
	}
	pps = sum.pkts - prev_pkts;
	bps = (sum.bytes - prev_bytes) * 8;
	ipnf_rates.pps = pps;
	ipnf_rates.bps = bps;
	ipnf_rates.metric_x100 = ipnf_metric(sum.searched - prev_searched,
					 lookups - prev_lookups);
	ipnf_ewma(&pps1, pps, 60);
	ipnf_ewma(&bps1, bps, 60);
	ipnf_ewma(&pps5, pps, 300);
	ipnf_ewma(&bps5, bps, 300);
	ipnf_ewma(&m4, ipnf_rates.metric_x100, 4);
	ipnf_ewma(&m1, ipnf_rates.metric_x100, 60);
	ipnf_ewma(&m5, ipnf_rates.metric_x100, 300);
	ipnf_ewma(&m15, ipnf_rates.metric_x100, 900);
	ipnf_rates.pps_1m = ipnf_fp_out(pps1);
	ipnf_rates.bps_1m = ipnf_fp_out(bps1);
	ipnf_rates.pps_5m = ipnf_fp_out(pps5);
	ipnf_rates.bps_5m = ipnf_fp_out(bps5);
	ipnf_rates.metric_4s = ipnf_fp_out(m4);
	ipnf_rates.metric_1m = ipnf_fp_out(m1);
	ipnf_rates.metric_5m = ipnf_fp_out(m5);
	ipnf_rates.metric_15m = ipnf_fp_out(m15);
	ipnf_rates.export_Bps = exported - prev_xbytes;
	prev_xbytes = exported;
	prev_pkts = sum.pkts;
	prev_bytes = sum.bytes;
	prev_searched = sum.searched;
	prev_lookups = lookups;

	for_each_possible_cpu(cpu) {
		struct ipnf_cpu_stats *s = per_cpu_ptr(&ipnf_stats, cpu);
		u64 p = READ_ONCE(s->pkts);
		u64 l = READ_ONCE(s->found) + READ_ONCE(s->new_flows);
		u64 q = READ_ONCE(s->searched);
		u64 m = ipnf_metric(q - s->prev_searched, l - s->prev_lookups);

		s->pps = p - s->prev_pkts;
		s->prev_pkts = p;
		/* one-minute average of the per-CPU metric, x100 */
		s->metric_x100 = s->metric_x100 ?
			s->metric_x100 + ((s64)m - (s64)s->metric_x100) / 60 : m;
		s->prev_lookups = l;
		s->prev_searched = q;
	}
}
