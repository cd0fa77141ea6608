#include "event_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
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
  if (epfd_ < 0 || epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) < 0) return Status::Io(Errno("epoll_ctl"));
  return Status::Ok();
}

void EventLoop::Modify(int fd, uint32_t events, EventHandler *h) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = h;
  epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::Remove(int fd) { epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

void EventLoop::DeleteLater(std::unique_ptr<EventHandler> h) {
  std::erase(kicked_, h.get());
  std::replace(kicked_now_.begin(), kicked_now_.end(), h.get(), static_cast<EventHandler *>(nullptr));
  graveyard_.push_back(std::move(h));
}

void EventLoop::Kick(EventHandler *h) {
  if (std::find(kicked_.begin(), kicked_.end(), h) == kicked_.end()) kicked_.push_back(h);
}

int EventLoop::RunOnce(int timeout_ms) {
  epoll_event evs[64];
  int n = epoll_wait(epfd_, evs, 64, kicked_.empty() ? timeout_ms : 0);
  if (n < 0) n = 0;  // EINTR: nothing ready
  kicked_now_.swap(kicked_);
  kicked_.clear();
  for (int i = 0; i < n; ++i) {
    auto *h = static_cast<EventHandler *>(evs[i].data.ptr);
    bool dead = false;
    for (auto &g : graveyard_) dead = dead || g.get() == h;
    if (dead) continue;
    // Served by this event already.
    std::replace(kicked_now_.begin(), kicked_now_.end(), h, static_cast<EventHandler *>(nullptr));
    h->OnEvents(evs[i].events);
  }
  // DeleteLater() blanks handlers in kicked_now_ as they die.
  int kicks = 0;
  for (size_t i = 0; i < kicked_now_.size(); ++i)
    if (EventHandler *h = kicked_now_[i]) {
      ++kicks;
      h->OnEvents(EPOLLIN);
    }
  kicked_now_.clear();
  graveyard_.clear();
  return n + kicks;
}

}  // namespace nfr
