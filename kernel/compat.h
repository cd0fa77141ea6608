/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-version differences, all in one place (keyed on
 * LINUX_VERSION_CODE), so the rest of the module reads as current code.
 */
#ifndef NF_COMPAT_H
#define NF_COMPAT_H

#include <linux/version.h>
#include <linux/sysctl.h>

/* 6.11 made ctl_table handlers take a const table. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define NF_CTL_CONST const
#else
#define NF_CTL_CONST
#endif

/* 6.6 dropped the empty sentinel at the end of ctl_table arrays. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define NF_CTL_SENTINEL 0
#else
#define NF_CTL_SENTINEL 1
#endif

/* 6.6 takes the table size (register_sysctl_sz) instead of a sentinel. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define nf_register_sysctl(path, table, n) register_sysctl_sz(path, table, n)
#else
#define nf_register_sysctl(path, table, n) register_sysctl(path, table)
#endif

/* 6.2 renamed the unaligned helpers' header. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#include <linux/random.h>
/* 6.2 added get_random_u32_below(); 6.1 has prandom_u32_max(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define nf_random_below(n) get_random_u32_below(n)
#else
#define nf_random_below(n) prandom_u32_max(n)
#endif

/* 5.19 added __uninitialized (stack variables exempt from auto-init). */
#include <linux/compiler.h>
#ifndef __uninitialized
#define __uninitialized
#endif

#endif /* NF_COMPAT_H */
