/* sysctl and module info files behind IPT-NETFLOW-MIB; docs/proc-snmp.md */
#include "nf_sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Integer ranges and string lengths: docs/proc-snmp.md section 2 and the
 * SYNTAX clauses of mibs/IPT-NETFLOW-MIB.my. */
static const struct nf_sysctl sysctls[NF_SYSCTLS] = {
	{ 1, "protocol", NF_INT, 5, 10, 0 },	/* and only 5, 9, 10 */
	{ 2, "hashsize", NF_INT, 1, INT_MAX, 0 },
	{ 3, "maxflows", NF_INT, 0, INT_MAX, 0 },
	{ 4, "active_timeout", NF_INT, 1, INT_MAX / 1000, 0 },
	{ 5, "inactive_timeout", NF_INT, 1, INT_MAX / 1000, 0 },
	{ 6, "sndbuf", NF_INT, 0, INT_MAX, 0 },
	{ 7, "destination", NF_STRING, 0, 0, 255 },
	{ 8, "aggregation", NF_STRING, 0, 0, 255 },
	{ 9, "sampler", NF_STRING, 0, 0, 127 },
	{ 10, "natevents", NF_INT, 0, 1, 0 },
	{ 11, "promisc", NF_INT, 0, 1, 0 },
	{ 12, "snmp-rules", NF_STRING, 0, 0, 255 },
	{ 13, "scan-min", NF_INT, 1, INT_MAX, 0 },
};

const struct nf_sysctl *nf_sysctl_by_id(unsigned int id)
{
	return id >= 1 && id <= NF_SYSCTLS ? &sysctls[id - 1] : NULL;
}

enum nf_check nf_sysctl_check_int(const struct nf_sysctl *s, long v)
{
	if (s->kind != NF_INT || v < s->min || v > s->max)
		return NF_BAD_VALUE;
	if (s->id == 1 && v != 5 && v != 9 && v != 10)
		return NF_BAD_VALUE;
	return NF_OK;
}

enum nf_check nf_sysctl_check_string(const struct nf_sysctl *s,
				     const char *v, size_t len)
{
	size_t i;

	if (s->kind != NF_STRING)
		return NF_BAD_VALUE;
	if (len > s->maxlen)
		return NF_BAD_LENGTH;
	/* DisplayString: printable ASCII only; a newline would end the
	 * value early in the kernel and a NUL would truncate it. */
	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return NF_BAD_VALUE;
	return NF_OK;
}

static int sysctl_path(char *path, size_t size, const char *proc_root,
		       const struct nf_sysctl *s)
{
	int n = snprintf(path, size, "%s/sys/net/netflow/%s", proc_root,
			 s->file);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int read_text(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len + 1 < size) {
		ssize_t r = read(fd, buf + len, size - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;

			close(fd);
			return e;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	return 0;
}

int nf_sysctl_read(const char *proc_root, const struct nf_sysctl *s,
		   char *buf, size_t size)
{
	char path[4096];
	size_t len;
	int err = sysctl_path(path, sizeof(path), proc_root, s);

	if (err || (err = read_text(path, buf, size)))
		return err;
	len = strlen(buf);
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	return 0;
}

int nf_parse_long(const char *text, long *v)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(text, &end, 10);
	if (end == text || errno)
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (*end)
		return -1;
	*v = x;
	return 0;
}

int nf_sysctl_write(const char *proc_root, const struct nf_sysctl *s,
		    const char *value, size_t len)
{
	char path[4096];
	char *buf;
	ssize_t w;
	int fd, err = sysctl_path(path, sizeof(path), proc_root, s);

	if (err)
		return err;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, value, len);
	buf[len] = '\n';
	/* No O_CREAT: a missing file means the module is not loaded. O_TRUNC
	 * is ignored by procfs and keeps a plain file (tests) exact. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(buf);
		return err;
	}
	do
		w = write(fd, buf, len + 1);
	while (w < 0 && errno == EINTR);
	err = w < 0 ? -errno : (size_t)w != len + 1 ? -EIO : 0;
	if (close(fd) && !err)
		err = -errno;
	free(buf);
	return err;
}

int nf_sysctl_exists(const char *proc_root, const struct nf_sysctl *s)
{
	char path[4096];

	return !sysctl_path(path, sizeof(path), proc_root, s) &&
	       access(path, F_OK) == 0;
}

int nf_modinfo_read(const char *sys_root, const char *attr,
		    char *buf, size_t size)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/module/ipt_NETFLOW/%s",
			 sys_root, attr);
	int err;

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	err = read_text(path, buf, size);
	if (!err)
		buf[strcspn(buf, "\n")] = '\0';
	return err;
}

int nf_modinfo_load_time(const char *sys_root, time_t *t)
{
	char path[4096];
	struct stat st;
	int n = snprintf(path, sizeof(path), "%s/module/ipt_NETFLOW",
			 sys_root);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	if (stat(path, &st))
		return -errno;
	*t = st.st_mtime;
	return 0;
}
