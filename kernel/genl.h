/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generic netlink family NETFLOW (netflow_genl.h): parameters,
 * statistics, flow dumps; multicasts parameter changes.
 */
#ifndef IPNF_GENL_H
#define IPNF_GENL_H

int ipnf_genl_init(void);
void ipnf_genl_exit(void);

#endif /* IPNF_GENL_H */
