// SPDX-License-Identifier: GPL-2.0-only
/*
 * The worker: finds flows that ended (TCP FIN/RST), went idle, or lived past
 * the active timeout, and hands them to the exporter after an RCU grace
 * period.  Runs every max(scan-min, HZ/10) jiffies, on exportcpu if set.
 *
 * Idle and active flows are found by sweeping a slice of the table each run,
 * so that the whole table is covered every sweep period (a quarter of the
 * shorter timeout, between 1 and 4 seconds).  Ended flows are found in the
 * groups of buckets the packet path flagged (ipnf_table_sweep_ended); a FIN
 * flow lingers IPNF_FIN_LINGER for the trailing ACK, an RST flow goes at once.
 *
 * The flows a run unlinks wait in an array (ipnf_pending) for their grace
 * period; at the start of the next run they become the ready ones
 * (ipnf_ready), which are exported in chunks, the export mutex let go
 * between them.  The arrays grow while runs fill them, up to IPNF_BATCH_MAX;
 * a run that fills one stops sweeping where it is (the next run goes on from
 * there), a flush goes in rounds.
 */
#include <linux/workqueue.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/cpumask.h>
#include <linux/mm.h>
#include "cfg.h"
#include "locks.h"
#include "stats.h"
#include "flowtable.h"
#include "flowquota.h"
#include "flowpool.h"
#include "expiry.h"
#include "export.h"
#include "ifaces.h"
#include "natevents.h"
#include "natflows.h"
#include "flow_rec.h"

#define IPNF_FIN_LINGER (HZ / 2)
#define IPNF_BATCH_MIN 1024		/* flows a run can unlink, at first */
#define IPNF_BATCH_MAX (1U << 20)	/* at most (8 MB of pointers) */
#define IPNF_HOLD_FLOWS 4096U		/* exported per hold of ipnf_export_mutex */

struct ipnf_worker_stats ipnf_worker;

static struct delayed_work ipnf_work;
static bool ipnf_stopping;
/* unlinked, awaiting their grace period (ipnf_export_mutex, as all below) */
static struct ipnf_batch ipnf_pending;
static unsigned long ipnf_pending_gp;
/* past it, exported from ipnf_ready_pos on */
static struct ipnf_batch ipnf_ready;
static unsigned int ipnf_ready_pos;
static unsigned int ipnf_sweep_pos;
static unsigned long ipnf_last_tick;
static unsigned int ipnf_hold_flows;	/* exported since this hold of the mutex began */

static void ipnf_export_lock(void)
{
	mutex_lock(&ipnf_export_mutex);
	ipnf_hold_flows = 0;
}

static void ipnf_export_unlock(void)
{
	if (ipnf_hold_flows > ipnf_worker.hold_max)
		WRITE_ONCE(ipnf_worker.hold_max, ipnf_hold_flows);
	mutex_unlock(&ipnf_export_mutex);
}

/*
 * Let the export mutex go and take it again: whoever waits for it (a
 * configuration write, the other of worker and flush) goes first.  The state
 * above is consistent at every call: the pending flows are covered by
 * ipnf_pending_gp (or empty), the ready ones go on from ipnf_ready_pos.
 */
static void ipnf_export_yield(void)
{
	ipnf_export_unlock();
	cond_resched();
	ipnf_export_lock();
}

/* The record of a flow: flow_rec.h's, with its VRFs and NAT translation. */
static void ipnf_flow_rec(const struct ipnf_flow *f, struct ipnf_exp_rec *r,
			const struct ipnf_export_clock *c)
{
	ipnf_flow_fill_rec(r, f, c);
	r->vrf_in = ipnf_if_vrf(r->key.iif);
	r->vrf_out = ipnf_if_vrf(r->oif);
	ipnf_natflows_fill(r);
}

/* Export cnt flows whose grace period is over, hand them to the pool. */
static void ipnf_export_chunk(struct ipnf_flow **v, unsigned int cnt)
{
	struct ipnf_export_clock c = {
		.now = (u32)jiffies,
		.uptime = ipnf_uptime_ms(),
		.real_ms = div_u64(ktime_get_real_ns(), NSEC_PER_MSEC),
	};
	/* what ipnf_flow_rec() could add that the straight path has not */
	bool plain = !ipnf_if_any_vrf() && !ipnf_natflows_on();
	unsigned int i;
	struct ipnf_exp_rec r;

	for (i = 0; i < cnt; i++) {
		i += ipnf_export_flows(v + i, cnt - i, &c, plain);
		if (i == cnt)
			break;
		ipnf_flow_rec(v[i], &r, &c);
		ipnf_export_flow(&r);
	}
	ipnf_flows_free(v, cnt);
}

/*
 * The ready batch (now exported) was full when it was taken: twice its room
 * for a run to come, in whichever of the two arrays is empty (they take the
 * pending and the ready role in turn).
 */
static void ipnf_batch_grow(unsigned int cap)
{
	struct ipnf_batch *b = ipnf_pending.n ? &ipnf_ready : &ipnf_pending;
	struct ipnf_flow **v;

	if (b->n || cap > IPNF_BATCH_MAX || b->cap >= cap)
		return;
	v = kvmalloc_array(cap, sizeof(*v), GFP_KERNEL | __GFP_NOWARN);
	if (!v)
		return;		/* runs go on in smaller steps */
	kvfree(b->v);
	b->v = v;
	b->cap = cap;
}

/*
 * Export the ready flows, IPNF_HOLD_FLOWS at most per hold of the mutex: a
 * configuration write waits for one chunk, not for a pass (a pass of 2^20
 * flows held it over 120 s on a KASAN kernel).  Whoever holds the mutex next
 * and runs this goes on where the last one stopped; the ready flows are
 * exported once each, in order.  Returns with none ready, the mutex held.
 */
static unsigned int ipnf_export_ready(void)
{
	unsigned int k, done = 0;
	bool full;

	lockdep_assert_held(&ipnf_export_mutex);
	while (ipnf_ready_pos < ipnf_ready.n) {
		if (ipnf_hold_flows >= IPNF_HOLD_FLOWS)
			ipnf_export_yield();
		k = min(ipnf_ready.n - ipnf_ready_pos, IPNF_HOLD_FLOWS - ipnf_hold_flows);
		if (!k)
			continue;	/* ran out while we yielded */
		ipnf_export_chunk(ipnf_ready.v + ipnf_ready_pos, k);
		ipnf_ready_pos += k;
		ipnf_hold_flows += k;
		done += k;
	}
	full = ipnf_ready.n && ipnf_ready.n == ipnf_ready.cap;
	ipnf_ready.n = 0;
	ipnf_ready_pos = 0;
	if (full)
		ipnf_batch_grow(ipnf_ready.cap * 2);
	return done;
}

/*
 * The pending flows' grace period is over: they become the ready ones (none
 * are ready: ipnf_export_ready() has just returned, the mutex still held).
 */
static void ipnf_take_pending(void)
{
	struct ipnf_batch b = ipnf_ready;

	lockdep_assert_held(&ipnf_export_mutex);
	ipnf_ready = ipnf_pending;
	ipnf_pending = b;
}

static unsigned long ipnf_run_delay(void)
{
	return max_t(unsigned long, READ_ONCE(ipnf_cfg.scan_min), HZ / 10);
}

/*
 * One worker pass; ipnf_export_mutex held, let go between chunks of the
 * export (ipnf_export_ready()), so everything read from the table is read
 * again after one.
 */
static void ipnf_run(bool flush)
{
	unsigned int size, n, period, flows = 0, exported;
	ktime_t t0 = ktime_get();
	struct ipnf_expiry exp = {
		.all = flush,
		.linger_j = IPNF_FIN_LINGER,
	};

	lockdep_assert_held(&ipnf_export_mutex);

	/* What a pass that let the mutex go left ready, then last run's flows. */
	exported = ipnf_export_ready();
	if (ipnf_pending.n) {
		cond_synchronize_rcu(ipnf_pending_gp);
		ipnf_take_pending();
		exported += ipnf_export_ready();
	}

	exp.now = (u32)jiffies;
	exp.inactive_j = READ_ONCE(ipnf_cfg.inactive_timeout) * HZ;
	exp.active_j = READ_ONCE(ipnf_cfg.active_timeout) * HZ;
	ipnf_table_sweep_ended(&exp, &ipnf_pending, &flows);
	ipnf_natevents_drain();

	if (flush) {
		/*
		 * An explicit flush (sysctl, unload) exports now: an expedited
		 * grace period instead of waiting out a normal one (milliseconds
		 * of nothing per flush); in rounds of what the pending batch
		 * holds.  Nothing between the sweep and ipnf_take_pending() lets
		 * the mutex go, so no flow is taken before its grace period.  A
		 * resize (which needs ipnf_cfg_mutex, held by a flush written to
		 * sysctl) while the mutex was let go starts the sweep over.
		 */
		size = ipnf_table_size();
		for (n = 0; n < size; ) {
			n += ipnf_table_sweep(n, size - n, &exp, &ipnf_pending, &flows);
			ipnf_wait_readers();
			ipnf_take_pending();
			exported += ipnf_export_ready();
			if (ipnf_table_size() != size) {
				size = ipnf_table_size();
				n = 0;
			}
		}
		ipnf_sweep_pos = 0;
	} else {
		size = ipnf_table_size();
		period = clamp_t(unsigned int,
				 min(exp.inactive_j, exp.active_j) / 4, HZ, 4 * HZ);
		n = DIV_ROUND_UP((u64)size * ipnf_run_delay(), period);
		if (ipnf_sweep_pos >= size)
			ipnf_sweep_pos = 0;
		ipnf_sweep_pos += ipnf_table_sweep(ipnf_sweep_pos, n, &exp, &ipnf_pending,
					       &flows);
		if (ipnf_pending.n)
			ipnf_pending_gp = get_state_synchronize_rcu();
	}
	ipnf_export_flush(flush);
	/* memory back to the system on the worker's own runs, not in a flush's writer */
	if (!flush)
		ipnf_pool_trim(ipnf_flows_count());

	if (time_after_eq(jiffies, ipnf_last_tick + HZ)) {
		ipnf_last_tick = jiffies;
		ipnf_stats_tick(ipnf_export_bytes());
	}
	n = ipnf_flows_count();
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
	ipnf_export_lock();
	ipnf_run(false);
	ipnf_export_unlock();
	if (!READ_ONCE(ipnf_stopping))
		ipnf_queue(ipnf_run_delay());
}

void ipnf_expiry_flush(void)
{
	ipnf_export_lock();
	ipnf_run(true);
	ipnf_export_unlock();
}

void ipnf_expiry_reschedule(void)
{
	cancel_delayed_work_sync(&ipnf_work);
	if (!READ_ONCE(ipnf_stopping))
		ipnf_queue(0);
}

static void ipnf_batch_free(struct ipnf_batch *b)
{
	kvfree(b->v);
	*b = (struct ipnf_batch){};
}

int ipnf_expiry_init(void)
{
	ipnf_pending.v = kvmalloc_array(IPNF_BATCH_MIN, sizeof(*ipnf_pending.v), GFP_KERNEL);
	ipnf_ready.v = kvmalloc_array(IPNF_BATCH_MIN, sizeof(*ipnf_ready.v), GFP_KERNEL);
	if (!ipnf_pending.v || !ipnf_ready.v) {
		ipnf_batch_free(&ipnf_pending);
		ipnf_batch_free(&ipnf_ready);
		return -ENOMEM;
	}
	ipnf_pending.cap = IPNF_BATCH_MIN;
	ipnf_ready.cap = IPNF_BATCH_MIN;
	ipnf_ready_pos = 0;
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
	ipnf_batch_free(&ipnf_pending);
	ipnf_batch_free(&ipnf_ready);
}
