// SPDX-License-Identifier: GPL-2.0-only
/*
 * Export destinations: one connected kernel UDP socket per destination.
 *
 * mirror  (default): every PDU goes to every destination; it is lost only
 *         if no destination took it.  A destination that reported an ICMP
 *         error (a closed port: "cberr") within IPNF_RETRY does not count as
 *         having taken it: UDP cannot tell which PDUs a closed port swallowed,
 *         so while it refuses, what only it received is counted as lost.
 * balance: PDUs go round-robin to the destinations that work.  A destination
 *         that fails (send error, or an ICMP unreachable reported on the
 *         socket: "cberr") is skipped for IPNF_RETRY; then the next PDU is also
 *         sent to it as a probe while still going to a working destination,
 *         and if no error comes back within IPNF_PROBE it is used again.
 *         The last PDU sent to each destination is kept until IPNF_PROBE has
 *         passed without an error; if its ICMP error arrives, that PDU is
 *         sent again to a working destination.  So a collector that dies
 *         costs no flows, and a recovering one at most sees a probe twice.
 *
 * All of it runs under ipnf_export_mutex, except the error-report callback
 * (softirq), which only bumps a counter and a timestamp.
 */
#include <linux/slab.h>
#include <linux/net.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/udp.h>
#include <linux/netdevice.h>
#include <linux/jiffies.h>
#include <net/sock.h>
#include <net/net_namespace.h>
#include "cfg.h"
#include "locks.h"
#include "sock.h"

#define IPNF_RETRY (2 * HZ)
#define IPNF_PROBE (HZ / 4)
#define IPNF_RECONNECT HZ
#define IPNF_KEEP_MAX 2048	/* largest PDU kept for re-sending */

struct ipnf_sock {
	struct list_head list;
	struct ipnf_dest dest;
	char name[64];
	struct socket *sock;		/* NULL while unconnected */
	int connect_attempts;
	unsigned long next_connect;
	unsigned long failed_at;	/* jiffies of last failure, 0 = fine */
	unsigned long probe_at;		/* jiffies a probe was sent, 0 = none */
	unsigned long icmp_at;		/* jiffies of the last ICMP error, 0 = none */
	atomic_t cberr;
	u64 err_sndbuf, err_connect, err_other;
	u64 pkts, bytes;
	u64 resent;			/* PDUs re-sent elsewhere after an error */
	int peak;
	bool no_gso;			/* UDP GSO refused: one PDU per send */
	/* balance: the last PDU sent here, until known delivered or failed */
	u8 *last;
	unsigned int last_len;
	int last_cberr;
	unsigned long last_at;
	bool last_live;
};

static LIST_HEAD(ipnf_socks);
static struct ipnf_sock *ipnf_rr_next;	/* balance: where the next PDU goes */

static void ipnf_sk_error_report(struct sock *sk)
{
	struct ipnf_sock *ns;

	read_lock_bh(&sk->sk_callback_lock);
	ns = sk->sk_user_data;
	if (ns) {
		atomic_inc(&ns->cberr);
		WRITE_ONCE(ns->failed_at, jiffies | 1);
		WRITE_ONCE(ns->icmp_at, jiffies | 1);
		/* Consume the error so the next PDU is not refused for it. */
		WRITE_ONCE(sk->sk_err, 0);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static int ipnf_sock_connect(struct ipnf_sock *ns)
{
	struct ipnf_dest *d = &ns->dest;
	struct sockaddr_storage ss = {}, bs = {};
	int family = d->family == IPNF_FAM_V6 ? AF_INET6 : AF_INET;
	int alen, err;
	struct socket *sock;

	ns->connect_attempts++;
	ns->next_connect = jiffies + IPNF_RECONNECT;
	err = sock_create_kern(&init_net, family, SOCK_DGRAM, IPPROTO_UDP, &sock);
	if (err)
		goto fail;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(d->port);
		memcpy(&a->sin_addr, d->addr, 4);
		alen = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(d->port);
		memcpy(&a->sin6_addr, d->addr, 16);
		alen = sizeof(*a);
	}
	if (d->ifname[0]) {
		struct net_device *dev = dev_get_by_name(&init_net, d->ifname);

		if (!dev) {
			err = -ENODEV;
			goto fail_release;
		}
		err = sock_bindtoindex(sock->sk, dev->ifindex, true);
		dev_put(dev);
		if (err)
			goto fail_release;
	}
	if (d->bind_family) {
		if (d->bind_family == IPNF_FAM_V4 && family == AF_INET) {
			struct sockaddr_in *b = (struct sockaddr_in *)&bs;

			b->sin_family = AF_INET;
			memcpy(&b->sin_addr, d->bind_addr, 4);
		} else if (d->bind_family == IPNF_FAM_V6 && family == AF_INET6) {
			struct sockaddr_in6 *b = (struct sockaddr_in6 *)&bs;

			b->sin6_family = AF_INET6;
			memcpy(&b->sin6_addr, d->bind_addr, 16);
		} else {
			err = -EAFNOSUPPORT;
			goto fail_release;
		}
		err = kernel_bind(sock, (struct ipnf_sockaddr *)&bs, alen);
		if (err)
			goto fail_release;
	}
	if (ipnf_cfg.sndbuf) {
		sock->sk->sk_sndbuf = ipnf_cfg.sndbuf;
		sock->sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
	}
	err = kernel_connect(sock, (struct ipnf_sockaddr *)&ss, alen, 0);
	if (err)
		goto fail_release;

	write_lock_bh(&sock->sk->sk_callback_lock);
	sock->sk->sk_user_data = ns;
	sock->sk->sk_error_report = ipnf_sk_error_report;
	sock->sk->sk_allocation = GFP_KERNEL;
	write_unlock_bh(&sock->sk->sk_callback_lock);
	ns->sock = sock;
	ns->no_gso = false;
	return 0;

fail_release:
	sock_release(sock);
fail:
	ns->err_connect++;
	return err;
}

static void ipnf_sock_close(struct ipnf_sock *ns)
{
	struct socket *sock = ns->sock;

	if (!sock)
		return;
	write_lock_bh(&sock->sk->sk_callback_lock);
	sock->sk->sk_user_data = NULL;
	write_unlock_bh(&sock->sk->sk_callback_lock);
	sock_release(sock);
	ns->sock = NULL;
}

/* Connected, or reconnected if due; false (counted) if not. */
static bool ipnf_sock_ready(struct ipnf_sock *ns)
{
	if (ns->sock)
		return true;
	if (time_before(jiffies, ns->next_connect) || ipnf_sock_connect(ns)) {
		ns->err_other++;
		return false;
	}
	return true;
}

static void ipnf_sock_sent(struct ipnf_sock *ns, unsigned int pkts,
			 unsigned int len)
{
	int filled = sk_wmem_alloc_get(ns->sock->sk);

	ns->pkts += pkts;
	ns->bytes += len;
	if (filled > ns->peak)
		ns->peak = filled;
}

/* 0: sent; negative: failed (and counted). */
static int ipnf_sock_send(struct ipnf_sock *ns, const void *buf, unsigned int len)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	int err;

	if (!ipnf_sock_ready(ns))
		return -ENOTCONN;
	err = kernel_sendmsg(ns->sock, &msg, &iov, 1, len);
	if (err == (int)len) {
		ipnf_sock_sent(ns, 1, len);
		return 0;
	}
	if (err == -EAGAIN || err == -ENOBUFS)
		ns->err_sndbuf++;
	else
		ns->err_other++;
	WRITE_ONCE(ns->failed_at, jiffies | 1);
	return err < 0 ? err : -EIO;
}

/*
 * A run of PDUs in one send with UDP GSO (UDP_SEGMENT): the device, or the
 * stack just before it where the device cannot, cuts it into seg-byte
 * datagrams (captures on a device that segments itself, such as lo, show
 * the run as one large packet).  True if sent.  A socket whose route
 * refuses GSO (no checksum offload, MTU below seg, IPsec) is marked and
 * sends one PDU at a time from then on; any other failure (a full send
 * buffer) is left to the per-PDU sends, which count it.
 */
static bool ipnf_sock_send_gso(struct ipnf_sock *ns, const void *buf,
			     unsigned int len, unsigned int seg)
{
	u8 ctl[CMSG_SPACE(sizeof(u16))] __aligned(sizeof(size_t)) = {};
	struct cmsghdr *cm = (struct cmsghdr *)ctl;
	struct msghdr msg = {
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
		.msg_control = ctl,
		.msg_controllen = sizeof(ctl),
	};
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	int err;

	cm->cmsg_level = SOL_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(u16));
	*(u16 *)CMSG_DATA(cm) = seg;
	err = kernel_sendmsg(ns->sock, &msg, &iov, 1, len);
	if (err == (int)len) {
		ipnf_sock_sent(ns, DIV_ROUND_UP(len, seg), len);
		return true;
	}
	if (err == -EINVAL || err == -EIO || err == -EOPNOTSUPP)
		ns->no_gso = true;
	return false;
}

/* Balance mode: is ns usable now?  Sends a probe copy if it is due. */
static bool ipnf_sock_usable(struct ipnf_sock *ns, const void *buf, unsigned int len)
{
	unsigned long failed = READ_ONCE(ns->failed_at);

	if (!failed)
		return true;
	if (ns->probe_at) {
		if (time_after_eq(failed, ns->probe_at))	/* probe failed */
			ns->probe_at = 0;
		else if (time_after_eq(jiffies, ns->probe_at + IPNF_PROBE)) {
			ns->probe_at = 0;
			WRITE_ONCE(ns->failed_at, 0);	/* recovered */
			return true;
		}
		return false;
	}
	if (time_after_eq(jiffies, failed + IPNF_RETRY)) {
		ns->probe_at = jiffies | 1;
		ipnf_sock_send(ns, buf, len);
	}
	return false;
}

static struct ipnf_sock *ipnf_next_sock(struct ipnf_sock *ns)
{
	return list_is_last(&ns->list, &ipnf_socks) ?
		list_first_entry(&ipnf_socks, struct ipnf_sock, list) :
		list_next_entry(ns, list);
}

/* cberr: the error count before the send (its ICMP may arrive during it). */
static void ipnf_keep_last(struct ipnf_sock *ns, const void *buf, unsigned int len,
			 int cberr)
{
	if (len > IPNF_KEEP_MAX)
		return;
	if (!ns->last) {
		ns->last = kmalloc(IPNF_KEEP_MAX, GFP_KERNEL);
		if (!ns->last)
			return;
	}
	memcpy(ns->last, buf, len);
	ns->last_len = len;
	ns->last_cberr = cberr;
	ns->last_at = jiffies;
	ns->last_live = true;
}

/* Round-robin over usable destinations, never to skip; 0 if sent. */
static int ipnf_balance_send(const void *buf, unsigned int len, struct ipnf_sock *skip)
{
	struct ipnf_sock *start, *ns;

	if (list_empty(&ipnf_socks))
		return -ENOTCONN;
	if (!ipnf_rr_next)
		ipnf_rr_next = list_first_entry(&ipnf_socks, struct ipnf_sock, list);
	start = ipnf_rr_next;
	ns = start;
	do {
		struct ipnf_sock *next = ipnf_next_sock(ns);
		int cberr = atomic_read(&ns->cberr);

		if (ns != skip && ipnf_sock_usable(ns, buf, len) &&
		    !ipnf_sock_send(ns, buf, len)) {
			ipnf_keep_last(ns, buf, len, cberr);
			ipnf_rr_next = next;
			return 0;
		}
		ns = next;
	} while (ns != start);
	return -EIO;
}

/* A kept PDU whose destination reported an error goes elsewhere. */
static void ipnf_balance_recheck(void)
{
	struct ipnf_sock *ns;

	list_for_each_entry(ns, &ipnf_socks, list) {
		if (!ns->last_live)
			continue;
		if (atomic_read(&ns->cberr) != ns->last_cberr) {
			ns->last_live = false;
			if (!ipnf_balance_send(ns->last, ns->last_len, ns))
				ns->resent++;
		} else if (time_after(jiffies, ns->last_at + IPNF_PROBE)) {
			ns->last_live = false;	/* no error came: delivered */
		}
	}
}

static int ipnf_send_balance(const void *buf, unsigned int len)
{
	ipnf_balance_recheck();
	return ipnf_balance_send(buf, len, NULL);
}

void ipnf_socks_tick(void)
{
	lockdep_assert_held(&ipnf_export_mutex);
	if (READ_ONCE(ipnf_cfg.dest_mode) == IPNF_DEST_BALANCE)
		ipnf_balance_recheck();
}

/* Mirror: has ns refused PDUs (ICMP error) within IPNF_RETRY? */
static bool ipnf_sock_refusing(const struct ipnf_sock *ns)
{
	unsigned long t = READ_ONCE(ns->icmp_at);

	return t && time_before(jiffies, t + IPNF_RETRY);
}

/* Mirror: sent to ns, and ns is not refusing what it gets. */
static bool ipnf_sock_delivers(struct ipnf_sock *ns, const void *buf,
			     unsigned int len)
{
	return !ipnf_sock_send(ns, buf, len) && !ipnf_sock_refusing(ns);
}

int ipnf_socks_send(const void *buf, unsigned int len)
{
	struct ipnf_sock *ns;
	int delivered = 0;

	lockdep_assert_held(&ipnf_export_mutex);

	if (READ_ONCE(ipnf_cfg.dest_mode) == IPNF_DEST_BALANCE)
		return ipnf_send_balance(buf, len);
	list_for_each_entry(ns, &ipnf_socks, list)
		if (ipnf_sock_delivers(ns, buf, len))
			delivered++;
	return delivered ? 0 : -EIO;
}

/* Templates: to every destination (in balance mode, every working one). */
int ipnf_socks_send_all(const void *buf, unsigned int len)
{
	bool balance = READ_ONCE(ipnf_cfg.dest_mode) == IPNF_DEST_BALANCE;
	struct ipnf_sock *ns;
	int delivered = 0;

	lockdep_assert_held(&ipnf_export_mutex);

	list_for_each_entry(ns, &ipnf_socks, list) {
		if (balance && READ_ONCE(ns->failed_at))
			continue;
		if (!ipnf_sock_send(ns, buf, len))
			delivered++;
	}
	return delivered ? 0 : -EIO;
}

/*
 * A run of PDUs (seg bytes each, the last may be shorter; at most 64).
 * Mirror: one GSO send per destination where it works, else PDU by PDU;
 * balance: PDU by PDU, so that each goes round-robin and can be re-sent.
 */
u64 ipnf_socks_send_run(const void *buf, unsigned int len, unsigned int seg)
{
	unsigned int i, n = DIV_ROUND_UP(len, seg);
	u64 all = n >= 64 ? ~0ULL : BIT_ULL(n) - 1, delivered = 0;
	struct ipnf_sock *ns;

	lockdep_assert_held(&ipnf_export_mutex);

	if (READ_ONCE(ipnf_cfg.dest_mode) == IPNF_DEST_BALANCE) {
		for (i = 0; i < n; i++)
			if (!ipnf_send_balance(buf + i * seg, min(seg, len - i * seg)))
				delivered |= BIT_ULL(i);
		return delivered;
	}
	list_for_each_entry(ns, &ipnf_socks, list) {
		/* (unconnected: the per-PDU sends reconnect and count) */
		if (n > 1 && !ns->no_gso && ns->sock &&
		    ipnf_sock_send_gso(ns, buf, len, seg)) {
			if (!ipnf_sock_refusing(ns))
				delivered = all;
			continue;
		}
		for (i = 0; i < n; i++)
			if (ipnf_sock_delivers(ns, buf + i * seg,
					     min(seg, len - i * seg)))
				delivered |= BIT_ULL(i);
	}
	return delivered;
}

static void ipnf_socks_free(struct list_head *head)
{
	struct ipnf_sock *ns, *t;

	list_for_each_entry_safe(ns, t, head, list) {
		list_del(&ns->list);
		ipnf_sock_close(ns);
		kfree(ns->last);
		kfree(ns);
	}
}

/*
 * Replace the destinations (export mutex held).  The pending PDU stays in
 * the exporter and goes to the new destinations: no flow is lost.
 */
int ipnf_socks_set(const struct ipnf_dest *d, int n)
{
	LIST_HEAD(fresh);
	int i;

	lockdep_assert_held(&ipnf_export_mutex);

	for (i = 0; i < n; i++) {
		struct ipnf_sock *ns = kzalloc(sizeof(*ns), GFP_KERNEL);

		if (!ns) {
			ipnf_socks_free(&fresh);
			return -ENOMEM;
		}
		ns->dest = d[i];
		ipnf_format_dest(&d[i], ns->name, sizeof(ns->name));
		atomic_set(&ns->cberr, 0);
		/* An unreachable destination is retried, not refused. */
		ipnf_sock_connect(ns);
		list_add_tail(&ns->list, &fresh);
	}
	ipnf_socks_free(&ipnf_socks);
	list_splice(&fresh, &ipnf_socks);
	ipnf_rr_next = NULL;
	return 0;
}

void ipnf_socks_set_sndbuf(int sndbuf)
{
	struct ipnf_sock *ns;

	lockdep_assert_held(&ipnf_export_mutex);

	list_for_each_entry(ns, &ipnf_socks, list) {
		struct sock *sk;

		if (!ns->sock)
			continue;
		sk = ns->sock->sk;
		lock_sock(sk);
		if (sndbuf) {
			sk->sk_sndbuf = sndbuf;
			sk->sk_userlocks |= SOCK_SNDBUF_LOCK;
		} else {
			sk->sk_userlocks &= ~SOCK_SNDBUF_LOCK;
		}
		release_sock(sk);
	}
}

int ipnf_socks_stats(struct ipnf_sock_stats *out, int max)
{
	struct ipnf_sock *ns;
	int n = 0;

	lockdep_assert_held(&ipnf_export_mutex);

	list_for_each_entry(ns, &ipnf_socks, list) {
		struct ipnf_sock_stats *s = &out[n];

		if (n == max)
			break;
		memset(s, 0, sizeof(*s));
		strscpy(s->name, ns->name, sizeof(s->name));
		s->connected = ns->sock != NULL;
		s->connect_attempts = ns->connect_attempts;
		if (ns->sock) {
			s->sndbuf = READ_ONCE(ns->sock->sk->sk_sndbuf);
			s->filled = sk_wmem_alloc_get(ns->sock->sk);
		}
		s->peak = ns->peak;
		s->err_sndbuf = ns->err_sndbuf;
		s->err_connect = ns->err_connect;
		s->err_cberr = atomic_read(&ns->cberr);
		s->err_other = ns->err_other;
		s->pkts = ns->pkts;
		s->bytes = ns->bytes;
		s->down = READ_ONCE(ns->failed_at) != 0;
		s->resent = ns->resent;
		n++;
	}
	return n;
}

void ipnf_socks_exit(void)
{
	lockdep_assert_held(&ipnf_export_mutex);
	ipnf_socks_free(&ipnf_socks);
}
