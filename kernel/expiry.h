/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The worker (expiry.c): sweeps the flow table for flows that are due and
 * hands them to the exporter (export.h).
 */
#ifndef IPNF_EXPIRY_H
#define IPNF_EXPIRY_H

int ipnf_expiry_init(void);
void ipnf_expiry_exit(void);
void ipnf_expiry_flush(void);		/* export everything now, wait */
void ipnf_expiry_reschedule(void);	/* exportcpu/scan_min changed */

struct ipnf_worker_stats {
	unsigned int delay;		/* jiffies between runs */
	unsigned int last_run_us;
	unsigned int last_exported;
	unsigned int last_scanned;
	unsigned long peak_time;	/* jiffies of peak flows */
	unsigned int peak_flows;
	unsigned int hold_max;		/* most flows exported in one hold of ipnf_export_mutex */
};
extern struct ipnf_worker_stats ipnf_worker;

#endif /* IPNF_EXPIRY_H */
