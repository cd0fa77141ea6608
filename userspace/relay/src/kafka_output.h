// kafka://BROKER[,BROKER...]/TOPIC: a librdkafka producer as a RecordOutput.
// One Kafka message per record: the SimplePacketType bytes (?format=capnp,
// the default: what EncodeMessage writes, as on the udp:// path) or the jsonl
// object without its newline (?format=json); the message key is the
// destination address as text, so the default partitioner keeps one host's
// records in one partition.  Every other ?KEY=VALUE is a librdkafka producer
// property (batching, compression, acks...); queue.buffering.max.messages
// defaults to --queue-size.  librdkafka queues and retries while brokers are
// away (up to message.timeout.ms); what does not fit its queue is counted in
// kafka_queue_full, delivery reports in kafka_delivered / kafka_delivery_failed.
// Push() produces on the caller's thread; a thread of its own serves the
// delivery reports.
#pragma once

#include <memory>
#include <string>

#include "counters.h"
#include "flow_record.h"
#include "forwarder.h"
#include "status.h"
#include "url.h"

namespace nfr {

// The message key: the destination address as text (IPv4 dotted, IPv6 RFC 5952).
std::string KafkaKey(const FlowRecord &r);
// The message value in the URL's format; `out` is replaced.
void KafkaValue(const FlowRecord &r, bool json, std::string *out);

// Builds the producer; a bad property or value is an error naming it.
Status MakeKafkaOutput(const Url &url, size_t queue_size, Counters *counters, std::unique_ptr<RecordOutput> *out);

}  // namespace nfr
