/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-version differences, all in one place (keyed on
 * LINUX_VERSION_CODE, or a feature Kbuild probes in the headers), so the
 * rest of the module reads as current code.
 * Each branch names the kernels of the matrix (make check-kernels,
 * tests/vm/kernels.md) that compile it: 5.10 (bullseye), 6.1 (bookworm),
 * 6.12 (trixie), 7.3 (trixie-backports), 7.2 (sid), 7.3-rc (experimental).
 */
#ifndef IPNF_COMPAT_H
#define IPNF_COMPAT_H

#include <linux/version.h>
#include <linux/sysctl.h>

/* 6.11 made ctl_table handlers take a const table: 6.12, 7.x; else 5.10, 6.1. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define IPNF_CTL_CONST const
#else
#define IPNF_CTL_CONST
#endif

/* 6.6 dropped the empty sentinel at the end of ctl_table arrays: 6.12, 7.x;
 * else 5.10, 6.1. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define IPNF_CTL_SENTINEL 0
#else
#define IPNF_CTL_SENTINEL 1
#endif

/* 6.6 takes the table size (register_sysctl_sz) instead of a sentinel:
 * 6.12, 7.x; else 5.10, 6.1. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define ipnf_register_sysctl(path, table, n) register_sysctl_sz(path, table, n)
#else
#define ipnf_register_sysctl(path, table, n) register_sysctl(path, table)
#endif

/* 6.12 moved the unaligned helpers to <linux/unaligned.h>: 6.12, 7.x;
 * else <asm/unaligned.h>: 5.10, 6.1. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* gcc 11 and later; 5.10's headers predate the kernel's definition */
#ifndef __no_stack_protector
#if __has_attribute(__no_stack_protector__)
#define __no_stack_protector __attribute__((__no_stack_protector__))
#else
#define __no_stack_protector
#endif
#endif

#include <linux/random.h>
/* 6.2 added get_random_u32_below(): 6.12, 7.x; prandom_u32_max(): 5.10, 6.1. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define ipnf_random_below(n) get_random_u32_below(n)
#else
#define ipnf_random_below(n) prandom_u32_max(n)
#endif

/*
 * 5.11 added the non-atomic __llist_add() (for lists only one context
 * touches).  Compiled by 5.10 (bullseye).
 */
#include <linux/llist.h>
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
static inline bool __llist_add(struct llist_node *new, struct llist_head *head)
{
	new->next = head->first;
	head->first = new;
	return !new->next;
}
#endif

/*
 * 6.1 added genl_family.resv_start_op (strict checks of the reserved header
 * bytes from that command on); before it every command was checked strictly
 * with the family's policy.  The empty branch: 5.10 (bullseye).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)
#define IPNF_GENL_RESV_START_OP(op) .resv_start_op = (op),
#else
#define IPNF_GENL_RESV_START_OP(op)
#endif

/*
 * 6.19 made kernel_bind()/kernel_connect() take a struct sockaddr_unsized *
 * (7.2 (sid), 7.3 (trixie-backports)); before: struct sockaddr * (5.10 to
 * 6.12).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0)
#define ipnf_sockaddr sockaddr_unsized
#else
#define ipnf_sockaddr sockaddr
#endif

/*
 * 6.17 added system_percpu_wq and system_dfl_wq and deprecated system_wq and
 * system_unbound_wq (7.2 warns when work is queued on them): 7.2 (sid),
 * 7.3 (trixie-backports).  Before: 5.10 to 6.12.
 */
#include <linux/workqueue.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
#define ipnf_percpu_wq system_percpu_wq
#define ipnf_dfl_wq system_dfl_wq
#else
#define ipnf_percpu_wq system_wq
#define ipnf_dfl_wq system_unbound_wq
#endif

/*
 * 5.16 merged the conntrack event notifiers: the callback is .ct_event and
 * takes a const event, the notifier is const, unregistering takes only the
 * namespace (6.1 (bookworm) to 7.3).  Before: .fcn, 5.10 (bullseye).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 16, 0)
#define IPNF_CT_EVENT_CONST const
#define IPNF_CT_EVENT_FN ct_event
#define ipnf_ct_unregister_notifier(net, nb) nf_conntrack_unregister_notifier(net)
#else
#define IPNF_CT_EVENT_CONST
#define IPNF_CT_EVENT_FN fcn
#define ipnf_ct_unregister_notifier(net, nb) nf_conntrack_unregister_notifier(net, nb)
#endif

/* 5.19 added __uninitialized (stack variables exempt from auto-init); the
 * fallback is compiled by 5.10 (bullseye). */
#include <linux/compiler.h>
#ifndef __uninitialized
#define __uninitialized
#endif

/*
 * 7.0 put every slab cache behind per-CPU sheaves.  There a GFP_ATOMIC
 * kmem_cache_alloc_bulk() of 64 objects returned one, and the slab kept the
 * others as allocated: kmem_cache_destroy() at unload found whole slabs of
 * objects remaining (measured on 7.2 (sid) and 7.3 (trixie-backports)).
 * One kmem_cache_alloc() per object pops from the sheaf, which is what the
 * bulk call saved on older kernels; so loop there: 7.2, 7.3, 7.3-rc.
 * Else the bulk call: 5.10, 6.1, 6.12.  Returns how many were allocated.
 */
#include <linux/slab.h>
static inline int ipnf_cache_alloc_bulk(struct kmem_cache *s, gfp_t gfp,
				      size_t nr, void **p)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0)
	size_t i;

	for (i = 0; i < nr; i++) {
		p[i] = kmem_cache_alloc(s, gfp);
		if (!p[i])
			break;
	}
	return i;
#else
	return kmem_cache_alloc_bulk(s, gfp, nr, p);
#endif
}

/*
 * nftables flowtables that, on a TCP FIN or RST, mark the flow closing
 * (NF_FLOW_CLOSING) and keep forwarding it on the fast path, instead of
 * tearing it down: 7.2 (sid), 7.3 (trixie-backports), 7.3-rc; else 5.10,
 * 6.1, 6.12.  A feature of nf_flow_table.h that Kbuild probes
 * (IPNF_HAVE_FLOW_CLOSING), not the version, so a stable backport is found too.
 */
static inline bool ipnf_flowtable_keeps_fin(void)
{
#ifdef IPNF_HAVE_FLOW_CLOSING
	return true;
#else
	return false;
#endif
}

#endif /* IPNF_COMPAT_H */
