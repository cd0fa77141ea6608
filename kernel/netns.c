// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run a function in every network namespace that exists, without the
 * kernel's own namespace locks (pernet_ops_rwsem and net_rwsem are private
 * to the core from 7.x on).  A short-lived pernet_operations is registered:
 * the core calls its init for each namespace with pernet_ops_rwsem held for
 * write, so none is created or destroyed meanwhile; it is unregistered at
 * once (it has no exit: there is nothing to undo).  A namespace created just
 * after the walk may see fn once more: fn must be idempotent, and units keep
 * their own pernet_operations for namespaces created later.
 */
#include <linux/mutex.h>
#include <net/net_namespace.h>
#include "netns.h"

static DEFINE_MUTEX(ipnf_netns_mutex);
static void (*ipnf_netns_fn)(struct net *net);

static int __net_init ipnf_netns_init(struct net *net)
{
	ipnf_netns_fn(net);
	return 0;
}

static struct pernet_operations ipnf_netns_ops = {
	.init = ipnf_netns_init,
};

int ipnf_netns_walk(void (*fn)(struct net *net))
{
	int err;

	mutex_lock(&ipnf_netns_mutex);
	ipnf_netns_fn = fn;
	err = register_pernet_subsys(&ipnf_netns_ops);
	if (!err)
		unregister_pernet_subsys(&ipnf_netns_ops);
	mutex_unlock(&ipnf_netns_mutex);
	return err;
}
