// SPDX-License-Identifier: GPL-2.0-only
/*
 * flowtable=1: meter what nftables flowtables forward on their software
 * fast path.  A connection offloaded to a flowtable (`flow add @ft` in the
 * forward chain) has its later packets forwarded by the flowtable's netdev
 * ingress hook: they never reach the forward hook, so neither a NETFLOW rule
 * in FORWARD nor hook mode's forward hook sees them.
 *
 * With the setting on, a netdev ingress hook of ours runs before every
 * flowtable (priority INT_MIN + 1) on every device of every namespace (a
 * netdevice notifier attaches it to devices as they appear).  It meters a
 * packet only when the flowtable is going to forward it, decided as
 * nf_flow_offload_ip_hook()/_ipv6_hook() decide: IPv4 without options, not
 * a fragment, TTL > 1 (IPv6: TCP/UDP right after the fixed header, hop
 * limit > 1), TCP or UDP, its conntrack entry (default zone) offloaded
 * (IPS_OFFLOAD) and not dying, TCP only while the flowtable keeps it (see
 * ipnf_offload_tcp_slow()), and some other ingress hook (the flowtable's) on the
 * device.  The rest goes the slow path, where the forward hook meters it.  So
 * each packet is counted once, by the forward meter or here.
 *
 * The packet goes to the flow record the forward hook would have given it:
 * the same key (ingress device, addresses after DNAT: the reply direction's
 * source, before SNAT), direction forward.  A record that does not exist yet
 * gets its egress interface from a route lookup of the destination.
 *
 * Off (the default), nothing is registered: the packet path of every other
 * packet is the same as without this file.  Devices are tracked under RTNL.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/seq_file.h>
#include <net/ip.h>
#include <net/flow.h>
#include <net/dst.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include "compat.h"
#include "meter.h"
#include "offload.h"
#include "locks.h"
#include "flowtable.h"
#include "ifaces.h"
#include "ruleset.h"
#include "flow_parse.h"

#ifdef IPNF_OFFLOAD_BUILT

/* Before any flowtable (and any nft netdev chain but one at INT_MIN). */
#define IPNF_OFFLOAD_PRIO (INT_MIN + 1)

struct ipnf_offload_dev {
	struct list_head list;
	struct nf_hook_ops ops;		/* ops.dev: the device */
	struct rcu_head rcu;
};

static LIST_HEAD(ipnf_offload_devs);	/* RTNL */
static unsigned int ipnf_offload_ndevs;	/* RTNL; read locklessly for stats */
static unsigned int ipnf_offload_errors;	/* RTNL; likewise */
static bool ipnf_offload_on;		/* ipnf_cfg_mutex */
static bool ipnf_offload_used;		/* ipnf_cfg_mutex: on since load */

struct ipnf_offload_cpu {
	u64 pkts, bytes;	/* metered here */
	u64 left;		/* offloaded connection, slow path packet */
};
static DEFINE_PER_CPU(struct ipnf_offload_cpu, ipnf_offload_cpu);

/* A flowtable (or another netdev ingress hook) besides ours on the device. */
static __always_inline bool ipnf_offload_dev_shared(const struct net_device *dev)
{
	const struct nf_hook_entries *e = rcu_dereference(dev->nf_hooks_ingress);

	return e && e->num_hook_entries > 1;
}

/* Egress interface of a new record: the route to its destination. */
static void ipnf_offload_oif(struct net *net, const struct ipnf_flow_key *key,
			   struct ipnf_pkt_info *pi)
{
	struct dst_entry *dst = NULL;
	struct flowi fl;
	int family;

	memset(&fl, 0, sizeof(fl));
	if (key->family == IPNF_FAM_V4) {
		family = AF_INET;
		fl.u.ip4.daddr = key->a.v4.dst;
	} else {
		family = AF_INET6;
		memcpy(&fl.u.ip6.daddr, key->a.v6.dst, sizeof(fl.u.ip6.daddr));
	}
	if (nf_route(net, &dst, &fl, false, family) || !dst)
		return;
#ifdef ENABLE_SNMP
	pi->oif = ipnf_rules_ifindex(dst->dev);
#else
	pi->oif = dst->dev->ifindex;
#endif
	ipnf_if_note(dst->dev);
	dst_release(dst);
}

/*
 * Whether the flowtable hands a TCP packet of an offloaded connection to the
 * slow path.  Up to 6.12 (ipnf_flow_state_check()), a FIN or RST tears the
 * flow down and takes the slow path, as does every later packet (the flow is
 * gone from the table; conntrack, which sees them, leaves ESTABLISHED).  Since
 * NF_FLOW_CLOSING (7.x), FIN and RST stay on the fast path and only mark the
 * flow closing, conntrack's state stays ESTABLISHED while offloaded, and a SYN
 * on a closing flow (a port reused) tears it down and takes the slow path;
 * the flow's closing mark is not visible from here, so every SYN is left to the
 * slow path (a SYN on an offloaded flow that is not closing does not happen in
 * TCP).  flags: byte 13 of the TCP header.
 */
static __always_inline bool ipnf_offload_tcp_slow(const struct nf_conn *ct,
						u8 flags)
{
	if (ipnf_flowtable_keeps_fin())
		return flags & IPNF_TCP_SYN;
	return (flags & (IPNF_TCP_FIN | IPNF_TCP_RST)) ||
	       READ_ONCE(ct->proto.tcp.state) > TCP_CONNTRACK_ESTABLISHED;
}

/*
 * t: the packet's tuple; tcpflags: its TCP flags (0 for UDP); iplen: its IP
 * length (the skb may still carry link padding here, ip_rcv() trims it later).
 */
static void ipnf_offload_meter(struct sk_buff *skb,
			     const struct nf_hook_state *state,
			     const struct nf_conntrack_tuple *t, u8 tcpflags,
			     u32 iplen, ipnf_parse_fn parse)
{
	const struct nf_conntrack_tuple *rt;
	struct nf_conntrack_tuple_hash *h;
	struct nf_hook_state fwd;
	struct ipnf_pkt_info pi = {};
	struct ipnf_flow_key key;
	struct nf_conn *ct;
	u32 pkts, bytes;

	h = nf_conntrack_find_get(state->net, &nf_ct_zone_dflt, t);
	if (!h)
		return;
	ct = nf_ct_tuplehash_to_ctrack(h);
	if (!test_bit(IPS_OFFLOAD_BIT, &ct->status) || nf_ct_is_dying(ct))
		goto put;
	if (t->dst.protonum == IPPROTO_TCP && ipnf_offload_tcp_slow(ct, tcpflags)) {
		this_cpu_inc(ipnf_offload_cpu.left);	/* the forward hook's */
		goto put;
	}
	key.sport = 0;
	key.dport = 0;
	key.dir = IPNF_DIR_NONE;
	if (parse(skb, skb_network_offset(skb), &key, &pi))
		goto put;
	ipnf_count_frag(&pi);
	/* as the forward hook sees it: after DNAT, before SNAT */
	rt = &ct->tuplehash[!NF_CT_DIRECTION(h)].tuple;
	if (key.family == IPNF_FAM_V4)
		key.a.v4.dst = rt->src.u3.ip;
	else
		memcpy(key.a.v6.dst, &rt->src.u3.in6, sizeof(key.a.v6.dst));
	key.dport = ntohs(rt->src.u.all);

	memset(&fwd, 0, sizeof(fwd));
	fwd.hook = NF_INET_FORWARD;
	fwd.pf = key.family == IPNF_FAM_V4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
	fwd.in = state->in;
	fwd.net = state->net;
	ipnf_account_prep(skb, &fwd, &key, &pi, &pkts, &bytes);
	if (!skb_is_gso(skb))
		bytes = iplen;
	if (!ipnf_flow_account_known(&key, &pi, pkts, bytes)) {
		ipnf_offload_oif(state->net, &key, &pi);
		if (ipnf_flow_account(&key, &pi, pkts, bytes))
			ipnf_if_note(state->in);	/* the oif: ipnf_offload_oif */
	}
	this_cpu_add(ipnf_offload_cpu.pkts, pkts);
	this_cpu_add(ipnf_offload_cpu.bytes, bytes);
put:
	nf_ct_put(ct);
}

/* The L4 ports and, for TCP, the flags. */
static bool ipnf_offload_ports(const struct sk_buff *skb, unsigned int thoff,
			     u8 proto, struct nf_conntrack_tuple *t, u8 *tcpflags)
{
	u8 buf[14];
	const u8 *h;

	h = skb_header_pointer(skb, thoff, proto == IPPROTO_TCP ? 14 : 4, buf);
	if (!h)
		return false;
	memcpy(&t->src.u.all, h, 2);
	memcpy(&t->dst.u.all, h + 2, 2);
	t->dst.protonum = proto;
	*tcpflags = proto == IPPROTO_TCP ? h[13] : 0;
	return true;
}

static void ipnf_offload_ipv4(struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	unsigned int nhoff = skb_network_offset(skb);
	struct nf_conntrack_tuple t;
	const struct iphdr *iph;
	struct iphdr _iph;
	u8 tcpflags;

	iph = skb_header_pointer(skb, nhoff, sizeof(_iph), &_iph);
	if (!iph || iph->ihl != 5 || ip_is_fragment(iph) || iph->ttl <= 1 ||
	    (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP))
		return;
	memset(&t, 0, sizeof(t));
	if (!ipnf_offload_ports(skb, nhoff + sizeof(_iph), iph->protocol, &t, &tcpflags))
		return;
	t.src.l3num = NFPROTO_IPV4;
	t.src.u3.ip = iph->saddr;
	t.dst.u3.ip = iph->daddr;
	ipnf_offload_meter(skb, state, &t, tcpflags, ntohs(iph->tot_len), ipnf_parse_ipv4);
}

static void ipnf_offload_ipv6(struct sk_buff *skb,
			    const struct nf_hook_state *state)
{
	unsigned int nhoff = skb_network_offset(skb);
	struct nf_conntrack_tuple t;
	const struct ipv6hdr *h;
	struct ipv6hdr _h;
	u8 tcpflags;

	h = skb_header_pointer(skb, nhoff, sizeof(_h), &_h);
	if (!h || h->hop_limit <= 1 ||
	    (h->nexthdr != IPPROTO_TCP && h->nexthdr != IPPROTO_UDP))
		return;
	memset(&t, 0, sizeof(t));
	if (!ipnf_offload_ports(skb, nhoff + sizeof(_h), h->nexthdr, &t, &tcpflags))
		return;
	t.src.l3num = NFPROTO_IPV6;
	t.src.u3.in6 = h->saddr;
	t.dst.u3.in6 = h->daddr;
	ipnf_offload_meter(skb, state, &t, tcpflags,
			 sizeof(_h) + ntohs(h->payload_len), ipnf_parse_ipv6);
}

static unsigned int ipnf_offload_hook(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	if (!ipnf_offload_dev_shared(skb->dev))
		return NF_ACCEPT;	/* no flowtable here */
	if (skb->protocol == htons(ETH_P_IP))
		ipnf_offload_ipv4(skb, state);
	else if (skb->protocol == htons(ETH_P_IPV6))
		ipnf_offload_ipv6(skb, state);
	return NF_ACCEPT;
}

static void ipnf_offload_attach(struct net_device *dev)
{
	struct ipnf_offload_dev *d;

	ASSERT_RTNL();
	if (dev->flags & IFF_LOOPBACK)
		return;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		goto err;
	d->ops.hook = ipnf_offload_hook;
	d->ops.pf = NFPROTO_NETDEV;
	d->ops.hooknum = NF_NETDEV_INGRESS;
	d->ops.priority = IPNF_OFFLOAD_PRIO;
	d->ops.dev = dev;
	if (nf_register_net_hook(dev_net(dev), &d->ops)) {
		kfree(d);
		goto err;
	}
	list_add(&d->list, &ipnf_offload_devs);
	WRITE_ONCE(ipnf_offload_ndevs, ipnf_offload_ndevs + 1);
	return;
err:
	WRITE_ONCE(ipnf_offload_errors, ipnf_offload_errors + 1);
}

static void ipnf_offload_detach(struct net_device *dev)
{
	struct ipnf_offload_dev *d;

	ASSERT_RTNL();
	list_for_each_entry(d, &ipnf_offload_devs, list) {
		if (d->ops.dev != dev)
			continue;
		nf_unregister_net_hook(dev_net(dev), &d->ops);
		list_del(&d->list);
		WRITE_ONCE(ipnf_offload_ndevs, ipnf_offload_ndevs - 1);
		kfree_rcu(d, rcu);	/* hook entries may still point to ops */
		return;
	}
}

static int ipnf_offload_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	switch (event) {
	case NETDEV_REGISTER:
		ipnf_offload_attach(dev);
		break;
	case NETDEV_UNREGISTER:
		ipnf_offload_detach(dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block ipnf_offload_nb = {
	.notifier_call = ipnf_offload_event,
};

/*
 * On: the notifier attaches the hook to every device of every namespace
 * (register_netdevice_notifier() replays NETDEV_REGISTER for those that
 * exist) and to those that come later.  Off: unregistering it replays
 * NETDEV_UNREGISTER, which detaches them all.
 */
int ipnf_offload_set(bool on)
{
	unsigned int errors;
	int err;

	lockdep_assert_held(&ipnf_cfg_mutex);
	if (on == ipnf_offload_on)
		return 0;
	if (on) {
		rtnl_lock();
		WRITE_ONCE(ipnf_offload_errors, 0);
		rtnl_unlock();
		err = register_netdevice_notifier(&ipnf_offload_nb);
		if (err)
			return err;
		errors = READ_ONCE(ipnf_offload_errors);
		if (errors) {
			unregister_netdevice_notifier(&ipnf_offload_nb);
			ipnf_wait_readers();
			pr_err("flowtable: %u ingress hook registrations refused; flowtable metering stays off\n",
			       errors);
			return -ENOMEM;
		}
		WRITE_ONCE(ipnf_offload_on, true);
		WRITE_ONCE(ipnf_offload_used, true);
		return 0;
	}
	unregister_netdevice_notifier(&ipnf_offload_nb);
	rtnl_lock();
	WARN_ON_ONCE(!list_empty(&ipnf_offload_devs));
	rtnl_unlock();
	ipnf_wait_readers();	/* no packet is in our hook any more */
	WRITE_ONCE(ipnf_offload_on, false);
	return 0;
}

void ipnf_offload_exit(void)
{
	mutex_lock(&ipnf_cfg_mutex);
	ipnf_offload_set(false);
	mutex_unlock(&ipnf_cfg_mutex);
}

void ipnf_offload_stats(struct ipnf_offload_stats *s)
{
	int cpu;

	memset(s, 0, sizeof(*s));
	s->devices = READ_ONCE(ipnf_offload_ndevs);
	s->errors = READ_ONCE(ipnf_offload_errors);
	for_each_possible_cpu(cpu) {
		const struct ipnf_offload_cpu *c = per_cpu_ptr(&ipnf_offload_cpu, cpu);

		s->pkts += READ_ONCE(c->pkts);
		s->bytes += READ_ONCE(c->bytes);
		s->left += READ_ONCE(c->left);
	}
}

void ipnf_offload_show(struct seq_file *m, const struct ipnf_offload_stats *s)
{
	bool on = READ_ONCE(ipnf_offload_on);

	if (!READ_ONCE(ipnf_offload_used))
		return;		/* never on: the classic lines only */
	seq_printf(m, "Flowtable: %s, ingress hooks on %u devices (%u refused). Offloaded packets metered %llu (%llu bytes), left to the slow path %llu.\n",
		   on ? "on" : "off", s->devices, s->errors, s->pkts, s->bytes,
		   s->left);
}

#endif /* IPNF_OFFLOAD_BUILT */
