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

#define IPNF_IF_MAX 64

DECLARE_BITMAP(ipnf_if_seen, IPNF_IF_BITS);
static struct ipnf_opt_iface ipnf_ifs[IPNF_IF_MAX];
static int ipnf_nifs;
static DEFINE_SPINLOCK(ipnf_if_lock);
static u32 ipnf_if_vrfs[IPNF_IF_BITS];		/* l3mdev table, by ifindex */
static const struct net *ipnf_if_nets[IPNF_IF_BITS];	/* compared, never used */
static bool ipnf_if_vrf_seen;	/* some interface had a VRF since the last forget */

static void ipnf_if_set_vrf(int ix, u32 vrf)
{
	WRITE_ONCE(ipnf_if_vrfs[ix], vrf);
	if (vrf)
		WRITE_ONCE(ipnf_if_vrf_seen, true);
}

bool ipnf_if_any_vrf(void)
{
	return READ_ONCE(ipnf_if_vrf_seen);
}

u32 ipnf_if_vrf(u32 ifindex)
{
	return ifindex < IPNF_IF_BITS ? READ_ONCE(ipnf_if_vrfs[ifindex]) : 0;
}

void ipnf_if_add(const struct net_device *dev)
{
	const struct dev_ifalias *alias;
	struct net_device *master = NULL;
	struct ipnf_opt_iface *i;
	unsigned long flags;

	spin_lock_irqsave(&ipnf_if_lock, flags);
	if (test_and_set_bit(dev->ifindex, ipnf_if_seen))
		goto out;
	ipnf_if_set_vrf(dev->ifindex, l3mdev_fib_table_rcu(dev));
	WRITE_ONCE(ipnf_if_nets[dev->ifindex], dev_net(dev));
	if (netif_is_l3_slave(dev))
		master = netdev_master_upper_dev_get_rcu((struct net_device *)dev);
	if (ipnf_nifs == IPNF_IF_MAX)
		goto out;
	i = &ipnf_ifs[ipnf_nifs];
	memset(i, 0, sizeof(*i));
	i->ifindex = dev->ifindex;
	strscpy(i->name, dev->name, sizeof(i->name));
	rcu_read_lock();
	alias = rcu_dereference(dev->ifalias);
	strscpy(i->descr, alias && alias->ifalias[0] ? alias->ifalias : dev->name,
		sizeof(i->descr));
	rcu_read_unlock();
	ipnf_nifs++;
out:
	spin_unlock_irqrestore(&ipnf_if_lock, flags);
	if (master)	/* (a VRF device is no slave: one level) */
		ipnf_if_note(master);
}

int ipnf_if_list(struct ipnf_opt_iface *out, int max)
{
	unsigned long flags;
	int n;

	spin_lock_irqsave(&ipnf_if_lock, flags);
	n = min(ipnf_nifs, max);
	memcpy(out, ipnf_ifs, n * sizeof(*out));
	spin_unlock_irqrestore(&ipnf_if_lock, flags);
	return n;
}

void ipnf_if_forget(void)
{
	unsigned long flags;

	spin_lock_irqsave(&ipnf_if_lock, flags);
	bitmap_zero(ipnf_if_seen, IPNF_IF_BITS);
	memset(ipnf_if_vrfs, 0, sizeof(ipnf_if_vrfs));
	WRITE_ONCE(ipnf_if_vrf_seen, false);
	ipnf_nifs = 0;
	spin_unlock_irqrestore(&ipnf_if_lock, flags);
}

/* A device seen is gone: its ifindex may be some other device's next. */
static void ipnf_if_gone(int ix)
{
	unsigned long flags;
	int k;

	spin_lock_irqsave(&ipnf_if_lock, flags);
	for (k = 0; k < ipnf_nifs && ipnf_ifs[k].ifindex != ix; k++)
		;
	if (k < ipnf_nifs) {
		memmove(&ipnf_ifs[k], &ipnf_ifs[k + 1], (ipnf_nifs - k - 1) * sizeof(ipnf_ifs[0]));
		ipnf_nifs--;
	}
	WRITE_ONCE(ipnf_if_vrfs[ix], 0);
	WRITE_ONCE(ipnf_if_nets[ix], NULL);
	clear_bit(ix, ipnf_if_seen);
	spin_unlock_irqrestore(&ipnf_if_lock, flags);
}

/* A device seen moved into a VRF or out of one, or went away (RTNL held). */
static int ipnf_if_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	int ix = dev->ifindex;

	if ((event != NETDEV_CHANGEUPPER && event != NETDEV_UNREGISTER) ||
	    ix <= 0 || ix >= IPNF_IF_BITS || !test_bit(ix, ipnf_if_seen) ||
	    READ_ONCE(ipnf_if_nets[ix]) != dev_net(dev))
		return NOTIFY_DONE;
	ASSERT_RTNL();
	if (event == NETDEV_UNREGISTER)
		ipnf_if_gone(ix);
	else
		ipnf_if_set_vrf(ix, l3mdev_fib_table(dev));
	return NOTIFY_DONE;
}

static struct notifier_block ipnf_if_notifier = {
	.notifier_call = ipnf_if_event,
};

int ipnf_ifaces_init(void)
{
	return register_netdevice_notifier(&ipnf_if_notifier);
}

void ipnf_ifaces_exit(void)
{
	unregister_netdevice_notifier(&ipnf_if_notifier);
}
