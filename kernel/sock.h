/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Export destinations (sock.c): UDP (and SCTP) kernel sockets, mirror or
 * balance mode, reconnects and re-sends.  Used by the exporter (export.c)
 * alone: all of it is called with ipnf_export_mutex held.
 */
#ifndef IPNF_SOCK_H
#define IPNF_SOCK_H

#include <linux/types.h>
#include "options.h"
#include "flow_key.h"

struct ipnf_sock_stats {
	char name[64];
	int connected;
	int connect_attempts;
	int sndbuf, filled, peak;
	u64 err_sndbuf, err_connect, err_cberr, err_other;
	u64 pkts, bytes;
	u64 resent;
	int down;
};
/* Replace the destinations by d[0..n) (parsed by params.c). */
int ipnf_socks_set(const struct ipnf_dest *d, int n);
void ipnf_socks_exit(void);
int ipnf_socks_send(const void *buf, unsigned int len);	/* 0 if delivered */
int ipnf_socks_send_all(const void *buf, unsigned int len);	/* templates */
/* PDUs of seg bytes (the last may be shorter): bit i set if PDU i delivered */
u64 ipnf_socks_send_run(const void *buf, unsigned int len, unsigned int seg);
void ipnf_socks_set_sndbuf(int sndbuf);
void ipnf_socks_tick(void);	/* each worker run: balance re-sends */
int ipnf_socks_stats(struct ipnf_sock_stats *out, int max);

#endif /* IPNF_SOCK_H */
