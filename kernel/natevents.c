// SPDX-License-Identifier: GPL-2.0-only
/*
 * NAT events (--enable-natevents, natevents=1): conntrack reports each
 * translated IPv4 connection when it is confirmed and when it is destroyed;
 * the events are queued (at most IPNF_NAT_QUEUE_MAX, the rest counted as
 * dropped) and the worker exports them as NEL records (v9/IPFIX) or as the
 * classic v5 pseudo-records.  This is independent of the iptables rules.
 *
 * The conntrack event callback is per network namespace, and a namespace
 * has room for one: where another module (ctnetlink) holds it, natevents
 * are not collected, and the namespace is counted in /proc ("busy").
 * Conntrack only reports events when net.netfilter.nf_conntrack_events is 1
 * (or 2 with a ctnetlink listener): namespaces where it is not are counted too.
 *
 * Every namespace is reached through ipnf_netns_walk() (a short-lived
 * pernet_operations: no private core lock, which 7.x no longer gives
 * modules) and our own pernet_operations for namespaces created later;
 * both may see a namespace, so attaching is idempotent.
 * Lock ordering: ipnf_cfg_mutex > ipnf_nat_mutex > (core) pernet_ops_rwsem >
 * conntrack's ipnf_ct_ecache_mutex.
 */
#include <linux/slab.h>
#include <linux/llist.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_ecache.h>
#include "cfg.h"
#include "locks.h"
#include "export.h"
#include "export_sink.h"
#include "natevents.h"
#include "netns.h"

#ifdef ENABLE_NAT

#define IPNF_NAT_QUEUE_MAX 65536

struct ipnf_nat_ev {
	struct llist_node node;
	struct ipnf_nat_rec r;
};

static LLIST_HEAD(ipnf_nat_queue);
static atomic_t ipnf_nat_queued = ATOMIC_INIT(0);
static DEFINE_MUTEX(ipnf_nat_mutex);	/* serialises ipnf_natevents_set() */
static bool ipnf_nat_on;		/* written under ipnf_nat_mutex, before the walk */
struct ipnf_nat_stats ipnf_nat_stats;

static int ipnf_nat_ct_event(unsigned int events,
			   IPNF_CT_EVENT_CONST struct nf_ct_event *item)
{
	const struct nf_conn *ct = item->ct;
	const struct nf_conntrack_tuple *o, *r;
	struct ipnf_nat_ev *e;
	u8 event;

	if (events & (1 << IPCT_DESTROY))
		event = IPNF_NAT_DELETE;
	else if (events & (1 << IPCT_NEW))
		event = IPNF_NAT_CREATE;
	else
		return 0;
	if (!(ct->status & IPS_NAT_MASK))
		return 0;
	o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	if (o->src.l3num != NFPROTO_IPV4)
		return 0;	/* NAT44 only */
	if (atomic_inc_return(&ipnf_nat_queued) > IPNF_NAT_QUEUE_MAX)
		goto drop;
	e = kmalloc(sizeof(*e), GFP_ATOMIC | __GFP_NOWARN);
	if (!e)
		goto drop;
	e->r.event = event;
	e->r.proto = o->dst.protonum;
	e->r.snat = !!(ct->status & IPS_SRC_NAT);
	e->r.dnat = !!(ct->status & IPS_DST_NAT);
	e->r.src = o->src.u3.ip;
	e->r.dst = o->dst.u3.ip;
	e->r.sport = ntohs(o->src.u.all);
	e->r.dport = ntohs(o->dst.u.all);
	/* the reply comes from the translated destination to the translated source */
	e->r.post_src = r->dst.u3.ip;
	e->r.post_dst = r->src.u3.ip;
	e->r.post_sport = ntohs(r->dst.u.all);
	e->r.post_dport = ntohs(r->src.u.all);
	e->r.time_ms = div_u64(ktime_get_real_ns(), NSEC_PER_MSEC);
	e->r.uptime_ms = ipnf_uptime_ms();
	llist_add(&e->node, &ipnf_nat_queue);
	atomic64_inc(event == IPNF_NAT_CREATE ? &ipnf_nat_stats.starts :
					      &ipnf_nat_stats.stops);
	return 0;
drop:
	atomic_dec(&ipnf_nat_queued);
	atomic64_inc(&ipnf_nat_stats.dropped);
	return 0;
}

static IPNF_CT_EVENT_CONST struct nf_ct_event_notifier ipnf_nat_notifier = {
	.IPNF_CT_EVENT_FN = ipnf_nat_ct_event,
};

/* Runs under the core's pernet_ops_rwsem (walk or namespace creation). */
static void ipnf_nat_attach(struct net *net)
{
	const void *cb = rcu_access_pointer(net->ct.nf_conntrack_event_cb);

	if (cb == &ipnf_nat_notifier)
		return;		/* already ours: the walk met a new namespace */
	if (cb) {
		atomic_inc(&ipnf_nat_stats.busy);	/* ctnetlink has it */
		return;
	}
	if (net->ct.sysctl_events != 1)
		atomic_inc(&ipnf_nat_stats.no_events);
	nf_conntrack_register_notifier(net, &ipnf_nat_notifier);
}

static void ipnf_nat_detach(struct net *net)
{
	if (rcu_access_pointer(net->ct.nf_conntrack_event_cb) == &ipnf_nat_notifier)
		ipnf_ct_unregister_notifier(net, &ipnf_nat_notifier);
}

static int __net_init ipnf_nat_net_init(struct net *net)
{
	if (READ_ONCE(ipnf_nat_on))
		ipnf_nat_attach(net);
	return 0;
}

static void __net_exit ipnf_nat_net_exit(struct net *net)
{
	ipnf_nat_detach(net);
}

static struct pernet_operations ipnf_nat_net_ops = {
	.init = ipnf_nat_net_init,
	.exit = ipnf_nat_net_exit,
};

/*
 * natevents on or off, in every namespace (ipnf_cfg_mutex held).  ipnf_nat_on
 * is set before the walk: a namespace created meanwhile is attached by
 * ipnf_nat_net_init(), by the walk, or by both (idempotent); the walk holds
 * the core's pernet_ops_rwsem for write, so it never runs beside an init.
 */
void ipnf_natevents_set(bool on)
{
	lockdep_assert_held(&ipnf_cfg_mutex);

	mutex_lock(&ipnf_nat_mutex);
	if (on != ipnf_nat_on) {
		WRITE_ONCE(ipnf_nat_on, on);
		atomic_set(&ipnf_nat_stats.busy, 0);
		atomic_set(&ipnf_nat_stats.no_events, 0);
		if (ipnf_netns_walk(on ? ipnf_nat_attach : ipnf_nat_detach))
			pr_warn("natevents: cannot walk the network namespaces\n");
	}
	mutex_unlock(&ipnf_nat_mutex);
	if (!on)
		ipnf_wait_readers();	/* callbacks in flight are done */
	if (on && atomic_read(&ipnf_nat_stats.no_events))
		pr_notice("natevents: %d network namespaces have net.netfilter.nf_conntrack_events != 1; set it to 1 to get their NAT events\n",
			  atomic_read(&ipnf_nat_stats.no_events));
}

/* Export the queued events, oldest first (worker, ipnf_export_mutex held). */
unsigned int ipnf_natevents_drain(void)
{
	struct llist_node *n = llist_reverse_order(llist_del_all(&ipnf_nat_queue));
	struct ipnf_nat_ev *e, *t;
	unsigned int cnt = 0;

	lockdep_assert_held(&ipnf_export_mutex);

	llist_for_each_entry_safe(e, t, n, node) {
		ipnf_export_nat(&e->r);
		kfree(e);
		atomic_dec(&ipnf_nat_queued);
		cnt++;
	}
	return cnt;
}

int ipnf_natevents_init(void)
{
	int err = register_pernet_subsys(&ipnf_nat_net_ops);

	if (err)
		return err;
	mutex_lock(&ipnf_cfg_mutex);	/* /sys/module parameters are live already */
	if (ipnf_cfg.natevents)
		ipnf_natevents_set(true);
	mutex_unlock(&ipnf_cfg_mutex);
	return 0;
}

/* Before the worker's last run, which exports what is still queued. */
void ipnf_natevents_exit(void)
{
	mutex_lock(&ipnf_cfg_mutex);
	ipnf_natevents_set(false);
	mutex_unlock(&ipnf_cfg_mutex);
	unregister_pernet_subsys(&ipnf_nat_net_ops);
}

#endif /* ENABLE_NAT */
