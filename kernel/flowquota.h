/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The maxflows bound without a shared write per new flow (flowquota.c).
 * Built in the kernel and, with nf_env.h's stand-ins, in the unit tests.
 */
#ifndef IPNF_FLOWQUOTA_H
#define IPNF_FLOWQUOTA_H

#include "nf_env.h"
#ifdef __KERNEL__
#include <linux/atomic.h>
#include <linux/percpu.h>
#endif

/* Places reserved: flows, flows being made, and the CPUs' quotas. */
extern atomic_t ipnf_flows_reserved;
/* Each CPU's reserved places not used yet. */
DECLARE_PER_CPU(atomic_t, ipnf_flow_quota);

bool ipnf_quota_refill(int max);
bool ipnf_quota_reclaim(void);
/* Flows in the table (and being made): the reserved places less the quotas. */
unsigned int ipnf_flows_count(void);

/*
 * A place for a new flow under maxflows = max (0: no limit), from this
 * CPU's quota (or any CPU's, should the caller migrate: every operation on
 * a quota is atomic); false when max flows exist or are being made.
 */
static __always_inline bool ipnf_flow_place_get(int max)
{
	if (likely(atomic_dec_if_positive(raw_cpu_ptr(&ipnf_flow_quota)) >= 0))
		return true;
	return ipnf_quota_refill(max);
}

/*
 * A place taken and not used (the flow was found after all, or no memory):
 * back to the reserve, where any CPU finds it (a quota of its own is found
 * only by a reclaim that knows of it).
 */
static inline void ipnf_flow_place_put(void)
{
	atomic_sub(1, &ipnf_flows_reserved);
}

/* The places of n flows that are gone (exported). */
static inline void ipnf_flow_places_free(unsigned int n)
{
	atomic_sub(n, &ipnf_flows_reserved);
}

#endif /* IPNF_FLOWQUOTA_H */
