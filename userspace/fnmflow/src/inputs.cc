#include "inputs.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "log.h"
#include "socket_util.h"
#include "tls.h"

namespace nfr {

InputStats::InputStats(Counters *c)
    : total(c->Get("total_simple_packets_processed")),
      udp(c->Get("fastnetmon_flow_udp_packets")),
      tcp(c->Get("fastnetmon_flow_tcp_packets")),
      tls(c->Get("fastnetmon_flow_tls_packets")),
      malformed(c->Get("fastnetmon_flow_malformed_messages")),
      zero_length(c->Get("fastnetmon_flow_malformed_zero_length")),
      too_long(c->Get("fastnetmon_flow_malformed_too_long")),
      unparsable(c->Get("fastnetmon_flow_malformed_unparsable")),
      wrong_root(c->Get("fastnetmon_flow_malformed_wrong_root")),
      udp_datagrams(c->Get("fastnetmon_flow_udp_datagrams")),
      tcp_accepted(c->Get("fastnetmon_flow_tcp_connections_accepted")),
      tls_accepted(c->Get("fastnetmon_flow_tls_connections_accepted")),
      active(c->Get("fastnetmon_flow_connections_active")),
      closed_bad_frame(c->Get("fastnetmon_flow_connections_closed_bad_frame")),
      refused_limit(c->Get("fastnetmon_flow_connections_refused_limit")),
      tls_handshake_failures(c->Get("fastnetmon_flow_tls_handshake_failures")),
      tls_handshake_timeouts(c->Get("fastnetmon_flow_tls_handshake_timeouts")) {}

void InputStats::CountError(DecodeError e) {
  malformed->Add();
  switch (e) {
    case DecodeError::kEmpty: zero_length->Add(); break;
    case DecodeError::kTooLong: too_long->Add(); break;
    case DecodeError::kUnparsable: unparsable->Add(); break;
    case DecodeError::kWrongRoot: wrong_root->Add(); break;
    case DecodeError::kNone: break;
  }
}

// ---- UDP ----

UdpInput::UdpInput(const Url &url, EventLoop *loop, RecordSink *sink, InputStats *stats)
    : url_(url), loop_(loop), sink_(sink), stats_(stats) {}

UdpInput::~UdpInput() {
  if (fd_ >= 0) {
    loop_->Remove(fd_);
    close(fd_);
  }
}

Status UdpInput::Start(bool reuseport) {
  Status s = OpenListener(url_, SOCK_DGRAM, &fd_, reuseport);
  if (!s.ok()) return s;
  return loop_->Add(fd_, EPOLLIN, this);
}

void UdpInput::OnEvents(uint32_t) {
  constexpr int kBatch = 16;
  constexpr size_t kBuf = 65536;
  static thread_local std::vector<uint8_t> bufs(kBatch * kBuf);
  mmsghdr msgs[kBatch];
  iovec iov[kBatch];
  for (int round = 0; round < 8; ++round) {  // bounded: give other sockets a turn
    for (int i = 0; i < kBatch; ++i) {
      iov[i] = {bufs.data() + i * kBuf, kBuf};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(fd_, msgs, kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) {
      stats_->udp_datagrams->Add();
      FlowRecord r;
      DecodeError e = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
                          ? DecodeError::kTooLong
                          : DecodeMessage(bufs.data() + i * kBuf, msgs[i].msg_len, &r);
      if (e != DecodeError::kNone) {
        stats_->CountError(e);
        continue;
      }
      stats_->udp->Add();
      stats_->total->Add();
      sink_->Consume(r);
    }
    if (n < kBatch) return;
  }
}

// ---- TCP / TLS ----

class StreamConnection : public EventHandler {
 public:
  StreamConnection(StreamListener *owner, int fd, std::string peer, SSL *ssl, EventLoop *loop,
                   RecordSink *sink, InputStats *stats)
      : owner_(owner), fd_(fd), peer_(std::move(peer)), ssl_(ssl), loop_(loop), sink_(sink), stats_(stats),
        started_(std::chrono::steady_clock::now()) {}
  ~StreamConnection() override {
    if (fd_ >= 0) {
      loop_->Remove(fd_);
      close(fd_);
    }
  }
  int fd() const { return fd_; }
  bool handshaking() const { return ssl_ && !handshake_done_; }
  std::chrono::steady_clock::time_point started() const { return started_; }
  const std::string &peer() const { return peer_; }

  void OnEvents(uint32_t) override {
    if (ssl_ && !handshake_done_ && !Handshake()) return;
    ReadFrames();
  }

  // Shutting down: tell the peer we are done (FIN, or TLS close_notify +
  // FIN) but keep reading until it closes its side, so that nothing it sent
  // before it saw our FIN is lost in our receive buffer.  Returns false when
  // the connection is not worth draining (handshake not done).
  bool HalfClose() {
    if (ssl_ && !handshake_done_) return false;
    if (ssl_) {
      ERR_clear_error();
      SSL_shutdown(ssl_.get());  // sends close_notify; reading goes on
    }
    shutdown(fd_, SHUT_WR);
    return true;
  }

 private:
  bool Handshake() {
    ERR_clear_error();
    int rc = SSL_accept(ssl_.get());
    if (rc == 1) {
      handshake_done_ = true;
      loop_->Modify(fd_, EPOLLIN, this);
      return true;
    }
    int err = SSL_get_error(ssl_.get(), rc);
    if (err == SSL_ERROR_WANT_READ) {
      loop_->Modify(fd_, EPOLLIN, this);
      return false;
    }
    if (err == SSL_ERROR_WANT_WRITE) {
      loop_->Modify(fd_, EPOLLOUT, this);
      return false;
    }
    stats_->tls_handshake_failures->Add();
    Log("TLS handshake with " + peer_ + " failed: " + HandshakeFailure(ssl_.get(), rc));
    owner_->Closed(this);
    return false;
  }

  // Reads 256 KiB at a time into a buffer shared by the loop thread's
  // connections and decodes the frames in place there; only a partial frame
  // at the end is kept per connection (reader_), and is moved back in front
  // of the next read.  Counters are added once per read, not per record.
  // With TLS, OpenSSL reads ahead (several records per read(2)), so bytes may
  // wait inside it with nothing left on the socket: when the round limit
  // leaves such bytes, the loop is asked to call us again (Kick), as epoll
  // would not.
  void ReadFrames() {
    constexpr size_t kChunk = 256 << 10;
    constexpr size_t kTail = 8 + kMaxMessageBytes;  // a partial frame is shorter
    static thread_local std::unique_ptr<uint64_t[]> shared(new uint64_t[(kTail + kChunk) / 8 + 1]);
    uint8_t *buf = reinterpret_cast<uint8_t *>(shared.get());
    Counter *proto = ssl_ ? stats_->tls : stats_->tcp;
    for (int round = 0; round < 16; ++round) {  // bounded per event
      size_t have = reader_.TakeBuffered(buf);
      uint8_t *space = buf + have;
      ssize_t n;
      if (ssl_) {
        ERR_clear_error();
        int rc = SSL_read(ssl_.get(), space, static_cast<int>(kChunk));
        if (rc <= 0) {
          reader_.Feed(buf, have);
          int err = SSL_get_error(ssl_.get(), rc);
          if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return;
          if (err != SSL_ERROR_ZERO_RETURN && err != SSL_ERROR_SYSCALL)
            Log("TLS read from " + peer_ + " failed: " + SslErrors());
          Finish();
          return;
        }
        n = rc;
      } else {
        n = recv(fd_, space, kChunk, MSG_DONTWAIT);
        if (n <= 0) {
          reader_.Feed(buf, have);
          if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
          Finish();
          return;
        }
      }
      size_t len = have + static_cast<size_t>(n), pos = 0;
      FrameReader::Result res;
      DecodeError err = DecodeError::kNone;
      uint64_t records = 0;
      while ((res = ParseFrame(buf, len, &pos, &rec_, &err)) == FrameReader::Result::kRecord) {
        ++records;
        sink_->Consume(rec_);
      }
      if (records) {
        proto->Add(records);
        stats_->total->Add(records);
      }
      if (res == FrameReader::Result::kError) {
        stats_->CountError(err);
        stats_->closed_bad_frame->Add();
        Log("closing " + std::string(ssl_ ? "tls" : "tcp") + " connection from " + peer_ +
            ": bad frame (" + DecodeErrorName(err) + ")");
        owner_->Closed(this);
        return;
      }
      reader_.Feed(buf + pos, len - pos);
      bool more = ssl_ ? SSL_has_pending(ssl_.get()) != 0 : static_cast<size_t>(n) == kChunk;
      if (!more) return;
    }
    if (ssl_ && SSL_has_pending(ssl_.get())) loop_->Kick(this);
  }

  void Finish() {
    if (reader_.buffered() > 0) {
      stats_->CountError(DecodeError::kUnparsable);
      Log("connection from " + peer_ + " ended inside a frame (" + std::to_string(reader_.buffered()) +
          " bytes dropped)");
    }
    owner_->Closed(this);
  }

  StreamListener *owner_;
  int fd_;
  std::string peer_;
  SslPtr ssl_;
  EventLoop *loop_;
  RecordSink *sink_;
  InputStats *stats_;
  FrameReader reader_;
  FlowRecord rec_;
  bool handshake_done_ = false;
  std::chrono::steady_clock::time_point started_;
};

StreamListener::StreamListener(const Url &url, SSL_CTX *tls, EventLoop *loop, RecordSink *sink, InputStats *stats)
    : url_(url), tls_(tls), loop_(loop), sink_(sink), stats_(stats) {}

StreamListener::~StreamListener() {
  CloseAll();
  if (spare_fd_ >= 0) close(spare_fd_);
  if (fd_ >= 0) {
    loop_->Remove(fd_);
    close(fd_);
  }
}

Status StreamListener::Start(bool reuseport) {
  spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  Status s = OpenListener(url_, SOCK_STREAM, &fd_, reuseport);
  if (!s.ok()) return s;
  return loop_->Add(fd_, EPOLLIN, this);
}

void StreamListener::OnEvents(uint32_t) {
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int fd = accept4(fd_, reinterpret_cast<sockaddr *>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0 && (errno == EMFILE || errno == ENFILE) && spare_fd_ >= 0) {
      // Out of descriptors: the pending connection would make the
      // level-triggered listener fire forever.  Use the spare descriptor to
      // take it and close it at once.
      close(spare_fd_);
      fd = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      spare_fd_ = -1;
      if (fd >= 0) {
        close(fd);
        stats_->refused_limit->Add();
        Log("refusing a connection on " + url_.text + ": out of file descriptors");
      }
      spare_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) return;
      continue;
    }
    if (fd < 0) return;
    std::string peer = AddrText(reinterpret_cast<sockaddr *>(&ss));
    if (conns_.size() >= kMaxConnections) {
      stats_->refused_limit->Add();
      Log("refusing connection from " + peer + ": " + std::to_string(kMaxConnections) + " connections open");
      close(fd);
      continue;
    }
    SSL *ssl = nullptr;
    if (tls_) {
      ssl = SSL_new(tls_);
      if (!ssl || SSL_set_fd(ssl, fd) != 1) {
        Log("SSL_new failed: " + SslErrors());
        if (ssl) SSL_free(ssl);
        close(fd);
        continue;
      }
      stats_->tls_accepted->Add();
    } else {
      stats_->tcp_accepted->Add();
    }
    auto c = std::make_unique<StreamConnection>(this, fd, peer, ssl, loop_, sink_, stats_);
    if (!loop_->Add(fd, EPOLLIN, c.get()).ok()) continue;
    stats_->active->Add();
    conns_.emplace(c.get(), std::move(c));
  }
}

void StreamListener::Closed(StreamConnection *c) {
  auto it = conns_.find(c);
  if (it == conns_.end()) return;
  loop_->Remove(c->fd());
  stats_->active->Sub();
  loop_->DeleteLater(std::move(it->second));
  conns_.erase(it);
}

void StreamListener::Sweep(std::chrono::steady_clock::time_point now) {
  std::vector<StreamConnection *> late;
  for (auto &[p, c] : conns_)
    if (c->handshaking() && now - c->started() > kHandshakeTimeout) late.push_back(p);
  for (StreamConnection *c : late) {
    stats_->tls_handshake_timeouts->Add();
    Log("TLS handshake with " + c->peer() + " timed out");
    Closed(c);
  }
}

void StreamListener::BeginDrain() {
  if (fd_ >= 0) {  // no new connections
    loop_->Remove(fd_);
    close(fd_);
    fd_ = -1;
  }
  std::vector<StreamConnection *> now_closed;
  for (auto &[p, c] : conns_)
    if (!c->HalfClose()) now_closed.push_back(p);
  for (StreamConnection *c : now_closed) Closed(c);
}

void StreamListener::CloseAll() {
  while (!conns_.empty()) Closed(conns_.begin()->first);
}

}  // namespace nfr
