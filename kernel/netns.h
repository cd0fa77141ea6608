/* SPDX-License-Identifier: GPL-2.0-only */
/* Once in every network namespace that exists (netns.c). */
#ifndef NF_NETNS_H
#define NF_NETNS_H

struct net;
/* fn(net) for each namespace; fn must be idempotent.  Sleeps. */
int nf_netns_walk(void (*fn)(struct net *net));

#endif /* NF_NETNS_H */
