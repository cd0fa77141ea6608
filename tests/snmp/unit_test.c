/* Unit tests of the SNMP agent's file layer: the parser of
 * /proc/net/stat/ipt_netflow_snmp and the sysctl checks and I/O.
 * Built and run by `make -C snmp check`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nf_stats.h"
#include "nf_sysctl.h"

static int passed, failed;

#define CHECK(cond) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__,	\
			#cond);						\
	}								\
} while (0)

static const char sample[] =
	"inBitRate    202448\n"
	"inPacketRate 83\n"
	"inFlows      10473\n"
	"inPackets    188765\n"
	"inBytes      18446744073709551615\n"
	"hashMetric   1.03\n"
	"hashMemory   286720\n"
	"hashFlows    5187\n"
	"hashPackets  1420\n"
	"hashBytes    372736\n"
	"dropPackets  27863\n"
	"dropBytes    1169408\n"
	"outByteRate  0\n"
	"outFlows     18\n"
	"outPackets   2\n"
	"outBytes     1024\n"
	"lostFlows    0\n"
	"lostPackets  0\n"
	"lostBytes    0\n"
	"errTotal     928\n"
	"cpu1 7 2 3 4 0.05 6 7 8 9 10 11\n"
	"cpu0 83 10473 188765 14680064 1.03 27863 1169408 0 0 0 0\n"
	"cpu2 1 2 3\n"				/* malformed: skipped */
	"cpu1 99 99 99 99 9.99 99 99 99 99 99 99\n"	/* repeated index */
	"sock0 10.0.0.2:2055 1 0 928 0 0 212992 0 106848\n"
	"sock1 [2001:db8::1]:2055@[2001:db8::2]%eth1 0 5 0 0 0 0 0 0\n"
	"somethingNew 42\n"			/* unknown: ignored */
	"sndbufPeak   106848\n";

static void test_parse(void)
{
	struct nf_stats st;

	CHECK(nf_stats_parse(sample, &st) == 0);
	CHECK(st.have[1] && st.total[1] == 202448);
	CHECK(st.have[5] && st.total[5] == 18446744073709551615ULL);
	CHECK(st.have[6] && st.total[6] == 103);
	CHECK(st.have[20] && st.total[20] == 928);
	CHECK(st.have[21] && st.total[21] == 106848);
	CHECK(!strcmp(nf_total_name(13), "outByteRate"));
	CHECK(nf_total_name(0) == NULL && nf_total_name(22) == NULL);

	CHECK(st.ncpu == 2);
	if (st.ncpu == 2) {
		CHECK(st.cpu[0].index == 0 && st.cpu[1].index == 1);
		CHECK(st.cpu[0].col[1] == 0 && st.cpu[0].col[2] == 83);
		CHECK(st.cpu[0].col[5] == 14680064);
		CHECK(st.cpu[0].col[6] == 103);
		CHECK(st.cpu[1].col[6] == 5);
		CHECK(st.cpu[1].col[12] == 11);
		CHECK(st.cpu[1].col[2] == 7);	/* first line of cpu1 wins */
	}
	CHECK(st.nsock == 2);
	if (st.nsock == 2) {
		CHECK(!strcmp(st.sock[0].dest, "10.0.0.2:2055"));
		CHECK(st.sock[0].col[3] == 1 && st.sock[0].col[5] == 928);
		CHECK(st.sock[0].col[8] == 212992 && st.sock[0].col[10] == 106848);
		CHECK(!strcmp(st.sock[1].dest,
			      "[2001:db8::1]:2055@[2001:db8::2]%eth1"));
		CHECK(st.sock[1].col[3] == 0 && st.sock[1].col[4] == 5);
	}
	nf_stats_free(&st);
}

static void test_parse_edge(void)
{
	struct nf_stats st;

	/* no trailing newline, tabs, overflow, negative metric */
	CHECK(nf_stats_parse("inFlows\t7\nhashMetric -1.00\n"
			     "inBytes 18446744073709551616\nerrTotal 3", &st)
	      == 0);
	CHECK(st.have[3] && st.total[3] == 7);
	CHECK(!st.have[6]);
	CHECK(!st.have[5]);
	CHECK(st.have[20] && st.total[20] == 3);
	nf_stats_free(&st);

	CHECK(nf_stats_parse("", &st) == 0 && st.ncpu == 0 && !st.have[1]);
	nf_stats_free(&st);
}

static void test_ranges(void)
{
	const struct nf_sysctl *proto = nf_sysctl_by_id(1);
	const struct nf_sysctl *inact = nf_sysctl_by_id(5);
	const struct nf_sysctl *dest = nf_sysctl_by_id(7);
	const struct nf_sysctl *samp = nf_sysctl_by_id(9);
	const struct nf_sysctl *nat = nf_sysctl_by_id(10);
	const struct nf_sysctl *maxf = nf_sysctl_by_id(3);
	char big[300];

	CHECK(nf_sysctl_by_id(0) == NULL && nf_sysctl_by_id(14) == NULL);
	CHECK(!strcmp(inact->file, "inactive_timeout"));
	CHECK(!strcmp(nf_sysctl_by_id(4)->file, "active_timeout"));
	CHECK(!strcmp(nf_sysctl_by_id(12)->file, "snmp-rules"));
	CHECK(!strcmp(nf_sysctl_by_id(13)->file, "scan-min"));

	CHECK(nf_sysctl_check_int(inact, -5) == NF_BAD_VALUE);
	CHECK(nf_sysctl_check_int(inact, 0) == NF_BAD_VALUE);
	CHECK(nf_sysctl_check_int(inact, 1) == NF_OK);
	CHECK(nf_sysctl_check_int(inact, 2147483) == NF_OK);
	CHECK(nf_sysctl_check_int(inact, 2147484) == NF_BAD_VALUE);
	CHECK(nf_sysctl_check_int(proto, 5) == NF_OK);
	CHECK(nf_sysctl_check_int(proto, 9) == NF_OK);
	CHECK(nf_sysctl_check_int(proto, 10) == NF_OK);
	CHECK(nf_sysctl_check_int(proto, 7) == NF_BAD_VALUE);
	CHECK(nf_sysctl_check_int(nat, 2) == NF_BAD_VALUE);
	CHECK(nf_sysctl_check_int(maxf, 0) == NF_OK);
	CHECK(nf_sysctl_check_int(maxf, -1) == NF_BAD_VALUE);
	CHECK(nf_sysctl_check_int(dest, 1) == NF_BAD_VALUE);

	memset(big, 'a', sizeof(big));
	CHECK(nf_sysctl_check_string(dest, big, 255) == NF_OK);
	CHECK(nf_sysctl_check_string(dest, big, 256) == NF_BAD_LENGTH);
	CHECK(nf_sysctl_check_string(samp, big, 128) == NF_BAD_LENGTH);
	CHECK(nf_sysctl_check_string(dest, "a\nb", 3) == NF_BAD_VALUE);
	CHECK(nf_sysctl_check_string(dest, "a\0b", 3) == NF_BAD_VALUE);
	CHECK(nf_sysctl_check_string(dest, "", 0) == NF_OK);
	CHECK(nf_sysctl_check_string(inact, "1", 1) == NF_BAD_VALUE);
}

static void test_files(void)
{
	char root[] = "/tmp/nf-unit-XXXXXX";
	char path[256], buf[NF_VALUE_MAX];
	const struct nf_sysctl *inact = nf_sysctl_by_id(5);
	const struct nf_sysctl *dest = nf_sysctl_by_id(7);
	struct nf_stats st;
	FILE *f;
	long v = 0;

	CHECK(mkdtemp(root) != NULL);
	snprintf(path, sizeof(path), "%s/sys/net/netflow", root);
	CHECK(nf_sysctl_read(root, inact, buf, sizeof(buf)) == -ENOENT);
	CHECK(nf_sysctl_write(root, inact, "30", 2) == -ENOENT);
	CHECK(!nf_sysctl_exists(root, inact));
	CHECK(nf_stats_load(root, &st) == -1);

	snprintf(path, sizeof(path), "%s/sys", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/net", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/net/netflow", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sys/net/netflow/inactive_timeout",
		 root);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("15\n", f);
		fclose(f);
	}
	CHECK(nf_sysctl_exists(root, inact));
	CHECK(nf_sysctl_read(root, inact, buf, sizeof(buf)) == 0);
	CHECK(!strcmp(buf, "15"));
	CHECK(nf_parse_long(buf, &v) == 0 && v == 15);
	CHECK(nf_sysctl_write(root, inact, "300", 3) == 0);
	CHECK(nf_sysctl_read(root, inact, buf, sizeof(buf)) == 0);
	CHECK(!strcmp(buf, "300"));
	CHECK(nf_sysctl_write(root, inact, "7", 1) == 0);	/* truncates */
	CHECK(nf_sysctl_read(root, inact, buf, sizeof(buf)) == 0);
	CHECK(!strcmp(buf, "7"));
	CHECK(nf_sysctl_write(root, dest, "x", 1) == -ENOENT); /* no O_CREAT */
	CHECK(nf_parse_long("12x", &v) == -1 && nf_parse_long("", &v) == -1);

	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	CHECK(system(path) == 0);
}

int main(void)
{
	test_parse();
	test_parse_edge();
	test_ranges();
	test_files();
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
