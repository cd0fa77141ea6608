// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow objects: two slab caches (IPv4 flows are shorter) and a recycling pool
 * in front of them.
 *
 * Why a pool: an exported flow was allocated long ago, so kmem_cache_free()
 * nearly always takes SLUB's slow path (another CPU's or a partial slab:
 * cmpxchg_double, freelist hardening), and a fresh allocation is zeroed again
 * by init_on_alloc, which Debian enables.  Measured under icount, the free
 * alone was ~220 guest instructions per exported flow.  Here the worker hands
 * exported flows (after their RCU grace period, like a free) to the pool in
 * chunks of IPNF_POOL_CHUNK, with no atomic per object; the packet path takes a
 * chunk at a time into a per-CPU cache and pops from it: a few instructions
 * per new flow.  Every field of a flow is set on allocation, so a recycled
 * object needs no zeroing.
 *
 * Bounds: objects in the pool are objects flows had; the pool never holds
 * more than the recent peak of active flows (a level that decays by 1/8 per
 * second while traffic is lower), so active + pooled stays within maxflows
 * plus one chunk per CPU.  (Fresh objects come IPNF_POOL_REFILL at a time
 * from the slab, compat.h's ipnf_cache_alloc_bulk(), into the per-CPU cache.)
 * The excess goes back to the slab from the worker, a bounded number of
 * chunks per run.
 *
 * Locking: the chunk stacks have one spinlock, taken once per IPNF_POOL_CHUNK
 * objects (never nested in a bucket lock).  The per-CPU caches are used with
 * BH disabled.  The worker's chunk being filled is under ipnf_export_mutex.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/percpu.h>
#include <linux/jiffies.h>
#include "locks.h"
#include "flowpool.h"

#define IPNF_POOL_CHUNK 64
#define IPNF_POOL_TRIM_CHUNKS 64	/* chunks freed to the slab per worker run */
#define IPNF_POOL_REFILL 64	/* fresh objects taken from the slab at once */

/*
 * A chunk is a chain of flows linked through hnode.next; chunks are stacked
 * through the first flow's byte counter (ipnf_chunk_link), which a pooled
 * flow does not use.
 */
struct ipnf_pool {
	struct kmem_cache *cache;
	spinlock_t lock;
	struct ipnf_flow *chunks;	/* stack of full chunks */
	unsigned int nchunks;
	/* the worker's chunk being filled (ipnf_export_mutex) */
	struct ipnf_flow *fill;
	unsigned int nfill;
	unsigned long level;		/* decaying peak of active flows */
	const char *name;
};


static struct ipnf_pool ipnf_pools[2] = {
	{ .name = "ipt_netflow" },
	{ .name = "ipt_netflow_v6" },
};
DEFINE_PER_CPU(struct ipnf_pool_cpu, ipnf_pool_cpu);
static unsigned long ipnf_pool_decayed;	/* jiffies of the last decay step */
atomic64_t ipnf_pool_reused;		/* allocations served by the pool */


/* The next chunk of the stack, kept in a chunk's first flow. */
static inline struct ipnf_flow **ipnf_chunk_link(struct ipnf_flow *chunk)
{
	BUILD_BUG_ON(sizeof(chunk->bytes) < sizeof(struct ipnf_flow *));
	return (struct ipnf_flow **)&chunk->bytes;
}

/* Take a full chunk off the stack, or NULL. */
static struct ipnf_flow *ipnf_pool_take(struct ipnf_pool *p)
{
	struct ipnf_flow *n;

	if (!READ_ONCE(p->chunks))
		return NULL;
	spin_lock(&p->lock);
	n = p->chunks;
	if (n) {
		p->chunks = *ipnf_chunk_link(n);
		p->nchunks--;
	}
	spin_unlock(&p->lock);
	return n;
}

static void ipnf_pool_push(struct ipnf_pool *p, struct ipnf_flow *chunk)
{
	spin_lock_bh(&p->lock);
	*ipnf_chunk_link(chunk) = p->chunks;
	p->chunks = chunk;
	p->nchunks++;
	spin_unlock_bh(&p->lock);
}

/*
 * Nothing to recycle: a few fresh objects at once from the slab (one pass
 * through its allocator instead of one per flow), the rest kept per CPU.
 */
static noinline struct ipnf_flow *ipnf_pool_refill(struct ipnf_pool *p,
					       struct ipnf_pool_cpu *c, bool v6)
{
	void *objs[IPNF_POOL_REFILL];
	struct ipnf_flow *chain = NULL, *f;
	int i, n;

	n = ipnf_cache_alloc_bulk(p->cache, GFP_ATOMIC | __GFP_NOWARN,
				IPNF_POOL_REFILL, objs);
	if (!n)
		return kmem_cache_alloc(p->cache, GFP_ATOMIC | __GFP_NOWARN);
	for (i = 1; i < n; i++) {
		f = objs[i];
		ipnf_chain_set(f, chain);
		chain = f;
	}
	c->head[v6] = chain;
	return objs[0];
}

/* The per-CPU chunk is empty: take a pooled chunk, or fresh objects. */
struct ipnf_flow *ipnf_flow_alloc_slow(bool v6)
{
	struct ipnf_pool_cpu *c = this_cpu_ptr(&ipnf_pool_cpu);
	struct ipnf_pool *p = &ipnf_pools[v6];
	struct ipnf_flow *f = ipnf_pool_take(p);

	if (f) {
		c->head[v6] = ipnf_chain_next(f);
		atomic64_add(IPNF_POOL_CHUNK, &ipnf_pool_reused);
		return f;
	}
	return ipnf_pool_refill(p, c, v6);
}

/* Back to the slab at once (a flow that never got into the table). */
void ipnf_flow_free_now(struct ipnf_flow *f)
{
	kmem_cache_free(ipnf_pools[f->key.family == IPNF_FAM_V6].cache, f);
}

/* A flow onto the pool's chunk being filled; a full chunk onto its stack. */
static void ipnf_pool_recycle(struct ipnf_pool *p, struct ipnf_flow *f)
{
	ipnf_chain_set(f, p->fill);
	p->fill = f;
	if (++p->nfill == IPNF_POOL_CHUNK) {
		ipnf_pool_push(p, p->fill);
		p->fill = NULL;
		p->nfill = 0;
	}
}

/*
 * Exported flows, after their grace period (ipnf_export_mutex held).  The
 * IPv4 chunk being filled is kept in registers meanwhile.
 */
void ipnf_flows_recycle(struct ipnf_flow *const *v, unsigned int n)
{
	struct ipnf_pool *p4 = &ipnf_pools[0];
	struct ipnf_flow *fill = p4->fill, *f;
	unsigned int i, nfill = p4->nfill;

	lockdep_assert_held(&ipnf_export_mutex);

	for (i = 0; i < n; i++) {
		f = v[i];
		if (f->key.family == IPNF_FAM_V6) {
			ipnf_pool_recycle(&ipnf_pools[1], f);
			continue;
		}
		ipnf_chain_set(f, fill);
		fill = f;
		if (++nfill == IPNF_POOL_CHUNK) {
			ipnf_pool_push(p4, fill);
			fill = NULL;
			nfill = 0;
		}
	}
	p4->fill = fill;
	p4->nfill = nfill;
}

static void ipnf_chain_free(struct ipnf_pool *p, struct ipnf_flow *f)
{
	struct ipnf_flow *next;

	for (; f; f = next) {
		next = ipnf_chain_next(f);
		kmem_cache_free(p->cache, f);
	}
}

/* One pooled chunk back to the slab (process context); false if none. */
static bool ipnf_pool_release(struct ipnf_pool *p)
{
	struct ipnf_flow *chunk;

	local_bh_disable();
	chunk = ipnf_pool_take(p);
	local_bh_enable();
	ipnf_chain_free(p, chunk);
	return chunk != NULL;
}

/*
 * Once per worker run (ipnf_export_mutex held): return what the pool holds
 * beyond the recent peak of active flows to the slab, a bounded amount.
 */
void ipnf_pool_trim(unsigned int active)
{
	unsigned int i, k;

	lockdep_assert_held(&ipnf_export_mutex);

	if (time_after_eq(jiffies, ipnf_pool_decayed + HZ)) {
		ipnf_pool_decayed = jiffies;
		for (i = 0; i < 2; i++)
			ipnf_pools[i].level -= ipnf_pools[i].level / 8;
	}
	for (i = 0; i < 2; i++) {
		struct ipnf_pool *p = &ipnf_pools[i];

		if (active > p->level)
			p->level = active;
		for (k = 0; k < IPNF_POOL_TRIM_CHUNKS &&
			    (unsigned long)READ_ONCE(p->nchunks) * IPNF_POOL_CHUNK > p->level; k++)
			if (!ipnf_pool_release(p))
				break;
	}
}

/* Bytes of the objects the pool holds (not counting per-CPU chunks in use). */
u64 ipnf_pool_bytes(void)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < 2; i++)
		sum += ((u64)READ_ONCE(ipnf_pools[i].nchunks) * IPNF_POOL_CHUNK +
			READ_ONCE(ipnf_pools[i].nfill)) * kmem_cache_size(ipnf_pools[i].cache);
	return sum;
}

unsigned int ipnf_flow_objsize(int family)
{
	return kmem_cache_size(ipnf_pools[family == IPNF_FAM_V6].cache);
}

int ipnf_pool_init(void)
{
#if defined(IPNF_KEY_COMPACT) && !defined(ENABLE_PHYSDEV)
	/* an IPv4 flow is one 64-byte object: keep it so */
	BUILD_BUG_ON(offsetof(struct ipnf_flow, key) + IPNF_KEY_V4_LEN != 64);
#endif
	ipnf_pools[0].cache = kmem_cache_create(ipnf_pools[0].name,
					      offsetof(struct ipnf_flow, key) +
					      IPNF_KEY_V4_LEN, 0, 0, NULL);
	ipnf_pools[1].cache = kmem_cache_create(ipnf_pools[1].name,
					      offsetof(struct ipnf_flow, key) +
					      IPNF_KEY_V6_LEN + sizeof(u32),
					      0, 0, NULL);
	if (!ipnf_pools[0].cache || !ipnf_pools[1].cache) {
		kmem_cache_destroy(ipnf_pools[1].cache);
		kmem_cache_destroy(ipnf_pools[0].cache);
		return -ENOMEM;
	}
	spin_lock_init(&ipnf_pools[0].lock);
	spin_lock_init(&ipnf_pools[1].lock);
	ipnf_pool_decayed = jiffies;
	return 0;
}

/* No packet path and no worker run any more. */
void ipnf_pool_exit(void)
{
	unsigned int i;
	int cpu;

	for (i = 0; i < 2; i++) {
		struct ipnf_pool *p = &ipnf_pools[i];

		for_each_possible_cpu(cpu) {
			ipnf_chain_free(p, per_cpu_ptr(&ipnf_pool_cpu, cpu)->head[i]);
			per_cpu_ptr(&ipnf_pool_cpu, cpu)->head[i] = NULL;
		}
		ipnf_chain_free(p, p->fill);
		p->fill = NULL;
		p->nfill = 0;
		while (ipnf_pool_release(p))
			;
		kmem_cache_destroy(p->cache);
	}
}
