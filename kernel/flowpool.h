/* SPDX-License-Identifier: GPL-2.0-only */
/* Flow objects (flowpool.c): carved pages, a slab cache and a per-CPU recycling pool. */
#ifndef IPNF_FLOWPOOL_H
#define IPNF_FLOWPOOL_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include "flow.h"

int ipnf_pool_init(void);
void ipnf_pool_exit(void);
struct ipnf_pool_cpu {
	struct ipnf_flow *head[2];	/* a chunk being used, per family */
};
DECLARE_PER_CPU(struct ipnf_pool_cpu, ipnf_pool_cpu);
struct ipnf_flow *ipnf_flow_alloc_slow(bool v6);

/*
 * Chunks chain their flows through hnode.next, which holds the next flow
 * itself there (a pooled flow is in no hash chain, no reader sees it).
 */
static inline struct ipnf_flow *ipnf_chain_next(struct ipnf_flow *f)
{
	return (struct ipnf_flow *)rcu_dereference_raw(f->hnode.next);
}

static inline void ipnf_chain_set(struct ipnf_flow *f, struct ipnf_flow *next)
{
	RCU_INIT_POINTER(f->hnode.next, (struct ipnf_link *)next);
}

/* A flow object for the packet path (BH disabled): pop the CPU's chunk. */
static __always_inline struct ipnf_flow *ipnf_flow_alloc(bool v6)
{
	struct ipnf_pool_cpu *c = this_cpu_ptr(&ipnf_pool_cpu);
	struct ipnf_flow *f = c->head[v6];

	if (likely(f)) {
		c->head[v6] = ipnf_chain_next(f);
		return f;
	}
	return ipnf_flow_alloc_slow(v6);
}
/* An object ipnf_flow_alloc() gave and the flow did not use: back (BH off). */
static __always_inline void ipnf_flow_unalloc(struct ipnf_flow *f, bool v6)
{
	struct ipnf_pool_cpu *c = this_cpu_ptr(&ipnf_pool_cpu);

	ipnf_chain_set(f, c->head[v6]);
	c->head[v6] = f;
}
/* What recycled flows held: their counters; how many were IPv6. */
struct ipnf_flow_sums {
	u64 pkts, bytes;
	unsigned int v6;
};
void ipnf_flows_recycle(struct ipnf_flow *const *v, unsigned int n,
			struct ipnf_flow_sums *sum);	/* export mutex */
void ipnf_pool_trim(unsigned int active);		/* export mutex held */
u64 ipnf_pool_bytes(void);
struct ipnf_pool_stats {
	unsigned int objsize4, per_page;	/* IPv4 objects, carved from pages */
	unsigned long pages;
	unsigned int pooled4, pooled6;		/* on the pools' stacks */
	u64 reused;
};
void ipnf_pool_stats(struct ipnf_pool_stats *s);
unsigned int ipnf_flow_objsize(int family);
bool ipnf_flow_paged(int family);	/* its flows' memory is in ipnf_pool_bytes() */
extern atomic64_t ipnf_pool_reused;

#endif /* IPNF_FLOWPOOL_H */
