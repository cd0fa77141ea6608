/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * /proc/net/stat/ipt_netflow and its companions: the statistics snapshot
 * (snapshot.h) as text.
 */
#ifndef NF_PROC_H
#define NF_PROC_H

int nf_proc_init(void);
void nf_proc_exit(void);

#endif /* NF_PROC_H */
