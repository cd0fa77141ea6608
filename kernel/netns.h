/* SPDX-License-Identifier: GPL-2.0-only */
/* Once in every network namespace that exists (netns.c). */
#ifndef IPNF_NETNS_H
#define IPNF_NETNS_H

struct net;
/* fn(net) for each namespace; fn must be idempotent.  Sleeps. */
int ipnf_netns_walk(void (*fn)(struct net *net));

#endif /* IPNF_NETNS_H */
