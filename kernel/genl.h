/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generic netlink family NETFLOW (netflow_genl.h): parameters,
 * statistics, flow dumps; multicasts parameter changes.
 */
#ifndef NF_GENL_H
#define NF_GENL_H

int nf_genl_init(void);
void nf_genl_exit(void);

#endif /* NF_GENL_H */
