// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exporter (export.h): flow sampling (deterministic and random are
 * decided here, per finished flow; hash is decided on the packet path),
 * dispatch to the PDU encoder of the configured protocol, sending through
 * the sockets and send accounting, and the parameter changes that reach
 * export.  Everything here runs under ipnf_export_mutex.
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

static struct ipnf_export_stats ipnf_xstats;
static int ipnf_proto = 5;
static unsigned int ipnf_sampler_count;
static u64 ipnf_init_ms;			/* wall clock ms at module start */

static void ipnf_export_send(const u8 *buf, const struct ipnf_pdu_acct *acct);
static void ipnf_export_send_run(const u8 *buf, unsigned int seg,
			       const struct ipnf_pdu_acct *acct, unsigned int n);
static void ipnf_export_send_all(const u8 *buf, unsigned int len);
static void ipnf_export_opt_stats(struct ipnf_opt_stats *s);

/*
 * The encoders' way out.  Its sequence number goes on across a protocol
 * switch from where the old stream stopped (any start is valid), so
 * collectors that track sequences per exporter and domain, whatever the
 * version, see no gap.
 */
static struct ipnf_export_sink ipnf_sink = {
	.send = ipnf_export_send,
	.send_run = ipnf_export_send_run,
	.send_all = ipnf_export_send_all,
	.opt_stats = ipnf_export_opt_stats,
};

static bool ipnf_sampler_selects(void)
{
	unsigned int n = READ_ONCE(ipnf_cfg.sampler_interval);

	switch (READ_ONCE(ipnf_cfg.sampler_kind)) {
	case IPNF_SAMPLER_DETERMINISTIC:
		return ipnf_sampler_count++ % n == 0;
	case IPNF_SAMPLER_RANDOM:
		return ipnf_random_below(n) == 0;
	default:
		return true;	/* off, or hash: selected on the packet path */
	}
}

unsigned int ipnf_export_flows(struct ipnf_flow *const *v, unsigned int n,
			     const struct ipnf_export_clock *c, bool plain)
{
	lockdep_assert_held(&ipnf_export_mutex);
	if (READ_ONCE(ipnf_cfg.sampler_kind) != IPNF_SAMPLER_OFF)
		return 0;
	if (ipnf_proto == 5)
		return ipnf_v5_add_flows(&ipnf_sink, v, n, c);
	return plain ? ipnf_tpl_add_flows(&ipnf_sink, v, n, c) : 0;
}

void ipnf_export_flow(const struct ipnf_exp_rec *r)
{
	lockdep_assert_held(&ipnf_export_mutex);

	if (READ_ONCE(ipnf_cfg.sampler_kind) != IPNF_SAMPLER_OFF) {
		ipnf_xstats.sampler_seen++;
		if (!ipnf_sampler_selects())
			return;
		ipnf_xstats.sampler_selected++;
	}
	if (ipnf_proto != 5) {
		ipnf_tpl_add(&ipnf_sink, r);
		return;
	}
	if (r->key.family == IPNF_FAM_V6) {
		/* NetFlow v5 has no room for IPv6 addresses. */
		ipnf_xstats.v6_unexportable++;
		pr_warn_once("IPv6 flows cannot be exported as NetFlow v5; set protocol=9 or 10 (counted as unexportable)\n");
		return;
	}
	ipnf_v5_add(&ipnf_sink, r);
}

/* NAT events are not sampled: they are not flows. */
void ipnf_export_nat(const struct ipnf_nat_rec *n)
{
	struct ipnf_exp_rec r;

	lockdep_assert_held(&ipnf_export_mutex);

	if (ipnf_proto != 5) {
		ipnf_tpl_add_nat(&ipnf_sink, n);
		return;
	}
	ipnf_v5_nat_rec(n, &r);
	ipnf_v5_add(&ipnf_sink, &r);
}

void ipnf_export_flush(bool force)
{
	lockdep_assert_held(&ipnf_export_mutex);

	ipnf_socks_tick();
	if (ipnf_v5_pending() && (force || ipnf_v5_age() >= HZ / 2))
		ipnf_v5_flush(&ipnf_sink);
	else
		ipnf_v5_send_ready(&ipnf_sink);	/* the full PDUs of this pass, if any */
	if (ipnf_tpl_pending() && (force || ipnf_tpl_age() >= HZ / 2))
		ipnf_tpl_flush(&ipnf_sink);
}

void ipnf_export_stats_read(struct ipnf_export_stats *x)
{
	lockdep_assert_held(&ipnf_export_mutex);

	*x = ipnf_xstats;
	if (ipnf_proto == 5)
		ipnf_v5_open_counts(&x->pdu_pkts, &x->pdu_bytes);
	else
		ipnf_tpl_open_counts(&x->pdu_pkts, &x->pdu_bytes);
}

u64 ipnf_export_bytes(void)
{
	lockdep_assert_held(&ipnf_export_mutex);
	return ipnf_xstats.bytes;
}

/* Template PDUs: to every destination; no flows in them. */
static void ipnf_export_send_all(const u8 *buf, unsigned int len)
{
	if (ipnf_socks_send_all(buf, len) == 0) {
		ipnf_xstats.pdus++;
		ipnf_xstats.bytes += len;
		return;
	}
	ipnf_xstats.err_pdus++;
}

static void ipnf_export_account(bool delivered, const struct ipnf_pdu_acct *a)
{
	if (delivered) {
		ipnf_xstats.pdus++;
		ipnf_xstats.bytes += a->len;
		ipnf_xstats.flows += a->flows;
		return;
	}
	ipnf_xstats.err_pdus++;
	ipnf_xstats.lost_flows += a->flows;
	ipnf_xstats.lost_pkts += a->pkts;
	ipnf_xstats.lost_bytes += a->bytes;
}

static void ipnf_export_send(const u8 *buf, const struct ipnf_pdu_acct *acct)
{
	ipnf_export_account(ipnf_socks_send(buf, acct->len) == 0, acct);
}

static void ipnf_export_send_run(const u8 *buf, unsigned int seg,
			       const struct ipnf_pdu_acct *acct, unsigned int n)
{
	unsigned int i, len = (n - 1) * seg + acct[n - 1].len;
	u64 delivered = ipnf_socks_send_run(buf, len, seg);

	for (i = 0; i < n; i++)
		ipnf_export_account(delivered & BIT_ULL(i), &acct[i]);
}

/* The statistics options record (v9/IPFIX): what was sent, lost, metered. */
static void ipnf_export_opt_stats(struct ipnf_opt_stats *s)
{
	struct ipnf_cpu_stats t;

	ipnf_stats_sum(&t);
	memset(s, 0, sizeof(*s));
	s->domain = (u32)READ_ONCE(ipnf_cfg.engine_id);
	s->exp_octets = ipnf_xstats.bytes;
	s->exp_msgs = ipnf_xstats.pdus;
	s->exp_flows = ipnf_xstats.flows;
	s->pkts = t.pkts;
	s->octets = t.bytes;
	s->ign_pkts = t.drop_pkts;
	s->ign_octets = t.drop_bytes;
	s->notsent_flows = ipnf_xstats.lost_flows;
	s->notsent_pkts = ipnf_xstats.lost_pkts;
	s->notsent_octets = ipnf_xstats.lost_bytes;
	s->init_ms = ipnf_init_ms;
}

/* Pending flows go out in the old format first; nothing is lost. */
static void ipnf_export_set_protocol(int proto)
{
	ipnf_export_flush(true);
	if (proto != ipnf_proto)
		ipnf_tpl_set_version(proto);
	ipnf_proto = proto;
}

int ipnf_export_change(const struct ipnf_export_change *c)
{
	int err = 0;

	mutex_lock(&ipnf_export_mutex);
	if (c->what & IPNF_XCH_PROTOCOL)
		ipnf_export_set_protocol(c->protocol);
	if (c->what & IPNF_XCH_DESTINATION) {
		/* the pending PDU stays here and goes to the new destinations */
		err = ipnf_socks_set(c->dests, c->ndests);
		if (err)
			goto out;
	}
	if (c->what & IPNF_XCH_SAMPLER) {
		/* the PDU being built carries the old sampling signal: send it */
		ipnf_export_flush(true);
		ipnf_cfg_set_sampler(c->sampler_kind, c->sampler_interval);
	}
	if (c->what & IPNF_XCH_SNDBUF) {
		WRITE_ONCE(ipnf_cfg.sndbuf, c->sndbuf);
		ipnf_socks_set_sndbuf(c->sndbuf);
	}
	/* v9/IPFIX: new collectors need the templates, a new sampler its record */
	if (c->what & (IPNF_XCH_DESTINATION | IPNF_XCH_SAMPLER))
		ipnf_tpl_resend();
out:
	mutex_unlock(&ipnf_export_mutex);
	return err;
}

int ipnf_export_init(const struct ipnf_dest *dests, int ndests)
{
	int err;

	ipnf_init_ms = div_u64(ktime_get_real_ns(), NSEC_PER_MSEC) - ipnf_uptime_ms();
	mutex_lock(&ipnf_export_mutex);
	ipnf_proto = ipnf_cfg.protocol;
	ipnf_tpl_set_version(ipnf_proto);
	err = ipnf_socks_set(dests, ndests);
	mutex_unlock(&ipnf_export_mutex);
	return err;
}

void ipnf_export_exit(void)
{
	mutex_lock(&ipnf_export_mutex);
	ipnf_export_flush(true);
	ipnf_socks_exit();
	mutex_unlock(&ipnf_export_mutex);
}
