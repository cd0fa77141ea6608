#include "control.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "socket_util.h"

namespace nfr {

namespace {

Status MakeAddr(const std::string &path, sockaddr_un *sun) {
  *sun = {};
  sun->sun_family = AF_UNIX;
  if (path.size() >= sizeof sun->sun_path) return Status::Invalid("control socket path too long: " + path);
  std::memcpy(sun->sun_path, path.c_str(), path.size() + 1);
  return Status::Ok();
}

}  // namespace

ControlServer::ControlServer(std::string path, EventLoop *loop, Counters *counters)
    : path_(std::move(path)), loop_(loop), counters_(counters) {}

ControlServer::~ControlServer() {
  if (fd_ >= 0) {
    loop_->Remove(fd_);
    close(fd_);
    unlink(path_.c_str());
  }
}

Status ControlServer::Start() {
  sockaddr_un sun;
  Status s = MakeAddr(path_, &sun);
  if (!s.ok()) return s;
  struct stat st;
  if (lstat(path_.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return Status::Io("control path " + path_ + " exists and is not a socket");
    std::string probe;
    if (QueryCounters(path_, &probe).ok())
      return Status::Io("control socket " + path_ + " is in use by another netflow-relay");
    unlink(path_.c_str());
  }
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return Status::Io(Errno("socket"));
  mode_t old = umask(0117);  // owner and group only
  int rc = bind(fd_, reinterpret_cast<sockaddr *>(&sun), sizeof sun);
  umask(old);
  if (rc < 0 || listen(fd_, 16) < 0) {
    Status e = Status::Io(Errno("control socket " + path_));
    close(fd_);
    fd_ = -1;
    return e;
  }
  return loop_->Add(fd_, EPOLLIN, this);
}

void ControlServer::OnEvents(uint32_t) {
  for (int i = 0; i < 16; ++i) {
    int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    timeval tv{1, 0};
    setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    std::string text = counters_->Format();
    size_t off = 0;
    while (off < text.size()) {
      ssize_t n = send(c, text.data() + off, text.size() - off, MSG_NOSIGNAL);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    close(c);
  }
}

Status QueryCounters(const std::string &path, std::string *out) {
  sockaddr_un sun;
  Status s = MakeAddr(path, &sun);
  if (!s.ok()) return s;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Io(Errno("socket"));
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr *>(&sun), sizeof sun) < 0) {
    Status e = Status::Connect(Errno("cannot reach netflow-relay at " + path));
    close(fd);
    return e;
  }
  char buf[4096];
  ssize_t n;
  out->clear();
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0 && out->size() < (1 << 20)) out->append(buf, static_cast<size_t>(n));
  close(fd);
  if (n < 0) return Status::Io(Errno("reading counters from " + path));
  return Status::Ok();
}

}  // namespace nfr
