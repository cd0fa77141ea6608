/* SPDX-License-Identifier: GPL-2.0-only */
/* The iptables/ip6tables target NETFLOW (xt_target). */
#ifndef NF_TARGET_H
#define NF_TARGET_H

int nf_target_init(void);
void nf_target_exit(void);

#endif /* NF_TARGET_H */
