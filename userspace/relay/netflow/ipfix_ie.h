// IANA IPFIX Information Element identifiers used by nf_netflow
// (https://www.iana.org/assignments/ipfix).  NetFlow v9 field types 1..127
// share these numbers (RFC 3954 8).
#pragma once

#include <cstdint>

namespace nfr::ie {

constexpr uint16_t kOctetDeltaCount = 1;
constexpr uint16_t kPacketDeltaCount = 2;
constexpr uint16_t kProtocolIdentifier = 4;
constexpr uint16_t kIpClassOfService = 5;
constexpr uint16_t kTcpControlBits = 6;
constexpr uint16_t kSourceTransportPort = 7;
constexpr uint16_t kSourceIPv4Address = 8;
constexpr uint16_t kIngressInterface = 10;
constexpr uint16_t kDestinationTransportPort = 11;
constexpr uint16_t kDestinationIPv4Address = 12;
constexpr uint16_t kEgressInterface = 14;
constexpr uint16_t kBgpSourceAsNumber = 16;
constexpr uint16_t kBgpDestinationAsNumber = 17;
constexpr uint16_t kFlowEndSysUpTime = 21;
constexpr uint16_t kFlowStartSysUpTime = 22;
constexpr uint16_t kSourceIPv6Address = 27;
constexpr uint16_t kDestinationIPv6Address = 28;
constexpr uint16_t kSamplingInterval = 34;
constexpr uint16_t kSamplerId = 48;  // v9 FLOW_SAMPLER_ID
constexpr uint16_t kSamplerRandomInterval = 50;
constexpr uint16_t kMinimumTTL = 52;
constexpr uint16_t kSourceMacAddress = 56;
constexpr uint16_t kPostDestinationMacAddress = 57;
constexpr uint16_t kIpVersion = 60;
constexpr uint16_t kFlowDirection = 61;
constexpr uint16_t kDestinationMacAddress = 80;
constexpr uint16_t kPostSourceMacAddress = 81;
constexpr uint16_t kOctetTotalCount = 85;
constexpr uint16_t kPacketTotalCount = 86;
constexpr uint16_t kFragmentOffset = 88;
constexpr uint16_t kFlowStartSeconds = 150;
constexpr uint16_t kFlowEndSeconds = 151;
constexpr uint16_t kFlowStartMilliseconds = 152;
constexpr uint16_t kFlowEndMilliseconds = 153;
constexpr uint16_t kFlowStartMicroseconds = 154;
constexpr uint16_t kFlowEndMicroseconds = 155;
constexpr uint16_t kFlowStartNanoseconds = 156;
constexpr uint16_t kFlowEndNanoseconds = 157;
constexpr uint16_t kSystemInitTimeMilliseconds = 160;
constexpr uint16_t kIpTTL = 192;
constexpr uint16_t kFragmentFlags = 197;
constexpr uint16_t kSelectorId = 302;
constexpr uint16_t kSamplingPacketInterval = 305;
constexpr uint16_t kSamplingPacketSpace = 306;
constexpr uint16_t kSamplingSize = 309;
constexpr uint16_t kSamplingPopulation = 310;

}  // namespace nfr::ie
