/* fnmflow_bench: throughput of libfnmflow's sender (tests/bench/fnmflow.sh).
 *   fnmflow_bench sink URL COUNT [CERT KEY]  receive; prints "port N" on
 *                                           stdout, exits 0 once COUNT came
 *   fnmflow_bench send URL COUNT [CA]        connect, print "start EPOCH",
 *                                           send COUNT records in batches of
 *                                           4096, flush; exit 0 if all sent */
#define _POSIX_C_SOURCE 200809L
#include <fnmflow.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_long received;

static void count(void *ctx, const struct fnmflow_record *r, size_t n)
{
	(void)ctx;
	(void)r;
	atomic_fetch_add(&received, (long)n);
}

static int sink(const char *url, long n, const char *cert, const char *key)
{
	char err[256] = "";
	struct fnmflow_receiver_options o = FNMFLOW_RECEIVER_OPTIONS_INIT;
	o.tls_cert_file = cert;
	o.tls_key_file = key;
	o.errbuf = err;
	o.errbuf_size = sizeof err;
	fnmflow_receiver *r;
	if (fnmflow_receiver_open(&r, url, &o, count, NULL) != FNMFLOW_OK) {
		fprintf(stderr, "fnmflow_bench sink: %s\n", err);
		return 1;
	}
	printf("port %d\n", fnmflow_receiver_port(r));
	fflush(stdout);
	long last = -1;
	int idle = 0;
	while (atomic_load(&received) < n && idle < 3000) { /* 30 s without progress: give up */
		long now = atomic_load(&received);
		idle = now == last ? idle + 1 : 0;
		last = now;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	fnmflow_receiver_close(r);
	fprintf(stderr, "fnmflow_bench sink: %ld records\n", atomic_load(&received));
	return atomic_load(&received) >= n ? 0 : 1;
}

static int send(const char *url, long n, const char *ca)
{
	enum { BATCH = 4096 };
	static struct fnmflow_record batch[BATCH];
	for (int i = 0; i < BATCH; i++) {
		struct fnmflow_record *r = &batch[i];
		fnmflow_record_init(r);
		r->source = FNMFLOW_SOURCE_NETFLOW;
		r->src_ip = 0x0100000a + ((uint32_t)i << 24);
		r->dst_ip = 0x070264c6;
		r->src_port = (uint16_t)(1024 + i);
		r->dst_port = 443;
		r->protocol = 6;
		r->packets = 10;
		r->length = 15000;
		r->ts_sec = 1764930000;
	}
	char err[256] = "";
	struct fnmflow_sender_options o = FNMFLOW_SENDER_OPTIONS_INIT;
	o.tls_ca_file = ca;
	o.flags = FNMFLOW_SENDER_CONNECT_NOW;
	o.queue_size = 1 << 20;
	o.errbuf = err;
	o.errbuf_size = sizeof err;
	fnmflow_sender *s;
	if (fnmflow_sender_open(&s, url, &o) != FNMFLOW_OK) {
		fprintf(stderr, "fnmflow_bench send: %s\n", err);
		return 1;
	}
	struct timespec t0;
	clock_gettime(CLOCK_REALTIME, &t0);
	printf("start %ld.%09ld\n", (long)t0.tv_sec, t0.tv_nsec); /* connected: the clock starts here */
	fflush(stdout);
	for (long left = n; left > 0;) {
		size_t k = left < BATCH ? (size_t)left : BATCH;
		if (fnmflow_sender_send(s, batch, k) == FNMFLOW_EFULL) {
			/* never drop in a benchmark: wait for room (what was refused is counted) */
			fprintf(stderr, "fnmflow_bench send: queue full\n");
			break;
		}
		left -= (long)k;
		struct fnmflow_counters c;
		fnmflow_sender_counters(s, &c);
		while (c.queued > (1 << 19)) { /* keep the queue at most half full */
			nanosleep(&(struct timespec){0, 200 * 1000}, NULL);
			fnmflow_sender_counters(s, &c);
		}
	}
	int rc = fnmflow_sender_flush(s, 60000);
	struct fnmflow_counters c;
	fnmflow_sender_counters(s, &c);
	fnmflow_sender_close(s, 1000);
	if (rc != FNMFLOW_OK || c.sent != (uint64_t)n) {
		fprintf(stderr, "fnmflow_bench send: sent %llu of %ld (%s)\n", (unsigned long long)c.sent, n,
			fnmflow_strerror(rc));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "sink") == 0)
		return sink(argv[2], atol(argv[3]), argc > 5 ? argv[4] : NULL, argc > 5 ? argv[5] : NULL);
	if (argc >= 4 && strcmp(argv[1], "send") == 0)
		return send(argv[2], atol(argv[3]), argc > 4 ? argv[4] : NULL);
	fprintf(stderr, "usage: %s sink URL COUNT [CERT KEY] | send URL COUNT [CA]\n", argv[0]);
	return 2;
}
