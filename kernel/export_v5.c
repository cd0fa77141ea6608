// SPDX-License-Identifier: GPL-2.0-only
/*
 * NetFlow v5 PDUs: filled with up to 30 records.  Full PDUs queue up in a
 * run of NF_V5_RUN and go out together (one UDP GSO send where the
 * destination allows it, see sock.c) when the run is full, at the end of
 * each worker pass, or with the last, partial PDU once it has aged.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include "cfg.h"
#include "locks.h"
#include "options.h"
#include "export_v5.h"
#include "pdu_v5.h"
#include "flow_rec.h"
#include "export_sink.h"

static u8 nf_v5_buf[NF_V5_RUN * NF_V5_MAX_PDU];
static struct nf_pdu_acct nf_v5_acct[NF_V5_RUN];
static unsigned int nf_v5_full;		/* closed PDUs in the run */
static unsigned int nf_v5_count;	/* records in the open PDU */
static unsigned int nf_v5_flows;
static unsigned long nf_v5_started;	/* jiffies: first record of the run */
static u64 nf_v5_pkts, nf_v5_bytes;	/* in the open PDU */

bool nf_v5_pending(void)
{
	lockdep_assert_held(&nf_export_mutex);
	return nf_v5_count || nf_v5_full;
}

unsigned long nf_v5_age(void)
{
	lockdep_assert_held(&nf_export_mutex);
	return jiffies - nf_v5_started;
}

void nf_v5_open_counts(u64 *pkts, u64 *bytes)
{
	lockdep_assert_held(&nf_export_mutex);
	*pkts = nf_v5_pkts;
	*bytes = nf_v5_bytes;
}

/* The header's sampling field: 2-bit mode << 14 | 14-bit interval. */
static u16 nf_v5_sampling(void)
{
	u8 alg = nf_sampler_algorithm(READ_ONCE(nf_cfg.sampler_kind));

	return alg ? alg << 14 | READ_ONCE(nf_cfg.sampler_interval) : 0;
}

/* The open PDU gets its header and joins the run. */
static void nf_v5_close(struct nf_export_sink *s)
{
	u8 *pdu = nf_v5_buf + nf_v5_full * NF_V5_MAX_PDU;
	struct nf_pdu_acct *a = &nf_v5_acct[nf_v5_full];
	struct nf_v5_hdr h = {};
	struct timespec64 ts;

	ktime_get_real_ts64(&ts);
	h.count = nf_v5_count;
	h.uptime_ms = nf_uptime_ms();
	h.unix_secs = (u32)ts.tv_sec;
	h.unix_nsecs = (u32)ts.tv_nsec;
	h.sequence = s->seq;
	h.engine_id = (u8)READ_ONCE(nf_cfg.engine_id);
	h.sampling = nf_v5_sampling();
	nf_v5_put_header(pdu, &h);

	a->len = NF_V5_HDR_LEN + nf_v5_count * NF_V5_REC_LEN;
	a->flows = nf_v5_flows;
	a->pkts = nf_v5_pkts;
	a->bytes = nf_v5_bytes;
	s->seq += nf_v5_count;
	nf_v5_full++;
	nf_v5_count = 0;
	nf_v5_flows = 0;
	nf_v5_pkts = 0;
	nf_v5_bytes = 0;
}

/*
 * The closed PDUs out (also at the end of each worker pass): all but the
 * last are full (NF_V5_MAX_PDU bytes).  The open PDU, if any, moves to the
 * front of the buffer; it keeps the run's start as its age (it may go out
 * early, never late).
 */
void nf_v5_send_ready(struct nf_export_sink *s)
{
	lockdep_assert_held(&nf_export_mutex);
	/* one GSO send: at most UDP_MAX_SEGMENTS (64 on 6.1), one IP packet */
	BUILD_BUG_ON(NF_V5_RUN > 64 || NF_V5_RUN * NF_V5_MAX_PDU > 65535 - 48);
	if (!nf_v5_full)
		return;
	s->send_run(nf_v5_buf, NF_V5_MAX_PDU, nf_v5_acct, nf_v5_full);
	if (nf_v5_count)
		memmove(nf_v5_buf + NF_V5_HDR_LEN,
			nf_v5_buf + nf_v5_full * NF_V5_MAX_PDU + NF_V5_HDR_LEN,
			nf_v5_count * NF_V5_REC_LEN);
	nf_v5_full = 0;
}

/* Everything out, the open PDU too. */
void nf_v5_flush(struct nf_export_sink *s)
{
	lockdep_assert_held(&nf_export_mutex);
	if (nf_v5_count)
		nf_v5_close(s);
	nf_v5_send_ready(s);
}

static __always_inline void nf_v5_put(struct nf_export_sink *s,
				      const struct nf_v5_rec *v)
{
	if (nf_v5_count == NF_V5_MAX_RECS) {
		nf_v5_close(s);
		if (nf_v5_full == NF_V5_RUN)
			nf_v5_send_ready(s);
	}
	if (!nf_v5_count && !nf_v5_full)
		nf_v5_started = jiffies;
	nf_v5_write(nf_v5_buf + nf_v5_full * NF_V5_MAX_PDU +
		    NF_V5_HDR_LEN + nf_v5_count * NF_V5_REC_LEN, v);
	nf_v5_count++;
	nf_v5_pkts += v->pkts;
	nf_v5_bytes += v->bytes;
}

static void nf_v5_put_rec(struct nf_export_sink *s, const struct nf_exp_rec *r,
			  u32 pkts, u32 bytes)
{
	struct nf_v5_rec v;

	nf_v5_of_rec(&v, r, pkts, bytes);
	nf_v5_put(s, &v);
}

/* A flow whose counters exceed 32 bits: records that sum up to it. */
static noinline void nf_v5_add_split(struct nf_export_sink *s,
				      const struct nf_exp_rec *r)
{
	unsigned int i, n = nf_v5_records_needed(r);
	u32 pkts, bytes;

	for (i = 0; i < n; i++) {
		nf_v5_split(r, i, n, &pkts, &bytes);
		nf_v5_put_rec(s, r, pkts, bytes);
	}
	nf_v5_flows++;
}

void nf_v5_add(struct nf_export_sink *s, const struct nf_exp_rec *r)
{
	lockdep_assert_held(&nf_export_mutex);
	/* the usual case: the counters fit one record's 32 bits */
	if (likely(!((r->packets | r->bytes) >> 32))) {
		nf_v5_put_rec(s, r, (u32)r->packets, (u32)r->bytes);
		nf_v5_flows++;
		return;
	}
	nf_v5_add_split(s, r);
}

/* An IPv4 flow whose counters fit 32 bits, straight (flow_rec.h). */
void nf_v5_add_flow(struct nf_export_sink *s, const struct nf_flow *f,
		    const struct nf_export_clock *c, u32 pkts, u32 bytes)
{
	struct nf_v5_rec v = nf_v5_of_flow(f, c, pkts, bytes);

	lockdep_assert_held(&nf_export_mutex);

	nf_v5_put(s, &v);
	nf_v5_flows++;
}
