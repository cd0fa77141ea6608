// SPDX-License-Identifier: GPL-2.0-only
/*
 * NetFlow v5 PDUs: filled with up to 30 records.  Full PDUs queue up in a
 * run of IPNF_V5_RUN and go out together (one UDP GSO send where the
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

static u8 ipnf_v5_buf[IPNF_V5_RUN * IPNF_V5_MAX_PDU];
static struct ipnf_pdu_acct ipnf_v5_acct[IPNF_V5_RUN];
static unsigned int ipnf_v5_full;		/* closed PDUs in the run */
static unsigned int ipnf_v5_count;	/* records in the open PDU */
static unsigned int ipnf_v5_flows;
static unsigned long ipnf_v5_started;	/* jiffies: first record of the run */
static u64 ipnf_v5_pkts, ipnf_v5_bytes;	/* in the open PDU */

bool ipnf_v5_pending(void)
{
	lockdep_assert_held(&ipnf_export_mutex);
	return ipnf_v5_count || ipnf_v5_full;
}

unsigned long ipnf_v5_age(void)
{
	lockdep_assert_held(&ipnf_export_mutex);
	return jiffies - ipnf_v5_started;
}

void ipnf_v5_open_counts(u64 *pkts, u64 *bytes)
{
	lockdep_assert_held(&ipnf_export_mutex);
	*pkts = ipnf_v5_pkts;
	*bytes = ipnf_v5_bytes;
}

/* The header's sampling field: 2-bit mode << 14 | 14-bit interval. */
static u16 ipnf_v5_sampling(void)
{
	u8 alg = ipnf_sampler_algorithm(READ_ONCE(ipnf_cfg.sampler_kind));

	return alg ? alg << 14 | READ_ONCE(ipnf_cfg.sampler_interval) : 0;
}

/* The open PDU gets its header and joins the run. */
static void ipnf_v5_close(struct ipnf_export_sink *s)
{
	u8 *pdu = ipnf_v5_buf + ipnf_v5_full * IPNF_V5_MAX_PDU;
	struct ipnf_pdu_acct *a = &ipnf_v5_acct[ipnf_v5_full];
	struct ipnf_v5_hdr h = {};
	struct timespec64 ts;

	ktime_get_real_ts64(&ts);
	h.count = ipnf_v5_count;
	h.uptime_ms = ipnf_uptime_ms();
	h.unix_secs = (u32)ts.tv_sec;
	h.unix_nsecs = (u32)ts.tv_nsec;
	h.sequence = s->seq;
	h.engine_id = (u8)READ_ONCE(ipnf_cfg.engine_id);
	h.sampling = ipnf_v5_sampling();
	ipnf_v5_put_header(pdu, &h);

	a->len = IPNF_V5_HDR_LEN + ipnf_v5_count * IPNF_V5_REC_LEN;
	a->flows = ipnf_v5_flows;
	a->pkts = ipnf_v5_pkts;
	a->bytes = ipnf_v5_bytes;
	s->seq += ipnf_v5_count;
	ipnf_v5_full++;
	ipnf_v5_count = 0;
	ipnf_v5_flows = 0;
	ipnf_v5_pkts = 0;
	ipnf_v5_bytes = 0;
}

/*
 * The closed PDUs out (also at the end of each worker pass): all but the
 * last are full (IPNF_V5_MAX_PDU bytes).  The open PDU, if any, moves to the
 * front of the buffer; it keeps the run's start as its age (it may go out
 * early, never late).
 */
void ipnf_v5_send_ready(struct ipnf_export_sink *s)
{
	lockdep_assert_held(&ipnf_export_mutex);
	/* one GSO send: at most UDP_MAX_SEGMENTS (64 on 6.1), one IP packet */
	BUILD_BUG_ON(IPNF_V5_RUN > 64 || IPNF_V5_RUN * IPNF_V5_MAX_PDU > 65535 - 48);
	if (!ipnf_v5_full)
		return;
	s->send_run(ipnf_v5_buf, IPNF_V5_MAX_PDU, ipnf_v5_acct, ipnf_v5_full);
	if (ipnf_v5_count)
		memmove(ipnf_v5_buf + IPNF_V5_HDR_LEN,
			ipnf_v5_buf + ipnf_v5_full * IPNF_V5_MAX_PDU + IPNF_V5_HDR_LEN,
			ipnf_v5_count * IPNF_V5_REC_LEN);
	ipnf_v5_full = 0;
}

/* Everything out, the open PDU too. */
void ipnf_v5_flush(struct ipnf_export_sink *s)
{
	lockdep_assert_held(&ipnf_export_mutex);
	if (ipnf_v5_count)
		ipnf_v5_close(s);
	ipnf_v5_send_ready(s);
}

/* Room for a record in the open PDU (closing a full one); where it goes. */
static __always_inline u8 *ipnf_v5_room(struct ipnf_export_sink *s)
{
	if (ipnf_v5_count == IPNF_V5_MAX_RECS) {
		ipnf_v5_close(s);
		if (ipnf_v5_full == IPNF_V5_RUN)
			ipnf_v5_send_ready(s);
	}
	if (!ipnf_v5_count && !ipnf_v5_full)
		ipnf_v5_started = jiffies;
	return ipnf_v5_buf + ipnf_v5_full * IPNF_V5_MAX_PDU + IPNF_V5_HDR_LEN +
	       ipnf_v5_count * IPNF_V5_REC_LEN;
}

static __always_inline void ipnf_v5_put(struct ipnf_export_sink *s,
				      const struct ipnf_v5_rec *v)
{
	ipnf_v5_write(ipnf_v5_room(s), v);
	ipnf_v5_count++;
	ipnf_v5_pkts += v->pkts;
	ipnf_v5_bytes += v->bytes;
}

static void ipnf_v5_put_rec(struct ipnf_export_sink *s, const struct ipnf_exp_rec *r,
			  u32 pkts, u32 bytes)
{
	struct ipnf_v5_rec v;

	ipnf_v5_of_rec(&v, r, pkts, bytes);
	ipnf_v5_put(s, &v);
}

/* A flow whose counters exceed 32 bits: records that sum up to it. */
static noinline void ipnf_v5_add_split(struct ipnf_export_sink *s,
				      const struct ipnf_exp_rec *r)
{
	unsigned int i, n = ipnf_v5_records_needed(r);
	u32 pkts, bytes;

	for (i = 0; i < n; i++) {
		ipnf_v5_split(r, i, n, &pkts, &bytes);
		ipnf_v5_put_rec(s, r, pkts, bytes);
	}
	ipnf_v5_flows++;
}

void ipnf_v5_add(struct ipnf_export_sink *s, const struct ipnf_exp_rec *r)
{
	lockdep_assert_held(&ipnf_export_mutex);
	/* the usual case: the counters fit one record's 32 bits */
	if (likely(!((r->packets | r->bytes) >> 32))) {
		ipnf_v5_put_rec(s, r, (u32)r->packets, (u32)r->bytes);
		ipnf_v5_flows++;
		return;
	}
	ipnf_v5_add_split(s, r);
}

/*
 * Records of the flows of v (at most the open PDU's room) into it, from the
 * first on while they are IPv4 with byte counters that fit 32 bits; returns
 * how many.  The PDU's counters and the clock are kept in registers
 * meanwhile (the records' stores could alias *c: a copy is not reloaded).
 */
static unsigned int ipnf_v5_fill(u8 *rec, struct ipnf_flow *const *v, unsigned int n,
			       const struct ipnf_export_clock *c)
{
	const struct ipnf_export_clock clk = *c;
	const u32 base = ipnf_uptime_base(&clk);
	u64 pkts = 0, bytes = 0;
	unsigned int i;

	for (i = 0; i < n; i++, rec += IPNF_V5_REC_LEN) {
		const struct ipnf_flow *f = v[i];
		u64 b = atomic64_read(&f->bytes);
		struct ipnf_v5_rec r;

		if (f->key.family != IPNF_FAM_V4 || b >> 32)
			break;
		r = ipnf_v5_of_flow(f, &clk, base, (u32)atomic_read(&f->packets), (u32)b);
		ipnf_v5_write(rec, &r);
		pkts += r.pkts;
		bytes += b;	/* = r.bytes: it fits 32 bits */
	}
	ipnf_v5_count += i;
	ipnf_v5_pkts += pkts;
	ipnf_v5_bytes += bytes;
	ipnf_v5_flows += i;
	return i;
}

/*
 * Flows straight to records (flow_rec.h), from the first of v on, while they
 * are IPv4 with byte counters that fit 32 bits; returns how many it took.
 */
unsigned int ipnf_v5_add_flows(struct ipnf_export_sink *s, struct ipnf_flow *const *v,
			     unsigned int n, const struct ipnf_export_clock *c)
{
	unsigned int i = 0, k, room;
	u8 *rec;

	lockdep_assert_held(&ipnf_export_mutex);

	while (i < n) {
		rec = ipnf_v5_room(s);
		room = min(n - i, IPNF_V5_MAX_RECS - ipnf_v5_count);
		k = ipnf_v5_fill(rec, v + i, room, c);
		i += k;
		if (k < room)
			break;	/* v[i] needs the general record */
	}
	return i;
}
