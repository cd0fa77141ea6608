#include "socket_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nfr {

std::string Errno(const std::string &what) { return what + ": " + std::strerror(errno); }

Status SetNonBlocking(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return Status::Io(Errno("fcntl"));
  return Status::Ok();
}

std::string AddrText(const sockaddr *sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET) {
    auto *in = reinterpret_cast<const sockaddr_in *>(sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (sa->sa_family == AF_INET6) {
    auto *in6 = reinterpret_cast<const sockaddr_in6 *>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return "unknown";
}

Status Resolve(const Url &url, int socktype, bool passive, std::vector<SockAddr> *out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  hints.ai_flags = (passive ? AI_PASSIVE : 0) | (url.ip_literal ? AI_NUMERICHOST : 0) | AI_NUMERICSERV;
  addrinfo *res = nullptr;
  std::string port = std::to_string(url.port);
  int rc = getaddrinfo(url.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) return Status::Resolve("cannot resolve '" + url.host + "': " + gai_strerror(rc));
  out->clear();
  for (addrinfo *ai = res; ai; ai = ai->ai_next) {
    SockAddr a;
    std::memcpy(&a.ss, ai->ai_addr, ai->ai_addrlen);
    a.len = ai->ai_addrlen;
    out->push_back(a);
  }
  freeaddrinfo(res);
  if (out->empty()) return Status::Resolve("'" + url.host + "' has no address");
  return Status::Ok();
}

Status OpenListener(const Url &url, int socktype, int *out_fd, bool reuseport) {
  std::vector<SockAddr> addrs;
  Status s = Resolve(url, socktype, true, &addrs);
  if (!s.ok()) return s;
  const SockAddr &a = addrs.front();
  int fd = socket(a.ss.ss_family, socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Io(Errno("socket"));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuseport) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (a.ss.ss_family == AF_INET6) {
    // [::0] takes IPv4 too, as FastNetMon's tcp://[::0]:8104 example expects.
    int zero = 0;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  }
  if (socktype == SOCK_DGRAM) {
    // Flow exporters send in bursts; SO_RCVBUFFORCE works for root beyond
    // net.core.rmem_max, SO_RCVBUF is the unprivileged fallback.
    int rcvbuf = 8 << 20;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  }
  if (bind(fd, a.get(), a.len) < 0) {
    Status e = Status::Io(Errno("cannot bind " + url.text));
    close(fd);
    return e;
  }
  if (socktype == SOCK_STREAM && listen(fd, 1024) < 0) {
    Status e = Status::Io(Errno("cannot listen on " + url.text));
    close(fd);
    return e;
  }
  *out_fd = fd;
  return Status::Ok();
}

bool PollFor(int fd, short events, int ms) {
  pollfd p{fd, events, 0};
  int rc = poll(&p, 1, ms);
  return rc > 0 && (p.revents & (events | POLLERR | POLLHUP));
}

Status ConnectTo(const Url &url, int socktype, std::chrono::milliseconds timeout, int *out_fd) {
  std::vector<SockAddr> addrs;
  Status s = Resolve(url, socktype, false, &addrs);
  if (!s.ok()) return s;
  std::string last = "no address";
  for (const SockAddr &a : addrs) {
    int fd = socket(a.ss.ss_family, socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return Status::Io(Errno("socket"));
    int rc = connect(fd, a.get(), a.len);
    if (rc < 0 && errno == EINPROGRESS) {
      if (!PollFor(fd, POLLOUT, static_cast<int>(timeout.count()))) {
        last = AddrText(a.get()) + ": connect timed out";
        close(fd);
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc < 0) {
      last = AddrText(a.get()) + ": " + std::strerror(errno);
      close(fd);
      continue;
    }
    if (socktype == SOCK_STREAM) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    *out_fd = fd;
    return Status::Ok();
  }
  return Status::Connect("cannot connect to " + url.HostPort() + ": " + last);
}

uint16_t LocalPort(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port);
  return 0;
}

}  // namespace nfr
