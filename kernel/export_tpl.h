/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * NetFlow v9 and IPFIX PDUs through the template engine (export_tpl.c,
 * tmpl.h), built for the exporter (export.c), which calls these with
 * nf_export_mutex held and gets its PDUs through the sink.
 */
#ifndef NF_EXPORT_TPL_H
#define NF_EXPORT_TPL_H

#include <linux/types.h>
#include "export_rec.h"
#include "export_sink.h"

void nf_tpl_add(struct nf_export_sink *s, const struct nf_exp_rec *r);
void nf_tpl_add_nat(struct nf_export_sink *s, const struct nf_nat_rec *n);
void nf_tpl_flush(struct nf_export_sink *s);
bool nf_tpl_pending(void);
unsigned long nf_tpl_age(void);
void nf_tpl_set_version(int version);	/* 9, 10, or 0: not in use */
void nf_tpl_resend(void);		/* templates and options records due now */
void nf_tpl_counts(unsigned int *templates, unsigned int *active);
/* What the open data PDU carries so far. */
void nf_tpl_open_counts(u64 *pkts, u64 *bytes);

#endif /* NF_EXPORT_TPL_H */
