// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic netlink family "NETFLOW" (netflow_genl.h documents the protocol):
 * statistics from the same counters /proc prints, parameters through the
 * same ipnf_param_set() as sysctl, the flow table as a dump that resumes bucket
 * by bucket, and a "config" multicast group told of every parameter change.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/jiffies.h>
#include <linux/cpumask.h>
#include <net/genetlink.h>
#include <linux/notifier.h>
#include "cfg.h"
#include "locks.h"
#include "params.h"
#include "genl.h"
#include "stats.h"
#include "flowtable.h"
#include "flowquota.h"
#include "expiry.h"
#include "export.h"
#include "sock.h"
#include "ruleset.h"
#include "natevents.h"
#include "snapshot.h"
#include "netflow_genl.h"
#include "hooks.h"
#include "offload.h"
#include "natflows.h"

#define IPNF_GENL_VALLEN 1024	/* longest parameter value, as sysctl.c */

static struct genl_family ipnf_genl_family;

static const struct nla_policy ipnf_genl_policy[NETFLOW_A_MAX + 1] = {
	[NETFLOW_A_PARAM_NAME] = { .type = NLA_NUL_STRING, .len = 63 },
	[NETFLOW_A_PARAM_VALUE] = { .type = NLA_NUL_STRING,
				    .len = IPNF_GENL_VALLEN - 1 },
};

/*
 * The statistics reply is written twice by the same code: first with no skb,
 * only adding up the exact size each attribute will take (prepare → exact
 * size → fill, as ethtool's netlink does), then into an skb of that size.
 */
struct ipnf_nlw {
	struct sk_buff *skb;	/* NULL: count only */
	int size;
};

static int ipnf_put(struct ipnf_nlw *w, int id, u64 v)
{
	if (!w->skb) {
		w->size += nla_total_size_64bit(sizeof(u64));
		return 0;
	}
	return nla_put_u64_64bit(w->skb, id, v, NETFLOW_S_PAD);
}

static int ipnf_put_u32(struct ipnf_nlw *w, int id, u32 v)
{
	if (!w->skb) {
		w->size += nla_total_size(sizeof(u32));
		return 0;
	}
	return nla_put_u32(w->skb, id, v);
}

static int ipnf_put_str(struct ipnf_nlw *w, int id, const char *str)
{
	if (!w->skb) {
		w->size += nla_total_size(strlen(str) + 1);
		return 0;
	}
	return nla_put_string(w->skb, id, str);
}

/* A nest: a dummy non-NULL mark while counting. */
static struct nlattr *ipnf_nest(struct ipnf_nlw *w, int id)
{
	if (!w->skb) {
		w->size += nla_total_size(0);
		return (struct nlattr *)w;
	}
	return nla_nest_start(w->skb, id);
}

static void ipnf_nest_end(struct ipnf_nlw *w, struct nlattr *nest)
{
	if (w->skb)
		nla_nest_end(w->skb, nest);
}

/* ---- statistics ---- */


static int ipnf_put_cpu_counters(struct ipnf_nlw *w, const struct ipnf_cpu_stats *s)
{
	if (ipnf_put(w, NETFLOW_S_PKTS, s->pkts) ||
	    ipnf_put(w, NETFLOW_S_BYTES, s->bytes) ||
	    ipnf_put(w, NETFLOW_S_SEARCHED, s->searched) ||
	    ipnf_put(w, NETFLOW_S_FOUND, s->found) ||
	    ipnf_put(w, NETFLOW_S_NEW_FLOWS, s->new_flows) ||
	    ipnf_put(w, NETFLOW_S_TRUNC, s->trunc) ||
	    ipnf_put(w, NETFLOW_S_FRAG, s->frag) ||
	    ipnf_put(w, NETFLOW_S_ALLOC_ERR, s->alloc_err) ||
	    ipnf_put(w, NETFLOW_S_MAXFLOWS_ERR, s->maxflows_err) ||
	    ipnf_put(w, NETFLOW_S_DROP_PKTS, s->drop_pkts) ||
	    ipnf_put(w, NETFLOW_S_DROP_BYTES, s->drop_bytes) ||
	    ipnf_put(w, NETFLOW_S_SAMPLED_OUT, s->sampled_out) ||
	    ipnf_put(w, NETFLOW_S_PPS, s->pps))
		return -EMSGSIZE;
	return 0;
}

static int ipnf_put_cpus(struct ipnf_nlw *w)
{
	struct nlattr *nest;
	int cpu;

	for_each_present_cpu(cpu) {
		const struct ipnf_cpu_stats *p = per_cpu_ptr(&ipnf_stats, cpu);
		struct ipnf_cpu_stats s;

		s = *p;		/* racy like /proc: each field is one load */
		nest = ipnf_nest(w, NETFLOW_A_CPU);
		if (!nest || ipnf_put(w, NETFLOW_S_CPU, cpu) ||
		    ipnf_put_cpu_counters(w, &s) ||
		    ipnf_put(w, NETFLOW_S_METRIC_X100,
			   s.metric_x100 ? s.metric_x100 : 100))
			return -EMSGSIZE;
		ipnf_nest_end(w, nest);
	}
	return 0;
}

static int ipnf_put_hash(struct ipnf_nlw *w, const struct ipnf_snap *sn)
{
	struct nlattr *nest = ipnf_nest(w, NETFLOW_A_HASH);

	if (!nest ||
	    ipnf_put(w, NETFLOW_S_HASH_SIZE, ipnf_table_size()) ||
	    ipnf_put(w, NETFLOW_S_HASH_MEM, ipnf_table_mem()) ||
	    ipnf_put(w, NETFLOW_S_FLOWS_ACTIVE, ipnf_flows_count()) ||
	    ipnf_put(w, NETFLOW_S_FLOWS_V6, ipnf_flows_v6_count()) ||
	    ipnf_put(w, NETFLOW_S_FLOWS_MEM, ipnf_flows_mem()) ||
	    ipnf_put(w, NETFLOW_S_FLOWS_PEAK, READ_ONCE(ipnf_worker.peak_flows)) ||
	    ipnf_put(w, NETFLOW_S_HASH_PKTS,
		   sn->t.pkts - atomic64_read(&ipnf_removed_pkts)) ||
	    ipnf_put(w, NETFLOW_S_HASH_BYTES,
		   sn->t.bytes - atomic64_read(&ipnf_removed_bytes)) ||
	    ipnf_put(w, NETFLOW_S_MAXFLOWS, READ_ONCE(ipnf_cfg.maxflows)))
		return -EMSGSIZE;
	ipnf_nest_end(w, nest);
	return 0;
}

static int ipnf_put_rates(struct ipnf_nlw *w)
{
	struct nlattr *nest = ipnf_nest(w, NETFLOW_A_RATES);
	const struct ipnf_rates *r = &ipnf_rates;

	if (!nest ||
	    ipnf_put(w, NETFLOW_S_RATE_BPS, r->bps) ||
	    ipnf_put(w, NETFLOW_S_RATE_PPS, r->pps) ||
	    ipnf_put(w, NETFLOW_S_RATE_BPS_1M, r->bps_1m) ||
	    ipnf_put(w, NETFLOW_S_RATE_PPS_1M, r->pps_1m) ||
	    ipnf_put(w, NETFLOW_S_RATE_BPS_5M, r->bps_5m) ||
	    ipnf_put(w, NETFLOW_S_RATE_PPS_5M, r->pps_5m) ||
	    ipnf_put(w, NETFLOW_S_RATE_METRIC_X100, r->metric_x100) ||
	    ipnf_put(w, NETFLOW_S_RATE_METRIC_1M, r->metric_1m) ||
	    ipnf_put(w, NETFLOW_S_RATE_METRIC_5M, r->metric_5m) ||
	    ipnf_put(w, NETFLOW_S_RATE_METRIC_15M, r->metric_15m) ||
	    ipnf_put(w, NETFLOW_S_RATE_EXPORT_BPS, r->export_Bps))
		return -EMSGSIZE;
	ipnf_nest_end(w, nest);
	return 0;
}

static int ipnf_put_export(struct ipnf_nlw *w, const struct ipnf_snap *sn)
{
	struct nlattr *nest = ipnf_nest(w, NETFLOW_A_EXPORT);
	const struct ipnf_export_stats *x = &sn->x;

	if (!nest ||
	    ipnf_put(w, NETFLOW_S_EXP_PROTOCOL, READ_ONCE(ipnf_cfg.protocol)) ||
	    ipnf_put(w, NETFLOW_S_EXP_PDUS, x->pdus) ||
	    ipnf_put(w, NETFLOW_S_EXP_BYTES, x->bytes) ||
	    ipnf_put(w, NETFLOW_S_EXP_FLOWS, x->flows) ||
	    ipnf_put(w, NETFLOW_S_EXP_ERR_PDUS, x->err_pdus) ||
	    ipnf_put(w, NETFLOW_S_EXP_LOST_PKTS, x->lost_pkts) ||
	    ipnf_put(w, NETFLOW_S_EXP_LOST_BYTES, x->lost_bytes) ||
	    ipnf_put(w, NETFLOW_S_EXP_LOST_FLOWS, x->lost_flows) ||
	    ipnf_put(w, NETFLOW_S_EXP_V6_UNEXPORTABLE, x->v6_unexportable) ||
	    ipnf_put(w, NETFLOW_S_EXP_PDU_PKTS, x->pdu_pkts) ||
	    ipnf_put(w, NETFLOW_S_EXP_PDU_BYTES, x->pdu_bytes) ||
	    ipnf_put(w, NETFLOW_S_EXP_TEMPLATES, sn->ntmpl) ||
	    ipnf_put(w, NETFLOW_S_EXP_TEMPLATES_ACTIVE, sn->nactive))
		return -EMSGSIZE;
	ipnf_nest_end(w, nest);
	return 0;
}

static int ipnf_put_misc(struct ipnf_nlw *w, const struct ipnf_snap *sn)
{
	struct nlattr *nest;

	nest = ipnf_nest(w, NETFLOW_A_SAMPLER);
	if (!nest ||
	    ipnf_put(w, NETFLOW_S_SAMPLER_KIND, READ_ONCE(ipnf_cfg.sampler_kind)) ||
	    ipnf_put(w, NETFLOW_S_SAMPLER_INTERVAL,
		   READ_ONCE(ipnf_cfg.sampler_interval)) ||
	    ipnf_put(w, NETFLOW_S_SAMPLER_SEEN, sn->x.sampler_seen) ||
	    ipnf_put(w, NETFLOW_S_SAMPLER_SELECTED, sn->x.sampler_selected) ||
	    ipnf_put(w, NETFLOW_S_SAMPLED_OUT, sn->t.sampled_out))
		return -EMSGSIZE;
	ipnf_nest_end(w, nest);

	nest = ipnf_nest(w, NETFLOW_A_WORKER);
	if (!nest ||
	    ipnf_put(w, NETFLOW_S_WORKER_DELAY, READ_ONCE(ipnf_worker.delay)) ||
	    ipnf_put(w, NETFLOW_S_WORKER_HZ, HZ) ||
	    ipnf_put(w, NETFLOW_S_WORKER_LAST_RUN_US,
		   READ_ONCE(ipnf_worker.last_run_us)) ||
	    ipnf_put(w, NETFLOW_S_WORKER_SCANNED,
		   READ_ONCE(ipnf_worker.last_scanned)) ||
	    ipnf_put(w, NETFLOW_S_WORKER_EXPORTED,
		   READ_ONCE(ipnf_worker.last_exported)))
		return -EMSGSIZE;
	ipnf_nest_end(w, nest);

	/* the counters of the Natevents line of /proc (0 when not built) */
	nest = ipnf_nest(w, NETFLOW_A_NAT);
	if (!nest ||
	    ipnf_put(w, NETFLOW_S_NAT_ENABLED, READ_ONCE(ipnf_cfg.natevents)) ||
#ifdef ENABLE_NAT
	    ipnf_put(w, NETFLOW_S_NAT_START, atomic64_read(&ipnf_nat_stats.starts)) ||
	    ipnf_put(w, NETFLOW_S_NAT_STOP, atomic64_read(&ipnf_nat_stats.stops)))
#else
	    ipnf_put(w, NETFLOW_S_NAT_START, 0) ||
	    ipnf_put(w, NETFLOW_S_NAT_STOP, 0))
#endif
		return -EMSGSIZE;
	ipnf_nest_end(w, nest);

	nest = ipnf_nest(w, NETFLOW_A_AGGR);
	if (!nest || ipnf_put(w, NETFLOW_S_AGGR_RULES, ipnf_rules_aggr_count()))
		return -EMSGSIZE;
	ipnf_nest_end(w, nest);

	nest = ipnf_nest(w, NETFLOW_A_HOOKS);
	if (!nest ||
	    ipnf_put(w, NETFLOW_S_HOOKS_POINTS, sn->hooks.points) ||
	    ipnf_put(w, NETFLOW_S_HOOKS_SEEN, sn->hooks.seen) ||
	    ipnf_put(w, NETFLOW_S_HOOKS_MARK_SKIPPED, sn->hooks.mark_skipped) ||
	    ipnf_put(w, NETFLOW_S_HOOKS_RULE_LEFT, sn->hooks.rule_left))
		return -EMSGSIZE;
	ipnf_nest_end(w, nest);

	nest = ipnf_nest(w, NETFLOW_A_FLOWTABLE);
	if (!nest ||
	    ipnf_put(w, NETFLOW_S_FT_DEVICES, sn->ft.devices) ||
	    ipnf_put(w, NETFLOW_S_FT_REFUSED, sn->ft.errors) ||
	    ipnf_put(w, NETFLOW_S_FT_PKTS, sn->ft.pkts) ||
	    ipnf_put(w, NETFLOW_S_FT_BYTES, sn->ft.bytes) ||
	    ipnf_put(w, NETFLOW_S_FT_LEFT, sn->ft.left))
		return -EMSGSIZE;
	ipnf_nest_end(w, nest);

	nest = ipnf_nest(w, NETFLOW_A_NATFLOWS);
	if (!nest ||
	    ipnf_put(w, NETFLOW_S_NFL_ENABLED, READ_ONCE(ipnf_cfg.natflows)) ||
	    ipnf_put(w, NETFLOW_S_NFL_VIEWS, sn->nfl.bindings) ||
	    ipnf_put(w, NETFLOW_S_NFL_PEAK, sn->nfl.peak) ||
	    ipnf_put(w, NETFLOW_S_NFL_NOT_KEPT, sn->nfl.full) ||
	    ipnf_put(w, NETFLOW_S_NFL_TRANSLATED, sn->nfl.translated) ||
	    ipnf_put(w, NETFLOW_S_NFL_PLAIN, sn->nfl.plain))
		return -EMSGSIZE;
	ipnf_nest_end(w, nest);
	return 0;
}

static int ipnf_put_socks(struct ipnf_nlw *w, const struct ipnf_snap *sn)
{
	int i;

	for (i = 0; i < sn->nsocks; i++) {
		const struct ipnf_sock_stats *s = &sn->socks[i];
		struct nlattr *nest = ipnf_nest(w, NETFLOW_A_SOCK);

		if (!nest ||
		    ipnf_put(w, NETFLOW_S_SOCK_INDEX, i) ||
		    ipnf_put_str(w, NETFLOW_A_SOCK_NAME, s->name) ||
		    ipnf_put(w, NETFLOW_S_SOCK_CONNECTED, s->connected) ||
		    ipnf_put(w, NETFLOW_S_SOCK_CONNECT_ATTEMPTS,
			   s->connect_attempts) ||
		    ipnf_put(w, NETFLOW_S_SOCK_SNDBUF, s->sndbuf) ||
		    ipnf_put(w, NETFLOW_S_SOCK_FILLED, s->filled) ||
		    ipnf_put(w, NETFLOW_S_SOCK_PEAK, s->peak) ||
		    ipnf_put(w, NETFLOW_S_SOCK_ERR_SNDBUF, s->err_sndbuf) ||
		    ipnf_put(w, NETFLOW_S_SOCK_ERR_CONNECT, s->err_connect) ||
		    ipnf_put(w, NETFLOW_S_SOCK_ERR_CBERR, s->err_cberr) ||
		    ipnf_put(w, NETFLOW_S_SOCK_ERR_OTHER, s->err_other) ||
		    ipnf_put(w, NETFLOW_S_SOCK_PKTS, s->pkts) ||
		    ipnf_put(w, NETFLOW_S_SOCK_BYTES, s->bytes) ||
		    ipnf_put(w, NETFLOW_S_SOCK_RESENT, s->resent) ||
		    ipnf_put(w, NETFLOW_S_SOCK_DOWN, s->down))
			return -EMSGSIZE;
		ipnf_nest_end(w, nest);
	}
	return 0;
}

static int ipnf_genl_fill_stats(struct ipnf_nlw *w, const struct ipnf_snap *sn)
{
	struct nlattr *nest;

	if (ipnf_put_u32(w, NETFLOW_A_API_VERSION, NETFLOW_GENL_VERSION) ||
	    ipnf_put_str(w, NETFLOW_A_MOD_VERSION, IPNF_VERSION))
		return -EMSGSIZE;
	nest = ipnf_nest(w, NETFLOW_A_TOTALS);
	if (!nest || ipnf_put_cpu_counters(w, &sn->t) ||
	    ipnf_put(w, NETFLOW_S_METRIC_X100, ipnf_rates.metric_1m))
		return -EMSGSIZE;
	ipnf_nest_end(w, nest);
	if (ipnf_put_hash(w, sn) || ipnf_put_rates(w) ||
	    ipnf_put_export(w, sn) || ipnf_put_misc(w, sn) ||
	    ipnf_put_cpus(w) || ipnf_put_socks(w, sn))
		return -EMSGSIZE;
	return 0;
}

static int ipnf_genl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct ipnf_nlw w = {};
	struct ipnf_snap *sn;
	struct sk_buff *msg;
	void *hdr;
	int err = -ENOMEM;

	sn = ipnf_snap_take();
	if (!sn)
		return -ENOMEM;
	ipnf_genl_fill_stats(&w, sn);	/* counts: cannot fail */
	msg = genlmsg_new(w.size, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &ipnf_genl_family, 0,
				NETFLOW_CMD_GET_STATS);
	if (!hdr)
		goto err_msg;
	w.skb = msg;
	/* the same attributes as counted: -EMSGSIZE only if a CPU came since */
	err = ipnf_genl_fill_stats(&w, sn);
	if (err)
		goto err_msg;
	genlmsg_end(msg, hdr);
	kfree(sn);
	return genlmsg_reply(msg, info);

err_msg:
	nlmsg_free(msg);
out:
	kfree(sn);
	return err;
}

/* ---- parameters ---- */

static const struct ipnf_param *ipnf_genl_find_param(const char *name)
{
	unsigned int i;

	for (i = 0; i < ipnf_nparams; i++)
		if (!strcmp(ipnf_params[i].name, name))
			return &ipnf_params[i];
	return NULL;
}

static int ipnf_genl_put_param(struct sk_buff *skb, const struct ipnf_param *p,
			     char *buf)
{
	struct nlattr *nest;

	ipnf_param_get(p, buf, IPNF_GENL_VALLEN);
	nest = nla_nest_start(skb, NETFLOW_A_PARAM);
	if (!nest || nla_put_string(skb, NETFLOW_A_PARAM_NAME, p->name) ||
	    nla_put_string(skb, NETFLOW_A_PARAM_VALUE, buf))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int ipnf_genl_get_params(struct sk_buff *skb, struct genl_info *info)
{
	const struct ipnf_param *one = NULL;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;
	char *buf;
	int err = -ENOMEM;

	if (info->attrs[NETFLOW_A_PARAM_NAME]) {
		one = ipnf_genl_find_param(nla_data(info->attrs[NETFLOW_A_PARAM_NAME]));
		if (!one) {
			NL_SET_ERR_MSG(info->extack, "unknown parameter");
			return -ENOENT;
		}
	}
	buf = kzalloc(IPNF_GENL_VALLEN, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	/* every value fits: the strings are bounded by their buffers */
	msg = genlmsg_new(one ? 2 * IPNF_GENL_VALLEN :
			  ipnf_nparams * 128 + 4 * IPNF_GENL_VALLEN, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &ipnf_genl_family, 0,
				NETFLOW_CMD_PARAMS);
	if (!hdr)
		goto err_msg;
	err = 0;
	for (i = 0; i < ipnf_nparams && !err; i++)
		if (!one || one == &ipnf_params[i])
			err = ipnf_genl_put_param(msg, &ipnf_params[i], buf);
	if (err)
		goto err_msg;
	genlmsg_end(msg, hdr);
	kfree(buf);
	return genlmsg_reply(msg, info);

err_msg:
	nlmsg_free(msg);
out:
	kfree(buf);
	return err;
}

static int ipnf_genl_set_param(struct sk_buff *skb, struct genl_info *info)
{
	const struct ipnf_param *p;

	if (!info->attrs[NETFLOW_A_PARAM_NAME] ||
	    !info->attrs[NETFLOW_A_PARAM_VALUE]) {
		NL_SET_ERR_MSG(info->extack, "parameter name and value needed");
		return -EINVAL;
	}
	p = ipnf_genl_find_param(nla_data(info->attrs[NETFLOW_A_PARAM_NAME]));
	if (!p) {
		NL_SET_ERR_MSG(info->extack, "unknown parameter");
		return -ENOENT;
	}
	/* the same validation, message and errno as a sysctl write */
	return ipnf_param_set(p, nla_data(info->attrs[NETFLOW_A_PARAM_VALUE]));
}

/* From ipnf_param_set()'s notifier (params.h), ipnf_cfg_mutex held: multicast it. */
static int ipnf_genl_param_changed(struct notifier_block *nb, unsigned long ev,
				 void *data)
{
	const struct ipnf_param *p = data;
	struct sk_buff *msg;
	char *buf;
	void *hdr;

	lockdep_assert_held(&ipnf_cfg_mutex);
	if (!genl_has_listeners(&ipnf_genl_family, &init_net, 0))
		return NOTIFY_DONE;
	buf = kzalloc(IPNF_GENL_VALLEN, GFP_KERNEL);
	if (!buf)
		return NOTIFY_DONE;
	msg = genlmsg_new(2 * IPNF_GENL_VALLEN, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put(msg, 0, 0, &ipnf_genl_family, 0,
			  NETFLOW_CMD_PARAM_CHANGED);
	if (!hdr || ipnf_genl_put_param(msg, p, buf)) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&ipnf_genl_family, msg, 0, 0, GFP_KERNEL);
out:
	kfree(buf);
	return NOTIFY_DONE;
}

static struct notifier_block ipnf_genl_param_nb = {
	.notifier_call = ipnf_genl_param_changed,
};

/* ---- the flow dump: cb->args[0] bucket, cb->args[1] flows of it sent ---- */

/* Milliseconds since ts; 0 if the packet path stamped it after now. */
static u32 ipnf_genl_age_ms(u32 now, u32 ts)
{
	return (s32)(now - ts) > 0 ? jiffies_to_msecs(now - ts) : 0;
}

struct ipnf_genl_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u32 now;
	long skip;	/* flows of this bucket already sent */
	long done;	/* flows of this bucket sent so far, in all */
};

static int ipnf_genl_put_flow(struct sk_buff *skb, const struct ipnf_flow *f,
			    u32 now)
{
	const struct ipnf_flow_key *k = &f->key;
	int alen = k->family == IPNF_FAM_V4 ? 4 : 16;
	const void *src = k->family == IPNF_FAM_V4 ? (const void *)&k->a.v4.src :
				       (const void *)k->a.v6.src;
	const void *dst = k->family == IPNF_FAM_V4 ? (const void *)&k->a.v4.dst :
				       (const void *)k->a.v6.dst;
	struct nlattr *nest = nla_nest_start(skb, NETFLOW_A_FLOW);

	if (!nest ||
	    nla_put_u8(skb, NETFLOW_F_FAMILY, k->family) ||
	    nla_put_u8(skb, NETFLOW_F_PROTO, k->proto) ||
	    nla_put_u8(skb, NETFLOW_F_TOS, k->tos) ||
	    nla_put(skb, NETFLOW_F_SRC, alen, src) ||
	    nla_put(skb, NETFLOW_F_DST, alen, dst) ||
	    nla_put_u16(skb, NETFLOW_F_SPORT, k->sport) ||
	    nla_put_u16(skb, NETFLOW_F_DPORT, k->dport) ||
	    nla_put_u32(skb, NETFLOW_F_IIF, k->iif) ||
	    nla_put_u32(skb, NETFLOW_F_OIF, f->oif) ||
	    nla_put_u64_64bit(skb, NETFLOW_F_PACKETS,
			      (u32)atomic_read(&f->packets), NETFLOW_F_PAD) ||
	    nla_put_u64_64bit(skb, NETFLOW_F_BYTES,
			      (u64)atomic64_read(&f->bytes), NETFLOW_F_PAD) ||
	    nla_put_u8(skb, NETFLOW_F_TCP_FLAGS, atomic_read(&f->state) & 0xff) ||
	    nla_put_u32(skb, NETFLOW_F_AGE_MS, ipnf_genl_age_ms(now, f->ts_first)) ||
	    nla_put_u32(skb, NETFLOW_F_IDLE_MS,
			ipnf_genl_age_ms(now, READ_ONCE(f->ts_last)))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int ipnf_genl_dump_one(const struct ipnf_flow *f, void *arg)
{
	struct ipnf_genl_dump *d = arg;
	void *hdr;

	if (d->skip) {
		d->skip--;
		d->done++;
		return 0;
	}
	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &ipnf_genl_family, NLM_F_MULTI,
			  NETFLOW_CMD_FLOW);
	if (!hdr)
		return -EMSGSIZE;
	if (ipnf_genl_put_flow(d->skb, f, d->now)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	d->done++;
	return 0;
}

static int ipnf_genl_dump_flows(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ipnf_genl_dump d = { .skb = skb, .cb = cb, .now = (u32)jiffies };
	unsigned long b = cb->args[0];
	unsigned int size = ipnf_table_size();

	for (; b < size; b++) {
		d.skip = cb->args[1];
		d.done = 0;
		if (ipnf_table_walk(b, ipnf_genl_dump_one, &d)) {
			/* skb full: resume inside this bucket next time */
			cb->args[0] = b;
			cb->args[1] = d.done;
			return skb->len;
		}
		cb->args[1] = 0;
	}
	cb->args[0] = b;
	return skb->len;
}

/* ---- the family ---- */

static const struct genl_small_ops ipnf_genl_ops[] = {
	{
		.cmd = NETFLOW_CMD_GET_STATS,
		.doit = ipnf_genl_get_stats,
	},
	{
		.cmd = NETFLOW_CMD_GET_PARAMS,
		.doit = ipnf_genl_get_params,
	},
	{
		.cmd = NETFLOW_CMD_SET_PARAM,
		.doit = ipnf_genl_set_param,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = NETFLOW_CMD_GET_FLOWS,
		.dumpit = ipnf_genl_dump_flows,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group ipnf_genl_mcgrps[] = {
	{ .name = NETFLOW_GENL_MCGRP_CONFIG },
};

static struct genl_family ipnf_genl_family __ro_after_init = {
	.name = NETFLOW_GENL_NAME,
	.version = NETFLOW_GENL_VERSION,
	.maxattr = NETFLOW_A_MAX,
	.policy = ipnf_genl_policy,
	.netnsok = false,
	.module = THIS_MODULE,
	.small_ops = ipnf_genl_ops,
	.n_small_ops = ARRAY_SIZE(ipnf_genl_ops),
	IPNF_GENL_RESV_START_OP(NETFLOW_CMD_GET_STATS)	/* strict for every command */
	.mcgrps = ipnf_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ipnf_genl_mcgrps),
};

int ipnf_genl_init(void)
{
	int err = genl_register_family(&ipnf_genl_family);

	if (err)
		return err;
	mutex_lock(&ipnf_cfg_mutex);
	ipnf_param_notifier_register(&ipnf_genl_param_nb);
	mutex_unlock(&ipnf_cfg_mutex);
	return 0;
}

void ipnf_genl_exit(void)
{
	mutex_lock(&ipnf_cfg_mutex);
	ipnf_param_notifier_unregister(&ipnf_genl_param_nb);
	mutex_unlock(&ipnf_cfg_mutex);
	genl_unregister_family(&ipnf_genl_family);
}
