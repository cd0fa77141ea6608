/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A flow of the table (flowtable.c owns them) and the clock export reads its
 * times with.  Pure enough to compile in kernel/tests (nf_env.h gives the
 * kernel types plain stand-ins there), so what export makes of a flow
 * (flow_rec.h) is unit-tested.
 */
#ifndef IPNF_FLOW_H
#define IPNF_FLOW_H

#include "nf_env.h"
#include "flow_key.h"
#ifdef __KERNEL__
#include <linux/atomic.h>
#include <linux/jiffies.h>
#endif

/*
 * A hash chain link (flowtable.h): the next flow's link or, at the end of a
 * chain, a nulls marker (bit 0 set) holding the bucket's index, as in
 * <linux/list_nulls.h> but singly linked: one pointer a flow.
 */
struct ipnf_link {
	struct ipnf_link __rcu *next;
};

/*
 * 64 bytes for an IPv4 flow (slab object; no other link: the worker keeps
 * the flows it unlinked in arrays, FIN/RST flows are found by bitmaps).
 */
struct ipnf_flow {
	atomic64_t bytes;
	atomic_t packets;
	/*
	 * bits 0-7: TCP flags OR; 8-9: IPNF_FLOW_*; 16-23: end reason (a
	 * flush sets none: ipnf_flow_end_reason()); 24-31: tcpOptions bits
	 * of option kinds 32-39
	 */
	atomic_t state;
	struct ipnf_link hnode;	/* hash chain; in the pool, its chunk's chain */
	u32 ts_first;		/* jiffies (low 32 bits) */
	u32 ts_last;
	u32 oif;
	atomic_t ip_opts;	/* ipv4Options / ipv6ExtensionHeaders OR */
	atomic_t tcp_opts;	/* tcpOptions bits of option kinds 0-31 */
#ifdef ENABLE_PHYSDEV
	u32 physin, physout;
#endif
	struct ipnf_flow_key key;	/* IPv4 flows are allocated up to a.v4 */
	/* IPv6 flows only, after the key: the flow label (ipnf_flow_label) */
};

#define IPNF_FLOW_ENDED	0x100	/* FIN or RST seen: the worker unlinks it */
#define IPNF_FLOW_RST	0x200
#define IPNF_FLOW_OPT_SHIFT 24	/* state bits of tcpOptions kinds 32-39 */

/* The IPv6 flow label, stored after the IPv6 key. */
static inline u32 *ipnf_flow_label(struct ipnf_flow *f)
{
	return (u32 *)((u8 *)&f->key + IPNF_KEY_V6_LEN);
}

/* The clock of an export pass: flow times are taken relative to it. */
struct ipnf_export_clock {
	u32 now;		/* jiffies (low 32 bits) */
	u32 uptime;		/* system uptime, ms */
	u64 real_ms;		/* wall clock, ms since 1970 */
};

/* jiffies → ms without a call where HZ divides 1000 (Debian: 250). */
static inline u32 ipnf_j2ms(u32 j)
{
	if (!(MSEC_PER_SEC % HZ))
		return j * (MSEC_PER_SEC / HZ);
	return jiffies_to_msecs(j);
}

/* How long ago (ms) jiffies stamp ts was, at the pass's clock. */
static inline u32 ipnf_age_ms(const struct ipnf_export_clock *c, u32 ts)
{
	return ipnf_j2ms(c->now - ts);
}

/* What ipnf_uptime_at() adds to a stamp: the uptime at jiffies 0 (mod 2^32). */
static inline u32 ipnf_uptime_base(const struct ipnf_export_clock *c)
{
	return c->uptime - ipnf_j2ms(c->now);
}

/*
 * The uptime (ms) at jiffies stamp ts, c->uptime - ipnf_age_ms(c, ts): where
 * HZ divides 1000, one multiply-add on base (ipnf_uptime_base(c)), the same
 * bits (the product is taken mod 2^32 either way).
 */
static inline u32 ipnf_uptime_at(const struct ipnf_export_clock *c, u32 base,
				 u32 ts)
{
	if (!(MSEC_PER_SEC % HZ))
		return base + ts * (MSEC_PER_SEC / HZ);
	return c->uptime - ipnf_age_ms(c, ts);
}

#endif /* IPNF_FLOW_H */
