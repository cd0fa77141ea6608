// SPDX-License-Identifier: GPL-2.0-only
/*
 * natflows=1: v9/IPFIX records of translated flows carry the translation,
 * postNATSource/DestinationIPv4Address (225/226) or -IPv6Address (281/282)
 * and postNAPTSource/DestinationTransportPort (227/228): the addresses and
 * ports the flow's packets carry when they leave the router.
 *
 * A flow record is keyed by the addresses and ports its packets had at the
 * hook that metered them, and that depends on the hook: for the original
 * direction of a connection with DNAT and SNAT, PREROUTING before nat sees
 * the original tuple O, FORWARD (and POSTROUTING before nat) sees it after
 * DNAT only, POSTROUTING after nat sees the final one (the inverse of the
 * reply tuple R); the reply direction likewise (R, after the reverse SNAT,
 * the inverse of O).  Conntrack's hash finds only O and R, so this file
 * keeps its own table of "views": each way the packets of a translated
 * connection can look at some hook, mapped to what they look like after
 * every translation.  It is filled on the packet path: when a metered
 * packet belongs to a connection whose NAT is set up (both NAT hooks done,
 * some translation made), all six views of the connection go in, once; a
 * view's later packets only refresh its time (at most once a second), unless
 * their connection's translation differs from the view's (the same ports
 * used again by a new connection): then the new connection's views replace
 * the old ones (packets before conntrack cannot tell this).  The
 * first packets of a connection pass before SNAT is set up (it happens in
 * POSTROUTING), so a flow whose packets all passed then gets the translation
 * from any later packet of the connection, in either direction, at any
 * metered hook; at export the record looks its own key up.  Packets metered
 * before conntrack (the raw table) carry no conntrack entry: their
 * connection is looked up by their tuple.
 *
 * Views are dropped inactive_timeout + 30 s after the last packet that used
 * them, so they outlive the flows keyed by them; the table holds at most
 * IPNF_NB_MAX views (the rest counted as "full").  Off (the default), the
 * packet path has a patched-out jump (static key) and the table is empty.
 * Only protocols with ports (TCP, UDP, SCTP, DCCP, UDP-Lite) and the default
 * conntrack zone; views are not told apart by network namespace.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/seq_file.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_zones.h>
#include "cfg.h"
#include "locks.h"
#include "flowtable.h"
#include "meter_prep.h"
#include "natflows.h"

#ifdef IPNF_NATFLOWS_BUILT

#define IPNF_NB_HASH_BITS 12
#define IPNF_NB_MAX 65536
#define IPNF_NB_SLACK (30 * HZ)
#define IPNF_NB_GC_PERIOD (5 * HZ)

/* Addresses and ports as a packet carries them at some hook; hashed whole. */
struct ipnf_nb_view {
	u16 sport, dport;	/* host order */
	u8 family, proto;	/* IPNF_FAM_V4/V6, IP protocol */
	u16 pad;
	u8 src[16], dst[16];	/* IPv4: first 4 bytes */
};

struct ipnf_nb {
	struct hlist_node node;		/* ipnf_nb_hash, ipnf_nb_lock */
	struct ipnf_nb_view v;
	struct ipnf_nat_post post;	/* this direction after NAT */
	struct ipnf_nat_post other;	/* the other direction's: with post, the binding */
	unsigned long seen;		/* jiffies of the last packet */
	struct rcu_head rcu;
};

DEFINE_STATIC_KEY_FALSE(ipnf_natflows_key);
static struct hlist_head ipnf_nb_hash[1 << IPNF_NB_HASH_BITS];
static DEFINE_SPINLOCK(ipnf_nb_lock);
static unsigned int ipnf_nb_count;	/* ipnf_nb_lock; read locklessly */
static unsigned int ipnf_nb_peak;
static u32 ipnf_nb_seed __read_mostly;
static bool ipnf_nb_on;			/* ipnf_cfg_mutex */
static bool ipnf_nb_used;			/* ipnf_cfg_mutex: on since load */
static atomic64_t ipnf_nb_full, ipnf_nb_translated, ipnf_nb_plain;
static struct delayed_work ipnf_nb_gc_work;

static bool ipnf_nb_ported(u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_DCCP ||
	       proto == IPPROTO_UDPLITE;
}

static u32 ipnf_nb_hashfn(const struct ipnf_nb_view *v)
{
	return jhash2((const u32 *)v, sizeof(*v) / 4, ipnf_nb_seed) &
	       ((1 << IPNF_NB_HASH_BITS) - 1);
}

static void ipnf_nb_view_of_key(struct ipnf_nb_view *v,
			      const struct ipnf_flow_key *k)
{
	memset(v, 0, sizeof(*v));
	v->family = k->family;
	v->proto = k->proto;
	v->sport = k->sport;
	v->dport = k->dport;
	if (k->family == IPNF_FAM_V4) {
		memcpy(v->src, &k->a.v4.src, 4);
		memcpy(v->dst, &k->a.v4.dst, 4);
	} else {
		memcpy(v->src, k->a.v6.src, 16);
		memcpy(v->dst, k->a.v6.dst, 16);
	}
}

/* Addresses (of the family's length) and ports of one end of a tuple. */
static void ipnf_nb_end(u8 *addr, u16 *port, const union nf_inet_addr *u3,
		      __be16 all, u8 family)
{
	memcpy(addr, u3, family == IPNF_FAM_V4 ? 4 : 16);
	*port = ntohs(all);
}

static struct ipnf_nb *ipnf_nb_find(const struct ipnf_nb_view *v, u32 h)
{
	struct ipnf_nb *b;

	hlist_for_each_entry_rcu(b, &ipnf_nb_hash[h], node,
				 lockdep_is_held(&ipnf_nb_lock))
		if (!memcmp(&b->v, v, sizeof(*v)))
			return b;
	return NULL;
}

static void ipnf_nb_unlink(struct ipnf_nb *b)
{
	lockdep_assert_held(&ipnf_nb_lock);
	hlist_del_rcu(&b->node);
	kfree_rcu(b, rcu);
	ipnf_nb_count--;
}

/* Insert or update one view. */
static void ipnf_nb_put(const struct ipnf_nb_view *v, const struct ipnf_nat_post *p,
		      const struct ipnf_nat_post *other, unsigned long now)
{
	u32 h = ipnf_nb_hashfn(v);
	struct ipnf_nb *b;

	spin_lock_bh(&ipnf_nb_lock);
	b = ipnf_nb_find(v, h);
	if (b) {
		/* the same view may come back with another connection */
		if (memcmp(&b->post, p, sizeof(*p)) ||
		    memcmp(&b->other, other, sizeof(*other))) {
			ipnf_nb_unlink(b);
			b = NULL;
		} else {
			WRITE_ONCE(b->seen, now);
			goto out;
		}
	}
	if (ipnf_nb_count >= IPNF_NB_MAX) {
		atomic64_inc(&ipnf_nb_full);
		goto out;
	}
	b = kmalloc(sizeof(*b), GFP_ATOMIC | __GFP_NOWARN);
	if (!b) {
		atomic64_inc(&ipnf_nb_full);
		goto out;
	}
	b->v = *v;
	b->post = *p;
	b->other = *other;
	b->seen = now;
	hlist_add_head_rcu(&b->node, &ipnf_nb_hash[h]);
	ipnf_nb_count++;
	if (ipnf_nb_count > ipnf_nb_peak)
		ipnf_nb_peak = ipnf_nb_count;
out:
	spin_unlock_bh(&ipnf_nb_lock);
}

/* After NAT, direction d of ct: from the final source to the final destination. */
static void ipnf_nb_post_of(const struct nf_conn *ct, int d, u8 family,
			  struct ipnf_nat_post *post)
{
	const struct nf_conntrack_tuple *fin =
		&ct->tuplehash[d == IP_CT_DIR_ORIGINAL ? IP_CT_DIR_REPLY :
							 IP_CT_DIR_ORIGINAL].tuple;

	memset(post, 0, sizeof(*post));
	ipnf_nb_end(post->src, &post->sport, &fin->dst.u3, fin->dst.u.all, family);
	ipnf_nb_end(post->dst, &post->dport, &fin->src.u3, fin->src.u.all, family);
}

/* Conntrack has run both NAT hooks for the connection (its bindings are set). */
static bool ipnf_nb_ct_ready(const struct nf_conn *ct)
{
	return (READ_ONCE(ct->status) & IPS_NAT_DONE_MASK) == IPS_NAT_DONE_MASK;
}

/*
 * The views of a translated connection, direction by direction: as the
 * packets come in, after the first translation (DNAT; for replies the
 * reverse of SNAT), after both; each mapped to the last.
 */
static void ipnf_nb_add_ct(const struct nf_conn *ct, u8 family)
{
	const struct nf_conntrack_tuple *o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	const struct nf_conntrack_tuple *r = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	const struct nf_conntrack_tuple *t[2][3][2] = {
		/* original: O, O.src->R.src, R.dst->R.src; post R.dst->R.src */
		{ { o, o }, { o, r }, { r, r } },
		/* reply: R, R.src->O.src, O.dst->O.src; post O.dst->O.src */
		{ { r, r }, { r, o }, { o, o } },
	};
	unsigned long now = jiffies;
	struct ipnf_nat_post post[2];
	struct ipnf_nb_view v, prev;
	int d, i;

	ipnf_nb_post_of(ct, IP_CT_DIR_ORIGINAL, family, &post[0]);
	ipnf_nb_post_of(ct, IP_CT_DIR_REPLY, family, &post[1]);
	for (d = 0; d < 2; d++) {
		memset(&prev, 0, sizeof(prev));
		for (i = 0; i < 3; i++) {
			const struct nf_conntrack_tuple *s = t[d][i][0], *e = t[d][i][1];

			memset(&v, 0, sizeof(v));
			v.family = family;
			v.proto = o->dst.protonum;
			/* the source: of the incoming tuple, or the final one */
			if (i < 2)
				ipnf_nb_end(v.src, &v.sport, &s->src.u3, s->src.u.all, family);
			else
				ipnf_nb_end(v.src, &v.sport, &s->dst.u3, s->dst.u.all, family);
			/* the destination: untranslated, then translated */
			if (i == 0)
				ipnf_nb_end(v.dst, &v.dport, &e->dst.u3, e->dst.u.all, family);
			else
				ipnf_nb_end(v.dst, &v.dport, &e->src.u3, e->src.u.all, family);
			if (i && !memcmp(&v, &prev, sizeof(v)))
				continue;	/* one translation only: same view */
			ipnf_nb_put(&v, &post[d], &post[!d], now);
			prev = v;
		}
	}
}

static void ipnf_nb_del(const struct ipnf_nb_view *v)
{
	u32 h = ipnf_nb_hashfn(v);
	struct ipnf_nb *b;

	spin_lock_bh(&ipnf_nb_lock);
	b = ipnf_nb_find(v, h);
	if (b) {
		ipnf_nb_unlink(b);
	}
	spin_unlock_bh(&ipnf_nb_lock);
}

/*
 * A view kept for another connection than the packet's (a port used again
 * with another translation, or none): only told when the packet's connection
 * is at hand with its NAT set up.
 */
static bool ipnf_nb_stale(const struct ipnf_nb *b, const struct nf_conn *ct,
			enum ip_conntrack_info ctinfo, u8 family)
{
	int d = CTINFO2DIR(ctinfo);
	struct ipnf_nat_post post;

	if (!ct || !ipnf_nb_ct_ready(ct))
		return false;
	if (!(READ_ONCE(ct->status) & IPS_NAT_MASK))
		return true;
	ipnf_nb_post_of(ct, d, family, &post);
	if (memcmp(&post, &b->post, sizeof(post)))
		return true;
	ipnf_nb_post_of(ct, !d, family, &post);
	return memcmp(&post, &b->other, sizeof(post));
}

/* The connection of a packet metered before conntrack (raw table). */
static struct nf_conn *ipnf_nb_ct_lookup(struct net *net,
				       const struct ipnf_nb_view *v)
{
	struct nf_conntrack_tuple_hash *h;
	struct nf_conntrack_tuple t;

	memset(&t, 0, sizeof(t));
	t.src.l3num = v->family == IPNF_FAM_V4 ? NFPROTO_IPV4 : NFPROTO_IPV6;
	memcpy(&t.src.u3, v->src, v->family == IPNF_FAM_V4 ? 4 : 16);
	memcpy(&t.dst.u3, v->dst, v->family == IPNF_FAM_V4 ? 4 : 16);
	t.src.u.all = htons(v->sport);
	t.dst.u.all = htons(v->dport);
	t.dst.protonum = v->proto;
	h = nf_conntrack_find_get(net, &nf_ct_zone_dflt, &t);
	return h ? nf_ct_tuplehash_to_ctrack(h) : NULL;
}

static void ipnf_natflows_note(const struct sk_buff *skb,
			     const struct nf_hook_state *state,
			     const struct ipnf_flow_key *key)
{
	enum ip_conntrack_info ctinfo;
	unsigned long now = jiffies;
	struct nf_conn *ct, *ref = NULL;
	struct ipnf_nb_view v;
	unsigned long st;
	struct ipnf_nb *b;
	bool known;

	if (!ipnf_nb_ported(key->proto))
		return;
	ipnf_nb_view_of_key(&v, key);
	ct = nf_ct_get(skb, &ctinfo);
	if (ct && nf_ct_is_template(ct))
		ct = NULL;
	rcu_read_lock();
	b = ipnf_nb_find(&v, ipnf_nb_hashfn(&v));
	known = b && !ipnf_nb_stale(b, ct, ctinfo, key->family);
	if (known && time_after(now, READ_ONCE(b->seen) + HZ))
		WRITE_ONCE(b->seen, now);
	rcu_read_unlock();
	if (known)
		return;
	if (!ct)
		ct = ref = ipnf_nb_ct_lookup(state->net, &v);
	if (!ct)
		return;
	if (ipnf_nb_ct_ready(ct)) {
		st = READ_ONCE(ct->status);
		if (st & IPS_NAT_MASK)
			ipnf_nb_add_ct(ct, key->family);
		else if (b)
			ipnf_nb_del(&v);	/* the view's connection is untranslated now */
	}
	if (ref)
		nf_ct_put(ref);
}

void ipnf_account_skb_nat(const struct sk_buff *skb,
			const struct nf_hook_state *state,
			struct ipnf_flow_key *key, struct ipnf_pkt_info *pi)
{
	u32 pkts, bytes;

	ipnf_account_prep(skb, state, key, pi, &pkts, &bytes);
	ipnf_natflows_note(skb, state, key);
	if (ipnf_flow_account(key, pi, pkts, bytes))
		ipnf_flow_ifaces(state);
}

void ipnf_natflows_fill(struct ipnf_exp_rec *r)
{
	struct ipnf_nb_view v;
	struct ipnf_nb *b;

	r->nat = 0;
	if (!READ_ONCE(ipnf_nb_on) || !ipnf_nb_ported(r->key.proto))
		return;
	ipnf_nb_view_of_key(&v, &r->key);
	rcu_read_lock();
	b = ipnf_nb_find(&v, ipnf_nb_hashfn(&v));
	if (b) {
		r->post = b->post;
		r->nat = 1;
	}
	rcu_read_unlock();
	atomic64_inc(r->nat ? &ipnf_nb_translated : &ipnf_nb_plain);
}

bool ipnf_natflows_on(void)
{
	return READ_ONCE(ipnf_nb_on);
}

/* Drop every view (all = true) or those idle past the flows' lifetime. */
static void ipnf_nb_prune(bool all)
{
	unsigned long idle = (unsigned long)READ_ONCE(ipnf_cfg.inactive_timeout) * HZ +
			     IPNF_NB_SLACK;
	unsigned long now = jiffies;
	struct hlist_node *tmp;
	struct ipnf_nb *b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ipnf_nb_hash); i++) {
		spin_lock_bh(&ipnf_nb_lock);
		hlist_for_each_entry_safe(b, tmp, &ipnf_nb_hash[i], node) {
			if (!all && time_before(now, READ_ONCE(b->seen) + idle))
				continue;
			ipnf_nb_unlink(b);
		}
		spin_unlock_bh(&ipnf_nb_lock);
	}
}

static void ipnf_nb_gc(struct work_struct *w)
{
	ipnf_nb_prune(false);
	queue_delayed_work(system_power_efficient_wq, &ipnf_nb_gc_work,
			   IPNF_NB_GC_PERIOD);
}

int ipnf_natflows_set(bool on)
{
	lockdep_assert_held(&ipnf_cfg_mutex);
	if (on == ipnf_nb_on)
		return 0;
	if (on) {
		if (!ipnf_nb_seed)
			ipnf_nb_seed = get_random_u32() | 1;
		INIT_DELAYED_WORK(&ipnf_nb_gc_work, ipnf_nb_gc);
		queue_delayed_work(system_power_efficient_wq, &ipnf_nb_gc_work,
				   IPNF_NB_GC_PERIOD);
		WRITE_ONCE(ipnf_nb_on, true);
		ipnf_nb_used = true;
		static_branch_enable(&ipnf_natflows_key);
		return 0;
	}
	static_branch_disable(&ipnf_natflows_key);
	ipnf_wait_readers();	/* no packet is noting views any more */
	WRITE_ONCE(ipnf_nb_on, false);
	cancel_delayed_work_sync(&ipnf_nb_gc_work);
	ipnf_nb_prune(true);
	return 0;
}

void ipnf_natflows_exit(void)
{
	bool used;

	mutex_lock(&ipnf_cfg_mutex);
	ipnf_natflows_set(false);
	used = ipnf_nb_used;
	mutex_unlock(&ipnf_cfg_mutex);
	if (used)	/* (never on: nothing queued, and no wait behind others') */
		rcu_barrier();	/* the views' kfree_rcu() */
}

void ipnf_natflows_stats(struct ipnf_natflows_stats *s)
{
	s->bindings = READ_ONCE(ipnf_nb_count);
	s->peak = READ_ONCE(ipnf_nb_peak);
	s->full = atomic64_read(&ipnf_nb_full);
	s->translated = atomic64_read(&ipnf_nb_translated);
	s->plain = atomic64_read(&ipnf_nb_plain);
}

void ipnf_natflows_show(struct seq_file *m, const struct ipnf_natflows_stats *s)
{
	if (!READ_ONCE(ipnf_nb_used))
		return;		/* never on: the classic lines only */
	seq_printf(m, "Natflows: %s, views %u (peak %u, not kept %llu). Records translated %llu, untranslated %llu.\n",
		   READ_ONCE(ipnf_nb_on) ? "on" : "off", s->bindings, s->peak,
		   s->full, s->translated, s->plain);
}

#endif /* IPNF_NATFLOWS_BUILT */
