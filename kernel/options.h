/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parsing of the string options (destination, destination_mode, sampler).
 * Pure: the same code validates module parameters, sysctl writes and the
 * userspace unit tests.  Each parser returns 0 or -EINVAL and, on error,
 * points *err at a short reason suitable for a one-line kernel message.
 */
#ifndef IPNF_OPTIONS_H
#define IPNF_OPTIONS_H

#include "nf_env.h"

#define IPNF_MAX_DESTS 16
#define IPNF_DEFAULT_PORT 2055

struct ipnf_dest {
	u8 family;		/* IPNF_FAM_V4 / IPNF_FAM_V6 */
	u8 bind_family;		/* 0: no bind address */
	u16 port;
	u8 addr[16];
	u8 bind_addr[16];
	char ifname[IFNAMSIZ];	/* "" or interface to bind to */
};

/*
 * "host[:port][@bind][%iface],..." with host an IPv4 address, "[IPv6]" or a
 * bare IPv6 address whose port follows 'p' or '#'.  Returns the number of
 * destinations (0 for an empty string) or -EINVAL.
 */
int ipnf_parse_destinations(const char *s, struct ipnf_dest *out, int max,
			  const char **err);

/* Formats d as the classic module shows it ("10.0.0.2:2055", "[::1]:2055"). */
int ipnf_format_dest(const struct ipnf_dest *d, char *buf, int len);

enum ipnf_dest_mode { IPNF_DEST_MIRROR = 0, IPNF_DEST_BALANCE = 1 };
int ipnf_parse_dest_mode(const char *s, int *mode, const char **err);

enum ipnf_sampler_kind { IPNF_SAMPLER_OFF = 0, IPNF_SAMPLER_DETERMINISTIC = 1,
		       IPNF_SAMPLER_RANDOM = 2, IPNF_SAMPLER_HASH = 3 };
#define IPNF_SAMPLER_MAX_INTERVAL 16383

/*
 * The one mapping of a sampler kind to the wire's sampling algorithm: 1
 * deterministic, 2 random (v9 samplingAlgorithm, IPFIX 35, and NetFlow v5's
 * 2-bit header mode), 0 off.  hash is presented as random, as the classic
 * module does.
 */
static inline u8 ipnf_sampler_algorithm(int kind)
{
	switch (kind) {
	case IPNF_SAMPLER_DETERMINISTIC:
		return 1;
	case IPNF_SAMPLER_RANDOM:
	case IPNF_SAMPLER_HASH:
		return 2;
	default:
		return 0;
	}
}
/* "", "0", "deterministic:N", "random:N", "hash:N" with N in 2..16383. */
int ipnf_parse_sampler(const char *s, int *kind, unsigned int *interval,
		     const char **err);

/*
 * hooks: "FAMILY:HOOK[:PRIORITY],..." — the netfilter hook points the meter
 * registers at.  A slot is a family (0 ipv4, 1 ipv6) and a hook, in the
 * order of the kernel's NF_INET_* numbers; "inet" fills both families.  A
 * slot given twice is refused: its packets would be metered twice.
 */
enum ipnf_hook_point { IPNF_HOOK_PRE, IPNF_HOOK_IN, IPNF_HOOK_FWD, IPNF_HOOK_OUT,
		     IPNF_HOOK_POST, IPNF_HOOK_NUM };
#define IPNF_HOOK_SLOTS (2 * IPNF_HOOK_NUM)
/* just after the filter chains (0): their marks are visible (hook_mark) */
#define IPNF_HOOK_DEFAULT_PRIORITY 1
struct ipnf_hook_set {
	u32 present;			/* bit per slot */
	s32 prio[IPNF_HOOK_SLOTS];
};
int ipnf_parse_hooks(const char *s, struct ipnf_hook_set *set, const char **err);
const char *ipnf_hook_name(unsigned int hook);	/* "prerouting", ... */
/* hook_mark: "VALUE[/MASK]" (mask 0xffffffff if absent); "" = 0/0. */
int ipnf_parse_mark(const char *s, u32 *value, u32 *mask, const char **err);

/* Helpers shared with the rule parsers (rules.c): [b, e) strings. */
void ipnf_trim(const char **b, const char **e);	/* strip blanks around */
const char *ipnf_memchr(const char *b, const char *e, char c);
/* A decimal number <= max, nothing else: 0 or -EINVAL. */
int ipnf_parse_uint(const char *b, const char *e, unsigned int max,
		  unsigned int *out);

#endif /* IPNF_OPTIONS_H */
