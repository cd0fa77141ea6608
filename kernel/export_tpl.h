/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NetFlow v9 and IPFIX PDUs through the template engine (export_tpl.c,
 * tmpl.h), built for the exporter (export.c), which calls these with
 * ipnf_export_mutex held and gets its PDUs through the sink.
 */
#ifndef IPNF_EXPORT_TPL_H
#define IPNF_EXPORT_TPL_H

#include <linux/types.h>
#include "export_rec.h"
#include "export_sink.h"
#include "flow.h"

void ipnf_tpl_add(struct ipnf_export_sink *s, const struct ipnf_exp_rec *r);
/*
 * Flows of v, from the first on, while they are IPv4 flows without optional
 * blocks (no record of the caller's has a VRF or a NAT translation): their
 * records straight from them.  Returns how many it took.
 */
unsigned int ipnf_tpl_add_flows(struct ipnf_export_sink *s, struct ipnf_flow *const *v,
			      unsigned int n, const struct ipnf_export_clock *c);
void ipnf_tpl_add_nat(struct ipnf_export_sink *s, const struct ipnf_nat_rec *n);
void ipnf_tpl_flush(struct ipnf_export_sink *s);
bool ipnf_tpl_pending(void);
unsigned long ipnf_tpl_age(void);
void ipnf_tpl_set_version(int version);	/* 9, 10, or 0: not in use */
void ipnf_tpl_resend(void);		/* templates and options records due now */
void ipnf_tpl_counts(unsigned int *templates, unsigned int *active);
/* What the open data PDU carries so far. */
void ipnf_tpl_open_counts(u64 *pkts, u64 *bytes);

#endif /* IPNF_EXPORT_TPL_H */
