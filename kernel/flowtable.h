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
#include <linux/llist.h>
#include <linux/percpu.h>
#include "flow.h"
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
void ipnf_flow_free(struct ipnf_flow *f);	/* exported: to the pool */
u64 ipnf_flows_mem(void);		/* bytes of the flows' objects, pooled too */

extern atomic_t ipnf_flows_active;
extern atomic_t ipnf_flows_v6;
DECLARE_PER_CPU(struct llist_head, ipnf_ended);	/* flows seen with FIN or RST */
extern atomic64_t ipnf_removed_pkts, ipnf_removed_bytes;

/* What the worker's sweep exports (copied once per run). */
struct ipnf_expiry {
	bool all;		/* flush: every flow */
	u32 now;		/* jiffies when the run began */
	u32 inactive_j;		/* timeouts in jiffies */
	u32 active_j;
};

/* Whether a flow is due, and why (an enum ipnf_end_reason). */
static inline bool ipnf_flow_expired(const struct ipnf_flow *f,
				   const struct ipnf_expiry *e, u8 *reason)
{
	if (e->all) {
		*reason = IPNF_END_FORCED;
		return true;
	}
	/*
	 * now was read when the run began: the packet path may have stamped a
	 * flow later, which must count as age 0, not as 2^32 - 1 jiffies.
	 */
	if ((s32)(e->now - READ_ONCE(f->ts_last)) >= (s32)e->inactive_j) {
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

/*
 * Walk buckets [from, from + n) of the current table (caller holds
 * ipnf_export_mutex, so no resize runs), unlinking the flows that are due onto
 * *batch (the caller's own list).  Returns the number of buckets walked.
 */
unsigned int ipnf_table_sweep(unsigned int from, unsigned int n,
			    const struct ipnf_expiry *exp, struct llist_head *batch,
			    unsigned int *nflows);
bool ipnf_flow_unlink(struct ipnf_flow *f);

/* Calls fn for each flow of bucket b under RCU; stops at a non-zero return. */
int ipnf_table_walk(unsigned int b, int (*fn)(const struct ipnf_flow *f, void *arg),
		  void *arg);

#endif /* IPNF_FLOWTABLE_H */
