/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What export makes of a flow: the general record every encoder takes
 * (ipnf_flow_fill_rec), and NetFlow v5's straight view of an IPv4 flow
 * (ipnf_v5_of_flow), the fast path that skips the general record.  Both are
 * pure; kernel/tests/flow_rec_test.cc checks on random flows that the fast
 * path writes the very bytes the general record + ipnf_v5_of_rec would.
 */
#ifndef IPNF_FLOW_REC_H
#define IPNF_FLOW_REC_H

#include "flow.h"
#include "export_rec.h"
#include "pdu_v5.h"

/* tcpOptions of a flow: the option bits, and the extra ones kept in state st. */
static __always_inline u64 ipnf_flow_tcp_opts(const struct ipnf_flow *f, int st)
{
	return (u32)atomic_read(&f->tcp_opts) | (u64)((u32)st >> IPNF_FLOW_OPT_SHIFT) << 32;
}

/* A bridge port of the flow's first packet (in, or out), or 0 (built without physdev). */
static __always_inline u32 ipnf_flow_phys(const struct ipnf_flow *f, bool out)
{
#ifdef ENABLE_PHYSDEV
	return out ? f->physout : f->physin;
#else
	return 0;
#endif
}

/*
 * flowEndReason of an exported flow: the one the sweep set in state st, or
 * none for a flush's flows (which the flush does not touch): theirs is
 * IPNF_END_EOF once they saw FIN or RST, else IPNF_END_FORCED.
 */
static __always_inline u8 ipnf_flow_end_reason(int st)
{
	u8 reason = (st >> 16) & 0xff;

	if (reason)
		return reason;
	return st & IPNF_FLOW_ENDED ? IPNF_END_EOF : IPNF_END_FORCED;
}

/*
 * The record of a flow, every field set (no memset of the whole) but the
 * two that need the kernel's tables: vrf_in/vrf_out and the NAT
 * translation (nat, post), which the exporter adds (expiry.c).
 */
static __always_inline void ipnf_flow_fill_rec(struct ipnf_exp_rec *r,
					     const struct ipnf_flow *f,
					     const struct ipnf_export_clock *c)
{
	int st = atomic_read(&f->state);
	u32 first_age = ipnf_age_ms(c, f->ts_first);
	u32 last_age = ipnf_age_ms(c, READ_ONCE(f->ts_last));

	if (f->key.family == IPNF_FAM_V6) {
		memcpy(&r->key, &f->key, IPNF_KEY_V6_LEN);
		r->label = *ipnf_flow_label((struct ipnf_flow *)f);
	} else {
		memcpy(&r->key, &f->key, IPNF_KEY_V4_LEN);
		memset(&r->key.a.words[2], 0, sizeof(r->key.a) - 8);
		r->label = 0;
	}
	r->packets = (u32)atomic_read(&f->packets);
	r->bytes = atomic64_read(&f->bytes);
	r->first_ms = c->uptime - first_age;
	r->last_ms = c->uptime - last_age;
	r->start_abs_ms = c->real_ms - first_age;
	r->end_abs_ms = c->real_ms - last_age;
	r->oif = f->oif;
	r->ip_opts = (u32)atomic_read(&f->ip_opts);
	r->tcp_opts = ipnf_flow_tcp_opts(f, st);
	r->physin = ipnf_flow_phys(f, false);
	r->physout = ipnf_flow_phys(f, true);
	r->tcp_flags = st & 0xff;
	r->end_reason = ipnf_flow_end_reason(st);
	memset(r->nexthop, 0, sizeof(r->nexthop));
	r->src_as = 0;
	r->dst_as = 0;
}

/*
 * The v5 record of an IPv4 flow, straight from the flow: what
 * ipnf_flow_fill_rec() + ipnf_v5_of_rec() make of it (nexthop and AS numbers are
 * for NAT events only), without the general record in between.  One
 * initializer, every field in order: the value stays in registers (a
 * declared-then-assigned local would be zeroed in memory first on kernels
 * built with INIT_STACK_ALL_ZERO, as Debian's are).
 */
static __always_inline struct ipnf_v5_rec
ipnf_v5_of_flow(const struct ipnf_flow *f, const struct ipnf_export_clock *c,
	      u32 base, u32 pkts, u32 bytes)
{
	const struct ipnf_flow_key *k = &f->key;
	struct ipnf_v5_rec v = {
		.src = k->a.v4.src,
		.dst = k->a.v4.dst,
		.nexthop = 0,
		.iif = k->iif,
		.oif = f->oif,
		.pkts = pkts,
		.bytes = bytes,
		.first_ms = ipnf_uptime_at(c, base, f->ts_first),
		.last_ms = ipnf_uptime_at(c, base, READ_ONCE(f->ts_last)),
		.ports = ipnf_key_ports_hl(k),
		.tcp_flags = (u8)atomic_read(&f->state),
		.proto = k->proto,
		.tos = k->tos,
		.src_as = 0,
		.dst_as = 0,
	};

	return v;
}

/*
 * The head of an IPv4 flow's template record (tmpl.c), straight from the
 * flow: what ipnf_flow_fill_rec() puts there, st being the state it read.
 */
static __always_inline struct ipnf_rec_head
ipnf_head_of_flow(const struct ipnf_flow *f, const struct ipnf_export_clock *c, int st)
{
	u32 first_age = ipnf_age_ms(c, f->ts_first);
	u32 last_age = ipnf_age_ms(c, READ_ONCE(f->ts_last));
	struct ipnf_rec_head h = {
		.key = &f->key,
		.packets = (u32)atomic_read(&f->packets),
		.bytes = (u64)atomic64_read(&f->bytes),
		.start_abs_ms = c->real_ms - first_age,
		.end_abs_ms = c->real_ms - last_age,
		.first_ms = c->uptime - first_age,
		.last_ms = c->uptime - last_age,
		.oif = f->oif,
		.tcp_flags = (u8)st,
		.end_reason = ipnf_flow_end_reason(st),
	};

	return h;
}

#endif /* IPNF_FLOW_REC_H */
