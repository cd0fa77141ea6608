/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NAT events from conntrack (natevents.c, --enable-natevents): queued by
 * the conntrack callback, exported by the worker (export.h ipnf_export_nat).
 */
#ifndef IPNF_NATEVENTS_H
#define IPNF_NATEVENTS_H

#include <linux/types.h>
#include <linux/atomic.h>
#include "nf_config.h"

struct ipnf_nat_stats {
	atomic64_t starts, stops;	/* events queued */
	atomic64_t dropped;		/* queue full or no memory */
	atomic_t busy;			/* namespaces whose callback another holds */
	atomic_t no_events;		/* namespaces with conntrack events off */
};
#ifdef ENABLE_NAT
extern struct ipnf_nat_stats ipnf_nat_stats;
int ipnf_natevents_init(void);
void ipnf_natevents_exit(void);
void ipnf_natevents_set(bool on);		/* ipnf_cfg_mutex held */
unsigned int ipnf_natevents_drain(void);	/* export mutex held */
#else
static inline int ipnf_natevents_init(void) { return 0; }
static inline void ipnf_natevents_exit(void) { }
static inline unsigned int ipnf_natevents_drain(void) { return 0; }
#endif

#endif /* IPNF_NATEVENTS_H */
