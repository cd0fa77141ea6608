// SPDX-License-Identifier: GPL-2.0-only
/*
 * NetFlow v9 and IPFIX export through the template engine (tmpl.c).
 *
 * Data PDUs are filled up to IPNF_PDU_MAX and sent when full or aged, like
 * v5 ones.  Before a data PDU is sent, if templates are due (first PDU,
 * every refresh-rate PDUs, every timeout-rate minutes, new destinations, or
 * a record in it needed a template not announced yet), template PDUs go
 * out first: all templates and options templates, then the options records
 * (statistics, sampling, interfaces).  They go to every destination, also
 * in balance mode, so whichever collector gets the data knows its template.
 * Sequence numbers: v9 counts PDUs, IPFIX counts data records (options
 * records included).  Everything runs under
 * ipnf_export_mutex; PDUs go out through the exporter's sink (export_sink.h).
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

static u8 ipnf_tpl_buf[IPNF_PDU_MAX];
static struct ipnf_pdu ipnf_tpl_pdu;
static int ipnf_tpl_version;
static unsigned long ipnf_tpl_started;
static struct ipnf_tmpl_clock ipnf_tpl_clock;
static struct ipnf_tmpl_cache ipnf_tpl_cache;	/* templates with blocks */
static unsigned long ipnf_tpl_used;	/* bit per fixed data template used */

bool ipnf_tpl_pending(void)
{
	lockdep_assert_held(&ipnf_export_mutex);
	return ipnf_tpl_version && !ipnf_pdu_empty(&ipnf_tpl_pdu);
}

unsigned long ipnf_tpl_age(void)
{
	lockdep_assert_held(&ipnf_export_mutex);
	return jiffies - ipnf_tpl_started;
}

void ipnf_tpl_counts(unsigned int *templates, unsigned int *active)
{
	lockdep_assert_held(&ipnf_export_mutex);
	*templates = ipnf_tpl_version ? IPNF_T_COUNT + ipnf_tpl_cache.n : 0;
	*active = ipnf_tpl_version ? hweight_long(ipnf_tpl_used) + ipnf_tpl_cache.n : 0;
}

static u64 ipnf_mono_ms(void)
{
	return jiffies64_to_msecs(get_jiffies_64());
}

/* Finish p, stamp the header, send; template PDUs go to all destinations. */
static void ipnf_tpl_send(struct ipnf_export_sink *s, struct ipnf_pdu *p, bool tmpl)
{
	struct ipnf_pdu_hdr h = {};
	struct ipnf_pdu_acct a = {};

	h.uptime_ms = ipnf_uptime_ms();
	h.unix_secs = (u32)ktime_get_real_seconds();
	h.sequence = s->seq;
	h.domain = (u32)READ_ONCE(ipnf_cfg.engine_id);
	a.len = ipnf_pdu_finish(p, &h);
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
	ipnf_tpl_clock.pdus++;
}

/* Templates and options records, in as many PDUs as they need. */
static void ipnf_tpl_send_templates(struct ipnf_export_sink *s)
{
	struct ipnf_opt_iface *ifs;
	struct ipnf_opt_stats st;
	struct ipnf_pdu p;
	u8 *buf;
	int kind = READ_ONCE(ipnf_cfg.sampler_kind);
	u32 domain = (u32)READ_ONCE(ipnf_cfg.engine_id);
	unsigned int next = 0;
	int i, n;

	buf = kmalloc(IPNF_PDU_MAX, GFP_KERNEL);
	ifs = kmalloc_array(64, sizeof(*ifs), GFP_KERNEL);
	if (!buf || !ifs)
		goto out;	/* tried again with the next PDU */
	ipnf_pdu_begin(&p, ipnf_tpl_version, buf, IPNF_PDU_MAX);
	p.tc = &ipnf_tpl_cache;
	while (ipnf_pdu_add_tmpls(&p, &next)) {
		if (ipnf_pdu_empty(&p))
			goto out;	/* cannot happen: one fits a PDU */
		ipnf_tpl_send(s, &p, true);
		ipnf_pdu_begin(&p, ipnf_tpl_version, buf, IPNF_PDU_MAX);
		p.tc = &ipnf_tpl_cache;
	}
	ipnf_tpl_cache.sent = ipnf_tpl_cache.n;
	s->opt_stats(&st);
	ipnf_pdu_add_opt_stats(&p, &st);
	if (kind != IPNF_SAMPLER_OFF) {
		struct ipnf_opt_sampler sa = {
			.domain = domain,
			.interval = READ_ONCE(ipnf_cfg.sampler_interval),
			.algorithm = ipnf_sampler_algorithm(kind),
		};

		if (ipnf_pdu_add_opt_sampler(&p, &sa)) {
			ipnf_tpl_send(s, &p, true);
			ipnf_pdu_begin(&p, ipnf_tpl_version, buf, IPNF_PDU_MAX);
			ipnf_pdu_add_opt_sampler(&p, &sa);
		}
	}
	n = ipnf_if_list(ifs, 64);
	for (i = 0; i < n; i++) {
		if (!ipnf_pdu_add_opt_iface(&p, domain, &ifs[i]))
			continue;
		ipnf_tpl_send(s, &p, true);
		ipnf_pdu_begin(&p, ipnf_tpl_version, buf, IPNF_PDU_MAX);
		ipnf_pdu_add_opt_iface(&p, domain, &ifs[i]);
	}
	ipnf_tpl_send(s, &p, true);
	ipnf_tmpl_sent(&ipnf_tpl_clock, ipnf_mono_ms());
out:
	kfree(ifs);
	kfree(buf);
}

static void ipnf_tpl_begin(void)
{
	ipnf_pdu_begin(&ipnf_tpl_pdu, ipnf_tpl_version ? ipnf_tpl_version : 10,
		     ipnf_tpl_buf, IPNF_PDU_MAX);
	ipnf_tpl_pdu.tc = &ipnf_tpl_cache;
}

void ipnf_tpl_flush(struct ipnf_export_sink *s)
{
	lockdep_assert_held(&ipnf_export_mutex);
	if (!ipnf_tpl_pending())
		return;
	/* templates due, or new ones its records use, go out before it */
	if (ipnf_tmpl_cache_new(&ipnf_tpl_cache) ||
	    ipnf_tmpl_due(&ipnf_tpl_clock, ipnf_mono_ms(),
			READ_ONCE(ipnf_cfg.refresh_rate),
			READ_ONCE(ipnf_cfg.timeout_rate)))
		ipnf_tpl_send_templates(s);
	ipnf_tpl_send(s, &ipnf_tpl_pdu, false);
	ipnf_tpl_begin();
}

void ipnf_tpl_open_counts(u64 *pkts, u64 *bytes)
{
	lockdep_assert_held(&ipnf_export_mutex);
	*pkts = ipnf_tpl_version ? ipnf_tpl_pdu.pkts : 0;
	*bytes = ipnf_tpl_version ? ipnf_tpl_pdu.bytes : 0;
}

/* Flow records went into the open PDU (the first of it with them?). */
static void ipnf_tpl_flows_added(bool first)
{
	if (first)
		ipnf_tpl_started = jiffies;
	ipnf_tpl_used |= ipnf_tpl_pdu.fixed_used;
}

void ipnf_tpl_add(struct ipnf_export_sink *s, const struct ipnf_exp_rec *r)
{
	lockdep_assert_held(&ipnf_export_mutex);
	if (!ipnf_tpl_version)
		return;
	if (ipnf_pdu_add_flow(&ipnf_tpl_pdu, r)) {
		ipnf_tpl_flush(s);
		if (ipnf_pdu_add_flow(&ipnf_tpl_pdu, r))
			return;		/* cannot happen: a record fits a PDU */
	}
	ipnf_tpl_flows_added(ipnf_tpl_pdu.flows == 1);
}

unsigned int ipnf_tpl_add_flows(struct ipnf_export_sink *s, struct ipnf_flow *const *v,
			      unsigned int n, const struct ipnf_export_clock *c)
{
	unsigned int i = 0, k;
	int err = -ENOSPC;

	lockdep_assert_held(&ipnf_export_mutex);
	if (!ipnf_tpl_version)
		return 0;
	while (i < n && err == -ENOSPC) {
		bool first = !ipnf_tpl_pdu.flows;

		k = ipnf_pdu_add_flows4(&ipnf_tpl_pdu, v + i, n - i, c, &err);
		if (k)
			ipnf_tpl_flows_added(first);
		else if (err == -ENOSPC && first)
			break;		/* cannot happen: a record fits a PDU */
		i += k;
		if (err == -ENOSPC)
			ipnf_tpl_flush(s);
	}
	return i;
}

void ipnf_tpl_add_nat(struct ipnf_export_sink *s, const struct ipnf_nat_rec *n)
{
	lockdep_assert_held(&ipnf_export_mutex);
	if (!ipnf_tpl_version)
		return;
	if (ipnf_pdu_add_nat(&ipnf_tpl_pdu, n)) {
		ipnf_tpl_flush(s);
		if (ipnf_pdu_add_nat(&ipnf_tpl_pdu, n))
			return;		/* cannot happen: a record fits a PDU */
	}
	if (ipnf_tpl_pdu.records == 1)
		ipnf_tpl_started = jiffies;
	__set_bit(IPNF_T_NAT4 - IPNF_T_FIRST, &ipnf_tpl_used);
}

/* The previous version's PDU has been flushed by the caller. */
void ipnf_tpl_set_version(int version)
{
	lockdep_assert_held(&ipnf_export_mutex);
	ipnf_tpl_version = version == 9 || version == 10 ? version : 0;
	ipnf_tmpl_cache_init(&ipnf_tpl_cache, ipnf_tpl_version);
	ipnf_tpl_begin();
	ipnf_tmpl_reset(&ipnf_tpl_clock);
	ipnf_tpl_used = 0;
}

void ipnf_tpl_resend(void)
{
	lockdep_assert_held(&ipnf_export_mutex);
	ipnf_tmpl_reset(&ipnf_tpl_clock);
}
