/*
 * libfnmflow: FastNetMon Flow (Cap'n Proto SimplePacketType over UDP, TCP and
 * TLS 1.3) for applications.  The library netflow-relay is built on.
 *
 *   fnmflow_sender   *s = NULL;  fnmflow_sender_open(&s, "tls://collector.example.net:8104", &opts);
 *   fnmflow_sender_send(s, records, n);  fnmflow_sender_flush(s, 1000);  fnmflow_sender_close(s, 1000);
 *   fnmflow_receiver *r = NULL;  fnmflow_receiver_open(&r, "tcp://0.0.0.0:8104", &ropts, on_batch, ctx);
 *
 * Errors: every function that can fail returns an int, FNMFLOW_OK (0) or a
 * negative FNMFLOW_E* code; fnmflow_strerror() names the code and the
 * handle's last_error() (or, for an open that failed, the errbuf the caller
 * passed in the options) says what exactly went wrong.  Nothing in the
 * library exits or aborts the process.
 *
 * Thread-safety is stated per function: "any thread" means concurrent calls
 * on the same handle are safe; "one thread" means the caller serialises the
 * calls on a handle (different handles are always independent).
 *
 * ABI: handles are opaque; option structs begin with `size` (set it to
 * sizeof the struct you were compiled with, FNMFLOW_*_OPTIONS_INIT does), so
 * later versions can add fields at the end.  struct fnmflow_record and
 * struct fnmflow_counters are fixed for SONAME libfnmflow.so.1.
 */
#ifndef FNMFLOW_H
#define FNMFLOW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(FNMFLOW_BUILDING)
#define FNMFLOW_API __attribute__((visibility("default")))
#else
#define FNMFLOW_API
#endif

#define FNMFLOW_VERSION_MAJOR 1
#define FNMFLOW_VERSION_MINOR 0
#define FNMFLOW_VERSION_PATCH 0
#define FNMFLOW_VERSION_STRING "1.0.0"

/* "1.0.0": the version of the library actually loaded.  Any thread. */
FNMFLOW_API const char *fnmflow_version(void);

/* Return codes. */
enum {
	FNMFLOW_OK = 0,
	FNMFLOW_EINVAL = -1,     /* bad argument, URL or option */
	FNMFLOW_ENOMEM = -2,
	FNMFLOW_ERESOLVE = -3,   /* host name does not resolve */
	FNMFLOW_ECONNECT = -4,   /* connection refused / failed / timed out */
	FNMFLOW_ETLS = -5,       /* TLS setup, handshake or certificate failure */
	FNMFLOW_ETIMEDOUT = -6,  /* flush or close did not finish in time */
	FNMFLOW_EIO = -7,        /* socket error (bind, listen, write) */
	FNMFLOW_ECLOSED = -8,    /* handle is closing */
	FNMFLOW_EFULL = -9,      /* queue full: some records were dropped (counted) */
};

/* Short English name of a return code ("invalid argument", ...); never
 * NULL.  Any thread. */
FNMFLOW_API const char *fnmflow_strerror(int code);

/*
 * One record: every field of SimplePacketType (ordinal in brackets).
 * Addresses are in network byte order as the wire carries them (10.0.0.1 is
 * the bytes 10,0,0,1 in memory); ports and the rest are host order.
 */
enum fnmflow_source {
	FNMFLOW_SOURCE_UNKNOWN = 0,
	FNMFLOW_SOURCE_MIRROR = 1,
	FNMFLOW_SOURCE_SFLOW = 2,
	FNMFLOW_SOURCE_NETFLOW = 3,
	FNMFLOW_SOURCE_FASTNETMON_FLOW = 4,
};

struct fnmflow_record {
	uint8_t source;               /* @0  enum fnmflow_source */
	uint8_t ip_version;           /* @10 4 or 6 */
	uint8_t ttl;                  /* @11 */
	uint8_t tcp_flags;            /* @17 */
	uint8_t ip_fragmented;        /* @18 bool */
	uint8_t ip_dont_fragment;     /* @19 bool */
	uint8_t direction;            /* @24 0 in, 1 out, 2 internal, 3 other */
	uint8_t has_src_mac;          /* @26 present (bool) */
	uint8_t has_dst_mac;          /* @27 present (bool) */
	uint8_t src_mac[6];           /* @26 */
	uint8_t dst_mac[6];           /* @27 */
	uint8_t reserved0;            /* zero */
	uint16_t src_port;            /* @12 */
	uint16_t dst_port;            /* @13 */
	uint16_t reserved1;           /* zero */
	uint32_t sample_ratio;        /* @1  1 = unsampled */
	uint32_t src_ip;              /* @2  IPv4, network byte order */
	uint32_t dst_ip;              /* @3  */
	uint8_t src_ipv6[16];         /* @4  sent only when ip_version == 6 */
	uint8_t dst_ipv6[16];         /* @5  */
	uint32_t src_asn;             /* @6  */
	uint32_t dst_asn;             /* @7  */
	uint32_t input_interface;     /* @8  */
	uint32_t output_interface;    /* @9  */
	uint32_t protocol;            /* @14 IP protocol number */
	uint32_t agent_ip;            /* @25 network byte order */
	uint64_t length;              /* @15 octets */
	uint64_t ip_length;           /* @28 */
	uint64_t packets;             /* @16 numberOfPackets */
	int64_t ts_sec;               /* @20 epoch seconds */
	int64_t ts_usec;              /* @21 tsMsec: sub-second part in microseconds */
	int32_t payload_length;       /* @22 packetPayloadLength */
	uint32_t payload_full_length; /* @23 packetPayloadFullLength */
};

/*
 * Where the library's log lines go (connection failures and recoveries of
 * senders, bad peers of receivers): by default stderr as "fnmflow: ...".
 * `fn` NULL restores that.  Process-wide; call before opening handles.
 */
typedef void (*fnmflow_log_fn)(void *ctx, const char *line);
FNMFLOW_API void fnmflow_set_log_handler(fnmflow_log_fn fn, void *ctx);

/* Fills *r with the defaults a decoder gives an empty message (sample_ratio
 * 1, ip_version 4, all else 0).  Any thread. */
FNMFLOW_API void fnmflow_record_init(struct fnmflow_record *r);

/* ---------------------------------------------------------------- sender */

typedef struct fnmflow_sender fnmflow_sender;

/* Open flags. */
#define FNMFLOW_SENDER_CONNECT_NOW 1u /* connect in open(): fail there, not later */

struct fnmflow_sender_options {
	size_t size;                    /* sizeof(struct fnmflow_sender_options) */
	const char *tls_ca_file;        /* tls://: CA file (PEM); NULL = system store */
	uint32_t sampling_rate;         /* send 1 in N records, sample_ratio *= N; 0/1 = all */
	uint32_t flags;                 /* FNMFLOW_SENDER_* */
	size_t queue_size;              /* records waiting at most; 0 = 262144 */
	uint32_t reconnect_interval_ms; /* after a failure; 0 = 60000, at least 100 */
	uint32_t reserved;              /* zero */
	char *errbuf;                   /* open() failed: why, if not NULL */
	size_t errbuf_size;
	const char *tls_cert_file;      /* tls://: client certificate (PEM, leaf + intermediates), */
	const char *tls_key_file;       /*   for a server that asks for one; both or neither */
};
#define FNMFLOW_SENDER_OPTIONS_INIT {sizeof(struct fnmflow_sender_options), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/* Counters of a sender, monotonic since open. */
struct fnmflow_counters {
	uint64_t sent;            /* records written to the peer (flow_forwarder_pushed_messages) */
	uint64_t queued;          /* records waiting now (gauge) */
	uint64_t dropped;         /* did not fit the queue, or left at close */
	uint64_t lost_in_flight;  /* in a write the connection broke during */
	uint64_t errors;          /* failed connects, writes, peer closes (flow_forwarder_errors) */
	uint64_t connects;        /* connections made */
	uint64_t sampler_seen;    /* records given to send() with sampling on */
	uint64_t sampler_selected;
	uint64_t reserved[8];
};

/*
 * Opens a sender to `url`: udp://HOST:PORT, tcp://HOST:PORT or
 * tls://HOSTNAME:PORT (IPv6 literals in brackets, default port 8104).  tls://
 * needs a host name, verified against the server's certificate; TLS 1.3
 * only.  A background thread writes queued records, reconnecting after
 * failures (reconnect_interval_ms).  `opts` may be NULL (defaults).  On
 * success *out is the handle; on failure *out is NULL and, if opts->errbuf is
 * set, it holds the reason.  Any thread.
 */
FNMFLOW_API int fnmflow_sender_open(fnmflow_sender **out, const char *url,
				    const struct fnmflow_sender_options *opts);

/*
 * Queues `n` records (copied; the caller keeps them).  Never blocks on the
 * network.  Returns FNMFLOW_EFULL when some did not fit the queue (they are
 * counted in `dropped`).  One thread per sender (the sampler is not shared).
 */
FNMFLOW_API int fnmflow_sender_send(fnmflow_sender *s, const struct fnmflow_record *recs, size_t n);

/*
 * Waits up to timeout_ms until every queued record has been written (or
 * counted as lost/dropped).  FNMFLOW_ETIMEDOUT if records are still waiting
 * (e.g. the peer is down: see last_error).  Any thread.
 */
FNMFLOW_API int fnmflow_sender_flush(fnmflow_sender *s, int timeout_ms);

/* Copies the counters.  Any thread. */
FNMFLOW_API int fnmflow_sender_counters(fnmflow_sender *s, struct fnmflow_counters *c);

/*
 * The last failure of the connection ("TLS handshake with ...: certificate
 * verify failed: self-signed certificate"), "" if none.  The string stays
 * valid until the next call of this function on `s` or close.  One thread.
 */
FNMFLOW_API const char *fnmflow_sender_last_error(fnmflow_sender *s);

/*
 * Sends what is queued for at most flush_timeout_ms, counts the rest as
 * dropped, stops the thread and frees the sender.  NULL is allowed.  No other
 * call on `s` may run or follow.
 */
FNMFLOW_API void fnmflow_sender_close(fnmflow_sender *s, int flush_timeout_ms);

/* -------------------------------------------------------------- receiver */

typedef struct fnmflow_receiver fnmflow_receiver;

/*
 * Called from the receiver's own thread with the records read in one round
 * of its loop (1 to 4096); `recs` is valid during the call only.  Calls
 * never overlap.  The callback must not close its receiver.
 */
typedef void (*fnmflow_batch_fn)(void *ctx, const struct fnmflow_record *recs, size_t n);

struct fnmflow_receiver_options {
	size_t size;              /* sizeof(struct fnmflow_receiver_options) */
	const char *tls_cert_file; /* tls://: certificate (PEM) */
	const char *tls_key_file;  /* tls://: its private key */
	int tls_chain;            /* certificate file = leaf + intermediates */
	int reserved;             /* zero */
	char *errbuf;             /* open() failed: why, if not NULL */
	size_t errbuf_size;
	const char *tls_client_ca_file; /* tls://: if set, a sender must present a certificate
	                                 * signed by this CA (PEM); others fail the handshake */
};
#define FNMFLOW_RECEIVER_OPTIONS_INIT {sizeof(struct fnmflow_receiver_options), 0, 0, 0, 0, 0, 0, 0}

struct fnmflow_receiver_stats {
	uint64_t records;         /* total_simple_packets_processed */
	uint64_t malformed;       /* messages/frames rejected */
	uint64_t connections;     /* tcp/tls connections accepted */
	uint64_t tls_handshake_failures;
	uint64_t reserved[8];
};

/*
 * Listens on `url` (udp://, tcp:// or tls://ADDRESS:PORT; port 0 picks a
 * free one, see fnmflow_receiver_port) and calls `fn` with the records
 * received.  Bad frames close that connection only and are counted.  Any
 * thread.
 */
FNMFLOW_API int fnmflow_receiver_open(fnmflow_receiver **out, const char *url,
				      const struct fnmflow_receiver_options *opts, fnmflow_batch_fn fn,
				      void *ctx);

/* The local port listened on (host order).  Any thread. */
FNMFLOW_API int fnmflow_receiver_port(fnmflow_receiver *r);

/* Copies the counters.  Any thread. */
FNMFLOW_API int fnmflow_receiver_counters(fnmflow_receiver *r, struct fnmflow_receiver_stats *c);

/*
 * Stops listening, closes every connection, joins the thread (the callback
 * has returned for good) and frees the receiver.  NULL is allowed.  Not from
 * the callback.
 */
FNMFLOW_API void fnmflow_receiver_close(fnmflow_receiver *r);

#ifdef __cplusplus
}
#endif

#endif /* FNMFLOW_H */
