// EventLoop: a level-triggered epoll loop run by one thread.  Handlers
// may also be Kick()ed to run again on the next round.  Handlers are
// called with the ready events; a handler that wants to go away hands itself
// to DeleteLater() so no event of the same round reaches freed memory.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "status.h"

namespace nfr {

class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual void OnEvents(uint32_t events) = 0;
};

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop &) = delete;
  EventLoop &operator=(const EventLoop &) = delete;

  Status Add(int fd, uint32_t events, EventHandler *h);
  void Modify(int fd, uint32_t events, EventHandler *h);
  void Remove(int fd);
  void DeleteLater(std::unique_ptr<EventHandler> h);
  // Calls h->OnEvents(EPOLLIN) in the next RunOnce, which then does not
  // wait: for a handler that stopped early with input still buffered in user
  // space (e.g. inside OpenSSL), where epoll would not report it again.
  // Remove() and DeleteLater() cancel it.
  void Kick(EventHandler *h);

  // Waits at most timeout_ms, dispatches what is ready, frees what was
  // handed to DeleteLater.  Returns the number of events dispatched.
  int RunOnce(int timeout_ms);

 private:
  int epfd_;
  std::vector<std::unique_ptr<EventHandler>> graveyard_;
  std::vector<EventHandler *> kicked_, kicked_now_;
};

}  // namespace nfr
