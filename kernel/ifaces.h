/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interfaces the meter has seen (ifaces.c): for the interface options
 * records of v9/IPFIX, and the VRF of each (ingressVRFID/egressVRFID).
 */
#ifndef NF_IFACES_H
#define NF_IFACES_H

#include <linux/types.h>
#include <linux/bitops.h>
#include <linux/netdevice.h>
#include "tmpl.h"

#define NF_IF_BITS 1024
extern unsigned long nf_if_seen[];
void nf_if_add(const struct net_device *dev);
/* Packet path: a call only the first time an interface is seen. */
static inline void nf_if_note(const struct net_device *dev)
{
	if (dev && dev->ifindex < NF_IF_BITS &&
	    unlikely(!test_bit(dev->ifindex, nf_if_seen)))
		nf_if_add(dev);
}
/* Copies up to max interfaces seen (in order of first sight); returns n. */
int nf_if_list(struct nf_opt_iface *out, int max);
void nf_if_forget(void);
/* The VRF of an interface seen: its l3mdev table id (ingress/egressVRFID), or 0. */
u32 nf_if_vrf(u32 ifindex);
int nf_ifaces_init(void);	/* follows devices moving in and out of VRFs */
void nf_ifaces_exit(void);

#endif /* NF_IFACES_H */
