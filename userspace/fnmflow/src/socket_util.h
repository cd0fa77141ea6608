// Socket helpers shared by inputs and transports: name resolution, listening
// sockets, non-blocking connect with a deadline, address formatting.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <string>
#include <vector>

#include "status.h"
#include "url.h"

namespace nfr {

struct SockAddr {
  sockaddr_storage ss{};
  socklen_t len = 0;
  const sockaddr *get() const { return reinterpret_cast<const sockaddr *>(&ss); }
};

// getaddrinfo() for url.host:url.port; `passive` for binding.
Status Resolve(const Url &url, int socktype, bool passive, std::vector<SockAddr> *out);

// Bound (and for SOCK_STREAM listening) non-blocking socket for `url`;
// reuseport: SO_REUSEPORT, so one socket per loop thread shares the port
// (the kernel spreads datagrams by source and connections over them).
Status OpenListener(const Url &url, int socktype, int *fd, bool reuseport = false);

// Non-blocking socket connected to one of `url`'s addresses within `timeout`.
Status ConnectTo(const Url &url, int socktype, std::chrono::milliseconds timeout, int *fd);

Status SetNonBlocking(int fd);
std::string AddrText(const sockaddr *sa);
// The port a socket is bound to (host order), 0 if unknown.
uint16_t LocalPort(int fd);
std::string Errno(const std::string &what);

// Waits for `events` on fd for at most `ms`; true when ready.
bool PollFor(int fd, short events, int ms);

}  // namespace nfr
