// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exporter (export.h): flow sampling (deterministic and random are
 * decided here, per finished flow; hash is decided on the packet path),
 * dispatch to the PDU encoder of the configured protocol, sending through
 * the sockets and send accounting, and the parameter changes that reach
 * export.  Everything here runs under nf_export_mutex.
 */
#include <linux/jiffies.h>
#include <linux/random.h>
#include "cfg.h"
#include "locks.h"
#include "export.h"
#include "export_v5.h"
#include "export_tpl.h"
#include "pdu_v5.h"
#include "sock.h"
#include "stats.h"
#include "tmpl.h"
#include "export_sink.h"

static struct nf_export_stats nf_xstats;
static int nf_proto = 5;
static unsigned int nf_sampler_count;
static u64 nf_init_ms;			/* wall clock ms at module start */

static void nf_export_send(const u8 *buf, const struct nf_pdu_acct *acct);
static void nf_export_send_run(const u8 *buf, unsigned int seg,
			       const struct nf_pdu_acct *acct, unsigned int n);
static void nf_export_send_all(const u8 *buf, unsigned int len);
static void nf_export_opt_stats(struct nf_opt_stats *s);

/*
 * The encoders' way out.  Its sequence number goes on across a protocol
 * switch from where the old stream stopped (any start is valid), so
 * collectors that track sequences per exporter and domain, whatever the
 * version, see no gap.
 */
static struct nf_export_sink nf_sink = {
	.send = nf_export_send,
	.send_run = nf_export_send_run,
	.send_all = nf_export_send_all,
	.opt_stats = nf_export_opt_stats,
};

static bool nf_sampler_selects(void)
{
	unsigned int n = READ_ONCE(nf_cfg.sampler_interval);

	switch (READ_ONCE(nf_cfg.sampler_kind)) {
	case NF_SAMPLER_DETERMINISTIC:
		return nf_sampler_count++ % n == 0;
	case NF_SAMPLER_RANDOM:
		return nf_random_below(n) == 0;
	default:
		return true;	/* off, or hash: selected on the packet path */
	}
}

/*
 * The usual NetFlow v5 case goes straight from the flow to its record
 * (nf_v5_add_flow): nothing to sample, nothing but v5 to encode.
 */
struct nf_export_sink *nf_export_v5_sink(void)
{
	lockdep_assert_held(&nf_export_mutex);
	if (nf_proto == 5 && READ_ONCE(nf_cfg.sampler_kind) == NF_SAMPLER_OFF)
		return &nf_sink;
	return NULL;
}

void nf_export_flow(const struct nf_exp_rec *r)
{
	lockdep_assert_held(&nf_export_mutex);

	if (READ_ONCE(nf_cfg.sampler_kind) != NF_SAMPLER_OFF) {
		nf_xstats.sampler_seen++;
		if (!nf_sampler_selects())
			return;
		nf_xstats.sampler_selected++;
	}
	if (nf_proto != 5) {
		nf_tpl_add(&nf_sink, r);
		return;
	}
	if (r->key.family == NF_FAM_V6) {
		/* NetFlow v5 has no room for IPv6 addresses. */
		nf_xstats.v6_unexportable++;
		pr_warn_once("IPv6 flows cannot be exported as NetFlow v5; set protocol=9 or 10 (counted as unexportable)\n");
		return;
	}
	nf_v5_add(&nf_sink, r);
}

/* NAT events are not sampled: they are not flows. */
void nf_export_nat(const struct nf_nat_rec *n)
{
	struct nf_exp_rec r;

	lockdep_assert_held(&nf_export_mutex);

	if (nf_proto != 5) {
		nf_tpl_add_nat(&nf_sink, n);
		return;
	}
	nf_v5_nat_rec(n, &r);
	nf_v5_add(&nf_sink, &r);
}

void nf_export_flush(bool force)
{
	lockdep_assert_held(&nf_export_mutex);

	nf_socks_tick();
	if (nf_v5_pending() && (force || nf_v5_age() >= HZ / 2))
		nf_v5_flush(&nf_sink);
	else
		nf_v5_send_ready(&nf_sink);	/* the full PDUs of this pass, if any */
	if (nf_tpl_pending() && (force || nf_tpl_age() >= HZ / 2))
		nf_tpl_flush(&nf_sink);
}

void nf_export_stats_read(struct nf_export_stats *x)
{
	lockdep_assert_held(&nf_export_mutex);

	*x = nf_xstats;
	if (nf_proto == 5)
		nf_v5_open_counts(&x->pdu_pkts, &x->pdu_bytes);
	else
		nf_tpl_open_counts(&x->pdu_pkts, &x->pdu_bytes);
}

u64 nf_export_bytes(void)
{
	lockdep_assert_held(&nf_export_mutex);
	return nf_xstats.bytes;
}

/* Template PDUs: to every destination; no flows in them. */
static void nf_export_send_all(const u8 *buf, unsigned int len)
{
	if (nf_socks_send_all(buf, len) == 0) {
		nf_xstats.pdus++;
		nf_xstats.bytes += len;
		return;
	}
	nf_xstats.err_pdus++;
}

static void nf_export_account(bool delivered, const struct nf_pdu_acct *a)
{
	if (delivered) {
		nf_xstats.pdus++;
		nf_xstats.bytes += a->len;
		nf_xstats.flows += a->flows;
		return;
	}
	nf_xstats.err_pdus++;
	nf_xstats.lost_flows += a->flows;
	nf_xstats.lost_pkts += a->pkts;
	nf_xstats.lost_bytes += a->bytes;
}

static void nf_export_send(const u8 *buf, const struct nf_pdu_acct *acct)
{
	nf_export_account(nf_socks_send(buf, acct->len) == 0, acct);
}

static void nf_export_send_run(const u8 *buf, unsigned int seg,
			       const struct nf_pdu_acct *acct, unsigned int n)
{
	unsigned int i, len = (n - 1) * seg + acct[n - 1].len;
	u64 delivered = nf_socks_send_run(buf, len, seg);

	for (i = 0; i < n; i++)
		nf_export_account(delivered & BIT_ULL(i), &acct[i]);
}

/* The statistics options record (v9/IPFIX): what was sent, lost, metered. */
static void nf_export_opt_stats(struct nf_opt_stats *s)
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

/* Pending flows go out in the old format first; nothing is lost. */
static void nf_export_set_protocol(int proto)
{
	nf_export_flush(true);
	if (proto != nf_proto)
		nf_tpl_set_version(proto);
	nf_proto = proto;
}

int nf_export_change(const struct nf_export_change *c)
{
	int err = 0;

	mutex_lock(&nf_export_mutex);
	if (c->what & NF_XCH_PROTOCOL)
		nf_export_set_protocol(c->protocol);
	if (c->what & NF_XCH_DESTINATION) {
		/* the pending PDU stays here and goes to the new destinations */
		err = nf_socks_set(c->dests, c->ndests);
		if (err)
			goto out;
	}
	if (c->what & NF_XCH_SAMPLER) {
		/* the PDU being built carries the old sampling signal: send it */
		nf_export_flush(true);
		WRITE_ONCE(nf_cfg.sampler_interval, c->sampler_interval);
		WRITE_ONCE(nf_cfg.sampler_kind, c->sampler_kind);
	}
	if (c->what & NF_XCH_SNDBUF) {
		WRITE_ONCE(nf_cfg.sndbuf, c->sndbuf);
		nf_socks_set_sndbuf(c->sndbuf);
	}
	/* v9/IPFIX: new collectors need the templates, a new sampler its record */
	if (c->what & (NF_XCH_DESTINATION | NF_XCH_SAMPLER))
		nf_tpl_resend();
out:
	mutex_unlock(&nf_export_mutex);
	return err;
}

int nf_export_init(const struct nf_dest *dests, int ndests)
{
	int err;

	nf_init_ms = div_u64(ktime_get_real_ns(), NSEC_PER_MSEC) - nf_uptime_ms();
	mutex_lock(&nf_export_mutex);
	nf_proto = nf_cfg.protocol;
	nf_tpl_set_version(nf_proto);
	err = nf_socks_set(dests, ndests);
	mutex_unlock(&nf_export_mutex);
	return err;
}

void nf_export_exit(void)
{
	mutex_lock(&nf_export_mutex);
	nf_export_flush(true);
	nf_socks_exit();
	mutex_unlock(&nf_export_mutex);
}
