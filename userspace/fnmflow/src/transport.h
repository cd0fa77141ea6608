// Transport: the client side of one forward target.  Connect() makes it ready
// (resolving the hostname each time, so DNS changes are followed); Send()
// writes a batch of messages, many per system call; any failure leaves the
// transport closed and says why.  Send() gives up at `deadline` so a stuck
// peer cannot hold a shutdown forever.
//   UdpTransport: one datagram per message (sendmmsg).
//   TcpTransport / TlsTransport: the bytes are a stream of frames.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "status.h"
#include "tls.h"
#include "url.h"

namespace nfr {

using Clock = std::chrono::steady_clock;

class Transport {
 public:
  virtual ~Transport() = default;
  virtual Status Connect() = 0;
  virtual bool connected() const = 0;
  // Datagram transports get one message per element; stream transports get
  // framed bytes and may receive them all in one element.
  virtual Status Send(const std::vector<std::string> &messages, Clock::time_point deadline) = 0;
  // True when the peer has closed the stream (checked before a batch).
  virtual bool PeerClosed() { return false; }
  virtual void Close() = 0;
  virtual bool datagram() const = 0;
};

std::unique_ptr<Transport> MakeUdpTransport(const Url &url);
std::unique_ptr<Transport> MakeTcpTransport(const Url &url);
// `ctx` is a client context from MakeClientContext(); url.host is verified.
std::unique_ptr<Transport> MakeTlsTransport(const Url &url, SSL_CTX *ctx);

}  // namespace nfr
