/* IPT-NETFLOW-MIB (.1.3.6.1.4.1.37476.9000.10.1) for net-snmp.
 *
 * One handler owns the whole subtree. For every request it reads the
 * module's files afresh into a sorted list of instances (a "view") and
 * answers GET / GETNEXT from it, so values follow the module as it runs,
 * and everything reads "no such instance" while the module is unloaded.
 * SET writes the sysctl file after checking type and range. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nf_mib.h"
#include "nf_stats.h"
#include "nf_sysctl.h"

static const oid nf_root[] = { 1, 3, 6, 1, 4, 1, 37476, 9000, 10, 1 };
#define ROOT_LEN OID_LENGTH(nf_root)
#define SUB_MAX 6

static char proc_root[PATH_MAX];
static char sys_root[PATH_MAX];
static int roots_set;
static netsnmp_handler_registration *nf_reg;

/* One instance: OID below nf_root, type and value. */
struct var {
	oid sub[SUB_MAX];
	size_t sublen;
	u_char type;
	uint64_t num;	/* ASN_GAUGE, ASN_COUNTER, ASN_COUNTER64 */
	long inum;	/* ASN_INTEGER */
	char *str;	/* ASN_OCTET_STR, owned */
	size_t slen;
};

struct view {
	struct var *v;
	size_t n, cap;
	int oom;
};

static void set_root(char *dst, const char *src)
{
	size_t n = strlen(src);

	while (n > 1 && src[n - 1] == '/')
		n--;
	if (n >= PATH_MAX)
		n = PATH_MAX - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void nf_mib_set_roots(const char *proc, const char *sys)
{
	if (proc)
		set_root(proc_root, proc);
	if (sys)
		set_root(sys_root, sys);
	roots_set = 1;
}

static struct var *view_add(struct view *vw, const oid *sub, size_t sublen,
			    u_char type)
{
	struct var *v;

	if (vw->oom)
		return NULL;
	if (vw->n == vw->cap) {
		size_t cap = vw->cap ? vw->cap * 2 : 128;
		struct var *nv = realloc(vw->v, cap * sizeof(*nv));

		if (!nv) {
			vw->oom = 1;
			return NULL;
		}
		vw->v = nv;
		vw->cap = cap;
	}
	v = &vw->v[vw->n++];
	memset(v, 0, sizeof(*v));
	memcpy(v->sub, sub, sublen * sizeof(oid));
	v->sublen = sublen;
	v->type = type;
	return v;
}

static void add_num(struct view *vw, const oid *sub, size_t sublen,
		    u_char type, uint64_t num)
{
	struct var *v = view_add(vw, sub, sublen, type);

	if (v)
		v->num = num;
}

static void add_int(struct view *vw, const oid *sub, size_t sublen, long x)
{
	struct var *v = view_add(vw, sub, sublen, ASN_INTEGER);

	if (v)
		v->inum = x;
}

static void add_str(struct view *vw, const oid *sub, size_t sublen,
		    const void *s, size_t len)
{
	struct var *v = view_add(vw, sub, sublen, ASN_OCTET_STR);

	if (!v)
		return;
	v->str = malloc(len ? len : 1);
	if (!v->str) {
		vw->n--;
		vw->oom = 1;
		return;
	}
	memcpy(v->str, s, len);
	v->slen = len;
}

static void view_free(struct view *vw)
{
	size_t i;

	for (i = 0; i < vw->n; i++)
		free(vw->v[i].str);
	free(vw->v);
	memset(vw, 0, sizeof(*vw));
}

/* SMI types of the totals, cpu and sock columns (index 0 unused). */
static const u_char total_type[NF_TOTALS + 1] = {
	0, ASN_GAUGE, ASN_GAUGE, ASN_COUNTER64, ASN_COUNTER64, ASN_COUNTER64,
	ASN_GAUGE, ASN_GAUGE, ASN_GAUGE, ASN_GAUGE, ASN_GAUGE,
	ASN_COUNTER64, ASN_COUNTER64, ASN_GAUGE, ASN_COUNTER64,
	ASN_COUNTER64, ASN_COUNTER64, ASN_COUNTER64, ASN_COUNTER64,
	ASN_COUNTER64, ASN_COUNTER, ASN_COUNTER,
};
static const u_char cpu_type[NF_CPU_COLS + 1] = {
	0, ASN_INTEGER, ASN_GAUGE, ASN_COUNTER64, ASN_COUNTER64,
	ASN_COUNTER64, ASN_GAUGE, ASN_COUNTER64, ASN_COUNTER64,
	ASN_COUNTER, ASN_COUNTER, ASN_COUNTER, ASN_COUNTER,
};
static const u_char sock_type[NF_SOCK_COLS + 1] = {
	0, 0, ASN_OCTET_STR, ASN_INTEGER, ASN_COUNTER, ASN_COUNTER,
	ASN_COUNTER, ASN_COUNTER, ASN_GAUGE, ASN_GAUGE, ASN_GAUGE,
};

static void add_typed(struct view *vw, const oid *sub, size_t sublen,
		      u_char type, uint64_t num)
{
	if (type == ASN_INTEGER)
		add_int(vw, sub, sublen,
			num > LONG_MAX ? LONG_MAX : (long)num);
	else
		add_num(vw, sub, sublen, type, num);
}

static void build_module(struct view *vw)
{
	static const char name[] = "ipt_NETFLOW";
	char buf[256];
	time_t t;
	long x;

	add_str(vw, (const oid[]){ 1, 1, 1, 0 }, 4, name, strlen(name));
	if (!nf_modinfo_read(sys_root, "version", buf, sizeof(buf)))
		add_str(vw, (const oid[]){ 1, 1, 2, 0 }, 4, buf, strlen(buf));
	if (!nf_modinfo_read(sys_root, "srcversion", buf, sizeof(buf)))
		add_str(vw, (const oid[]){ 1, 1, 3, 0 }, 4, buf, strlen(buf));
	if (!nf_modinfo_load_time(sys_root, &t)) {
		size_t len = 0;
		u_char *dt = date_n_time(&t, &len);

		add_str(vw, (const oid[]){ 1, 1, 4, 0 }, 4, dt, len);
	}
	if (!nf_modinfo_read(sys_root, "refcnt", buf, sizeof(buf)) &&
	    !nf_parse_long(buf, &x))
		add_int(vw, (const oid[]){ 1, 1, 5, 0 }, 4, x);
}

static void build_sysctls(struct view *vw)
{
	char buf[NF_VALUE_MAX];
	unsigned int id;

	for (id = 1; id <= NF_SYSCTLS; id++) {
		const struct nf_sysctl *s = nf_sysctl_by_id(id);
		const oid sub[] = { 1, 2, id, 0 };
		long x;

		if (nf_sysctl_read(proc_root, s, buf, sizeof(buf)))
			continue;
		if (s->kind == NF_STRING)
			add_str(vw, sub, 4, buf, strlen(buf));
		else if (!nf_parse_long(buf, &x))
			add_int(vw, sub, 4, x);
	}
}

static void build_stats(struct view *vw, const struct nf_stats *st)
{
	unsigned int i, col;
	size_t k;

	for (i = 1; i <= NF_TOTALS; i++)
		if (st->have[i])
			add_typed(vw, (const oid[]){ 2, 1, i, 0 }, 4,
				  total_type[i], st->total[i]);
	for (col = 1; col <= NF_CPU_COLS; col++)
		for (k = 0; k < st->ncpu; k++)
			add_typed(vw, (const oid[]){ 2, 2, 1, col,
					st->cpu[k].index }, 5,
				  cpu_type[col], st->cpu[k].col[col]);
	for (col = 2; col <= NF_SOCK_COLS; col++)
		for (k = 0; k < st->nsock; k++) {
			const struct nf_sock *s = &st->sock[k];
			const oid sub[] = { 2, 3, 1, col, s->index };

			if (col == 2)
				add_str(vw, sub, 5, s->dest, strlen(s->dest));
			else
				add_typed(vw, sub, 5, sock_type[col],
					  s->col[col]);
		}
}

/* Instances in OID order: module (1.1), sysctl (1.2), totals (2.1),
 * cpu table (2.2), sock table (2.3), each built in ascending order. */
static int view_build(struct view *vw)
{
	struct nf_stats st;
	int loaded = nf_stats_load(proc_root, &st) == 0;

	memset(vw, 0, sizeof(*vw));
	if (loaded)
		build_module(vw);
	build_sysctls(vw);
	if (loaded)
		build_stats(vw, &st);
	nf_stats_free(&st);
	return vw->oom ? -1 : 0;
}

static int cmp_var(const oid *name, size_t len, const struct var *v)
{
	oid full[ROOT_LEN + SUB_MAX];

	memcpy(full, nf_root, sizeof(nf_root));
	memcpy(full + ROOT_LEN, v->sub, v->sublen * sizeof(oid));
	return snmp_oid_compare(name, len, full, ROOT_LEN + v->sublen);
}

/* Is NAME an instance of an object this MIB defines (present or not)? */
static int known_object(const oid *name, size_t len)
{
	const oid *s = name + ROOT_LEN;
	size_t n = len - ROOT_LEN;

	if (len <= ROOT_LEN || snmp_oidtree_compare(nf_root, ROOT_LEN,
						     name, len))
		return 0;
	if (n >= 3 && s[0] == 1 && s[1] == 1)
		return s[2] >= 1 && s[2] <= 5;
	if (n >= 3 && s[0] == 1 && s[1] == 2)
		return s[2] >= 1 && s[2] <= NF_SYSCTLS;
	if (n >= 3 && s[0] == 2 && s[1] == 1)
		return s[2] >= 1 && s[2] <= NF_TOTALS;
	if (n >= 4 && s[0] == 2 && s[1] == 2 && s[2] == 1)
		return s[3] >= 1 && s[3] <= NF_CPU_COLS;
	if (n >= 4 && s[0] == 2 && s[1] == 3 && s[2] == 1)
		return s[3] >= 2 && s[3] <= NF_SOCK_COLS;
	return 0;
}

static void put_value(netsnmp_variable_list *vb, const struct var *v)
{
	u_long u;
	struct counter64 c;

	switch (v->type) {
	case ASN_INTEGER:
		snmp_set_var_typed_value(vb, ASN_INTEGER, &v->inum,
					 sizeof(v->inum));
		break;
	case ASN_GAUGE:	/* Gauge32 latches at its maximum */
		u = v->num > 0xffffffffULL ? 0xffffffffUL : (u_long)v->num;
		snmp_set_var_typed_value(vb, ASN_GAUGE, &u, sizeof(u));
		break;
	case ASN_COUNTER:	/* Counter32 wraps */
		u = (u_long)(v->num & 0xffffffffULL);
		snmp_set_var_typed_value(vb, ASN_COUNTER, &u, sizeof(u));
		break;
	case ASN_COUNTER64:
		c.high = (u_long)(v->num >> 32);
		c.low = (u_long)(v->num & 0xffffffffULL);
		snmp_set_var_typed_value(vb, ASN_COUNTER64, &c, sizeof(c));
		break;
	default:
		snmp_set_var_typed_value(vb, ASN_OCTET_STR, v->str, v->slen);
	}
}

static void do_get(struct view *vw, netsnmp_agent_request_info *reqinfo,
		   netsnmp_request_info *r)
{
	netsnmp_variable_list *vb = r->requestvb;
	size_t i;

	for (i = 0; i < vw->n; i++)
		if (!cmp_var(vb->name, vb->name_length, &vw->v[i])) {
			put_value(vb, &vw->v[i]);
			return;
		}
	netsnmp_set_request_error(reqinfo, r,
				  known_object(vb->name, vb->name_length) ?
				  SNMP_NOSUCHINSTANCE : SNMP_NOSUCHOBJECT);
}

static void do_getnext(struct view *vw, netsnmp_request_info *r)
{
	netsnmp_variable_list *vb = r->requestvb;
	size_t i;

	for (i = 0; i < vw->n; i++) {
		int c = cmp_var(vb->name, vb->name_length, &vw->v[i]);

		if (c < 0 || (c == 0 && r->inclusive)) {
			oid full[ROOT_LEN + SUB_MAX];

			memcpy(full, nf_root, sizeof(nf_root));
			memcpy(full + ROOT_LEN, vw->v[i].sub,
			       vw->v[i].sublen * sizeof(oid));
			snmp_set_var_objid(vb, full,
					   ROOT_LEN + vw->v[i].sublen);
			put_value(vb, &vw->v[i]);
			return;
		}
	}
	/* Past our last instance: leave the varbind alone so the agent
	 * moves on to the next subtree. */
}

/* ---- SET ---- */

struct set_state {
	char old[NF_VALUE_MAX];
	int written;
};

/* The sysctl a SET addresses (iptNetflowSysctl.<id>.0), or NULL. */
static const struct nf_sysctl *set_target(const netsnmp_variable_list *vb)
{
	const oid *s = vb->name + ROOT_LEN;

	if (vb->name_length != ROOT_LEN + 4 ||
	    snmp_oidtree_compare(nf_root, ROOT_LEN, vb->name,
				 vb->name_length) ||
	    s[0] != 1 || s[1] != 2 || s[3] != 0)
		return NULL;
	return nf_sysctl_by_id((unsigned int)s[2]);
}

static int check_set(const netsnmp_variable_list *vb)
{
	const struct nf_sysctl *s = set_target(vb);
	enum nf_check c;

	if (!s)
		return known_object(vb->name, vb->name_length) ?
		       SNMP_ERR_NOTWRITABLE : SNMP_ERR_NOCREATION;
	if (!nf_sysctl_exists(proc_root, s))
		return SNMP_ERR_NOCREATION;	/* module not loaded */
	if (s->kind == NF_INT) {
		if (vb->type != ASN_INTEGER)
			return SNMP_ERR_WRONGTYPE;
		if (vb->val_len != sizeof(long))
			return SNMP_ERR_WRONGLENGTH;
		c = nf_sysctl_check_int(s, *vb->val.integer);
	} else {
		if (vb->type != ASN_OCTET_STR)
			return SNMP_ERR_WRONGTYPE;
		c = nf_sysctl_check_string(s, (const char *)vb->val.string,
					   vb->val_len);
	}
	return c == NF_OK ? SNMP_ERR_NOERROR :
	       c == NF_BAD_LENGTH ? SNMP_ERR_WRONGLENGTH :
	       SNMP_ERR_WRONGVALUE;
}

static int errno_to_snmp(int err)
{
	switch (err) {
	case -EINVAL:
	case -ERANGE:
		return SNMP_ERR_WRONGVALUE;	/* the kernel refused it */
	case -ENOENT:
		return SNMP_ERR_NOCREATION;	/* module went away */
	default:
		return SNMP_ERR_COMMITFAILED;
	}
}

static void do_set(int mode, netsnmp_agent_request_info *reqinfo,
		   netsnmp_request_info *r)
{
	netsnmp_variable_list *vb = r->requestvb;
	const struct nf_sysctl *s = set_target(vb);
	struct set_state *state;
	char buf[64];
	int err;

	if (!s && mode != MODE_SET_RESERVE1)
		return;	/* RESERVE1 refused it already */
	switch (mode) {
	case MODE_SET_RESERVE1:
		err = check_set(vb);
		if (err != SNMP_ERR_NOERROR)
			netsnmp_set_request_error(reqinfo, r, err);
		break;
	case MODE_SET_RESERVE2:
		state = calloc(1, sizeof(*state));
		if (!state || nf_sysctl_read(proc_root, s, state->old,
					     sizeof(state->old))) {
			free(state);
			netsnmp_set_request_error(reqinfo, r,
					SNMP_ERR_RESOURCEUNAVAILABLE);
			break;
		}
		netsnmp_request_add_list_data(r,
			netsnmp_create_data_list("netflow", state, free));
		break;
	case MODE_SET_ACTION:
		state = netsnmp_request_get_list_data(r, "netflow");
		if (!state)
			break;
		if (s->kind == NF_INT) {
			int n = snprintf(buf, sizeof(buf), "%ld",
					 *vb->val.integer);

			err = nf_sysctl_write(proc_root, s, buf, (size_t)n);
		} else {
			err = nf_sysctl_write(proc_root, s,
					      (const char *)vb->val.string,
					      vb->val_len);
		}
		if (err) {
			snmp_log(LOG_WARNING, "netflow: writing %s: %s\n",
				 s->file, strerror(-err));
			netsnmp_set_request_error(reqinfo, r,
						  errno_to_snmp(err));
		} else {
			state->written = 1;
		}
		break;
	case MODE_SET_UNDO:
		state = netsnmp_request_get_list_data(r, "netflow");
		if (state && state->written &&
		    nf_sysctl_write(proc_root, s, state->old,
				    strlen(state->old)))
			netsnmp_set_request_error(reqinfo, r,
						  SNMP_ERR_UNDOFAILED);
		break;
	default:	/* COMMIT, FREE: nothing to do */
		break;
	}
}

static int nf_handler(netsnmp_mib_handler *handler,
		      netsnmp_handler_registration *reginfo,
		      netsnmp_agent_request_info *reqinfo,
		      netsnmp_request_info *requests)
{
	netsnmp_request_info *r;
	struct view vw;

	(void)handler;
	(void)reginfo;
	if (reqinfo->mode != MODE_GET && reqinfo->mode != MODE_GETNEXT) {
		for (r = requests; r; r = r->next)
			if (!r->processed)
				do_set(reqinfo->mode, reqinfo, r);
		return SNMP_ERR_NOERROR;
	}
	if (view_build(&vw)) {
		view_free(&vw);
		for (r = requests; r; r = r->next)
			netsnmp_set_request_error(reqinfo, r, SNMP_ERR_GENERR);
		return SNMP_ERR_NOERROR;
	}
	for (r = requests; r; r = r->next) {
		if (r->processed)
			continue;
		if (reqinfo->mode == MODE_GET)
			do_get(&vw, reqinfo, r);
		else
			do_getnext(&vw, r);
	}
	view_free(&vw);
	return SNMP_ERR_NOERROR;
}

void init_netflow(void)
{
	if (!roots_set) {
		const char *p = getenv("NETFLOW_PROC_ROOT");
		const char *s = getenv("NETFLOW_SYS_ROOT");

		nf_mib_set_roots(p && *p ? p : "/proc", s && *s ? s : "/sys");
	}
	DEBUGMSGTL(("netflow", "init: proc root %s, sys root %s\n",
		    proc_root, sys_root));
	nf_reg = netsnmp_create_handler_registration("iptNetflowMIB",
			nf_handler, nf_root, ROOT_LEN, HANDLER_CAN_RWRITE);
	if (!nf_reg ||
	    netsnmp_register_handler(nf_reg) != MIB_REGISTERED_OK) {
		snmp_log(LOG_ERR, "netflow: cannot register IPT-NETFLOW-MIB\n");
		nf_reg = NULL;
	}
}

void deinit_netflow(void)
{
	if (nf_reg)
		netsnmp_unregister_handler(nf_reg);
	nf_reg = NULL;
}
