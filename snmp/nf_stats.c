/* Parser of /proc/net/stat/ipt_netflow_snmp; see docs/proc-snmp.md. */
#include "nf_stats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const total_names[NF_TOTALS + 1] = {
	NULL, "inBitRate", "inPacketRate", "inFlows", "inPackets", "inBytes",
	"hashMetric", "hashMemory", "hashFlows", "hashPackets", "hashBytes",
	"dropPackets", "dropBytes", "outByteRate", "outFlows", "outPackets",
	"outBytes", "lostFlows", "lostPackets", "lostBytes", "errTotal",
	"sndbufPeak",
};

const char *nf_total_name(unsigned int i)
{
	return i >= 1 && i <= NF_TOTALS ? total_names[i] : NULL;
}

/* Unsigned decimal, whole token. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* "I.DD" (or a plain integer) to I*100+DD, exactly. The module prints
 * %d.%02d; a negative number cannot happen and is refused. */
static int parse_fixed100(const char *s, uint64_t *out)
{
	char ipart[32];
	const char *dot = strchr(s, '.');
	uint64_t i, f = 0;
	size_t n;

	if (!dot)
		return parse_u64(s, &i) ? -1 : (*out = i * 100, 0);
	n = (size_t)(dot - s);
	if (n == 0 || n >= sizeof(ipart))
		return -1;
	memcpy(ipart, s, n);
	ipart[n] = '\0';
	if (parse_u64(ipart, &i))
		return -1;
	dot++;
	if (dot[0] < '0' || dot[0] > '9')
		return -1;
	f = (uint64_t)(dot[0] - '0') * 10;
	if (dot[1]) {
		if (dot[1] < '0' || dot[1] > '9' || dot[2])
			return -1;
		f += (uint64_t)(dot[1] - '0');
	}
	*out = i * 100 + f;
	return 0;
}

/* Split LINE in place into blank-separated tokens. */
static size_t tokenize(char *line, char **tok, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	char *t;

	for (t = strtok_r(line, " \t", &save); t && n < max;
	     t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	return n;
}

/* "cpu12" -> 12 */
static int parse_suffix(const char *s, const char *prefix, unsigned int *idx)
{
	size_t plen = strlen(prefix);
	uint64_t v;

	if (strncmp(s, prefix, plen) || parse_u64(s + plen, &v) || v > 65535)
		return -1;
	*idx = (unsigned int)v;
	return 0;
}

static int add_cpu(struct nf_stats *st, char **tok, size_t n)
{
	struct nf_cpu c, *p;
	unsigned int col;

	memset(&c, 0, sizeof(c));
	if (n != NF_CPU_COLS || parse_suffix(tok[0], "cpu", &c.index))
		return 0;
	for (col = 2; col <= NF_CPU_COLS; col++) {
		const char *t = tok[col - 1];
		int bad = col == NF_CPU_METRIC ? parse_fixed100(t, &c.col[col])
					       : parse_u64(t, &c.col[col]);
		if (bad)
			return 0;
	}
	c.col[1] = c.index;
	p = realloc(st->cpu, (st->ncpu + 1) * sizeof(*p));
	if (!p)
		return -1;
	st->cpu = p;
	st->cpu[st->ncpu++] = c;
	return 0;
}

static int add_sock(struct nf_stats *st, char **tok, size_t n)
{
	struct nf_sock s, *p;
	unsigned int col;

	memset(&s, 0, sizeof(s));
	if (n != NF_SOCK_COLS || parse_suffix(tok[0], "sock", &s.index))
		return 0;
	if (strlen(tok[1]) >= sizeof(s.dest))
		return 0;
	strcpy(s.dest, tok[1]);
	for (col = 3; col <= NF_SOCK_COLS; col++)
		if (parse_u64(tok[col - 1], &s.col[col]))
			return 0;
	p = realloc(st->sock, (st->nsock + 1) * sizeof(*p));
	if (!p)
		return -1;
	st->sock = p;
	st->sock[st->nsock++] = s;
	return 0;
}

static void add_total(struct nf_stats *st, char **tok, size_t n)
{
	unsigned int i;

	if (n != 2)
		return;
	for (i = 1; i <= NF_TOTALS; i++) {
		uint64_t v;
		int bad;

		if (strcmp(tok[0], total_names[i]))
			continue;
		bad = i == NF_TOTAL_METRIC ? parse_fixed100(tok[1], &v)
					   : parse_u64(tok[1], &v);
		if (!bad) {
			st->total[i] = v;
			st->have[i] = 1;
		}
		return;
	}
}

static int cmp_cpu(const void *a, const void *b)
{
	const struct nf_cpu *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

static int cmp_sock(const void *a, const void *b)
{
	const struct nf_sock *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* Drop entries whose index repeats an earlier one (after sorting). */
#define DEDUP(arr, n) do {						\
	size_t i_, o_ = 0;						\
	for (i_ = 0; i_ < (n); i_++)					\
		if (!o_ || (arr)[o_ - 1].index != (arr)[i_].index)	\
			(arr)[o_++] = (arr)[i_];			\
	(n) = o_;							\
} while (0)

int nf_stats_parse(const char *text, struct nf_stats *st)
{
	const char *p = text;

	memset(st, 0, sizeof(*st));
	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[512];
		char *tok[16];
		size_t n;

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			n = tokenize(line, tok, 16);
			if (n && !strncmp(tok[0], "cpu", 3)) {
				if (add_cpu(st, tok, n))
					goto oom;
			} else if (n && !strncmp(tok[0], "sock", 4)) {
				if (add_sock(st, tok, n))
					goto oom;
			} else if (n) {
				add_total(st, tok, n);
			}
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (st->ncpu)
		qsort(st->cpu, st->ncpu, sizeof(*st->cpu), cmp_cpu);
	if (st->nsock)
		qsort(st->sock, st->nsock, sizeof(*st->sock), cmp_sock);
	DEDUP(st->cpu, st->ncpu);
	DEDUP(st->sock, st->nsock);
	return 0;
oom:
	nf_stats_free(st);
	return -1;
}

int nf_stats_load(const char *proc_root, struct nf_stats *st)
{
	char path[4096];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, ret;

	memset(st, 0, sizeof(*st));
	if (snprintf(path, sizeof(path), "%s/net/stat/ipt_netflow_snmp",
		     proc_root) >= (int)sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* seq_file hands the text out in pieces: read to EOF. */
	for (;;) {
		ssize_t r;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 16384);

			if (!nb)
				goto fail;
			buf = nb;
			cap += 16384;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > (1u << 24))	/* no sane file is this big */
			goto fail;
	}
	close(fd);
	buf[len] = '\0';
	ret = nf_stats_parse(buf, st);
	free(buf);
	return ret;
fail:
	close(fd);
	free(buf);
	return -1;
}

void nf_stats_free(struct nf_stats *st)
{
	free(st->cpu);
	free(st->sock);
	memset(st, 0, sizeof(*st));
}
