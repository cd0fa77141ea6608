/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flowtable=1 (offload.c): meter the packets that nftables flowtables
 * forward on their software fast path, which skips the forward hook and so
 * the NETFLOW rules and hook mode's forward hook.
 */
#ifndef IPNF_OFFLOAD_H
#define IPNF_OFFLOAD_H

#include <linux/types.h>

/* Built where the kernel has netdev ingress hooks and conntrack. */
#if IS_ENABLED(CONFIG_NF_CONNTRACK) && IS_ENABLED(CONFIG_NETFILTER_INGRESS)
#define IPNF_OFFLOAD_BUILT 1
#endif

struct ipnf_offload_stats {
	u32 devices;		/* devices with our ingress hook */
	u32 errors;		/* hook registrations refused */
	u64 pkts, bytes;	/* fast-path packets metered */
	u64 left;		/* packets of offloaded connections left to the slow path */
};

struct seq_file;
#ifdef IPNF_OFFLOAD_BUILT
int ipnf_offload_set(bool on);	/* ipnf_cfg_mutex held */
void ipnf_offload_exit(void);
void ipnf_offload_stats(struct ipnf_offload_stats *s);
void ipnf_offload_show(struct seq_file *m, const struct ipnf_offload_stats *s);
#else
static inline int ipnf_offload_set(bool on) { return on ? -EOPNOTSUPP : 0; }
static inline void ipnf_offload_exit(void) { }
static inline void ipnf_offload_stats(struct ipnf_offload_stats *s)
{
	memset(s, 0, sizeof(*s));
}
static inline void ipnf_offload_show(struct seq_file *m,
				   const struct ipnf_offload_stats *s) { }
#endif

#endif /* IPNF_OFFLOAD_H */
