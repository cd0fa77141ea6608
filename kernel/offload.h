/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flowtable=1 (offload.c): meter the packets that nftables flowtables
 * forward on their software fast path, which skips the forward hook and so
 * the NETFLOW rules and hook mode's forward hook.
 */
#ifndef NF_OFFLOAD_H
#define NF_OFFLOAD_H

#include <linux/types.h>

/* Built where the kernel has netdev ingress hooks and conntrack. */
#if IS_ENABLED(CONFIG_NF_CONNTRACK) && IS_ENABLED(CONFIG_NETFILTER_INGRESS)
#define NF_OFFLOAD_BUILT 1
#endif

struct nf_offload_stats {
	u32 devices;		/* devices with our ingress hook */
	u32 errors;		/* hook registrations refused */
	u64 pkts, bytes;	/* fast-path packets metered */
	u64 left;		/* packets of offloaded connections left to the slow path */
};

struct seq_file;
#ifdef NF_OFFLOAD_BUILT
int nf_offload_set(bool on);	/* nf_cfg_mutex held */
void nf_offload_exit(void);
void nf_offload_stats(struct nf_offload_stats *s);
void nf_offload_show(struct seq_file *m, const struct nf_offload_stats *s);
#else
static inline int nf_offload_set(bool on) { return on ? -EOPNOTSUPP : 0; }
static inline void nf_offload_exit(void) { }
static inline void nf_offload_stats(struct nf_offload_stats *s)
{
	memset(s, 0, sizeof(*s));
}
static inline void nf_offload_show(struct seq_file *m,
				   const struct nf_offload_stats *s) { }
#endif

#endif /* NF_OFFLOAD_H */
