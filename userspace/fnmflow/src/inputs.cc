#include "inputs.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "byte_stream.h"
#include "frame_session.h"
#include "log.h"
#include "socket_util.h"
#include "tls.h"

namespace nfr {

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

// One accepted connection: its ByteStream (plain or TLS) on the loop, its
// frames decoded by a FrameSession; what the session says decides whether it
// stays, is called again (Kick) or is closed.
class StreamConnection : public EventHandler {
 public:
  StreamConnection(StreamListener *owner, int fd, std::string peer, std::unique_ptr<ByteStream> stream,
                   EventLoop *loop, RecordSink *sink, InputStats *stats)
      : owner_(owner), fd_(fd), stream_(std::move(stream)), loop_(loop), stats_(stats),
        session_(std::move(peer), sink, stats), started_(std::chrono::steady_clock::now()) {}
  ~StreamConnection() override {
    stream_.reset();  // before the descriptor it uses
    if (fd_ >= 0) {
      loop_->Remove(fd_);
      close(fd_);
    }
  }
  int fd() const { return fd_; }
  bool handshaking() const { return !stream_->handshake_done(); }
  std::chrono::steady_clock::time_point started() const { return started_; }
  const std::string &peer() const { return session_.peer(); }

  void OnEvents(uint32_t) override {
    if (handshaking() && !Handshake()) return;
    switch (session_.ReadFrames(stream_.get())) {
      case FrameSession::Outcome::kWait: break;
      case FrameSession::Outcome::kKick: loop_->Kick(this); break;
      case FrameSession::Outcome::kEnd:
      case FrameSession::Outcome::kBadFrame: owner_->Closed(this); break;
    }
  }

  // Shutting down: tell the peer we are done (FIN, or TLS close_notify +
  // FIN) but keep reading until it closes its side, so that nothing it sent
  // before it saw our FIN is lost in our receive buffer.  Returns false when
  // the connection is not worth draining (handshake not done).
  bool HalfClose() {
    if (handshaking()) return false;
    stream_->HalfClose();
    return true;
  }

 private:
  bool Handshake() {
    std::string why;
    switch (stream_->Accept(&why)) {
      case ByteStream::Handshake::kDone:
        loop_->Modify(fd_, EPOLLIN, this);
        return true;
      case ByteStream::Handshake::kWantRead:
        loop_->Modify(fd_, EPOLLIN, this);
        return false;
      case ByteStream::Handshake::kWantWrite:
        loop_->Modify(fd_, EPOLLOUT, this);
        return false;
      case ByteStream::Handshake::kFailed:
        break;
    }
    stats_->tls_handshake_failures->Add();
    Log("TLS handshake with " + peer() + " failed: " + why);
    owner_->Closed(this);
    return false;
  }

  StreamListener *owner_;
  int fd_;
  std::unique_ptr<ByteStream> stream_;
  EventLoop *loop_;
  InputStats *stats_;
  FrameSession session_;
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
    std::unique_ptr<ByteStream> stream;
    if (tls_) {
      SSL *ssl = SSL_new(tls_);
      if (!ssl || SSL_set_fd(ssl, fd) != 1) {
        Log("SSL_new failed: " + SslErrors());
        if (ssl) SSL_free(ssl);
        close(fd);
        continue;
      }
      stream = MakeTlsStream(fd, ssl);
      stats_->tls_accepted->Add();
    } else {
      stream = MakePlainStream(fd);
      stats_->tcp_accepted->Add();
    }
    auto c = std::make_unique<StreamConnection>(this, fd, peer, std::move(stream), loop_, sink_, stats_);
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
