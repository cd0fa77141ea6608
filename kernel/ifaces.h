/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interfaces the meter has seen (ifaces.c): for the interface options
 * records of v9/IPFIX, and the VRF of each (ingressVRFID/egressVRFID).
 */
#ifndef IPNF_IFACES_H
#define IPNF_IFACES_H

#include <linux/types.h>
#include <linux/bitops.h>
#include <linux/netdevice.h>
#include "tmpl.h"

#define IPNF_IF_BITS 1024
extern unsigned long ipnf_if_seen[];
void ipnf_if_add(const struct net_device *dev);
/* Packet path: a call only the first time an interface is seen. */
static inline void ipnf_if_note(const struct net_device *dev)
{
	if (dev && dev->ifindex < IPNF_IF_BITS &&
	    unlikely(!test_bit(dev->ifindex, ipnf_if_seen)))
		ipnf_if_add(dev);
}
/* Copies up to max interfaces seen (in order of first sight); returns n. */
int ipnf_if_list(struct ipnf_opt_iface *out, int max);
void ipnf_if_forget(void);
/* The VRF of an interface seen: its l3mdev table id (ingress/egressVRFID), or 0. */
u32 ipnf_if_vrf(u32 ifindex);
/* Whether any interface seen had a VRF (since the last ipnf_if_forget). */
bool ipnf_if_any_vrf(void);
int ipnf_ifaces_init(void);	/* follows devices moving in and out of VRFs */
void ipnf_ifaces_exit(void);

#endif /* IPNF_IFACES_H */
