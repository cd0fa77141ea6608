/* SPDX-License-Identifier: GPL-2.0-only */
/* Flow objects (flowpool.c): slab caches and a per-CPU recycling pool. */
#ifndef NF_FLOWPOOL_H
#define NF_FLOWPOOL_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/percpu.h>
#include "flow.h"

int nf_pool_init(void);
void nf_pool_exit(void);
struct nf_pool_cpu {
	struct nf_flow *head[2];	/* a chunk being used, per family */
};
DECLARE_PER_CPU(struct nf_pool_cpu, nf_pool_cpu);
struct nf_flow *nf_flow_alloc_slow(bool v6);

/* Chunks chain their flows through hnode.next. */
static inline struct nf_flow *nf_chain_next(struct nf_flow *f)
{
	return (struct nf_flow *)f->hnode.next;
}

/* A flow object for the packet path (BH disabled): pop the CPU's chunk. */
static __always_inline struct nf_flow *nf_flow_alloc(bool v6)
{
	struct nf_pool_cpu *c = this_cpu_ptr(&nf_pool_cpu);
	struct nf_flow *f = c->head[v6];

	if (likely(f)) {
		c->head[v6] = nf_chain_next(f);
		return f;
	}
	return nf_flow_alloc_slow(v6);
}
void nf_flow_free_now(struct nf_flow *f);	/* never hashed: to the slab */
void nf_flow_recycle(struct nf_flow *f);	/* export mutex held */
void nf_pool_trim(unsigned int active);		/* export mutex held */
u64 nf_pool_bytes(void);
unsigned int nf_flow_objsize(int family);
extern atomic64_t nf_pool_reused;

#endif /* NF_FLOWPOOL_H */
