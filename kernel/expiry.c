// SPDX-License-Identifier: GPL-2.0-only
/*
 * The worker: finds flows that ended (TCP FIN/RST), went idle, or lived past
 * the active timeout, and hands them to the exporter after an RCU grace
 * period.  Runs every max(scan-min, HZ/10) jiffies, on exportcpu if set.
 *
 * Idle and active flows are found by sweeping a slice of the table each run,
 * so that the whole table is covered every sweep period (a quarter of the
 * shorter timeout, between 1 and 4 seconds).  Ended flows come from a
 * lock-free list the packet path fills; a FIN flow lingers IPNF_FIN_LINGER for
 * the trailing ACK, an RST flow goes at once.
 */
#include <linux/workqueue.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/cpumask.h>
#include "cfg.h"
#include "locks.h"
#include "stats.h"
#include "flowtable.h"
#include "flowpool.h"
#include "expiry.h"
#include "export.h"
#include "export_sink.h"
#include "export_v5.h"
#include "ifaces.h"
#include "natevents.h"
#include "natflows.h"
#include "flow_rec.h"

#define IPNF_FIN_LINGER (HZ / 2)

struct ipnf_worker_stats ipnf_worker;

static struct delayed_work ipnf_work;
static bool ipnf_stopping;
static struct llist_head ipnf_closing;	/* FIN flows lingering (worker only) */
static struct llist_head ipnf_pending;	/* unlinked, awaiting grace period */
static unsigned long ipnf_pending_gp;
static unsigned int ipnf_sweep_pos;
static unsigned long ipnf_last_tick;

/* The record of a flow: flow_rec.h's, with its VRFs and NAT translation. */
static void ipnf_flow_rec(const struct ipnf_flow *f, struct ipnf_exp_rec *r,
			const struct ipnf_export_clock *c)
{
	ipnf_flow_fill_rec(r, f, c);
	r->vrf_in = ipnf_if_vrf(r->key.iif);
	r->vrf_out = ipnf_if_vrf(r->oif);
	ipnf_natflows_fill(r);
}

/* Export flows whose grace period is over and hand them to the pool. */
static unsigned int ipnf_export_list(struct llist_node *n)
{
	struct ipnf_export_clock c = {
		.now = (u32)jiffies,
		.uptime = ipnf_uptime_ms(),
		.real_ms = div_u64(ktime_get_real_ns(), NSEC_PER_MSEC),
	};
	struct ipnf_export_sink *v5 = ipnf_export_v5_sink();
	u64 pkts = 0, bytes = 0;
	struct ipnf_flow *f, *t;
	struct ipnf_exp_rec r;
	unsigned int cnt = 0;

	llist_for_each_entry_safe(f, t, n, lnode) {
		u32 fp = (u32)atomic_read(&f->packets);
		u64 fb = atomic64_read(&f->bytes);

		pkts += fp;
		bytes += fb;
		if (v5 && f->key.family == IPNF_FAM_V4 && !(fb >> 32)) {
			ipnf_v5_add_flow(v5, f, &c, fp, (u32)fb);
		} else {
			ipnf_flow_rec(f, &r, &c);
			ipnf_export_flow(&r);
		}
		ipnf_flow_free(f);
		cnt++;
	}
	atomic64_add(pkts, &ipnf_removed_pkts);
	atomic64_add(bytes, &ipnf_removed_bytes);
	return cnt;
}

/* Ended flows of list n: unlink those whose linger is over, keep the rest. */
static void ipnf_collect_list(struct llist_node *n, u32 now, bool all,
			      struct llist_head *batch)
{
	struct ipnf_flow *f, *t;

	llist_for_each_entry_safe(f, t, n, lnode) {
		int st = atomic_read(&f->state);

		if (all || (st & IPNF_FLOW_RST) ||
		    (s32)(now - READ_ONCE(f->ts_last)) >= IPNF_FIN_LINGER) {
			ipnf_flow_unlink(f);
			atomic_or(IPNF_END_EOF << 16, &f->state);
			__llist_add(&f->lnode, batch);
		} else {
			__llist_add(&f->lnode, &ipnf_closing);
		}
	}
}

/* The flows that ended since the last run (each CPU's list), then the lingering ones. */
static void ipnf_collect_ended(u32 now, bool all, struct llist_head *batch)
{
	struct llist_node *c = llist_del_all(&ipnf_closing);
	int cpu;

	for_each_possible_cpu(cpu)
		ipnf_collect_list(llist_del_all(per_cpu_ptr(&ipnf_ended, cpu)), now, all, batch);
	ipnf_collect_list(c, now, all, batch);
}

static unsigned long ipnf_run_delay(void)
{
	return max_t(unsigned long, READ_ONCE(ipnf_cfg.scan_min), HZ / 10);
}

/* One worker pass; ipnf_export_mutex held. */
static void ipnf_run(bool flush)
{
	u32 now = (u32)jiffies;
	struct llist_head batch;
	unsigned int size = ipnf_table_size(), n, period, flows = 0, exported = 0;
	ktime_t t0 = ktime_get();
	struct ipnf_expiry exp = {
		.all = flush,
		.now = now,
		.inactive_j = READ_ONCE(ipnf_cfg.inactive_timeout) * HZ,
		.active_j = READ_ONCE(ipnf_cfg.active_timeout) * HZ,
	};

	lockdep_assert_held(&ipnf_export_mutex);

	init_llist_head(&batch);

	/* Last run's flows: their grace period has (almost surely) passed. */
	if (!llist_empty(&ipnf_pending)) {
		cond_synchronize_rcu(ipnf_pending_gp);
		exported += ipnf_export_list(llist_del_all(&ipnf_pending));
	}

	ipnf_collect_ended(now, flush, &batch);
	ipnf_natevents_drain();

	if (flush) {
		ipnf_table_sweep(0, size, &exp, &batch, &flows);
		ipnf_sweep_pos = 0;
	} else {
		period = clamp_t(unsigned int,
				 min(exp.inactive_j, exp.active_j) / 4, HZ, 4 * HZ);
		n = DIV_ROUND_UP((u64)size * ipnf_run_delay(), period);
		if (ipnf_sweep_pos >= size)
			ipnf_sweep_pos = 0;
		ipnf_sweep_pos += ipnf_table_sweep(ipnf_sweep_pos, n, &exp, &batch,
					       &flows);
	}

	if (flush) {
		/*
		 * An explicit flush (sysctl, protocol switch, unload) exports
		 * now: an expedited grace period instead of waiting out a
		 * normal one (milliseconds of nothing per flush).
		 */
		ipnf_wait_readers();
		exported += ipnf_export_list(llist_del_all(&batch));
	} else if (!llist_empty(&batch)) {
		ipnf_pending.first = llist_del_all(&batch);
		ipnf_pending_gp = get_state_synchronize_rcu();
	}
	ipnf_export_flush(flush);
	ipnf_pool_trim(atomic_read(&ipnf_flows_active));

	if (time_after_eq(jiffies, ipnf_last_tick + HZ)) {
		ipnf_last_tick = jiffies;
		ipnf_stats_tick(ipnf_export_bytes());
	}
	n = atomic_read(&ipnf_flows_active);
	if (n > ipnf_worker.peak_flows) {
		ipnf_worker.peak_flows = n;
		ipnf_worker.peak_time = jiffies;
	}
	ipnf_worker.delay = ipnf_run_delay();
	ipnf_worker.last_exported = exported;
	ipnf_worker.last_scanned = flows;
	ipnf_worker.last_run_us = ktime_us_delta(ktime_get(), t0);
}

static void ipnf_queue(unsigned long delay)
{
	int cpu = READ_ONCE(ipnf_cfg.exportcpu);

	/* exportcpu: on that CPU; else wherever the scheduler likes */
	if (cpu >= 0 && cpu < nr_cpu_ids && cpu_online(cpu))
		queue_delayed_work_on(cpu, ipnf_percpu_wq, &ipnf_work, delay);
	else
		queue_delayed_work(ipnf_dfl_wq, &ipnf_work, delay);
}

static void ipnf_worker_fn(struct work_struct *w)
{
	mutex_lock(&ipnf_export_mutex);
	ipnf_run(false);
	mutex_unlock(&ipnf_export_mutex);
	if (!READ_ONCE(ipnf_stopping))
		ipnf_queue(ipnf_run_delay());
}

void ipnf_expiry_flush(void)
{
	mutex_lock(&ipnf_export_mutex);
	ipnf_run(true);
	mutex_unlock(&ipnf_export_mutex);
}

void ipnf_expiry_reschedule(void)
{
	cancel_delayed_work_sync(&ipnf_work);
	if (!READ_ONCE(ipnf_stopping))
		ipnf_queue(0);
}

int ipnf_expiry_init(void)
{
	init_llist_head(&ipnf_closing);
	init_llist_head(&ipnf_pending);
	ipnf_last_tick = jiffies;
	INIT_DELAYED_WORK(&ipnf_work, ipnf_worker_fn);
	ipnf_queue(ipnf_run_delay());
	return 0;
}

/* No packets reach us any more (no rules reference the target). */
void ipnf_expiry_exit(void)
{
	WRITE_ONCE(ipnf_stopping, true);
	cancel_delayed_work_sync(&ipnf_work);
	ipnf_expiry_flush();
}
