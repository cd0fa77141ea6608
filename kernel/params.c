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
#include "flowquota.h"
#include "expiry.h"
#include "export.h"
#include "sock.h"
#include "ruleset.h"
#include "natevents.h"
#include "promisc.h"
#include "natflows.h"
#include "hooks.h"
#include "offload.h"

static char ipnf_dest_mode_str[16] = "mirror";
static char ipnf_aggregation[1024];
static char ipnf_snmp_rules_str[512];
static int ipnf_flush_dummy;

/* ---- per-parameter checks and actions ---- */

static int ipnf_bad(const struct ipnf_param *p, const char *why)
{
	pr_err("%s: %s\n", p->name, why);
	return -EINVAL;
}

static int ipnf_check_protocol(const struct ipnf_param *p, int v)
{
	if (v != 5 && v != 9 && v != 10)
		return ipnf_bad(p, "must be 5, 9 or 10");
	return 0;
}

static int ipnf_apply_protocol(int v)
{
	struct ipnf_export_change c = { .what = IPNF_XCH_PROTOCOL, .protocol = v };

	return ipnf_export_change(&c);
}

static int ipnf_apply_hashsize(int v)
{
	int err;

	mutex_lock(&ipnf_export_mutex);
	err = ipnf_table_resize(v);
	mutex_unlock(&ipnf_export_mutex);
	if (err)
		pr_err("hashsize: cannot allocate %d buckets\n", v);
	return err;
}

static int ipnf_apply_sndbuf(int v)
{
	struct ipnf_export_change c = { .what = IPNF_XCH_SNDBUF, .sndbuf = v };

	return ipnf_export_change(&c);
}

static int ipnf_check_sndbuf(const struct ipnf_param *p, int v)
{
	return v && v < 1024 ? ipnf_bad(p, "must be 0 (system default) or >= 1024") : 0;
}

/* The chunks the CPUs took under the old bound go back (flowquota.c). */
static int ipnf_apply_maxflows(int v)
{
	WRITE_ONCE(ipnf_cfg.maxflows, v);
	ipnf_quota_reclaim();
	return 0;
}

static int ipnf_check_exportcpu(const struct ipnf_param *p, int v)
{
	if (v >= 0 && (v >= nr_cpu_ids || !cpu_online(v)))
		return ipnf_bad(p, "no such online CPU (-1 = any)");
	return 0;
}

static int ipnf_apply_resched(int v)
{
	ipnf_expiry_reschedule();
	return 0;
}

static int ipnf_check_feature_off(const struct ipnf_param *p, int v)
{
	return v ? ipnf_bad(p, "this feature is not built into this module yet; only 0 is accepted") : 0;
}

static int ipnf_apply_flush(int v)
{
	if (v)
		ipnf_expiry_flush();
	return 0;
}

/* ---- string parameters ---- */

/* Parsed here, once: the exporter and the sockets take the parsed list. */
static int ipnf_set_destination(const struct ipnf_param *p, const char *val)
{
	struct ipnf_dest *d = kcalloc(IPNF_MAX_DESTS, sizeof(*d), GFP_KERNEL);
	struct ipnf_export_change c = { .what = IPNF_XCH_DESTINATION, .dests = d };
	const char *err;
	int ret = 0;

	if (!d)
		return -ENOMEM;
	if (strlen(val) >= sizeof(ipnf_cfg.destination))
		ret = ipnf_bad(p, "too long");
	else if ((c.ndests = ipnf_parse_destinations(val, d, IPNF_MAX_DESTS, &err)) < 0)
		ret = ipnf_bad(p, err);
	if (!ret && ipnf_running)
		ret = ipnf_export_change(&c);
	if (!ret) {
		memcpy(ipnf_cfg.dests, d, c.ndests * sizeof(*d));
		ipnf_cfg.ndests = c.ndests;
		strscpy(ipnf_cfg.destination, val, sizeof(ipnf_cfg.destination));
		strim(ipnf_cfg.destination);
	}
	kfree(d);
	return ret;
}

static int ipnf_set_sampler(const struct ipnf_param *p, const char *val)
{
	unsigned int interval;
	const char *err;
	int kind;

	if (strlen(val) >= sizeof(ipnf_cfg.sampler))
		return ipnf_bad(p, "too long");
	if (ipnf_parse_sampler(val, &kind, &interval, &err))
		return ipnf_bad(p, err);
	if (ipnf_running) {
		struct ipnf_export_change c = {
			.what = IPNF_XCH_SAMPLER,
			.sampler_kind = kind,
			.sampler_interval = interval,
		};

		ipnf_export_change(&c);
	} else {
		ipnf_cfg_set_sampler(kind, interval);
	}
	strscpy(ipnf_cfg.sampler, kind ? val : "", sizeof(ipnf_cfg.sampler));
	strim(ipnf_cfg.sampler);
	return 0;
}

static int ipnf_set_dest_mode(const struct ipnf_param *p, const char *val)
{
	const char *err;
	int mode;

	if (ipnf_parse_dest_mode(val, &mode, &err))
		return ipnf_bad(p, err);
	WRITE_ONCE(ipnf_cfg.dest_mode, mode);
	strscpy(ipnf_dest_mode_str, mode == IPNF_DEST_BALANCE ? "balance" : "mirror",
		sizeof(ipnf_dest_mode_str));
	return 0;
}

static int ipnf_set_hooks(const struct ipnf_param *p, const char *val)
{
	struct ipnf_hook_set set;
	const char *err;
	int ret;

	if (strlen(val) >= sizeof(ipnf_cfg.hooks))
		return ipnf_bad(p, "too long");
	if (ipnf_parse_hooks(val, &set, &err))
		return ipnf_bad(p, err);
	if (ipnf_running) {
		ret = ipnf_hooks_set(&set);
		if (ret)
			return ret;
	}
	strscpy(ipnf_cfg.hooks, val, sizeof(ipnf_cfg.hooks));
	strim(ipnf_cfg.hooks);
	return 0;
}

static int ipnf_set_hook_mark(const struct ipnf_param *p, const char *val)
{
	const char *err;
	u32 value, mask;

	if (strlen(val) >= sizeof(ipnf_cfg.hook_mark))
		return ipnf_bad(p, "too long");
	if (ipnf_parse_mark(val, &value, &mask, &err))
		return ipnf_bad(p, err);
	ipnf_hooks_set_mark(value, mask);	/* before init too: the hooks read it */
	strscpy(ipnf_cfg.hook_mark, val, sizeof(ipnf_cfg.hook_mark));
	strim(ipnf_cfg.hook_mark);
	return 0;
}

/* A rule set parameter: parsed, installed, read back in canonical form. */
static int __maybe_unused ipnf_set_ruleset(const struct ipnf_param *p, const char *val,
					 int (*set)(const char *val, char *canon,
						    int len, const char **err))
{
	const char *err = "";
	int ret;

	if (strlen(val) >= (size_t)p->slen)
		return ipnf_bad(p, "too long");
	ret = set(val, p->sval, p->slen, &err);
	return ret == -EINVAL ? ipnf_bad(p, err) : ret;
}

#ifdef ENABLE_AGGR
static int ipnf_set_aggregation(const struct ipnf_param *p, const char *val)
{
	return ipnf_set_ruleset(p, val, ipnf_rules_set_aggr);
}
#else
#define ipnf_set_aggregation ipnf_set_unbuilt_rules
#endif

#ifdef ENABLE_SNMP
static int ipnf_set_snmp_rules(const struct ipnf_param *p, const char *val)
{
	return ipnf_set_ruleset(p, val, ipnf_rules_set_snmp);
}
#else
#define ipnf_set_snmp_rules ipnf_set_unbuilt_rules
#endif

static int __maybe_unused ipnf_set_unbuilt_rules(const struct ipnf_param *p,
					       const char *val)
{
	/* the whole value: a copy cut at 7 bytes let "        x" pass as empty */
	if (*skip_spaces(val))
		return ipnf_bad(p, "not compiled into this module (see ./configure --help); only an empty value is accepted");
	return 0;
}

/* ---- integer parameters ---- */

struct ipnf_int_ops {
	int (*check)(const struct ipnf_param *p, int v);
	int (*apply)(int v);	/* once running; stores nothing itself */
};

static const struct ipnf_int_ops ipnf_ops_protocol = { ipnf_check_protocol, ipnf_apply_protocol };
static const struct ipnf_int_ops ipnf_ops_hashsize = { NULL, ipnf_apply_hashsize };
static const struct ipnf_int_ops ipnf_ops_sndbuf = { ipnf_check_sndbuf, ipnf_apply_sndbuf };
static const struct ipnf_int_ops ipnf_ops_maxflows = { NULL, ipnf_apply_maxflows };
static const struct ipnf_int_ops ipnf_ops_exportcpu = { ipnf_check_exportcpu, ipnf_apply_resched };
static const struct ipnf_int_ops ipnf_ops_scan = { NULL, ipnf_apply_resched };
static const struct ipnf_int_ops __maybe_unused ipnf_ops_off = { ipnf_check_feature_off, NULL };
#ifdef ENABLE_PROMISC
static int ipnf_apply_promisc(int v)
{
	ipnf_promisc_set(v);
	return 0;
}
static const struct ipnf_int_ops ipnf_ops_promisc = { NULL, ipnf_apply_promisc };
#else
#define ipnf_ops_promisc ipnf_ops_off
#endif
#ifdef ENABLE_NAT
static int ipnf_apply_natevents(int v)
{
	ipnf_natevents_set(v);
	return 0;
}
static const struct ipnf_int_ops ipnf_ops_natevents = { NULL, ipnf_apply_natevents };
#else
#define ipnf_ops_natevents ipnf_ops_off
#endif
#ifdef IPNF_OFFLOAD_BUILT
static int ipnf_apply_flowtable(int v)
{
	return ipnf_offload_set(v);
}
static const struct ipnf_int_ops ipnf_ops_flowtable = { NULL, ipnf_apply_flowtable };
#else
#define ipnf_ops_flowtable ipnf_ops_off
#endif
#ifdef IPNF_NATFLOWS_BUILT
static int ipnf_apply_natflows(int v)
{
	return ipnf_natflows_set(v);
}
static const struct ipnf_int_ops ipnf_ops_natflows = { NULL, ipnf_apply_natflows };
#else
#define ipnf_ops_natflows ipnf_ops_off
#endif
static const struct ipnf_int_ops ipnf_ops_flush = { NULL, ipnf_apply_flush };

static int ipnf_set_int(const struct ipnf_param *p, const char *val)
{
	const struct ipnf_int_ops *ops = p->ops;
	char range[64];
	int v, err;

	if (kstrtoint(skip_spaces(val), 0, &v) || v < p->min || v > p->max) {
		snprintf(range, sizeof(range), "must be an integer %d..%d",
			 p->min, p->max);
		return ipnf_bad(p, range);
	}
	if (ops && ops->check) {
		err = ops->check(p, v);
		if (err)
			return err;
	}
	if (ipnf_running && ops && ops->apply) {
		/* flush is an action, not a setting: apply before storing 0 */
		err = ops->apply(v);
		if (err)
			return err;
	}
	if (p->ival != &ipnf_flush_dummy)
		WRITE_ONCE(*p->ival, v);
	return 0;
}

#define IPNF_INT(n, field, lo, hi, o) \
	{ .name = n, .ival = &ipnf_cfg.field, .min = lo, .max = hi, .ops = o, .set = ipnf_set_int }
#define IPNF_STR(n, buf, fn) \
	{ .name = n, .sval = buf, .slen = sizeof(buf), .set = fn }

enum {
	IPNF_P_PROTOCOL, IPNF_P_DESTINATION, IPNF_P_DEST_MODE, IPNF_P_SAMPLER,
	IPNF_P_NATEVENTS, IPNF_P_INACTIVE, IPNF_P_ACTIVE, IPNF_P_REFRESH, IPNF_P_TIMEOUT,
	IPNF_P_DEBUG, IPNF_P_SNDBUF, IPNF_P_HASHSIZE, IPNF_P_MAXFLOWS, IPNF_P_AGGR,
	IPNF_P_SNMP_RULES, IPNF_P_SCAN_MIN, IPNF_P_PROMISC, IPNF_P_EXPORTCPU,
	IPNF_P_ENGINE_ID, IPNF_P_FLUSH, IPNF_P_HOOKS, IPNF_P_HOOK_MARK, IPNF_P_FLOWTABLE,
	IPNF_P_NATFLOWS, IPNF_P_COUNT
};

const struct ipnf_param ipnf_params[IPNF_P_COUNT] = {
	[IPNF_P_PROTOCOL] = IPNF_INT("protocol", protocol, 5, 10, &ipnf_ops_protocol),
	[IPNF_P_DESTINATION] = IPNF_STR("destination", ipnf_cfg.destination, ipnf_set_destination),
	[IPNF_P_DEST_MODE] = IPNF_STR("destination_mode", ipnf_dest_mode_str, ipnf_set_dest_mode),
	[IPNF_P_SAMPLER] = IPNF_STR("sampler", ipnf_cfg.sampler, ipnf_set_sampler),
	[IPNF_P_NATEVENTS] = IPNF_INT("natevents", natevents, 0, 1, &ipnf_ops_natevents),
	[IPNF_P_INACTIVE] = IPNF_INT("inactive_timeout", inactive_timeout, 1, 2147483, NULL),
	[IPNF_P_ACTIVE] = IPNF_INT("active_timeout", active_timeout, 1, 2147483, NULL),
	[IPNF_P_REFRESH] = IPNF_INT("refresh-rate", refresh_rate, 1, 65535, NULL),
	[IPNF_P_TIMEOUT] = IPNF_INT("timeout-rate", timeout_rate, 1, 65535, NULL),
	[IPNF_P_DEBUG] = IPNF_INT("debug", debug, 0, 3, NULL),
	[IPNF_P_SNDBUF] = IPNF_INT("sndbuf", sndbuf, 0, INT_MAX / 2, &ipnf_ops_sndbuf),
	[IPNF_P_HASHSIZE] = IPNF_INT("hashsize", hashsize, 1, 1 << 25, &ipnf_ops_hashsize),
	[IPNF_P_MAXFLOWS] = IPNF_INT("maxflows", maxflows, 0, INT_MAX, &ipnf_ops_maxflows),
	[IPNF_P_AGGR] = IPNF_STR("aggregation", ipnf_aggregation, ipnf_set_aggregation),
	[IPNF_P_SNMP_RULES] = IPNF_STR("snmp-rules", ipnf_snmp_rules_str, ipnf_set_snmp_rules),
	[IPNF_P_SCAN_MIN] = IPNF_INT("scan-min", scan_min, 1, 100000, &ipnf_ops_scan),
	[IPNF_P_PROMISC] = IPNF_INT("promisc", promisc, 0, 1, &ipnf_ops_promisc),
	[IPNF_P_EXPORTCPU] = IPNF_INT("exportcpu", exportcpu, -1, INT_MAX, &ipnf_ops_exportcpu),
	[IPNF_P_ENGINE_ID] = IPNF_INT("engine_id", engine_id, 0, INT_MAX, NULL),
	[IPNF_P_FLUSH] = { .name = "flush", .ival = &ipnf_flush_dummy, .min = 0, .max = 1,
			 .ops = &ipnf_ops_flush, .set = ipnf_set_int },
	[IPNF_P_HOOKS] = IPNF_STR("hooks", ipnf_cfg.hooks, ipnf_set_hooks),
	[IPNF_P_HOOK_MARK] = IPNF_STR("hook_mark", ipnf_cfg.hook_mark, ipnf_set_hook_mark),
	[IPNF_P_FLOWTABLE] = IPNF_INT("flowtable", flowtable, 0, 1, &ipnf_ops_flowtable),
	[IPNF_P_NATFLOWS] = IPNF_INT("natflows", natflows, 0, 1, &ipnf_ops_natflows),
};
const unsigned int ipnf_nparams = IPNF_P_COUNT;

/* Who hears of changes (genl.c); the chain is ipnf_cfg_mutex's to guard. */
static RAW_NOTIFIER_HEAD(ipnf_param_chain);

void ipnf_param_notifier_register(struct notifier_block *nb)
{
	lockdep_assert_held(&ipnf_cfg_mutex);
	raw_notifier_chain_register(&ipnf_param_chain, nb);
}

void ipnf_param_notifier_unregister(struct notifier_block *nb)
{
	lockdep_assert_held(&ipnf_cfg_mutex);
	raw_notifier_chain_unregister(&ipnf_param_chain, nb);
}

int ipnf_param_set(const struct ipnf_param *p, const char *val)
{
	int err;

	mutex_lock(&ipnf_cfg_mutex);
	err = p->set(p, val);
	if (!err)
		raw_notifier_call_chain(&ipnf_param_chain, 0, (void *)p);
	mutex_unlock(&ipnf_cfg_mutex);
	return err;
}

int ipnf_param_get(const struct ipnf_param *p, char *buf, int len)
{
	if (p->ival)
		return scnprintf(buf, len, "%d", READ_ONCE(*p->ival));
	return scnprintf(buf, len, "%s", p->sval);
}

/* ---- module parameters (also writable in /sys/module/ipt_NETFLOW) ---- */

static int ipnf_kparam_set(const char *val, const struct kernel_param *kp)
{
	/*
	 * /sys/module/ipt_NETFLOW/parameters/ files are 0644: a root process without
	 * CAP_NET_ADMIN could write them.  Ask for what sysctl asks for, except at
	 * load time (modprobe options), when the module is not live yet.
	 */
	if (THIS_MODULE->state == MODULE_STATE_LIVE && !capable(CAP_NET_ADMIN))
		return -EPERM;
	return ipnf_param_set(kp->arg, val ? val : "");
}

static int ipnf_kparam_get(char *buf, const struct kernel_param *kp)
{
	int n = ipnf_param_get(kp->arg, buf, PAGE_SIZE - 1);

	buf[n++] = '\n';
	buf[n] = 0;
	return n;
}

static const struct kernel_param_ops ipnf_kparam_ops = {
	.set = ipnf_kparam_set,
	.get = ipnf_kparam_get,
};

#define IPNF_MODPARAM(id, idx, desc) \
	module_param_cb(id, &ipnf_kparam_ops, (void *)&ipnf_params[idx], 0644); \
	MODULE_PARM_DESC(id, desc)

IPNF_MODPARAM(protocol, IPNF_P_PROTOCOL, "NetFlow version to export: 5, 9 or 10 (IPFIX)");
IPNF_MODPARAM(destination, IPNF_P_DESTINATION, "export destinations: host:port,[v6]:port[@bind][%iface]");
IPNF_MODPARAM(destination_mode, IPNF_P_DEST_MODE, "mirror (every destination) or balance (round-robin)");
IPNF_MODPARAM(sampler, IPNF_P_SAMPLER, "flow sampler: deterministic:N, random:N, hash:N (N 2..16383)");
IPNF_MODPARAM(natevents, IPNF_P_NATEVENTS, "export NAT events from conntrack (--enable-natevents)");
IPNF_MODPARAM(inactive_timeout, IPNF_P_INACTIVE, "export a flow idle this many seconds (15)");
IPNF_MODPARAM(active_timeout, IPNF_P_ACTIVE, "export a flow active this many seconds (1800)");
IPNF_MODPARAM(refresh_rate, IPNF_P_REFRESH, "v9/IPFIX: re-send templates every N packets (20)");
IPNF_MODPARAM(timeout_rate, IPNF_P_TIMEOUT, "v9/IPFIX: re-send templates every N minutes (30)");
IPNF_MODPARAM(debug, IPNF_P_DEBUG, "debug verbosity 0..3");
IPNF_MODPARAM(sndbuf, IPNF_P_SNDBUF, "export socket buffer bytes (0 = system default)");
IPNF_MODPARAM(hashsize, IPNF_P_HASHSIZE, "flow hash buckets (default: by memory size)");
IPNF_MODPARAM(maxflows, IPNF_P_MAXFLOWS, "flows kept at most, 0 = unlimited (2000000)");
IPNF_MODPARAM(aggregation, IPNF_P_AGGR, "aggregation rules: NET/LEN=TO,PORT[-PORT]=TO,...");
IPNF_MODPARAM(snmp_rules, IPNF_P_SNMP_RULES, "SNMP-index rules: NAME:BASE,...");
IPNF_MODPARAM(scan_min, IPNF_P_SCAN_MIN, "minimal jiffies between export scans (1)");
IPNF_MODPARAM(promisc, IPNF_P_PROMISC, "meter frames for other hosts in raw PREROUTING (--enable-promisc)");
IPNF_MODPARAM(exportcpu, IPNF_P_EXPORTCPU, "CPU the exporter runs on (-1 = any)");
IPNF_MODPARAM(engine_id, IPNF_P_ENGINE_ID, "engine id / observation domain (0)");
IPNF_MODPARAM(hooks, IPNF_P_HOOKS, "meter at netfilter hooks, no iptables rule: FAMILY:HOOK[:PRIORITY],... (inet:forward)");
IPNF_MODPARAM(hook_mark, IPNF_P_HOOK_MARK, "hooks meter only packets whose mark matches VALUE[/MASK]");
IPNF_MODPARAM(flowtable, IPNF_P_FLOWTABLE, "1: also meter what nftables flowtables forward on their fast path (ingress hooks)");
IPNF_MODPARAM(natflows, IPNF_P_NATFLOWS, "1: v9/IPFIX records of translated flows carry the post-NAT addresses and ports (225-228, 281/282)");
