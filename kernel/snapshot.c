// SPDX-License-Identifier: GPL-2.0-only
/* The statistics snapshot /proc and netlink share (snapshot.h). */
#include <linux/slab.h>
#include "snapshot.h"
#include "locks.h"
#include "export_tpl.h"
#include "stats.h"
#include "export.h"
#include "sock.h"

struct nf_snap *nf_snap_take(void)
{
	struct nf_snap *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	mutex_lock(&nf_export_mutex);
	nf_export_stats_read(&s->x);
	s->nsocks = nf_socks_stats(s->socks, NF_MAX_DESTS);
	nf_tpl_counts(&s->ntmpl, &s->nactive);
	mutex_unlock(&nf_export_mutex);
	nf_stats_sum(&s->t);
	nf_hooks_stats(&s->hooks);
	nf_offload_stats(&s->ft);
	nf_natflows_stats(&s->nfl);
	return s;
}
