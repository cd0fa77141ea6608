// SPDX-License-Identifier: GPL-2.0-only
/*
 * NetFlow v9 and IPFIX export through the template engine (tmpl.c).
 *
 * Data PDUs are filled up to NF_PDU_MAX and sent when full or aged, like
 * v5 ones.  Before a data PDU is sent, if templates are due (first PDU,
 * every refresh-rate PDUs, every timeout-rate minutes, new destinations, or
 * a record in it needed a template not announced yet), template PDUs go
 * out first: all templates and options templates, then the options records
 * (statistics, sampling, interfaces).  They go to every destination, also
 * in balance mode, so whichever collector gets the data knows its template.
 * Sequence numbers: v9 counts PDUs, IPFIX counts data records (options
 * records included).  Everything runs under
 * nf_export_mutex.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include "netflow.h"

static u8 nf_tpl_buf[NF_PDU_MAX];
static struct nf_pdu nf_tpl_pdu;
static int nf_tpl_version;
static unsigned long nf_tpl_started;
static struct nf_tmpl_clock nf_tpl_clock;
static struct nf_tmpl_cache nf_tpl_cache;	/* templates with blocks */
static unsigned long nf_tpl_used;	/* bit per fixed data template used */
static u64 nf_init_ms;			/* wall clock ms at module start */

bool nf_tpl_pending(void)
{
	return nf_tpl_version && !nf_pdu_empty(&nf_tpl_pdu);
}

unsigned long nf_tpl_age(void)
{
	return jiffies - nf_tpl_started;
}

void nf_tpl_counts(unsigned int *templates, unsigned int *active)
{
	*templates = nf_tpl_version ? NF_T_COUNT + nf_tpl_cache.n : 0;
	*active = nf_tpl_version ? hweight_long(nf_tpl_used) + nf_tpl_cache.n : 0;
}

static u64 nf_real_ms(void)
{
	return div_u64(ktime_get_real_ns(), NSEC_PER_MSEC);
}

static u64 nf_mono_ms(void)
{
	return jiffies64_to_msecs(get_jiffies_64());
}

/* Finish p, stamp the header, send; template PDUs go to all destinations. */
static void nf_tpl_send(struct nf_pdu *p, bool tmpl)
{
	struct nf_pdu_hdr h = {};
	unsigned int len;

	h.uptime_ms = nf_uptime_ms();
	h.unix_secs = (u32)ktime_get_real_seconds();
	h.sequence = nf_export_seq;
	h.domain = (u32)READ_ONCE(nf_cfg.engine_id);
	len = nf_pdu_finish(p, &h);
	if (tmpl)
		nf_export_send_tmpl(p->buf, len);
	else
		nf_export_send(p->buf, len, p->flows, p->pkts, p->bytes);
	if (p->version == 9)
		nf_export_seq++;
	else
		nf_export_seq += p->data_records;
	nf_tpl_clock.pdus++;
}

static void nf_fill_stats(struct nf_opt_stats *s)
{
	struct nf_cpu_stats t;

	nf_stats_sum(&t);
	memset(s, 0, sizeof(*s));
	s->domain = (u32)READ_ONCE(nf_cfg.engine_id);
	s->exp_octets = nf_xstats.bytes;
	s->exp_msgs = nf_xstats.pdus;
	s->exp_flows = nf_xstats.flows;
	s->pkts = t.pkts;
	s->octets = t.bytes;
	s->ign_pkts = t.drop_pkts;
	s->ign_octets = t.drop_bytes;
	s->notsent_flows = nf_xstats.lost_flows;
	s->notsent_pkts = nf_xstats.lost_pkts;
	s->notsent_octets = nf_xstats.lost_bytes;
	s->init_ms = nf_init_ms;
}

/* Templates and options records, in as many PDUs as they need. */
static void nf_tpl_send_templates(void)
{
	struct nf_opt_iface *ifs;
	struct nf_opt_stats st;
	struct nf_pdu p;
	u8 *buf;
	int kind = READ_ONCE(nf_cfg.sampler_kind);
	u32 domain = (u32)READ_ONCE(nf_cfg.engine_id);
	unsigned int next = 0;
	int i, n;

	buf = kmalloc(NF_PDU_MAX, GFP_KERNEL);
	ifs = kmalloc_array(64, sizeof(*ifs), GFP_KERNEL);
	if (!buf || !ifs)
		goto out;	/* tried again with the next PDU */
	nf_pdu_begin(&p, nf_tpl_version, buf, NF_PDU_MAX);
	p.tc = &nf_tpl_cache;
	while (nf_pdu_add_tmpls(&p, &next)) {
		if (nf_pdu_empty(&p))
			goto out;	/* cannot happen: one fits a PDU */
		nf_tpl_send(&p, true);
		nf_pdu_begin(&p, nf_tpl_version, buf, NF_PDU_MAX);
		p.tc = &nf_tpl_cache;
	}
	nf_tpl_cache.sent = nf_tpl_cache.n;
	nf_fill_stats(&st);
	nf_pdu_add_opt_stats(&p, &st);
	if (kind != NF_SAMPLER_OFF) {
		struct nf_opt_sampler sa = {
			.domain = domain,
			.interval = READ_ONCE(nf_cfg.sampler_interval),
			.algorithm = nf_sampler_algorithm(kind),
		};

		if (nf_pdu_add_opt_sampler(&p, &sa)) {
			nf_tpl_send(&p, true);
			nf_pdu_begin(&p, nf_tpl_version, buf, NF_PDU_MAX);
			nf_pdu_add_opt_sampler(&p, &sa);
		}
	}
	n = nf_if_list(ifs, 64);
	for (i = 0; i < n; i++) {
		if (!nf_pdu_add_opt_iface(&p, domain, &ifs[i]))
			continue;
		nf_tpl_send(&p, true);
		nf_pdu_begin(&p, nf_tpl_version, buf, NF_PDU_MAX);
		nf_pdu_add_opt_iface(&p, domain, &ifs[i]);
	}
	nf_tpl_send(&p, true);
	nf_tmpl_sent(&nf_tpl_clock, nf_mono_ms());
out:
	kfree(ifs);
	kfree(buf);
}

static void nf_tpl_begin(void)
{
	nf_pdu_begin(&nf_tpl_pdu, nf_tpl_version ? nf_tpl_version : 10,
		     nf_tpl_buf, NF_PDU_MAX);
	nf_tpl_pdu.tc = &nf_tpl_cache;
}

void nf_tpl_flush(void)
{
	if (!nf_tpl_pending())
		return;
	/* templates due, or new ones its records use, go out before it */
	if (nf_tmpl_cache_new(&nf_tpl_cache) ||
	    nf_tmpl_due(&nf_tpl_clock, nf_mono_ms(),
			READ_ONCE(nf_cfg.refresh_rate),
			READ_ONCE(nf_cfg.timeout_rate)))
		nf_tpl_send_templates();
	nf_tpl_send(&nf_tpl_pdu, false);
	nf_tpl_begin();
	nf_xstats.pdu_pkts = 0;
	nf_xstats.pdu_bytes = 0;
}

void nf_tpl_add(const struct nf_exp_rec *r)
{
	if (!nf_tpl_version)
		return;
	if (nf_pdu_add_flow(&nf_tpl_pdu, r)) {
		nf_tpl_flush();
		if (nf_pdu_add_flow(&nf_tpl_pdu, r))
			return;		/* cannot happen: a record fits a PDU */
	}
	if (nf_tpl_pdu.flows == 1)
		nf_tpl_started = jiffies;
	if (!nf_tpl_pdu.last_mask)
		__set_bit(nf_tpl_pdu.last_shape - NF_T_FIRST, &nf_tpl_used);
	nf_xstats.pdu_pkts = nf_tpl_pdu.pkts;
	nf_xstats.pdu_bytes = nf_tpl_pdu.bytes;
}

void nf_tpl_add_nat(const struct nf_nat_rec *n)
{
	if (!nf_tpl_version)
		return;
	if (nf_pdu_add_nat(&nf_tpl_pdu, n)) {
		nf_tpl_flush();
		if (nf_pdu_add_nat(&nf_tpl_pdu, n))
			return;		/* cannot happen: a record fits a PDU */
	}
	if (nf_tpl_pdu.records == 1)
		nf_tpl_started = jiffies;
	__set_bit(NF_T_NAT4 - NF_T_FIRST, &nf_tpl_used);
}

/* The previous version's PDU has been flushed by the caller. */
void nf_tpl_set_version(int version)
{
	if (!nf_init_ms)
		nf_init_ms = nf_real_ms() - nf_uptime_ms();
	nf_tpl_version = version == 9 || version == 10 ? version : 0;
	nf_tmpl_cache_init(&nf_tpl_cache, nf_tpl_version);
	nf_tpl_begin();
	nf_tmpl_reset(&nf_tpl_clock);
	nf_tpl_used = 0;
}

void nf_tpl_dests_changed(void)
{
	nf_tmpl_reset(&nf_tpl_clock);
}
