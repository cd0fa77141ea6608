/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few kernel facilities the pure parts (packet parsing, PDU encoding,
 * option parsing) need, provided either by the kernel or by libc, so those
 * files compile unchanged in userspace unit tests.
 */
#ifndef IPNF_ENV_H
#define IPNF_ENV_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/inet.h>
#include <linux/skbuff.h>
#include <linux/if.h>
#include "compat.h"

typedef struct sk_buff ipnf_skb_t;

/* Bounded read of len bytes at off: a pointer into the packet or into buf. */
static inline const u8 *ipnf_hdr(const ipnf_skb_t *skb, unsigned int off,
			       unsigned int len, void *buf)
{
	return skb_header_pointer(skb, off, len, buf);
}

static inline unsigned int ipnf_skb_len(const ipnf_skb_t *skb)
{
	return skb->len;
}

static inline int ipnf_pton4(const char *s, int len, u8 *out)
{
	const char *end;

	return in4_pton(s, len, out, -1, &end) == 1 && end == s + len;
}

static inline int ipnf_pton6(const char *s, int len, u8 *out)
{
	const char *end;

	return in6_pton(s, len, out, -1, &end) == 1 && end == s + len;
}

static inline int ipnf_ntop6(char *buf, int len, const u8 *a)
{
	return snprintf(buf, len, "%pI6c", a);
}

#else /* userspace unit tests */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <endian.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef uint16_t __be16;
typedef uint32_t __be32;
typedef uint64_t __be64;

#define __force
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define cpu_to_be16(v) htobe16(v)
#define cpu_to_be32(v) htobe32(v)
#define cpu_to_be64(v) htobe64(v)
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define IFNAMSIZ 16

typedef struct ipnf_test_skb {
	const u8 *data;
	unsigned int len;
} ipnf_skb_t;

static inline const u8 *ipnf_hdr(const ipnf_skb_t *skb, unsigned int off,
			       unsigned int len, void *buf)
{
	(void)buf;
	if (off > skb->len || len > skb->len - off)
		return NULL;
	return skb->data + off;
}

static inline unsigned int ipnf_skb_len(const ipnf_skb_t *skb)
{
	return skb->len;
}

static inline int ipnf_pton_copy(int af, const char *s, int len, u8 *out)
{
	char tmp[64];

	if (len <= 0 || len >= (int)sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = 0;
	return inet_pton(af, tmp, out) == 1;
}

static inline int ipnf_pton4(const char *s, int len, u8 *out)
{
	return ipnf_pton_copy(AF_INET, s, len, out);
}

static inline int ipnf_pton6(const char *s, int len, u8 *out)
{
	return ipnf_pton_copy(AF_INET6, s, len, out);
}

/* struct ipnf_flow's kernel types (tests fill them directly) */
typedef struct { int counter; } atomic_t;
typedef struct { int64_t counter; } atomic64_t;
#define atomic_read(a) __atomic_load_n(&(a)->counter, __ATOMIC_RELAXED)
#define atomic64_read(a) __atomic_load_n(&(a)->counter, __ATOMIC_RELAXED)
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#define clamp(v, lo, hi) ((v) < (lo) ? (lo) : (v) > (hi) ? (hi) : (v))

/* The atomics and per-CPU data flowquota.c uses: GCC's builtins, a test thread per CPU. */
static inline void atomic_add(int i, atomic_t *a)
{
	__atomic_fetch_add(&a->counter, i, __ATOMIC_SEQ_CST);
}

static inline void atomic_sub(int i, atomic_t *a)
{
	__atomic_fetch_sub(&a->counter, i, __ATOMIC_SEQ_CST);
}

static inline void atomic_inc(atomic_t *a)
{
	atomic_add(1, a);
}

static inline int atomic_xchg(atomic_t *a, int v)
{
	return __atomic_exchange_n(&a->counter, v, __ATOMIC_SEQ_CST);
}

static inline bool atomic_try_cmpxchg(atomic_t *a, int *old, int v)
{
	return __atomic_compare_exchange_n(&a->counter, old, v, false, __ATOMIC_SEQ_CST,
					   __ATOMIC_SEQ_CST);
}

static inline int atomic_dec_if_positive(atomic_t *a)
{
	int c = atomic_read(a), d;

	do {
		d = c - 1;
		if (d < 0)
			break;
	} while (!atomic_try_cmpxchg(a, &c, d));
	return d;
}

#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_mb__after_atomic() smp_mb()
#define IPNF_TEST_CPUS 8
extern __thread int ipnf_test_cpu;	/* the test's "CPU": its thread's index */
#define DECLARE_PER_CPU(type, name) extern type name[IPNF_TEST_CPUS]
#define DEFINE_PER_CPU(type, name) type name[IPNF_TEST_CPUS]
#define raw_cpu_ptr(p) (&(*(p))[ipnf_test_cpu])
#define per_cpu_ptr(p, cpu) (&(*(p))[cpu])
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < IPNF_TEST_CPUS; (cpu)++)
#define num_possible_cpus() IPNF_TEST_CPUS
#define __rcu
#define HZ 250
#define MSEC_PER_SEC 1000
static inline unsigned int jiffies_to_msecs(unsigned long j)
{
	return (unsigned int)(j * MSEC_PER_SEC / HZ);
}

static inline int ipnf_ntop6(char *buf, int len, const u8 *a)
{
	char tmp[INET6_ADDRSTRLEN];

	if (!inet_ntop(AF_INET6, a, tmp, sizeof(tmp)))
		tmp[0] = 0;
	return snprintf(buf, len, "%s", tmp);
}
#endif

static inline u16 ipnf_get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 ipnf_get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/*
 * Big-endian stores at any alignment: one byte swap and one store each
 * (the compiler does not always merge byte stores, say in a loop).
 */
static inline void ipnf_put16(u8 *p, u16 v)
{
	__be16 b = cpu_to_be16(v);

	memcpy(p, &b, 2);
}

static inline void ipnf_put32(u8 *p, u32 v)
{
	__be32 b = cpu_to_be32(v);

	memcpy(p, &b, 4);
}

static inline void ipnf_put64(u8 *p, u64 v)
{
	__be64 b = cpu_to_be64(v);

	memcpy(p, &b, 8);
}

#endif /* IPNF_ENV_H */
