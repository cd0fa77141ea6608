// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exporter front: flow sampling (deterministic and random are decided
 * here, per finished flow; hash is decided on the packet path), dispatch to
 * the PDU builder of the configured protocol, and send accounting.
 * Everything here runs under nf_export_mutex.
 */
#include <linux/jiffies.h>
#include <linux/random.h>
#include "netflow.h"
#include "pdu_v5.h"

struct nf_export_stats nf_xstats;
/*
 * The sequence number of the next PDU: v5 and IPFIX add the records of each
 * PDU, v9 adds one per PDU.  One counter for every version: after a protocol
 * switch the new stream goes on from where the old one stopped (any start is
 * valid), so collectors that track sequences per exporter and domain,
 * whatever the version, see no gap.
 */
u32 nf_export_seq;
static int nf_proto = 5;
static unsigned int nf_sampler_count;

u32 nf_uptime_ms(void)
{
	return (u32)jiffies64_to_msecs(get_jiffies_64() - INITIAL_JIFFIES);
}

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
bool nf_export_v5_straight(void)
{
	return nf_proto == 5 && READ_ONCE(nf_cfg.sampler_kind) == NF_SAMPLER_OFF;
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
		nf_tpl_add(r);
		return;
	}
	if (r->key.family == NF_FAM_V6) {
		/* NetFlow v5 has no room for IPv6 addresses. */
		nf_xstats.v6_unexportable++;
		pr_warn_once("IPv6 flows cannot be exported as NetFlow v5; set protocol=9 or 10 (counted as unexportable)\n");
		return;
	}
	nf_v5_add(r);
}

/* NAT events are not sampled: they are not flows. */
void nf_export_nat(const struct nf_nat_rec *n)
{
	struct nf_exp_rec r;

	lockdep_assert_held(&nf_export_mutex);

	if (nf_proto != 5) {
		nf_tpl_add_nat(n);
		return;
	}
	nf_v5_nat_rec(n, &r);
	nf_v5_add(&r);
}

void nf_export_flush(bool force)
{
	nf_socks_tick();
	if (nf_v5_pending() && (force || nf_v5_age() >= HZ / 2))
		nf_v5_flush();
	else
		nf_v5_send_ready();	/* the full PDUs of this pass, if any */
	if (nf_tpl_pending() && (force || nf_tpl_age() >= HZ / 2))
		nf_tpl_flush();
}

/* Template PDUs: to every destination; no flows in them. */
void nf_export_send_tmpl(const u8 *buf, unsigned int len)
{
	if (nf_socks_send_all(buf, len) == 0) {
		nf_xstats.pdus++;
		nf_xstats.bytes += len;
		return;
	}
	nf_xstats.err_pdus++;
}

static void nf_export_account(bool delivered, unsigned int len,
			      unsigned int flows, u64 pkts, u64 bytes)
{
	if (delivered) {
		nf_xstats.pdus++;
		nf_xstats.bytes += len;
		nf_xstats.flows += flows;
		return;
	}
	nf_xstats.err_pdus++;
	nf_xstats.lost_flows += flows;
	nf_xstats.lost_pkts += pkts;
	nf_xstats.lost_bytes += bytes;
}

void nf_export_send(const u8 *buf, unsigned int len, unsigned int flows,
		    u64 pkts, u64 bytes)
{
	nf_export_account(nf_socks_send(buf, len) == 0, len, flows, pkts, bytes);
}

void nf_export_send_run(const u8 *buf, unsigned int seg,
			const struct nf_pdu_acct *acct, unsigned int n)
{
	unsigned int i, len = (n - 1) * seg + acct[n - 1].len;
	u64 delivered = nf_socks_send_run(buf, len, seg);

	for (i = 0; i < n; i++)
		nf_export_account(delivered & BIT_ULL(i), acct[i].len,
				  acct[i].flows, acct[i].pkts, acct[i].bytes);
}

/* Pending flows go out in the old format first; nothing is lost. */
int nf_export_set_protocol(int proto)
{
	nf_export_flush(true);
	if (proto != nf_proto)
		nf_tpl_set_version(proto);
	nf_proto = proto;
	return 0;
}

int nf_export_init(void)
{
	int err;

	mutex_lock(&nf_export_mutex);
	nf_proto = nf_cfg.protocol;
	nf_tpl_set_version(nf_proto);
	err = nf_socks_set(nf_cfg.destination);
	mutex_unlock(&nf_export_mutex);
	return err;
}

void nf_export_exit(void)
{
	mutex_lock(&nf_export_mutex);
	nf_export_flush(true);
	mutex_unlock(&nf_export_mutex);
	nf_socks_exit();
}
