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
 * nf_export_mutex; PDUs go out through the exporter's sink (export_sink.h).
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include "cfg.h"
#include "locks.h"
#include "options.h"
#include "export_tpl.h"
#include "ifaces.h"
#include "tmpl.h"
#include "export_sink.h"

static u8 nf_tpl_buf[NF_PDU_MAX];
static struct nf_pdu nf_tpl_pdu;
static int nf_tpl_version;
static unsigned long nf_tpl_started;
static struct nf_tmpl_clock nf_tpl_clock;
static struct nf_tmpl_cache nf_tpl_cache;	/* templates with blocks */
static unsigned long nf_tpl_used;	/* bit per fixed data template used */

bool nf_tpl_pending(void)
{
	lockdep_assert_held(&nf_export_mutex);
	return nf_tpl_version && !nf_pdu_empty(&nf_tpl_pdu);
}

unsigned long nf_tpl_age(void)
{
	lockdep_assert_held(&nf_export_mutex);
	return jiffies - nf_tpl_started;
}

void nf_tpl_counts(unsigned int *templates, unsigned int *active)
{
	lockdep_assert_held(&nf_export_mutex);
	*templates = nf_tpl_version ? NF_T_COUNT + nf_tpl_cache.n : 0;
	*active = nf_tpl_version ? hweight_long(nf_tpl_used) + nf_tpl_cache.n : 0;
}

static u64 nf_mono_ms(void)
{
	return jiffies64_to_msecs(get_jiffies_64());
}

/* Finish p, stamp the header, send; template PDUs go to all destinations. */
static void nf_tpl_send(struct nf_export_sink *s, struct nf_pdu *p, bool tmpl)
{
	struct nf_pdu_hdr h = {};
	struct nf_pdu_acct a = {};

	h.uptime_ms = nf_uptime_ms();
	h.unix_secs = (u32)ktime_get_real_seconds();
	h.sequence = s->seq;
	h.domain = (u32)READ_ONCE(nf_cfg.engine_id);
	a.len = nf_pdu_finish(p, &h);
	if (tmpl) {
		s->send_all(p->buf, a.len);
	} else {
		a.flows = p->flows;
		a.pkts = p->pkts;
		a.bytes = p->bytes;
		s->send(p->buf, &a);
	}
	if (p->version == 9)
		s->seq++;
	else
		s->seq += p->data_records;
	nf_tpl_clock.pdus++;
}

/* Templates and options records, in as many PDUs as they need. */
static void nf_tpl_send_templates(struct nf_export_sink *s)
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
		nf_tpl_send(s, &p, true);
		nf_pdu_begin(&p, nf_tpl_version, buf, NF_PDU_MAX);
		p.tc = &nf_tpl_cache;
	}
	nf_tpl_cache.sent = nf_tpl_cache.n;
	s->opt_stats(&st);
	nf_pdu_add_opt_stats(&p, &st);
	if (kind != NF_SAMPLER_OFF) {
		struct nf_opt_sampler sa = {
			.domain = domain,
			.interval = READ_ONCE(nf_cfg.sampler_interval),
			.algorithm = nf_sampler_algorithm(kind),
		};

		if (nf_pdu_add_opt_sampler(&p, &sa)) {
			nf_tpl_send(s, &p, true);
			nf_pdu_begin(&p, nf_tpl_version, buf, NF_PDU_MAX);
			nf_pdu_add_opt_sampler(&p, &sa);
		}
	}
	n = nf_if_list(ifs, 64);
	for (i = 0; i < n; i++) {
		if (!nf_pdu_add_opt_iface(&p, domain, &ifs[i]))
			continue;
		nf_tpl_send(s, &p, true);
		nf_pdu_begin(&p, nf_tpl_version, buf, NF_PDU_MAX);
		nf_pdu_add_opt_iface(&p, domain, &ifs[i]);
	}
	nf_tpl_send(s, &p, true);
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

void nf_tpl_flush(struct nf_export_sink *s)
{
	lockdep_assert_held(&nf_export_mutex);
	if (!nf_tpl_pending())
		return;
	/* templates due, or new ones its records use, go out before it */
	if (nf_tmpl_cache_new(&nf_tpl_cache) ||
	    nf_tmpl_due(&nf_tpl_clock, nf_mono_ms(),
			READ_ONCE(nf_cfg.refresh_rate),
			READ_ONCE(nf_cfg.timeout_rate)))
		nf_tpl_send_templates(s);
	nf_tpl_send(s, &nf_tpl_pdu, false);
	nf_tpl_begin();
}

void nf_tpl_open_counts(u64 *pkts, u64 *bytes)
{
	lockdep_assert_held(&nf_export_mutex);
	*pkts = nf_tpl_version ? nf_tpl_pdu.pkts : 0;
	*bytes = nf_tpl_version ? nf_tpl_pdu.bytes : 0;
}

void nf_tpl_add(struct nf_export_sink *s, const struct nf_exp_rec *r)
{
	lockdep_assert_held(&nf_export_mutex);
	if (!nf_tpl_version)
		return;
	if (nf_pdu_add_flow(&nf_tpl_pdu, r)) {
		nf_tpl_flush(s);
		if (nf_pdu_add_flow(&nf_tpl_pdu, r))
			return;		/* cannot happen: a record fits a PDU */
	}
	if (nf_tpl_pdu.flows == 1)
		nf_tpl_started = jiffies;
	if (!nf_tpl_pdu.last_mask)
		__set_bit(nf_tpl_pdu.last_shape - NF_T_FIRST, &nf_tpl_used);
}

void nf_tpl_add_nat(struct nf_export_sink *s, const struct nf_nat_rec *n)
{
	lockdep_assert_held(&nf_export_mutex);
	if (!nf_tpl_version)
		return;
	if (nf_pdu_add_nat(&nf_tpl_pdu, n)) {
		nf_tpl_flush(s);
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
	lockdep_assert_held(&nf_export_mutex);
	nf_tpl_version = version == 9 || version == 10 ? version : 0;
	nf_tmpl_cache_init(&nf_tpl_cache, nf_tpl_version);
	nf_tpl_begin();
	nf_tmpl_reset(&nf_tpl_clock);
	nf_tpl_used = 0;
}

void nf_tpl_resend(void)
{
	lockdep_assert_held(&nf_export_mutex);
	nf_tmpl_reset(&nf_tpl_clock);
}
