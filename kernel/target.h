/* SPDX-License-Identifier: GPL-2.0-only */
/* The iptables/ip6tables target NETFLOW (xt_target). */
#ifndef IPNF_TARGET_H
#define IPNF_TARGET_H

int ipnf_target_init(void);
void ipnf_target_exit(void);

#endif /* IPNF_TARGET_H */
