// Bridge to the nf_netflow library (userspace/relay/netflow/), compiled only
// when it is present (NFR_HAVE_NETFLOW):
//  - NetflowInput: netflow://HOST:PORT, a NetFlow v5/v9/IPFIX collector on
//    UDP; its records enter the pipeline like any other, and the decoder's
//    counters are published as netflow_* counters.
//  - sflow://HOST:PORT: an sFlow v5 collector on UDP (flow samples become
//    records, counter samples are counted); sflow_* counters.
//  - MakeIpfixEncoder(): the BatchEncoder behind ipfix://HOST:PORT, one IPFIX
//    message per UDP datagram, templates re-sent on (re)connect.
#pragma once

#include <memory>

#include "counters.h"
#include "event_loop.h"
#include "forwarder.h"
#include "inputs.h"
#include "url.h"

namespace nfr {

// False when the relay was built without nf_netflow (no netflow://, sflow://, ipfix://).
bool NetflowSupported();

class NetflowInput : public EventHandler {
 public:
  // reuseport: SO_REUSEPORT, one such listener per loop thread.
  virtual Status Start(bool reuseport = false) = 0;
  // Expires old templates; called about once a second.
  virtual void Tick() = 0;
};

std::unique_ptr<NetflowInput> MakeNetflowInput(const Url &url, EventLoop *loop, RecordSink *sink, Counters *counters);
std::unique_ptr<NetflowInput> MakeSflowInput(const Url &url, EventLoop *loop, RecordSink *sink, Counters *counters);
std::unique_ptr<BatchEncoder> MakeIpfixEncoder();

}  // namespace nfr
