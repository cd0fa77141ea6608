/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bucket hash of a plain IPv4 key (flowtable.h's ipnf_key_hash):
 * Thorup's pair-multiply-shift ("High Speed Hashing for Integers and
 * Strings", 2015, after Dietzfelbinger's multiply-shift), over the key's
 * words with a random secret drawn at load.  Pure: unit tested in
 * kernel/tests (flow_hash_test.cc: spread of the keys floods make, every
 * field, collisions, the secret).
 *
 * Of 32-bit words m[0..3] under random 64-bit words a[0..3], b:
 *   (b + (a[0] + m[1]) * (a[1] + m[0]) + (a[2] + m[3]) * (a[3] + m[2])) >> 32
 * (all mod 2^64).  The family is strongly universal: over the secret, each
 * key's 32-bit hash is uniform and any two keys' hashes are independent,
 * whatever the keys, so no set of keys chosen without the secret loads a
 * chain more than random keys would; an attacker who cannot read the secret
 * cannot aim packets at one chain (as with jhash under a random seed, but
 * with a proof).  Two multiplications, where jhash's final mix takes some
 * thirty instructions on every packet.  Only the high bits are mixed
 * (bucket indexes take the top ones, reciprocal_scale), as this needs.
 */
#ifndef IPNF_FLOW_HASH_H
#define IPNF_FLOW_HASH_H

#include "nf_env.h"
#include "flow_key.h"

struct ipnf_hash_secret {
	u64 a[4];
	u64 b;
};

static inline u32 ipnf_pms4(u32 m0, u32 m1, u32 m2, u32 m3,
			    const struct ipnf_hash_secret *s)
{
	return (u32)((s->b + (s->a[0] + m1) * (s->a[1] + m0) +
		      (s->a[2] + m3) * (s->a[3] + m2)) >> 32);
}

/*
 * A plain IPv4 key's five words (IPNF_KEY_V4_LEN bytes: iif, ports,
 * proto/tos/family/dir, source, destination) as four: the ingress ifindex
 * onto the source address.  Keys that differ only so that src ^ iif is the
 * same are on different interfaces: at most one flow per interface can
 * share a hash that way, whatever the secret.
 */
static inline u32 ipnf_hash_v4key(const struct ipnf_flow_key *k,
				  const struct ipnf_hash_secret *s)
{
	/* each group of fields as one word (one load, on little-endian) */
	u32 ports = (u32)k->sport | (u32)k->dport << 16;
	u32 pfd = (u32)k->proto | (u32)k->tos << 8 | (u32)k->family << 16 |
		  (u32)k->dir << 24;

	return ipnf_pms4((__force u32)k->a.v4.src ^ k->iif,
			(__force u32)k->a.v4.dst, ports, pfd, s);
}

#endif /* IPNF_FLOW_HASH_H */
