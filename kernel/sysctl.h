/* SPDX-License-Identifier: GPL-2.0-only */
/* sysctl net.netflow.*: the parameter table (params.h) as sysctl files. */
#ifndef IPNF_SYSCTL_H
#define IPNF_SYSCTL_H

int ipnf_sysctl_init(void);
void ipnf_sysctl_exit(void);

#endif /* IPNF_SYSCTL_H */
