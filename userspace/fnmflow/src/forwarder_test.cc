#include "forwarder.h"

#include <catch2/catch.hpp>
#include <thread>

namespace nfr {
namespace {

// A transport under the test's control.
struct FakeState {
  std::mutex mu;
  bool reachable = true;
  int failing_sends = 0;  // the next N sends fail and close the transport
  int connects = 0;
  std::vector<size_t> batch_sizes;
  size_t messages = 0;
};

class FakeTransport : public Transport {
 public:
  explicit FakeTransport(FakeState *st) : st_(st) {}
  Status Connect() override {
    std::lock_guard<std::mutex> l(st_->mu);
    ++st_->connects;
    if (!st_->reachable) return Status::Connect("unreachable");
    up_ = true;
    return Status::Ok();
  }
  bool connected() const override { return up_; }
  bool datagram() const override { return true; }
  void Close() override { up_ = false; }
  Status Send(const std::vector<std::string> &m, Clock::time_point) override {
    std::lock_guard<std::mutex> l(st_->mu);
    if (st_->failing_sends > 0) {
      --st_->failing_sends;
      up_ = false;
      return Status::Io("send to fake: connection reset");
    }
    st_->batch_sizes.push_back(m.size());
    st_->messages += m.size();
    return Status::Ok();
  }

 private:
  FakeState *st_;
  bool up_ = false;
};

// Polls `counter` of `c` until it reaches `at_least` (5 s at most; the
// checks after it say whether it did).
void WaitFor(const Counters &c, const char *counter, uint64_t at_least) {
  auto until = Clock::now() + std::chrono::seconds(5);
  while (c.Value(counter) < at_least && Clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

std::vector<FlowRecord> Records(size_t n) {
  std::vector<FlowRecord> v(n);
  for (size_t i = 0; i < n; ++i) v[i].src_port = static_cast<uint16_t>(i);
  return v;
}

TEST_CASE("forwarder: everything pushed arrives, in batches", "[forwarder]") {
  Counters c;
  ForwarderStats stats(&c);
  FakeState st;
  Forwarder f("fake", std::make_unique<FakeTransport>(&st), MakeFlowDatagramEncoder(), 100000,
              std::chrono::seconds(60), &stats);
  f.Start();
  for (int i = 0; i < 20; ++i) f.Push(Records(1000));
  f.Stop(std::chrono::milliseconds(5000));
  CHECK(st.messages == 20000);
  CHECK(c.Value("flow_forwarder_pushed_messages") == 20000);
  CHECK(c.Value("flow_forwarder_queue_drops") == 0);
  CHECK(c.Value("flow_forwarder_queued_messages") == 0);
  CHECK(st.batch_sizes.size() < 20000 / 100);  // many records per write
}

TEST_CASE("forwarder: unreachable target keeps a bounded queue and counts drops", "[forwarder]") {
  Counters c;
  ForwarderStats stats(&c);
  FakeState st;
  st.reachable = false;
  Forwarder f("fake", std::make_unique<FakeTransport>(&st), MakeFlowDatagramEncoder(), 500,
              std::chrono::seconds(60), &stats);
  f.Start();
  f.Push(Records(2000));
  WaitFor(c, "flow_forwarder_errors", 1);
  f.Push(Records(1000));
  CHECK(c.Value("flow_forwarder_errors") == 1);  // one attempt, next one 60 s later
  // The queue bound (500) plus the batch in hand (the first 500) are held:
  // 1500 of the first push and 500 of the second are dropped.
  CHECK(c.Value("flow_forwarder_queued_messages") == 1000);
  CHECK(c.Value("flow_forwarder_queue_drops") == 2000);
  f.Stop(std::chrono::milliseconds(50));
  CHECK(st.messages == 0);
  CHECK(c.Value("flow_forwarder_queue_drops") == 3000);  // all accounted for at shutdown
  CHECK(c.Value("flow_forwarder_queued_messages") == 0);
}

TEST_CASE("forwarder: reconnects after the interval", "[forwarder]") {
  Counters c;
  ForwarderStats stats(&c);
  FakeState st;
  st.reachable = false;
  Forwarder f("fake", std::make_unique<FakeTransport>(&st), MakeFlowStreamEncoder(), 1000,
              std::chrono::seconds(1), &stats);
  f.Start();
  f.Push(Records(10));
  WaitFor(c, "flow_forwarder_errors", 1);
  {
    std::lock_guard<std::mutex> l(st.mu);
    st.reachable = true;
  }
  WaitFor(c, "flow_forwarder_pushed_messages", 10);
  CHECK(c.Value("flow_forwarder_pushed_messages") == 10);
  f.Stop(std::chrono::milliseconds(100));  // joins the forwarder's thread: st is ours again
  CHECK(st.connects == 2);
  CHECK(st.messages == 1);  // one stream chunk carrying all ten frames
}

TEST_CASE("forwarder: a failed write loses that batch only, counted, and reconnects", "[forwarder]") {
  Counters c;
  ForwarderStats stats(&c);
  FakeState st;
  st.failing_sends = 1;
  Forwarder f("fake", std::make_unique<FakeTransport>(&st), MakeFlowDatagramEncoder(), 1000,
              std::chrono::milliseconds(100), &stats);
  f.Start();
  f.Push(Records(10));
  WaitFor(c, "flow_forwarder_lost_in_flight", 1);
  CHECK(c.Value("flow_forwarder_lost_in_flight") == 10);
  CHECK(f.last_error() == "send to fake: connection reset (10 records lost)");
  f.Push(Records(7));  // sent once the interval has passed and it reconnected
  WaitFor(c, "flow_forwarder_pushed_messages", 7);
  f.Stop(std::chrono::milliseconds(1000));
  CHECK(c.Value("flow_forwarder_pushed_messages") == 7);
  CHECK(c.Value("flow_forwarder_errors") == 1);
  CHECK(c.Value("flow_forwarder_queue_drops") == 0);
  CHECK(c.Value("flow_forwarder_queued_messages") == 0);
  CHECK(st.connects == 2);
  CHECK(!f.down());
}

TEST_CASE("forwarder: at shutdown a target that is down gets one immediate try, then the rest is dropped",
          "[forwarder]") {
  Counters c;
  ForwarderStats stats(&c);
  FakeState st;
  st.reachable = false;
  Forwarder f("fake", std::make_unique<FakeTransport>(&st), MakeFlowDatagramEncoder(), 1000,
              std::chrono::seconds(60), &stats);
  f.Start();
  f.Push(Records(30));
  WaitFor(c, "flow_forwarder_errors", 1);
  f.Stop(std::chrono::milliseconds(2000));  // far less than the 60 s interval
  CHECK(st.connects == 2);                  // the first try and the one at shutdown
  CHECK(c.Value("flow_forwarder_queue_drops") == 30);
  CHECK(c.Value("flow_forwarder_queued_messages") == 0);
  CHECK(f.last_error() == "shutting down, 30 records not sent");
}

}  // namespace
}  // namespace nfr
