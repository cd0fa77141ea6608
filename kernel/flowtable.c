// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow table: an RCU hash of hlist_nulls chains keyed with hsiphash and
 * a random key, striped locks for writers, a seqcount for resizing.
 *
 * Packet path for a known flow: hash, lock-free lookup, three atomics.  A new
 * flow takes one stripe lock.  Expired flows are unlinked by the worker and
 * read (and freed) only after a grace period, so late updates from readers
 * that found the flow before the unlink are never lost.  The resize scheme
 * (all stripes held through a global flag, nulls values to detect moved
 * entries) follows nf_conntrack's.
 */
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/siphash.h>
#include <linux/random.h>
#include <linux/seqlock.h>
#include <linux/jiffies.h>
#include <linux/spinlock.h>
#include <linux/rculist_nulls.h>
#include "netflow.h"

#define NF_LOCKS 1024

static struct kmem_cache *nf_cache4, *nf_cache6;
static struct hlist_nulls_head *nf_hash;
static unsigned int nf_hash_size;
static spinlock_t nf_locks[NF_LOCKS];
static DEFINE_SPINLOCK(nf_locks_all_lock);
static bool nf_locks_all;
static seqcount_spinlock_t nf_hash_gen;
static hsiphash_key_t nf_hash_key __read_mostly;

atomic_t nf_flows_active;
atomic_t nf_flows_v6;
LLIST_HEAD(nf_ended);
atomic64_t nf_removed_pkts;
atomic64_t nf_removed_bytes;

/* Take a stripe lock, waiting out a resize (BH must be disabled). */
static void nf_lock(spinlock_t *l)
{
	spin_lock(l);
	if (likely(!smp_load_acquire(&nf_locks_all)))
		return;
	spin_unlock(l);
	spin_lock(&nf_locks_all_lock);
	spin_lock(l);
	spin_unlock(&nf_locks_all_lock);
}

static void nf_all_lock(void)
{
	int i;

	spin_lock(&nf_locks_all_lock);
	WRITE_ONCE(nf_locks_all, true);
	/* Wait for every current holder; their unlock orders our flag. */
	for (i = 0; i < NF_LOCKS; i++) {
		spin_lock(&nf_locks[i]);
		spin_unlock(&nf_locks[i]);
	}
}

static void nf_all_unlock(void)
{
	smp_store_release(&nf_locks_all, false);
	spin_unlock(&nf_locks_all_lock);
}

static inline u32 nf_key_hash(const struct nf_flow_key *k, unsigned int klen)
{
	return hsiphash(k, klen, &nf_hash_key);
}

static inline bool nf_key_eq(const struct nf_flow_key *a,
			     const struct nf_flow_key *b, unsigned int klen)
{
	const u32 *x = (const u32 *)a, *y = (const u32 *)b;
	u32 diff = 0;
	unsigned int i;

	for (i = 0; i < klen / 4; i++)
		diff |= x[i] ^ y[i];
	return !diff;
}

/* Lock-free lookup; caller is in an RCU read-side section. */
static struct nf_flow *nf_lookup(const struct nf_flow_key *k,
				 unsigned int klen, u32 hash, u64 *searched)
{
	struct hlist_nulls_head *tbl;
	struct hlist_nulls_node *n;
	struct nf_flow *f;
	unsigned int b, seq;

begin:
	do {
		seq = read_seqcount_begin(&nf_hash_gen);
		tbl = READ_ONCE(nf_hash);
		b = reciprocal_scale(hash, READ_ONCE(nf_hash_size));
	} while (read_seqcount_retry(&nf_hash_gen, seq));

	hlist_nulls_for_each_entry_rcu(f, n, &tbl[b], hnode) {
		(*searched)++;
		/* Same family first: an IPv4 entry is only NF_KEY_V4_LEN long. */
		if (f->key.family == k->family && nf_key_eq(&f->key, k, klen))
			return f;
	}
	/* Ended on another chain's nulls: an entry moved under us. */
	if (get_nulls_value(n) != b)
		goto begin;
	(*searched)++;		/* a miss costs the walk to the end: >= 1 */
	return NULL;
}

/* Lock the stripe of hash's bucket in a stable table (BH disabled). */
static spinlock_t *nf_lock_bucket(u32 hash, struct hlist_nulls_head **head)
{
	unsigned int seq, b;
	spinlock_t *l;

	for (;;) {
		seq = read_seqcount_begin(&nf_hash_gen);
		b = reciprocal_scale(hash, READ_ONCE(nf_hash_size));
		l = &nf_locks[b % NF_LOCKS];
		nf_lock(l);
		if (!read_seqcount_retry(&nf_hash_gen, seq)) {
			*head = &nf_hash[b];
			return l;
		}
		spin_unlock(l);
	}
}

static void nf_flow_end(struct nf_flow *f, u32 tcp_flags)
{
	u32 add = tcp_flags | NF_FLOW_ENDED;
	int old;

	if (tcp_flags & NF_TCP_RST)
		add |= NF_FLOW_RST;
	old = atomic_fetch_or(add, &f->state);
	/* The first to set ENDED owns f->lnode: hand the flow to the worker. */
	if (!(old & NF_FLOW_ENDED))
		llist_add(&f->lnode, &nf_ended);
}

/* State bits a packet sets: its TCP flags and tcpOptions kinds 32-39. */
static inline u32 nf_pkt_state(const struct nf_pkt_info *pi)
{
	return pi->tcp_flags |
	       (u32)(pi->tcp_opts >> 32 & 0xff) << NF_FLOW_OPT_SHIFT;
}

/* Options seen for the first time in this flow (rare: the usual case is
 * one read of each word). */
static inline void nf_flow_opts(struct nf_flow *f, const struct nf_pkt_info *pi)
{
	u32 lo = (u32)pi->tcp_opts;

	if (unlikely(pi->ip_opts & ~atomic_read(&f->ip_opts)))
		atomic_or(pi->ip_opts, &f->ip_opts);
	if (unlikely(lo & ~atomic_read(&f->tcp_opts)))
		atomic_or(lo, &f->tcp_opts);
}

static inline void nf_flow_update(struct nf_flow *f,
				  const struct nf_pkt_info *pi,
				  u32 pkts, u32 bytes, u32 now)
{
	u32 tf = nf_pkt_state(pi);

	if (pi->ip_opts | (u32)pi->tcp_opts)
		nf_flow_opts(f, pi);
	atomic_add(pkts, &f->packets);
	atomic64_add(bytes, &f->bytes);
	if (READ_ONCE(f->ts_last) != now)
		WRITE_ONCE(f->ts_last, now);
	if (unlikely(tf & (NF_TCP_FIN | NF_TCP_RST)))
		nf_flow_end(f, tf);
	else if (tf && (atomic_read(&f->state) & tf) != tf)
		atomic_or(tf, &f->state);
}

static void nf_drop(u32 pkts, u32 bytes)
{
	this_cpu_add(nf_stats.drop_pkts, pkts);
	this_cpu_add(nf_stats.drop_bytes, bytes);
}

static void nf_flow_insert(const struct nf_flow_key *key, unsigned int klen,
			   u32 hash, const struct nf_pkt_info *pi,
			   u32 pkts, u32 bytes, u32 now)
{
	int max = READ_ONCE(nf_cfg.maxflows);
	bool v6 = key->family == NF_FAM_V6;
	struct hlist_nulls_head *head;
	struct hlist_nulls_node *n;
	struct nf_flow *f, *g;
	spinlock_t *l;

	if (atomic_inc_return(&nf_flows_active) > max && max) {
		atomic_dec(&nf_flows_active);
		this_cpu_inc(nf_stats.maxflows_err);
		nf_drop(pkts, bytes);
		return;
	}
	f = kmem_cache_alloc(v6 ? nf_cache6 : nf_cache4, GFP_ATOMIC | __GFP_NOWARN);
	if (unlikely(!f)) {
		atomic_dec(&nf_flows_active);
		this_cpu_inc(nf_stats.alloc_err);
		nf_drop(pkts, bytes);
		return;
	}
	memcpy(&f->key, key, klen);
	atomic64_set(&f->bytes, bytes);
	atomic_set(&f->packets, pkts);
	atomic_set(&f->state, nf_pkt_state(pi));
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
		*nf_flow_label(f) = pi->label;

	local_bh_disable();
	l = nf_lock_bucket(hash, &head);
	/* Another CPU may have inserted the same flow since our lookup. */
	hlist_nulls_for_each_entry(g, n, head, hnode) {
		if (g->key.family == key->family && nf_key_eq(&g->key, key, klen)) {
			nf_flow_update(g, pi, pkts, bytes, now);
			spin_unlock(l);
			local_bh_enable();
			kmem_cache_free(v6 ? nf_cache6 : nf_cache4, f);
			atomic_dec(&nf_flows_active);
			this_cpu_inc(nf_stats.found);
			goto counted;
		}
	}
	hlist_nulls_add_head_rcu(&f->hnode, head);
	spin_unlock(l);
	local_bh_enable();

	this_cpu_inc(nf_stats.new_flows);
	if (v6)
		atomic_inc(&nf_flows_v6);
	if (unlikely(pi->tcp_flags & (NF_TCP_FIN | NF_TCP_RST)))
		nf_flow_end(f, nf_pkt_state(pi));
counted:
	this_cpu_add(nf_stats.pkts, pkts);
	this_cpu_add(nf_stats.bytes, bytes);
}

void nf_flow_account(struct nf_flow_key *key, const struct nf_pkt_info *pi,
		     u32 pkts, u32 bytes)
{
	unsigned int klen = nf_key_len(key);
	u32 hash = nf_key_hash(key, klen);
	u32 now = (u32)jiffies;
	struct nf_flow *f;
	u64 searched = 0;

	/* Hash flow sampling: decided from the key before any table work. */
	if (unlikely(READ_ONCE(nf_cfg.sampler_kind) == NF_SAMPLER_HASH)) {
		unsigned int n = READ_ONCE(nf_cfg.sampler_interval);

		if (n > 1 && hash % n) {
			this_cpu_add(nf_stats.sampled_out, pkts);
			return;
		}
	}

	rcu_read_lock();
	f = nf_lookup(key, klen, hash, &searched);
	if (likely(f)) {
		nf_flow_update(f, pi, pkts, bytes, now);
		rcu_read_unlock();
		this_cpu_add(nf_stats.searched, searched);
		this_cpu_inc(nf_stats.found);
		this_cpu_add(nf_stats.pkts, pkts);
		this_cpu_add(nf_stats.bytes, bytes);
		return;
	}
	nf_flow_insert(key, klen, hash, pi, pkts, bytes, now);
	rcu_read_unlock();
	this_cpu_add(nf_stats.searched, searched);
}

unsigned int nf_flow_objsize(int family)
{
	return family == NF_FAM_V6 ? kmem_cache_size(nf_cache6) :
				     kmem_cache_size(nf_cache4);
}

u64 nf_flows_mem(void)
{
	unsigned int all = atomic_read(&nf_flows_active);
	unsigned int v6 = atomic_read(&nf_flows_v6);

	if (v6 > all)
		v6 = all;
	return (u64)(all - v6) * nf_flow_objsize(NF_FAM_V4) +
	       (u64)v6 * nf_flow_objsize(NF_FAM_V6);
}

void nf_flow_free(struct nf_flow *f)
{
	if (f->key.family == NF_FAM_V6) {
		atomic_dec(&nf_flows_v6);
		kmem_cache_free(nf_cache6, f);
	} else {
		kmem_cache_free(nf_cache4, f);
	}
	atomic_dec(&nf_flows_active);
}

/* Unlink a flow the caller claimed (NF_FLOW_ENDED) and that is hashed. */
bool nf_flow_unlink(struct nf_flow *f)
{
	struct hlist_nulls_head *head;
	spinlock_t *l;

	local_bh_disable();
	l = nf_lock_bucket(nf_key_hash(&f->key, nf_key_len(&f->key)), &head);
	hlist_nulls_del_rcu(&f->hnode);
	spin_unlock(l);
	local_bh_enable();
	return true;
}

unsigned int nf_table_sweep(unsigned int from, unsigned int n,
			    nf_expired_fn expired, struct llist_head *batch,
			    u32 now, unsigned int *nflows)
{
	unsigned int b, size = nf_hash_size;
	struct hlist_nulls_node *pos;
	struct nf_flow *f;
	spinlock_t *l;
	u8 reason;

	for (b = from; b < size && b - from < n; b++) {
		if (hlist_nulls_empty(&nf_hash[b]))
			continue;
		l = &nf_locks[b % NF_LOCKS];
		local_bh_disable();
		nf_lock(l);
		hlist_nulls_for_each_entry_safe(f, pos, &nf_hash[b], hnode) {
			(*nflows)++;
			if (!expired(f, now, &reason))
				continue;
			/* Claim it; one that ended by FIN/RST is the worker's already. */
			if (atomic_fetch_or(NF_FLOW_ENDED | reason << 16, &f->state) &
			    NF_FLOW_ENDED)
				continue;
			hlist_nulls_del_rcu(&f->hnode);
			llist_add(&f->lnode, batch);
		}
		spin_unlock(l);
		local_bh_enable();
	}
	return b - from;
}

int nf_table_walk(unsigned int b, int (*fn)(const struct nf_flow *f, void *arg),
		  void *arg)
{
	struct hlist_nulls_head *tbl;
	struct hlist_nulls_node *n;
	struct nf_flow *f;
	int ret = 0;

	rcu_read_lock();
	tbl = READ_ONCE(nf_hash);
	if (b < READ_ONCE(nf_hash_size)) {
		hlist_nulls_for_each_entry_rcu(f, n, &tbl[b], hnode) {
			ret = fn(f, arg);
			if (ret)
				break;
		}
	}
	rcu_read_unlock();
	return ret;
}

unsigned int nf_table_size(void)
{
	return READ_ONCE(nf_hash_size);
}

unsigned int nf_table_mem(void)
{
	return READ_ONCE(nf_hash_size) * sizeof(struct hlist_nulls_head);
}

static struct hlist_nulls_head *nf_alloc_buckets(unsigned int size)
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
 * Called with nf_cfg_mutex and nf_export_mutex held (no sweep runs).  New
 * flows wait on the stripe locks meanwhile; lookups of existing flows go on
 * (they retry while the move is in progress).
 */
int nf_table_resize(unsigned int size)
{
	struct hlist_nulls_head *new, *old;
	unsigned int i, old_size;
	struct nf_flow *f;

	if (size == nf_hash_size)
		return 0;
	new = nf_alloc_buckets(size);
	if (!new)
		return -ENOMEM;

	local_bh_disable();
	nf_all_lock();
	write_seqcount_begin(&nf_hash_gen);
	old = nf_hash;
	old_size = nf_hash_size;
	for (i = 0; i < old_size; i++) {
		while (!hlist_nulls_empty(&old[i])) {
			unsigned int b;

			f = hlist_nulls_entry(old[i].first, struct nf_flow, hnode);
			b = reciprocal_scale(nf_key_hash(&f->key, nf_key_len(&f->key)),
					     size);
			hlist_nulls_del_rcu(&f->hnode);
			hlist_nulls_add_head_rcu(&f->hnode, &new[b]);
		}
	}
	WRITE_ONCE(nf_hash, new);
	WRITE_ONCE(nf_hash_size, size);
	write_seqcount_end(&nf_hash_gen);
	nf_all_unlock();
	local_bh_enable();

	synchronize_rcu();	/* no reader is still walking old[] */
	kvfree(old);
	return 0;
}

static unsigned int nf_auto_hashsize(void)
{
	/* One bucket per 16 KiB of RAM, a power of two in [1024, 1M]. */
	unsigned long want = (totalram_pages() << PAGE_SHIFT) >> 14;

	want = clamp_t(unsigned long, want, 1024, 1UL << 20);
	return (unsigned int)rounddown_pow_of_two(want);
}

int nf_table_init(unsigned int size)
{
	unsigned int i;

	get_random_bytes(&nf_hash_key, sizeof(nf_hash_key));
	for (i = 0; i < NF_LOCKS; i++)
		spin_lock_init(&nf_locks[i]);
	seqcount_spinlock_init(&nf_hash_gen, &nf_locks_all_lock);

	nf_cache4 = kmem_cache_create("ipt_netflow",
				      offsetof(struct nf_flow, key) + NF_KEY_V4_LEN,
				      0, 0, NULL);
	nf_cache6 = kmem_cache_create("ipt_netflow_v6",
				      offsetof(struct nf_flow, key) + NF_KEY_V6_LEN +
				      sizeof(u32),
				      0, 0, NULL);
	if (!nf_cache4 || !nf_cache6)
		goto err;
	if (!size)
		size = nf_auto_hashsize();
	nf_hash = nf_alloc_buckets(size);
	if (!nf_hash)
		goto err;
	nf_hash_size = size;
	nf_cfg.hashsize = size;
	return 0;
err:
	kmem_cache_destroy(nf_cache6);
	kmem_cache_destroy(nf_cache4);
	return -ENOMEM;
}

/* All flows were exported and freed by the final flush. */
void nf_table_exit(void)
{
	synchronize_rcu();
	kvfree(nf_hash);
	nf_hash = NULL;
	kmem_cache_destroy(nf_cache6);
	kmem_cache_destroy(nf_cache4);
}
