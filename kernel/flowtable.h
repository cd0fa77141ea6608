/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flow table (flowtable.c): lookup and insert on the packet path,
 * the worker's sweep, resize, walks for netlink dumps.  The flow itself is
 * flow.h's; its objects come from flowpool.h.
 */
#ifndef IPNF_FLOWTABLE_H
#define IPNF_FLOWTABLE_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/siphash.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include "compat.h"
#include "cfg.h"
#include "stats.h"
#include "flow.h"
#include "flow_hash.h"
#include "export_rec.h"

int ipnf_table_init(unsigned int size);
void ipnf_table_exit(void);
int ipnf_table_resize(unsigned int size);	/* both mutexes held */
unsigned int ipnf_table_size(void);
unsigned int ipnf_table_mem(void);
/* Meter a packet; true when it made a new flow. */
bool ipnf_flow_account(struct ipnf_flow_key *key, const struct ipnf_pkt_info *pi,
		     u32 pkts, u32 bytes);
bool ipnf_flow_account_known(const struct ipnf_flow_key *key,
			   const struct ipnf_pkt_info *pi, u32 pkts, u32 bytes);
/* Exported flows: counters to the removed totals, flows to the pool. */
void ipnf_flows_free(struct ipnf_flow *const *v, unsigned int n);
u64 ipnf_flows_mem(void);		/* bytes of the flows' objects, pooled too */

unsigned int ipnf_flows_v6_count(void);
extern atomic64_t ipnf_removed_pkts, ipnf_removed_bytes;

/* What the worker's sweep exports (copied once per run). */
struct ipnf_expiry {
	bool all;		/* flush: every flow */
	bool ended_only;	/* flows that saw FIN/RST, no others */
	u32 now;		/* jiffies when the run began */
	u32 inactive_j;		/* timeouts in jiffies */
	u32 active_j;
	u32 linger_j;		/* a FIN flow waits this long for its last ACK */
};

/*
 * Whether the worker unlinks a flow now, and why (an enum ipnf_end_reason).
 * A flow that saw FIN or RST ends as IPNF_END_EOF: an RST at once, a FIN
 * after the linger (false meanwhile, with *reason already IPNF_END_EOF).
 */
static inline bool ipnf_flow_due(const struct ipnf_flow *f,
			       const struct ipnf_expiry *e, u8 *reason)
{
	int st = atomic_read(&f->state);
	/*
	 * now was read when the run began: the packet path may have stamped a
	 * flow later, which must count as age 0, not as 2^32 - 1 jiffies.
	 */
	s32 idle = (s32)(e->now - READ_ONCE(f->ts_last));

	if (st & IPNF_FLOW_ENDED) {
		*reason = IPNF_END_EOF;
		return e->all || (st & IPNF_FLOW_RST) || idle >= (s32)e->linger_j;
	}
	if (e->ended_only)
		return false;
	if (e->all) {
		*reason = IPNF_END_FORCED;
		return true;
	}
	if (idle >= (s32)e->inactive_j) {
		*reason = IPNF_END_IDLE;
		return true;
	}
	/* Active timeout, or the 32-bit packet counter nearing its end. */
	if ((s32)(e->now - f->ts_first) >= (s32)e->active_j ||
	    (u32)atomic_read(&f->packets) >= 0xf0000000U) {
		*reason = IPNF_END_ACTIVE;
		return true;
	}
	return false;
}

/* Flows the worker unlinked, waiting out their grace period (expiry.c's). */
struct ipnf_batch {
	struct ipnf_flow **v;
	unsigned int n, cap;
};

/*
 * Walk buckets [from, from + n) of the current table (caller holds
 * ipnf_export_mutex, so no resize runs), unlinking the flows that are due into
 * *batch.  Returns the number of buckets walked: fewer when the batch filled.
 */
unsigned int ipnf_table_sweep(unsigned int from, unsigned int n,
			    const struct ipnf_expiry *exp, struct ipnf_batch *batch,
			    unsigned int *nflows);
/*
 * The same for the buckets where flows saw FIN or RST since the last call
 * (the packet path flags them): those flows only, by exp's rules; a group
 * of buckets with a FIN flow still lingering is looked at again next time.
 */
void ipnf_table_sweep_ended(const struct ipnf_expiry *exp, struct ipnf_batch *batch,
			  unsigned int *nflows);

/* Calls fn for each flow of bucket b under RCU; stops at a non-zero return. */
int ipnf_table_walk(unsigned int b, int (*fn)(const struct ipnf_flow *f, void *arg),
		  void *arg);

/*
 * The packet path for a known flow, inline so that each entry point (the
 * target, the hooks) is one function from the skb to the flow's counters:
 * hash, lock-free lookup, update.  A new flow is ipnf_flow_insert4/6's, out
 * of line.
 */
/*
 * The buckets and their number, published as one pointer: a reader gets a
 * size and an array that belong together with a single load, no seqcount.
 * A bucket is the link to its first flow, or its nulls marker when empty.
 * A writer locks a bucket by setting bits 0 and 1 of it (flowtable.c), so
 * that a new flow writes one line other CPUs write: its bucket's.  To a
 * reader a locked bucket is the end of a chain: of another chain when it
 * holds flows (the reader looks again, as after a resize moved an entry),
 * of its own when empty.
 */
struct ipnf_htab {
	unsigned int size;
	/* ended-flow group of bucket b: b >> group_shift (< IPNF_END_GROUPS) */
	unsigned int group_shift;
	struct ipnf_link b[] ____cacheline_aligned;
};

#define IPNF_END_GROUPS 16384	/* bits of each CPU's map of ended-flow groups */
#define IPNF_BUCKET_LOCK_BIT 1	/* set (with bit 0) while a bucket is locked */
#define IPNF_BUCKET_LOCKED 3UL

/* The end of a chain: a marker with bit 0 set and the bucket's index. */
static inline struct ipnf_link *ipnf_nulls(unsigned long b)
{
	return (struct ipnf_link *)(1UL | (b << 2));
}

static inline bool ipnf_is_nulls(const struct ipnf_link *n)
{
	return (unsigned long)n & 1;
}

static inline unsigned long ipnf_nulls_value(const struct ipnf_link *n)
{
	return (unsigned long)n >> 2;
}

static inline struct ipnf_flow *ipnf_link_flow(struct ipnf_link *n)
{
	return container_of(n, struct ipnf_flow, hnode);
}

extern struct ipnf_htab __rcu *ipnf_tab;
extern hsiphash_key_t ipnf_hash_key;
extern struct ipnf_hash_secret ipnf_hash_pms;

void ipnf_flow_end(struct ipnf_flow *f, u32 tcp_flags);	/* FIN/RST: flag it for the worker */
bool ipnf_flow_insert4(const struct ipnf_flow_key *key, u32 hash,
		     const struct ipnf_pkt_info *pi, u32 pkts, u32 bytes, u32 now);
bool ipnf_flow_insert6(const struct ipnf_flow_key *key, u32 hash,
		     const struct ipnf_pkt_info *pi, u32 pkts, u32 bytes, u32 now);

/*
 * The bucket hash, keyed with random secrets drawn at load.  IPv4 keys
 * without optional fields (the packet path's common case: five words) use
 * pair-multiply-shift (flow_hash.h): two multiplications, strongly
 * universal; under icount jhash with a random seed (the classic module's)
 * cost ~50 guest instructions and hsiphash ~150, of a per-packet budget of
 * ~200.  Every other key (IPv6, VLAN/MAC/MPLS fields) uses hsiphash.
 * Either way an attacker who cannot read the secrets cannot aim packets at
 * one chain; /proc shows the search depth.
 */
static inline u32 ipnf_key_hash(const struct ipnf_flow_key *k, unsigned int klen)
{
#ifdef IPNF_KEY_COMPACT
	BUILD_BUG_ON(IPNF_KEY_V4_LEN != 5 * sizeof(u32));
	if (klen == IPNF_KEY_V4_LEN)	/* an IPv4 key: no other is this short */
		return ipnf_hash_v4key(k, &ipnf_hash_pms);
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

/*
 * Lock-free lookup; caller is in an RCU read-side section.  A walk that ends
 * on another chain's nulls value met an entry a resize moved, or a bucket an
 * insert holds for a few stores: it starts again.
 * A resize can still make a lookup miss a flow (the entry moved to a chain of
 * the new table whose index is this one's); the insert path looks again under
 * the bucket's lock in the stable table, so a miss costs time, never a
 * duplicate flow.
 */
static __always_inline struct ipnf_flow *ipnf_lookup(const struct ipnf_flow_key *k,
				 unsigned int klen, u32 hash, u64 *searched)
{
	const struct ipnf_htab *t;
	struct ipnf_link *n;
	struct ipnf_flow *f;
	unsigned int b;

begin:
	t = rcu_dereference(ipnf_tab);
	b = reciprocal_scale(hash, t->size);
	for (n = rcu_dereference(t->b[b].next); !ipnf_is_nulls(n);
	     n = rcu_dereference(n->next)) {
		f = ipnf_link_flow(n);
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
	if (ipnf_nulls_value(n) != b) {
		cpu_relax();	/* a resize, or an insert holding the bucket */
		goto begin;
	}
	(*searched)++;		/* a miss costs the walk to the end: >= 1 */
	return NULL;
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
	u32 tf;

	atomic_add(pkts, &f->packets);
	atomic64_add(bytes, &f->bytes);
	/* the counters' cache line: written anyway, no test first */
	WRITE_ONCE(f->ts_last, now);
	/* no flags, no options (UDP, ICMP, an option-less fragment): done */
	if (!(pi->tcp_opts | pi->ip_opts | pi->tcp_flags))
		return;
	if (pi->ip_opts | (u32)pi->tcp_opts)
		ipnf_flow_opts(f, pi);
	tf = ipnf_pkt_state(pi);
	if (unlikely(tf & (IPNF_TCP_FIN | IPNF_TCP_RST)))
		ipnf_flow_end(f, tf);
	else if (tf && (atomic_read(&f->state) & tf) != tf)
		atomic_or(tf, &f->state);
}

/*
 * Hash flow sampling, decided from the key's hash before any table work:
 * true (and counted) when the flow is not one of those sampled.
 */
static __always_inline bool ipnf_hash_sampled_out(u32 hash, u32 pkts)
{
	if (static_branch_unlikely(&ipnf_hash_sampling) &&
	    READ_ONCE(ipnf_cfg.sampler_kind) == IPNF_SAMPLER_HASH) {
		unsigned int n = READ_ONCE(ipnf_cfg.sampler_interval);

		if (n > 1 && hash % n) {
			this_cpu_add(ipnf_stats.sampled_out, pkts);
			return true;
		}
	}
	return false;
}

/* Inlined once per key length, so hashing and comparing have fixed sizes. */
static __always_inline bool ipnf_account_len(struct ipnf_flow_key *key,
					   unsigned int klen,
					   const struct ipnf_pkt_info *pi,
					   u32 pkts, u32 bytes)
{
	u32 hash = ipnf_key_hash(key, klen);
	u32 now = (u32)jiffies;
	struct ipnf_flow *f;
	u64 searched = 0;
	bool made;

	if (ipnf_hash_sampled_out(hash, pkts))
		return false;

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
		return false;
	}
	if (klen == IPNF_KEY_V4_LEN)
		made = ipnf_flow_insert4(key, hash, pi, pkts, bytes, now);
	else
		made = ipnf_flow_insert6(key, hash, pi, pkts, bytes, now);
	this_cpu_add(ipnf_stats.searched, searched);
	return made;
}

#endif /* IPNF_FLOWTABLE_H */
