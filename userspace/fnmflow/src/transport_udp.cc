// UDP forward target: a connected datagram socket, sendmmsg in batches.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "socket_util.h"
#include "transport.h"

namespace nfr {

namespace {

class UdpTransport : public Transport {
 public:
  explicit UdpTransport(const Url &url) : url_(url) {}
  ~UdpTransport() override { Close(); }

  Status Connect() override {
    Close();
    return ConnectTo(url_, SOCK_DGRAM, std::chrono::milliseconds(1000), &fd_);
  }
  bool connected() const override { return fd_ >= 0; }
  bool datagram() const override { return true; }
  void Close() override {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  Status Send(const std::vector<std::string> &msgs, Clock::time_point deadline) override {
    constexpr size_t kBatch = 64;
    size_t i = 0;
    while (i < msgs.size()) {
      mmsghdr mh[kBatch];
      iovec iov[kBatch];
      size_t n = std::min(kBatch, msgs.size() - i);
      for (size_t k = 0; k < n; ++k) {
        iov[k] = {const_cast<char *>(msgs[i + k].data()), msgs[i + k].size()};
        mh[k] = {};
        mh[k].msg_hdr.msg_iov = &iov[k];
        mh[k].msg_hdr.msg_iovlen = 1;
      }
      int sent = sendmmsg(fd_, mh, static_cast<unsigned>(n), MSG_DONTWAIT);
      if (sent < 0) {
        if (errno == EAGAIN || errno == ENOBUFS) {
          if (Clock::now() > deadline) return Status::Timeout("send to " + url_.HostPort() + " timed out");
          PollFor(fd_, POLLOUT, 100);
          continue;
        }
        // ECONNREFUSED etc. come from an earlier datagram's ICMP error.
        Status s = Status::Io(Errno("send to " + url_.HostPort()));
        return s;
      }
      i += static_cast<size_t>(sent);
    }
    return Status::Ok();
  }

 private:
  Url url_;
  int fd_ = -1;
};

}  // namespace

std::unique_ptr<Transport> MakeUdpTransport(const Url &url) { return std::make_unique<UdpTransport>(url); }

}  // namespace nfr
