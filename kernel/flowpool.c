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
 * IPv4 flows (all one size) are carved from whole pages: PAGE_SIZE /
 * objsize objects a page, chained into the CPU's chunk at once, with no
 * per-object freelist, shuffle or zeroing (SLUB's way cost ~100 guest
 * instructions per new flow of a flood: the slab built and shuffled, each
 * object popped and zeroed again by init_on_alloc); the page's own clearing
 * is ~8 instructions an object.  The memory is the same: a 64-byte flow is
 * 64 bytes of a page (SLUB's objects of 64 bytes sit in pages the same
 * way, and its cache shows no more).  A page goes back to the system when
 * every object of it is pooled (the trim finds such pages, below).
 * IPv6 flows come from a slab cache.
 *
 * Bounds: objects in the pool are objects flows had; the pool never holds
 * more than the recent peak of active flows (a level that decays by 1/8 per
 * second while traffic is lower), so active + pooled stays within maxflows
 * plus one chunk (or page) per CPU.  The excess goes back from the worker's
 * periodic runs (not a flush's): slab objects a bounded number of chunks
 * per run; pages at most once a second, by one pass over the pooled objects
 * (counting each page's pooled objects in its struct page) that frees the
 * pages whose every object is pooled, until the pool is down to its level;
 * a pass that frees little makes the next wait longer.  Like a slab's
 * partly used pages, a page with an object still in use stays.
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
/* between two passes that look for free pages: at least, at most (backing off) */
#define IPNF_POOL_SCAN_GAP HZ
#define IPNF_POOL_SCAN_GAP_MAX (64 * HZ)

/*
 * A chunk is a chain of flows linked through hnode.next; chunks are stacked
 * through the first flow's byte counter (ipnf_chunk_link), which a pooled
 * flow does not use.
 */
struct ipnf_pool {
	struct kmem_cache *cache;	/* slab objects; NULL: objects carved from pages */
	unsigned int objsize;
	unsigned int per_page;		/* objects a page (carved pools) */
	spinlock_t lock;
	struct ipnf_flow *chunks;	/* stack of full chunks */
	unsigned int nchunks;
	/* the worker's chunk being filled (ipnf_export_mutex) */
	struct ipnf_flow *fill;
	unsigned int nfill;
	unsigned long level;		/* decaying peak of active flows */
	/* carved pools: every page, under lock (page->lru; page->private: the trim's) */
	struct list_head pages;
	unsigned long npages;
	/* the trim's next pass (jiffies), the gap after it (export mutex) */
	unsigned long scan_next, scan_gap;
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

/* Take a chunk off the stack, or NULL (BH off). */
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

/* A full chunk onto the stack. */
static void ipnf_pool_push(struct ipnf_pool *p, struct ipnf_flow *chunk)
{
	spin_lock_bh(&p->lock);
	*ipnf_chunk_link(chunk) = p->chunks;
	p->chunks = chunk;
	p->nchunks++;
	spin_unlock_bh(&p->lock);
}

/*
 * Nothing to recycle, in a carved pool: a fresh page, its objects chained
 * into the CPU's chunk (the first returned).
 */
static noinline struct ipnf_flow *ipnf_pool_carve(struct ipnf_pool *p,
					      struct ipnf_pool_cpu *c, bool v6)
{
	struct page *pg = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
	struct ipnf_flow *chain = NULL, *f;
	unsigned int i;
	u8 *base;

	if (!pg)
		return NULL;
	set_page_private(pg, 0);
	spin_lock(&p->lock);
	list_add(&pg->lru, &p->pages);
	p->npages++;
	spin_unlock(&p->lock);
	base = page_address(pg);
	for (i = p->per_page - 1; i > 0; i--) {
		f = (struct ipnf_flow *)(base + i * p->objsize);
		ipnf_chain_set(f, chain);
		chain = f;
	}
	c->head[v6] = chain;
	return (struct ipnf_flow *)base;
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
	if (!p->cache)
		return ipnf_pool_carve(p, c, v6);
	return ipnf_pool_refill(p, c, v6);
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
 * Exported flows, after their grace period (ipnf_export_mutex held), their
 * counters summed into *sum on the way (one pass).  The IPv4 chunk being
 * filled is kept in registers meanwhile.
 */
void ipnf_flows_recycle(struct ipnf_flow *const *v, unsigned int n,
			struct ipnf_flow_sums *sum)
{
	struct ipnf_pool *p4 = &ipnf_pools[0];
	struct ipnf_flow *fill = p4->fill, *f;
	unsigned int i, nfill = p4->nfill, v6 = 0;
	u64 pkts = 0, bytes = 0;

	lockdep_assert_held(&ipnf_export_mutex);

	for (i = 0; i < n; i++) {
		f = v[i];
		pkts += (u32)atomic_read(&f->packets);
		bytes += atomic64_read(&f->bytes);
		if (f->key.family == IPNF_FAM_V6) {
			v6++;
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
	sum->pkts = pkts;
	sum->bytes = bytes;
	sum->v6 = v6;
}

static void ipnf_chain_free(struct ipnf_pool *p, struct ipnf_flow *f)
{
	struct ipnf_flow *next;

	for (; f; f = next) {
		next = ipnf_chain_next(f);
		kmem_cache_free(p->cache, f);
	}
}

/* One pooled chunk of a slab pool back to the slab (process context); false if none. */
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
 * A carved pool over its level: one pass over the pooled objects (taken
 * off the stack meanwhile) counts each page's in the page's private word;
 * a second puts back the objects of pages not wholly pooled and marks the
 * pages that are, until the pool is down to its level; those are freed
 * (export mutex held).  Objects in the CPUs' chunks and in the chunk being
 * filled are not counted: their pages stay.
 */
static void ipnf_pool_trim_pages(struct ipnf_pool *p)
{
	const unsigned long marked = p->per_page + 1;
	struct ipnf_flow *all, *chunk, *f, *next, *link;
	unsigned long excess, pooled, want;
	struct page *pg, *tmp;
	LIST_HEAD(free);

	lockdep_assert_held(&ipnf_export_mutex);
	pooled = (unsigned long)READ_ONCE(p->nchunks) * IPNF_POOL_CHUNK;
	if (pooled <= p->level + p->per_page || time_before(jiffies, p->scan_next))
		return;
	want = excess = pooled - p->level;

	spin_lock_bh(&p->lock);
	all = p->chunks;
	p->chunks = NULL;
	p->nchunks = 0;
	spin_unlock_bh(&p->lock);

	for (chunk = all; chunk; chunk = *ipnf_chunk_link(chunk)) {
		for (f = chunk; f; f = ipnf_chain_next(f))
			virt_to_page(f)->private++;
		cond_resched();
	}
	for (chunk = all; chunk; chunk = link) {
		link = *ipnf_chunk_link(chunk);
		for (f = chunk; f; f = next) {
			next = ipnf_chain_next(f);
			pg = virt_to_page(f);
			if (pg->private == p->per_page && excess >= p->per_page) {
				pg->private = marked;	/* on its first object */
				excess -= p->per_page;
			}
			if (pg->private == marked)
				continue;
			pg->private = 0;
			ipnf_pool_recycle(p, f);
		}
		cond_resched();
	}
	spin_lock_bh(&p->lock);
	list_for_each_entry_safe(pg, tmp, &p->pages, lru) {
		if (pg->private == marked) {
			list_move(&pg->lru, &free);
			p->npages--;
		}
	}
	spin_unlock_bh(&p->lock);
	list_for_each_entry_safe(pg, tmp, &free, lru) {
		list_del(&pg->lru);
		set_page_private(pg, 0);
		__free_page(pg);
	}
	/*
	 * A pass that found less than an eighth of what it looked for (pages
	 * kept by a flow or two each) waits twice as long for the next, up to
	 * IPNF_POOL_SCAN_GAP_MAX: the passes cost little while nothing frees.
	 */
	if (want - excess < want / 8)
		p->scan_gap = min_t(unsigned long, 2 * p->scan_gap, IPNF_POOL_SCAN_GAP_MAX);
	else
		p->scan_gap = IPNF_POOL_SCAN_GAP;
	p->scan_next = jiffies + p->scan_gap;
}

/*
 * Once per worker run (ipnf_export_mutex held): return what the pool holds
 * beyond the recent peak of active flows, a bounded amount.
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
		if (!p->cache) {
			ipnf_pool_trim_pages(p);
			continue;
		}
		for (k = 0; k < IPNF_POOL_TRIM_CHUNKS &&
			    (unsigned long)READ_ONCE(p->nchunks) * IPNF_POOL_CHUNK > p->level; k++)
			if (!ipnf_pool_release(p))
				break;
	}
}

/*
 * Bytes the pools hold: a carved pool's pages (its flows in use too), a
 * slab pool's pooled objects (not counting per-CPU chunks in use).
 */
u64 ipnf_pool_bytes(void)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		const struct ipnf_pool *p = &ipnf_pools[i];

		if (!p->cache)
			sum += (u64)READ_ONCE(p->npages) * PAGE_SIZE;
		else
			sum += ((u64)READ_ONCE(p->nchunks) * IPNF_POOL_CHUNK +
				READ_ONCE(p->nfill)) * p->objsize;
	}
	return sum;
}

void ipnf_pool_stats(struct ipnf_pool_stats *s)
{
	s->objsize4 = ipnf_pools[0].objsize;
	s->per_page = ipnf_pools[0].per_page;
	s->pages = READ_ONCE(ipnf_pools[0].npages);
	s->pooled4 = READ_ONCE(ipnf_pools[0].nchunks) * IPNF_POOL_CHUNK;
	s->pooled6 = READ_ONCE(ipnf_pools[1].nchunks) * IPNF_POOL_CHUNK;
	s->reused = atomic64_read(&ipnf_pool_reused);
}

unsigned int ipnf_flow_objsize(int family)
{
	return ipnf_pools[family == IPNF_FAM_V6].objsize;
}

bool ipnf_flow_paged(int family)
{
	return !ipnf_pools[family == IPNF_FAM_V6].cache;
}

int ipnf_pool_init(void)
{
	struct ipnf_pool *p4 = &ipnf_pools[0], *p6 = &ipnf_pools[1];

#if defined(IPNF_KEY_COMPACT) && !defined(ENABLE_PHYSDEV)
	/* an IPv4 flow is one 64-byte object: keep it so */
	BUILD_BUG_ON(offsetof(struct ipnf_flow, key) + IPNF_KEY_V4_LEN != 64);
#endif
	/* IPv4: carved from pages, each object aligned for its 64-bit counter */
	p4->objsize = ALIGN(offsetof(struct ipnf_flow, key) + IPNF_KEY_V4_LEN,
			    sizeof(u64));
	p4->per_page = PAGE_SIZE / p4->objsize;
	p6->cache = kmem_cache_create(p6->name, offsetof(struct ipnf_flow, key) +
				      IPNF_KEY_V6_LEN + sizeof(u32), 0, 0, NULL);
	if (!p6->cache)
		return -ENOMEM;
	p6->objsize = kmem_cache_size(p6->cache);
	spin_lock_init(&p4->lock);
	spin_lock_init(&p6->lock);
	INIT_LIST_HEAD(&p4->pages);
	INIT_LIST_HEAD(&p6->pages);
	p4->scan_gap = IPNF_POOL_SCAN_GAP;
	ipnf_pool_decayed = jiffies;
	return 0;
}

/* The objects of a chain, counted (a carved pool's, at unload). */
static unsigned long ipnf_chain_count(struct ipnf_flow *f)
{
	unsigned long n = 0;

	for (; f; f = ipnf_chain_next(f))
		n++;
	return n;
}

/*
 * A carved pool at unload: every object is back (the CPUs' chunks, the
 * chunk being filled, the stack), which is checked; the pages are freed.
 */
static void ipnf_pool_exit_pages(struct ipnf_pool *p, unsigned int i)
{
	unsigned long objs = ipnf_chain_count(p->fill);
	struct ipnf_flow *chunk;
	struct page *pg, *tmp;
	int cpu;

	for_each_possible_cpu(cpu) {
		objs += ipnf_chain_count(per_cpu_ptr(&ipnf_pool_cpu, cpu)->head[i]);
		per_cpu_ptr(&ipnf_pool_cpu, cpu)->head[i] = NULL;
	}
	for (chunk = p->chunks; chunk; chunk = *ipnf_chunk_link(chunk))
		objs += ipnf_chain_count(chunk);
	WARN_ONCE(objs != p->npages * p->per_page,
		  "ipt_NETFLOW: %lu flow objects of %lu not back at unload\n",
		  p->npages * p->per_page - objs, p->npages * p->per_page);
	p->chunks = NULL;
	p->fill = NULL;
	list_for_each_entry_safe(pg, tmp, &p->pages, lru) {
		list_del(&pg->lru);
		set_page_private(pg, 0);
		__free_page(pg);
	}
	p->npages = 0;
}

/* No packet path and no worker run any more. */
void ipnf_pool_exit(void)
{
	unsigned int i;
	int cpu;

	for (i = 0; i < 2; i++) {
		struct ipnf_pool *p = &ipnf_pools[i];

		if (!p->cache) {
			ipnf_pool_exit_pages(p, i);
			continue;
		}
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
		p->cache = NULL;
	}
}
