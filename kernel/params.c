// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parameters: one table drives modprobe options, /sys/module/.../parameters
 * and sysctl net.netflow.*, so every path validates the same way.  A bad
 * value is refused with -EINVAL and one kernel message saying why; at load
 * time that fails the load.  Once running, accepted values apply at once.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/cpumask.h>
#include <linux/capability.h>
#include <linux/notifier.h>
#include "cfg.h"
#include "locks.h"
#include "params.h"
#include "flowtable.h"
#include "expiry.h"
#include "export.h"
#include "sock.h"
#include "ruleset.h"
#include "natevents.h"
#include "promisc.h"
#include "natflows.h"
#include "hooks.h"
#include "offload.h"

static char nf_dest_mode_str[16] = "mirror";
static char nf_aggregation[1024];
static char nf_snmp_rules_str[512];
static int nf_flush_dummy;

/* ---- per-parameter checks and actions ---- */

static int nf_bad(const struct nf_param *p, const char *why)
{
	pr_err("%s: %s\n", p->name, why);
	return -EINVAL;
}

static int nf_check_protocol(const struct nf_param *p, int v)
{
	if (v != 5 && v != 9 && v != 10)
		return nf_bad(p, "must be 5, 9 or 10");
	return 0;
}

static int nf_apply_protocol(int v)
{
	struct nf_export_change c = { .what = NF_XCH_PROTOCOL, .protocol = v };

	return nf_export_change(&c);
}

static int nf_apply_hashsize(int v)
{
	int err;

	mutex_lock(&nf_export_mutex);
	err = nf_table_resize(v);
	mutex_unlock(&nf_export_mutex);
	if (err)
		pr_err("hashsize: cannot allocate %d buckets\n", v);
	return err;
}

static int nf_apply_sndbuf(int v)
{
	struct nf_export_change c = { .what = NF_XCH_SNDBUF, .sndbuf = v };

	return nf_export_change(&c);
}

static int nf_check_sndbuf(const struct nf_param *p, int v)
{
	return v && v < 1024 ? nf_bad(p, "must be 0 (system default) or >= 1024") : 0;
}

static int nf_check_exportcpu(const struct nf_param *p, int v)
{
	if (v >= 0 && (v >= nr_cpu_ids || !cpu_online(v)))
		return nf_bad(p, "no such online CPU (-1 = any)");
	return 0;
}

static int nf_apply_resched(int v)
{
	nf_expiry_reschedule();
	return 0;
}

static int nf_check_feature_off(const struct nf_param *p, int v)
{
	return v ? nf_bad(p, "this feature is not built into this module yet; only 0 is accepted") : 0;
}

static int nf_apply_flush(int v)
{
	if (v)
		nf_expiry_flush();
	return 0;
}

/* ---- string parameters ---- */

/* Parsed here, once: the exporter and the sockets take the parsed list. */
static int nf_set_destination(const struct nf_param *p, const char *val)
{
	struct nf_dest *d = kcalloc(NF_MAX_DESTS, sizeof(*d), GFP_KERNEL);
	struct nf_export_change c = { .what = NF_XCH_DESTINATION, .dests = d };
	const char *err;
	int ret = 0;

	if (!d)
		return -ENOMEM;
	if (strlen(val) >= sizeof(nf_cfg.destination))
		ret = nf_bad(p, "too long");
	else if ((c.ndests = nf_parse_destinations(val, d, NF_MAX_DESTS, &err)) < 0)
		ret = nf_bad(p, err);
	if (!ret && nf_running)
		ret = nf_export_change(&c);
	if (!ret) {
		memcpy(nf_cfg.dests, d, c.ndests * sizeof(*d));
		nf_cfg.ndests = c.ndests;
		strscpy(nf_cfg.destination, val, sizeof(nf_cfg.destination));
		strim(nf_cfg.destination);
	}
	kfree(d);
	return ret;
}

static int nf_set_sampler(const struct nf_param *p, const char *val)
{
	unsigned int interval;
	const char *err;
	int kind;

	if (strlen(val) >= sizeof(nf_cfg.sampler))
		return nf_bad(p, "too long");
	if (nf_parse_sampler(val, &kind, &interval, &err))
		return nf_bad(p, err);
	if (nf_running) {
		struct nf_export_change c = {
			.what = NF_XCH_SAMPLER,
			.sampler_kind = kind,
			.sampler_interval = interval,
		};

		nf_export_change(&c);
	} else {
		WRITE_ONCE(nf_cfg.sampler_interval, interval);
		WRITE_ONCE(nf_cfg.sampler_kind, kind);
	}
	strscpy(nf_cfg.sampler, kind ? val : "", sizeof(nf_cfg.sampler));
	strim(nf_cfg.sampler);
	return 0;
}

static int nf_set_dest_mode(const struct nf_param *p, const char *val)
{
	const char *err;
	int mode;

	if (nf_parse_dest_mode(val, &mode, &err))
		return nf_bad(p, err);
	WRITE_ONCE(nf_cfg.dest_mode, mode);
	strscpy(nf_dest_mode_str, mode == NF_DEST_BALANCE ? "balance" : "mirror",
		sizeof(nf_dest_mode_str));
	return 0;
}

static int nf_set_hooks(const struct nf_param *p, const char *val)
{
	struct nf_hook_set set;
	const char *err;
	int ret;

	if (strlen(val) >= sizeof(nf_cfg.hooks))
		return nf_bad(p, "too long");
	if (nf_parse_hooks(val, &set, &err))
		return nf_bad(p, err);
	if (nf_running) {
		ret = nf_hooks_set(&set);
		if (ret)
			return ret;
	}
	strscpy(nf_cfg.hooks, val, sizeof(nf_cfg.hooks));
	strim(nf_cfg.hooks);
	return 0;
}

static int nf_set_hook_mark(const struct nf_param *p, const char *val)
{
	const char *err;
	u32 value, mask;

	if (strlen(val) >= sizeof(nf_cfg.hook_mark))
		return nf_bad(p, "too long");
	if (nf_parse_mark(val, &value, &mask, &err))
		return nf_bad(p, err);
	nf_hooks_set_mark(value, mask);	/* before init too: the hooks read it */
	strscpy(nf_cfg.hook_mark, val, sizeof(nf_cfg.hook_mark));
	strim(nf_cfg.hook_mark);
	return 0;
}

/* A rule set parameter: parsed, installed, read back in canonical form. */
static int __maybe_unused nf_set_ruleset(const struct nf_param *p, const char *val,
					 int (*set)(const char *val, char *canon,
						    int len, const char **err))
{
	const char *err = "";
	int ret;

	if (strlen(val) >= (size_t)p->slen)
		return nf_bad(p, "too long");
	ret = set(val, p->sval, p->slen, &err);
	return ret == -EINVAL ? nf_bad(p, err) : ret;
}

#ifdef ENABLE_AGGR
static int nf_set_aggregation(const struct nf_param *p, const char *val)
{
	return nf_set_ruleset(p, val, nf_rules_set_aggr);
}
#else
#define nf_set_aggregation nf_set_unbuilt_rules
#endif

#ifdef ENABLE_SNMP
static int nf_set_snmp_rules(const struct nf_param *p, const char *val)
{
	return nf_set_ruleset(p, val, nf_rules_set_snmp);
}
#else
#define nf_set_snmp_rules nf_set_unbuilt_rules
#endif

static int __maybe_unused nf_set_unbuilt_rules(const struct nf_param *p,
					       const char *val)
{
	/* the whole value: a copy cut at 7 bytes let "        x" pass as empty */
	if (*skip_spaces(val))
		return nf_bad(p, "not compiled into this module (see ./configure --help); only an empty value is accepted");
	return 0;
}

/* ---- integer parameters ---- */

struct nf_int_ops {
	int (*check)(const struct nf_param *p, int v);
	int (*apply)(int v);	/* once running; stores nothing itself */
};

static const struct nf_int_ops nf_ops_protocol = { nf_check_protocol, nf_apply_protocol };
static const struct nf_int_ops nf_ops_hashsize = { NULL, nf_apply_hashsize };
static const struct nf_int_ops nf_ops_sndbuf = { nf_check_sndbuf, nf_apply_sndbuf };
static const struct nf_int_ops nf_ops_exportcpu = { nf_check_exportcpu, nf_apply_resched };
static const struct nf_int_ops nf_ops_scan = { NULL, nf_apply_resched };
static const struct nf_int_ops __maybe_unused nf_ops_off = { nf_check_feature_off, NULL };
#ifdef ENABLE_PROMISC
static int nf_apply_promisc(int v)
{
	nf_promisc_set(v);
	return 0;
}
static const struct nf_int_ops nf_ops_promisc = { NULL, nf_apply_promisc };
#else
#define nf_ops_promisc nf_ops_off
#endif
#ifdef ENABLE_NAT
static int nf_apply_natevents(int v)
{
	nf_natevents_set(v);
	return 0;
}
static const struct nf_int_ops nf_ops_natevents = { NULL, nf_apply_natevents };
#else
#define nf_ops_natevents nf_ops_off
#endif
#ifdef NF_OFFLOAD_BUILT
static int nf_apply_flowtable(int v)
{
	return nf_offload_set(v);
}
static const struct nf_int_ops nf_ops_flowtable = { NULL, nf_apply_flowtable };
#else
#define nf_ops_flowtable nf_ops_off
#endif
#ifdef NF_NATFLOWS_BUILT
static int nf_apply_natflows(int v)
{
	return nf_natflows_set(v);
}
static const struct nf_int_ops nf_ops_natflows = { NULL, nf_apply_natflows };
#else
#define nf_ops_natflows nf_ops_off
#endif
static const struct nf_int_ops nf_ops_flush = { NULL, nf_apply_flush };

static int nf_set_int(const struct nf_param *p, const char *val)
{
	const struct nf_int_ops *ops = p->ops;
	char range[64];
	int v, err;

	if (kstrtoint(skip_spaces(val), 0, &v) || v < p->min || v > p->max) {
		snprintf(range, sizeof(range), "must be an integer %d..%d",
			 p->min, p->max);
		return nf_bad(p, range);
	}
	if (ops && ops->check) {
		err = ops->check(p, v);
		if (err)
			return err;
	}
	if (nf_running && ops && ops->apply) {
		/* flush is an action, not a setting: apply before storing 0 */
		err = ops->apply(v);
		if (err)
			return err;
	}
	if (p->ival != &nf_flush_dummy)
		WRITE_ONCE(*p->ival, v);
	return 0;
}

#define NF_INT(n, field, lo, hi, o) \
	{ .name = n, .ival = &nf_cfg.field, .min = lo, .max = hi, .ops = o, .set = nf_set_int }
#define NF_STR(n, buf, fn) \
	{ .name = n, .sval = buf, .slen = sizeof(buf), .set = fn }

enum {
	NF_P_PROTOCOL, NF_P_DESTINATION, NF_P_DEST_MODE, NF_P_SAMPLER,
	NF_P_NATEVENTS, NF_P_INACTIVE, NF_P_ACTIVE, NF_P_REFRESH, NF_P_TIMEOUT,
	NF_P_DEBUG, NF_P_SNDBUF, NF_P_HASHSIZE, NF_P_MAXFLOWS, NF_P_AGGR,
	NF_P_SNMP_RULES, NF_P_SCAN_MIN, NF_P_PROMISC, NF_P_EXPORTCPU,
	NF_P_ENGINE_ID, NF_P_FLUSH, NF_P_HOOKS, NF_P_HOOK_MARK, NF_P_FLOWTABLE, NF_P_NATFLOWS, NF_P_COUNT
};

const struct nf_param nf_params[NF_P_COUNT] = {
	[NF_P_PROTOCOL] = NF_INT("protocol", protocol, 5, 10, &nf_ops_protocol),
	[NF_P_DESTINATION] = NF_STR("destination", nf_cfg.destination, nf_set_destination),
	[NF_P_DEST_MODE] = NF_STR("destination_mode", nf_dest_mode_str, nf_set_dest_mode),
	[NF_P_SAMPLER] = NF_STR("sampler", nf_cfg.sampler, nf_set_sampler),
	[NF_P_NATEVENTS] = NF_INT("natevents", natevents, 0, 1, &nf_ops_natevents),
	[NF_P_INACTIVE] = NF_INT("inactive_timeout", inactive_timeout, 1, 2147483, NULL),
	[NF_P_ACTIVE] = NF_INT("active_timeout", active_timeout, 1, 2147483, NULL),
	[NF_P_REFRESH] = NF_INT("refresh-rate", refresh_rate, 1, 65535, NULL),
	[NF_P_TIMEOUT] = NF_INT("timeout-rate", timeout_rate, 1, 65535, NULL),
	[NF_P_DEBUG] = NF_INT("debug", debug, 0, 3, NULL),
	[NF_P_SNDBUF] = NF_INT("sndbuf", sndbuf, 0, INT_MAX / 2, &nf_ops_sndbuf),
	[NF_P_HASHSIZE] = NF_INT("hashsize", hashsize, 1, 1 << 25, &nf_ops_hashsize),
	[NF_P_MAXFLOWS] = NF_INT("maxflows", maxflows, 0, INT_MAX, NULL),
	[NF_P_AGGR] = NF_STR("aggregation", nf_aggregation, nf_set_aggregation),
	[NF_P_SNMP_RULES] = NF_STR("snmp-rules", nf_snmp_rules_str, nf_set_snmp_rules),
	[NF_P_SCAN_MIN] = NF_INT("scan-min", scan_min, 1, 100000, &nf_ops_scan),
	[NF_P_PROMISC] = NF_INT("promisc", promisc, 0, 1, &nf_ops_promisc),
	[NF_P_EXPORTCPU] = NF_INT("exportcpu", exportcpu, -1, INT_MAX, &nf_ops_exportcpu),
	[NF_P_ENGINE_ID] = NF_INT("engine_id", engine_id, 0, INT_MAX, NULL),
	[NF_P_FLUSH] = { .name = "flush", .ival = &nf_flush_dummy, .min = 0, .max = 1,
			 .ops = &nf_ops_flush, .set = nf_set_int },
	[NF_P_HOOKS] = NF_STR("hooks", nf_cfg.hooks, nf_set_hooks),
	[NF_P_HOOK_MARK] = NF_STR("hook_mark", nf_cfg.hook_mark, nf_set_hook_mark),
	[NF_P_FLOWTABLE] = NF_INT("flowtable", flowtable, 0, 1, &nf_ops_flowtable),
	[NF_P_NATFLOWS] = NF_INT("natflows", natflows, 0, 1, &nf_ops_natflows),
};
const unsigned int nf_nparams = NF_P_COUNT;

/* Who hears of changes (genl.c); the chain is nf_cfg_mutex's to guard. */
static RAW_NOTIFIER_HEAD(nf_param_chain);

void nf_param_notifier_register(struct notifier_block *nb)
{
	lockdep_assert_held(&nf_cfg_mutex);
	raw_notifier_chain_register(&nf_param_chain, nb);
}

void nf_param_notifier_unregister(struct notifier_block *nb)
{
	lockdep_assert_held(&nf_cfg_mutex);
	raw_notifier_chain_unregister(&nf_param_chain, nb);
}

int nf_param_set(const struct nf_param *p, const char *val)
{
	int err;

	mutex_lock(&nf_cfg_mutex);
	err = p->set(p, val);
	if (!err)
		raw_notifier_call_chain(&nf_param_chain, 0, (void *)p);
	mutex_unlock(&nf_cfg_mutex);
	return err;
}

int nf_param_get(const struct nf_param *p, char *buf, int len)
{
	if (p->ival)
		return scnprintf(buf, len, "%d", READ_ONCE(*p->ival));
	return scnprintf(buf, len, "%s", p->sval);
}

/* ---- module parameters (also writable in /sys/module/ipt_NETFLOW) ---- */

static int nf_kparam_set(const char *val, const struct kernel_param *kp)
{
	/*
	 * /sys/module/ipt_NETFLOW/parameters/ files are 0644: a root process without
	 * CAP_NET_ADMIN could write them.  Ask for what sysctl asks for, except at
	 * load time (modprobe options), when the module is not live yet.
	 */
	if (THIS_MODULE->state == MODULE_STATE_LIVE && !capable(CAP_NET_ADMIN))
		return -EPERM;
	return nf_param_set(kp->arg, val ? val : "");
}

static int nf_kparam_get(char *buf, const struct kernel_param *kp)
{
	int n = nf_param_get(kp->arg, buf, PAGE_SIZE - 1);

	buf[n++] = '\n';
	buf[n] = 0;
	return n;
}

static const struct kernel_param_ops nf_kparam_ops = {
	.set = nf_kparam_set,
	.get = nf_kparam_get,
};

#define NF_MODPARAM(id, idx, desc) \
	module_param_cb(id, &nf_kparam_ops, (void *)&nf_params[idx], 0644); \
	MODULE_PARM_DESC(id, desc)

NF_MODPARAM(protocol, NF_P_PROTOCOL, "NetFlow version to export: 5, 9 or 10 (IPFIX)");
NF_MODPARAM(destination, NF_P_DESTINATION, "export destinations: host:port,[v6]:port[@bind][%iface]");
NF_MODPARAM(destination_mode, NF_P_DEST_MODE, "mirror (every destination) or balance (round-robin)");
NF_MODPARAM(sampler, NF_P_SAMPLER, "flow sampler: deterministic:N, random:N, hash:N (N 2..16383)");
NF_MODPARAM(natevents, NF_P_NATEVENTS, "export NAT events from conntrack (--enable-natevents)");
NF_MODPARAM(inactive_timeout, NF_P_INACTIVE, "export a flow idle this many seconds (15)");
NF_MODPARAM(active_timeout, NF_P_ACTIVE, "export a flow active this many seconds (1800)");
NF_MODPARAM(refresh_rate, NF_P_REFRESH, "v9/IPFIX: re-send templates every N packets (20)");
NF_MODPARAM(timeout_rate, NF_P_TIMEOUT, "v9/IPFIX: re-send templates every N minutes (30)");
NF_MODPARAM(debug, NF_P_DEBUG, "debug verbosity 0..3");
NF_MODPARAM(sndbuf, NF_P_SNDBUF, "export socket buffer bytes (0 = system default)");
NF_MODPARAM(hashsize, NF_P_HASHSIZE, "flow hash buckets (default: by memory size)");
NF_MODPARAM(maxflows, NF_P_MAXFLOWS, "flows kept at most, 0 = unlimited (2000000)");
NF_MODPARAM(aggregation, NF_P_AGGR, "aggregation rules: NET/LEN=TO,PORT[-PORT]=TO,...");
NF_MODPARAM(snmp_rules, NF_P_SNMP_RULES, "SNMP-index rules: NAME:BASE,...");
NF_MODPARAM(scan_min, NF_P_SCAN_MIN, "minimal jiffies between export scans (1)");
NF_MODPARAM(promisc, NF_P_PROMISC, "meter frames for other hosts in raw PREROUTING (--enable-promisc)");
NF_MODPARAM(exportcpu, NF_P_EXPORTCPU, "CPU the exporter runs on (-1 = any)");
NF_MODPARAM(engine_id, NF_P_ENGINE_ID, "engine id / observation domain (0)");
NF_MODPARAM(hooks, NF_P_HOOKS, "meter at netfilter hooks, no iptables rule: FAMILY:HOOK[:PRIORITY],... (inet:forward)");
NF_MODPARAM(hook_mark, NF_P_HOOK_MARK, "hooks meter only packets whose mark matches VALUE[/MASK]");
NF_MODPARAM(flowtable, NF_P_FLOWTABLE, "1: also meter what nftables flowtables forward on their fast path (ingress hooks)");
NF_MODPARAM(natflows, NF_P_NATFLOWS, "1: v9/IPFIX records of translated flows carry the post-NAT addresses and ports (225-228, 281/282)");
