/* One record as a line of text, every field, for the examples (and for the
 * tests that compare what one example sent with what the other received). */
#ifndef FNMFLOW_EXAMPLE_RECORD_TEXT_H
#define FNMFLOW_EXAMPLE_RECORD_TEXT_H

#include <fnmflow.h>
#include <inttypes.h>
#include <stdio.h>

static void hex(FILE *f, const uint8_t *b, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

static void print_record(FILE *f, const struct fnmflow_record *r)
{
	const uint8_t *s = (const uint8_t *)&r->src_ip, *d = (const uint8_t *)&r->dst_ip,
		      *a = (const uint8_t *)&r->agent_ip;
	fprintf(f, "src=%u.%u.%u.%u:%u dst=%u.%u.%u.%u:%u v%u proto=%" PRIu32 " ", s[0], s[1], s[2], s[3],
		r->src_port, d[0], d[1], d[2], d[3], r->dst_port, r->ip_version, r->protocol);
	if (r->ip_version == 6) {
		fputs("src6=", f);
		hex(f, r->src_ipv6, 16);
		fputs(" dst6=", f);
		hex(f, r->dst_ipv6, 16);
		fputc(' ', f);
	}
	if (r->has_src_mac) {
		fputs("smac=", f);
		hex(f, r->src_mac, 6);
		fputc(' ', f);
	}
	if (r->has_dst_mac) {
		fputs("dmac=", f);
		hex(f, r->dst_mac, 6);
		fputc(' ', f);
	}
	fprintf(f,
		"source=%u ratio=%" PRIu32 " asn=%" PRIu32 ">%" PRIu32 " if=%" PRIu32 ">%" PRIu32 " ttl=%u "
		"len=%" PRIu64 " iplen=%" PRIu64 " pkts=%" PRIu64 " flags=%u frag=%u df=%u ts=%" PRId64 ".%06" PRId64
		" payload=%" PRId32 "/%" PRIu32 " dir=%u agent=%u.%u.%u.%u\n",
		r->source, r->sample_ratio, r->src_asn, r->dst_asn, r->input_interface, r->output_interface, r->ttl,
		r->length, r->ip_length, r->packets, r->tcp_flags, r->ip_fragmented, r->ip_dont_fragment, r->ts_sec,
		r->ts_usec, r->payload_length, r->payload_full_length, r->direction, a[0], a[1], a[2], a[3]);
}

#endif
