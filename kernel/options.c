// SPDX-License-Identifier: GPL-2.0-only
/* String option parsing; see options.h. */
#include "options.h"
#include "flow_key.h"

static int ipnf_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void ipnf_trim(const char **b, const char **e)
{
	while (*b < *e && ipnf_isspace(**b))
		(*b)++;
	while (*e > *b && ipnf_isspace((*e)[-1]))
		(*e)--;
}

const char *ipnf_memchr(const char *b, const char *e, char c)
{
	for (; b < e; b++)
		if (*b == c)
			return b;
	return NULL;
}

int ipnf_parse_uint(const char *b, const char *e, unsigned int max,
		  unsigned int *out)
{
	unsigned long v = 0;

	if (b == e || e - b > 10)
		return -EINVAL;
	for (; b < e; b++) {
		if (*b < '0' || *b > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*b - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/* An address with no port: IPv4, or IPv6 with optional brackets. */
static int ipnf_parse_addr(const char *b, const char *e, u8 *family, u8 *addr)
{
	if (e - b >= 2 && *b == '[' && e[-1] == ']') {
		b++;
		e--;
	}
	if (ipnf_pton4(b, (int)(e - b), addr)) {
		*family = IPNF_FAM_V4;
		return 0;
	}
	if (ipnf_pton6(b, (int)(e - b), addr)) {
		*family = IPNF_FAM_V6;
		return 0;
	}
	return -EINVAL;
}

static int ipnf_parse_one_dest(const char *b, const char *e, struct ipnf_dest *d,
			     const char **err)
{
	const char *at, *pct, *host_end, *port = NULL, *p;
	unsigned int v;

	memset(d, 0, sizeof(*d));
	d->port = IPNF_DEFAULT_PORT;

	/* Suffixes "@bind" and "%iface" may come in either order. */
	at = ipnf_memchr(b, e, '@');
	pct = ipnf_memchr(b, e, '%');
	host_end = e;
	if (at && at < host_end)
		host_end = at;
	if (pct && pct < host_end)
		host_end = pct;
	if (pct) {
		const char *ie = (at && at > pct) ? at : e;

		if (ie - pct - 1 <= 0 || ie - pct - 1 >= IFNAMSIZ) {
			*err = "bad interface name after '%'";
			return -EINVAL;
		}
		memcpy(d->ifname, pct + 1, ie - pct - 1);
	}
	if (at) {
		const char *be = (pct && pct > at) ? pct : e;

		if (ipnf_parse_addr(at + 1, be, &d->bind_family, d->bind_addr)) {
			*err = "bad bind address after '@'";
			return -EINVAL;
		}
	}

	/* host[:port] */
	if (b < host_end && *b == '[') {
		p = ipnf_memchr(b, host_end, ']');
		if (!p) {
			*err = "missing ']' in IPv6 address";
			return -EINVAL;
		}
		if (p + 1 < host_end) {
			if (p[1] != ':') {
				*err = "expected ':' after ']'";
				return -EINVAL;
			}
			port = p + 2;
		}
		host_end = p + 1;
	} else {
		const char *colon = ipnf_memchr(b, host_end, ':');

		if (colon && !ipnf_memchr(colon + 1, host_end, ':')) {
			port = colon + 1;		/* IPv4:port */
			host_end = colon;
		} else if (colon) {			/* bare IPv6: port after p/# */
			for (p = host_end - 1; p > b; p--) {
				if (*p == 'p' || *p == '#') {
					port = p + 1;
					host_end = p;
					break;
				}
				if (*p == ':')
					break;
			}
		}
	}
	if (port) {
		const char *pe = (at && at > port) ? at : e;

		if (pct && pct > port && pct < pe)
			pe = pct;
		if (ipnf_parse_uint(port, pe, 65535, &v) || v == 0) {
			*err = "bad port (1..65535)";
			return -EINVAL;
		}
		d->port = (u16)v;
	}
	if (ipnf_parse_addr(b, host_end, &d->family, d->addr)) {
		*err = "bad address (IPv4, [IPv6]:port or IPv6pPORT)";
		return -EINVAL;
	}
	return 0;
}

/*
 * The next item of the comma list at *pos, blanks trimmed, as [*b, *e)
 * (possibly empty); *comma says whether a comma ended it.  False at the end.
 */
static bool ipnf_list_next(const char **pos, const char **b, const char **e,
			 bool *comma)
{
	const char *p = *pos;

	if (!*p)
		return false;
	*b = p;
	while (*p && *p != ',')
		p++;
	*e = p;
	*comma = *p == ',';
	*pos = *comma ? p + 1 : p;
	ipnf_trim(b, e);
	return true;
}

int ipnf_parse_destinations(const char *s, struct ipnf_dest *out, int max,
			  const char **err)
{
	const char *pos = s, *b, *e;
	bool comma;
	int n = 0;

	*err = NULL;
	while (ipnf_list_next(&pos, &b, &e, &comma)) {
		if (b == e) {
			if (!comma)
				continue;	/* blanks at the end */
			*err = "empty destination in list";
			return -EINVAL;
		}
		if (n == max) {
			*err = "too many destinations";
			return -EINVAL;
		}
		if (ipnf_parse_one_dest(b, e, &out[n], err))
			return -EINVAL;
		n++;
	}
	return n;
}

int ipnf_format_dest(const struct ipnf_dest *d, char *buf, int len)
{
	int o;

	if (d->family == IPNF_FAM_V4)
		return snprintf(buf, len, "%u.%u.%u.%u:%u", d->addr[0],
				d->addr[1], d->addr[2], d->addr[3], d->port);
	o = snprintf(buf, len, "[");
	o += ipnf_ntop6(buf + o, len - o, d->addr);
	if (o < len)
		o += snprintf(buf + o, len - o, "]:%u", d->port);
	return o;
}

int ipnf_parse_dest_mode(const char *s, int *mode, const char **err)
{
	const char *b = s, *e = s + strlen(s);

	ipnf_trim(&b, &e);
	if (e - b == 6 && !memcmp(b, "mirror", 6)) {
		*mode = IPNF_DEST_MIRROR;
		return 0;
	}
	if (e - b == 7 && !memcmp(b, "balance", 7)) {
		*mode = IPNF_DEST_BALANCE;
		return 0;
	}
	*err = "destination_mode must be 'mirror' or 'balance'";
	return -EINVAL;
}

int ipnf_parse_sampler(const char *s, int *kind, unsigned int *interval,
		     const char **err)
{
	static const struct { const char *name; int kind; } kinds[] = {
		{ "deterministic", IPNF_SAMPLER_DETERMINISTIC },
		{ "random", IPNF_SAMPLER_RANDOM },
		{ "hash", IPNF_SAMPLER_HASH },
	};
	const char *b = s, *e = s + strlen(s), *colon;
	unsigned int i, v;

	ipnf_trim(&b, &e);
	if (b == e || (e - b == 1 && *b == '0')) {
		*kind = IPNF_SAMPLER_OFF;
		*interval = 0;
		return 0;
	}
	colon = ipnf_memchr(b, e, ':');
	for (i = 0; colon && i < ARRAY_SIZE(kinds); i++) {
		if ((size_t)(colon - b) != strlen(kinds[i].name) ||
		    memcmp(b, kinds[i].name, colon - b))
			continue;
		if (ipnf_parse_uint(colon + 1, e, IPNF_SAMPLER_MAX_INTERVAL, &v) ||
		    v < 2) {
			*err = "sampler interval must be 2..16383";
			return -EINVAL;
		}
		*kind = kinds[i].kind;
		*interval = v;
		return 0;
	}
	*err = "sampler must be deterministic:N, random:N or hash:N";
	return -EINVAL;
}

/* [b, e) equals the NUL-terminated word w. */
static int ipnf_word_is(const char *b, const char *e, const char *w)
{
	return (size_t)(e - b) == strlen(w) && !memcmp(b, w, e - b);
}

/* A signed decimal within (-2^31, 2^31 - 1): the two ends are netfilter's. */
static int ipnf_parse_prio(const char *b, const char *e, s32 *out)
{
	unsigned int v;
	int neg = 0;

	if (b < e && (*b == '-' || *b == '+')) {
		neg = *b == '-';
		b++;
	}
	if (ipnf_parse_uint(b, e, 2147483646U, &v))
		return -EINVAL;
	*out = neg ? -(s32)v : (s32)v;
	return 0;
}

static const char *const ipnf_hook_names[IPNF_HOOK_NUM] = {
	"prerouting", "input", "forward", "output", "postrouting",
};

/* One FAMILY:HOOK[:PRIORITY] into set. */
static int ipnf_parse_one_hook(const char *b, const char *e,
			     struct ipnf_hook_set *set, const char **err)
{
	const char *c1 = ipnf_memchr(b, e, ':'), *c2, *he;
	unsigned int fams, f, h;
	s32 prio = IPNF_HOOK_DEFAULT_PRIORITY;

	if (!c1) {
		*err = "expected FAMILY:HOOK[:PRIORITY]";
		return -EINVAL;
	}
	if (ipnf_word_is(b, c1, "ipv4")) {
		fams = 1;
	} else if (ipnf_word_is(b, c1, "ipv6")) {
		fams = 2;
	} else if (ipnf_word_is(b, c1, "inet")) {
		fams = 3;
	} else {
		*err = "family must be ipv4, ipv6 or inet";
		return -EINVAL;
	}
	c2 = ipnf_memchr(c1 + 1, e, ':');
	he = c2 ? c2 : e;
	for (h = 0; h < IPNF_HOOK_NUM; h++)
		if (ipnf_word_is(c1 + 1, he, ipnf_hook_names[h]))
			break;
	if (h == IPNF_HOOK_NUM) {
		*err = "hook must be prerouting, input, forward, output or postrouting";
		return -EINVAL;
	}
	if (c2 && ipnf_parse_prio(c2 + 1, e, &prio)) {
		*err = "priority must be an integer -2147483646..2147483646";
		return -EINVAL;
	}
	for (f = 0; f < 2; f++) {
		unsigned int slot = f * IPNF_HOOK_NUM + h;

		if (!(fams & (1U << f)))
			continue;
		if (set->present & (1U << slot)) {
			*err = "a family and hook given twice (a packet would be metered twice)";
			return -EINVAL;
		}
		set->present |= 1U << slot;
		set->prio[slot] = prio;
	}
	return 0;
}

int ipnf_parse_hooks(const char *s, struct ipnf_hook_set *set, const char **err)
{
	const char *pos = s, *b, *e;
	bool comma;
	int n = 0;

	memset(set, 0, sizeof(*set));
	*err = NULL;
	while (ipnf_list_next(&pos, &b, &e, &comma)) {
		if (b == e && !comma && !n)
			continue;	/* a blank value: no hooks */
		if (b == e || (comma && !*pos)) {	/* also a trailing comma */
			*err = "empty entry in list";
			return -EINVAL;
		}
		if (ipnf_parse_one_hook(b, e, set, err))
			return -EINVAL;
		n++;
	}
	return 0;
}

const char *ipnf_hook_name(unsigned int hook)
{
	return hook < IPNF_HOOK_NUM ? ipnf_hook_names[hook] : "?";
}

/* A 32-bit number, decimal or 0x hexadecimal. */
static int ipnf_parse_u32(const char *b, const char *e, u32 *out)
{
	u32 v = 0;
	int digits = 0;

	if (e - b > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')) {
		for (b += 2; b < e; b++, digits++) {
			char c = *b;
			u32 d;

			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				d = c - 'A' + 10;
			else
				return -EINVAL;
			if (digits == 8)
				return -EINVAL;
			v = v << 4 | d;
		}
		*out = v;
		return 0;
	}
	return ipnf_parse_uint(b, e, 0xffffffffU, out);
}

int ipnf_parse_mark(const char *s, u32 *value, u32 *mask, const char **err)
{
	const char *b = s, *e = s + strlen(s), *slash;

	ipnf_trim(&b, &e);
	*value = 0;
	*mask = 0;
	if (b == e)
		return 0;
	slash = ipnf_memchr(b, e, '/');
	*mask = 0xffffffffU;
	if (ipnf_parse_u32(b, slash ? slash : e, value) ||
	    (slash && ipnf_parse_u32(slash + 1, e, mask))) {
		*err = "must be VALUE[/MASK], 32-bit numbers (decimal or 0x hex)";
		return -EINVAL;
	}
	if (*value & ~*mask) {
		*err = "the value has bits outside the mask (no packet could match)";
		return -EINVAL;
	}
	return 0;
}
