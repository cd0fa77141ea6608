/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Aggregation rules ("192.0.0.0/8=16,80-89=80") and SNMP-index rules
 * ("ppp:200"), as the classic module defines them: parsing, formatting and
 * applying.  Pure: the kernel swaps parsed rule sets under RCU; the same code
 * runs in the userspace unit tests.
 */
#ifndef NF_RULES_H
#define NF_RULES_H

#include "flow_key.h"

#define NF_AGGR_MAX 32		/* netmask rules, and port rules, at most */
#define NF_SNMP_MAX 32

/* IPv4 addresses in prefix/len are stripped to /to (host order values). */
struct nf_aggr_net {
	u32 addr, mask;		/* the matching prefix */
	u32 to_mask;		/* what is kept of a matching address */
	u8 len, to;
};

/* Ports lo..hi become to. */
struct nf_aggr_port {
	u16 lo, hi, to;
};

struct nf_aggr {
	unsigned int nnet, nport;
	struct nf_aggr_net net[NF_AGGR_MAX];
	struct nf_aggr_port port[NF_AGGR_MAX];
};

/*
 * "NET/LEN=TO" and "PORT[-PORT]=TO" rules separated by commas; "" for none.
 * Returns the number of rules or -EINVAL (*err says why).
 */
int nf_parse_aggr(const char *s, struct nf_aggr *a, const char **err);
/* Canonical text of the rules (what sysctl reads back). */
int nf_format_aggr(const struct nf_aggr *a, char *buf, int len);
/*
 * Applies the rules to an IPv4 or IPv6 key: each address of an IPv4 key
 * by the first netmask rule that matches it, each port (TCP, UDP, SCTP,
 * UDP-Lite, DCCP) by the first port rule that matches it.  Returns true if
 * the key changed.
 */
bool nf_aggr_apply(const struct nf_aggr *a, struct nf_flow_key *k);

struct nf_snmp_rule {
	char name[16];		/* interface base name, e.g. "ppp" */
	u8 len;
	u32 base;
};

struct nf_snmp_rules {
	unsigned int n;
	struct nf_snmp_rule r[NF_SNMP_MAX];
};

/* "NAME:BASE,..." ; "" for none.  Returns the number of rules or -EINVAL. */
int nf_parse_snmp_rules(const char *s, struct nf_snmp_rules *r,
			const char **err);
int nf_format_snmp_rules(const struct nf_snmp_rules *r, char *buf, int len);
/*
 * The index to export for interface ifname: the base of the first rule
 * whose name is ifname's prefix, followed only by a decimal number, plus
 * that number ("ppp11" with "ppp:200" is 211); -1 if no rule matches.
 */
long nf_snmp_index(const struct nf_snmp_rules *r, const char *ifname);

#endif /* NF_RULES_H */
