// SPDX-License-Identifier: GPL-2.0-only
/* Aggregation and SNMP-index rules; see rules.h. */
#include "rules.h"
#include "options.h"

/* The next comma-separated item of *s, trimmed, as [*b, *e); false at the end. */
static bool ipnf_next_item(const char **s, const char **b, const char **e)
{
	while (**s) {
		const char *n = *s + strcspn(*s, ",");

		*b = *s;
		*e = n;
		*s = *n ? n + 1 : n;
		ipnf_trim(b, e);
		if (*b != *e)
			return true;
	}
	return false;
}

static u32 ipnf_prefix_mask(unsigned int len)
{
	return len ? ~0u << (32 - len) : 0;
}

static int ipnf_parse_aggr_one(const char *b, const char *e, struct ipnf_aggr *a,
			     const char **err)
{
	const char *eq = ipnf_memchr(b, e, '='), *sl, *dash;
	unsigned int len, to, lo, hi = 0;
	u8 addr[4];

	if (!eq) {
		*err = "a rule is NET/LEN=TO or PORT[-PORT]=TO";
		return -EINVAL;
	}
	sl = ipnf_memchr(b, eq, '/');
	if (sl) {
		if (!ipnf_pton4(b, (int)(sl - b), addr) ||
		    ipnf_parse_uint(sl + 1, eq, 32, &len) ||
		    ipnf_parse_uint(eq + 1, e, 32, &to)) {
			*err = "bad netmask rule (IPv4 NET/LEN=TO, LEN and TO 0..32)";
			return -EINVAL;
		}
		if (a->nnet == IPNF_AGGR_MAX) {
			*err = "too many netmask rules";
			return -EINVAL;
		}
		a->net[a->nnet].mask = ipnf_prefix_mask(len);
		a->net[a->nnet].addr = ipnf_get32(addr) & a->net[a->nnet].mask;
		a->net[a->nnet].len = (u8)len;
		a->net[a->nnet].to = (u8)to;
		a->net[a->nnet].to_mask = ipnf_prefix_mask(to);
		a->nnet++;
		return 0;
	}
	dash = ipnf_memchr(b, eq, '-');
	if (ipnf_parse_uint(b, dash ? dash : eq, 65535, &lo) ||
	    (dash && ipnf_parse_uint(dash + 1, eq, 65535, &hi)) ||
	    ipnf_parse_uint(eq + 1, e, 65535, &to) || (dash && hi < lo)) {
		*err = "bad port rule (PORT[-PORT]=TO, ports 0..65535, low first)";
		return -EINVAL;
	}
	if (a->nport == IPNF_AGGR_MAX) {
		*err = "too many port rules";
		return -EINVAL;
	}
	if (!dash)
		hi = lo;
	a->port[a->nport].lo = (u16)lo;
	a->port[a->nport].hi = (u16)hi;
	a->port[a->nport].to = (u16)to;
	a->nport++;
	return 0;
}

int ipnf_parse_aggr(const char *s, struct ipnf_aggr *a, const char **err)
{
	const char *b, *e;

	memset(a, 0, sizeof(*a));
	while (ipnf_next_item(&s, &b, &e))
		if (ipnf_parse_aggr_one(b, e, a, err))
			return -EINVAL;
	return (int)(a->nnet + a->nport);
}

/* The new end after appending n more characters: capped inside buf. */
static int ipnf_append(int len, int off, int n)
{
	return off + n < len ? off + n : (len ? len - 1 : 0);
}

int ipnf_format_aggr(const struct ipnf_aggr *a, char *buf, int len)
{
	unsigned int i;
	int off = 0;

	if (len)
		buf[0] = 0;
	for (i = 0; i < a->nnet; i++) {
		const struct ipnf_aggr_net *n = &a->net[i];

		off = ipnf_append(len, off,
				snprintf(buf + off, len - off, "%s%u.%u.%u.%u/%u=%u",
					 off ? "," : "", n->addr >> 24,
					 n->addr >> 16 & 0xff, n->addr >> 8 & 0xff,
					 n->addr & 0xff, n->len, n->to));
	}
	for (i = 0; i < a->nport; i++) {
		const struct ipnf_aggr_port *p = &a->port[i];

		if (p->lo == p->hi)
			off = ipnf_append(len, off,
					snprintf(buf + off, len - off, "%s%u=%u",
						 off ? "," : "", p->lo, p->to));
		else
			off = ipnf_append(len, off,
					snprintf(buf + off, len - off, "%s%u-%u=%u",
						 off ? "," : "", p->lo, p->hi,
						 p->to));
	}
	return off;
}

static bool ipnf_aggr_addr(const struct ipnf_aggr *a, __be32 *addr)
{
	u32 v = ipnf_get32((const u8 *)addr);
	unsigned int i;

	for (i = 0; i < a->nnet; i++) {
		const struct ipnf_aggr_net *n = &a->net[i];

		if ((v & n->mask) == n->addr) {
			u32 nv = v & n->to_mask;
			u8 *p = (u8 *)addr;

			if (nv == v)
				return false;
			p[0] = nv >> 24;
			p[1] = nv >> 16;
			p[2] = nv >> 8;
			p[3] = nv;
			return true;
		}
	}
	return false;
}

static bool ipnf_aggr_port(const struct ipnf_aggr *a, u16 *port)
{
	unsigned int i;

	for (i = 0; i < a->nport; i++) {
		if (*port >= a->port[i].lo && *port <= a->port[i].hi) {
			if (*port == a->port[i].to)
				return false;
			*port = a->port[i].to;
			return true;
		}
	}
	return false;
}

bool ipnf_aggr_apply(const struct ipnf_aggr *a, struct ipnf_flow_key *k)
{
	bool changed = false;

	if (k->family == IPNF_FAM_V4 && a->nnet) {
		changed |= ipnf_aggr_addr(a, &k->a.v4.src);
		changed |= ipnf_aggr_addr(a, &k->a.v4.dst);
	}
	if (a->nport && (k->proto == 6 || k->proto == 17 || k->proto == 33 ||
			 k->proto == 132 || k->proto == 136)) {
		changed |= ipnf_aggr_port(a, &k->sport);
		changed |= ipnf_aggr_port(a, &k->dport);
	}
	return changed;
}

int ipnf_parse_snmp_rules(const char *s, struct ipnf_snmp_rules *r,
			const char **err)
{
	const char *b, *e;

	memset(r, 0, sizeof(*r));
	while (ipnf_next_item(&s, &b, &e)) {
		const char *colon = ipnf_memchr(b, e, ':');
		struct ipnf_snmp_rule *x = &r->r[r->n];
		unsigned int base;

		if (r->n == IPNF_SNMP_MAX) {
			*err = "too many rules";
			return -EINVAL;
		}
		if (!colon || colon == b || colon - b >= (long)sizeof(x->name) ||
		    ipnf_parse_uint(colon + 1, e, 0x7fffffff, &base)) {
			*err = "a rule is NAME:BASE (e.g. ppp:200; name up to 15 characters)";
			return -EINVAL;
		}
		memcpy(x->name, b, colon - b);
		x->name[colon - b] = 0;
		x->len = (u8)(colon - b);
		x->base = base;
		r->n++;
	}
	return (int)r->n;
}

int ipnf_format_snmp_rules(const struct ipnf_snmp_rules *r, char *buf, int len)
{
	unsigned int i;
	int off = 0;

	if (len)
		buf[0] = 0;
	for (i = 0; i < r->n; i++)
		off = ipnf_append(len, off,
				snprintf(buf + off, len - off, "%s%s:%u",
					 off ? "," : "", r->r[i].name,
					 r->r[i].base));
	return off;
}

long ipnf_snmp_index(const struct ipnf_snmp_rules *r, const char *ifname)
{
	unsigned int i, num;
	size_t n = strlen(ifname);

	for (i = 0; i < r->n; i++) {
		const struct ipnf_snmp_rule *x = &r->r[i];

		if (n <= x->len || strncmp(ifname, x->name, x->len) ||
		    ipnf_parse_uint(ifname + x->len, ifname + n, 0x7fffffff, &num))
			continue;
		return (long)x->base + num;
	}
	return -1;
}
