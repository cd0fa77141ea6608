/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Aggregation rules ("192.0.0.0/8=16,80-89=80") and SNMP-index rules
 * ("ppp:200"), as the classic module defines them: parsing, formatting and
 * applying.  Pure: the kernel swaps parsed rule sets under RCU; the same code
 * runs in the userspace unit tests.
 */
#ifndef IPNF_RULES_H
#define IPNF_RULES_H

#include "flow_key.h"

#define IPNF_AGGR_MAX 32		/* netmask rules, and port rules, at most */
#define IPNF_SNMP_MAX 32

/* IPv4 addresses in prefix/len are stripped to /to (host order values). */
struct ipnf_aggr_net {
	u32 addr, mask;		/* the matching prefix */
	u32 to_mask;		/* what is kept of a matching address */
	u8 len, to;
};

/* Ports lo..hi become to. */
struct ipnf_aggr_port {
	u16 lo, hi, to;
};

struct ipnf_aggr {
	unsigned int nnet, nport;
	struct ipnf_aggr_net net[IPNF_AGGR_MAX];
	struct ipnf_aggr_port port[IPNF_AGGR_MAX];
};

/*
 * "NET/LEN=TO" and "PORT[-PORT]=TO" rules separated by commas; "" for none.
 * Returns the number of rules or -EINVAL (*err says why).
 */
int ipnf_parse_aggr(const char *s, struct ipnf_aggr *a, const char **err);
/* Canonical text of the rules (what sysctl reads back). */
int ipnf_format_aggr(const struct ipnf_aggr *a, char *buf, int len);
/*
 * Applies the rules to an IPv4 or IPv6 key: each address of an IPv4 key
 * by the first netmask rule that matches it, each port (TCP, UDP, SCTP,
 * UDP-Lite, DCCP) by the first port rule that matches it.  Returns true if
 * the key changed.
 */
bool ipnf_aggr_apply(const struct ipnf_aggr *a, struct ipnf_flow_key *k);

struct ipnf_snmp_rule {
	char name[16];		/* interface base name, e.g. "ppp" */
	u8 len;
	u32 base;
};

struct ipnf_snmp_rules {
	unsigned int n;
	struct ipnf_snmp_rule r[IPNF_SNMP_MAX];
};

/* "NAME:BASE,..." ; "" for none.  Returns the number of rules or -EINVAL. */
int ipnf_parse_snmp_rules(const char *s, struct ipnf_snmp_rules *r,
			const char **err);
int ipnf_format_snmp_rules(const struct ipnf_snmp_rules *r, char *buf, int len);
/*
 * The index to export for interface ifname: the base of the first rule
 * whose name is ifname's prefix, followed only by a decimal number, plus
 * that number ("ppp11" with "ppp:200" is 211); -1 if no rule matches.
 */
long ipnf_snmp_index(const struct ipnf_snmp_rules *r, const char *ifname);

#endif /* IPNF_RULES_H */
