// Inputs of netflow-relay, all driven by the one EventLoop thread:
//  - UdpInput: FastNetMon Flow, one message per datagram.
//  - StreamListener: tcp:// or tls:// (TLS 1.3 only), accepting many clients;
//    each connection parses frames (u64 LE length + message).  A bad frame,
//    a failed handshake or a handshake that takes too long closes that
//    connection only, counted and logged.  At shutdown the connections are
//    drained: half-closed, then read until the peer closes (bounded time).
// Every decoded record goes to the RecordSink on the loop thread.
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "codec.h"
#include "counters.h"
#include "event_loop.h"
#include "flow_record.h"
#include "input_stats.h"
#include "url.h"

namespace nfr {

class UdpInput : public EventHandler {
 public:
  UdpInput(const Url &url, EventLoop *loop, RecordSink *sink, InputStats *stats);
  ~UdpInput() override;
  Status Start(bool reuseport = false);  // SO_REUSEPORT: one listener per loop thread
  void OnEvents(uint32_t events) override;
  int fd() const { return fd_; }

 private:
  Url url_;
  EventLoop *loop_;
  RecordSink *sink_;
  InputStats *stats_;
  int fd_ = -1;
};

class StreamConnection;

class StreamListener : public EventHandler {
 public:
  static constexpr size_t kMaxConnections = 4096;
  static constexpr std::chrono::seconds kHandshakeTimeout{10};

  // `tls` is null for tcp://.
  StreamListener(const Url &url, SSL_CTX *tls, EventLoop *loop, RecordSink *sink, InputStats *stats);
  ~StreamListener() override;
  Status Start(bool reuseport = false);  // SO_REUSEPORT: one listener per loop thread
  void OnEvents(uint32_t events) override;
  // Closes connections whose TLS handshake is overdue.
  void Sweep(std::chrono::steady_clock::time_point now);
  void CloseAll();
  // Shutdown: stop accepting, half-close every connection (FIN / TLS
  // close_notify) and keep reading them until the peers close; see
  // Relay::Run for the time bound.
  void BeginDrain();
  size_t connections() const { return conns_.size(); }
  int fd() const { return fd_; }

  // Called by a connection that is done; frees it after this loop round.
  void Closed(StreamConnection *c);

 private:
  Url url_;
  SSL_CTX *tls_;
  EventLoop *loop_;
  RecordSink *sink_;
  InputStats *stats_;
  int fd_ = -1;
  int spare_fd_ = -1;  // given up to shed a connection when out of descriptors
  std::unordered_map<StreamConnection *, std::unique_ptr<StreamConnection>> conns_;
};

}  // namespace nfr
