/* fnmflow_send URL COUNT [CA_FILE [CERT KEY]]: sends COUNT made-up flow records to a
 * FastNetMon Flow receiver (udp://, tcp:// or tls://HOSTNAME:PORT) with
 * libfnmflow, prints each record sent (-p) and the sender's counters.
 *   cc fnmflow_send.c $(pkg-config --cflags --libs fnmflow) */
#include <fnmflow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record_text.h"

int main(int argc, char **argv)
{
	int print = argc > 1 && strcmp(argv[1], "-p") == 0;
	if (argc - print < 3) {
		fprintf(stderr, "usage: %s [-p] URL COUNT [CA_FILE [CERT KEY]]\n", argv[0]);
		return 2;
	}
	const char *url = argv[1 + print], *ca = argc - print > 3 ? argv[3 + print] : NULL;
	long count = atol(argv[2 + print]);

	char err[256] = "";
	struct fnmflow_sender_options o = FNMFLOW_SENDER_OPTIONS_INIT;
	o.tls_ca_file = ca;
	if (argc - print > 5) { /* a client certificate, for servers that ask */
		o.tls_cert_file = argv[4 + print];
		o.tls_key_file = argv[5 + print];
	}
	o.flags = FNMFLOW_SENDER_CONNECT_NOW; /* a bad URL, certificate or peer: fail here */
	o.errbuf = err;
	o.errbuf_size = sizeof err;
	fnmflow_sender *s;
	int rc = fnmflow_sender_open(&s, url, &o);
	if (rc != FNMFLOW_OK) {
		fprintf(stderr, "fnmflow_send: %s: %s\n", fnmflow_strerror(rc), err);
		return 1;
	}
	for (long i = 0; i < count; i++) {
		struct fnmflow_record r;
		fnmflow_record_init(&r);
		r.source = FNMFLOW_SOURCE_NETFLOW;
		r.ip_version = i % 4 == 3 ? 6 : 4;
		uint8_t src[4] = {10, 0, (uint8_t)(i >> 8), (uint8_t)i}, dst[4] = {192, 0, 2, (uint8_t)(i % 251)};
		memcpy(&r.src_ip, src, 4); /* network byte order: the bytes in order */
		memcpy(&r.dst_ip, dst, 4);
		if (r.ip_version == 6) {
			static const uint8_t net[4] = {0x20, 0x01, 0x0d, 0xb8};
			memcpy(r.src_ipv6, net, 4);
			memcpy(r.dst_ipv6, net, 4);
			r.src_ipv6[15] = (uint8_t)i;
			r.dst_ipv6[15] = 1;
		}
		if (i % 2) {
			static const uint8_t mac[6] = {0x02, 0, 0, 0xaa, 0xbb, 0xcc};
			r.has_src_mac = 1;
			memcpy(r.src_mac, mac, 6);
		}
		r.src_port = (uint16_t)(1024 + i);
		r.dst_port = 443;
		r.protocol = 6;
		r.packets = 1 + (uint64_t)i % 10;
		r.length = r.packets * 1500;
		r.ip_length = r.length;
		r.tcp_flags = 0x18;
		r.ts_sec = 1764930000 + i;
		r.ts_usec = i % 1000000;
		r.sample_ratio = 1;
		r.src_asn = 64512;
		r.dst_asn = 64513 + (uint32_t)i;
		r.input_interface = 1;
		r.output_interface = 2;
		r.ttl = 64;
		r.direction = (uint8_t)(i % 4);
		r.agent_ip = src[0] | (uint32_t)192 << 8 | (uint32_t)168 << 16 | (uint32_t)1 << 24; /* 10.192.168.1 */
		rc = fnmflow_sender_send(s, &r, 1);
		if (rc != FNMFLOW_OK)
			fprintf(stderr, "fnmflow_send: record %ld: %s\n", i, fnmflow_strerror(rc));
		if (print)
			print_record(stdout, &r);
	}
	rc = fnmflow_sender_flush(s, 10000);
	if (rc != FNMFLOW_OK)
		fprintf(stderr, "fnmflow_send: flush: %s: %s\n", fnmflow_strerror(rc), fnmflow_sender_last_error(s));
	struct fnmflow_counters c;
	fnmflow_sender_counters(s, &c);
	fprintf(stderr, "sent %llu, dropped %llu, lost %llu, errors %llu\n", (unsigned long long)c.sent,
		(unsigned long long)c.dropped, (unsigned long long)c.lost_in_flight, (unsigned long long)c.errors);
	fnmflow_sender_close(s, 1000);
	return rc == FNMFLOW_OK && c.sent == (uint64_t)count ? 0 : 1;
}
