/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ipt_NETFLOW internals: what each file offers its neighbours.
 *
 * Lock ordering (outer first):
 *   nf_cfg_mutex     serialises parameter changes (params.c, sysctl.c)
 *   nf_export_mutex  the exporter: PDU being built, sockets, the sweep
 *                    position; held by each worker run (expiry.c)
 *   nf_locks_all     stop-the-world for table resize (flowtable.c)
 *   stripe lock      one of NF_LOCKS, taken with BH disabled, protects the
 *                    chains of a run of consecutive buckets
 *   pool lock        flowpool.c's chunk stack (BH disabled); never held
 *                    together with a stripe lock (allocation comes first)
 * The packet path takes at most one stripe lock, and only to insert a flow;
 * updates of existing flows are lock-free (RCU lookup + atomics), and flows
 * are read for export only after an RCU grace period following their unlink.
 */
#ifndef NF_NETFLOW_H
#define NF_NETFLOW_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/rculist.h>
#include <linux/rculist_nulls.h>
#include <linux/mutex.h>
#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/netdevice.h>
#include "compat.h"
#include "flow_key.h"
#include "export_rec.h"
#include "flow.h"
#include "options.h"
#include "tmpl.h"
#include "rules.h"
#include "nf_config.h"

#define NF_VERSION "3.0"

/* ---- params.c: configuration (module parameters and sysctl) ---- */
struct nf_config {
	int protocol;
	int inactive_timeout;	/* seconds */
	int active_timeout;	/* seconds */
	int refresh_rate;	/* packets */
	int timeout_rate;	/* minutes */
	int debug;
	int sndbuf;		/* bytes, 0 = system default */
	int hashsize;		/* buckets, 0 = automatic at load */
	int maxflows;		/* 0 = unlimited */
	int scan_min;		/* jiffies */
	int exportcpu;		/* -1 = any */
	int engine_id;
	int natevents;
	int promisc;
	int dest_mode;		/* enum nf_dest_mode */
	int sampler_kind;	/* enum nf_sampler_kind */
	unsigned int sampler_interval;
	char destination[512];
	char sampler[32];
	char hooks[256];	/* hook mode (hooks.c); "" = off */
	char hook_mark[32];
	int flowtable;		/* offload.c: meter flowtable fast paths */
	int natflows;		/* natflows.c: NAT translation in flow records */
};

extern struct nf_config nf_cfg;
extern struct mutex nf_cfg_mutex;
extern bool nf_running;		/* init done: parameter changes apply at once */

/* A parameter settable by modprobe, /sys/module and sysctl alike. */
struct nf_param {
	const char *name;	/* sysctl name, as the classic module spells it */
	int *ival;		/* integer parameters */
	char *sval;		/* string parameters */
	int slen;
	int min, max;
	const void *ops;	/* integer checks and actions (params.c) */
	/* Validates and, once running, applies; returns 0 or -EINVAL. */
	int (*set)(const struct nf_param *p, const char *val);
};

extern const struct nf_param nf_params[];
extern const unsigned int nf_nparams;
int nf_param_set(const struct nf_param *p, const char *val);
int nf_param_get(const struct nf_param *p, char *buf, int len);

/* ---- sysctl.c ---- */
int nf_sysctl_init(void);
void nf_sysctl_exit(void);

/* ---- stats.c: per-CPU metering statistics and rates ---- */
struct nf_cpu_stats {
	u64 searched;		/* chain entries compared */
	u64 found;
	u64 new_flows;
	u64 trunc;
	u64 frag;
	u64 alloc_err;
	u64 maxflows_err;
	u64 pkts;		/* accounted */
	u64 bytes;
	u64 drop_pkts;		/* not accounted */
	u64 drop_bytes;
	u64 sampled_out;	/* packets of flows the hash sampler skipped */
	/* written by the worker only */
	u64 pps;
	u64 prev_pkts;
	u64 metric_x100;	/* 1-minute average of searches per lookup */
	u64 prev_lookups, prev_searched;
};

DECLARE_PER_CPU(struct nf_cpu_stats, nf_stats);

struct nf_rates {
	u64 bps, pps;			/* last second */
	u64 bps_1m, pps_1m, bps_5m, pps_5m;
	u64 metric_x100;		/* searches per lookup, last second */
	u64 metric_4s, metric_1m, metric_5m, metric_15m;	/* x100 */
	u64 export_Bps;
};

extern struct nf_rates nf_rates;
void nf_stats_sum(struct nf_cpu_stats *sum);
void nf_stats_tick(void);	/* once a second from the worker */

/* ---- flowtable.c: the flow table (struct nf_flow: flow.h) ---- */
int nf_table_init(unsigned int size);
void nf_table_exit(void);
int nf_table_resize(unsigned int size);
unsigned int nf_table_size(void);
unsigned int nf_table_mem(void);
void nf_flow_account(struct nf_flow_key *key, const struct nf_pkt_info *pi,
		     u32 pkts, u32 bytes);
bool nf_flow_account_known(const struct nf_flow_key *key,
			   const struct nf_pkt_info *pi, u32 pkts, u32 bytes);
void nf_flow_free(struct nf_flow *f);	/* exported: to the pool */
unsigned int nf_flow_objsize(int family);
u64 nf_flows_mem(void);		/* bytes of the flows' objects, pooled too */

extern atomic_t nf_flows_active;
extern atomic_t nf_flows_v6;
extern struct llist_head nf_ended;	/* flows seen with FIN or RST */
extern atomic64_t nf_removed_pkts, nf_removed_bytes;

/*
 * Configuration and unload paths wait for RCU readers (packets in a hook,
 * walkers of a table or rule set) with this: an expedited grace period.  A
 * normal synchronize_rcu() returns when its callback runs, behind every
 * callback queued on this CPU before it; under a flood of frees (kmemleak
 * frees each object through call_rcu()) that took minutes, with the
 * module's mutexes held.
 */
static inline void nf_wait_readers(void)
{
	synchronize_rcu_expedited();
}

/* What the worker's sweep exports (copied once per run). */
struct nf_expiry {
	bool all;		/* flush: every flow */
	u32 now;		/* jiffies when the run began */
	u32 inactive_j;		/* timeouts in jiffies */
	u32 active_j;
};

/* Whether a flow is due, and why (an enum nf_end_reason). */
static inline bool nf_flow_expired(const struct nf_flow *f,
				   const struct nf_expiry *e, u8 *reason)
{
	if (e->all) {
		*reason = NF_END_FORCED;
		return true;
	}
	/*
	 * now was read when the run began: the packet path may have stamped a
	 * flow later, which must count as age 0, not as 2^32 - 1 jiffies.
	 */
	if ((s32)(e->now - READ_ONCE(f->ts_last)) >= (s32)e->inactive_j) {
		*reason = NF_END_IDLE;
		return true;
	}
	/* Active timeout, or the 32-bit packet counter nearing its end. */
	if ((s32)(e->now - f->ts_first) >= (s32)e->active_j ||
	    (u32)atomic_read(&f->packets) >= 0xf0000000U) {
		*reason = NF_END_ACTIVE;
		return true;
	}
	return false;
}

/*
 * Walk buckets [from, from + n) of the current table (caller holds
 * nf_export_mutex, so no resize runs), unlinking the flows that are due onto
 * *batch (the caller's own list).  Returns the number of buckets walked.
 */
unsigned int nf_table_sweep(unsigned int from, unsigned int n,
			    const struct nf_expiry *exp, struct llist_head *batch,
			    unsigned int *nflows);
bool nf_flow_unlink(struct nf_flow *f);

/* Calls fn for each flow of bucket b under RCU; stops at a non-zero return. */
int nf_table_walk(unsigned int b, int (*fn)(const struct nf_flow *f, void *arg),
		  void *arg);

/* ---- flowpool.c: flow objects (slab caches + recycling pool) ---- */
int nf_pool_init(void);
void nf_pool_exit(void);
struct nf_pool_cpu {
	struct nf_flow *head[2];	/* a chunk being used, per family */
};
DECLARE_PER_CPU(struct nf_pool_cpu, nf_pool_cpu);
struct nf_flow *nf_flow_alloc_slow(bool v6);

/* Chunks chain their flows through hnode.next. */
static inline struct nf_flow *nf_chain_next(struct nf_flow *f)
{
	return (struct nf_flow *)f->hnode.next;
}

/* A flow object for the packet path (BH disabled): pop the CPU's chunk. */
static __always_inline struct nf_flow *nf_flow_alloc(bool v6)
{
	struct nf_pool_cpu *c = this_cpu_ptr(&nf_pool_cpu);
	struct nf_flow *f = c->head[v6];

	if (likely(f)) {
		c->head[v6] = nf_chain_next(f);
		return f;
	}
	return nf_flow_alloc_slow(v6);
}
void nf_flow_free_now(struct nf_flow *f);	/* never hashed: to the slab */
void nf_flow_recycle(struct nf_flow *f);	/* export mutex held */
void nf_pool_trim(unsigned int active);		/* export mutex held */
u64 nf_pool_bytes(void);
extern atomic64_t nf_pool_reused;

/* ---- expiry.c: the worker ---- */
extern struct mutex nf_export_mutex;
int nf_expiry_init(void);
void nf_expiry_exit(void);
void nf_expiry_flush(void);		/* export everything now, wait */
void nf_expiry_reschedule(void);	/* exportcpu/scan_min changed */
struct nf_worker_stats {
	unsigned int delay;		/* jiffies between runs */
	unsigned int last_run_us;
	unsigned int last_exported;
	unsigned int last_scanned;
	unsigned long peak_time;	/* jiffies of peak flows */
	unsigned int peak_flows;
};
extern struct nf_worker_stats nf_worker;

/* ---- export.c: PDU building for the configured protocol ---- */
struct nf_export_stats {
	u64 pdus, bytes, flows;		/* sent */
	u64 err_pdus;			/* PDUs that reached no destination */
	u64 lost_pkts, lost_bytes, lost_flows;
	u64 v6_unexportable;		/* IPv6 flows under NetFlow v5 */
	u64 sampler_seen, sampler_selected;
	u64 pdu_pkts, pdu_bytes;	/* in the PDU being built */
};
extern struct nf_export_stats nf_xstats;
extern u32 nf_export_seq;	/* export mutex held */
int nf_export_init(void);
void nf_export_exit(void);
void nf_export_flow(const struct nf_exp_rec *r);	/* export mutex held */
bool nf_export_v5_straight(void);	/* v5, no sampler: nf_v5_add_flow */
void nf_export_flush(bool force);	/* send the pending PDU if due */
void nf_export_send(const u8 *buf, unsigned int len, unsigned int flows,
		    u64 pkts, u64 bytes);
/* One PDU of a run: its length and what it carries (for loss accounting). */
struct nf_pdu_acct {
	unsigned int len;
	unsigned int flows;
	u64 pkts, bytes;
};
/* n PDUs, PDU i at buf + i * seg; all seg bytes long but the last. */
void nf_export_send_run(const u8 *buf, unsigned int seg,
			const struct nf_pdu_acct *acct, unsigned int n);
int nf_export_set_protocol(int proto);
u32 nf_uptime_ms(void);

/* export_v5.c */
void nf_v5_add(const struct nf_exp_rec *r);
/* An IPv4 flow whose counters fit 32 bits (as read), its record straight from it. */
void nf_v5_add_flow(const struct nf_flow *f, const struct nf_export_clock *c,
		    u32 pkts, u32 bytes);
void nf_v5_flush(void);
bool nf_v5_pending(void);
void nf_v5_send_ready(void);
unsigned long nf_v5_age(void);

/* export_tpl.c: NetFlow v9 and IPFIX through the template engine */
void nf_tpl_add(const struct nf_exp_rec *r);
void nf_tpl_flush(void);
bool nf_tpl_pending(void);
unsigned long nf_tpl_age(void);
void nf_tpl_set_version(int version);	/* 9, 10, or 0: not in use */
void nf_tpl_dests_changed(void);
void nf_tpl_counts(unsigned int *templates, unsigned int *active);
void nf_export_send_tmpl(const u8 *buf, unsigned int len);

/* ifaces.c: interfaces seen by the target, for the interface options list */
#define NF_IF_BITS 1024
extern unsigned long nf_if_seen[];
void nf_if_add(const struct net_device *dev);
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

/* ---- sock.c: export destinations ---- */
struct nf_sock_stats {
	char name[64];
	int connected;
	int connect_attempts;
	int sndbuf, filled, peak;
	u64 err_sndbuf, err_connect, err_cberr, err_other;
	u64 pkts, bytes;
	u64 resent;
	int down;
};
int nf_socks_set(const char *destinations);	/* export mutex held */
void nf_socks_exit(void);
int nf_socks_send(const void *buf, unsigned int len);	/* 0 if delivered */
int nf_socks_send_all(const void *buf, unsigned int len);	/* templates */
/* PDUs of seg bytes (the last may be shorter): bit i set if PDU i delivered */
u64 nf_socks_send_run(const void *buf, unsigned int len, unsigned int seg);
void nf_socks_set_sndbuf(int sndbuf);
void nf_socks_tick(void);	/* each worker run: balance re-sends */
int nf_socks_stats(struct nf_sock_stats *out, int max);

/* ---- ruleset.c: aggregation and SNMP-index rules, swapped under RCU ---- */
struct seq_file;
/* Parse val, install it, write its canonical text to canon (cfg mutex held). */
int nf_rules_set_aggr(const char *val, char *canon, int len, const char **err);
int nf_rules_set_snmp(const char *val, char *canon, int len, const char **err);
void nf_rules_aggr(struct nf_flow_key *key);		/* packet path */
struct nf_aggr_set;
extern struct nf_aggr_set __rcu *nf_aggr_rules;
/* Packet path: no call at all while there are no aggregation rules. */
static inline void nf_rules_aggr_key(struct nf_flow_key *key)
{
	if (unlikely(rcu_access_pointer(nf_aggr_rules)))
		nf_rules_aggr(key);
}
u32 nf_rules_ifindex(const struct net_device *dev);	/* packet path */
void nf_rules_show(struct seq_file *m);			/* aggrN: lines */
unsigned int nf_rules_aggr_count(void);
void nf_rules_exit(void);

/* ---- natevents.c: NAT events from conntrack (--enable-natevents) ---- */
struct nf_nat_stats {
	atomic64_t starts, stops;	/* events queued */
	atomic64_t dropped;		/* queue full or no memory */
	atomic_t busy;			/* namespaces whose callback another holds */
	atomic_t no_events;		/* namespaces with conntrack events off */
};
#ifdef ENABLE_NAT
extern struct nf_nat_stats nf_nat_stats;
int nf_natevents_init(void);
void nf_natevents_exit(void);
void nf_natevents_set(bool on);		/* nf_cfg_mutex held */
unsigned int nf_natevents_drain(void);	/* export mutex held */
#else
static inline int nf_natevents_init(void) { return 0; }
static inline void nf_natevents_exit(void) { }
static inline unsigned int nf_natevents_drain(void) { return 0; }
#endif
void nf_export_nat(const struct nf_nat_rec *n);	/* export mutex held */
void nf_tpl_add_nat(const struct nf_nat_rec *n);

/* ---- promisc.c: frames for other hosts (--enable-promisc) ---- */
struct nf_promisc_ctx {
	bool active;		/* a promisc frame is in the hook on this CPU */
	u8 ntags;
	u16 vlan[NF_VLAN_TAGS];	/* TCI, outer first */
#ifdef ENABLE_PROMISC_MPLS
	u32 mpls[ENABLE_PROMISC_MPLS];
#endif
};
#ifdef ENABLE_PROMISC
DECLARE_PER_CPU(struct nf_promisc_ctx, nf_promisc_ctx);
extern atomic64_t nf_promisc_seen, nf_promisc_dropped;
void nf_promisc_set(bool on);		/* nf_cfg_mutex held */
/* The context of the packet in the hook, if it is a promisc frame. */
static inline const struct nf_promisc_ctx *nf_promisc_current(void)
{
	const struct nf_promisc_ctx *c = this_cpu_ptr(&nf_promisc_ctx);

	return c->active ? c : NULL;
}
#else
static inline void nf_promisc_set(bool on) { }
#endif

/* ---- netns.c: once in every network namespace that exists ---- */
struct net;
/* fn(net) for each namespace; fn must be idempotent.  Sleeps. */
int nf_netns_walk(void (*fn)(struct net *net));

/* ---- target.c ---- */
int nf_target_init(void);
void nf_target_exit(void);

/* ---- proc.c ---- */
int nf_proc_init(void);
void nf_proc_exit(void);

/* ---- genl.c: generic netlink family NETFLOW (netflow_genl.h) ---- */
int nf_genl_init(void);
void nf_genl_exit(void);
void nf_genl_notify_param(const struct nf_param *p);	/* nf_cfg_mutex held */

#endif /* NF_NETFLOW_H */
