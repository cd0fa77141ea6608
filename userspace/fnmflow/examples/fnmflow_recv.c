/* fnmflow_recv URL COUNT [CERT KEY [CLIENT_CA]]: receives FastNetMon Flow on URL
 * (udp://, tcp://, tls://ADDRESS:PORT; port 0 = any, printed on stderr as
 * "listening on port N") with libfnmflow and prints each record until COUNT
 * came (10 s without one: exit 1).
 *   cc fnmflow_recv.c $(pkg-config --cflags --libs fnmflow) -lpthread */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <fnmflow.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "record_text.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long received;

/* Runs on the receiver's thread, one batch at a time. */
static void on_batch(void *ctx, const struct fnmflow_record *recs, size_t n)
{
	(void)ctx;
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < n; i++)
		print_record(stdout, &recs[i]);
	fflush(stdout);
	received += (long)n;
	pthread_mutex_unlock(&mu);
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc == 4 || argc > 6) {
		fprintf(stderr, "usage: %s URL COUNT [CERT KEY [CLIENT_CA]]\n", argv[0]);
		return 2;
	}
	long count = atol(argv[2]);
	char err[256] = "";
	struct fnmflow_receiver_options o = FNMFLOW_RECEIVER_OPTIONS_INIT;
	if (argc >= 5) {
		o.tls_cert_file = argv[3];
		o.tls_key_file = argv[4];
	}
	if (argc == 6) /* senders must show a certificate this CA signed */
		o.tls_client_ca_file = argv[5];
	o.errbuf = err;
	o.errbuf_size = sizeof err;
	fnmflow_receiver *r;
	int rc = fnmflow_receiver_open(&r, argv[1], &o, on_batch, NULL);
	if (rc != FNMFLOW_OK) {
		fprintf(stderr, "fnmflow_recv: %s: %s\n", fnmflow_strerror(rc), err);
		return 1;
	}
	fprintf(stderr, "listening on port %d\n", fnmflow_receiver_port(r));
	long last = -1;
	int idle = 0;
	for (;;) {
		pthread_mutex_lock(&mu);
		long now = received;
		pthread_mutex_unlock(&mu);
		if (now >= count || idle > 1000)
			break;
		idle = now == last ? idle + 1 : 0;
		last = now;
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	fnmflow_receiver_close(r);
	return received >= count ? 0 : 1;
}
