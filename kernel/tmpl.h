/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The template engine shared by NetFlow v9 (RFC 3954) and IPFIX (RFC 7011):
 * fixed templates, one per flow shape, and options templates; a PDU builder
 * that packs template sets, options records and data records into one
 * buffer of bounded size.  Data records are written by walking the very
 * field list the template announces, so the two cannot disagree.
 * Pure: compiled in the kernel and in userspace tests.
 */
#ifndef NF_TMPL_H
#define NF_TMPL_H

#include "export_rec.h"

/* UDP payload limit: a 1500-byte MTU with room for IPv6 + UDP + tunnels. */
#define NF_PDU_MAX 1400

#define NF_V9_HDR_LEN 20
#define NF_IPFIX_HDR_LEN 16

/*
 * Templates: data shapes first, then options templates.  These are the v9
 * template ids; IPFIX ones are NF_T_IPFIX_SHIFT higher, so a collector that
 * keys templates without the version (Wireshark does) is not confused by a
 * protocol switch on the same exporter and domain.
 */
#define NF_T_IPFIX_SHIFT 16
enum nf_tmpl_id {
	NF_T_V4_PORTS = 256,	/* TCP, UDP, SCTP, UDP-Lite, DCCP */
	NF_T_V4_ICMP,
	NF_T_V4_PLAIN,		/* any other protocol: no ports */
	NF_T_V6_PORTS,
	NF_T_V6_ICMP,
	NF_T_V6_PLAIN,
	NF_T_NAT4,		/* NAT event (NEL), NAT44 */
	NF_T_OPT_STATS,		/* metering + exporting process statistics */
	NF_T_OPT_SAMPLER,	/* sampling configuration */
	NF_T_OPT_IFACE,		/* interface list: ifName, ifDescr per ifIndex */
	NF_T_END
};
#define NF_T_FIRST NF_T_V4_PORTS
#define NF_T_COUNT (NF_T_END - NF_T_FIRST)
#define NF_T_DATA_COUNT (NF_T_OPT_STATS - NF_T_FIRST)

/*
 * Optional field blocks.  A flow whose record has none of them is exported
 * with its shape's fixed template above; one with some (say TCP options, or
 * MACs and a VLAN tag) with a template made for that shape and set of blocks
 * the first time it is needed (ids from NF_T_DYN_V9 / NF_T_DYN_IPFIX).  A
 * block is in the record when its values are there: options seen, a VLAN
 * tag, a MAC header, a direction, bridge ports, a VRF, a NAT translation.
 */
enum nf_block {
	NF_B_LABEL,	/* flowLabelIPv6 (IPv6, label not 0) */
	NF_B_EXTHDR,	/* ipv6ExtensionHeaders */
	NF_B_IPOPT,	/* ipv4Options */
	NF_B_TCPOPT,	/* tcpOptions */
	NF_B_MAC,	/* sourceMacAddress, destinationMacAddress */
	NF_B_VLAN,	/* dot1qVlanId, dot1qPriority, vlanId (outer tag) */
	NF_B_QINQ,	/* dot1qCustomerVlanId, dot1qCustomerPriority */
	NF_B_ETH,	/* ethernetType: with MAC or VLAN */
	NF_B_DIR,	/* flowDirection */
	NF_B_PHYS,	/* ingress/egressPhysicalInterface */
	NF_B_VRF,	/* ingressVRFID, egressVRFID: in or out through a VRF */
	NF_B_NAT,	/* post-NAT addresses (of the shape's family), ports */
	NF_B_MPLS,	/* mplsTopLabelStackSection, mplsLabelStackSection2.. */
	NF_B_COUNT
};
#define NF_T_DYN_V9 512
#define NF_T_DYN_IPFIX 1024
#define NF_TD_MAX 64		/* templates with optional blocks, at most */
#define NF_TF_MAX 48		/* fields of one data template, at most */

/* Information Element ids (IANA IPFIX registry; v9 uses the same numbers). */
enum nf_ie {
	NF_IE_OCTETS = 1,		/* octetDeltaCount */
	NF_IE_PACKETS = 2,		/* packetDeltaCount */
	NF_IE_PROTO = 4,		/* protocolIdentifier */
	NF_IE_TOS = 5,			/* ipClassOfService */
	NF_IE_TCP_FLAGS = 6,		/* tcpControlBits */
	NF_IE_SPORT = 7,		/* sourceTransportPort */
	NF_IE_SRC4 = 8,			/* sourceIPv4Address */
	NF_IE_IIF = 10,			/* ingressInterface */
	NF_IE_DPORT = 11,		/* destinationTransportPort */
	NF_IE_DST4 = 12,		/* destinationIPv4Address */
	NF_IE_OIF = 14,			/* egressInterface */
	NF_IE_LAST_UPTIME = 21,		/* v9 LAST_SWITCHED */
	NF_IE_FIRST_UPTIME = 22,	/* v9 FIRST_SWITCHED */
	NF_IE_SRC6 = 27,		/* sourceIPv6Address */
	NF_IE_DST6 = 28,		/* destinationIPv6Address */
	NF_IE_LABEL6 = 31,		/* flowLabelIPv6 */
	NF_IE_ICMP4 = 32,		/* icmpTypeCodeIPv4 */
	NF_IE_SAMPLING_INTERVAL = 34,	/* samplingInterval */
	NF_IE_SAMPLING_ALGORITHM = 35,	/* samplingAlgorithm */
	NF_IE_EXP_OCTETS = 40,		/* exportedOctetTotalCount */
	NF_IE_EXP_MSGS = 41,		/* exportedMessageTotalCount */
	NF_IE_EXP_FLOWS = 42,		/* exportedFlowRecordTotalCount */
	NF_IE_SAMPLER_MODE = 49,	/* samplerMode */
	NF_IE_SAMPLER_INTERVAL = 50,	/* samplerRandomInterval */
	NF_IE_SRC_MAC = 56,		/* sourceMacAddress */
	NF_IE_VLAN_ID = 58,		/* vlanId (what nfdump reads) */
	NF_IE_MPLS_TOP = 70,		/* mplsTopLabelStackSection; 71..79 next */
	NF_IE_IP_VERSION = 60,		/* ipVersion */
	NF_IE_DIRECTION = 61,		/* flowDirection */
	NF_IE_EXTHDRS6 = 64,		/* ipv6ExtensionHeaders */
	NF_IE_DST_MAC = 80,		/* destinationMacAddress */
	NF_IE_IF_NAME = 82,		/* interfaceName */
	NF_IE_IF_DESCR = 83,		/* interfaceDescription */
	NF_IE_OCTET_TOTAL = 85,		/* octetTotalCount */
	NF_IE_PACKET_TOTAL = 86,	/* packetTotalCount */
	NF_IE_END_REASON = 136,		/* flowEndReason */
	NF_IE_ICMP6 = 139,		/* icmpTypeCodeIPv6 */
	NF_IE_OBS_DOMAIN = 149,		/* observationDomainId */
	NF_IE_START_MS = 152,		/* flowStartMilliseconds */
	NF_IE_END_MS = 153,		/* flowEndMilliseconds */
	NF_IE_INIT_MS = 160,		/* systemInitTimeMilliseconds */
	NF_IE_IGN_PKTS = 164,		/* ignoredPacketTotalCount */
	NF_IE_IGN_OCTETS = 165,		/* ignoredOctetTotalCount */
	NF_IE_NOTSENT_FLOWS = 166,	/* notSentFlowTotalCount */
	NF_IE_NOTSENT_PKTS = 167,	/* notSentPacketTotalCount */
	NF_IE_NOTSENT_OCTETS = 168,	/* notSentOctetTotalCount */
	NF_IE_POST_SRC4 = 225,		/* postNATSourceIPv4Address */
	NF_IE_POST_DST4 = 226,		/* postNATDestinationIPv4Address */
	NF_IE_POST_SPORT = 227,		/* postNAPTSourceTransportPort */
	NF_IE_POST_DPORT = 228,		/* postNAPTDestinationTransportPort */
	NF_IE_NAT_EVENT = 230,		/* natEvent */
	NF_IE_POST_SRC6 = 281,		/* postNATSourceIPv6Address */
	NF_IE_POST_DST6 = 282,		/* postNATDestinationIPv6Address */
	NF_IE_VRF_IN = 234,		/* ingressVRFID */
	NF_IE_VRF_OUT = 235,		/* egressVRFID */
	NF_IE_IPV4_OPTS = 208,		/* ipv4Options */
	NF_IE_TCP_OPTS = 209,		/* tcpOptions */
	NF_IE_VLAN = 243,		/* dot1qVlanId */
	NF_IE_VLAN_PRIO = 244,		/* dot1qPriority */
	NF_IE_CVLAN = 245,		/* dot1qCustomerVlanId */
	NF_IE_CVLAN_PRIO = 246,		/* dot1qCustomerPriority */
	NF_IE_PHYS_IN = 252,		/* ingressPhysicalInterface */
	NF_IE_PHYS_OUT = 253,		/* egressPhysicalInterface */
	NF_IE_ETH_TYPE = 256,		/* ethernetType */
	NF_IE_OBS_TIME_MS = 323,	/* observationTimeMilliseconds */
};

/* v9 options scope field types (RFC 3954 section 6.1). */
#define NF_V9_SCOPE_SYSTEM 1
#define NF_V9_SCOPE_IFACE 2

struct nf_field {
	u16 id;
	u16 len;
};

struct nf_tmpl {
	u16 id;			/* on the wire */
	u16 nscope;		/* options templates: leading scope fields */
	u16 nfields;		/* including scope fields */
	const struct nf_field *f;
};

/* The template of this kind (enum nf_tmpl_id) for version 9 or 10, or NULL. */
const struct nf_tmpl *nf_tmpl_get(int version, unsigned int id);
/* Length of its data records: the sum of its field lengths. */
unsigned int nf_tmpl_rec_len(const struct nf_tmpl *t);
/* The data shape of a flow (its fixed template's kind). */
unsigned int nf_tmpl_shape(const struct nf_exp_rec *r);
/* The optional blocks a flow's record carries: bits of enum nf_block. */
unsigned int nf_tmpl_mask(const struct nf_exp_rec *r);

/* Templates with optional blocks made so far, for one version. */
struct nf_tmpl_dyn {
	struct nf_tmpl t;
	struct nf_field f[NF_TF_MAX];
};

struct nf_tmpl_cache {
	int version;
	unsigned int n;		/* made */
	unsigned int sent;	/* of them, announced by the last template send */
	u64 overflow;		/* records sent without their blocks: no room */
	u8 idx[NF_T_DATA_COUNT][1 << NF_B_COUNT];	/* dyn[] index + 1 */
	struct nf_tmpl_dyn dyn[NF_TD_MAX];
};

void nf_tmpl_cache_init(struct nf_tmpl_cache *c, int version);
/* True when a template was made that collectors have not been sent yet. */
static inline bool nf_tmpl_cache_new(const struct nf_tmpl_cache *c)
{
	return c->n != c->sent;
}
/*
 * The template a flow is exported with: its shape's fixed one if it has no
 * optional blocks (or c is NULL), else the one for its blocks, made now if
 * new (or, when NF_TD_MAX are made, the fixed one: counted in overflow).
 */
/* The same for a known shape and block mask. */
const struct nf_tmpl *nf_tmpl_pick(struct nf_tmpl_cache *c, int version,
				   unsigned int shape, unsigned int mask);
const struct nf_tmpl *nf_tmpl_for(struct nf_tmpl_cache *c, int version,
				  const struct nf_exp_rec *r);

/* Values of the options records. */
struct nf_opt_stats {
	u32 domain;		/* engine_id: the scope */
	u64 exp_octets, exp_msgs, exp_flows;
	u64 pkts, octets;	/* metered */
	u64 ign_pkts, ign_octets;	/* not metered (drops) */
	u64 notsent_flows, notsent_pkts, notsent_octets;
	u64 init_ms;		/* absolute ms the module started */
};

struct nf_opt_sampler {
	u32 domain;
	u32 interval;
	u8 algorithm;		/* 1 deterministic, 2 random (v9 / IPFIX 35) */
};

#define NF_IFNAME_LEN 16
#define NF_IFDESCR_LEN 32
struct nf_opt_iface {
	u32 ifindex;
	char name[NF_IFNAME_LEN];
	char descr[NF_IFDESCR_LEN];
};

/* One PDU under construction. */
struct nf_pdu {
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
	struct nf_tmpl_cache *tc;	/* templates with blocks, or NULL */
	/* the last flow record's template, its record length, shape, blocks */
	const struct nf_tmpl *last_t;
	unsigned int last_len;
	unsigned int last_shape, last_mask;
};

void nf_pdu_begin(struct nf_pdu *p, int version, u8 *buf, unsigned int cap);
static inline bool nf_pdu_empty(const struct nf_pdu *p)
{
	return p->records == 0;
}

/*
 * Template sets: every fixed template, then those of p->tc, from number
 * *next on.  Returns 0 when all are in; -ENOSPC when the PDU is full, *next
 * then being the first one left for the next PDU.
 */
int nf_pdu_add_tmpls(struct nf_pdu *p, unsigned int *next);
/* All templates into one PDU, or -ENOSPC. */
int nf_pdu_add_templates(struct nf_pdu *p);
/* One flow record (its set opened as needed); -ENOSPC if full. */
int nf_pdu_add_flow(struct nf_pdu *p, const struct nf_exp_rec *r);
/*
 * The fields of a flow's shape template (its head), written straight;
 * returns the end.  tests/tmpl_test.cc checks it against the walk of the
 * field table with nf_put_flow_field (the reference).
 */
u8 *nf_put_head(u8 *b, const struct nf_exp_rec *r, int version,
		unsigned int shape);
/* Value of one flow field of a template, written in its f->len bytes. */
void nf_put_flow_field(u8 *b, const struct nf_field *f,
		       const struct nf_exp_rec *r);
/* One NAT event record (NF_T_NAT4); -ENOSPC if full. */
int nf_pdu_add_nat(struct nf_pdu *p, const struct nf_nat_rec *n);
int nf_pdu_add_opt_stats(struct nf_pdu *p, const struct nf_opt_stats *s);
int nf_pdu_add_opt_sampler(struct nf_pdu *p, const struct nf_opt_sampler *s);
int nf_pdu_add_opt_iface(struct nf_pdu *p, u32 domain,
			 const struct nf_opt_iface *i);

struct nf_pdu_hdr {
	u32 uptime_ms;		/* v9 */
	u32 unix_secs;
	u32 sequence;		/* v9: PDUs before; IPFIX: data records before */
	u32 domain;		/* v9 source id / IPFIX observation domain */
};
/* Close the open set, write the header; returns the PDU length. */
unsigned int nf_pdu_finish(struct nf_pdu *p, const struct nf_pdu_hdr *h);

/* Template refresh: due every refresh PDUs and every timeout_min minutes. */
struct nf_tmpl_clock {
	bool sent;		/* templates sent since the last reset */
	u32 pdus;		/* PDUs sent since then */
	u64 at_ms;		/* when (any monotonic ms clock) */
};
static inline void nf_tmpl_reset(struct nf_tmpl_clock *c)
{
	c->sent = false;
}
bool nf_tmpl_due(const struct nf_tmpl_clock *c, u64 now_ms, int refresh,
		 int timeout_min);
void nf_tmpl_sent(struct nf_tmpl_clock *c, u64 now_ms);

#endif /* NF_TMPL_H */
