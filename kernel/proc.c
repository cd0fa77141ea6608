// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/net/stat/ipt_netflow        human statistics, classic line layout
 * /proc/net/stat/ipt_netflow_snmp   machine-readable (docs/proc-snmp.md)
 * /proc/net/stat/ipt_netflow_flows  one line per active flow
 * No kernel pointers are printed anywhere.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/jiffies.h>
#include <linux/cpumask.h>
#include <net/net_namespace.h>
#include "cfg.h"
#include "proc.h"
#include "stats.h"
#include "flowtable.h"
#include "flowquota.h"
#include "flowpool.h"
#include "expiry.h"
#include "sock.h"
#include "ruleset.h"
#include "natevents.h"
#include "promisc.h"
#include "snapshot.h"
#include "hooks.h"
#include "offload.h"
#include "natflows.h"

static const char *ipnf_features(void)
{
	return ""
#ifdef ENABLE_SAMPLER
		" sampler"
#ifdef ENABLE_SAMPLER_HASH
		"=hash"
#endif
#endif
#ifdef ENABLE_NAT
		" natevents"
#endif
#ifdef ENABLE_AGGR
		" aggr"
#endif
#ifdef ENABLE_SNMP
		" snmp-rules"
#endif
#ifdef ENABLE_MAC
		" mac"
#endif
#ifdef ENABLE_VLAN
		" vlan"
#endif
#ifdef ENABLE_DIRECTION
		" dir"
#endif
#ifdef ENABLE_PHYSDEV
		" physdev"
#endif
#ifdef ENABLE_PROMISC
		" promisc"
#ifdef ENABLE_PROMISC_MPLS
		" mpls"
#endif
#endif
		;
}

static void ipnf_show_metric(struct seq_file *m, u64 v)
{
	seq_printf(m, "%llu.%02llu", v / 100, v % 100);
}

static int ipnf_stat_show(struct seq_file *m, void *v)
{
	struct ipnf_snap *sn;
	struct ipnf_pool_stats ps;
	unsigned long ago;
	int cpu, i;
	u64 inhash_p, inhash_b;

	sn = ipnf_snap_take();
	if (!sn)
		return -ENOMEM;

	seq_printf(m, "ipt_NETFLOW %s, srcversion %s;%s\n", IPNF_VERSION,
		   THIS_MODULE->srcversion ? THIS_MODULE->srcversion : "-",
		   ipnf_features());
	seq_printf(m, "Protocol version %d (%s), refresh-rate %d, timeout-rate %d, (templates %u, active %u). Timeouts: active %d, inactive %d. Maxflows %d\n",
		   ipnf_cfg.protocol, ipnf_cfg.protocol == 5 ? "netflow" :
		   ipnf_cfg.protocol == 9 ? "netflow" : "ipfix",
		   ipnf_cfg.refresh_rate, ipnf_cfg.timeout_rate, sn->ntmpl, sn->nactive,
		   ipnf_cfg.active_timeout, ipnf_cfg.inactive_timeout,
		   ipnf_cfg.maxflows);
#ifdef ENABLE_PROMISC
	seq_printf(m, "Promisc hack is %s (observed %lld packets, discarded %lld).\n",
		   READ_ONCE(ipnf_cfg.promisc) ? "enabled" : "disabled",
		   atomic64_read(&ipnf_promisc_seen),
		   atomic64_read(&ipnf_promisc_dropped));
#else
	seq_puts(m, "Promisc hack is disabled (observed 0 packets, discarded 0).\n");
#endif
#ifdef ENABLE_NAT
	seq_printf(m, "Natevents %s, count start %lld, stop %lld.",
		   READ_ONCE(ipnf_cfg.natevents) ? "enabled" : "disabled",
		   atomic64_read(&ipnf_nat_stats.starts),
		   atomic64_read(&ipnf_nat_stats.stops));
	seq_printf(m, " Dropped %lld; namespaces busy %d, events off %d.\n",
		   atomic64_read(&ipnf_nat_stats.dropped),
		   atomic_read(&ipnf_nat_stats.busy),
		   atomic_read(&ipnf_nat_stats.no_events));
#else
	seq_puts(m, "Natevents disabled, count start 0, stop 0.\n");
#endif
	ipnf_hooks_show(m, &sn->hooks);
	ipnf_offload_show(m, &sn->ft);
	ipnf_natflows_show(m, &sn->nfl);

	ago = (jiffies - ipnf_worker.peak_time) / HZ;
	seq_printf(m, "Flows: active %u (peak %u reached %lud%luh%lum ago), mem %lluK, worker delay %u/%d (last run %u us, scanned %u, exported %u; longest hold %u flows).\n",
		   ipnf_flows_count(), ipnf_worker.peak_flows,
		   ago / 86400, (ago / 3600) % 24, (ago / 60) % 60,
		   ipnf_flows_mem() >> 10, ipnf_worker.delay, HZ,
		   ipnf_worker.last_run_us, ipnf_worker.last_scanned,
		   ipnf_worker.last_exported, READ_ONCE(ipnf_worker.hold_max));
	ipnf_pool_stats(&ps);
	seq_printf(m, "Flow objects: IPv4 %u B, %u a page, %lu pages (%luK); pooled %u IPv4, %u IPv6; reused %llu.\n",
		   ps.objsize4, ps.per_page, ps.pages, ps.pages * (PAGE_SIZE >> 10),
		   ps.pooled4, ps.pooled6, ps.reused);

	inhash_p = sn->t.pkts - atomic64_read(&ipnf_removed_pkts);
	inhash_b = sn->t.bytes - atomic64_read(&ipnf_removed_bytes);
	seq_printf(m, "Hash: size %u (mem %uK), metric ", ipnf_table_size(),
		   ipnf_table_mem() >> 10);
	ipnf_show_metric(m, ipnf_rates.metric_x100);
	seq_puts(m, ", [");
	ipnf_show_metric(m, ipnf_rates.metric_1m);
	seq_puts(m, ", ");
	ipnf_show_metric(m, ipnf_rates.metric_5m);
	seq_puts(m, ", ");
	ipnf_show_metric(m, ipnf_rates.metric_15m);
	seq_printf(m, "]. InHash: %llu pkt, %llu K, InPDU %llu, %llu.\n",
		   inhash_p, inhash_b >> 10, sn->x.pdu_pkts, sn->x.pdu_bytes);

	seq_printf(m, "Rate: %llu bits/sec, %llu packets/sec; 1 min: %llu bps, %llu pps; 5 min: %llu bps, %llu pps\n",
		   ipnf_rates.bps, ipnf_rates.pps, ipnf_rates.bps_1m, ipnf_rates.pps_1m,
		   ipnf_rates.bps_5m, ipnf_rates.pps_5m);

	seq_puts(m, "cpu#     pps; <search found new [metric], trunc frag alloc maxflows>, traffic: <pkt, bytes>, drop: <pkt, bytes>\n");
	seq_printf(m, "Total %6llu; %6llu %6llu %6llu [", sn->t.pps, sn->t.searched,
		   sn->t.found, sn->t.new_flows);
	ipnf_show_metric(m, ipnf_rates.metric_1m);
	seq_printf(m, "], %4llu %4llu %4llu %4llu, traffic: %llu, %llu MB, drop: %llu, %llu K\n",
		   sn->t.trunc, sn->t.frag, sn->t.alloc_err, sn->t.maxflows_err, sn->t.pkts,
		   sn->t.bytes >> 20, sn->t.drop_pkts, sn->t.drop_bytes >> 10);
	for_each_present_cpu(cpu) {
		const struct ipnf_cpu_stats *s = per_cpu_ptr(&ipnf_stats, cpu);

		seq_printf(m, "cpu%-2d %6llu; %6llu %6llu %6llu [", cpu, s->pps,
			   s->searched, s->found, s->new_flows);
		ipnf_show_metric(m, s->metric_x100 ? s->metric_x100 : 100);
		seq_printf(m, "], %4llu %4llu %4llu %4llu, traffic: %llu, %llu MB, drop: %llu, %llu K\n",
			   s->trunc, s->frag, s->alloc_err, s->maxflows_err,
			   s->pkts, s->bytes >> 20, s->drop_pkts,
			   s->drop_bytes >> 10);
	}
	if (ipnf_cfg.sampler_kind)
		seq_printf(m, "Flow sampling: %s, seen %llu flows, selected %llu flows, hash-skipped %llu packets.\n",
			   ipnf_cfg.sampler, sn->x.sampler_seen, sn->x.sampler_selected,
			   sn->t.sampled_out);

	seq_printf(m, "Export: Rate %llu bytes/s; Total %llu pkts, %llu MB, %llu flows; Errors %llu pkts; Traffic lost %llu pkts, %llu Kbytes, %llu flows.\n",
		   ipnf_rates.export_Bps, sn->x.pdus, sn->x.bytes >> 20, sn->x.flows,
		   sn->x.err_pdus, sn->x.lost_pkts, sn->x.lost_bytes >> 10, sn->x.lost_flows);
	if (sn->x.v6_unexportable)
		seq_printf(m, "Unexportable: %llu IPv6 flows (NetFlow v5 cannot carry IPv6).\n",
			   sn->x.v6_unexportable);
	seq_printf(m, "Destination mode: %s.\n",
		   ipnf_cfg.dest_mode == IPNF_DEST_BALANCE ? "balance" : "mirror");
	for (i = 0; i < sn->nsocks; i++) {
		struct ipnf_sock_stats *s = &sn->socks[i];

		if (!s->connected) {
			seq_printf(m, "sock%d: %s unconnected (%d attempts).\n",
				   i, s->name, s->connect_attempts);
			continue;
		}
		seq_printf(m, "sock%d: %s, sndbuf %d, filled %d, peak %d; err: sndbuf reached %llu, connect %llu, cberr %llu, other %llu; sent %llu pkts, %llu bytes, resent %llu%s\n",
			   i, s->name, s->sndbuf, s->filled, s->peak,
			   s->err_sndbuf, s->err_connect, s->err_cberr,
			   s->err_other, s->pkts, s->bytes, s->resent,
			   s->down ? "; down" : "");
	}
	kfree(sn);
	ipnf_rules_show(m);
	return 0;
}

static int ipnf_snmp_show(struct seq_file *m, void *v)
{
	struct ipnf_snap *sn;
	int cpu, i, peak = 0;
	u64 errs = 0;

	sn = ipnf_snap_take();
	if (!sn)
		return -ENOMEM;
	for (i = 0; i < sn->nsocks; i++)
		errs += sn->socks[i].err_sndbuf + sn->socks[i].err_connect +
			sn->socks[i].err_cberr + sn->socks[i].err_other;

	seq_printf(m, "inBitRate    %llu\n", ipnf_rates.bps);
	seq_printf(m, "inPacketRate %llu\n", ipnf_rates.pps);
	seq_printf(m, "inFlows      %llu\n", sn->t.new_flows);
	seq_printf(m, "inPackets    %llu\n", sn->t.pkts);
	seq_printf(m, "inBytes      %llu\n", sn->t.bytes);
	seq_puts(m, "hashMetric   ");
	ipnf_show_metric(m, ipnf_rates.metric_1m);
	seq_printf(m, "\nhashMemory   %llu\n", ipnf_table_mem() + ipnf_flows_mem());
	seq_printf(m, "hashFlows    %u\n", ipnf_flows_count());
	seq_printf(m, "hashPackets  %llu\n", sn->t.pkts - atomic64_read(&ipnf_removed_pkts));
	seq_printf(m, "hashBytes    %llu\n", sn->t.bytes - atomic64_read(&ipnf_removed_bytes));
	seq_printf(m, "dropPackets  %llu\n", sn->t.drop_pkts);
	seq_printf(m, "dropBytes    %llu\n", sn->t.drop_bytes);
	seq_printf(m, "outByteRate  %llu\n", ipnf_rates.export_Bps);
	seq_printf(m, "outFlows     %llu\n", sn->x.flows);
	seq_printf(m, "outPackets   %llu\n", sn->x.pdus);
	seq_printf(m, "outBytes     %llu\n", sn->x.bytes);
	seq_printf(m, "lostFlows    %llu\n", sn->x.lost_flows);
	seq_printf(m, "lostPackets  %llu\n", sn->x.lost_pkts);
	seq_printf(m, "lostBytes    %llu\n", sn->x.lost_bytes);
	seq_printf(m, "errTotal     %llu\n", errs);
	for_each_present_cpu(cpu) {
		const struct ipnf_cpu_stats *s = per_cpu_ptr(&ipnf_stats, cpu);
		u64 mx = s->metric_x100 ? s->metric_x100 : 100;

		seq_printf(m, "cpu%u %llu %llu %llu %llu %llu.%02llu %llu %llu %llu %llu %llu %llu\n",
			   cpu, s->pps, s->new_flows, s->pkts, s->bytes,
			   mx / 100, mx % 100, s->drop_pkts, s->drop_bytes,
			   s->trunc, s->frag, s->alloc_err, s->maxflows_err);
	}
	for (i = 0; i < sn->nsocks; i++) {
		struct ipnf_sock_stats *s = &sn->socks[i];

		seq_printf(m, "sock%d %s %d %d %llu %llu %llu %d %d %d\n", i,
			   s->name, s->connected, (int)s->err_connect,
			   s->err_sndbuf, s->err_cberr, s->err_other,
			   s->sndbuf, s->filled, s->peak);
		if (s->peak > peak)
			peak = s->peak;
	}
	seq_printf(m, "sndbufPeak   %d\n", peak);
	kfree(sn);
	return 0;
}

/* ---- ipt_netflow_flows: position 0 is the header, then one per bucket ---- */

struct ipnf_flows_ctx {
	struct seq_file *m;
	u32 now;
};

static int ipnf_flow_line(const struct ipnf_flow *f, void *arg)
{
	struct ipnf_flows_ctx *c = arg;
	const struct ipnf_flow_key *k = &f->key;
	struct seq_file *m = c->m;

	if (k->family == IPNF_FAM_V4)
		seq_printf(m, "4 %u %u %pI4 %u %pI4 %u", k->proto, k->tos,
			   &k->a.v4.src, k->sport, &k->a.v4.dst, k->dport);
	else
		seq_printf(m, "6 %u %u %pI6c %u %pI6c %u", k->proto, k->tos,
			   k->a.v6.src, k->sport, k->a.v6.dst, k->dport);
	seq_printf(m, " %u %u %u %llu 0x%02x %u %u\n", k->iif, f->oif,
		   (u32)atomic_read(&f->packets),
		   (u64)atomic64_read(&f->bytes),
		   atomic_read(&f->state) & 0xff,
		   jiffies_to_msecs(c->now - f->ts_first),
		   jiffies_to_msecs(c->now - READ_ONCE(f->ts_last)));
	return 0;
}

static void *ipnf_flows_start(struct seq_file *m, loff_t *pos)
{
	if (*pos == 0)
		return SEQ_START_TOKEN;
	return *pos <= ipnf_table_size() ? pos : NULL;
}

static void *ipnf_flows_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return *pos <= ipnf_table_size() ? pos : NULL;
}

static void ipnf_flows_stop(struct seq_file *m, void *v)
{
}

static int ipnf_flows_show(struct seq_file *m, void *v)
{
	struct ipnf_flows_ctx c = { .m = m, .now = (u32)jiffies };

	if (v == SEQ_START_TOKEN) {
		seq_puts(m, "# family proto tos src sport dst dport iif oif packets bytes tcpflags age_ms idle_ms\n");
		return 0;
	}
	ipnf_table_walk(*(loff_t *)v - 1, ipnf_flow_line, &c);
	return 0;
}

static const struct seq_operations ipnf_flows_ops = {
	.start = ipnf_flows_start,
	.next = ipnf_flows_next,
	.stop = ipnf_flows_stop,
	.show = ipnf_flows_show,
};

int ipnf_proc_init(void)
{
	struct proc_dir_entry *d = init_net.proc_net_stat;

	if (!proc_create_single("ipt_netflow", 0444, d, ipnf_stat_show))
		goto err;
	if (!proc_create_single("ipt_netflow_snmp", 0444, d, ipnf_snmp_show))
		goto err_stat;
	if (!proc_create_seq("ipt_netflow_flows", 0400, d, &ipnf_flows_ops))
		goto err_snmp;
	return 0;
err_snmp:
	remove_proc_entry("ipt_netflow_snmp", d);
err_stat:
	remove_proc_entry("ipt_netflow", d);
err:
	return -ENOMEM;
}

void ipnf_proc_exit(void)
{
	struct proc_dir_entry *d = init_net.proc_net_stat;

	remove_proc_entry("ipt_netflow_flows", d);
	remove_proc_entry("ipt_netflow_snmp", d);
	remove_proc_entry("ipt_netflow", d);
}
