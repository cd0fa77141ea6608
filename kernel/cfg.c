// SPDX-License-Identifier: GPL-2.0-only
/* The configuration (cfg.h), with its defaults. */
#include "cfg.h"
#include "flow_key.h"

struct ipnf_config ipnf_cfg = {
	.protocol = 5,
	.inactive_timeout = 15,
	.active_timeout = 1800,
	.refresh_rate = 20,
	.timeout_rate = 30,
	.maxflows = 2000000,
	.scan_min = 1,
	.exportcpu = -1,
	.destination = "127.0.0.1:2055",
	.dests = { { .family = IPNF_FAM_V4, .port = 2055, .addr = { 127, 0, 0, 1 } } },
	.ndests = 1,
	.dest_mode = IPNF_DEST_MIRROR,
};
bool ipnf_running;
DEFINE_STATIC_KEY_FALSE(ipnf_hash_sampling);

void ipnf_cfg_set_sampler(int kind, unsigned int interval)
{
	WRITE_ONCE(ipnf_cfg.sampler_interval, interval);
	WRITE_ONCE(ipnf_cfg.sampler_kind, kind);
	if (kind == IPNF_SAMPLER_HASH)
		static_branch_enable(&ipnf_hash_sampling);
	else
		static_branch_disable(&ipnf_hash_sampling);
}
