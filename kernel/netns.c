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

static DEFINE_MUTEX(nf_netns_mutex);
static void (*nf_netns_fn)(struct net *net);

static int __net_init nf_netns_init(struct net *net)
{
	nf_netns_fn(net);
	return 0;
}

static struct pernet_operations nf_netns_ops = {
	.init = nf_netns_init,
};

int nf_netns_walk(void (*fn)(struct net *net))
{
	int err;

	mutex_lock(&nf_netns_mutex);
	nf_netns_fn = fn;
	err = register_pernet_subsys(&nf_netns_ops);
	if (!err)
		unregister_pernet_subsys(&nf_netns_ops);
	mutex_unlock(&nf_netns_mutex);
	return err;
}
