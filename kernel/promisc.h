/* SPDX-License-Identifier: GPL-2.0-only */
/* Frames for other hosts (promisc.c, --enable-promisc): metered from a packet tap. */
#ifndef IPNF_PROMISC_H
#define IPNF_PROMISC_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/percpu.h>
#include "nf_config.h"
#include "flow_key.h"

struct ipnf_promisc_ctx {
	bool active;		/* a promisc frame is in the hook on this CPU */
	u8 ntags;
	u16 vlan[IPNF_VLAN_TAGS];	/* TCI, outer first */
#ifdef ENABLE_PROMISC_MPLS
	u32 mpls[ENABLE_PROMISC_MPLS];
#endif
};
#ifdef ENABLE_PROMISC
DECLARE_PER_CPU(struct ipnf_promisc_ctx, ipnf_promisc_ctx);
extern atomic64_t ipnf_promisc_seen, ipnf_promisc_dropped;
void ipnf_promisc_set(bool on);		/* ipnf_cfg_mutex held */
/* The context of the packet in the hook, if it is a promisc frame. */
static inline const struct ipnf_promisc_ctx *ipnf_promisc_current(void)
{
	const struct ipnf_promisc_ctx *c = this_cpu_ptr(&ipnf_promisc_ctx);

	return c->active ? c : NULL;
}
#else
static inline void ipnf_promisc_set(bool on) { }
#endif

#endif /* IPNF_PROMISC_H */
