// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interfaces the target has seen, for the v9/IPFIX interface options
 * records (ifName, ifDescr per ifIndex).  Flows carry only ifindexes and no
 * network namespace, so names are captured where the device is at hand: on
 * the packet path, the first time an ifindex shows up (a bit test per
 * packet otherwise).  First sight wins if namespaces reuse an ifindex.
 */
#include <linux/spinlock.h>
#include <linux/bitmap.h>
#include <linux/netdevice.h>
#include "netflow.h"

#define NF_IF_MAX 64

DECLARE_BITMAP(nf_if_seen, NF_IF_BITS);
static struct nf_opt_iface nf_ifs[NF_IF_MAX];
static int nf_nifs;
static DEFINE_SPINLOCK(nf_if_lock);

void nf_if_add(const struct net_device *dev)
{
	const struct dev_ifalias *alias;
	struct nf_opt_iface *i;
	unsigned long flags;

	spin_lock_irqsave(&nf_if_lock, flags);
	if (test_and_set_bit(dev->ifindex, nf_if_seen) || nf_nifs == NF_IF_MAX)
		goto out;
	i = &nf_ifs[nf_nifs];
	memset(i, 0, sizeof(*i));
	i->ifindex = dev->ifindex;
	strscpy(i->name, dev->name, sizeof(i->name));
	rcu_read_lock();
	alias = rcu_dereference(dev->ifalias);
	strscpy(i->descr, alias && alias->ifalias[0] ? alias->ifalias : dev->name,
		sizeof(i->descr));
	rcu_read_unlock();
	nf_nifs++;
out:
	spin_unlock_irqrestore(&nf_if_lock, flags);
}

int nf_if_list(struct nf_opt_iface *out, int max)
{
	unsigned long flags;
	int n;

	spin_lock_irqsave(&nf_if_lock, flags);
	n = min(nf_nifs, max);
	memcpy(out, nf_ifs, n * sizeof(*out));
	spin_unlock_irqrestore(&nf_if_lock, flags);
	return n;
}

void nf_if_forget(void)
{
	unsigned long flags;

	spin_lock_irqsave(&nf_if_lock, flags);
	bitmap_zero(nf_if_seen, NF_IF_BITS);
	nf_nifs = 0;
	spin_unlock_irqrestore(&nf_if_lock, flags);
}
