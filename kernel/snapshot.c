// SPDX-License-Identifier: GPL-2.0-only
/* The statistics snapshot /proc and netlink share (snapshot.h). */
#include <linux/slab.h>
#include "snapshot.h"
#include "locks.h"
#include "export_tpl.h"
#include "stats.h"
#include "export.h"
#include "sock.h"

struct ipnf_snap *ipnf_snap_take(void)
{
	struct ipnf_snap *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	mutex_lock(&ipnf_export_mutex);
	ipnf_export_stats_read(&s->x);
	s->nsocks = ipnf_socks_stats(s->socks, IPNF_MAX_DESTS);
	ipnf_tpl_counts(&s->ntmpl, &s->nactive);
	mutex_unlock(&ipnf_export_mutex);
	ipnf_stats_sum(&s->t);
	ipnf_hooks_stats(&s->hooks);
	ipnf_offload_stats(&s->ft);
	ipnf_natflows_stats(&s->nfl);
	return s;
}
