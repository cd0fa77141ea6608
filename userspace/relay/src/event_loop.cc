#include "event_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>

#include "socket_util.h"

namespace nfr {

EventLoop::EventLoop() : epfd_(epoll_create1(EPOLL_CLOEXEC)) {}

EventLoop::~EventLoop() {
  graveyard_.clear();
  if (epfd_ >= 0) close(epfd_);
}

Status EventLoop::Add(int fd, uint32_t events, EventHandler *h) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = h;
  if (epfd_ < 0 || epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) return Status::Error(Errno("epoll_ctl"));
  return Status::Ok();
}

void EventLoop::Modify(int fd, uint32_t events, EventHandler *h) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = h;
  epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::Remove(int fd) { epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::DeleteLater(std::unique_ptr<EventHandler> h) { graveyard_.push_back(std::move(h)); }

int EventLoop::RunOnce(int timeout_ms) {
  epoll_event evs[64];
  int n = epoll_wait(epfd_, evs, 64, timeout_ms);
  if (n < 0) n = 0;  // EINTR: nothing ready
  for (int i = 0; i < n; ++i) {
    auto *h = static_cast<EventHandler *>(evs[i].data.ptr);
    bool dead = false;
    for (auto &g : graveyard_) dead = dead || g.get() == h;
    if (!dead) h->OnEvents(evs[i].events);
  }
  graveyard_.clear();
  return n;
}

}  // namespace nfr
