/* Parser of /proc/net/stat/ipt_netflow_snmp (format: docs/proc-snmp.md). */
#ifndef NF_STATS_H
#define NF_STATS_H

#include <stddef.h>
#include <stdint.h>

#define NF_TOTALS	21	/* iptNetflowTotals.1 .. .21 */
#define NF_CPU_COLS	12	/* iptNetflowCpuEntry.1 .. .12 */
#define NF_SOCK_COLS	10	/* iptNetflowSockEntry.1 .. .10 */
#define NF_TOTAL_METRIC	6	/* hashMetric, fixed point x100 */
#define NF_CPU_METRIC	6	/* cpuHashMetric, fixed point x100 */
#define NF_DEST_MAX	128

struct nf_cpu {
	unsigned int index;
	uint64_t col[NF_CPU_COLS + 1];	/* col[2..12]; metric x100 */
};

struct nf_sock {
	unsigned int index;
	char dest[NF_DEST_MAX];		/* column 2 */
	uint64_t col[NF_SOCK_COLS + 1];	/* col[3..10] */
};

struct nf_stats {
	int have[NF_TOTALS + 1];	/* have[i]: total line i was present */
	uint64_t total[NF_TOTALS + 1];	/* hashMetric x100 */
	struct nf_cpu *cpu;		/* sorted by index */
	size_t ncpu;
	struct nf_sock *sock;		/* sorted by index */
	size_t nsock;
};

/* Name of total line i (1..21), as printed by the module. */
const char *nf_total_name(unsigned int i);

/* Parse the text of the file into *st (which is reset first). Unknown and
 * malformed lines are skipped. Returns 0, or -1 when out of memory. */
int nf_stats_parse(const char *text, struct nf_stats *st);

/* Read PROC_ROOT/net/stat/ipt_netflow_snmp and parse it. Returns 0, or -1
 * when the file cannot be read (module not loaded), *st then being empty. */
int nf_stats_load(const char *proc_root, struct nf_stats *st);

void nf_stats_free(struct nf_stats *st);

#endif
