/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NAT events from conntrack (natevents.c, --enable-natevents): queued by
 * the conntrack callback, exported by the worker (export.h nf_export_nat).
 */
#ifndef NF_NATEVENTS_H
#define NF_NATEVENTS_H

#include <linux/types.h>
#include <linux/atomic.h>
#include "nf_config.h"

struct nf_nat_stats {
	atomic64_t starts, stops;	/* events queued */
	atomic64_t dropped;		/* queue full or no memory */
	atomic_t busy;			/* namespaces whose callback another holds */
	atomic_t no_events;		/* namespaces with conntrack events off */
};
#ifdef ENABLE_NAT
extern struct nf_nat_stats nf_nat_stats;
int nf_natevents_init(void);
void nf_natevents_exit(void);
void nf_natevents_set(bool on);		/* nf_cfg_mutex held */
unsigned int nf_natevents_drain(void);	/* export mutex held */
#else
static inline int nf_natevents_init(void) { return 0; }
static inline void nf_natevents_exit(void) { }
static inline unsigned int nf_natevents_drain(void) { return 0; }
#endif

#endif /* NF_NATEVENTS_H */
