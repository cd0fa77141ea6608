/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The template engine shared by NetFlow v9 (RFC 3954) and IPFIX (RFC 7011):
 * fixed templates, one per flow shape, and options templates; a PDU builder
 * that packs template sets, options records and data records into one
 * buffer of bounded size.  Data records are written by walking the very
 * field list the template announces, so the two cannot disagree.
 * Pure: compiled in the kernel and in userspace tests.
 */
#ifndef IPNF_TMPL_H
#define IPNF_TMPL_H

#include "export_rec.h"
#include "flow.h"

/* UDP payload limit: a 1500-byte MTU with room for IPv6 + UDP + tunnels. */
#define IPNF_PDU_MAX 1400

#define IPNF_V9_HDR_LEN 20
#define IPNF_IPFIX_HDR_LEN 16

/*
 * Templates: data shapes first, then options templates.  These are the v9
 * template ids; IPFIX ones are IPNF_T_IPFIX_SHIFT higher, so a collector that
 * keys templates without the version (Wireshark does) is not confused by a
 * protocol switch on the same exporter and domain.
 */
#define IPNF_T_IPFIX_SHIFT 16
enum ipnf_tmpl_id {
	IPNF_T_V4_PORTS = 256,	/* TCP, UDP, SCTP, UDP-Lite, DCCP */
	IPNF_T_V4_ICMP,
	IPNF_T_V4_PLAIN,		/* any other protocol: no ports */
	IPNF_T_V6_PORTS,
	IPNF_T_V6_ICMP,
	IPNF_T_V6_PLAIN,
	IPNF_T_NAT4,		/* NAT event (NEL), NAT44 */
	IPNF_T_OPT_STATS,		/* metering + exporting process statistics */
	IPNF_T_OPT_SAMPLER,	/* sampling configuration */
	IPNF_T_OPT_IFACE,		/* interface list: ifName, ifDescr per ifIndex */
	IPNF_T_END
};
#define IPNF_T_FIRST IPNF_T_V4_PORTS
#define IPNF_T_COUNT (IPNF_T_END - IPNF_T_FIRST)
#define IPNF_T_DATA_COUNT (IPNF_T_OPT_STATS - IPNF_T_FIRST)

/*
 * Optional field blocks.  A flow whose record has none of them is exported
 * with its shape's fixed template above; one with some (say TCP options, or
 * MACs and a VLAN tag) with a template made for that shape and set of blocks
 * the first time it is needed (ids from IPNF_T_DYN_V9 / IPNF_T_DYN_IPFIX).  A
 * block is in the record when its values are there: options seen, a VLAN
 * tag, a MAC header, a direction, bridge ports, a VRF, a NAT translation.
 */
enum ipnf_block {
	IPNF_B_LABEL,	/* flowLabelIPv6 (IPv6, label not 0) */
	IPNF_B_EXTHDR,	/* ipv6ExtensionHeaders */
	IPNF_B_IPOPT,	/* ipv4Options */
	IPNF_B_TCPOPT,	/* tcpOptions */
	IPNF_B_MAC,	/* sourceMacAddress, destinationMacAddress */
	IPNF_B_VLAN,	/* dot1qVlanId, dot1qPriority, vlanId (outer tag) */
	IPNF_B_QINQ,	/* dot1qCustomerVlanId, dot1qCustomerPriority */
	IPNF_B_ETH,	/* ethernetType: with MAC or VLAN */
	IPNF_B_DIR,	/* flowDirection */
	IPNF_B_PHYS,	/* ingress/egressPhysicalInterface */
	IPNF_B_VRF,	/* ingressVRFID, egressVRFID: in or out through a VRF */
	IPNF_B_NAT,	/* post-NAT addresses (of the shape's family), ports */
	IPNF_B_MPLS,	/* mplsTopLabelStackSection, mplsLabelStackSection2.. */
	IPNF_B_COUNT
};
#define IPNF_T_DYN_V9 512
#define IPNF_T_DYN_IPFIX 1024
#define IPNF_TD_MAX 64		/* templates with optional blocks, at most */
#define IPNF_TF_MAX 48		/* fields of one data template, at most */

/* Information Element ids (IANA IPFIX registry; v9 uses the same numbers). */
enum ipnf_ie {
	IPNF_IE_OCTETS = 1,		/* octetDeltaCount */
	IPNF_IE_PACKETS = 2,		/* packetDeltaCount */
	IPNF_IE_PROTO = 4,		/* protocolIdentifier */
	IPNF_IE_TOS = 5,			/* ipClassOfService */
	IPNF_IE_TCP_FLAGS = 6,		/* tcpControlBits */
	IPNF_IE_SPORT = 7,		/* sourceTransportPort */
	IPNF_IE_SRC4 = 8,			/* sourceIPv4Address */
	IPNF_IE_IIF = 10,			/* ingressInterface */
	IPNF_IE_DPORT = 11,		/* destinationTransportPort */
	IPNF_IE_DST4 = 12,		/* destinationIPv4Address */
	IPNF_IE_OIF = 14,			/* egressInterface */
	IPNF_IE_LAST_UPTIME = 21,		/* v9 LAST_SWITCHED */
	IPNF_IE_FIRST_UPTIME = 22,	/* v9 FIRST_SWITCHED */
	IPNF_IE_SRC6 = 27,		/* sourceIPv6Address */
	IPNF_IE_DST6 = 28,		/* destinationIPv6Address */
	IPNF_IE_LABEL6 = 31,		/* flowLabelIPv6 */
	IPNF_IE_ICMP4 = 32,		/* icmpTypeCodeIPv4 */
	IPNF_IE_SAMPLING_INTERVAL = 34,	/* samplingInterval */
	IPNF_IE_SAMPLING_ALGORITHM = 35,	/* samplingAlgorithm */
	IPNF_IE_EXP_OCTETS = 40,		/* exportedOctetTotalCount */
	IPNF_IE_EXP_MSGS = 41,		/* exportedMessageTotalCount */
	IPNF_IE_EXP_FLOWS = 42,		/* exportedFlowRecordTotalCount */
	IPNF_IE_SAMPLER_MODE = 49,	/* samplerMode */
	IPNF_IE_SAMPLER_INTERVAL = 50,	/* samplerRandomInterval */
	IPNF_IE_SRC_MAC = 56,		/* sourceMacAddress */
	IPNF_IE_VLAN_ID = 58,		/* vlanId (what nfdump reads) */
	IPNF_IE_MPLS_TOP = 70,		/* mplsTopLabelStackSection; 71..79 next */
	IPNF_IE_IP_VERSION = 60,		/* ipVersion */
	IPNF_IE_DIRECTION = 61,		/* flowDirection */
	IPNF_IE_EXTHDRS6 = 64,		/* ipv6ExtensionHeaders */
	IPNF_IE_DST_MAC = 80,		/* destinationMacAddress */
	IPNF_IE_IF_NAME = 82,		/* interfaceName */
	IPNF_IE_IF_DESCR = 83,		/* interfaceDescription */
	IPNF_IE_OCTET_TOTAL = 85,		/* octetTotalCount */
	IPNF_IE_PACKET_TOTAL = 86,	/* packetTotalCount */
	IPNF_IE_END_REASON = 136,		/* flowEndReason */
	IPNF_IE_ICMP6 = 139,		/* icmpTypeCodeIPv6 */
	IPNF_IE_OBS_DOMAIN = 149,		/* observationDomainId */
	IPNF_IE_START_MS = 152,		/* flowStartMilliseconds */
	IPNF_IE_END_MS = 153,		/* flowEndMilliseconds */
	IPNF_IE_INIT_MS = 160,		/* systemInitTimeMilliseconds */
	IPNF_IE_IGN_PKTS = 164,		/* ignoredPacketTotalCount */
	IPNF_IE_IGN_OCTETS = 165,		/* ignoredOctetTotalCount */
	IPNF_IE_NOTSENT_FLOWS = 166,	/* notSentFlowTotalCount */
	IPNF_IE_NOTSENT_PKTS = 167,	/* notSentPacketTotalCount */
	IPNF_IE_NOTSENT_OCTETS = 168,	/* notSentOctetTotalCount */
	IPNF_IE_POST_SRC4 = 225,		/* postNATSourceIPv4Address */
	IPNF_IE_POST_DST4 = 226,		/* postNATDestinationIPv4Address */
	IPNF_IE_POST_SPORT = 227,		/* postNAPTSourceTransportPort */
	IPNF_IE_POST_DPORT = 228,		/* postNAPTDestinationTransportPort */
	IPNF_IE_NAT_EVENT = 230,		/* natEvent */
	IPNF_IE_POST_SRC6 = 281,		/* postNATSourceIPv6Address */
	IPNF_IE_POST_DST6 = 282,		/* postNATDestinationIPv6Address */
	IPNF_IE_VRF_IN = 234,		/* ingressVRFID */
	IPNF_IE_VRF_OUT = 235,		/* egressVRFID */
	IPNF_IE_IPV4_OPTS = 208,		/* ipv4Options */
	IPNF_IE_TCP_OPTS = 209,		/* tcpOptions */
	IPNF_IE_VLAN = 243,		/* dot1qVlanId */
	IPNF_IE_VLAN_PRIO = 244,		/* dot1qPriority */
	IPNF_IE_CVLAN = 245,		/* dot1qCustomerVlanId */
	IPNF_IE_CVLAN_PRIO = 246,		/* dot1qCustomerPriority */
	IPNF_IE_PHYS_IN = 252,		/* ingressPhysicalInterface */
	IPNF_IE_PHYS_OUT = 253,		/* egressPhysicalInterface */
	IPNF_IE_ETH_TYPE = 256,		/* ethernetType */
	IPNF_IE_OBS_TIME_MS = 323,	/* observationTimeMilliseconds */
};

/* v9 options scope field types (RFC 3954 section 6.1). */
#define IPNF_V9_SCOPE_SYSTEM 1
#define IPNF_V9_SCOPE_IFACE 2

struct ipnf_field {
	u16 id;
	u16 len;
};

struct ipnf_tmpl {
	u16 id;			/* on the wire */
	u16 nscope;		/* options templates: leading scope fields */
	u16 nfields;		/* including scope fields */
	const struct ipnf_field *f;
};

/* The template of this kind (enum ipnf_tmpl_id) for version 9 or 10, or NULL. */
const struct ipnf_tmpl *ipnf_tmpl_get(int version, unsigned int id);
/* Length of its data records: the sum of its field lengths. */
unsigned int ipnf_tmpl_rec_len(const struct ipnf_tmpl *t);
/* The data shape of a flow (its fixed template's kind). */
unsigned int ipnf_tmpl_shape(const struct ipnf_exp_rec *r);
/* The optional blocks a flow's record carries: bits of enum ipnf_block. */
unsigned int ipnf_tmpl_mask(const struct ipnf_exp_rec *r);

/* Templates with optional blocks made so far, for one version. */
struct ipnf_tmpl_dyn {
	struct ipnf_tmpl t;
	struct ipnf_field f[IPNF_TF_MAX];
};

struct ipnf_tmpl_cache {
	int version;
	unsigned int n;		/* made */
	unsigned int sent;	/* of them, announced by the last template send */
	u64 overflow;		/* records sent without their blocks: no room */
	u8 idx[IPNF_T_DATA_COUNT][1 << IPNF_B_COUNT];	/* dyn[] index + 1 */
	struct ipnf_tmpl_dyn dyn[IPNF_TD_MAX];
};

void ipnf_tmpl_cache_init(struct ipnf_tmpl_cache *c, int version);
/* True when a template was made that collectors have not been sent yet. */
static inline bool ipnf_tmpl_cache_new(const struct ipnf_tmpl_cache *c)
{
	return c->n != c->sent;
}
/*
 * The template a flow is exported with: its shape's fixed one if it has no
 * optional blocks (or c is NULL), else the one for its blocks, made now if
 * new (or, when IPNF_TD_MAX are made, the fixed one: counted in overflow).
 */
/* The same for a known shape and block mask. */
const struct ipnf_tmpl *ipnf_tmpl_pick(struct ipnf_tmpl_cache *c, int version,
				   unsigned int shape, unsigned int mask);
const struct ipnf_tmpl *ipnf_tmpl_for(struct ipnf_tmpl_cache *c, int version,
				  const struct ipnf_exp_rec *r);

/* Values of the options records. */
struct ipnf_opt_stats {
	u32 domain;		/* engine_id: the scope */
	u64 exp_octets, exp_msgs, exp_flows;
	u64 pkts, octets;	/* metered */
	u64 ign_pkts, ign_octets;	/* not metered (drops) */
	u64 notsent_flows, notsent_pkts, notsent_octets;
	u64 init_ms;		/* absolute ms the module started */
};

struct ipnf_opt_sampler {
	u32 domain;
	u32 interval;
	u8 algorithm;		/* 1 deterministic, 2 random (v9 / IPFIX 35) */
};

#define IPNF_IFNAME_LEN 16
#define IPNF_IFDESCR_LEN 32
struct ipnf_opt_iface {
	u32 ifindex;
	char name[IPNF_IFNAME_LEN];
	char descr[IPNF_IFDESCR_LEN];
};

/* One PDU under construction. */
struct ipnf_pdu {
	u8 *buf;
	unsigned int cap;
	unsigned int len;
	int version;		/* 9 or 10 */
	unsigned int set_off;	/* offset of the open set, 0: none */
	unsigned int set_id;
	unsigned int records;	/* v9 header count: templates + records */
	unsigned int data_records;	/* data + options data records */
	unsigned int flows;
	u64 pkts, bytes;	/* of the flows in it */
	struct ipnf_tmpl_cache *tc;	/* templates with blocks, or NULL */
	/* the last flow record's template, its record length, shape, blocks */
	const struct ipnf_tmpl *last_t;
	unsigned int last_len;
	unsigned int last_shape, last_mask;
	unsigned int fixed_used;	/* bit per fixed data template used */
};

void ipnf_pdu_begin(struct ipnf_pdu *p, int version, u8 *buf, unsigned int cap);
static inline bool ipnf_pdu_empty(const struct ipnf_pdu *p)
{
	return p->records == 0;
}

/*
 * Template sets: every fixed template, then those of p->tc, from number
 * *next on.  Returns 0 when all are in; -ENOSPC when the PDU is full, *next
 * then being the first one left for the next PDU.
 */
int ipnf_pdu_add_tmpls(struct ipnf_pdu *p, unsigned int *next);
/* All templates into one PDU, or -ENOSPC. */
int ipnf_pdu_add_templates(struct ipnf_pdu *p);
/* One flow record (its set opened as needed); -ENOSPC if full. */
int ipnf_pdu_add_flow(struct ipnf_pdu *p, const struct ipnf_exp_rec *r);
/*
 * The same for IPv4 flows straight from the flow, without the general
 * record (flow_rec.h): the very bytes ipnf_pdu_add_flow() writes for
 * ipnf_flow_fill_rec()'s records of them (tests/flow_rec_test.cc checks that
 * on random flows), for a caller that knows no record of its has a VRF or a
 * NAT translation.  Adds flows of v from the first on; returns how many.
 * *err: 0 when all n are in; -EAGAIN when the next one needs the general
 * record (IPv6, or an optional block); -ENOSPC when the PDU is full.
 */
unsigned int ipnf_pdu_add_flows4(struct ipnf_pdu *p, struct ipnf_flow *const *v,
			       unsigned int n, const struct ipnf_export_clock *c, int *err);
/*
 * The fields of a flow's shape template (its head), written straight;
 * returns the end.  tests/tmpl_test.cc checks it against the walk of the
 * field table with ipnf_put_flow_field (the reference).
 */
u8 *ipnf_put_head(u8 *b, const struct ipnf_exp_rec *r, int version,
		unsigned int shape);
/* Value of one flow field of a template, written in its f->len bytes. */
void ipnf_put_flow_field(u8 *b, const struct ipnf_field *f,
		       const struct ipnf_exp_rec *r);
/* One NAT event record (IPNF_T_NAT4); -ENOSPC if full. */
int ipnf_pdu_add_nat(struct ipnf_pdu *p, const struct ipnf_nat_rec *n);
int ipnf_pdu_add_opt_stats(struct ipnf_pdu *p, const struct ipnf_opt_stats *s);
int ipnf_pdu_add_opt_sampler(struct ipnf_pdu *p, const struct ipnf_opt_sampler *s);
int ipnf_pdu_add_opt_iface(struct ipnf_pdu *p, u32 domain,
			 const struct ipnf_opt_iface *i);

struct ipnf_pdu_hdr {
	u32 uptime_ms;		/* v9 */
	u32 unix_secs;
	u32 sequence;		/* v9: PDUs before; IPFIX: data records before */
	u32 domain;		/* v9 source id / IPFIX observation domain */
};
/* Close the open set, write the header; returns the PDU length. */
unsigned int ipnf_pdu_finish(struct ipnf_pdu *p, const struct ipnf_pdu_hdr *h);

/* Template refresh: due every refresh PDUs and every timeout_min minutes. */
struct ipnf_tmpl_clock {
	bool sent;		/* templates sent since the last reset */
	u32 pdus;		/* PDUs sent since then */
	u64 at_ms;		/* when (any monotonic ms clock) */
};
static inline void ipnf_tmpl_reset(struct ipnf_tmpl_clock *c)
{
	c->sent = false;
}
bool ipnf_tmpl_due(const struct ipnf_tmpl_clock *c, u64 now_ms, int refresh,
		 int timeout_min);
void ipnf_tmpl_sent(struct ipnf_tmpl_clock *c, u64 now_ms);

#endif /* IPNF_TMPL_H */
