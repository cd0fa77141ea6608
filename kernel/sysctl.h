/* SPDX-License-Identifier: GPL-2.0-only */
/* sysctl net.netflow.*: the parameter table (params.h) as sysctl files. */
#ifndef NF_SYSCTL_H
#define NF_SYSCTL_H

int nf_sysctl_init(void);
void nf_sysctl_exit(void);

#endif /* NF_SYSCTL_H */
