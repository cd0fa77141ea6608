/* The sysctls of iptNetflowSysctl and the module info of iptNetflowModule:
 * where they live, what values are valid (docs/proc-snmp.md). */
#ifndef NF_SYSCTL_H
#define NF_SYSCTL_H

#include <stddef.h>
#include <time.h>

#define NF_SYSCTLS	13	/* iptNetflowSysctl.1 .. .13 */
#define NF_VALUE_MAX	1024	/* read buffer for one sysctl file */

enum nf_kind { NF_INT, NF_STRING };

struct nf_sysctl {
	unsigned int id;	/* iptNetflowSysctl.<id> */
	const char *file;	/* under PROC_ROOT/sys/net/netflow/ */
	enum nf_kind kind;
	long min, max;		/* NF_INT: valid range */
	size_t maxlen;		/* NF_STRING: longest valid value */
};

/* Validation results. */
enum nf_check { NF_OK = 0, NF_BAD_VALUE, NF_BAD_LENGTH };

/* The entry for iptNetflowSysctl.<id>, or NULL. */
const struct nf_sysctl *nf_sysctl_by_id(unsigned int id);

enum nf_check nf_sysctl_check_int(const struct nf_sysctl *s, long v);
enum nf_check nf_sysctl_check_string(const struct nf_sysctl *s,
				     const char *v, size_t len);

/* Read the value into BUF (one trailing newline removed). 0 or -errno. */
int nf_sysctl_read(const char *proc_root, const struct nf_sysctl *s,
		   char *buf, size_t size);
/* Parse an integer sysctl's text. 0 or -1. */
int nf_parse_long(const char *text, long *v);
/* Write VALUE (LEN bytes) plus a newline to the file. 0 or -errno; the
 * kernel answers EINVAL to a value it refuses. */
int nf_sysctl_write(const char *proc_root, const struct nf_sysctl *s,
		    const char *value, size_t len);
/* Does the sysctl file exist? */
int nf_sysctl_exists(const char *proc_root, const struct nf_sysctl *s);

/* First line of SYS_ROOT/module/ipt_NETFLOW/<attr>. 0 or -errno. */
int nf_modinfo_read(const char *sys_root, const char *attr,
		    char *buf, size_t size);
/* Load time of the module: mtime of SYS_ROOT/module/ipt_NETFLOW. */
int nf_modinfo_load_time(const char *sys_root, time_t *t);

#endif
