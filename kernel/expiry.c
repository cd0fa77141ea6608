// SPDX-License-Identifier: GPL-2.0-only
/*
 * The worker: finds flows that ended (TCP FIN/RST), went idle, or lived past
 * the active timeout, and hands them to the exporter after an RCU grace
 * period.  Runs every max(scan-min, HZ/10) jiffies, on exportcpu if set.
 *
 * Idle and active flows are found by sweeping a slice of the table each run,
 * so that the whole table is covered every sweep period (a quarter of the
 * shorter timeout, between 1 and 4 seconds).  Ended flows come from a
 * lock-free list the packet path fills; a FIN flow lingers NF_FIN_LINGER for
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

#define NF_FIN_LINGER (HZ / 2)

struct nf_worker_stats nf_worker;

static struct delayed_work nf_work;
static bool nf_stopping;
static struct llist_head nf_closing;	/* FIN flows lingering (worker only) */
static struct llist_head nf_pending;	/* unlinked, awaiting grace period */
static unsigned long nf_pending_gp;
static unsigned int nf_sweep_pos;
static unsigned long nf_last_tick;

/* The record of a flow: flow_rec.h's, with its VRFs and NAT translation. */
static void nf_flow_rec(const struct nf_flow *f, struct nf_exp_rec *r,
			const struct nf_export_clock *c)
{
	nf_flow_fill_rec(r, f, c);
	r->vrf_in = nf_if_vrf(r->key.iif);
	r->vrf_out = nf_if_vrf(r->oif);
	nf_natflows_fill(r);
}

/* Export flows whose grace period is over and hand them to the pool. */
static unsigned int nf_export_list(struct llist_node *n)
{
	struct nf_export_clock c = {
		.now = (u32)jiffies,
		.uptime = nf_uptime_ms(),
		.real_ms = div_u64(ktime_get_real_ns(), NSEC_PER_MSEC),
	};
	struct nf_export_sink *v5 = nf_export_v5_sink();
	u64 pkts = 0, bytes = 0;
	struct nf_flow *f, *t;
	struct nf_exp_rec r;
	unsigned int cnt = 0;

	llist_for_each_entry_safe(f, t, n, lnode) {
		u32 fp = (u32)atomic_read(&f->packets);
		u64 fb = atomic64_read(&f->bytes);

		pkts += fp;
		bytes += fb;
		if (v5 && f->key.family == NF_FAM_V4 && !(fb >> 32)) {
			nf_v5_add_flow(v5, f, &c, fp, (u32)fb);
		} else {
			nf_flow_rec(f, &r, &c);
			nf_export_flow(&r);
		}
		nf_flow_free(f);
		cnt++;
	}
	atomic64_add(pkts, &nf_removed_pkts);
	atomic64_add(bytes, &nf_removed_bytes);
	return cnt;
}

/* Ended flows: unlink those whose linger is over, keep the rest. */
static void nf_collect_ended(u32 now, bool all, struct llist_head *batch)
{
	struct llist_node *n = llist_del_all(&nf_ended);
	struct llist_node *c = llist_del_all(&nf_closing);
	struct nf_flow *f, *t;
	int pass;

	for (pass = 0; pass < 2; pass++, n = c) {
		llist_for_each_entry_safe(f, t, n, lnode) {
			int st = atomic_read(&f->state);

			if (all || (st & NF_FLOW_RST) ||
			    (s32)(now - READ_ONCE(f->ts_last)) >= NF_FIN_LINGER) {
				nf_flow_unlink(f);
				atomic_or(NF_END_EOF << 16, &f->state);
				__llist_add(&f->lnode, batch);
			} else {
				__llist_add(&f->lnode, &nf_closing);
			}
		}
	}
}

static unsigned long nf_run_delay(void)
{
	return max_t(unsigned long, READ_ONCE(nf_cfg.scan_min), HZ / 10);
}

/* One worker pass; nf_export_mutex held. */
static void nf_run(bool flush)
{
	u32 now = (u32)jiffies;
	struct llist_head batch;
	unsigned int size = nf_table_size(), n, period, flows = 0, exported = 0;
	ktime_t t0 = ktime_get();
	struct nf_expiry exp = {
		.all = flush,
		.now = now,
		.inactive_j = READ_ONCE(nf_cfg.inactive_timeout) * HZ,
		.active_j = READ_ONCE(nf_cfg.active_timeout) * HZ,
	};

	lockdep_assert_held(&nf_export_mutex);

	init_llist_head(&batch);

	/* Last run's flows: their grace period has (almost surely) passed. */
	if (!llist_empty(&nf_pending)) {
		cond_synchronize_rcu(nf_pending_gp);
		exported += nf_export_list(llist_del_all(&nf_pending));
	}

	nf_collect_ended(now, flush, &batch);
	nf_natevents_drain();

	if (flush) {
		nf_table_sweep(0, size, &exp, &batch, &flows);
		nf_sweep_pos = 0;
	} else {
		period = clamp_t(unsigned int,
				 min(exp.inactive_j, exp.active_j) / 4, HZ, 4 * HZ);
		n = DIV_ROUND_UP((u64)size * nf_run_delay(), period);
		if (nf_sweep_pos >= size)
			nf_sweep_pos = 0;
		nf_sweep_pos += nf_table_sweep(nf_sweep_pos, n, &exp, &batch,
					       &flows);
	}

	if (flush) {
		/*
		 * An explicit flush (sysctl, protocol switch, unload) exports
		 * now: an expedited grace period instead of waiting out a
		 * normal one (milliseconds of nothing per flush).
		 */
		nf_wait_readers();
		exported += nf_export_list(llist_del_all(&batch));
	} else if (!llist_empty(&batch)) {
		nf_pending.first = llist_del_all(&batch);
		nf_pending_gp = get_state_synchronize_rcu();
	}
	nf_export_flush(flush);
	nf_pool_trim(atomic_read(&nf_flows_active));

	if (time_after_eq(jiffies, nf_last_tick + HZ)) {
		nf_last_tick = jiffies;
		nf_stats_tick(nf_export_bytes());
	}
	n = atomic_read(&nf_flows_active);
	if (n > nf_worker.peak_flows) {
		nf_worker.peak_flows = n;
		nf_worker.peak_time = jiffies;
	}
	nf_worker.delay = nf_run_delay();
	nf_worker.last_exported = exported;
	nf_worker.last_scanned = flows;
	nf_worker.last_run_us = ktime_us_delta(ktime_get(), t0);
}

static void nf_queue(unsigned long delay)
{
	int cpu = READ_ONCE(nf_cfg.exportcpu);

	/* exportcpu: on that CPU; else wherever the scheduler likes */
	if (cpu >= 0 && cpu < nr_cpu_ids && cpu_online(cpu))
		queue_delayed_work_on(cpu, nf_percpu_wq, &nf_work, delay);
	else
		queue_delayed_work(nf_dfl_wq, &nf_work, delay);
}

static void nf_worker_fn(struct work_struct *w)
{
	mutex_lock(&nf_export_mutex);
	nf_run(false);
	mutex_unlock(&nf_export_mutex);
	if (!READ_ONCE(nf_stopping))
		nf_queue(nf_run_delay());
}

void nf_expiry_flush(void)
{
	mutex_lock(&nf_export_mutex);
	nf_run(true);
	mutex_unlock(&nf_export_mutex);
}

void nf_expiry_reschedule(void)
{
	cancel_delayed_work_sync(&nf_work);
	if (!READ_ONCE(nf_stopping))
		nf_queue(0);
}

int nf_expiry_init(void)
{
	init_llist_head(&nf_closing);
	init_llist_head(&nf_pending);
	nf_last_tick = jiffies;
	INIT_DELAYED_WORK(&nf_work, nf_worker_fn);
	nf_queue(nf_run_delay());
	return 0;
}

/* No packets reach us any more (no rules reference the target). */
void nf_expiry_exit(void)
{
	WRITE_ONCE(nf_stopping, true);
	cancel_delayed_work_sync(&nf_work);
	nf_expiry_flush();
}
