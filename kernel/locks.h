/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The module's locks, outer first:
 *   ipnf_cfg_mutex     serialises parameter changes (params.c, sysctl.c)
 *   ipnf_export_mutex  the exporter (export.c): PDUs being built, sockets;
 *                    and the worker's sweep (expiry.c), so no table resize
 *                    runs during one; held by each worker run, which lets
 *                    it go between chunks of its export (a configuration
 *                    write waits for one chunk, not for a run)
 *   bucket lock      bits 0 and 1 of a bucket's head link (flowtable.c),
 *                    taken with BH and preemption disabled by an insert,
 *                    for a few stores; a resize takes each of the old
 *                    table's and never lets it go (inserts then use the
 *                    new table)
 *   pool lock        flowpool.c's chunk stack (BH disabled); never held
 *                    together with a bucket lock (allocation comes first)
 * The packet path takes at most one bucket lock, and only to insert a flow;
 * updates of existing flows are lock-free (RCU lookup + atomics), and flows
 * are read for export only after an RCU grace period following their unlink.
 *
 * The two mutexes are defined at the bottom of the module (locks.c), so
 * that every part can state its rule with lockdep_assert_held() without
 * naming a part above it.
 */
#ifndef IPNF_LOCKS_H
#define IPNF_LOCKS_H

#include <linux/mutex.h>
#include <linux/rcupdate.h>

extern struct mutex ipnf_cfg_mutex;
extern struct mutex ipnf_export_mutex;

/*
 * Configuration and unload paths wait for RCU readers (packets in a hook,
 * walkers of a table or rule set) with this: an expedited grace period.  A
 * normal synchronize_rcu() returns when its callback runs, behind every
 * callback queued on this CPU before it; under a flood of frees (kmemleak
 * frees each object through call_rcu()) that took minutes, with the
 * module's mutexes held.
 */
static inline void ipnf_wait_readers(void)
{
	synchronize_rcu_expedited();
}

#endif /* IPNF_LOCKS_H */
