/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NetFlow v5 PDUs (export_v5.c), built for the exporter (export.c), which
 * calls these with nf_export_mutex held and gets its PDUs through the sink.
 */
#ifndef NF_EXPORT_V5_H
#define NF_EXPORT_V5_H

#include <linux/types.h>
#include "export_rec.h"
#include "export_sink.h"
#include "flow.h"

void nf_v5_add(struct nf_export_sink *s, const struct nf_exp_rec *r);
/* An IPv4 flow whose counters fit 32 bits (as read), its record straight from it. */
void nf_v5_add_flow(struct nf_export_sink *s, const struct nf_flow *f,
		    const struct nf_export_clock *c, u32 pkts, u32 bytes);
void nf_v5_flush(struct nf_export_sink *s);	/* every PDU out, the open one too */
void nf_v5_send_ready(struct nf_export_sink *s);	/* the closed PDUs out */
bool nf_v5_pending(void);
unsigned long nf_v5_age(void);		/* jiffies since the run's first record */
/* What the open PDU carries so far. */
void nf_v5_open_counts(u64 *pkts, u64 *bytes);

#endif /* NF_EXPORT_V5_H */
