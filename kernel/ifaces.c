// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interfaces the target has seen, for the v9/IPFIX interface options
 * records (ifName, ifDescr per ifIndex) and the VRF ids of flow records.
 * Flows carry only ifindexes and no network namespace, so names are
 * captured where the device is at hand: on the packet path, the first time
 * an ifindex shows up (a bit test per packet otherwise).  First sight wins
 * if namespaces reuse an ifindex.
 *
 * VRF: a device's VRF id is the routing table of its l3mdev (VRF) master,
 * or of itself for a VRF device (0 outside any VRF), noted at first sight
 * and kept current by a netdevice notifier (a device enslaved to a VRF or
 * released) for the device of that namespace; the VRF device itself is
 * noted with its slaves, so the interface options list names it too.
 */
#include <linux/spinlock.h>
#include <linux/bitmap.h>
#include <linux/netdevice.h>
#include <net/l3mdev.h>
#include "ifaces.h"

#define NF_IF_MAX 64

DECLARE_BITMAP(nf_if_seen, NF_IF_BITS);
static struct nf_opt_iface nf_ifs[NF_IF_MAX];
static int nf_nifs;
static DEFINE_SPINLOCK(nf_if_lock);
static u32 nf_if_vrfs[NF_IF_BITS];		/* l3mdev table, by ifindex */
static const struct net *nf_if_nets[NF_IF_BITS];	/* compared, never used */

u32 nf_if_vrf(u32 ifindex)
{
	return ifindex < NF_IF_BITS ? READ_ONCE(nf_if_vrfs[ifindex]) : 0;
}

void nf_if_add(const struct net_device *dev)
{
	const struct dev_ifalias *alias;
	struct net_device *master = NULL;
	struct nf_opt_iface *i;
	unsigned long flags;

	spin_lock_irqsave(&nf_if_lock, flags);
	if (test_and_set_bit(dev->ifindex, nf_if_seen))
		goto out;
	WRITE_ONCE(nf_if_vrfs[dev->ifindex], l3mdev_fib_table_rcu(dev));
	WRITE_ONCE(nf_if_nets[dev->ifindex], dev_net(dev));
	if (netif_is_l3_slave(dev))
		master = netdev_master_upper_dev_get_rcu((struct net_device *)dev);
	if (nf_nifs == NF_IF_MAX)
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
	if (master)	/* (a VRF device is no slave: one level) */
		nf_if_note(master);
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
	memset(nf_if_vrfs, 0, sizeof(nf_if_vrfs));
	nf_nifs = 0;
	spin_unlock_irqrestore(&nf_if_lock, flags);
}

/* A device seen is gone: its ifindex may be some other device's next. */
static void nf_if_gone(int ix)
{
	unsigned long flags;
	int k;

	spin_lock_irqsave(&nf_if_lock, flags);
	for (k = 0; k < nf_nifs && nf_ifs[k].ifindex != ix; k++)
		;
	if (k < nf_nifs) {
		memmove(&nf_ifs[k], &nf_ifs[k + 1], (nf_nifs - k - 1) * sizeof(nf_ifs[0]));
		nf_nifs--;
	}
	WRITE_ONCE(nf_if_vrfs[ix], 0);
	WRITE_ONCE(nf_if_nets[ix], NULL);
	clear_bit(ix, nf_if_seen);
	spin_unlock_irqrestore(&nf_if_lock, flags);
}

/* A device seen moved into a VRF or out of one, or went away (RTNL held). */
static int nf_if_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	int ix = dev->ifindex;

	if ((event != NETDEV_CHANGEUPPER && event != NETDEV_UNREGISTER) ||
	    ix <= 0 || ix >= NF_IF_BITS || !test_bit(ix, nf_if_seen) ||
	    READ_ONCE(nf_if_nets[ix]) != dev_net(dev))
		return NOTIFY_DONE;
	ASSERT_RTNL();
	if (event == NETDEV_UNREGISTER)
		nf_if_gone(ix);
	else
		WRITE_ONCE(nf_if_vrfs[ix], l3mdev_fib_table(dev));
	return NOTIFY_DONE;
}

static struct notifier_block nf_if_notifier = {
	.notifier_call = nf_if_event,
};

int nf_ifaces_init(void)
{
	return register_netdevice_notifier(&nf_if_notifier);
}

void nf_ifaces_exit(void)
{
	unregister_netdevice_notifier(&nf_if_notifier);
}
