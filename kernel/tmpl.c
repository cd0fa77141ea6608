// SPDX-License-Identifier: GPL-2.0-only
/*
 * Templates and PDU building for NetFlow v9 and IPFIX.  Pure: byte-exact
 * output and template/data consistency are checked in userspace tests.
 */
#include "tmpl.h"
#include "flow_rec.h"

#define F(id, len) { IPNF_IE_##id, len }

/* ---- data templates: the common head, then what the shape adds ---- */
static const struct ipnf_field ipnf_v9_v4_ports[] = {
	F(SRC4, 4), F(DST4, 4), F(SPORT, 2), F(DPORT, 2), F(PROTO, 1),
	F(TOS, 1), F(TCP_FLAGS, 1), F(IIF, 4), F(OIF, 4), F(OCTETS, 8),
	F(PACKETS, 8), F(FIRST_UPTIME, 4), F(LAST_UPTIME, 4), F(IP_VERSION, 1),
};
static const struct ipnf_field ipnf_v9_v4_icmp[] = {
	F(SRC4, 4), F(DST4, 4), F(ICMP4, 2), F(PROTO, 1), F(TOS, 1),
	F(IIF, 4), F(OIF, 4), F(OCTETS, 8), F(PACKETS, 8), F(FIRST_UPTIME, 4),
	F(LAST_UPTIME, 4), F(IP_VERSION, 1),
};
static const struct ipnf_field ipnf_v9_v4_plain[] = {
	F(SRC4, 4), F(DST4, 4), F(PROTO, 1), F(TOS, 1), F(IIF, 4), F(OIF, 4),
	F(OCTETS, 8), F(PACKETS, 8), F(FIRST_UPTIME, 4), F(LAST_UPTIME, 4),
	F(IP_VERSION, 1),
};
static const struct ipnf_field ipnf_v9_v6_ports[] = {
	F(SRC6, 16), F(DST6, 16), F(SPORT, 2), F(DPORT, 2), F(PROTO, 1),
	F(TOS, 1), F(TCP_FLAGS, 1), F(IIF, 4), F(OIF, 4),
	F(OCTETS, 8), F(PACKETS, 8), F(FIRST_UPTIME, 4), F(LAST_UPTIME, 4),
	F(IP_VERSION, 1),
};
/* v9 collectors (nfdump) know ICMP_TYPE (32) for both families */
static const struct ipnf_field ipnf_v9_v6_icmp[] = {
	F(SRC6, 16), F(DST6, 16), F(ICMP4, 2), F(PROTO, 1), F(TOS, 1),
	F(IIF, 4), F(OIF, 4), F(OCTETS, 8), F(PACKETS, 8),
	F(FIRST_UPTIME, 4), F(LAST_UPTIME, 4), F(IP_VERSION, 1),
};
static const struct ipnf_field ipnf_v9_v6_plain[] = {
	F(SRC6, 16), F(DST6, 16), F(PROTO, 1), F(TOS, 1),
	F(IIF, 4), F(OIF, 4), F(OCTETS, 8), F(PACKETS, 8), F(FIRST_UPTIME, 4),
	F(LAST_UPTIME, 4), F(IP_VERSION, 1),
};

static const struct ipnf_field ipnf_fx_v4_ports[] = {
	F(SRC4, 4), F(DST4, 4), F(SPORT, 2), F(DPORT, 2), F(PROTO, 1),
	F(TOS, 1), F(TCP_FLAGS, 1), F(IIF, 4), F(OIF, 4), F(OCTETS, 8),
	F(PACKETS, 8), F(START_MS, 8), F(END_MS, 8), F(END_REASON, 1),
	F(IP_VERSION, 1),
};
static const struct ipnf_field ipnf_fx_v4_icmp[] = {
	F(SRC4, 4), F(DST4, 4), F(ICMP4, 2), F(PROTO, 1), F(TOS, 1),
	F(IIF, 4), F(OIF, 4), F(OCTETS, 8), F(PACKETS, 8), F(START_MS, 8),
	F(END_MS, 8), F(END_REASON, 1), F(IP_VERSION, 1),
};
static const struct ipnf_field ipnf_fx_v4_plain[] = {
	F(SRC4, 4), F(DST4, 4), F(PROTO, 1), F(TOS, 1), F(IIF, 4), F(OIF, 4),
	F(OCTETS, 8), F(PACKETS, 8), F(START_MS, 8), F(END_MS, 8),
	F(END_REASON, 1), F(IP_VERSION, 1),
};
static const struct ipnf_field ipnf_fx_v6_ports[] = {
	F(SRC6, 16), F(DST6, 16), F(SPORT, 2), F(DPORT, 2), F(PROTO, 1),
	F(TOS, 1), F(TCP_FLAGS, 1), F(IIF, 4), F(OIF, 4),
	F(OCTETS, 8), F(PACKETS, 8), F(START_MS, 8), F(END_MS, 8),
	F(END_REASON, 1), F(IP_VERSION, 1),
};
static const struct ipnf_field ipnf_fx_v6_icmp[] = {
	F(SRC6, 16), F(DST6, 16), F(ICMP6, 2), F(PROTO, 1), F(TOS, 1),
	F(IIF, 4), F(OIF, 4), F(OCTETS, 8), F(PACKETS, 8),
	F(START_MS, 8), F(END_MS, 8), F(END_REASON, 1), F(IP_VERSION, 1),
};
static const struct ipnf_field ipnf_fx_v6_plain[] = {
	F(SRC6, 16), F(DST6, 16), F(PROTO, 1), F(TOS, 1),
	F(IIF, 4), F(OIF, 4), F(OCTETS, 8), F(PACKETS, 8), F(START_MS, 8),
	F(END_MS, 8), F(END_REASON, 1), F(IP_VERSION, 1),
};

/* NAT events (RFC 8158 NAT44 session create / delete), v9 and IPFIX alike */
static const struct ipnf_field ipnf_nat4[] = {
	F(OBS_TIME_MS, 8), F(SRC4, 4), F(DST4, 4), F(SPORT, 2), F(DPORT, 2),
	F(POST_SRC4, 4), F(POST_DST4, 4), F(POST_SPORT, 2), F(POST_DPORT, 2),
	F(PROTO, 1), F(NAT_EVENT, 1),
};

/* ---- options templates (first field(s): scope) ---- */
static const struct ipnf_field ipnf_v9_opt_stats[] = {
	{ IPNF_V9_SCOPE_SYSTEM, 4 },
	F(EXP_OCTETS, 8), F(EXP_MSGS, 8), F(EXP_FLOWS, 8), F(PACKET_TOTAL, 8),
	F(OCTET_TOTAL, 8), F(IGN_PKTS, 8), F(IGN_OCTETS, 8),
	F(NOTSENT_FLOWS, 8), F(NOTSENT_PKTS, 8), F(NOTSENT_OCTETS, 8),
};
static const struct ipnf_field ipnf_fx_opt_stats[] = {
	F(OBS_DOMAIN, 4),
	F(EXP_OCTETS, 8), F(EXP_MSGS, 8), F(EXP_FLOWS, 8), F(PACKET_TOTAL, 8),
	F(OCTET_TOTAL, 8), F(IGN_PKTS, 8), F(IGN_OCTETS, 8),
	F(NOTSENT_FLOWS, 8), F(NOTSENT_PKTS, 8), F(NOTSENT_OCTETS, 8),
	F(INIT_MS, 8),
};
static const struct ipnf_field ipnf_v9_opt_sampler[] = {
	{ IPNF_V9_SCOPE_SYSTEM, 4 },
	F(SAMPLING_INTERVAL, 4), F(SAMPLING_ALGORITHM, 1),
	F(SAMPLER_MODE, 1), F(SAMPLER_INTERVAL, 4),
};
static const struct ipnf_field ipnf_fx_opt_sampler[] = {
	F(OBS_DOMAIN, 4),
	F(SAMPLING_INTERVAL, 4), F(SAMPLING_ALGORITHM, 1),
	F(SAMPLER_MODE, 1), F(SAMPLER_INTERVAL, 4),
};
static const struct ipnf_field ipnf_v9_opt_iface[] = {
	{ IPNF_V9_SCOPE_IFACE, 4 },
	F(IF_NAME, IPNF_IFNAME_LEN), F(IF_DESCR, IPNF_IFDESCR_LEN),
};
static const struct ipnf_field ipnf_fx_opt_iface[] = {
	F(OBS_DOMAIN, 4), F(IIF, 4),
	F(IF_NAME, IPNF_IFNAME_LEN), F(IF_DESCR, IPNF_IFDESCR_LEN),
};

#define T(tid, nscope, arr) { tid, nscope, ARRAY_SIZE(arr), arr }
#define TX(tid, nscope, arr) T(tid + IPNF_T_IPFIX_SHIFT, nscope, arr)
static const struct ipnf_tmpl ipnf_v9_tmpls[IPNF_T_COUNT] = {
	T(IPNF_T_V4_PORTS, 0, ipnf_v9_v4_ports), T(IPNF_T_V4_ICMP, 0, ipnf_v9_v4_icmp),
	T(IPNF_T_V4_PLAIN, 0, ipnf_v9_v4_plain), T(IPNF_T_V6_PORTS, 0, ipnf_v9_v6_ports),
	T(IPNF_T_V6_ICMP, 0, ipnf_v9_v6_icmp), T(IPNF_T_V6_PLAIN, 0, ipnf_v9_v6_plain),
	T(IPNF_T_NAT4, 0, ipnf_nat4),
	T(IPNF_T_OPT_STATS, 1, ipnf_v9_opt_stats),
	T(IPNF_T_OPT_SAMPLER, 1, ipnf_v9_opt_sampler),
	T(IPNF_T_OPT_IFACE, 1, ipnf_v9_opt_iface),
};
static const struct ipnf_tmpl ipnf_fx_tmpls[IPNF_T_COUNT] = {
	TX(IPNF_T_V4_PORTS, 0, ipnf_fx_v4_ports), TX(IPNF_T_V4_ICMP, 0, ipnf_fx_v4_icmp),
	TX(IPNF_T_V4_PLAIN, 0, ipnf_fx_v4_plain), TX(IPNF_T_V6_PORTS, 0, ipnf_fx_v6_ports),
	TX(IPNF_T_V6_ICMP, 0, ipnf_fx_v6_icmp), TX(IPNF_T_V6_PLAIN, 0, ipnf_fx_v6_plain),
	TX(IPNF_T_NAT4, 0, ipnf_nat4),
	TX(IPNF_T_OPT_STATS, 1, ipnf_fx_opt_stats),
	TX(IPNF_T_OPT_SAMPLER, 1, ipnf_fx_opt_sampler),
	TX(IPNF_T_OPT_IFACE, 2, ipnf_fx_opt_iface),
};

unsigned int ipnf_tmpl_rec_len(const struct ipnf_tmpl *t)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->nfields; i++)
		n += t->f[i].len;
	return n;
}

const struct ipnf_tmpl *ipnf_tmpl_get(int version, unsigned int id)
{
	if (id < IPNF_T_FIRST || id >= IPNF_T_END || (version != 9 && version != 10))
		return NULL;
	return &(version == 9 ? ipnf_v9_tmpls : ipnf_fx_tmpls)[id - IPNF_T_FIRST];
}

static bool ipnf_has_ports(u8 proto)
{
	/* TCP, UDP, DCCP, SCTP, UDP-Lite: what the key parser fills ports for */
	return proto == 6 || proto == 17 || proto == 33 || proto == 132 ||
	       proto == 136;
}

static __always_inline unsigned int ipnf_tmpl_shape_key(const struct ipnf_flow_key *k)
{
	unsigned int base = k->family == IPNF_FAM_V6 ? IPNF_T_V6_PORTS : IPNF_T_V4_PORTS;
	u8 proto = k->proto;

	if (ipnf_has_ports(proto))
		return base;
	if ((k->family == IPNF_FAM_V4 && proto == 1) ||
	    (k->family == IPNF_FAM_V6 && proto == 58))
		return base + 1;
	return base + 2;
}

unsigned int ipnf_tmpl_shape(const struct ipnf_exp_rec *r)
{
	return ipnf_tmpl_shape_key(&r->key);
}

/* ---- optional blocks and the templates made with them ---- */

struct ipnf_block_def {
	u8 n;
	struct ipnf_field f[4];
};

static const struct ipnf_block_def ipnf_blocks[IPNF_B_COUNT] = {
	[IPNF_B_LABEL] = { 1, { F(LABEL6, 4) } },
	[IPNF_B_EXTHDR] = { 1, { F(EXTHDRS6, 4) } },
	[IPNF_B_IPOPT] = { 1, { F(IPV4_OPTS, 4) } },
	[IPNF_B_TCPOPT] = { 1, { F(TCP_OPTS, 8) } },
	[IPNF_B_MAC] = { 2, { F(SRC_MAC, 6), F(DST_MAC, 6) } },
	[IPNF_B_VLAN] = { 3, { F(VLAN, 2), F(VLAN_PRIO, 1), F(VLAN_ID, 2) } },
	[IPNF_B_QINQ] = { 2, { F(CVLAN, 2), F(CVLAN_PRIO, 1) } },
	[IPNF_B_ETH] = { 1, { F(ETH_TYPE, 2) } },
	[IPNF_B_DIR] = { 1, { F(DIRECTION, 1) } },
	[IPNF_B_PHYS] = { 2, { F(PHYS_IN, 4), F(PHYS_OUT, 4) } },
	[IPNF_B_VRF] = { 2, { F(VRF_IN, 4), F(VRF_OUT, 4) } },
	[IPNF_B_NAT] = { 4, { F(POST_SRC4, 4), F(POST_DST4, 4), F(POST_SPORT, 2),
			    F(POST_DPORT, 2) } },
};

/* IPNF_B_NAT in an IPv6 shape: the IPv6 addresses */
static const struct ipnf_block_def ipnf_block_nat6 = {
	4, { F(POST_SRC6, 16), F(POST_DST6, 16), F(POST_SPORT, 2), F(POST_DPORT, 2) }
};

static const struct ipnf_block_def *ipnf_block(unsigned int b, unsigned int shape)
{
	if (b == IPNF_B_NAT && shape >= IPNF_T_V6_PORTS)
		return &ipnf_block_nat6;
	return &ipnf_blocks[b];
}

/* The values that decide a record's blocks, besides its key. */
struct ipnf_rec_blocks {
	u32 label, ip_opts;
	u64 tcp_opts;
	u32 physin, physout;
	u32 vrf_in, vrf_out;
	u8 nat;
};

static __always_inline unsigned int ipnf_tmpl_mask_of(const struct ipnf_flow_key *k,
						     const struct ipnf_rec_blocks *r)
{
	bool v6 = k->family == IPNF_FAM_V6;
	unsigned int m = 0;

	if (v6 && r->label)
		m |= 1u << IPNF_B_LABEL;
	if (r->ip_opts)
		m |= 1u << (v6 ? IPNF_B_EXTHDR : IPNF_B_IPOPT);
	if (k->proto == 6 && r->tcp_opts)
		m |= 1u << IPNF_B_TCPOPT;
#ifdef ENABLE_MAC
	{
		static const u8 zero[6];

		if (memcmp(k->smac, zero, 6) || memcmp(k->dmac, zero, 6))
			m |= 1u << IPNF_B_MAC;
	}
#endif
#ifdef ENABLE_VLAN
	if (k->vlan[0])
		m |= 1u << IPNF_B_VLAN;
	if (k->vlan[1])
		m |= 1u << IPNF_B_QINQ;
#endif
	if (m & (1u << IPNF_B_MAC | 1u << IPNF_B_VLAN))
		m |= 1u << IPNF_B_ETH;
	if (k->dir != IPNF_DIR_NONE)
		m |= 1u << IPNF_B_DIR;
	if (r->physin || r->physout)
		m |= 1u << IPNF_B_PHYS;
	if (r->vrf_in || r->vrf_out)
		m |= 1u << IPNF_B_VRF;
	if (r->nat)
		m |= 1u << IPNF_B_NAT;
#ifdef ENABLE_PROMISC_MPLS
	if (k->mpls[0])
		m |= 1u << IPNF_B_MPLS;
#endif
	return m;
}

unsigned int ipnf_tmpl_mask(const struct ipnf_exp_rec *r)
{
	struct ipnf_rec_blocks b = {
		.label = r->label, .ip_opts = r->ip_opts, .tcp_opts = r->tcp_opts,
		.physin = r->physin, .physout = r->physout,
		.vrf_in = r->vrf_in, .vrf_out = r->vrf_out, .nat = r->nat,
	};

	return ipnf_tmpl_mask_of(&r->key, &b);
}

void ipnf_tmpl_cache_init(struct ipnf_tmpl_cache *c, int version)
{
	memset(c, 0, sizeof(*c));
	c->version = version;
}

static const struct ipnf_tmpl *ipnf_tmpl_make(struct ipnf_tmpl_cache *c,
					  const struct ipnf_tmpl *base,
					  unsigned int shape, unsigned int mask)
{
	struct ipnf_tmpl_dyn *d = &c->dyn[c->n];
	unsigned int b, i, n = base->nfields;

	memcpy(d->f, base->f, n * sizeof(*d->f));
	for (b = 0; b < IPNF_B_COUNT; b++) {
		if (!(mask & (1u << b)))
			continue;
		for (i = 0; i < ipnf_block(b, shape)->n; i++)
			d->f[n++] = ipnf_block(b, shape)->f[i];
	}
#ifdef ENABLE_PROMISC_MPLS
	/* the label stack: as many 3-byte entries as configured */
	for (i = 0; (mask & (1u << IPNF_B_MPLS)) && i < ENABLE_PROMISC_MPLS; i++) {
		d->f[n].id = IPNF_IE_MPLS_TOP + i;
		d->f[n++].len = 3;
	}
#endif
	d->t.id = (c->version == 9 ? IPNF_T_DYN_V9 : IPNF_T_DYN_IPFIX) + c->n;
	d->t.nscope = 0;
	d->t.nfields = n;
	d->t.f = d->f;
	c->idx[shape - IPNF_T_FIRST][mask] = ++c->n;
	return &d->t;
}

const struct ipnf_tmpl *ipnf_tmpl_pick(struct ipnf_tmpl_cache *c, int version,
				   unsigned int shape, unsigned int mask)
{
	const struct ipnf_tmpl *base = ipnf_tmpl_get(version, shape);
	unsigned int i;

	if (!c || c->version != version || !mask)
		return base;
	i = c->idx[shape - IPNF_T_FIRST][mask];
	if (i)
		return &c->dyn[i - 1].t;
	if (c->n == IPNF_TD_MAX) {
		c->overflow++;
		return base;
	}
	return ipnf_tmpl_make(c, base, shape, mask);
}

const struct ipnf_tmpl *ipnf_tmpl_for(struct ipnf_tmpl_cache *c, int version,
				  const struct ipnf_exp_rec *r)
{
	return ipnf_tmpl_pick(c, version, ipnf_tmpl_shape(r), ipnf_tmpl_mask(r));
}

/* ---- PDU building ---- */

void ipnf_pdu_begin(struct ipnf_pdu *p, int version, u8 *buf, unsigned int cap)
{
	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->cap = cap;
	p->version = version;
	p->len = version == 9 ? IPNF_V9_HDR_LEN : IPNF_IPFIX_HDR_LEN;
}

static void ipnf_set_close(struct ipnf_pdu *p)
{
	if (!p->set_off)
		return;
	/* v9: the next FlowSet starts 4-byte aligned (RFC 3954 section 5.2) */
	if (p->version == 9)
		while ((p->len - p->set_off) & 3)
			p->buf[p->len++] = 0;
	ipnf_put16(p->buf + p->set_off + 2, (u16)(p->len - p->set_off));
	p->set_off = 0;
}

/* A new set with this id, need more bytes fitting after its header. */
static int ipnf_set_open(struct ipnf_pdu *p, unsigned int id, unsigned int need)
{
	unsigned int pad = 0;

	if (p->set_off && p->version == 9)
		pad = (4 - ((p->len - p->set_off) & 3)) & 3;
	if (p->len + pad + 4 + need + (p->version == 9 ? 3 : 0) > p->cap)
		return -ENOSPC;
	ipnf_set_close(p);
	p->set_off = p->len;
	p->set_id = id;
	ipnf_put16(p->buf + p->len, (u16)id);
	p->len += 4;
	return 0;
}

/* Make sure a set with this id is open and need more bytes fit after it. */
static __always_inline int ipnf_set_want(struct ipnf_pdu *p, unsigned int id,
					unsigned int need)
{
	if (p->set_off && p->set_id == id)
		/* v9 padding of the set still to come: up to 3 bytes */
		return p->len + need + (p->version == 9 ? 3 : 0) > p->cap ? -ENOSPC : 0;
	return ipnf_set_open(p, id, need);
}

static unsigned int ipnf_tmpl_rec_size(const struct ipnf_tmpl *t)
{
	/* v9 options: id, scope length, options length; IPFIX options: id,
	 * field count, scope count; plain templates: id, field count */
	return (t->nscope ? 6 : 4) + 4 * t->nfields;
}

static void ipnf_put_tmpl(struct ipnf_pdu *p, const struct ipnf_tmpl *t)
{
	u8 *b = p->buf + p->len;
	unsigned int i;

	ipnf_put16(b, t->id);
	if (t->nscope && p->version == 9) {
		ipnf_put16(b + 2, 4 * t->nscope);
		ipnf_put16(b + 4, 4 * (t->nfields - t->nscope));
		b += 6;
	} else if (t->nscope) {
		ipnf_put16(b + 2, t->nfields);
		ipnf_put16(b + 4, t->nscope);
		b += 6;
	} else {
		ipnf_put16(b + 2, t->nfields);
		b += 4;
	}
	for (i = 0; i < t->nfields; i++, b += 4) {
		ipnf_put16(b, t->f[i].id);
		ipnf_put16(b + 2, t->f[i].len);
	}
	p->len = b - p->buf;
	p->records++;
}

/*
 * Template number i of all: the fixed data templates, those of p->tc, then
 * the options templates (last: pmacct stops reading a PDU at an options
 * template it cannot parse, so nothing else should follow them).
 */
static const struct ipnf_tmpl *ipnf_tmpl_nth(const struct ipnf_pdu *p,
					 unsigned int i)
{
	unsigned int ndyn = p->tc && p->tc->version == p->version ? p->tc->n : 0;

	if (i < IPNF_T_DATA_COUNT)
		return ipnf_tmpl_get(p->version, IPNF_T_FIRST + i);
	i -= IPNF_T_DATA_COUNT;
	if (i < ndyn)
		return &p->tc->dyn[i].t;
	i -= ndyn;
	if (i < IPNF_T_COUNT - IPNF_T_DATA_COUNT)
		return ipnf_tmpl_get(p->version, IPNF_T_OPT_STATS + i);
	return NULL;
}

int ipnf_pdu_add_tmpls(struct ipnf_pdu *p, unsigned int *next)
{
	const struct ipnf_tmpl *t;
	unsigned int set;

	for (; (t = ipnf_tmpl_nth(p, *next)); (*next)++) {
		/* IPFIX template sets are 2 and 3, v9 ones 0 and 1 */
		set = (t->nscope ? 1 : 0) + (p->version == 9 ? 0 : 2);
		if (ipnf_set_want(p, set, ipnf_tmpl_rec_size(t)))
			return -ENOSPC;
		ipnf_put_tmpl(p, t);
	}
	ipnf_set_close(p);
	return 0;
}

int ipnf_pdu_add_templates(struct ipnf_pdu *p)
{
	struct ipnf_pdu saved = *p;
	unsigned int next = 0;

	if (!ipnf_pdu_add_tmpls(p, &next))
		return 0;
	*p = saved;	/* all or nothing: forget the partial sets */
	return -ENOSPC;
}

void ipnf_put_flow_field(u8 *b, const struct ipnf_field *f,
		       const struct ipnf_exp_rec *r)
{
	const struct ipnf_flow_key *k = &r->key;

	switch (f->id) {
	case IPNF_IE_SRC4:
		memcpy(b, &k->a.v4.src, 4);
		break;
	case IPNF_IE_DST4:
		memcpy(b, &k->a.v4.dst, 4);
		break;
	case IPNF_IE_SRC6:
		memcpy(b, k->a.v6.src, 16);
		break;
	case IPNF_IE_DST6:
		memcpy(b, k->a.v6.dst, 16);
		break;
	case IPNF_IE_SPORT:
		ipnf_put16(b, k->sport);
		break;
	case IPNF_IE_DPORT:
	case IPNF_IE_ICMP4:
	case IPNF_IE_ICMP6:	/* the key keeps type << 8 | code there */
		ipnf_put16(b, k->dport);
		break;
	case IPNF_IE_PROTO:
		*b = k->proto;
		break;
	case IPNF_IE_TOS:
		*b = k->tos;
		break;
	case IPNF_IE_TCP_FLAGS:
		*b = r->tcp_flags;
		break;
	case IPNF_IE_IIF:
		ipnf_put32(b, k->iif);
		break;
	case IPNF_IE_OIF:
		ipnf_put32(b, r->oif);
		break;
	case IPNF_IE_OCTETS:
		ipnf_put64(b, r->bytes);
		break;
	case IPNF_IE_PACKETS:
		ipnf_put64(b, r->packets);
		break;
	case IPNF_IE_FIRST_UPTIME:
		ipnf_put32(b, r->first_ms);
		break;
	case IPNF_IE_LAST_UPTIME:
		ipnf_put32(b, r->last_ms);
		break;
	case IPNF_IE_START_MS:
		ipnf_put64(b, r->start_abs_ms);
		break;
	case IPNF_IE_END_MS:
		ipnf_put64(b, r->end_abs_ms);
		break;
	case IPNF_IE_END_REASON:
		*b = r->end_reason;
		break;
	case IPNF_IE_IP_VERSION:
		*b = k->family;
		break;
	case IPNF_IE_LABEL6:
		ipnf_put32(b, r->label);
		break;
	case IPNF_IE_EXTHDRS6:
	case IPNF_IE_IPV4_OPTS:
		ipnf_put32(b, r->ip_opts);
		break;
	case IPNF_IE_TCP_OPTS:
		ipnf_put64(b, r->tcp_opts);
		break;
#ifdef ENABLE_MAC
	case IPNF_IE_SRC_MAC:
		memcpy(b, k->smac, 6);
		break;
	case IPNF_IE_DST_MAC:
		memcpy(b, k->dmac, 6);
		break;
#endif
#ifdef ENABLE_VLAN
	case IPNF_IE_VLAN:	/* TCI: PCP (3 bits), DEI, VID (12 bits) */
	case IPNF_IE_VLAN_ID:
	case IPNF_IE_CVLAN:
		ipnf_put16(b, k->vlan[f->id == IPNF_IE_CVLAN] & 0x0fff);
		break;
	case IPNF_IE_VLAN_PRIO:
	case IPNF_IE_CVLAN_PRIO:
		*b = k->vlan[f->id == IPNF_IE_CVLAN_PRIO] >> 13;
		break;
#endif
	case IPNF_IE_ETH_TYPE:
		ipnf_put16(b, k->family == IPNF_FAM_V6 ? 0x86dd : 0x0800);
		break;
	case IPNF_IE_DIRECTION:	/* 0 ingress, 1 egress, 255 undefined */
		*b = k->dir == IPNF_DIR_IN ? 0 : k->dir == IPNF_DIR_OUT ? 1 : 255;
		break;
	case IPNF_IE_PHYS_IN:
		ipnf_put32(b, r->physin);
		break;
	case IPNF_IE_PHYS_OUT:
		ipnf_put32(b, r->physout);
		break;
	case IPNF_IE_VRF_IN:
		ipnf_put32(b, r->vrf_in);
		break;
	case IPNF_IE_VRF_OUT:
		ipnf_put32(b, r->vrf_out);
		break;
	case IPNF_IE_POST_SRC4:
	case IPNF_IE_POST_SRC6:
		memcpy(b, r->post.src, f->len);
		break;
	case IPNF_IE_POST_DST4:
	case IPNF_IE_POST_DST6:
		memcpy(b, r->post.dst, f->len);
		break;
	case IPNF_IE_POST_SPORT:
		ipnf_put16(b, r->post.sport);
		break;
	case IPNF_IE_POST_DPORT:
		ipnf_put16(b, r->post.dport);
		break;
#ifdef ENABLE_PROMISC_MPLS
	case IPNF_IE_MPLS_TOP ... IPNF_IE_MPLS_TOP + ENABLE_PROMISC_MPLS - 1:
		/* label (20 bits), traffic class (3), bottom of stack (1) */
		b[0] = k->mpls[f->id - IPNF_IE_MPLS_TOP] >> 24;
		b[1] = k->mpls[f->id - IPNF_IE_MPLS_TOP] >> 16;
		b[2] = k->mpls[f->id - IPNF_IE_MPLS_TOP] >> 8;
		break;
#endif
	default:
		memset(b, 0, f->len);
	}
}

typedef void (*ipnf_put_fn)(u8 *b, const struct ipnf_field *f, const void *v);

static int ipnf_pdu_add_rec(struct ipnf_pdu *p, const struct ipnf_tmpl *t,
			  ipnf_put_fn put, const void *v)
{
	unsigned int i, len;
	u8 *b;

	if (!t)
		return -EINVAL;
	len = ipnf_tmpl_rec_len(t);
	if (ipnf_set_want(p, t->id, len))
		return -ENOSPC;
	b = p->buf + p->len;
	for (i = 0; i < t->nfields; i++) {
		put(b, &t->f[i], v);
		b += t->f[i].len;
	}
	p->len += len;
	p->records++;
	p->data_records++;
	return 0;
}

/*
 * The fields every flow template starts with (its shape's fixed template),
 * written straight: the field tables above, unrolled for one version and
 * shape (the compiler makes one body per pair, see ipnf_put_head).  Checked
 * byte for byte against the table walk (ipnf_put_flow_field) in
 * tests/tmpl_test.cc.
 */
static __always_inline u8 *ipnf_put_head_as(u8 *b, const struct ipnf_rec_head *h,
					  bool ipfix, bool v6, int l4)
{
	const struct ipnf_flow_key *k = h->key;

	if (v6) {
		memcpy(b, k->a.v6.src, 16);
		memcpy(b + 16, k->a.v6.dst, 16);
		b += 32;
	} else {
		memcpy(b, &k->a.v4.src, 4);
		memcpy(b + 4, &k->a.v4.dst, 4);
		b += 8;
	}
	if (l4 == 0) {			/* ports */
		ipnf_put16(b, k->sport);
		ipnf_put16(b + 2, k->dport);
		b += 4;
	} else if (l4 == 1) {		/* ICMP type and code */
		ipnf_put16(b, k->dport);
		b += 2;
	}
	b[0] = k->proto;
	b[1] = k->tos;
	b += 2;
	if (l4 == 0)
		*b++ = h->tcp_flags;
	ipnf_put32(b, k->iif);
	ipnf_put32(b + 4, h->oif);
	ipnf_put64(b + 8, h->bytes);
	ipnf_put64(b + 16, h->packets);
	b += 24;
	if (ipfix) {
		ipnf_put64(b, h->start_abs_ms);
		ipnf_put64(b + 8, h->end_abs_ms);
		b[16] = h->end_reason;
		b += 17;
	} else {
		ipnf_put32(b, h->first_ms);
		ipnf_put32(b + 4, h->last_ms);
		b += 8;
	}
	*b++ = k->family;
	return b;
}

#define IPNF_HEAD(shape, ipfix, v6, l4) \
	case (shape) * 2 + (ipfix): return ipnf_put_head_as(b, h, ipfix, v6, l4)

static u8 *ipnf_put_head_of(u8 *b, const struct ipnf_rec_head *h, int version,
			  unsigned int shape)
{
	switch (shape * 2 + (version == 10)) {
	IPNF_HEAD(IPNF_T_V4_PORTS, 0, false, 0);
	IPNF_HEAD(IPNF_T_V4_PORTS, 1, false, 0);
	IPNF_HEAD(IPNF_T_V4_ICMP, 0, false, 1);
	IPNF_HEAD(IPNF_T_V4_ICMP, 1, false, 1);
	IPNF_HEAD(IPNF_T_V4_PLAIN, 0, false, 2);
	IPNF_HEAD(IPNF_T_V4_PLAIN, 1, false, 2);
	IPNF_HEAD(IPNF_T_V6_PORTS, 0, true, 0);
	IPNF_HEAD(IPNF_T_V6_PORTS, 1, true, 0);
	IPNF_HEAD(IPNF_T_V6_ICMP, 0, true, 1);
	IPNF_HEAD(IPNF_T_V6_ICMP, 1, true, 1);
	IPNF_HEAD(IPNF_T_V6_PLAIN, 0, true, 2);
	default:
		return ipnf_put_head_as(b, h, true, true, 2);
	}
}

u8 *ipnf_put_head(u8 *b, const struct ipnf_exp_rec *r, int version,
		unsigned int shape)
{
	struct ipnf_rec_head h = {
		.key = &r->key,
		.packets = r->packets,
		.bytes = r->bytes,
		.start_abs_ms = r->start_abs_ms,
		.end_abs_ms = r->end_abs_ms,
		.first_ms = r->first_ms,
		.last_ms = r->last_ms,
		.oif = r->oif,
		.tcp_flags = r->tcp_flags,
		.end_reason = r->end_reason,
	};

	return ipnf_put_head_of(b, &h, version, shape);
}

/* The template of a flow record of this shape and blocks, remembered in p. */
static const struct ipnf_tmpl *ipnf_pdu_flow_tmpl_new(struct ipnf_pdu *p, unsigned int shape,
						  unsigned int mask)
{
	const struct ipnf_tmpl *t = ipnf_tmpl_pick(p->tc, p->version, shape, mask);

	if (!t)
		return NULL;
	/* not remembered when blocks had no room: counted each time */
	p->last_t = !mask || t != ipnf_tmpl_get(p->version, shape) ? t : NULL;
	p->last_len = ipnf_tmpl_rec_len(t);
	p->last_shape = shape;
	p->last_mask = mask;
	return t;
}

static __always_inline const struct ipnf_tmpl *
ipnf_pdu_flow_tmpl(struct ipnf_pdu *p, unsigned int shape, unsigned int mask)
{
	if (shape == p->last_shape && mask == p->last_mask && p->last_t)
		return p->last_t;
	return ipnf_pdu_flow_tmpl_new(p, shape, mask);
}

static __always_inline void ipnf_pdu_flow_added(struct ipnf_pdu *p, unsigned int shape,
					       unsigned int mask, u64 packets, u64 bytes)
{
	p->len += p->last_len;
	p->records++;
	p->data_records++;
	p->flows++;
	p->pkts += packets;
	p->bytes += bytes;
	if (!mask)
		p->fixed_used |= 1u << (shape - IPNF_T_FIRST);
}

int ipnf_pdu_add_flow(struct ipnf_pdu *p, const struct ipnf_exp_rec *r)
{
	unsigned int shape = ipnf_tmpl_shape(r), mask = ipnf_tmpl_mask(r), i;
	const struct ipnf_tmpl *t = ipnf_pdu_flow_tmpl(p, shape, mask);
	u8 *b;

	if (!t)
		return -EINVAL;
	if (ipnf_set_want(p, t->id, p->last_len))
		return -ENOSPC;
	b = ipnf_put_head(p->buf + p->len, r, p->version, shape);
	/* the optional blocks, if the template has them */
	for (i = ipnf_tmpl_get(p->version, shape)->nfields; i < t->nfields; i++) {
		ipnf_put_flow_field(b, &t->f[i], r);
		b += t->f[i].len;
	}
	ipnf_pdu_flow_added(p, shape, mask, r->packets, r->bytes);
	return 0;
}

/*
 * Its head written, the record counted.  h comes by value: a local assigned
 * later would be zeroed first on kernels built with INIT_STACK_ALL_ZERO.
 */
static __always_inline void ipnf_put_flow4(struct ipnf_pdu *p, unsigned int shape,
					  const struct ipnf_rec_head h, bool ipfix)
{
	u8 *b = p->buf + p->len;

	if (shape == IPNF_T_V4_PORTS)
		ipnf_put_head_as(b, &h, ipfix, false, 0);
	else if (shape == IPNF_T_V4_ICMP)
		ipnf_put_head_as(b, &h, ipfix, false, 1);
	else
		ipnf_put_head_as(b, &h, ipfix, false, 2);
	ipnf_pdu_flow_added(p, shape, 0, h.packets, h.bytes);
}

/* One IPv4 flow straight, for one version (ipfix: 10, else 9). */
static __always_inline int ipnf_pdu_add4(struct ipnf_pdu *p, const struct ipnf_flow *f,
					const struct ipnf_export_clock *c, bool ipfix)
{
	int st = atomic_read(&f->state);
	struct ipnf_rec_blocks blk = {
		.ip_opts = (u32)atomic_read(&f->ip_opts),
		.tcp_opts = ipnf_flow_tcp_opts(f, st),
		.physin = ipnf_flow_phys(f, false),
		.physout = ipnf_flow_phys(f, true),
	};
	const struct ipnf_tmpl *t;
	unsigned int shape;

	if (f->key.family != IPNF_FAM_V4 || ipnf_tmpl_mask_of(&f->key, &blk))
		return -EAGAIN;
	shape = ipnf_tmpl_shape_key(&f->key);
	t = ipnf_pdu_flow_tmpl(p, shape, 0);
	if (!t)
		return -EINVAL;
	if (ipnf_set_want(p, t->id, p->last_len))
		return -ENOSPC;
	ipnf_put_flow4(p, shape, ipnf_head_of_flow(f, c, st), ipfix);
	return 0;
}

unsigned int ipnf_pdu_add_flows4(struct ipnf_pdu *p, struct ipnf_flow *const *v,
			       unsigned int n, const struct ipnf_export_clock *c, int *err)
{
	unsigned int i;
	int e = 0;

	for (i = 0; i < n && !e; i++)
		e = p->version == 10 ? ipnf_pdu_add4(p, v[i], c, true) :
				       ipnf_pdu_add4(p, v[i], c, false);
	*err = e;
	return e ? i - 1 : i;
}

static void ipnf_put_nat(u8 *b, const struct ipnf_field *f, const void *v)
{
	const struct ipnf_nat_rec *n = v;

	switch (f->id) {
	case IPNF_IE_OBS_TIME_MS:
		ipnf_put64(b, n->time_ms);
		break;
	case IPNF_IE_SRC4:
		memcpy(b, &n->src, 4);
		break;
	case IPNF_IE_DST4:
		memcpy(b, &n->dst, 4);
		break;
	case IPNF_IE_SPORT:
		ipnf_put16(b, n->sport);
		break;
	case IPNF_IE_DPORT:
		ipnf_put16(b, n->dport);
		break;
	case IPNF_IE_POST_SRC4:
		memcpy(b, &n->post_src, 4);
		break;
	case IPNF_IE_POST_DST4:
		memcpy(b, &n->post_dst, 4);
		break;
	case IPNF_IE_POST_SPORT:
		ipnf_put16(b, n->post_sport);
		break;
	case IPNF_IE_POST_DPORT:
		ipnf_put16(b, n->post_dport);
		break;
	case IPNF_IE_PROTO:
		*b = n->proto;
		break;
	case IPNF_IE_NAT_EVENT:
		*b = n->event;
		break;
	}
}

int ipnf_pdu_add_nat(struct ipnf_pdu *p, const struct ipnf_nat_rec *n)
{
	return ipnf_pdu_add_rec(p, ipnf_tmpl_get(p->version, IPNF_T_NAT4), ipnf_put_nat, n);
}

static void ipnf_put_stats(u8 *b, const struct ipnf_field *f, const void *v)
{
	const struct ipnf_opt_stats *s = v;
	u64 x = 0;

	switch (f->id) {
	case IPNF_V9_SCOPE_SYSTEM:	/* v9 scope; never an IPFIX id here */
	case IPNF_IE_OBS_DOMAIN:
		ipnf_put32(b, s->domain);
		return;
	case IPNF_IE_EXP_OCTETS:
		x = s->exp_octets;
		break;
	case IPNF_IE_EXP_MSGS:
		x = s->exp_msgs;
		break;
	case IPNF_IE_EXP_FLOWS:
		x = s->exp_flows;
		break;
	case IPNF_IE_PACKET_TOTAL:
		x = s->pkts;
		break;
	case IPNF_IE_OCTET_TOTAL:
		x = s->octets;
		break;
	case IPNF_IE_IGN_PKTS:
		x = s->ign_pkts;
		break;
	case IPNF_IE_IGN_OCTETS:
		x = s->ign_octets;
		break;
	case IPNF_IE_NOTSENT_FLOWS:
		x = s->notsent_flows;
		break;
	case IPNF_IE_NOTSENT_PKTS:
		x = s->notsent_pkts;
		break;
	case IPNF_IE_NOTSENT_OCTETS:
		x = s->notsent_octets;
		break;
	case IPNF_IE_INIT_MS:
		x = s->init_ms;
		break;
	}
	ipnf_put64(b, x);
}

int ipnf_pdu_add_opt_stats(struct ipnf_pdu *p, const struct ipnf_opt_stats *s)
{
	return ipnf_pdu_add_rec(p, ipnf_tmpl_get(p->version, IPNF_T_OPT_STATS),
			      ipnf_put_stats, s);
}

static void ipnf_put_sampler(u8 *b, const struct ipnf_field *f, const void *v)
{
	const struct ipnf_opt_sampler *s = v;

	switch (f->id) {
	case IPNF_V9_SCOPE_SYSTEM:
	case IPNF_IE_OBS_DOMAIN:
		ipnf_put32(b, s->domain);
		break;
	case IPNF_IE_SAMPLING_INTERVAL:
	case IPNF_IE_SAMPLER_INTERVAL:
		ipnf_put32(b, s->interval);
		break;
	case IPNF_IE_SAMPLING_ALGORITHM:
		*b = s->algorithm;
		break;
	case IPNF_IE_SAMPLER_MODE:	/* v9: 0 deterministic, 2 random */
		*b = s->algorithm == 1 ? 0 : 2;
		break;
	}
}

int ipnf_pdu_add_opt_sampler(struct ipnf_pdu *p, const struct ipnf_opt_sampler *s)
{
	return ipnf_pdu_add_rec(p, ipnf_tmpl_get(p->version, IPNF_T_OPT_SAMPLER),
			      ipnf_put_sampler, s);
}

struct ipnf_iface_val {
	u32 domain;
	const struct ipnf_opt_iface *i;
};

static void ipnf_put_str(u8 *b, const char *s, unsigned int len)
{
	unsigned int n = 0;

	while (n < len && s[n])
		n++;
	memcpy(b, s, n);
	memset(b + n, 0, len - n);
}

static void ipnf_put_iface(u8 *b, const struct ipnf_field *f, const void *v)
{
	const struct ipnf_iface_val *iv = v;

	switch (f->id) {
	case IPNF_IE_OBS_DOMAIN:
		ipnf_put32(b, iv->domain);
		break;
	case IPNF_V9_SCOPE_IFACE:
	case IPNF_IE_IIF:
		ipnf_put32(b, iv->i->ifindex);
		break;
	case IPNF_IE_IF_NAME:
		ipnf_put_str(b, iv->i->name, f->len);
		break;
	case IPNF_IE_IF_DESCR:
		ipnf_put_str(b, iv->i->descr, f->len);
		break;
	}
}

int ipnf_pdu_add_opt_iface(struct ipnf_pdu *p, u32 domain,
			 const struct ipnf_opt_iface *i)
{
	struct ipnf_iface_val iv = { domain, i };

	return ipnf_pdu_add_rec(p, ipnf_tmpl_get(p->version, IPNF_T_OPT_IFACE),
			      ipnf_put_iface, &iv);
}

unsigned int ipnf_pdu_finish(struct ipnf_pdu *p, const struct ipnf_pdu_hdr *h)
{
	u8 *b = p->buf;

	ipnf_set_close(p);
	if (p->version == 9) {
		ipnf_put16(b, 9);
		ipnf_put16(b + 2, (u16)p->records);
		ipnf_put32(b + 4, h->uptime_ms);
		ipnf_put32(b + 8, h->unix_secs);
		ipnf_put32(b + 12, h->sequence);
		ipnf_put32(b + 16, h->domain);
	} else {
		ipnf_put16(b, 10);
		ipnf_put16(b + 2, (u16)p->len);
		ipnf_put32(b + 4, h->unix_secs);
		ipnf_put32(b + 8, h->sequence);
		ipnf_put32(b + 12, h->domain);
	}
	return p->len;
}

bool ipnf_tmpl_due(const struct ipnf_tmpl_clock *c, u64 now_ms, int refresh,
		 int timeout_min)
{
	if (!c->sent)
		return true;
	if (refresh > 0 && c->pdus >= (u32)refresh)
		return true;
	return timeout_min > 0 && now_ms - c->at_ms >= (u64)timeout_min * 60000;
}

void ipnf_tmpl_sent(struct ipnf_tmpl_clock *c, u64 now_ms)
{
	c->sent = true;
	c->pdus = 0;
	c->at_ms = now_ms;
}
