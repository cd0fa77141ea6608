// SPDX-License-Identifier: GPL-2.0-only
/* Aggregation and SNMP-index rules; see rules.h. */
#include "rules.h"
#include "options.h"

/* The next comma-separated item of *s, trimmed, as [*b, *e); false at the end. */
static bool nf_next_item(const char **s, const char **b, const char **e)
{
	while (**s) {
		const char *n = *s + strcspn(*s, ",");

		*b = *s;
		*e = n;
		*s = *n ? n + 1 : n;
		nf_trim(b, e);
		if (*b != *e)
			return true;
	}
	return false;
}

static u32 nf_prefix_mask(unsigned int len)
{
	return len ? ~0u << (32 - len) : 0;
}

static int nf_parse_aggr_one(const char *b, const char *e, struct nf_aggr *a,
			     const char **err)
{
	const char *eq = nf_memchr(b, e, '='), *sl, *dash;
	unsigned int len, to, lo, hi = 0;
	u8 addr[4];

	if (!eq) {
		*err = "a rule is NET/LEN=TO or PORT[-PORT]=TO";
		return -EINVAL;
	}
	sl = nf_memchr(b, eq, '/');
	if (sl) {
		if (!nf_pton4(b, (int)(sl - b), addr) ||
		    nf_parse_uint(sl + 1, eq, 32, &len) ||
		    nf_parse_uint(eq + 1, e, 32, &to)) {
			*err = "bad netmask rule (IPv4 NET/LEN=TO, LEN and TO 0..32)";
			return -EINVAL;
		}
		if (a->nnet == NF_AGGR_MAX) {
			*err = "too many netmask rules";
			return -EINVAL;
		}
		a->net[a->nnet].mask = nf_prefix_mask(len);
		a->net[a->nnet].addr = nf_get32(addr) & a->net[a->nnet].mask;
		a->net[a->nnet].len = (u8)len;
		a->net[a->nnet].to = (u8)to;
		a->net[a->nnet].to_mask = nf_prefix_mask(to);
		a->nnet++;
		return 0;
	}
	dash = nf_memchr(b, eq, '-');
	if (nf_parse_uint(b, dash ? dash : eq, 65535, &lo) ||
	    (dash && nf_parse_uint(dash + 1, eq, 65535, &hi)) ||
	    nf_parse_uint(eq + 1, e, 65535, &to) || (dash && hi < lo)) {
		*err = "bad port rule (PORT[-PORT]=TO, ports 0..65535, low first)";
		return -EINVAL;
	}
	if (a->nport == NF_AGGR_MAX) {
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

int nf_parse_aggr(const char *s, struct nf_aggr *a, const char **err)
{
	const char *b, *e;

	memset(a, 0, sizeof(*a));
	while (nf_next_item(&s, &b, &e))
		if (nf_parse_aggr_one(b, e, a, err))
			return -EINVAL;
	return (int)(a->nnet + a->nport);
}

/* The new end after appending n more characters: capped inside buf. */
static int nf_append(int len, int off, int n)
{
	return off + n < len ? off + n : (len ? len - 1 : 0);
}

int nf_format_aggr(const struct nf_aggr *a, char *buf, int len)
{
	unsigned int i;
	int off = 0;

	if (len)
		buf[0] = 0;
	for (i = 0; i < a->nnet; i++) {
		const struct nf_aggr_net *n = &a->net[i];

		off = nf_append(len, off,
				snprintf(buf + off, len - off, "%s%u.%u.%u.%u/%u=%u",
					 off ? "," : "", n->addr >> 24,
					 n->addr >> 16 & 0xff, n->addr >> 8 & 0xff,
					 n->addr & 0xff, n->len, n->to));
	}
	for (i = 0; i < a->nport; i++) {
		const struct nf_aggr_port *p = &a->port[i];

		if (p->lo == p->hi)
			off = nf_append(len, off,
					snprintf(buf + off, len - off, "%s%u=%u",
						 off ? "," : "", p->lo, p->to));
		else
			off = nf_append(len, off,
					snprintf(buf + off, len - off, "%s%u-%u=%u",
						 off ? "," : "", p->lo, p->hi,
						 p->to));
	}
	return off;
}

static bool nf_aggr_addr(const struct nf_aggr *a, __be32 *addr)
{
	u32 v = nf_get32((const u8 *)addr);
	unsigned int i;

	for (i = 0; i < a->nnet; i++) {
		const struct nf_aggr_net *n = &a->net[i];

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

static bool nf_aggr_port(const struct nf_aggr *a, u16 *port)
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

bool nf_aggr_apply(const struct nf_aggr *a, struct nf_flow_key *k)
{
	bool changed = false;

	if (k->family == NF_FAM_V4 && a->nnet) {
		changed |= nf_aggr_addr(a, &k->a.v4.src);
		changed |= nf_aggr_addr(a, &k->a.v4.dst);
	}
	if (a->nport && (k->proto == 6 || k->proto == 17 || k->proto == 33 ||
			 k->proto == 132 || k->proto == 136)) {
		changed |= nf_aggr_port(a, &k->sport);
		changed |= nf_aggr_port(a, &k->dport);
	}
	return changed;
}

int nf_parse_snmp_rules(const char *s, struct nf_snmp_rules *r,
			const char **err)
{
	const char *b, *e;

	memset(r, 0, sizeof(*r));
	while (nf_next_item(&s, &b, &e)) {
		const char *colon = nf_memchr(b, e, ':');
		struct nf_snmp_rule *x = &r->r[r->n];
		unsigned int base;

		if (r->n == NF_SNMP_MAX) {
			*err = "too many rules";
			return -EINVAL;
		}
		if (!colon || colon == b || colon - b >= (long)sizeof(x->name) ||
		    nf_parse_uint(colon + 1, e, 0x7fffffff, &base)) {
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

int nf_format_snmp_rules(const struct nf_snmp_rules *r, char *buf, int len)
{
	unsigned int i;
	int off = 0;

	if (len)
		buf[0] = 0;
	for (i = 0; i < r->n; i++)
		off = nf_append(len, off,
				snprintf(buf + off, len - off, "%s%s:%u",
					 off ? "," : "", r->r[i].name,
					 r->r[i].base));
	return off;
}

long nf_snmp_index(const struct nf_snmp_rules *r, const char *ifname)
{
	unsigned int i, num;
	size_t n = strlen(ifname);

	for (i = 0; i < r->n; i++) {
		const struct nf_snmp_rule *x = &r->r[i];

		if (n <= x->len || strncmp(ifname, x->name, x->len) ||
		    nf_parse_uint(ifname + x->len, ifname + n, 0x7fffffff, &num))
			continue;
		return (long)x->base + num;
	}
	return -1;
}
