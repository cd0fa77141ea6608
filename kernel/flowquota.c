// SPDX-License-Identifier: GPL-2.0-only
/*
 * maxflows, exact, without a line every CPU writes for every new flow.
 *
 * Places for flows are reserved in ipnf_flows_reserved, which never goes
 * above maxflows (0: no limit).  Each CPU keeps a quota of reserved places,
 * taken in chunks, and a new flow takes its place from its CPU's quota: one
 * atomic on a line that only its CPU writes, as a rule (another writes it
 * only to take the quota back, below).  The chunk is a share of what is left
 * below maxflows (half of it over the CPUs, at most IPNF_QUOTA_CHUNK, at
 * least one place), so it shrinks to single places near the limit; a CPU
 * that finds no place left takes every CPU's quota back before it refuses.
 * So the table never holds more than maxflows flows, and a new flow is
 * refused only when maxflows flows exist or are being made, as with a single
 * shared counter.  Exported flows give their places back in one subtraction
 * per chunk of the worker's export.
 *
 * A maxflows lowered while flows are being made: the chunks taken under the
 * old value are reclaimed at once (ipnf_quota_reclaim() from the parameter),
 * except one a CPU was taking at that moment.
 */
#include "flowquota.h"

#define IPNF_QUOTA_CHUNK 64

atomic_t ipnf_flows_reserved;
DEFINE_PER_CPU(atomic_t, ipnf_flow_quota);
/* some CPU may hold a quota (cleared by a reclaim that then looks) */
static bool ipnf_quota_out;

/* Take every CPU's quota back; true if there was any. */
bool ipnf_quota_reclaim(void)
{
	unsigned int cpu;
	int n = 0;

	if (!READ_ONCE(ipnf_quota_out))
		return false;
	WRITE_ONCE(ipnf_quota_out, false);
	/* a refill after this sets the flag again; one before has its quota seen */
	smp_mb();
	for_each_possible_cpu(cpu) {
		atomic_t *q = per_cpu_ptr(&ipnf_flow_quota, cpu);

		if (atomic_read(q))
			n += atomic_xchg(q, 0);
	}
	if (n)
		atomic_sub(n, &ipnf_flows_reserved);
	return n != 0;
}

/* This CPU's quota is used up: a chunk of places, one of them taken now. */
bool ipnf_quota_refill(int max)
{
	int n = atomic_read(&ipnf_flows_reserved), want;

	for (;;) {
		if (!max) {
			want = IPNF_QUOTA_CHUNK;
		} else if (n >= max) {
			if (!ipnf_quota_reclaim())
				return false;
			n = atomic_read(&ipnf_flows_reserved);
			continue;
		} else {
			want = clamp((max - n) / (2 * (int)num_possible_cpus()), 1,
				     IPNF_QUOTA_CHUNK);
		}
		if (atomic_try_cmpxchg(&ipnf_flows_reserved, &n, n + want))
			break;
	}
	if (want > 1) {
		atomic_add(want - 1, raw_cpu_ptr(&ipnf_flow_quota));
		smp_mb__after_atomic();
		if (!READ_ONCE(ipnf_quota_out))
			WRITE_ONCE(ipnf_quota_out, true);
	}
	return true;
}

unsigned int ipnf_flows_count(void)
{
	int n = atomic_read(&ipnf_flows_reserved);
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		n -= atomic_read(per_cpu_ptr(&ipnf_flow_quota, cpu));
	return n > 0 ? n : 0;
}
