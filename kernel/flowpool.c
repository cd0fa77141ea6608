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
 * chunks of NF_POOL_CHUNK, with no atomic per object; the packet path takes a
 * chunk at a time into a per-CPU cache and pops from it: a few instructions
 * per new flow.  Every field of a flow is set on allocation, so a recycled
 * object needs no zeroing.
 *
 * Bounds: objects in the pool are objects flows had; the pool never holds
 * more than the recent peak of active flows (a level that decays by 1/8 per
 * second while traffic is lower), so active + pooled stays within maxflows
 * plus one chunk per CPU.  (Fresh objects come NF_POOL_REFILL at a time
 * from the slab, compat.h's nf_cache_alloc_bulk(), into the per-CPU cache.)
 * The excess goes back to the slab from the worker, a bounded number of
 * chunks per run.
 *
 * Locking: the chunk stacks have one spinlock, taken once per NF_POOL_CHUNK
 * objects (never nested in a stripe lock).  The per-CPU caches are used with
 * BH disabled.  The worker's chunk being filled is under nf_export_mutex.
 */
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/percpu.h>
#include <linux/jiffies.h>
#include "locks.h"
#include "flowpool.h"

#define NF_POOL_CHUNK 64
#define NF_POOL_TRIM_CHUNKS 64	/* chunks freed to the slab per worker run */
#define NF_POOL_REFILL 64	/* fresh objects taken from the slab at once */

/*
 * A chunk is a chain of flows linked through hnode.next; chunks are stacked
 * through the lnode of their first flow.
 */
struct nf_pool {
	struct kmem_cache *cache;
	spinlock_t lock;
	struct llist_node *chunks;	/* stack of full chunks */
	unsigned int nchunks;
	/* the worker's chunk being filled (nf_export_mutex) */
	struct nf_flow *fill;
	unsigned int nfill;
	unsigned long level;		/* decaying peak of active flows */
	const char *name;
};


static struct nf_pool nf_pools[2] = {
	{ .name = "ipt_netflow" },
	{ .name = "ipt_netflow_v6" },
};
DEFINE_PER_CPU(struct nf_pool_cpu, nf_pool_cpu);
static unsigned long nf_pool_decayed;	/* jiffies of the last decay step */
atomic64_t nf_pool_reused;		/* allocations served by the pool */


/* Take a full chunk off the stack, or NULL. */
static struct nf_flow *nf_pool_take(struct nf_pool *p)
{
	struct llist_node *n;

	if (!READ_ONCE(p->chunks))
		return NULL;
	spin_lock(&p->lock);
	n = p->chunks;
	if (n) {
		p->chunks = n->next;
		p->nchunks--;
	}
	spin_unlock(&p->lock);
	return n ? llist_entry(n, struct nf_flow, lnode) : NULL;
}

static void nf_pool_push(struct nf_pool *p, struct nf_flow *chunk)
{
	spin_lock_bh(&p->lock);
	chunk->lnode.next = p->chunks;
	p->chunks = &chunk->lnode;
	p->nchunks++;
	spin_unlock_bh(&p->lock);
}

/*
 * Nothing to recycle: a few fresh objects at once from the slab (one pass
 * through its allocator instead of one per flow), the rest kept per CPU.
 */
static noinline struct nf_flow *nf_pool_refill(struct nf_pool *p,
					       struct nf_pool_cpu *c, bool v6)
{
	void *objs[NF_POOL_REFILL];
	struct nf_flow *chain = NULL, *f;
	int i, n;

	n = nf_cache_alloc_bulk(p->cache, GFP_ATOMIC | __GFP_NOWARN,
				NF_POOL_REFILL, objs);
	if (!n)
		return kmem_cache_alloc(p->cache, GFP_ATOMIC | __GFP_NOWARN);
	for (i = 1; i < n; i++) {
		f = objs[i];
		f->hnode.next = (struct hlist_nulls_node *)chain;
		chain = f;
	}
	c->head[v6] = chain;
	return objs[0];
}

/* The per-CPU chunk is empty: take a pooled chunk, or fresh objects. */
struct nf_flow *nf_flow_alloc_slow(bool v6)
{
	struct nf_pool_cpu *c = this_cpu_ptr(&nf_pool_cpu);
	struct nf_pool *p = &nf_pools[v6];
	struct nf_flow *f = nf_pool_take(p);

	if (f) {
		c->head[v6] = nf_chain_next(f);
		atomic64_add(NF_POOL_CHUNK, &nf_pool_reused);
		return f;
	}
	return nf_pool_refill(p, c, v6);
}

/* Back to the slab at once (a flow that never got into the table). */
void nf_flow_free_now(struct nf_flow *f)
{
	kmem_cache_free(nf_pools[f->key.family == NF_FAM_V6].cache, f);
}

/* An exported flow, after its grace period (nf_export_mutex held). */
void nf_flow_recycle(struct nf_flow *f)
{
	struct nf_pool *p = &nf_pools[f->key.family == NF_FAM_V6];

	lockdep_assert_held(&nf_export_mutex);

	f->hnode.next = (struct hlist_nulls_node *)p->fill;
	p->fill = f;
	if (++p->nfill == NF_POOL_CHUNK) {
		nf_pool_push(p, p->fill);
		p->fill = NULL;
		p->nfill = 0;
	}
}

static void nf_chain_free(struct nf_pool *p, struct nf_flow *f)
{
	struct nf_flow *next;

	for (; f; f = next) {
		next = nf_chain_next(f);
		kmem_cache_free(p->cache, f);
	}
}

/* One pooled chunk back to the slab (process context); false if none. */
static bool nf_pool_release(struct nf_pool *p)
{
	struct nf_flow *chunk;

	local_bh_disable();
	chunk = nf_pool_take(p);
	local_bh_enable();
	nf_chain_free(p, chunk);
	return chunk != NULL;
}

/*
 * Once per worker run (nf_export_mutex held): return what the pool holds
 * beyond the recent peak of active flows to the slab, a bounded amount.
 */
void nf_pool_trim(unsigned int active)
{
	unsigned int i, k;

	lockdep_assert_held(&nf_export_mutex);

	if (time_after_eq(jiffies, nf_pool_decayed + HZ)) {
		nf_pool_decayed = jiffies;
		for (i = 0; i < 2; i++)
			nf_pools[i].level -= nf_pools[i].level / 8;
	}
	for (i = 0; i < 2; i++) {
		struct nf_pool *p = &nf_pools[i];

		if (active > p->level)
			p->level = active;
		for (k = 0; k < NF_POOL_TRIM_CHUNKS &&
			    (unsigned long)READ_ONCE(p->nchunks) * NF_POOL_CHUNK > p->level; k++)
			if (!nf_pool_release(p))
				break;
	}
}

/* Bytes of the objects the pool holds (not counting per-CPU chunks in use). */
u64 nf_pool_bytes(void)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < 2; i++)
		sum += ((u64)READ_ONCE(nf_pools[i].nchunks) * NF_POOL_CHUNK +
			READ_ONCE(nf_pools[i].nfill)) * kmem_cache_size(nf_pools[i].cache);
	return sum;
}

unsigned int nf_flow_objsize(int family)
{
	return kmem_cache_size(nf_pools[family == NF_FAM_V6].cache);
}

int nf_pool_init(void)
{
	nf_pools[0].cache = kmem_cache_create(nf_pools[0].name,
					      offsetof(struct nf_flow, key) +
					      NF_KEY_V4_LEN, 0, 0, NULL);
	nf_pools[1].cache = kmem_cache_create(nf_pools[1].name,
					      offsetof(struct nf_flow, key) +
					      NF_KEY_V6_LEN + sizeof(u32),
					      0, 0, NULL);
	if (!nf_pools[0].cache || !nf_pools[1].cache) {
		kmem_cache_destroy(nf_pools[1].cache);
		kmem_cache_destroy(nf_pools[0].cache);
		return -ENOMEM;
	}
	spin_lock_init(&nf_pools[0].lock);
	spin_lock_init(&nf_pools[1].lock);
	nf_pool_decayed = jiffies;
	return 0;
}

/* No packet path and no worker run any more. */
void nf_pool_exit(void)
{
	unsigned int i;
	int cpu;

	for (i = 0; i < 2; i++) {
		struct nf_pool *p = &nf_pools[i];

		for_each_possible_cpu(cpu) {
			nf_chain_free(p, per_cpu_ptr(&nf_pool_cpu, cpu)->head[i]);
			per_cpu_ptr(&nf_pool_cpu, cpu)->head[i] = NULL;
		}
		nf_chain_free(p, p->fill);
		p->fill = NULL;
		p->nfill = 0;
		while (nf_pool_release(p))
			;
		kmem_cache_destroy(p->cache);
	}
}
