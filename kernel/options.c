// SPDX-License-Identifier: GPL-2.0-only
/* String option parsing; see options.h. */
#include "options.h"
#include "flow_key.h"

static int nf_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void nf_trim(const char **b, const char **e)
{
	while (*b < *e && nf_isspace(**b))
		(*b)++;
	while (*e > *b && nf_isspace((*e)[-1]))
		(*e)--;
}

const char *nf_memchr(const char *b, const char *e, char c)
{
	for (; b < e; b++)
		if (*b == c)
			return b;
	return NULL;
}

int nf_parse_uint(const char *b, const char *e, unsigned int max,
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
static int nf_parse_addr(const char *b, const char *e, u8 *family, u8 *addr)
{
	if (e - b >= 2 && *b == '[' && e[-1] == ']') {
		b++;
		e--;
	}
	if (nf_pton4(b, (int)(e - b), addr)) {
		*family = NF_FAM_V4;
		return 0;
	}
	if (nf_pton6(b, (int)(e - b), addr)) {
		*family = NF_FAM_V6;
		return 0;
	}
	return -EINVAL;
}

static int nf_parse_one_dest(const char *b, const char *e, struct nf_dest *d,
			     const char **err)
{
	const char *at, *pct, *host_end, *port = NULL, *p;
	unsigned int v;

	memset(d, 0, sizeof(*d));
	d->port = NF_DEFAULT_PORT;

	/* Suffixes "@bind" and "%iface" may come in either order. */
	at = nf_memchr(b, e, '@');
	pct = nf_memchr(b, e, '%');
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

		if (nf_parse_addr(at + 1, be, &d->bind_family, d->bind_addr)) {
			*err = "bad bind address after '@'";
			return -EINVAL;
		}
	}

	/* host[:port] */
	if (b < host_end && *b == '[') {
		p = nf_memchr(b, host_end, ']');
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
		const char *colon = nf_memchr(b, host_end, ':');

		if (colon && !nf_memchr(colon + 1, host_end, ':')) {
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
		if (nf_parse_uint(port, pe, 65535, &v) || v == 0) {
			*err = "bad port (1..65535)";
			return -EINVAL;
		}
		d->port = (u16)v;
	}
	if (nf_parse_addr(b, host_end, &d->family, d->addr)) {
		*err = "bad address (IPv4, [IPv6]:port or IPv6pPORT)";
		return -EINVAL;
	}
	return 0;
}

int nf_parse_destinations(const char *s, struct nf_dest *out, int max,
			  const char **err)
{
	const char *b = s, *e;
	int n = 0;

	*err = NULL;
	while (*b) {
		const char *end;

		e = b;
		while (*e && *e != ',')
			e++;
		end = e;
		nf_trim(&b, &end);
		if (b < end) {
			if (n == max) {
				*err = "too many destinations";
				return -EINVAL;
			}
			if (nf_parse_one_dest(b, end, &out[n], err))
				return -EINVAL;
			n++;
		} else if (*e == ',') {
			*err = "empty destination in list";
			return -EINVAL;
		}
		b = *e ? e + 1 : e;
	}
	return n;
}

int nf_format_dest(const struct nf_dest *d, char *buf, int len)
{
	int o;

	if (d->family == NF_FAM_V4)
		return snprintf(buf, len, "%u.%u.%u.%u:%u", d->addr[0],
				d->addr[1], d->addr[2], d->addr[3], d->port);
	o = snprintf(buf, len, "[");
	o += nf_ntop6(buf + o, len - o, d->addr);
	if (o < len)
		o += snprintf(buf + o, len - o, "]:%u", d->port);
	return o;
}

int nf_parse_dest_mode(const char *s, int *mode, const char **err)
{
	const char *b = s, *e = s + strlen(s);

	nf_trim(&b, &e);
	if (e - b == 6 && !memcmp(b, "mirror", 6)) {
		*mode = NF_DEST_MIRROR;
		return 0;
	}
	if (e - b == 7 && !memcmp(b, "balance", 7)) {
		*mode = NF_DEST_BALANCE;
		return 0;
	}
	*err = "destination_mode must be 'mirror' or 'balance'";
	return -EINVAL;
}

int nf_parse_sampler(const char *s, int *kind, unsigned int *interval,
		     const char **err)
{
	static const struct { const char *name; int kind; } kinds[] = {
		{ "deterministic", NF_SAMPLER_DETERMINISTIC },
		{ "random", NF_SAMPLER_RANDOM },
		{ "hash", NF_SAMPLER_HASH },
	};
	const char *b = s, *e = s + strlen(s), *colon;
	unsigned int i, v;

	nf_trim(&b, &e);
	if (b == e || (e - b == 1 && *b == '0')) {
		*kind = NF_SAMPLER_OFF;
		*interval = 0;
		return 0;
	}
	colon = nf_memchr(b, e, ':');
	for (i = 0; colon && i < ARRAY_SIZE(kinds); i++) {
		if ((size_t)(colon - b) != strlen(kinds[i].name) ||
		    memcmp(b, kinds[i].name, colon - b))
			continue;
		if (nf_parse_uint(colon + 1, e, NF_SAMPLER_MAX_INTERVAL, &v) ||
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
