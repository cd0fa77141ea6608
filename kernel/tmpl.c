// SPDX-License-Identifier: GPL-2.0-only
/*
 * Templates and PDU building for NetFlow v9 and IPFIX.  Pure: byte-exact
 * output and template/data consistency are checked in userspace tests.
 */
#include "tmpl.h"

#define F(id, len) { NF_IE_##id, len }

/* ---- data templates: the common head, then what the shape adds ---- */
static const struct nf_field v9_v4_ports[] = {
	F(SRC4, 4), F(DST4, 4), F(SPORT, 2), F(DPORT, 2), F(PROTO, 1),
	F(TOS, 1), F(TCP_FLAGS, 1), F(IIF, 4), F(OIF, 4), F(OCTETS, 8),
	F(PACKETS, 8), F(FIRST_UPTIME, 4), F(LAST_UPTIME, 4), F(IP_VERSION, 1),
};
static const struct nf_field v9_v4_icmp[] = {
	F(SRC4, 4), F(DST4, 4), F(ICMP4, 2), F(PROTO, 1), F(TOS, 1),
	F(IIF, 4), F(OIF, 4), F(OCTETS, 8), F(PACKETS, 8), F(FIRST_UPTIME, 4),
	F(LAST_UPTIME, 4), F(IP_VERSION, 1),
};
static const struct nf_field v9_v4_plain[] = {
	F(SRC4, 4), F(DST4, 4), F(PROTO, 1), F(TOS, 1), F(IIF, 4), F(OIF, 4),
	F(OCTETS, 8), F(PACKETS, 8), F(FIRST_UPTIME, 4), F(LAST_UPTIME, 4),
	F(IP_VERSION, 1),
};
static const struct nf_field v9_v6_ports[] = {
	F(SRC6, 16), F(DST6, 16), F(SPORT, 2), F(DPORT, 2), F(PROTO, 1),
	F(TOS, 1), F(TCP_FLAGS, 1), F(IIF, 4), F(OIF, 4),
	F(OCTETS, 8), F(PACKETS, 8), F(FIRST_UPTIME, 4), F(LAST_UPTIME, 4),
	F(IP_VERSION, 1),
};
/* v9 collectors (nfdump) know ICMP_TYPE (32) for both families */
static const struct nf_field v9_v6_icmp[] = {
	F(SRC6, 16), F(DST6, 16), F(ICMP4, 2), F(PROTO, 1), F(TOS, 1),
	F(IIF, 4), F(OIF, 4), F(OCTETS, 8), F(PACKETS, 8),
	F(FIRST_UPTIME, 4), F(LAST_UPTIME, 4), F(IP_VERSION, 1),
};
static const struct nf_field v9_v6_plain[] = {
	F(SRC6, 16), F(DST6, 16), F(PROTO, 1), F(TOS, 1),
	F(IIF, 4), F(OIF, 4), F(OCTETS, 8), F(PACKETS, 8), F(FIRST_UPTIME, 4),
	F(LAST_UPTIME, 4), F(IP_VERSION, 1),
};

static const struct nf_field fx_v4_ports[] = {
	F(SRC4, 4), F(DST4, 4), F(SPORT, 2), F(DPORT, 2), F(PROTO, 1),
	F(TOS, 1), F(TCP_FLAGS, 1), F(IIF, 4), F(OIF, 4), F(OCTETS, 8),
	F(PACKETS, 8), F(START_MS, 8), F(END_MS, 8), F(END_REASON, 1),
	F(IP_VERSION, 1),
};
static const struct nf_field fx_v4_icmp[] = {
	F(SRC4, 4), F(DST4, 4), F(ICMP4, 2), F(PROTO, 1), F(TOS, 1),
	F(IIF, 4), F(OIF, 4), F(OCTETS, 8), F(PACKETS, 8), F(START_MS, 8),
	F(END_MS, 8), F(END_REASON, 1), F(IP_VERSION, 1),
};
static const struct nf_field fx_v4_plain[] = {
	F(SRC4, 4), F(DST4, 4), F(PROTO, 1), F(TOS, 1), F(IIF, 4), F(OIF, 4),
	F(OCTETS, 8), F(PACKETS, 8), F(START_MS, 8), F(END_MS, 8),
	F(END_REASON, 1), F(IP_VERSION, 1),
};
static const struct nf_field fx_v6_ports[] = {
	F(SRC6, 16), F(DST6, 16), F(SPORT, 2), F(DPORT, 2), F(PROTO, 1),
	F(TOS, 1), F(TCP_FLAGS, 1), F(IIF, 4), F(OIF, 4),
	F(OCTETS, 8), F(PACKETS, 8), F(START_MS, 8), F(END_MS, 8),
	F(END_REASON, 1), F(IP_VERSION, 1),
};
static const struct nf_field fx_v6_icmp[] = {
	F(SRC6, 16), F(DST6, 16), F(ICMP6, 2), F(PROTO, 1), F(TOS, 1),
	F(IIF, 4), F(OIF, 4), F(OCTETS, 8), F(PACKETS, 8),
	F(START_MS, 8), F(END_MS, 8), F(END_REASON, 1), F(IP_VERSION, 1),
};
static const struct nf_field fx_v6_plain[] = {
	F(SRC6, 16), F(DST6, 16), F(PROTO, 1), F(TOS, 1),
	F(IIF, 4), F(OIF, 4), F(OCTETS, 8), F(PACKETS, 8), F(START_MS, 8),
	F(END_MS, 8), F(END_REASON, 1), F(IP_VERSION, 1),
};

/* NAT events (RFC 8158 NAT44 session create / delete), v9 and IPFIX alike */
static const struct nf_field nat4[] = {
	F(OBS_TIME_MS, 8), F(SRC4, 4), F(DST4, 4), F(SPORT, 2), F(DPORT, 2),
	F(POST_SRC4, 4), F(POST_DST4, 4), F(POST_SPORT, 2), F(POST_DPORT, 2),
	F(PROTO, 1), F(NAT_EVENT, 1),
};

/* ---- options templates (first field(s): scope) ---- */
static const struct nf_field v9_opt_stats[] = {
	{ NF_V9_SCOPE_SYSTEM, 4 },
	F(EXP_OCTETS, 8), F(EXP_MSGS, 8), F(EXP_FLOWS, 8), F(PACKET_TOTAL, 8),
	F(OCTET_TOTAL, 8), F(IGN_PKTS, 8), F(IGN_OCTETS, 8),
	F(NOTSENT_FLOWS, 8), F(NOTSENT_PKTS, 8), F(NOTSENT_OCTETS, 8),
};
static const struct nf_field fx_opt_stats[] = {
	F(OBS_DOMAIN, 4),
	F(EXP_OCTETS, 8), F(EXP_MSGS, 8), F(EXP_FLOWS, 8), F(PACKET_TOTAL, 8),
	F(OCTET_TOTAL, 8), F(IGN_PKTS, 8), F(IGN_OCTETS, 8),
	F(NOTSENT_FLOWS, 8), F(NOTSENT_PKTS, 8), F(NOTSENT_OCTETS, 8),
	F(INIT_MS, 8),
};
static const struct nf_field v9_opt_sampler[] = {
	{ NF_V9_SCOPE_SYSTEM, 4 },
	F(SAMPLING_INTERVAL, 4), F(SAMPLING_ALGORITHM, 1),
	F(SAMPLER_MODE, 1), F(SAMPLER_INTERVAL, 4),
};
static const struct nf_field fx_opt_sampler[] = {
	F(OBS_DOMAIN, 4),
	F(SAMPLING_INTERVAL, 4), F(SAMPLING_ALGORITHM, 1),
	F(SAMPLER_MODE, 1), F(SAMPLER_INTERVAL, 4),
};
static const struct nf_field v9_opt_iface[] = {
	{ NF_V9_SCOPE_IFACE, 4 },
	F(IF_NAME, NF_IFNAME_LEN), F(IF_DESCR, NF_IFDESCR_LEN),
};
static const struct nf_field fx_opt_iface[] = {
	F(OBS_DOMAIN, 4), F(IIF, 4),
	F(IF_NAME, NF_IFNAME_LEN), F(IF_DESCR, NF_IFDESCR_LEN),
};

#define T(tid, nscope, arr) { tid, nscope, ARRAY_SIZE(arr), arr }
#define TX(tid, nscope, arr) T(tid + NF_T_IPFIX_SHIFT, nscope, arr)
static const struct nf_tmpl nf_v9_tmpls[NF_T_COUNT] = {
	T(NF_T_V4_PORTS, 0, v9_v4_ports), T(NF_T_V4_ICMP, 0, v9_v4_icmp),
	T(NF_T_V4_PLAIN, 0, v9_v4_plain), T(NF_T_V6_PORTS, 0, v9_v6_ports),
	T(NF_T_V6_ICMP, 0, v9_v6_icmp), T(NF_T_V6_PLAIN, 0, v9_v6_plain),
	T(NF_T_NAT4, 0, nat4),
	T(NF_T_OPT_STATS, 1, v9_opt_stats),
	T(NF_T_OPT_SAMPLER, 1, v9_opt_sampler),
	T(NF_T_OPT_IFACE, 1, v9_opt_iface),
};
static const struct nf_tmpl nf_fx_tmpls[NF_T_COUNT] = {
	TX(NF_T_V4_PORTS, 0, fx_v4_ports), TX(NF_T_V4_ICMP, 0, fx_v4_icmp),
	TX(NF_T_V4_PLAIN, 0, fx_v4_plain), TX(NF_T_V6_PORTS, 0, fx_v6_ports),
	TX(NF_T_V6_ICMP, 0, fx_v6_icmp), TX(NF_T_V6_PLAIN, 0, fx_v6_plain),
	TX(NF_T_NAT4, 0, nat4),
	TX(NF_T_OPT_STATS, 1, fx_opt_stats),
	TX(NF_T_OPT_SAMPLER, 1, fx_opt_sampler),
	TX(NF_T_OPT_IFACE, 2, fx_opt_iface),
};

unsigned int nf_tmpl_rec_len(const struct nf_tmpl *t)
{
	unsigned int i, n = 0;

	for (i = 0; i < t->nfields; i++)
		n += t->f[i].len;
	return n;
}

const struct nf_tmpl *nf_tmpl_get(int version, unsigned int id)
{
	if (id < NF_T_FIRST || id >= NF_T_END || (version != 9 && version != 10))
		return NULL;
	return &(version == 9 ? nf_v9_tmpls : nf_fx_tmpls)[id - NF_T_FIRST];
}

static bool nf_has_ports(u8 proto)
{
	/* TCP, UDP, DCCP, SCTP, UDP-Lite: what the key parser fills ports for */
	return proto == 6 || proto == 17 || proto == 33 || proto == 132 ||
	       proto == 136;
}

unsigned int nf_tmpl_shape(const struct nf_exp_rec *r)
{
	unsigned int base = r->key.family == NF_FAM_V6 ? NF_T_V6_PORTS :
							  NF_T_V4_PORTS;
	u8 proto = r->key.proto;

	if (nf_has_ports(proto))
		return base;
	if ((r->key.family == NF_FAM_V4 && proto == 1) ||
	    (r->key.family == NF_FAM_V6 && proto == 58))
		return base + 1;
	return base + 2;
}

/* ---- optional blocks and the templates made with them ---- */

struct nf_block_def {
	u8 n;
	struct nf_field f[4];
};

static const struct nf_block_def nf_blocks[NF_B_COUNT] = {
	[NF_B_LABEL] = { 1, { F(LABEL6, 4) } },
	[NF_B_EXTHDR] = { 1, { F(EXTHDRS6, 4) } },
	[NF_B_IPOPT] = { 1, { F(IPV4_OPTS, 4) } },
	[NF_B_TCPOPT] = { 1, { F(TCP_OPTS, 8) } },
	[NF_B_MAC] = { 2, { F(SRC_MAC, 6), F(DST_MAC, 6) } },
	[NF_B_VLAN] = { 3, { F(VLAN, 2), F(VLAN_PRIO, 1), F(VLAN_ID, 2) } },
	[NF_B_QINQ] = { 2, { F(CVLAN, 2), F(CVLAN_PRIO, 1) } },
	[NF_B_ETH] = { 1, { F(ETH_TYPE, 2) } },
	[NF_B_DIR] = { 1, { F(DIRECTION, 1) } },
	[NF_B_PHYS] = { 2, { F(PHYS_IN, 4), F(PHYS_OUT, 4) } },
	[NF_B_VRF] = { 2, { F(VRF_IN, 4), F(VRF_OUT, 4) } },
	[NF_B_NAT] = { 4, { F(POST_SRC4, 4), F(POST_DST4, 4), F(POST_SPORT, 2),
			    F(POST_DPORT, 2) } },
};

/* NF_B_NAT in an IPv6 shape: the IPv6 addresses */
static const struct nf_block_def nf_block_nat6 = {
	4, { F(POST_SRC6, 16), F(POST_DST6, 16), F(POST_SPORT, 2), F(POST_DPORT, 2) }
};

static const struct nf_block_def *nf_block(unsigned int b, unsigned int shape)
{
	if (b == NF_B_NAT && shape >= NF_T_V6_PORTS)
		return &nf_block_nat6;
	return &nf_blocks[b];
}

unsigned int nf_tmpl_mask(const struct nf_exp_rec *r)
{
	const struct nf_flow_key *k = &r->key;
	bool v6 = k->family == NF_FAM_V6;
	unsigned int m = 0;

	if (v6 && r->label)
		m |= 1u << NF_B_LABEL;
	if (r->ip_opts)
		m |= 1u << (v6 ? NF_B_EXTHDR : NF_B_IPOPT);
	if (k->proto == 6 && r->tcp_opts)
		m |= 1u << NF_B_TCPOPT;
#ifdef ENABLE_MAC
	{
		static const u8 zero[6];

		if (memcmp(k->smac, zero, 6) || memcmp(k->dmac, zero, 6))
			m |= 1u << NF_B_MAC;
	}
#endif
#ifdef ENABLE_VLAN
	if (k->vlan[0])
		m |= 1u << NF_B_VLAN;
	if (k->vlan[1])
		m |= 1u << NF_B_QINQ;
#endif
	if (m & (1u << NF_B_MAC | 1u << NF_B_VLAN))
		m |= 1u << NF_B_ETH;
	if (k->dir != NF_DIR_NONE)
		m |= 1u << NF_B_DIR;
	if (r->physin || r->physout)
		m |= 1u << NF_B_PHYS;
	if (r->vrf_in || r->vrf_out)
		m |= 1u << NF_B_VRF;
	if (r->nat)
		m |= 1u << NF_B_NAT;
#ifdef ENABLE_PROMISC_MPLS
	if (k->mpls[0])
		m |= 1u << NF_B_MPLS;
#endif
	return m;
}

void nf_tmpl_cache_init(struct nf_tmpl_cache *c, int version)
{
	memset(c, 0, sizeof(*c));
	c->version = version;
}

static const struct nf_tmpl *nf_tmpl_make(struct nf_tmpl_cache *c,
					  const struct nf_tmpl *base,
					  unsigned int shape, unsigned int mask)
{
	struct nf_tmpl_dyn *d = &c->dyn[c->n];
	unsigned int b, i, n = base->nfields;

	memcpy(d->f, base->f, n * sizeof(*d->f));
	for (b = 0; b < NF_B_COUNT; b++) {
		if (!(mask & (1u << b)))
			continue;
		for (i = 0; i < nf_block(b, shape)->n; i++)
			d->f[n++] = nf_block(b, shape)->f[i];
	}
#ifdef ENABLE_PROMISC_MPLS
	/* the label stack: as many 3-byte entries as configured */
	for (i = 0; (mask & (1u << NF_B_MPLS)) && i < ENABLE_PROMISC_MPLS; i++) {
		d->f[n].id = NF_IE_MPLS_TOP + i;
		d->f[n++].len = 3;
	}
#endif
	d->t.id = (c->version == 9 ? NF_T_DYN_V9 : NF_T_DYN_IPFIX) + c->n;
	d->t.nscope = 0;
	d->t.nfields = n;
	d->t.f = d->f;
	c->idx[shape - NF_T_FIRST][mask] = ++c->n;
	return &d->t;
}

const struct nf_tmpl *nf_tmpl_pick(struct nf_tmpl_cache *c, int version,
				   unsigned int shape, unsigned int mask)
{
	const struct nf_tmpl *base = nf_tmpl_get(version, shape);
	unsigned int i;

	if (!c || c->version != version || !mask)
		return base;
	i = c->idx[shape - NF_T_FIRST][mask];
	if (i)
		return &c->dyn[i - 1].t;
	if (c->n == NF_TD_MAX) {
		c->overflow++;
		return base;
	}
	return nf_tmpl_make(c, base, shape, mask);
}

const struct nf_tmpl *nf_tmpl_for(struct nf_tmpl_cache *c, int version,
				  const struct nf_exp_rec *r)
{
	return nf_tmpl_pick(c, version, nf_tmpl_shape(r), nf_tmpl_mask(r));
}

/* ---- PDU building ---- */

void nf_pdu_begin(struct nf_pdu *p, int version, u8 *buf, unsigned int cap)
{
	memset(p, 0, sizeof(*p));
	p->buf = buf;
	p->cap = cap;
	p->version = version;
	p->len = version == 9 ? NF_V9_HDR_LEN : NF_IPFIX_HDR_LEN;
}

static void nf_set_close(struct nf_pdu *p)
{
	if (!p->set_off)
		return;
	/* v9: the next FlowSet starts 4-byte aligned (RFC 3954 section 5.2) */
	if (p->version == 9)
		while ((p->len - p->set_off) & 3)
			p->buf[p->len++] = 0;
	nf_put16(p->buf + p->set_off + 2, (u16)(p->len - p->set_off));
	p->set_off = 0;
}

/* Make sure a set with this id is open and need more bytes fit after it. */
static int nf_set_want(struct nf_pdu *p, unsigned int id, unsigned int need)
{
	unsigned int pad = 0;

	if (p->set_off && p->set_id == id) {
		/* v9 padding of the set still to come: up to 3 bytes */
		if (p->len + need + (p->version == 9 ? 3 : 0) > p->cap)
			return -ENOSPC;
		return 0;
	}
	if (p->set_off && p->version == 9)
		pad = (4 - ((p->len - p->set_off) & 3)) & 3;
	if (p->len + pad + 4 + need + (p->version == 9 ? 3 : 0) > p->cap)
		return -ENOSPC;
	nf_set_close(p);
	p->set_off = p->len;
	p->set_id = id;
	nf_put16(p->buf + p->len, (u16)id);
	p->len += 4;
	return 0;
}

static unsigned int nf_tmpl_rec_size(const struct nf_tmpl *t)
{
	/* v9 options: id, scope length, options length; IPFIX options: id,
	 * field count, scope count; plain templates: id, field count */
	return (t->nscope ? 6 : 4) + 4 * t->nfields;
}

static void nf_put_tmpl(struct nf_pdu *p, const struct nf_tmpl *t)
{
	u8 *b = p->buf + p->len;
	unsigned int i;

	nf_put16(b, t->id);
	if (t->nscope && p->version == 9) {
		nf_put16(b + 2, 4 * t->nscope);
		nf_put16(b + 4, 4 * (t->nfields - t->nscope));
		b += 6;
	} else if (t->nscope) {
		nf_put16(b + 2, t->nfields);
		nf_put16(b + 4, t->nscope);
		b += 6;
	} else {
		nf_put16(b + 2, t->nfields);
		b += 4;
	}
	for (i = 0; i < t->nfields; i++, b += 4) {
		nf_put16(b, t->f[i].id);
		nf_put16(b + 2, t->f[i].len);
	}
	p->len = b - p->buf;
	p->records++;
}

/*
 * Template number i of all: the fixed data templates, those of p->tc, then
 * the options templates (last: pmacct stops reading a PDU at an options
 * template it cannot parse, so nothing else should follow them).
 */
static const struct nf_tmpl *nf_tmpl_nth(const struct nf_pdu *p,
					 unsigned int i)
{
	unsigned int ndyn = p->tc && p->tc->version == p->version ? p->tc->n : 0;

	if (i < NF_T_DATA_COUNT)
		return nf_tmpl_get(p->version, NF_T_FIRST + i);
	i -= NF_T_DATA_COUNT;
	if (i < ndyn)
		return &p->tc->dyn[i].t;
	i -= ndyn;
	if (i < NF_T_COUNT - NF_T_DATA_COUNT)
		return nf_tmpl_get(p->version, NF_T_OPT_STATS + i);
	return NULL;
}

int nf_pdu_add_tmpls(struct nf_pdu *p, unsigned int *next)
{
	const struct nf_tmpl *t;
	unsigned int set;

	for (; (t = nf_tmpl_nth(p, *next)); (*next)++) {
		/* IPFIX template sets are 2 and 3, v9 ones 0 and 1 */
		set = (t->nscope ? 1 : 0) + (p->version == 9 ? 0 : 2);
		if (nf_set_want(p, set, nf_tmpl_rec_size(t)))
			return -ENOSPC;
		nf_put_tmpl(p, t);
	}
	nf_set_close(p);
	return 0;
}

int nf_pdu_add_templates(struct nf_pdu *p)
{
	struct nf_pdu saved = *p;
	unsigned int next = 0;

	if (!nf_pdu_add_tmpls(p, &next))
		return 0;
	*p = saved;	/* all or nothing: forget the partial sets */
	return -ENOSPC;
}

void nf_put_flow_field(u8 *b, const struct nf_field *f,
		       const struct nf_exp_rec *r)
{
	const struct nf_flow_key *k = &r->key;

	switch (f->id) {
	case NF_IE_SRC4:
		memcpy(b, &k->a.v4.src, 4);
		break;
	case NF_IE_DST4:
		memcpy(b, &k->a.v4.dst, 4);
		break;
	case NF_IE_SRC6:
		memcpy(b, k->a.v6.src, 16);
		break;
	case NF_IE_DST6:
		memcpy(b, k->a.v6.dst, 16);
		break;
	case NF_IE_SPORT:
		nf_put16(b, k->sport);
		break;
	case NF_IE_DPORT:
	case NF_IE_ICMP4:
	case NF_IE_ICMP6:	/* the key keeps type << 8 | code there */
		nf_put16(b, k->dport);
		break;
	case NF_IE_PROTO:
		*b = k->proto;
		break;
	case NF_IE_TOS:
		*b = k->tos;
		break;
	case NF_IE_TCP_FLAGS:
		*b = r->tcp_flags;
		break;
	case NF_IE_IIF:
		nf_put32(b, k->iif);
		break;
	case NF_IE_OIF:
		nf_put32(b, r->oif);
		break;
	case NF_IE_OCTETS:
		nf_put64(b, r->bytes);
		break;
	case NF_IE_PACKETS:
		nf_put64(b, r->packets);
		break;
	case NF_IE_FIRST_UPTIME:
		nf_put32(b, r->first_ms);
		break;
	case NF_IE_LAST_UPTIME:
		nf_put32(b, r->last_ms);
		break;
	case NF_IE_START_MS:
		nf_put64(b, r->start_abs_ms);
		break;
	case NF_IE_END_MS:
		nf_put64(b, r->end_abs_ms);
		break;
	case NF_IE_END_REASON:
		*b = r->end_reason;
		break;
	case NF_IE_IP_VERSION:
		*b = k->family;
		break;
	case NF_IE_LABEL6:
		nf_put32(b, r->label);
		break;
	case NF_IE_EXTHDRS6:
	case NF_IE_IPV4_OPTS:
		nf_put32(b, r->ip_opts);
		break;
	case NF_IE_TCP_OPTS:
		nf_put64(b, r->tcp_opts);
		break;
#ifdef ENABLE_MAC
	case NF_IE_SRC_MAC:
		memcpy(b, k->smac, 6);
		break;
	case NF_IE_DST_MAC:
		memcpy(b, k->dmac, 6);
		break;
#endif
#ifdef ENABLE_VLAN
	case NF_IE_VLAN:	/* TCI: PCP (3 bits), DEI, VID (12 bits) */
	case NF_IE_VLAN_ID:
	case NF_IE_CVLAN:
		nf_put16(b, k->vlan[f->id == NF_IE_CVLAN] & 0x0fff);
		break;
	case NF_IE_VLAN_PRIO:
	case NF_IE_CVLAN_PRIO:
		*b = k->vlan[f->id == NF_IE_CVLAN_PRIO] >> 13;
		break;
#endif
	case NF_IE_ETH_TYPE:
		nf_put16(b, k->family == NF_FAM_V6 ? 0x86dd : 0x0800);
		break;
	case NF_IE_DIRECTION:	/* 0 ingress, 1 egress, 255 undefined */
		*b = k->dir == NF_DIR_IN ? 0 : k->dir == NF_DIR_OUT ? 1 : 255;
		break;
	case NF_IE_PHYS_IN:
		nf_put32(b, r->physin);
		break;
	case NF_IE_PHYS_OUT:
		nf_put32(b, r->physout);
		break;
	case NF_IE_VRF_IN:
		nf_put32(b, r->vrf_in);
		break;
	case NF_IE_VRF_OUT:
		nf_put32(b, r->vrf_out);
		break;
	case NF_IE_POST_SRC4:
	case NF_IE_POST_SRC6:
		memcpy(b, r->post.src, f->len);
		break;
	case NF_IE_POST_DST4:
	case NF_IE_POST_DST6:
		memcpy(b, r->post.dst, f->len);
		break;
	case NF_IE_POST_SPORT:
		nf_put16(b, r->post.sport);
		break;
	case NF_IE_POST_DPORT:
		nf_put16(b, r->post.dport);
		break;
#ifdef ENABLE_PROMISC_MPLS
	case NF_IE_MPLS_TOP ... NF_IE_MPLS_TOP + ENABLE_PROMISC_MPLS - 1:
		/* label (20 bits), traffic class (3), bottom of stack (1) */
		b[0] = k->mpls[f->id - NF_IE_MPLS_TOP] >> 24;
		b[1] = k->mpls[f->id - NF_IE_MPLS_TOP] >> 16;
		b[2] = k->mpls[f->id - NF_IE_MPLS_TOP] >> 8;
		break;
#endif
	default:
		memset(b, 0, f->len);
	}
}

typedef void (*nf_put_fn)(u8 *b, const struct nf_field *f, const void *v);

static int nf_pdu_add_rec(struct nf_pdu *p, const struct nf_tmpl *t,
			  nf_put_fn put, const void *v)
{
	unsigned int i, len;
	u8 *b;

	if (!t)
		return -EINVAL;
	len = nf_tmpl_rec_len(t);
	if (nf_set_want(p, t->id, len))
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
 * shape (the compiler makes one body per pair, see nf_put_head).  Checked
 * byte for byte against the table walk (nf_put_flow_field) in
 * tests/tmpl_test.cc.
 */
static __always_inline u8 *nf_put_head_as(u8 *b, const struct nf_exp_rec *r,
					  bool ipfix, bool v6, int l4)
{
	const struct nf_flow_key *k = &r->key;

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
		nf_put16(b, k->sport);
		nf_put16(b + 2, k->dport);
		b += 4;
	} else if (l4 == 1) {		/* ICMP type and code */
		nf_put16(b, k->dport);
		b += 2;
	}
	b[0] = k->proto;
	b[1] = k->tos;
	b += 2;
	if (l4 == 0)
		*b++ = r->tcp_flags;
	nf_put32(b, k->iif);
	nf_put32(b + 4, r->oif);
	nf_put64(b + 8, r->bytes);
	nf_put64(b + 16, r->packets);
	b += 24;
	if (ipfix) {
		nf_put64(b, r->start_abs_ms);
		nf_put64(b + 8, r->end_abs_ms);
		b[16] = r->end_reason;
		b += 17;
	} else {
		nf_put32(b, r->first_ms);
		nf_put32(b + 4, r->last_ms);
		b += 8;
	}
	*b++ = k->family;
	return b;
}

#define NF_HEAD(shape, ipfix, v6, l4) \
	case (shape) * 2 + (ipfix): return nf_put_head_as(b, r, ipfix, v6, l4)

u8 *nf_put_head(u8 *b, const struct nf_exp_rec *r, int version,
		unsigned int shape)
{
	switch (shape * 2 + (version == 10)) {
	NF_HEAD(NF_T_V4_PORTS, 0, false, 0);
	NF_HEAD(NF_T_V4_PORTS, 1, false, 0);
	NF_HEAD(NF_T_V4_ICMP, 0, false, 1);
	NF_HEAD(NF_T_V4_ICMP, 1, false, 1);
	NF_HEAD(NF_T_V4_PLAIN, 0, false, 2);
	NF_HEAD(NF_T_V4_PLAIN, 1, false, 2);
	NF_HEAD(NF_T_V6_PORTS, 0, true, 0);
	NF_HEAD(NF_T_V6_PORTS, 1, true, 0);
	NF_HEAD(NF_T_V6_ICMP, 0, true, 1);
	NF_HEAD(NF_T_V6_ICMP, 1, true, 1);
	NF_HEAD(NF_T_V6_PLAIN, 0, true, 2);
	default:
		return nf_put_head_as(b, r, true, true, 2);
	}
}

int nf_pdu_add_flow(struct nf_pdu *p, const struct nf_exp_rec *r)
{
	unsigned int shape = nf_tmpl_shape(r), mask = nf_tmpl_mask(r), i;
	const struct nf_tmpl *t;
	u8 *b;

	if (shape == p->last_shape && mask == p->last_mask && p->last_t) {
		t = p->last_t;
	} else {
		t = nf_tmpl_pick(p->tc, p->version, shape, mask);
		if (!t)
			return -EINVAL;
		/* not remembered when blocks had no room: counted each time */
		p->last_t = !mask || t != nf_tmpl_get(p->version, shape) ? t : NULL;
		p->last_len = nf_tmpl_rec_len(t);
		p->last_shape = shape;
		p->last_mask = mask;
	}
	if (nf_set_want(p, t->id, p->last_len))
		return -ENOSPC;
	b = nf_put_head(p->buf + p->len, r, p->version, shape);
	/* the optional blocks, if the template has them */
	for (i = nf_tmpl_get(p->version, shape)->nfields; i < t->nfields; i++) {
		nf_put_flow_field(b, &t->f[i], r);
		b += t->f[i].len;
	}
	p->len += p->last_len;
	p->records++;
	p->data_records++;
	p->flows++;
	p->pkts += r->packets;
	p->bytes += r->bytes;
	return 0;
}

static void nf_put_nat(u8 *b, const struct nf_field *f, const void *v)
{
	const struct nf_nat_rec *n = v;

	switch (f->id) {
	case NF_IE_OBS_TIME_MS:
		nf_put64(b, n->time_ms);
		break;
	case NF_IE_SRC4:
		memcpy(b, &n->src, 4);
		break;
	case NF_IE_DST4:
		memcpy(b, &n->dst, 4);
		break;
	case NF_IE_SPORT:
		nf_put16(b, n->sport);
		break;
	case NF_IE_DPORT:
		nf_put16(b, n->dport);
		break;
	case NF_IE_POST_SRC4:
		memcpy(b, &n->post_src, 4);
		break;
	case NF_IE_POST_DST4:
		memcpy(b, &n->post_dst, 4);
		break;
	case NF_IE_POST_SPORT:
		nf_put16(b, n->post_sport);
		break;
	case NF_IE_POST_DPORT:
		nf_put16(b, n->post_dport);
		break;
	case NF_IE_PROTO:
		*b = n->proto;
		break;
	case NF_IE_NAT_EVENT:
		*b = n->event;
		break;
	}
}

int nf_pdu_add_nat(struct nf_pdu *p, const struct nf_nat_rec *n)
{
	return nf_pdu_add_rec(p, nf_tmpl_get(p->version, NF_T_NAT4), nf_put_nat, n);
}

static void nf_put_stats(u8 *b, const struct nf_field *f, const void *v)
{
	const struct nf_opt_stats *s = v;
	u64 x = 0;

	switch (f->id) {
	case NF_V9_SCOPE_SYSTEM:	/* v9 scope; never an IPFIX id here */
	case NF_IE_OBS_DOMAIN:
		nf_put32(b, s->domain);
		return;
	case NF_IE_EXP_OCTETS:
		x = s->exp_octets;
		break;
	case NF_IE_EXP_MSGS:
		x = s->exp_msgs;
		break;
	case NF_IE_EXP_FLOWS:
		x = s->exp_flows;
		break;
	case NF_IE_PACKET_TOTAL:
		x = s->pkts;
		break;
	case NF_IE_OCTET_TOTAL:
		x = s->octets;
		break;
	case NF_IE_IGN_PKTS:
		x = s->ign_pkts;
		break;
	case NF_IE_IGN_OCTETS:
		x = s->ign_octets;
		break;
	case NF_IE_NOTSENT_FLOWS:
		x = s->notsent_flows;
		break;
	case NF_IE_NOTSENT_PKTS:
		x = s->notsent_pkts;
		break;
	case NF_IE_NOTSENT_OCTETS:
		x = s->notsent_octets;
		break;
	case NF_IE_INIT_MS:
		x = s->init_ms;
		break;
	}
	nf_put64(b, x);
}

int nf_pdu_add_opt_stats(struct nf_pdu *p, const struct nf_opt_stats *s)
{
	return nf_pdu_add_rec(p, nf_tmpl_get(p->version, NF_T_OPT_STATS),
			      nf_put_stats, s);
}

static void nf_put_sampler(u8 *b, const struct nf_field *f, const void *v)
{
	const struct nf_opt_sampler *s = v;

	switch (f->id) {
	case NF_V9_SCOPE_SYSTEM:
	case NF_IE_OBS_DOMAIN:
		nf_put32(b, s->domain);
		break;
	case NF_IE_SAMPLING_INTERVAL:
	case NF_IE_SAMPLER_INTERVAL:
		nf_put32(b, s->interval);
		break;
	case NF_IE_SAMPLING_ALGORITHM:
		*b = s->algorithm;
		break;
	case NF_IE_SAMPLER_MODE:	/* v9: 0 deterministic, 2 random */
		*b = s->algorithm == 1 ? 0 : 2;
		break;
	}
}

int nf_pdu_add_opt_sampler(struct nf_pdu *p, const struct nf_opt_sampler *s)
{
	return nf_pdu_add_rec(p, nf_tmpl_get(p->version, NF_T_OPT_SAMPLER),
			      nf_put_sampler, s);
}

struct nf_iface_val {
	u32 domain;
	const struct nf_opt_iface *i;
};

static void nf_put_str(u8 *b, const char *s, unsigned int len)
{
	unsigned int n = 0;

	while (n < len && s[n])
		n++;
	memcpy(b, s, n);
	memset(b + n, 0, len - n);
}

static void nf_put_iface(u8 *b, const struct nf_field *f, const void *v)
{
	const struct nf_iface_val *iv = v;

	switch (f->id) {
	case NF_IE_OBS_DOMAIN:
		nf_put32(b, iv->domain);
		break;
	case NF_V9_SCOPE_IFACE:
	case NF_IE_IIF:
		nf_put32(b, iv->i->ifindex);
		break;
	case NF_IE_IF_NAME:
		nf_put_str(b, iv->i->name, f->len);
		break;
	case NF_IE_IF_DESCR:
		nf_put_str(b, iv->i->descr, f->len);
		break;
	}
}

int nf_pdu_add_opt_iface(struct nf_pdu *p, u32 domain,
			 const struct nf_opt_iface *i)
{
	struct nf_iface_val iv = { domain, i };

	return nf_pdu_add_rec(p, nf_tmpl_get(p->version, NF_T_OPT_IFACE),
			      nf_put_iface, &iv);
}

unsigned int nf_pdu_finish(struct nf_pdu *p, const struct nf_pdu_hdr *h)
{
	u8 *b = p->buf;

	nf_set_close(p);
	if (p->version == 9) {
		nf_put16(b, 9);
		nf_put16(b + 2, (u16)p->records);
		nf_put32(b + 4, h->uptime_ms);
		nf_put32(b + 8, h->unix_secs);
		nf_put32(b + 12, h->sequence);
		nf_put32(b + 16, h->domain);
	} else {
		nf_put16(b, 10);
		nf_put16(b + 2, (u16)p->len);
		nf_put32(b + 4, h->unix_secs);
		nf_put32(b + 8, h->sequence);
		nf_put32(b + 12, h->domain);
	}
	return p->len;
}

bool nf_tmpl_due(const struct nf_tmpl_clock *c, u64 now_ms, int refresh,
		 int timeout_min)
{
	if (!c->sent)
		return true;
	if (refresh > 0 && c->pdus >= (u32)refresh)
		return true;
	return timeout_min > 0 && now_ms - c->at_ms >= (u64)timeout_min * 60000;
}

void nf_tmpl_sent(struct nf_tmpl_clock *c, u64 now_ms)
{
	c->sent = true;
	c->pdus = 0;
	c->at_ms = now_ms;
}
