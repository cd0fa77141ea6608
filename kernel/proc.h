/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /proc/net/stat/ipt_netflow and its companions: the statistics snapshot
 * (snapshot.h) as text.
 */
#ifndef IPNF_PROC_H
#define IPNF_PROC_H

int ipnf_proc_init(void);
void ipnf_proc_exit(void);

#endif /* IPNF_PROC_H */
