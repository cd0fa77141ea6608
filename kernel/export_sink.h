/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the PDU encoders (export_v5.c, export_tpl.c) hand their PDUs to: the
 * exporter (export.c) fills one in and passes it down with each call, so
 * the encoders send, number and account PDUs without naming the exporter.
 */
#ifndef IPNF_EXPORT_SINK_H
#define IPNF_EXPORT_SINK_H

#include <linux/types.h>
#include <linux/jiffies.h>

struct ipnf_opt_stats;

/* One data PDU of a run: its length and what it carries (loss accounting). */
struct ipnf_pdu_acct {
	unsigned int len;
	unsigned int flows;
	u64 pkts, bytes;
};

struct ipnf_export_sink {
	/*
	 * The sequence number of the next PDU: v5 and IPFIX add the records
	 * of each PDU, v9 adds one per PDU.  One counter for every version.
	 */
	u32 seq;
	/* one data PDU */
	void (*send)(const u8 *buf, const struct ipnf_pdu_acct *acct);
	/* n data PDUs, PDU i at buf + i * seg; all seg bytes long but the last */
	void (*send_run)(const u8 *buf, unsigned int seg,
			 const struct ipnf_pdu_acct *acct, unsigned int n);
	/* a template or options PDU: to every destination, no flows in it */
	void (*send_all)(const u8 *buf, unsigned int len);
	/* the exporter's and meter's totals, for the statistics options record */
	void (*opt_stats)(struct ipnf_opt_stats *s);
};

/* The sysUpTime of export headers: ms since boot. */
static inline u32 ipnf_uptime_ms(void)
{
	return (u32)jiffies64_to_msecs(get_jiffies_64() - INITIAL_JIFFIES);
}

#endif /* IPNF_EXPORT_SINK_H */
