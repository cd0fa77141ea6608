/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The exporter (export.c): the one owner of export state.  The worker
 * (expiry.c) and NAT events (natevents.c) hand it records; it samples,
 * dispatches them to the encoder of the configured protocol (export_v5.h,
 * export_tpl.h), sends their PDUs through the sockets (sock.h) and counts
 * what was sent and lost.  Parameter writes reach it through
 * ipnf_export_change() only.  ipnf_export_mutex (locks.h) guards all of it.
 */
#ifndef IPNF_EXPORT_H
#define IPNF_EXPORT_H

#include <linux/types.h>
#include "export_rec.h"
#include "export_sink.h"
#include "flow.h"
#include "options.h"

struct ipnf_export_stats {
	u64 pdus, bytes, flows;		/* sent */
	u64 err_pdus;			/* PDUs that reached no destination */
	u64 lost_pkts, lost_bytes, lost_flows;
	u64 v6_unexportable;		/* IPv6 flows under NetFlow v5 */
	u64 sampler_seen, sampler_selected;
	u64 pdu_pkts, pdu_bytes;	/* in the open PDU (ipnf_export_stats_read) */
};

int ipnf_export_init(const struct ipnf_dest *dests, int ndests);
void ipnf_export_exit(void);

/* All with ipnf_export_mutex held. */
void ipnf_export_flow(const struct ipnf_exp_rec *r);
void ipnf_export_nat(const struct ipnf_nat_rec *n);	/* not sampled */
void ipnf_export_flush(bool force);	/* each worker run: PDUs that are due */
/*
 * The straight path: flows of v, from the first on, to records without the
 * general record in between (export_v5.c, export_tpl.c), while there is
 * nothing to sample and the flows need nothing else; returns how many it
 * took (the caller gives the next one ipnf_export_flow's record).  plain:
 * no record of the caller's has a VRF or a NAT translation.
 */
unsigned int ipnf_export_flows(struct ipnf_flow *const *v, unsigned int n,
			     const struct ipnf_export_clock *c, bool plain);
void ipnf_export_stats_read(struct ipnf_export_stats *x);
u64 ipnf_export_bytes(void);		/* sent so far */

/* A parameter write's change of the exporter: each IPNF_XCH_* in what. */
enum {
	IPNF_XCH_PROTOCOL = 1 << 0,	/* protocol */
	IPNF_XCH_DESTINATION = 1 << 1,	/* dests, ndests */
	IPNF_XCH_SAMPLER = 1 << 2,	/* sampler_kind, sampler_interval */
	IPNF_XCH_SNDBUF = 1 << 3,		/* sndbuf */
};

struct ipnf_export_change {
	unsigned int what;
	int protocol;
	const struct ipnf_dest *dests;
	int ndests;
	int sampler_kind;
	unsigned int sampler_interval;
	int sndbuf;
};

/*
 * Applies c under ipnf_export_mutex: what is pending goes out as it was built
 * first (nothing is lost), then the change; new destinations and a new
 * sampler get the templates and options records at once.  0 or -errno.
 */
int ipnf_export_change(const struct ipnf_export_change *c);

#endif /* IPNF_EXPORT_H */
