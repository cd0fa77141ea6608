/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NetFlow v5 PDUs (export_v5.c), built for the exporter (export.c), which
 * calls these with ipnf_export_mutex held and gets its PDUs through the sink.
 */
#ifndef IPNF_EXPORT_V5_H
#define IPNF_EXPORT_V5_H

#include <linux/types.h>
#include "export_rec.h"
#include "export_sink.h"
#include "flow.h"

void ipnf_v5_add(struct ipnf_export_sink *s, const struct ipnf_exp_rec *r);
/*
 * Flows of v, from the first on, while they are IPv4 with byte counters that
 * fit 32 bits: their records straight from them.  Returns how many it took.
 */
unsigned int ipnf_v5_add_flows(struct ipnf_export_sink *s, struct ipnf_flow *const *v,
			     unsigned int n, const struct ipnf_export_clock *c);
void ipnf_v5_flush(struct ipnf_export_sink *s);	/* every PDU out, the open one too */
void ipnf_v5_send_ready(struct ipnf_export_sink *s);	/* the closed PDUs out */
bool ipnf_v5_pending(void);
unsigned long ipnf_v5_age(void);		/* jiffies since the run's first record */
/* What the open PDU carries so far. */
void ipnf_v5_open_counts(u64 *pkts, u64 *bytes);

#endif /* IPNF_EXPORT_V5_H */
