// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow table: an RCU hash of singly linked nulls chains keyed with random
 * secrets (ipnf_key_hash), a lock bit in each bucket for writers.
 *
 * Packet path for a known flow: hash, lock-free lookup, three atomics.  A new
 * flow takes its bucket's lock.
 *
 * Cache lines the packet path writes: for a known flow, only the flow itself
 * (counters, last-seen stamp; the packets of one flow normally stay on one
 * CPU) and this CPU's statistics, plus a bit of this CPU's ended-flow map on
 * the first FIN/RST.  A new flow also writes one line that other CPUs write:
 * its bucket's, which it has to (it links the flow there), and which holds
 * the bucket's lock too (bits 0 and 1 of the head link: taken with one
 * cmpxchg, let go by the store that links the flow; to a lock-free reader a
 * held bucket looks like the end of another chain, and it looks again).
 * Its place under maxflows comes from this CPU's quota (flowquota.c: the
 * shared count is written once per chunk of places, the bound stays exact),
 * the flow object from this CPU's pool (its shared stack once per chunk).
 *
 * A flow is 64 bytes (IPv4, no optional key fields) with a single link: the
 * worker is the only one to unlink flows, while it sweeps a chain (so it
 * knows the link before), and keeps them in an array until their grace
 * period is over; a flow that saw FIN or RST is found through the
 * map bit its group of buckets got.  Flows are read (and freed) only after
 * that grace period, so late updates from readers that found the flow before
 * the unlink are never lost.  Inserts only ever write a bucket's head (under
 * its lock) and their own flow's link; the worker writes the link of a flow
 * before the one it unlinks, or, for the first flow of a chain, swaps the
 * head with one cmpxchg that fails while the bucket is locked or another flow
 * came in front.  A resize (export mutex held: no worker) locks each bucket
 * of the old table for good and moves its flows, then publishes the new
 * table; an insert waiting on an old bucket sees it and goes there.  Nulls
 * values detect entries a resize moved under a reader, as in nf_conntrack.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/siphash.h>
#include <linux/random.h>
#include <linux/jiffies.h>
#include <linux/bitops.h>
#include <linux/preempt.h>
#include <linux/bitmap.h>
#include <linux/log2.h>
#include "cfg.h"
#include "locks.h"
#include "stats.h"
#include "flowtable.h"
#include "flowpool.h"
#include "flowquota.h"

struct ipnf_htab __rcu *ipnf_tab;
hsiphash_key_t ipnf_hash_key __read_mostly;
struct ipnf_hash_secret ipnf_hash_pms __read_mostly;

/* IPv6 flows made less those freed, by CPU (any CPU frees; only the sum counts) */
static DEFINE_PER_CPU(int, ipnf_flows_v6);
/*
 * Flows that saw FIN or RST: each CPU's map of groups of buckets where one
 * did (the packet path sets a bit in its own CPU's map, once a flow); the
 * worker takes the maps over into its own, under ipnf_export_mutex.
 */
struct ipnf_end_map {
	unsigned long bits[BITS_TO_LONGS(IPNF_END_GROUPS)];
};
static struct ipnf_end_map __percpu *ipnf_end_maps;	/* 2 KB a CPU: dynamic */
/* the worker's groups to sweep, and those to sweep again next run (export mutex) */
static struct ipnf_end_map ipnf_end_work, ipnf_end_next;
static bool ipnf_end_all;	/* a resize regrouped the buckets: look at all */
atomic64_t ipnf_removed_pkts;
atomic64_t ipnf_removed_bytes;

/*
 * Lock bucket head of table t: false (not locked) if a resize replaced t
 * meanwhile; the caller looks again in the new table.  *first is the
 * bucket's value before (its first link or its nulls marker).  Preemption
 * stays disabled while it is held (also on PREEMPT_RT, where BH-disabled code
 * can be preempted): nobody spins behind a holder that does not run.  Not
 * seen by lockdep (a bit lock, as the kernel's hlist_bl): held for a few
 * stores, never with another lock taken inside.
 */
static __always_inline bool ipnf_bucket_lock(const struct ipnf_htab *t,
					   struct ipnf_link *head,
					   struct ipnf_link **first)
{
	unsigned long *w = (unsigned long *)&head->next, v;

	preempt_disable();
	v = READ_ONCE(*w);
	for (;;) {
		if (unlikely(v & (1UL << IPNF_BUCKET_LOCK_BIT))) {
			if (rcu_access_pointer(ipnf_tab) != t) {
				preempt_enable();
				return false;
			}
			cpu_relax();
			v = READ_ONCE(*w);
			continue;
		}
		if (likely(try_cmpxchg(w, &v, v | IPNF_BUCKET_LOCKED)))
			break;
	}
	*first = (struct ipnf_link *)v;
	return true;
}

/* Let a bucket go, first its first link now (one release store does both). */
static __always_inline void ipnf_bucket_unlock(struct ipnf_link *head,
					     struct ipnf_link *first)
{
	smp_store_release((unsigned long *)&head->next, (unsigned long)first);
	preempt_enable();
}

/* Lock hash's bucket in the current table (a resize cannot replace it then). */
static __always_inline struct ipnf_link *ipnf_lock_bucket(u32 hash, struct ipnf_link **first)
{
	struct ipnf_htab *t;
	struct ipnf_link *head;

	do {
		t = rcu_dereference_bh(ipnf_tab);
		head = &t->b[reciprocal_scale(hash, t->size)];
	} while (unlikely(!ipnf_bucket_lock(t, head, first)));
	return head;
}

void ipnf_flow_end(struct ipnf_flow *f, u32 tcp_flags)
{
	u32 add = tcp_flags | IPNF_FLOW_ENDED;
	const struct ipnf_htab *t;
	unsigned int b;

	if (tcp_flags & IPNF_TCP_RST)
		add |= IPNF_FLOW_RST;
	if (atomic_fetch_or(add, &f->state) & IPNF_FLOW_ENDED)
		return;
	/*
	 * The first FIN or RST: flag the flow's group of buckets in this CPU's
	 * map (raw: set_bit is atomic, so a migration in between only picks
	 * another CPU's map, still the worker's).  Should a resize regroup the
	 * buckets meanwhile, the worker looks at every group once after it (a
	 * bit set by an old group after that: the regular sweep finds the flow).
	 */
	t = rcu_dereference(ipnf_tab);
	b = reciprocal_scale(ipnf_key_hash(&f->key, ipnf_key_len(&f->key)), t->size);
	set_bit(b >> t->group_shift, raw_cpu_ptr(ipnf_end_maps)->bits);
}

static void ipnf_drop(u32 pkts, u32 bytes)
{
	this_cpu_add(ipnf_stats.drop_pkts, pkts);
	this_cpu_add(ipnf_stats.drop_bytes, bytes);
}

/*
 * A new flow; inlined once per key length (ipnf_flow_insert4/6).  True when
 * the packet made one (not when it found one after all, or was dropped).
 */
static __always_inline bool ipnf_flow_insert(const struct ipnf_flow_key *key,
					   unsigned int klen, u32 hash,
					   const struct ipnf_pkt_info *pi,
					   u32 pkts, u32 bytes, u32 now)
{
	int max = READ_ONCE(ipnf_cfg.maxflows);
	bool v6 = klen == IPNF_KEY_V6_LEN;	/* known where inlined */
	struct ipnf_link *head, *first, *n;
	struct ipnf_flow *f, *g;

	/*
	 * BH off for the per-CPU pool and the bucket lock: it already is on
	 * the receive path and under iptables; nft's OUTPUT may run with it on.
	 */
	bool bh = !in_softirq();

	if (unlikely(!ipnf_flow_place_get(max))) {
		this_cpu_inc(ipnf_stats.maxflows_err);
		ipnf_drop(pkts, bytes);
		return false;
	}
	if (bh)
		local_bh_disable();
	f = ipnf_flow_alloc(v6);
	if (unlikely(!f)) {
		if (bh)
			local_bh_enable();
		ipnf_flow_place_put();
		this_cpu_inc(ipnf_stats.alloc_err);
		ipnf_drop(pkts, bytes);
		return false;
	}
	memcpy(&f->key, key, klen);
	atomic64_set(&f->bytes, bytes);
	atomic_set(&f->packets, pkts);
	atomic_set(&f->state, ipnf_pkt_state(pi));
	f->ts_first = now;
	f->ts_last = now;
	f->oif = pi->oif;
	atomic_set(&f->ip_opts, pi->ip_opts);
	atomic_set(&f->tcp_opts, (u32)pi->tcp_opts);
#ifdef ENABLE_PHYSDEV
	f->physin = pi->physin;
	f->physout = pi->physout;
#endif
	if (v6)
		*ipnf_flow_label(f) = pi->label;

	head = ipnf_lock_bucket(hash, &first);
	/*
	 * Another CPU may have inserted the same flow since our lookup.  The
	 * worker may unlink flows after the first meanwhile (marked reads).
	 */
	for (n = first; !ipnf_is_nulls(n); n = rcu_dereference_check(n->next, 1)) {
		g = ipnf_link_flow(n);
		if ((klen == IPNF_KEY_V4_LEN || g->key.family == key->family) &&
		    ipnf_key_eq(&g->key, key, klen)) {
			ipnf_flow_update(g, pi, pkts, bytes, now);
			ipnf_bucket_unlock(head, first);
			ipnf_flow_unalloc(f, v6);
			if (bh)
				local_bh_enable();
			ipnf_flow_place_put();
			this_cpu_inc(ipnf_stats.found);
			this_cpu_add(ipnf_stats.pkts, pkts);
			this_cpu_add(ipnf_stats.bytes, bytes);
			return false;
		}
	}
	RCU_INIT_POINTER(f->hnode.next, first);
	ipnf_bucket_unlock(head, &f->hnode);	/* published, and the lock let go */
	if (bh)
		local_bh_enable();

	this_cpu_inc(ipnf_stats.new_flows);
	if (v6)
		this_cpu_inc(ipnf_flows_v6);
	if (unlikely(pi->tcp_flags & (IPNF_TCP_FIN | IPNF_TCP_RST)))
		ipnf_flow_end(f, ipnf_pkt_state(pi));
	this_cpu_add(ipnf_stats.pkts, pkts);
	this_cpu_add(ipnf_stats.bytes, bytes);
	return true;
}

noinline bool ipnf_flow_insert4(const struct ipnf_flow_key *key, u32 hash,
				     const struct ipnf_pkt_info *pi,
				     u32 pkts, u32 bytes, u32 now)
{
	return ipnf_flow_insert(key, IPNF_KEY_V4_LEN, hash, pi, pkts, bytes, now);
}

noinline bool ipnf_flow_insert6(const struct ipnf_flow_key *key, u32 hash,
				     const struct ipnf_pkt_info *pi,
				     u32 pkts, u32 bytes, u32 now)
{
	return ipnf_flow_insert(key, IPNF_KEY_V6_LEN, hash, pi, pkts, bytes, now);
}

/* Out of line, for the paths that are not a netfilter hook's own. */
bool ipnf_flow_account(struct ipnf_flow_key *key, const struct ipnf_pkt_info *pi,
		     u32 pkts, u32 bytes)
{
	if (key->family == IPNF_FAM_V4)
		return ipnf_account_len(key, IPNF_KEY_V4_LEN, pi, pkts, bytes);
	return ipnf_account_len(key, IPNF_KEY_V6_LEN, pi, pkts, bytes);
}

/*
 * Account the packet only to a flow that exists already (or leave it to
 * the hash sampler); false if there is none.  For offload.c, whose new
 * flows need an egress interface it has to look up first.
 */
bool ipnf_flow_account_known(const struct ipnf_flow_key *key,
			   const struct ipnf_pkt_info *pi, u32 pkts, u32 bytes)
{
	unsigned int klen = ipnf_key_len(key);
	u32 hash = ipnf_key_hash(key, klen);
	struct ipnf_flow *f;
	u64 searched = 0;

	if (ipnf_hash_sampled_out(hash, pkts))
		return true;
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "ipnf_flow_account_known outside RCU");
	f = ipnf_lookup(key, klen, hash, &searched);
	this_cpu_add(ipnf_stats.searched, searched);
	if (!f)
		return false;
	ipnf_flow_update(f, pi, pkts, bytes, (u32)jiffies);
	this_cpu_inc(ipnf_stats.found);
	this_cpu_add(ipnf_stats.pkts, pkts);
	this_cpu_add(ipnf_stats.bytes, bytes);
	return true;
}

unsigned int ipnf_flows_v6_count(void)
{
	unsigned int cpu;
	int n = 0;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(*per_cpu_ptr(&ipnf_flows_v6, cpu));
	return n > 0 ? n : 0;
}

u64 ipnf_flows_mem(void)
{
	unsigned int all = ipnf_flows_count();
	unsigned int v6 = ipnf_flows_v6_count();
	u64 mem = ipnf_pool_bytes();	/* the carved pages: their flows too */

	if (v6 > all)
		v6 = all;
	if (!ipnf_flow_paged(IPNF_FAM_V4))
		mem += (u64)(all - v6) * ipnf_flow_objsize(IPNF_FAM_V4);
	if (!ipnf_flow_paged(IPNF_FAM_V6))
		mem += (u64)v6 * ipnf_flow_objsize(IPNF_FAM_V6);
	return mem;
}

/*
 * Exported flows, after their grace period: their counters to the removed
 * totals, the flows to the pool (export mutex held).
 */
void ipnf_flows_free(struct ipnf_flow *const *v, unsigned int n)
{
	struct ipnf_flow_sums sum;

	lockdep_assert_held(&ipnf_export_mutex);

	ipnf_flows_recycle(v, n, &sum);
	atomic64_add(sum.pkts, &ipnf_removed_pkts);
	atomic64_add(sum.bytes, &ipnf_removed_bytes);
	this_cpu_sub(ipnf_flows_v6, sum.v6);
	ipnf_flow_places_free(n);
}

/* Buckets a sweep looks at between two chances to reschedule. */
#define IPNF_SWEEP_RUN 256

/*
 * The first bucket of [b, end) that holds a flow, or end; empty buckets
 * four at a time: an empty bucket holds a nulls marker, whose bit 0 is set
 * (locked or not).
 */
static __always_inline unsigned int ipnf_next_used(const struct ipnf_link *tbl,
						  unsigned int b, unsigned int end)
{
	const struct ipnf_link *h = tbl + b, *e = tbl + end;

	while (e - h >= 4 &&
	       ((unsigned long)rcu_access_pointer(h[0].next) &
		(unsigned long)rcu_access_pointer(h[1].next) &
		(unsigned long)rcu_access_pointer(h[2].next) &
		(unsigned long)rcu_access_pointer(h[3].next) & 1))
		h += 4;
	while (h < e && ipnf_is_nulls(rcu_access_pointer(h->next)))
		h++;
	return h - tbl;
}

/*
 * n, first in its bucket when the worker looked, is to go; the head was not
 * n any more for the cmpxchg: an insert holds the bucket (wait: it holds it
 * for a few stores, preemption disabled) or put a flow in front of n (then n
 * follows a flow: found from the new first).  Returns the link n's successor
 * follows after the unlink.
 */
static noinline struct ipnf_link *ipnf_unlink_first_slow(struct ipnf_link *head,
							 struct ipnf_link *n,
							 struct ipnf_link *next)
{
	unsigned long *w = (unsigned long *)&head->next, first;
	struct ipnf_link *p;

	for (;;) {
		first = READ_ONCE(*w);
		if (first & (1UL << IPNF_BUCKET_LOCK_BIT)) {
			cpu_relax();
			continue;
		}
		if (first != (unsigned long)n)
			break;
		if (try_cmpxchg(w, &first, (unsigned long)next))
			return head;
	}
	p = (struct ipnf_link *)first;
	while (rcu_dereference_protected(p->next, 1) != n)
		p = rcu_dereference_protected(p->next, 1);
	RCU_INIT_POINTER(p->next, next);
	return p;
}

/*
 * Buckets [b, end) of table t (ipnf_export_mutex held): unlink the flows due
 * into batch.  Returns where it stopped: end, or the bucket it was in when
 * the batch filled (looked at again next time).  *lingering counts the FIN
 * flows not due yet.
 */
static __always_inline unsigned int ipnf_sweep_buckets_as(struct ipnf_htab *t,
				     unsigned int b, unsigned int end,
				     const struct ipnf_expiry *exp,
				     struct ipnf_batch *batch, unsigned int *nflows,
				     unsigned int *lingering, const bool all)
{
	/*
	 * The loop works on copies: the atomic_or() below is a compiler
	 * barrier, after which anything reached through a pointer would be
	 * read again, for every flow.
	 */
	const struct ipnf_expiry e = *exp;
	struct ipnf_flow **v = batch->v;
	unsigned int bn = batch->n, cap = batch->cap, seen = 0, linger = 0;
	struct ipnf_link *tbl = t->b, *head, *run, *p, *n, *next;
	unsigned long first;
	struct ipnf_flow *f;
	bool full = false;
	u8 reason;

	lockdep_assert_held(&ipnf_export_mutex);
	while (b < end && !full) {
		b = ipnf_next_used(tbl, b, end);
		if (b == end)
			break;
		for (head = &tbl[b], run = &tbl[min(end, b + IPNF_SWEEP_RUN)]; head < run;
		     head++) {
			/*
			 * Unlinking is the worker's alone (inserts write only
			 * heads): after a flow, one store; the first flow of a
			 * chain, one cmpxchg of the head, which fails while an
			 * insert holds the bucket or after one put a flow in
			 * front.  An unlinked flow's own link stays, for readers
			 * still on it.
			 */
			/*
			 * Empty, the usual case; or held by an insert at this
			 * moment (it looks like a chain's end then): looked at
			 * again by the next sweep.
			 */
			n = rcu_dereference_check(head->next, 1);
			if (ipnf_is_nulls(n))
				continue;
			p = head;
			while (!ipnf_is_nulls(n)) {
				f = ipnf_link_flow(n);
				seen++;
				reason = 0;
				/*
				 * A flush takes every flow and sets no end
				 * reason: ipnf_flow_end_reason() tells it from
				 * the state, as ipnf_flow_due() decides with e.all.
				 */
				if (!all && !ipnf_flow_due(f, &e, &reason)) {
					linger += reason == IPNF_END_EOF;
					p = n;
					n = rcu_dereference_protected(n->next, 1);
					continue;
				}
				if (bn == cap) {
					full = true;
					break;
				}
				next = rcu_dereference_protected(n->next, 1);
				first = (unsigned long)n;
				if (p != head)
					RCU_INIT_POINTER(p->next, next);
				else if (unlikely(!try_cmpxchg((unsigned long *)&head->next, &first,
							       (unsigned long)next)))
					p = ipnf_unlink_first_slow(head, n, next);
				if (!all)
					atomic_or(reason << 16, &f->state);
				v[bn++] = f;
				n = next;
			}
			if (full)
				break;
		}
		b = head - tbl;
		cond_resched();
	}
	batch->n = bn;
	*nflows += seen;
	*lingering += linger;
	return full ? b : end;
}

/* Compiled twice: a flush (every flow due) needs no test of each flow. */
static noinline unsigned int ipnf_sweep_all(struct ipnf_htab *t, unsigned int b,
					  unsigned int end, const struct ipnf_expiry *exp,
					  struct ipnf_batch *batch, unsigned int *nflows,
					  unsigned int *lingering)
{
	return ipnf_sweep_buckets_as(t, b, end, exp, batch, nflows, lingering, true);
}

static noinline unsigned int ipnf_sweep_due(struct ipnf_htab *t, unsigned int b,
					  unsigned int end, const struct ipnf_expiry *exp,
					  struct ipnf_batch *batch, unsigned int *nflows,
					  unsigned int *lingering)
{
	return ipnf_sweep_buckets_as(t, b, end, exp, batch, nflows, lingering, false);
}

static unsigned int ipnf_sweep_buckets(struct ipnf_htab *t, unsigned int b,
				     unsigned int end, const struct ipnf_expiry *exp,
				     struct ipnf_batch *batch, unsigned int *nflows,
				     unsigned int *lingering)
{
	if (exp->all && !exp->ended_only)
		return ipnf_sweep_all(t, b, end, exp, batch, nflows, lingering);
	return ipnf_sweep_due(t, b, end, exp, batch, nflows, lingering);
}

static struct ipnf_htab *ipnf_tab_worker(void)
{
	return rcu_dereference_protected(ipnf_tab, lockdep_is_held(&ipnf_export_mutex));
}

unsigned int ipnf_table_sweep(unsigned int from, unsigned int n,
			    const struct ipnf_expiry *exp, struct ipnf_batch *batch,
			    unsigned int *nflows)
{
	struct ipnf_htab *t = ipnf_tab_worker();
	unsigned int end, lingering = 0;

	end = from + n < t->size && from + n > from ? from + n : t->size;
	if (from >= end)
		return 0;
	return ipnf_sweep_buckets(t, from, end, exp, batch, nflows, &lingering) - from;
}

void ipnf_table_sweep_ended(const struct ipnf_expiry *exp, struct ipnf_batch *batch,
			  unsigned int *nflows)
{
	struct ipnf_htab *t = ipnf_tab_worker();
	unsigned int groups = DIV_ROUND_UP(t->size, 1U << t->group_shift);
	unsigned int g, w, from, end, lingering;
	struct ipnf_expiry e = *exp;
	struct ipnf_end_map *m;
	int cpu;

	lockdep_assert_held(&ipnf_export_mutex);
	e.ended_only = true;

	for_each_possible_cpu(cpu) {
		m = per_cpu_ptr(ipnf_end_maps, cpu);
		for (w = 0; w < ARRAY_SIZE(m->bits); w++)
			if (READ_ONCE(m->bits[w]))
				ipnf_end_work.bits[w] |= xchg(&m->bits[w], 0);
	}
	if (ipnf_end_all) {
		bitmap_fill(ipnf_end_work.bits, groups);
		ipnf_end_all = false;
	}
	bitmap_clear(ipnf_end_work.bits, groups, IPNF_END_GROUPS - groups);
	for_each_set_bit(g, ipnf_end_work.bits, groups) {
		from = g << t->group_shift;
		end = min(t->size, from + (1U << t->group_shift));
		lingering = 0;
		if (ipnf_sweep_buckets(t, from, end, &e, batch, nflows, &lingering) != end)
			break;		/* the batch is full: this group and the rest next time */
		__clear_bit(g, ipnf_end_work.bits);
		if (lingering)
			__set_bit(g, ipnf_end_next.bits);
	}
	bitmap_or(ipnf_end_work.bits, ipnf_end_work.bits, ipnf_end_next.bits, groups);
	bitmap_zero(ipnf_end_next.bits, IPNF_END_GROUPS);
}

int ipnf_table_walk(unsigned int b, int (*fn)(const struct ipnf_flow *f, void *arg),
		  void *arg)
{
	const struct ipnf_htab *t;
	struct ipnf_link *n;
	int ret = 0;

	rcu_read_lock();
again:
	t = rcu_dereference(ipnf_tab);
	if (b < t->size) {
		for (n = rcu_dereference(t->b[b].next); !ipnf_is_nulls(n);
		     n = rcu_dereference(n->next)) {
			ret = fn(ipnf_link_flow(n), arg);
			if (ret)
				goto out;
		}
		/*
		 * A lock bit is only ever on a bucket: this one is held by an
		 * insert (or a resize has it), and fn saw none of its flows.
		 */
		if ((unsigned long)n & (1UL << IPNF_BUCKET_LOCK_BIT)) {
			cpu_relax();
			goto again;
		}
	}
out:
	rcu_read_unlock();
	return ret;
}

/* The current table, for the configuration side (not the packet path). */
static const struct ipnf_htab *ipnf_tab_now(void)
{
	return rcu_dereference_check(ipnf_tab, 1);	/* only its size is read */
}

unsigned int ipnf_table_size(void)
{
	return ipnf_tab_now()->size;
}

unsigned int ipnf_table_mem(void)
{
	return struct_size(ipnf_tab_now(), b, ipnf_tab_now()->size);
}

static struct ipnf_htab *ipnf_alloc_table(unsigned int size)
{
	struct ipnf_htab *t;
	unsigned int i;

	t = kvmalloc(struct_size(t, b, size), GFP_KERNEL);
	if (!t)
		return NULL;
	t->size = size;
	t->group_shift = size > IPNF_END_GROUPS ?
		ilog2(roundup_pow_of_two(size)) - ilog2(IPNF_END_GROUPS) : 0;
	for (i = 0; i < size; i++)
		RCU_INIT_POINTER(t->b[i].next, ipnf_nulls(i));
	return t;
}

/*
 * Called with ipnf_cfg_mutex and ipnf_export_mutex held (no sweep runs).  Each
 * bucket of the old table in turn is locked, for good, and its flows moved:
 * new flows for it wait, then go to the new table (ipnf_bucket_lock); lookups
 * go on, and start again while the move is in progress.  BH stays disabled
 * throughout, so that no insert on this CPU waits for a move it interrupted.
 */
int ipnf_table_resize(unsigned int size)
{
	struct ipnf_htab *new, *old;
	struct ipnf_link *n, *next;
	struct ipnf_flow *f;
	unsigned int i, b;

	lockdep_assert_held(&ipnf_cfg_mutex);
	lockdep_assert_held(&ipnf_export_mutex);

	old = rcu_dereference_protected(ipnf_tab, lockdep_is_held(&ipnf_export_mutex));
	if (size == old->size)
		return 0;
	new = ipnf_alloc_table(size);
	if (!new)
		return -ENOMEM;

	local_bh_disable();
	for (i = 0; i < old->size; i++) {
		if (!ipnf_bucket_lock(old, &old->b[i], &n))
			continue;	/* cannot be: only a resize replaces the table */
		/*
		 * Each flow from the front of its old chain to the head of its
		 * new one: a reader on it then walks the new chain and ends on
		 * another nulls value (and looks again), never at a loop.
		 */
		for (; !ipnf_is_nulls(n); n = next) {
			f = ipnf_link_flow(n);
			b = reciprocal_scale(ipnf_key_hash(&f->key, ipnf_key_len(&f->key)), size);
			next = rcu_dereference_protected(n->next, 1);
			RCU_INIT_POINTER(n->next, rcu_dereference_protected(new->b[b].next, 1));
			rcu_assign_pointer(new->b[b].next, n);
		}
		/* empty and held: what a reader sees there is its own chain's end */
		WRITE_ONCE(*(unsigned long *)&old->b[i].next,
			   (unsigned long)ipnf_nulls(i) | IPNF_BUCKET_LOCKED);
		preempt_enable();	/* ipnf_bucket_lock()'s; BH stays disabled */
	}
	rcu_assign_pointer(ipnf_tab, new);
	ipnf_end_all = true;	/* the FIN flows flagged so far, by old groups */
	local_bh_enable();

	ipnf_wait_readers();	/* no reader is still walking old, no insert waits on it */
	kvfree(old);
	return 0;
}

static unsigned int ipnf_auto_hashsize(void)
{
	/* One bucket per 16 KiB of RAM, a power of two in [1024, 1M]. */
	unsigned long want = (totalram_pages() << PAGE_SHIFT) >> 14;

	want = clamp_t(unsigned long, want, 1024, 1UL << 20);
	return (unsigned int)rounddown_pow_of_two(want);
}

int ipnf_table_init(unsigned int size)
{
	struct ipnf_htab *t;

	/* ipnf_key_set_ports(), ipnf_key_ports_hl(): both ports as one word */
	BUILD_BUG_ON(offsetof(struct ipnf_flow_key, dport) !=
		     offsetof(struct ipnf_flow_key, sport) + 2);
	get_random_bytes(&ipnf_hash_key, sizeof(ipnf_hash_key));
	get_random_bytes(&ipnf_hash_pms, sizeof(ipnf_hash_pms));

	ipnf_end_maps = alloc_percpu(struct ipnf_end_map);
	if (!ipnf_end_maps)
		return -ENOMEM;
	if (ipnf_pool_init())
		goto err_maps;
	if (!size)
		size = ipnf_auto_hashsize();
	t = ipnf_alloc_table(size);
	if (!t)
		goto err_pool;
	rcu_assign_pointer(ipnf_tab, t);
	ipnf_cfg.hashsize = size;
	return 0;

err_pool:
	ipnf_pool_exit();
err_maps:
	free_percpu(ipnf_end_maps);
	ipnf_end_maps = NULL;
	return -ENOMEM;
}

/* All flows were exported and freed by the final flush. */
void ipnf_table_exit(void)
{
	struct ipnf_htab *t = rcu_replace_pointer(ipnf_tab, NULL, true);

	ipnf_wait_readers();
	kvfree(t);
	ipnf_pool_exit();
	free_percpu(ipnf_end_maps);
	ipnf_end_maps = NULL;
}
