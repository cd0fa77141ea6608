// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow table: an RCU hash of hlist_nulls chains keyed with random
 * secrets (ipnf_key_hash), striped locks for writers, a seqcount for resizing.
 *
 * Packet path for a known flow: hash, lock-free lookup, three atomics.  A new
 * flow takes one stripe lock.
 *
 * Cache lines the packet path writes: for a known flow, only the flow itself
 * (counters, last-seen stamp; the packets of one flow normally stay on one
 * CPU) and this CPU's statistics, plus this CPU's ended list on FIN/RST.  A
 * new flow also writes lines other CPUs write: its stripe lock, its bucket's
 * head and ipnf_flows_active (the maxflows bound, exact at every moment).
 *
 * Expired flows are unlinked by the worker and read (and freed) only after a
 * grace period, so late updates from readers that found the flow before the
 * unlink are never lost.  The resize scheme
 * (all stripes held through a global flag, nulls values to detect moved
 * entries) follows nf_conntrack's.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/siphash.h>
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/seqlock.h>
#include <linux/jiffies.h>
#include <linux/spinlock.h>
#include <linux/rculist_nulls.h>
#include "cfg.h"
#include "locks.h"
#include "stats.h"
#include "flowtable.h"
#include "flowpool.h"

#define IPNF_LOCKS 1024

static struct hlist_nulls_head *ipnf_hash;
static unsigned int ipnf_hash_size;
/*
 * Stripe of bucket b: (b * ipnf_stripe_mul) >> 32 with mul = 2^42 / size, so
 * each lock covers a run of consecutive buckets (the sweep takes it once per
 * run, not once per bucket).  Changes with the size, under ipnf_hash_gen.
 */
static u64 ipnf_stripe_mul;
static spinlock_t ipnf_locks[IPNF_LOCKS];
static DEFINE_SPINLOCK(ipnf_locks_all_lock);
static bool ipnf_locks_all;
static seqcount_spinlock_t ipnf_hash_gen;
static hsiphash_key_t ipnf_hash_key __read_mostly;
static u32 ipnf_hash_seed __read_mostly;

atomic_t ipnf_flows_active;
atomic_t ipnf_flows_v6;
/* Flows that ended (FIN/RST) per CPU: the packet path writes only its own CPU's head. */
DEFINE_PER_CPU(struct llist_head, ipnf_ended);
atomic64_t ipnf_removed_pkts;
atomic64_t ipnf_removed_bytes;

/* Take a stripe lock, waiting out a resize (BH must be disabled). */
static void ipnf_lock(spinlock_t *l)
{
	spin_lock(l);
	if (likely(!smp_load_acquire(&ipnf_locks_all)))
		return;
	spin_unlock(l);
	spin_lock(&ipnf_locks_all_lock);
	spin_lock(l);
	spin_unlock(&ipnf_locks_all_lock);
}

static void ipnf_all_lock(void)
{
	int i;

	spin_lock(&ipnf_locks_all_lock);
	WRITE_ONCE(ipnf_locks_all, true);
	/* Wait for every current holder; their unlock orders our flag. */
	for (i = 0; i < IPNF_LOCKS; i++) {
		spin_lock(&ipnf_locks[i]);
		spin_unlock(&ipnf_locks[i]);
	}
}

static void ipnf_all_unlock(void)
{
	smp_store_release(&ipnf_locks_all, false);
	spin_unlock(&ipnf_locks_all_lock);
}

static inline spinlock_t *ipnf_stripe(unsigned int b, u64 mul)
{
	return &ipnf_locks[(b * mul) >> 32];
}

static u64 ipnf_stripe_mul_for(unsigned int size)
{
	return div64_u64((u64)IPNF_LOCKS << 32, size);
}

/*
 * The bucket hash, keyed with random secrets drawn at load.  IPv4 keys
 * without optional fields (the packet path's common case: five words) use
 * jhash2 with a random seed, as the classic module does: measured under
 * icount it costs ~50 guest instructions where hsiphash costs ~150, a third
 * of the whole per-packet budget.  Every other key (IPv6, VLAN/MAC/MPLS
 * fields) uses hsiphash.  Either way an attacker who cannot read the
 * secrets cannot aim packets at one chain; /proc shows the search depth.
 */
static inline u32 ipnf_key_hash(const struct ipnf_flow_key *k, unsigned int klen)
{
#ifdef IPNF_KEY_COMPACT
	BUILD_BUG_ON(IPNF_KEY_V4_LEN != 5 * sizeof(u32));
	if (k->family == IPNF_FAM_V4)
		/*
		 * The five key words through jhash's final mix: addresses
		 * and ports as they are, proto/tos/family/dir (one word) into
		 * the seed, iif onto the source address.  Keys that differ
		 * only so that src ^ iif is the same are on different
		 * interfaces: at most one flow per interface can share a
		 * hash that way, whatever the secret.
		 */
		return jhash_3words((__force u32)k->a.v4.src ^ k->iif,
				    (__force u32)k->a.v4.dst,
				    get_unaligned((const u32 *)&k->sport),
				    ipnf_hash_seed ^
				    get_unaligned((const u32 *)&k->proto));
#endif
	return hsiphash(k, klen, &ipnf_hash_key);
}

static __always_inline bool ipnf_key_eq(const struct ipnf_flow_key *a,
				      const struct ipnf_flow_key *b,
				      unsigned int klen)
{
	const u32 *x = (const u32 *)a, *y = (const u32 *)b;
	u32 diff = 0;
	unsigned int i;

#ifdef IPNF_KEY_COMPACT
	if (klen == IPNF_KEY_V4_LEN)	/* 20 bytes: two 64-bit words and one */
		return !((get_unaligned((const u64 *)x) ^
			  get_unaligned((const u64 *)y)) |
			 (get_unaligned((const u64 *)x + 1) ^
			  get_unaligned((const u64 *)y + 1)) |
			 (x[4] ^ y[4]));
#endif
	for (i = 0; i < klen / 4; i++)
		diff |= x[i] ^ y[i];
	return !diff;
}

/* Lock-free lookup; caller is in an RCU read-side section. */
static __always_inline struct ipnf_flow *ipnf_lookup(const struct ipnf_flow_key *k,
				 unsigned int klen, u32 hash, u64 *searched)
{
	struct hlist_nulls_head *tbl;
	struct hlist_nulls_node *n;
	struct ipnf_flow *f;
	unsigned int b, seq;

begin:
	do {
		seq = read_seqcount_begin(&ipnf_hash_gen);
		tbl = READ_ONCE(ipnf_hash);
		b = reciprocal_scale(hash, READ_ONCE(ipnf_hash_size));
	} while (read_seqcount_retry(&ipnf_hash_gen, seq));

	hlist_nulls_for_each_entry_rcu(f, n, &tbl[b], hnode) {
		(*searched)++;
		/*
		 * An IPv6 lookup checks the family first: an IPv4 entry is only
		 * IPNF_KEY_V4_LEN long.  An IPv4 lookup compares just that much,
		 * family included.
		 */
		if ((klen == IPNF_KEY_V4_LEN || f->key.family == k->family) &&
		    ipnf_key_eq(&f->key, k, klen))
			return f;
	}
	/* Ended on another chain's nulls: an entry moved under us. */
	if (get_nulls_value(n) != b)
		goto begin;
	(*searched)++;		/* a miss costs the walk to the end: >= 1 */
	return NULL;
}

/* Lock the stripe of hash's bucket in a stable table (BH disabled). */
static __always_inline spinlock_t *ipnf_lock_bucket(u32 hash,
						 struct hlist_nulls_head **head)
{
	unsigned int seq, b;
	spinlock_t *l;

	for (;;) {
		seq = read_seqcount_begin(&ipnf_hash_gen);
		b = reciprocal_scale(hash, READ_ONCE(ipnf_hash_size));
		l = ipnf_stripe(b, READ_ONCE(ipnf_stripe_mul));
		ipnf_lock(l);
		if (!read_seqcount_retry(&ipnf_hash_gen, seq)) {
			*head = &ipnf_hash[b];
			return l;
		}
		spin_unlock(l);
	}
}

static void ipnf_flow_end(struct ipnf_flow *f, u32 tcp_flags)
{
	u32 add = tcp_flags | IPNF_FLOW_ENDED;
	int old;

	if (tcp_flags & IPNF_TCP_RST)
		add |= IPNF_FLOW_RST;
	old = atomic_fetch_or(add, &f->state);
	/*
	 * The first to set ENDED owns f->lnode: hand the flow to the worker,
	 * on this CPU's list (raw: llist_add is atomic, so a migration in
	 * between only picks another CPU's list, still the worker's).
	 */
	if (!(old & IPNF_FLOW_ENDED))
		llist_add(&f->lnode, raw_cpu_ptr(&ipnf_ended));
}

/* State bits a packet sets: its TCP flags and tcpOptions kinds 32-39. */
static inline u32 ipnf_pkt_state(const struct ipnf_pkt_info *pi)
{
	return pi->tcp_flags |
	       (u32)(pi->tcp_opts >> 32 & 0xff) << IPNF_FLOW_OPT_SHIFT;
}

/* Options seen for the first time in this flow (rare: the usual case is
 * one read of each word). */
static inline void ipnf_flow_opts(struct ipnf_flow *f, const struct ipnf_pkt_info *pi)
{
	u32 lo = (u32)pi->tcp_opts;

	if (unlikely(pi->ip_opts & ~atomic_read(&f->ip_opts)))
		atomic_or(pi->ip_opts, &f->ip_opts);
	if (unlikely(lo & ~atomic_read(&f->tcp_opts)))
		atomic_or(lo, &f->tcp_opts);
}

static __always_inline void ipnf_flow_update(struct ipnf_flow *f,
				  const struct ipnf_pkt_info *pi,
				  u32 pkts, u32 bytes, u32 now)
{
	u32 tf = ipnf_pkt_state(pi);

	if (pi->ip_opts | (u32)pi->tcp_opts)
		ipnf_flow_opts(f, pi);
	atomic_add(pkts, &f->packets);
	atomic64_add(bytes, &f->bytes);
	if (READ_ONCE(f->ts_last) != now)
		WRITE_ONCE(f->ts_last, now);
	if (unlikely(tf & (IPNF_TCP_FIN | IPNF_TCP_RST)))
		ipnf_flow_end(f, tf);
	else if (tf && (atomic_read(&f->state) & tf) != tf)
		atomic_or(tf, &f->state);
}

static void ipnf_drop(u32 pkts, u32 bytes)
{
	this_cpu_add(ipnf_stats.drop_pkts, pkts);
	this_cpu_add(ipnf_stats.drop_bytes, bytes);
}

/*
 * Reserve a place for one more flow unless maxflows (0: no limit) are
 * active: the count never goes above maxflows, even for a moment, so what
 * /proc, SNMP and the worker's peak read is never above it either.
 */
static __always_inline bool ipnf_flows_reserve(int max)
{
	int n;

	if (!max) {
		atomic_inc(&ipnf_flows_active);
		return true;
	}
	n = atomic_read(&ipnf_flows_active);
	do {
		if (n >= max)
			return false;
	} while (!atomic_try_cmpxchg(&ipnf_flows_active, &n, n + 1));
	return true;
}

/* A new flow; inlined once per key length (ipnf_flow_insert4/6). */
static __always_inline void ipnf_flow_insert(const struct ipnf_flow_key *key,
					   unsigned int klen, u32 hash,
					   const struct ipnf_pkt_info *pi,
					   u32 pkts, u32 bytes, u32 now)
{
	int max = READ_ONCE(ipnf_cfg.maxflows);
	bool v6 = key->family == IPNF_FAM_V6;
	struct hlist_nulls_head *head;
	struct hlist_nulls_node *n;
	struct ipnf_flow *f, *g;
	spinlock_t *l;

	/*
	 * BH off for the per-CPU pool and the stripe lock: it already is on
	 * the receive path and under iptables; nft's OUTPUT may run with it on.
	 */
	bool bh = !in_softirq();

	if (unlikely(!ipnf_flows_reserve(max))) {
		this_cpu_inc(ipnf_stats.maxflows_err);
		ipnf_drop(pkts, bytes);
		return;
	}
	if (bh)
		local_bh_disable();
	f = ipnf_flow_alloc(v6);
	if (unlikely(!f)) {
		if (bh)
			local_bh_enable();
		atomic_dec(&ipnf_flows_active);
		this_cpu_inc(ipnf_stats.alloc_err);
		ipnf_drop(pkts, bytes);
		return;
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

	l = ipnf_lock_bucket(hash, &head);
	/* Another CPU may have inserted the same flow since our lookup. */
	hlist_nulls_for_each_entry(g, n, head, hnode) {
		if (g->key.family == key->family && ipnf_key_eq(&g->key, key, klen)) {
			ipnf_flow_update(g, pi, pkts, bytes, now);
			spin_unlock(l);
			if (bh)
				local_bh_enable();
			ipnf_flow_free_now(f);
			atomic_dec(&ipnf_flows_active);
			this_cpu_inc(ipnf_stats.found);
			goto counted;
		}
	}
	hlist_nulls_add_head_rcu(&f->hnode, head);
	spin_unlock(l);
	if (bh)
		local_bh_enable();

	this_cpu_inc(ipnf_stats.new_flows);
	if (v6)
		atomic_inc(&ipnf_flows_v6);
	if (unlikely(pi->tcp_flags & (IPNF_TCP_FIN | IPNF_TCP_RST)))
		ipnf_flow_end(f, ipnf_pkt_state(pi));
counted:
	this_cpu_add(ipnf_stats.pkts, pkts);
	this_cpu_add(ipnf_stats.bytes, bytes);
}

static noinline void ipnf_flow_insert4(const struct ipnf_flow_key *key, u32 hash,
				     const struct ipnf_pkt_info *pi,
				     u32 pkts, u32 bytes, u32 now)
{
	ipnf_flow_insert(key, IPNF_KEY_V4_LEN, hash, pi, pkts, bytes, now);
}

static noinline void ipnf_flow_insert6(const struct ipnf_flow_key *key, u32 hash,
				     const struct ipnf_pkt_info *pi,
				     u32 pkts, u32 bytes, u32 now)
{
	ipnf_flow_insert(key, IPNF_KEY_V6_LEN, hash, pi, pkts, bytes, now);
}

/*
 * Hash flow sampling, decided from the key's hash before any table work:
 * true (and counted) when the flow is not one of those sampled.
 */
static __always_inline bool ipnf_hash_sampled_out(u32 hash, u32 pkts)
{
	if (unlikely(READ_ONCE(ipnf_cfg.sampler_kind) == IPNF_SAMPLER_HASH)) {
		unsigned int n = READ_ONCE(ipnf_cfg.sampler_interval);

		if (n > 1 && hash % n) {
			this_cpu_add(ipnf_stats.sampled_out, pkts);
			return true;
		}
	}
	return false;
}

/* Inlined once per key length, so hashing and comparing have fixed sizes. */
static __always_inline void ipnf_account_len(struct ipnf_flow_key *key,
					   unsigned int klen,
					   const struct ipnf_pkt_info *pi,
					   u32 pkts, u32 bytes)
{
	u32 hash = ipnf_key_hash(key, klen);
	u32 now = (u32)jiffies;
	struct ipnf_flow *f;
	u64 searched = 0;

	if (ipnf_hash_sampled_out(hash, pkts))
		return;

	/*
	 * No rcu_read_lock() of our own: every caller is a netfilter hook,
	 * which runs the targets inside its RCU read-side section.
	 */
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "ipnf_flow_account outside RCU");
	f = ipnf_lookup(key, klen, hash, &searched);
	if (likely(f)) {
		ipnf_flow_update(f, pi, pkts, bytes, now);
		this_cpu_add(ipnf_stats.searched, searched);
		this_cpu_inc(ipnf_stats.found);
		this_cpu_add(ipnf_stats.pkts, pkts);
		this_cpu_add(ipnf_stats.bytes, bytes);
		return;
	}
	if (klen == IPNF_KEY_V4_LEN)
		ipnf_flow_insert4(key, hash, pi, pkts, bytes, now);
	else
		ipnf_flow_insert6(key, hash, pi, pkts, bytes, now);
	this_cpu_add(ipnf_stats.searched, searched);
}

void ipnf_flow_account(struct ipnf_flow_key *key, const struct ipnf_pkt_info *pi,
		     u32 pkts, u32 bytes)
{
	if (key->family == IPNF_FAM_V4)
		ipnf_account_len(key, IPNF_KEY_V4_LEN, pi, pkts, bytes);
	else
		ipnf_account_len(key, IPNF_KEY_V6_LEN, pi, pkts, bytes);
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

u64 ipnf_flows_mem(void)
{
	unsigned int all = atomic_read(&ipnf_flows_active);
	unsigned int v6 = atomic_read(&ipnf_flows_v6);

	if (v6 > all)
		v6 = all;
	return (u64)(all - v6) * ipnf_flow_objsize(IPNF_FAM_V4) +
	       (u64)v6 * ipnf_flow_objsize(IPNF_FAM_V6) + ipnf_pool_bytes();
}

/* An exported flow, after its grace period: to the pool (export mutex held). */
void ipnf_flow_free(struct ipnf_flow *f)
{
	lockdep_assert_held(&ipnf_export_mutex);

	if (f->key.family == IPNF_FAM_V6)
		atomic_dec(&ipnf_flows_v6);
	atomic_dec(&ipnf_flows_active);
	ipnf_flow_recycle(f);
}

/* Unlink a flow the caller claimed (IPNF_FLOW_ENDED) and that is hashed. */
bool ipnf_flow_unlink(struct ipnf_flow *f)
{
	struct hlist_nulls_head *head;
	spinlock_t *l;

	local_bh_disable();
	l = ipnf_lock_bucket(ipnf_key_hash(&f->key, ipnf_key_len(&f->key)), &head);
	hlist_nulls_del_rcu(&f->hnode);
	spin_unlock(l);
	local_bh_enable();
	return true;
}

/* Buckets a sweep handles under one lock hold (with BH disabled). */
#define IPNF_SWEEP_RUN 128

unsigned int ipnf_table_sweep(unsigned int from, unsigned int n,
			    const struct ipnf_expiry *exp, struct llist_head *batch,
			    unsigned int *nflows)
{
	struct hlist_nulls_head *tbl = ipnf_hash;
	unsigned int b = from, end, size = ipnf_hash_size, run_end;
	u64 mul = ipnf_stripe_mul, next;
	struct hlist_nulls_node *pos;
	struct ipnf_flow *f;
	spinlock_t *l;
	u8 reason;

	end = from + n < size && from + n > from ? from + n : size;
	while (b < end) {
		/*
		 * Skip empty buckets without locking, four at a time: an empty
		 * chain's head is a nulls marker, whose bit 0 is set.
		 */
		while (b + 4 <= end &&
		       ((unsigned long)READ_ONCE(tbl[b].first) &
			(unsigned long)READ_ONCE(tbl[b + 1].first) &
			(unsigned long)READ_ONCE(tbl[b + 2].first) &
			(unsigned long)READ_ONCE(tbl[b + 3].first) & 1))
			b += 4;
		while (b < end && hlist_nulls_empty(&tbl[b]))
			b++;
		if (b == end)
			break;
		/* a run of buckets of one stripe (stripes are consecutive) */
		l = ipnf_stripe(b, mul);
		next = div64_u64(((((b * mul) >> 32) + 1) << 32) + mul - 1, mul);
		run_end = min3((u64)end, (u64)b + IPNF_SWEEP_RUN, next);
		local_bh_disable();
		ipnf_lock(l);
		for (; b < run_end; b++) {
			if (hlist_nulls_empty(&tbl[b]))
				continue;
			hlist_nulls_for_each_entry_safe(f, pos, &tbl[b], hnode) {
				(*nflows)++;
				if (!ipnf_flow_expired(f, exp, &reason))
					continue;
				/* Claim it; one that ended by FIN/RST is the worker's already. */
				if (atomic_fetch_or(IPNF_FLOW_ENDED | reason << 16,
						    &f->state) & IPNF_FLOW_ENDED)
					continue;
				hlist_nulls_del_rcu(&f->hnode);
				__llist_add(&f->lnode, batch);
			}
		}
		spin_unlock(l);
		local_bh_enable();
		cond_resched();
	}
	return end - from;
}

int ipnf_table_walk(unsigned int b, int (*fn)(const struct ipnf_flow *f, void *arg),
		  void *arg)
{
	struct hlist_nulls_head *tbl;
	struct hlist_nulls_node *n;
	struct ipnf_flow *f;
	int ret = 0;

	rcu_read_lock();
	tbl = READ_ONCE(ipnf_hash);
	if (b < READ_ONCE(ipnf_hash_size)) {
		hlist_nulls_for_each_entry_rcu(f, n, &tbl[b], hnode) {
			ret = fn(f, arg);
			if (ret)
				break;
		}
	}
	rcu_read_unlock();
	return ret;
}

unsigned int ipnf_table_size(void)
{
	return READ_ONCE(ipnf_hash_size);
}

unsigned int ipnf_table_mem(void)
{
	return READ_ONCE(ipnf_hash_size) * sizeof(struct hlist_nulls_head);
}

static struct hlist_nulls_head *ipnf_alloc_buckets(unsigned int size)
{
	struct hlist_nulls_head *h;
	unsigned int i;

	h = kvmalloc_array(size, sizeof(*h), GFP_KERNEL);
	if (!h)
		return NULL;
	for (i = 0; i < size; i++)
		INIT_HLIST_NULLS_HEAD(&h[i], i);
	return h;
}

/*
 * Called with ipnf_cfg_mutex and ipnf_export_mutex held (no sweep runs).  New
 * flows wait on the stripe locks meanwhile; lookups of existing flows go on
 * (they retry while the move is in progress).
 */
int ipnf_table_resize(unsigned int size)
{
	struct hlist_nulls_head *new, *old;
	unsigned int i, old_size;
	struct ipnf_flow *f;

	lockdep_assert_held(&ipnf_cfg_mutex);
	lockdep_assert_held(&ipnf_export_mutex);

	if (size == ipnf_hash_size)
		return 0;
	new = ipnf_alloc_buckets(size);
	if (!new)
		return -ENOMEM;

	local_bh_disable();
	ipnf_all_lock();
	write_seqcount_begin(&ipnf_hash_gen);
	old = ipnf_hash;
	old_size = ipnf_hash_size;
	for (i = 0; i < old_size; i++) {
		while (!hlist_nulls_empty(&old[i])) {
			unsigned int b;

			f = hlist_nulls_entry(old[i].first, struct ipnf_flow, hnode);
			b = reciprocal_scale(ipnf_key_hash(&f->key, ipnf_key_len(&f->key)),
					     size);
			hlist_nulls_del_rcu(&f->hnode);
			hlist_nulls_add_head_rcu(&f->hnode, &new[b]);
		}
	}
	WRITE_ONCE(ipnf_hash, new);
	WRITE_ONCE(ipnf_hash_size, size);
	WRITE_ONCE(ipnf_stripe_mul, ipnf_stripe_mul_for(size));
	write_seqcount_end(&ipnf_hash_gen);
	ipnf_all_unlock();
	local_bh_enable();

	ipnf_wait_readers();	/* no reader is still walking old[] */
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
	unsigned int i;

	get_random_bytes(&ipnf_hash_key, sizeof(ipnf_hash_key));
	ipnf_hash_seed = get_random_u32();
	for (i = 0; i < IPNF_LOCKS; i++)
		spin_lock_init(&ipnf_locks[i]);
	seqcount_spinlock_init(&ipnf_hash_gen, &ipnf_locks_all_lock);

	if (ipnf_pool_init())
		return -ENOMEM;
	if (!size)
		size = ipnf_auto_hashsize();
	ipnf_hash = ipnf_alloc_buckets(size);
	if (!ipnf_hash) {
		ipnf_pool_exit();
		return -ENOMEM;
	}
	ipnf_hash_size = size;
	ipnf_stripe_mul = ipnf_stripe_mul_for(size);
	ipnf_cfg.hashsize = size;
	return 0;
}

/* All flows were exported and freed by the final flush. */
void ipnf_table_exit(void)
{
	ipnf_wait_readers();
	kvfree(ipnf_hash);
	ipnf_hash = NULL;
	ipnf_pool_exit();
}
