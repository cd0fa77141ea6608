// SPDX-License-Identifier: GPL-2.0-only
/* NetFlow v5 PDUs: filled with up to 30 records, sent when full or aged. */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include "netflow.h"
#include "pdu_v5.h"

static u8 nf_v5_buf[NF_V5_MAX_PDU];
static unsigned int nf_v5_count;
static unsigned int nf_v5_flows;
static unsigned long nf_v5_started;

bool nf_v5_pending(void)
{
	return nf_v5_count != 0;
}

unsigned long nf_v5_age(void)
{
	return jiffies - nf_v5_started;
}

static u16 nf_v5_sampling(void)
{
	unsigned int n = READ_ONCE(nf_cfg.sampler_interval);

	switch (READ_ONCE(nf_cfg.sampler_kind)) {
	case NF_SAMPLER_DETERMINISTIC:
		return 1 << 14 | n;
	case NF_SAMPLER_RANDOM:
	case NF_SAMPLER_HASH:	/* presented as random, as the classic module does */
		return 2 << 14 | n;
	default:
		return 0;
	}
}

void nf_v5_flush(void)
{
	struct nf_v5_hdr h = {};
	struct timespec64 ts;
	unsigned int len;

	if (!nf_v5_count)
		return;
	ktime_get_real_ts64(&ts);
	h.count = nf_v5_count;
	h.uptime_ms = nf_uptime_ms();
	h.unix_secs = (u32)ts.tv_sec;
	h.unix_nsecs = (u32)ts.tv_nsec;
	h.sequence = nf_export_seq;
	h.engine_id = (u8)READ_ONCE(nf_cfg.engine_id);
	h.sampling = nf_v5_sampling();
	nf_v5_put_header(nf_v5_buf, &h);
	len = NF_V5_HDR_LEN + nf_v5_count * NF_V5_REC_LEN;

	nf_export_send(nf_v5_buf, len, nf_v5_flows, nf_xstats.pdu_pkts,
		       nf_xstats.pdu_bytes);
	nf_export_seq += nf_v5_count;
	nf_v5_count = 0;
	nf_v5_flows = 0;
	nf_xstats.pdu_pkts = 0;
	nf_xstats.pdu_bytes = 0;
}

static inline void nf_v5_put(const struct nf_exp_rec *r, u32 pkts, u32 bytes)
{
	if (nf_v5_count == NF_V5_MAX_RECS)
		nf_v5_flush();
	if (!nf_v5_count)
		nf_v5_started = jiffies;
	nf_v5_put_record(nf_v5_buf + NF_V5_HDR_LEN + nf_v5_count * NF_V5_REC_LEN,
			 r, pkts, bytes);
	nf_v5_count++;
	nf_xstats.pdu_pkts += pkts;
	nf_xstats.pdu_bytes += bytes;
}

/* A flow whose counters exceed 32 bits: records that sum up to it. */
static noinline void nf_v5_add_split(const struct nf_exp_rec *r)
{
	unsigned int i, n = nf_v5_records_needed(r);
	u32 pkts, bytes;

	for (i = 0; i < n; i++) {
		nf_v5_split(r, i, n, &pkts, &bytes);
		nf_v5_put(r, pkts, bytes);
	}
	nf_v5_flows++;
}

void nf_v5_add(const struct nf_exp_rec *r)
{
	/* the usual case: the counters fit one record's 32 bits */
	if (likely(!((r->packets | r->bytes) >> 32))) {
		nf_v5_put(r, (u32)r->packets, (u32)r->bytes);
		nf_v5_flows++;
		return;
	}
	nf_v5_add_split(r);
}
