// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic netlink family "NETFLOW" (netflow_genl.h documents the protocol):
 * statistics from the same counters /proc prints, parameters through the
 * same nf_param_set() as sysctl, the flow table as a dump that resumes bucket
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

#define NF_GENL_VALLEN 1024	/* longest parameter value, as sysctl.c */

static struct genl_family nf_genl_family;

static const struct nla_policy nf_genl_policy[NETFLOW_A_MAX + 1] = {
	[NETFLOW_A_PARAM_NAME] = { .type = NLA_NUL_STRING, .len = 63 },
	[NETFLOW_A_PARAM_VALUE] = { .type = NLA_NUL_STRING,
				    .len = NF_GENL_VALLEN - 1 },
};

/*
 * The statistics reply is written twice by the same code: first with no skb,
 * only adding up the exact size each attribute will take (prepare → exact
 * size → fill, as ethtool's netlink does), then into an skb of that size.
 */
struct nf_nlw {
	struct sk_buff *skb;	/* NULL: count only */
	int size;
};

static int nf_put(struct nf_nlw *w, int id, u64 v)
{
	if (!w->skb) {
		w->size += nla_total_size_64bit(sizeof(u64));
		return 0;
	}
	return nla_put_u64_64bit(w->skb, id, v, NETFLOW_S_PAD);
}

static int nf_put_u32(struct nf_nlw *w, int id, u32 v)
{
	if (!w->skb) {
		w->size += nla_total_size(sizeof(u32));
		return 0;
	}
	return nla_put_u32(w->skb, id, v);
}

static int nf_put_str(struct nf_nlw *w, int id, const char *str)
{
	if (!w->skb) {
		w->size += nla_total_size(strlen(str) + 1);
		return 0;
	}
	return nla_put_string(w->skb, id, str);
}

/* A nest: a dummy non-NULL mark while counting. */
static struct nlattr *nf_nest(struct nf_nlw *w, int id)
{
	if (!w->skb) {
		w->size += nla_total_size(0);
		return (struct nlattr *)w;
	}
	return nla_nest_start(w->skb, id);
}

static void nf_nest_end(struct nf_nlw *w, struct nlattr *nest)
{
	if (w->skb)
		nla_nest_end(w->skb, nest);
}

/* ---- statistics ---- */


static int nf_put_cpu_counters(struct nf_nlw *w, const struct nf_cpu_stats *s)
{
	if (nf_put(w, NETFLOW_S_PKTS, s->pkts) ||
	    nf_put(w, NETFLOW_S_BYTES, s->bytes) ||
	    nf_put(w, NETFLOW_S_SEARCHED, s->searched) ||
	    nf_put(w, NETFLOW_S_FOUND, s->found) ||
	    nf_put(w, NETFLOW_S_NEW_FLOWS, s->new_flows) ||
	    nf_put(w, NETFLOW_S_TRUNC, s->trunc) ||
	    nf_put(w, NETFLOW_S_FRAG, s->frag) ||
	    nf_put(w, NETFLOW_S_ALLOC_ERR, s->alloc_err) ||
	    nf_put(w, NETFLOW_S_MAXFLOWS_ERR, s->maxflows_err) ||
	    nf_put(w, NETFLOW_S_DROP_PKTS, s->drop_pkts) ||
	    nf_put(w, NETFLOW_S_DROP_BYTES, s->drop_bytes) ||
	    nf_put(w, NETFLOW_S_SAMPLED_OUT, s->sampled_out) ||
	    nf_put(w, NETFLOW_S_PPS, s->pps))
		return -EMSGSIZE;
	return 0;
}

static int nf_put_cpus(struct nf_nlw *w)
{
	struct nlattr *nest;
	int cpu;

	for_each_present_cpu(cpu) {
		const struct nf_cpu_stats *p = per_cpu_ptr(&nf_stats, cpu);
		struct nf_cpu_stats s;

		s = *p;		/* racy like /proc: each field is one load */
		nest = nf_nest(w, NETFLOW_A_CPU);
		if (!nest || nf_put(w, NETFLOW_S_CPU, cpu) ||
		    nf_put_cpu_counters(w, &s) ||
		    nf_put(w, NETFLOW_S_METRIC_X100,
			   s.metric_x100 ? s.metric_x100 : 100))
			return -EMSGSIZE;
		nf_nest_end(w, nest);
	}
	return 0;
}

static int nf_put_hash(struct nf_nlw *w, const struct nf_snap *sn)
{
	struct nlattr *nest = nf_nest(w, NETFLOW_A_HASH);

	if (!nest ||
	    nf_put(w, NETFLOW_S_HASH_SIZE, nf_table_size()) ||
	    nf_put(w, NETFLOW_S_HASH_MEM, nf_table_mem()) ||
	    nf_put(w, NETFLOW_S_FLOWS_ACTIVE, atomic_read(&nf_flows_active)) ||
	    nf_put(w, NETFLOW_S_FLOWS_V6, atomic_read(&nf_flows_v6)) ||
	    nf_put(w, NETFLOW_S_FLOWS_MEM, nf_flows_mem()) ||
	    nf_put(w, NETFLOW_S_FLOWS_PEAK, READ_ONCE(nf_worker.peak_flows)) ||
	    nf_put(w, NETFLOW_S_HASH_PKTS,
		   sn->t.pkts - atomic64_read(&nf_removed_pkts)) ||
	    nf_put(w, NETFLOW_S_HASH_BYTES,
		   sn->t.bytes - atomic64_read(&nf_removed_bytes)) ||
	    nf_put(w, NETFLOW_S_MAXFLOWS, READ_ONCE(nf_cfg.maxflows)))
		return -EMSGSIZE;
	nf_nest_end(w, nest);
	return 0;
}

static int nf_put_rates(struct nf_nlw *w)
{
	struct nlattr *nest = nf_nest(w, NETFLOW_A_RATES);
	const struct nf_rates *r = &nf_rates;

	if (!nest ||
	    nf_put(w, NETFLOW_S_RATE_BPS, r->bps) ||
	    nf_put(w, NETFLOW_S_RATE_PPS, r->pps) ||
	    nf_put(w, NETFLOW_S_RATE_BPS_1M, r->bps_1m) ||
	    nf_put(w, NETFLOW_S_RATE_PPS_1M, r->pps_1m) ||
	    nf_put(w, NETFLOW_S_RATE_BPS_5M, r->bps_5m) ||
	    nf_put(w, NETFLOW_S_RATE_PPS_5M, r->pps_5m) ||
	    nf_put(w, NETFLOW_S_RATE_METRIC_X100, r->metric_x100) ||
	    nf_put(w, NETFLOW_S_RATE_METRIC_1M, r->metric_1m) ||
	    nf_put(w, NETFLOW_S_RATE_METRIC_5M, r->metric_5m) ||
	    nf_put(w, NETFLOW_S_RATE_METRIC_15M, r->metric_15m) ||
	    nf_put(w, NETFLOW_S_RATE_EXPORT_BPS, r->export_Bps))
		return -EMSGSIZE;
	nf_nest_end(w, nest);
	return 0;
}

static int nf_put_export(struct nf_nlw *w, const struct nf_snap *sn)
{
	struct nlattr *nest = nf_nest(w, NETFLOW_A_EXPORT);
	const struct nf_export_stats *x = &sn->x;

	if (!nest ||
	    nf_put(w, NETFLOW_S_EXP_PROTOCOL, READ_ONCE(nf_cfg.protocol)) ||
	    nf_put(w, NETFLOW_S_EXP_PDUS, x->pdus) ||
	    nf_put(w, NETFLOW_S_EXP_BYTES, x->bytes) ||
	    nf_put(w, NETFLOW_S_EXP_FLOWS, x->flows) ||
	    nf_put(w, NETFLOW_S_EXP_ERR_PDUS, x->err_pdus) ||
	    nf_put(w, NETFLOW_S_EXP_LOST_PKTS, x->lost_pkts) ||
	    nf_put(w, NETFLOW_S_EXP_LOST_BYTES, x->lost_bytes) ||
	    nf_put(w, NETFLOW_S_EXP_LOST_FLOWS, x->lost_flows) ||
	    nf_put(w, NETFLOW_S_EXP_V6_UNEXPORTABLE, x->v6_unexportable) ||
	    nf_put(w, NETFLOW_S_EXP_PDU_PKTS, x->pdu_pkts) ||
	    nf_put(w, NETFLOW_S_EXP_PDU_BYTES, x->pdu_bytes) ||
	    nf_put(w, NETFLOW_S_EXP_TEMPLATES, sn->ntmpl) ||
	    nf_put(w, NETFLOW_S_EXP_TEMPLATES_ACTIVE, sn->nactive))
		return -EMSGSIZE;
	nf_nest_end(w, nest);
	return 0;
}

static int nf_put_misc(struct nf_nlw *w, const struct nf_snap *sn)
{
	struct nlattr *nest;

	nest = nf_nest(w, NETFLOW_A_SAMPLER);
	if (!nest ||
	    nf_put(w, NETFLOW_S_SAMPLER_KIND, READ_ONCE(nf_cfg.sampler_kind)) ||
	    nf_put(w, NETFLOW_S_SAMPLER_INTERVAL,
		   READ_ONCE(nf_cfg.sampler_interval)) ||
	    nf_put(w, NETFLOW_S_SAMPLER_SEEN, sn->x.sampler_seen) ||
	    nf_put(w, NETFLOW_S_SAMPLER_SELECTED, sn->x.sampler_selected) ||
	    nf_put(w, NETFLOW_S_SAMPLED_OUT, sn->t.sampled_out))
		return -EMSGSIZE;
	nf_nest_end(w, nest);

	nest = nf_nest(w, NETFLOW_A_WORKER);
	if (!nest ||
	    nf_put(w, NETFLOW_S_WORKER_DELAY, READ_ONCE(nf_worker.delay)) ||
	    nf_put(w, NETFLOW_S_WORKER_HZ, HZ) ||
	    nf_put(w, NETFLOW_S_WORKER_LAST_RUN_US,
		   READ_ONCE(nf_worker.last_run_us)) ||
	    nf_put(w, NETFLOW_S_WORKER_SCANNED,
		   READ_ONCE(nf_worker.last_scanned)) ||
	    nf_put(w, NETFLOW_S_WORKER_EXPORTED,
		   READ_ONCE(nf_worker.last_exported)))
		return -EMSGSIZE;
	nf_nest_end(w, nest);

	/* the counters of the Natevents line of /proc (0 when not built) */
	nest = nf_nest(w, NETFLOW_A_NAT);
	if (!nest ||
	    nf_put(w, NETFLOW_S_NAT_ENABLED, READ_ONCE(nf_cfg.natevents)) ||
#ifdef ENABLE_NAT
	    nf_put(w, NETFLOW_S_NAT_START, atomic64_read(&nf_nat_stats.starts)) ||
	    nf_put(w, NETFLOW_S_NAT_STOP, atomic64_read(&nf_nat_stats.stops)))
#else
	    nf_put(w, NETFLOW_S_NAT_START, 0) ||
	    nf_put(w, NETFLOW_S_NAT_STOP, 0))
#endif
		return -EMSGSIZE;
	nf_nest_end(w, nest);

	nest = nf_nest(w, NETFLOW_A_AGGR);
	if (!nest || nf_put(w, NETFLOW_S_AGGR_RULES, nf_rules_aggr_count()))
		return -EMSGSIZE;
	nf_nest_end(w, nest);

	nest = nf_nest(w, NETFLOW_A_HOOKS);
	if (!nest ||
	    nf_put(w, NETFLOW_S_HOOKS_POINTS, sn->hooks.points) ||
	    nf_put(w, NETFLOW_S_HOOKS_SEEN, sn->hooks.seen) ||
	    nf_put(w, NETFLOW_S_HOOKS_MARK_SKIPPED, sn->hooks.mark_skipped) ||
	    nf_put(w, NETFLOW_S_HOOKS_RULE_LEFT, sn->hooks.rule_left))
		return -EMSGSIZE;
	nf_nest_end(w, nest);

	nest = nf_nest(w, NETFLOW_A_FLOWTABLE);
	if (!nest ||
	    nf_put(w, NETFLOW_S_FT_DEVICES, sn->ft.devices) ||
	    nf_put(w, NETFLOW_S_FT_REFUSED, sn->ft.errors) ||
	    nf_put(w, NETFLOW_S_FT_PKTS, sn->ft.pkts) ||
	    nf_put(w, NETFLOW_S_FT_BYTES, sn->ft.bytes) ||
	    nf_put(w, NETFLOW_S_FT_LEFT, sn->ft.left))
		return -EMSGSIZE;
	nf_nest_end(w, nest);

	nest = nf_nest(w, NETFLOW_A_NATFLOWS);
	if (!nest ||
	    nf_put(w, NETFLOW_S_NFL_ENABLED, READ_ONCE(nf_cfg.natflows)) ||
	    nf_put(w, NETFLOW_S_NFL_VIEWS, sn->nfl.bindings) ||
	    nf_put(w, NETFLOW_S_NFL_PEAK, sn->nfl.peak) ||
	    nf_put(w, NETFLOW_S_NFL_NOT_KEPT, sn->nfl.full) ||
	    nf_put(w, NETFLOW_S_NFL_TRANSLATED, sn->nfl.translated) ||
	    nf_put(w, NETFLOW_S_NFL_PLAIN, sn->nfl.plain))
		return -EMSGSIZE;
	nf_nest_end(w, nest);
	return 0;
}

static int nf_put_socks(struct nf_nlw *w, const struct nf_snap *sn)
{
	int i;

	for (i = 0; i < sn->nsocks; i++) {
		const struct nf_sock_stats *s = &sn->socks[i];
		struct nlattr *nest = nf_nest(w, NETFLOW_A_SOCK);

		if (!nest ||
		    nf_put(w, NETFLOW_S_SOCK_INDEX, i) ||
		    nf_put_str(w, NETFLOW_A_SOCK_NAME, s->name) ||
		    nf_put(w, NETFLOW_S_SOCK_CONNECTED, s->connected) ||
		    nf_put(w, NETFLOW_S_SOCK_CONNECT_ATTEMPTS,
			   s->connect_attempts) ||
		    nf_put(w, NETFLOW_S_SOCK_SNDBUF, s->sndbuf) ||
		    nf_put(w, NETFLOW_S_SOCK_FILLED, s->filled) ||
		    nf_put(w, NETFLOW_S_SOCK_PEAK, s->peak) ||
		    nf_put(w, NETFLOW_S_SOCK_ERR_SNDBUF, s->err_sndbuf) ||
		    nf_put(w, NETFLOW_S_SOCK_ERR_CONNECT, s->err_connect) ||
		    nf_put(w, NETFLOW_S_SOCK_ERR_CBERR, s->err_cberr) ||
		    nf_put(w, NETFLOW_S_SOCK_ERR_OTHER, s->err_other) ||
		    nf_put(w, NETFLOW_S_SOCK_PKTS, s->pkts) ||
		    nf_put(w, NETFLOW_S_SOCK_BYTES, s->bytes) ||
		    nf_put(w, NETFLOW_S_SOCK_RESENT, s->resent) ||
		    nf_put(w, NETFLOW_S_SOCK_DOWN, s->down))
			return -EMSGSIZE;
		nf_nest_end(w, nest);
	}
	return 0;
}

static int nf_genl_fill_stats(struct nf_nlw *w, const struct nf_snap *sn)
{
	struct nlattr *nest;

	if (nf_put_u32(w, NETFLOW_A_API_VERSION, NETFLOW_GENL_VERSION) ||
	    nf_put_str(w, NETFLOW_A_MOD_VERSION, NF_VERSION))
		return -EMSGSIZE;
	nest = nf_nest(w, NETFLOW_A_TOTALS);
	if (!nest || nf_put_cpu_counters(w, &sn->t) ||
	    nf_put(w, NETFLOW_S_METRIC_X100, nf_rates.metric_1m))
		return -EMSGSIZE;
	nf_nest_end(w, nest);
	if (nf_put_hash(w, sn) || nf_put_rates(w) ||
	    nf_put_export(w, sn) || nf_put_misc(w, sn) ||
	    nf_put_cpus(w) || nf_put_socks(w, sn))
		return -EMSGSIZE;
	return 0;
}

static int nf_genl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct nf_nlw w = {};
	struct nf_snap *sn;
	struct sk_buff *msg;
	void *hdr;
	int err = -ENOMEM;

	sn = nf_snap_take();
	if (!sn)
		return -ENOMEM;
	nf_genl_fill_stats(&w, sn);	/* counts: cannot fail */
	msg = genlmsg_new(w.size, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &nf_genl_family, 0,
				NETFLOW_CMD_GET_STATS);
	if (!hdr)
		goto err_msg;
	w.skb = msg;
	/* the same attributes as counted: -EMSGSIZE only if a CPU came since */
	err = nf_genl_fill_stats(&w, sn);
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

static const struct nf_param *nf_genl_find_param(const char *name)
{
	unsigned int i;

	for (i = 0; i < nf_nparams; i++)
		if (!strcmp(nf_params[i].name, name))
			return &nf_params[i];
	return NULL;
}

static int nf_genl_put_param(struct sk_buff *skb, const struct nf_param *p,
			     char *buf)
{
	struct nlattr *nest;

	nf_param_get(p, buf, NF_GENL_VALLEN);
	nest = nla_nest_start(skb, NETFLOW_A_PARAM);
	if (!nest || nla_put_string(skb, NETFLOW_A_PARAM_NAME, p->name) ||
	    nla_put_string(skb, NETFLOW_A_PARAM_VALUE, buf))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int nf_genl_get_params(struct sk_buff *skb, struct genl_info *info)
{
	const struct nf_param *one = NULL;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;
	char *buf;
	int err = -ENOMEM;

	if (info->attrs[NETFLOW_A_PARAM_NAME]) {
		one = nf_genl_find_param(nla_data(info->attrs[NETFLOW_A_PARAM_NAME]));
		if (!one) {
			NL_SET_ERR_MSG(info->extack, "unknown parameter");
			return -ENOENT;
		}
	}
	buf = kzalloc(NF_GENL_VALLEN, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	/* every value fits: the strings are bounded by their buffers */
	msg = genlmsg_new(one ? 2 * NF_GENL_VALLEN :
			  nf_nparams * 128 + 4 * NF_GENL_VALLEN, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &nf_genl_family, 0,
				NETFLOW_CMD_PARAMS);
	if (!hdr)
		goto err_msg;
	err = 0;
	for (i = 0; i < nf_nparams && !err; i++)
		if (!one || one == &nf_params[i])
			err = nf_genl_put_param(msg, &nf_params[i], buf);
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

static int nf_genl_set_param(struct sk_buff *skb, struct genl_info *info)
{
	const struct nf_param *p;

	if (!info->attrs[NETFLOW_A_PARAM_NAME] ||
	    !info->attrs[NETFLOW_A_PARAM_VALUE]) {
		NL_SET_ERR_MSG(info->extack, "parameter name and value needed");
		return -EINVAL;
	}
	p = nf_genl_find_param(nla_data(info->attrs[NETFLOW_A_PARAM_NAME]));
	if (!p) {
		NL_SET_ERR_MSG(info->extack, "unknown parameter");
		return -ENOENT;
	}
	/* the same validation, message and errno as a sysctl write */
	return nf_param_set(p, nla_data(info->attrs[NETFLOW_A_PARAM_VALUE]));
}

/* From nf_param_set()'s notifier (params.h), nf_cfg_mutex held: multicast it. */
static int nf_genl_param_changed(struct notifier_block *nb, unsigned long ev,
				 void *data)
{
	const struct nf_param *p = data;
	struct sk_buff *msg;
	char *buf;
	void *hdr;

	lockdep_assert_held(&nf_cfg_mutex);
	if (!genl_has_listeners(&nf_genl_family, &init_net, 0))
		return NOTIFY_DONE;
	buf = kzalloc(NF_GENL_VALLEN, GFP_KERNEL);
	if (!buf)
		return NOTIFY_DONE;
	msg = genlmsg_new(2 * NF_GENL_VALLEN, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put(msg, 0, 0, &nf_genl_family, 0,
			  NETFLOW_CMD_PARAM_CHANGED);
	if (!hdr || nf_genl_put_param(msg, p, buf)) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&nf_genl_family, msg, 0, 0, GFP_KERNEL);
out:
	kfree(buf);
	return NOTIFY_DONE;
}

static struct notifier_block nf_genl_param_nb = {
	.notifier_call = nf_genl_param_changed,
};

/* ---- the flow dump: cb->args[0] bucket, cb->args[1] flows of it sent ---- */

/* Milliseconds since ts; 0 if the packet path stamped it after now. */
static u32 nf_genl_age_ms(u32 now, u32 ts)
{
	return (s32)(now - ts) > 0 ? jiffies_to_msecs(now - ts) : 0;
}

struct nf_genl_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u32 now;
	long skip;	/* flows of this bucket already sent */
	long done;	/* flows of this bucket sent so far, in all */
};

static int nf_genl_put_flow(struct sk_buff *skb, const struct nf_flow *f,
			    u32 now)
{
	const struct nf_flow_key *k = &f->key;
	int alen = k->family == NF_FAM_V4 ? 4 : 16;
	const void *src = k->family == NF_FAM_V4 ? (const void *)&k->a.v4.src :
				       (const void *)k->a.v6.src;
	const void *dst = k->family == NF_FAM_V4 ? (const void *)&k->a.v4.dst :
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
	    nla_put_u32(skb, NETFLOW_F_AGE_MS, nf_genl_age_ms(now, f->ts_first)) ||
	    nla_put_u32(skb, NETFLOW_F_IDLE_MS,
			nf_genl_age_ms(now, READ_ONCE(f->ts_last)))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int nf_genl_dump_one(const struct nf_flow *f, void *arg)
{
	struct nf_genl_dump *d = arg;
	void *hdr;

	if (d->skip) {
		d->skip--;
		d->done++;
		return 0;
	}
	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &nf_genl_family, NLM_F_MULTI,
			  NETFLOW_CMD_FLOW);
	if (!hdr)
		return -EMSGSIZE;
	if (nf_genl_put_flow(d->skb, f, d->now)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	d->done++;
	return 0;
}

static int nf_genl_dump_flows(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nf_genl_dump d = { .skb = skb, .cb = cb, .now = (u32)jiffies };
	unsigned long b = cb->args[0];
	unsigned int size = nf_table_size();

	for (; b < size; b++) {
		d.skip = cb->args[1];
		d.done = 0;
		if (nf_table_walk(b, nf_genl_dump_one, &d)) {
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

static const struct genl_small_ops nf_genl_ops[] = {
	{
		.cmd = NETFLOW_CMD_GET_STATS,
		.doit = nf_genl_get_stats,
	},
	{
		.cmd = NETFLOW_CMD_GET_PARAMS,
		.doit = nf_genl_get_params,
	},
	{
		.cmd = NETFLOW_CMD_SET_PARAM,
		.doit = nf_genl_set_param,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = NETFLOW_CMD_GET_FLOWS,
		.dumpit = nf_genl_dump_flows,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group nf_genl_mcgrps[] = {
	{ .name = NETFLOW_GENL_MCGRP_CONFIG },
};

static struct genl_family nf_genl_family __ro_after_init = {
	.name = NETFLOW_GENL_NAME,
	.version = NETFLOW_GENL_VERSION,
	.maxattr = NETFLOW_A_MAX,
	.policy = nf_genl_policy,
	.netnsok = false,
	.module = THIS_MODULE,
	.small_ops = nf_genl_ops,
	.n_small_ops = ARRAY_SIZE(nf_genl_ops),
	NF_GENL_RESV_START_OP(NETFLOW_CMD_GET_STATS)	/* strict for every command */
	.mcgrps = nf_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(nf_genl_mcgrps),
};

int nf_genl_init(void)
{
	int err = genl_register_family(&nf_genl_family);

	if (err)
		return err;
	mutex_lock(&nf_cfg_mutex);
	nf_param_notifier_register(&nf_genl_param_nb);
	mutex_unlock(&nf_cfg_mutex);
	return 0;
}

void nf_genl_exit(void)
{
	mutex_lock(&nf_cfg_mutex);
	nf_param_notifier_unregister(&nf_genl_param_nb);
	mutex_unlock(&nf_cfg_mutex);
	genl_unregister_family(&nf_genl_family);
}
