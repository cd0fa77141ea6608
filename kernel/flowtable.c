// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flow table: an RCU hash of hlist_nulls chains keyed with random
 * secrets (nf_key_hash), striped locks for writers, a seqcount for resizing.
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

#define NF_LOCKS 1024

static struct hlist_nulls_head *nf_hash;
static unsigned int nf_hash_size;
/*
 * Stripe of bucket b: (b * nf_stripe_mul) >> 32 with mul = 2^42 / size, so
 * each lock covers a run of consecutive buckets (the sweep takes it once per
 * run, not once per bucket).  Changes with the size, under nf_hash_gen.
 */
static u64 nf_stripe_mul;
static spinlock_t nf_locks[NF_LOCKS];
static DEFINE_SPINLOCK(nf_locks_all_lock);
static bool nf_locks_all;
static seqcount_spinlock_t nf_hash_gen;
static hsiphash_key_t nf_hash_key __read_mostly;
static u32 nf_hash_seed __read_mostly;

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

static inline spinlock_t *nf_stripe(unsigned int b, u64 mul)
{
	return &nf_locks[(b * mul) >> 32];
}

static u64 nf_stripe_mul_for(unsigned int size)
{
	return div64_u64((u64)NF_LOCKS << 32, size);
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
static inline u32 nf_key_hash(const struct nf_flow_key *k, unsigned int klen)
{
#ifdef NF_KEY_COMPACT
	BUILD_BUG_ON(NF_KEY_V4_LEN != 5 * sizeof(u32));
	if (k->family == NF_FAM_V4)
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
				    nf_hash_seed ^
				    get_unaligned((const u32 *)&k->proto));
#endif
	return hsiphash(k, klen, &nf_hash_key);
}

static __always_inline bool nf_key_eq(const struct nf_flow_key *a,
				      const struct nf_flow_key *b,
				      unsigned int klen)
{
	const u32 *x = (const u32 *)a, *y = (const u32 *)b;
	u32 diff = 0;
	unsigned int i;

#ifdef NF_KEY_COMPACT
	if (klen == NF_KEY_V4_LEN)	/* 20 bytes: two 64-bit words and one */
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
static __always_inline struct nf_flow *nf_lookup(const struct nf_flow_key *k,
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
		/*
		 * An IPv6 lookup checks the family first: an IPv4 entry is only
		 * NF_KEY_V4_LEN long.  An IPv4 lookup compares just that much,
		 * family included.
		 */
		if ((klen == NF_KEY_V4_LEN || f->key.family == k->family) &&
		    nf_key_eq(&f->key, k, klen))
			return f;
	}
	/* Ended on another chain's nulls: an entry moved under us. */
	if (get_nulls_value(n) != b)
		goto begin;
	(*searched)++;		/* a miss costs the walk to the end: >= 1 */
	return NULL;
}

/* Lock the stripe of hash's bucket in a stable table (BH disabled). */
static __always_inline spinlock_t *nf_lock_bucket(u32 hash,
						 struct hlist_nulls_head **head)
{
	unsigned int seq, b;
	spinlock_t *l;

	for (;;) {
		seq = read_seqcount_begin(&nf_hash_gen);
		b = reciprocal_scale(hash, READ_ONCE(nf_hash_size));
		l = nf_stripe(b, READ_ONCE(nf_stripe_mul));
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

static __always_inline void nf_flow_update(struct nf_flow *f,
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

/*
 * Reserve a place for one more flow unless maxflows (0: no limit) are
 * active: the count never goes above maxflows, even for a moment, so what
 * /proc, SNMP and the worker's peak read is never above it either.
 */
static __always_inline bool nf_flows_reserve(int max)
{
	int n;

	if (!max) {
		atomic_inc(&nf_flows_active);
		return true;
	}
	n = atomic_read(&nf_flows_active);
	do {
		if (n >= max)
			return false;
	} while (!atomic_try_cmpxchg(&nf_flows_active, &n, n + 1));
	return true;
}

/* A new flow; inlined once per key length (nf_flow_insert4/6). */
static __always_inline void nf_flow_insert(const struct nf_flow_key *key,
					   unsigned int klen, u32 hash,
					   const struct nf_pkt_info *pi,
					   u32 pkts, u32 bytes, u32 now)
{
	int max = READ_ONCE(nf_cfg.maxflows);
	bool v6 = key->family == NF_FAM_V6;
	struct hlist_nulls_head *head;
	struct hlist_nulls_node *n;
	struct nf_flow *f, *g;
	spinlock_t *l;

	/*
	 * BH off for the per-CPU pool and the stripe lock: it already is on
	 * the receive path and under iptables; nft's OUTPUT may run with it on.
	 */
	bool bh = !in_softirq();

	if (unlikely(!nf_flows_reserve(max))) {
		this_cpu_inc(nf_stats.maxflows_err);
		nf_drop(pkts, bytes);
		return;
	}
	if (bh)
		local_bh_disable();
	f = nf_flow_alloc(v6);
	if (unlikely(!f)) {
		if (bh)
			local_bh_enable();
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

	l = nf_lock_bucket(hash, &head);
	/* Another CPU may have inserted the same flow since our lookup. */
	hlist_nulls_for_each_entry(g, n, head, hnode) {
		if (g->key.family == key->family && nf_key_eq(&g->key, key, klen)) {
			nf_flow_update(g, pi, pkts, bytes, now);
			spin_unlock(l);
			if (bh)
				local_bh_enable();
			nf_flow_free_now(f);
			atomic_dec(&nf_flows_active);
			this_cpu_inc(nf_stats.found);
			goto counted;
		}
	}
	hlist_nulls_add_head_rcu(&f->hnode, head);
	spin_unlock(l);
	if (bh)
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

static noinline void nf_flow_insert4(const struct nf_flow_key *key, u32 hash,
				     const struct nf_pkt_info *pi,
				     u32 pkts, u32 bytes, u32 now)
{
	nf_flow_insert(key, NF_KEY_V4_LEN, hash, pi, pkts, bytes, now);
}

static noinline void nf_flow_insert6(const struct nf_flow_key *key, u32 hash,
				     const struct nf_pkt_info *pi,
				     u32 pkts, u32 bytes, u32 now)
{
	nf_flow_insert(key, NF_KEY_V6_LEN, hash, pi, pkts, bytes, now);
}

/*
 * Hash flow sampling, decided from the key's hash before any table work:
 * true (and counted) when the flow is not one of those sampled.
 */
static __always_inline bool nf_hash_sampled_out(u32 hash, u32 pkts)
{
	if (unlikely(READ_ONCE(nf_cfg.sampler_kind) == NF_SAMPLER_HASH)) {
		unsigned int n = READ_ONCE(nf_cfg.sampler_interval);

		if (n > 1 && hash % n) {
			this_cpu_add(nf_stats.sampled_out, pkts);
			return true;
		}
	}
	return false;
}

/* Inlined once per key length, so hashing and comparing have fixed sizes. */
static __always_inline void nf_account_len(struct nf_flow_key *key,
					   unsigned int klen,
					   const struct nf_pkt_info *pi,
					   u32 pkts, u32 bytes)
{
	u32 hash = nf_key_hash(key, klen);
	u32 now = (u32)jiffies;
	struct nf_flow *f;
	u64 searched = 0;

	if (nf_hash_sampled_out(hash, pkts))
		return;

	/*
	 * No rcu_read_lock() of our own: every caller is a netfilter hook,
	 * which runs the targets inside its RCU read-side section.
	 */
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "nf_flow_account outside RCU");
	f = nf_lookup(key, klen, hash, &searched);
	if (likely(f)) {
		nf_flow_update(f, pi, pkts, bytes, now);
		this_cpu_add(nf_stats.searched, searched);
		this_cpu_inc(nf_stats.found);
		this_cpu_add(nf_stats.pkts, pkts);
		this_cpu_add(nf_stats.bytes, bytes);
		return;
	}
	if (klen == NF_KEY_V4_LEN)
		nf_flow_insert4(key, hash, pi, pkts, bytes, now);
	else
		nf_flow_insert6(key, hash, pi, pkts, bytes, now);
	this_cpu_add(nf_stats.searched, searched);
}

void nf_flow_account(struct nf_flow_key *key, const struct nf_pkt_info *pi,
		     u32 pkts, u32 bytes)
{
	if (key->family == NF_FAM_V4)
		nf_account_len(key, NF_KEY_V4_LEN, pi, pkts, bytes);
	else
		nf_account_len(key, NF_KEY_V6_LEN, pi, pkts, bytes);
}

/*
 * Account the packet only to a flow that exists already (or leave it to
 * the hash sampler); false if there is none.  For offload.c, whose new
 * flows need an egress interface it has to look up first.
 */
bool nf_flow_account_known(const struct nf_flow_key *key,
			   const struct nf_pkt_info *pi, u32 pkts, u32 bytes)
{
	unsigned int klen = nf_key_len(key);
	u32 hash = nf_key_hash(key, klen);
	struct nf_flow *f;
	u64 searched = 0;

	if (nf_hash_sampled_out(hash, pkts))
		return true;
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "nf_flow_account_known outside RCU");
	f = nf_lookup(key, klen, hash, &searched);
	this_cpu_add(nf_stats.searched, searched);
	if (!f)
		return false;
	nf_flow_update(f, pi, pkts, bytes, (u32)jiffies);
	this_cpu_inc(nf_stats.found);
	this_cpu_add(nf_stats.pkts, pkts);
	this_cpu_add(nf_stats.bytes, bytes);
	return true;
}

u64 nf_flows_mem(void)
{
	unsigned int all = atomic_read(&nf_flows_active);
	unsigned int v6 = atomic_read(&nf_flows_v6);

	if (v6 > all)
		v6 = all;
	return (u64)(all - v6) * nf_flow_objsize(NF_FAM_V4) +
	       (u64)v6 * nf_flow_objsize(NF_FAM_V6) + nf_pool_bytes();
}

/* An exported flow, after its grace period: to the pool (export mutex held). */
void nf_flow_free(struct nf_flow *f)
{
	lockdep_assert_held(&nf_export_mutex);

	if (f->key.family == NF_FAM_V6)
		atomic_dec(&nf_flows_v6);
	atomic_dec(&nf_flows_active);
	nf_flow_recycle(f);
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

/* Buckets a sweep handles under one lock hold (with BH disabled). */
#define NF_SWEEP_RUN 128

unsigned int nf_table_sweep(unsigned int from, unsigned int n,
			    const struct nf_expiry *exp, struct llist_head *batch,
			    unsigned int *nflows)
{
	struct hlist_nulls_head *tbl = nf_hash;
	unsigned int b = from, end, size = nf_hash_size, run_end;
	u64 mul = nf_stripe_mul, next;
	struct hlist_nulls_node *pos;
	struct nf_flow *f;
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
		l = nf_stripe(b, mul);
		next = div64_u64(((((b * mul) >> 32) + 1) << 32) + mul - 1, mul);
		run_end = min3((u64)end, (u64)b + NF_SWEEP_RUN, next);
		local_bh_disable();
		nf_lock(l);
		for (; b < run_end; b++) {
			if (hlist_nulls_empty(&tbl[b]))
				continue;
			hlist_nulls_for_each_entry_safe(f, pos, &tbl[b], hnode) {
				(*nflows)++;
				if (!nf_flow_expired(f, exp, &reason))
					continue;
				/* Claim it; one that ended by FIN/RST is the worker's already. */
				if (atomic_fetch_or(NF_FLOW_ENDED | reason << 16,
						    &f->state) & NF_FLOW_ENDED)
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

	lockdep_assert_held(&nf_cfg_mutex);
	lockdep_assert_held(&nf_export_mutex);

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
	WRITE_ONCE(nf_stripe_mul, nf_stripe_mul_for(size));
	write_seqcount_end(&nf_hash_gen);
	nf_all_unlock();
	local_bh_enable();

	nf_wait_readers();	/* no reader is still walking old[] */
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
	nf_hash_seed = get_random_u32();
	for (i = 0; i < NF_LOCKS; i++)
		spin_lock_init(&nf_locks[i]);
	seqcount_spinlock_init(&nf_hash_gen, &nf_locks_all_lock);

	if (nf_pool_init())
		return -ENOMEM;
	if (!size)
		size = nf_auto_hashsize();
	nf_hash = nf_alloc_buckets(size);
	if (!nf_hash) {
		nf_pool_exit();
		return -ENOMEM;
	}
	nf_hash_size = size;
	nf_stripe_mul = nf_stripe_mul_for(size);
	nf_cfg.hashsize = size;
	return 0;
}

/* All flows were exported and freed by the final flush. */
void nf_table_exit(void)
{
	nf_wait_readers();
	kvfree(nf_hash);
	nf_hash = NULL;
	nf_pool_exit();
}
