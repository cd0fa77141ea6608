// TCP forward target: non-blocking stream, whole batches per send().
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "socket_util.h"
#include "transport.h"

namespace nfr {

namespace {

class TcpTransport : public Transport {
 public:
  explicit TcpTransport(const Url &url) : url_(url) {}
  ~TcpTransport() override { Close(); }

  Status Connect() override {
    Close();
    return ConnectTo(url_, SOCK_STREAM, std::chrono::milliseconds(5000), &fd_);
  }
  bool connected() const override { return fd_ >= 0; }
  bool datagram() const override { return false; }
  void Close() override {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  bool PeerClosed() override {
    char b[256];
    for (int i = 0; i < 64; ++i) {  // a FastNetMon Flow peer never sends; drain anything
      ssize_t n = recv(fd_, b, sizeof b, MSG_DONTWAIT);
      if (n == 0) return true;
      if (n < 0) return !(errno == EAGAIN || errno == EINTR);
    }
    return false;
  }

  Status Send(const std::vector<std::string> &chunks, Clock::time_point deadline) override {
    for (const std::string &c : chunks) {
      size_t off = 0;
      while (off < c.size()) {
        ssize_t n = send(fd_, c.data() + off, c.size() - off, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
          off += static_cast<size_t>(n);
          continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
          if (Clock::now() > deadline) {
            Close();
            return Status::Timeout("send to " + url_.HostPort() + " timed out");
          }
          PollFor(fd_, POLLOUT, 100);
          continue;
        }
        Status s = Status::Io(Errno("send to " + url_.HostPort()));
        Close();
        return s;
      }
    }
    return Status::Ok();
  }

 private:
  Url url_;
  int fd_ = -1;
};

}  // namespace

std::unique_ptr<Transport> MakeTcpTransport(const Url &url) { return std::make_unique<TcpTransport>(url); }

}  // namespace nfr
