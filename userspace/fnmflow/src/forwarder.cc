#include "forwarder.h"

#include <pthread.h>

#include "codec.h"
#include "log.h"

namespace nfr {

namespace {

class FlowDatagramEncoder : public BatchEncoder {
 public:
  void Encode(const std::vector<FlowRecord> &batch, std::vector<std::string> *out) override {
    for (const FlowRecord &r : batch) {
      out->emplace_back();
      EncodeMessage(r, &out->back());
    }
  }
};

// All frames of a batch in one chunk, written in place; the chunk's buffer
// comes back through Recycle() and serves the next batch.
class FlowStreamEncoder : public BatchEncoder {
 public:
  void Encode(const std::vector<FlowRecord> &batch, std::vector<std::string> *out) override {
    out->emplace_back(std::move(spare_));
    std::string &s = out->back();
    // The buffer keeps its last size: resize() zero-fills only the part past
    // it, not the whole batch again.
    if (s.size() < batch.size() * kMaxFrameBytes) s.resize(batch.size() * kMaxFrameBytes);
    uint8_t *p = reinterpret_cast<uint8_t *>(s.data()), *at = p;
    for (const FlowRecord &r : batch) at += EncodeFrameTo(r, at);
    s.resize(static_cast<size_t>(at - p));
  }
  void Recycle(std::vector<std::string> *out) override {
    if (!out->empty()) spare_ = std::move(out->front());
    out->clear();
  }

 private:
  std::string spare_;
};

constexpr size_t kBatchRecords = kForwardChunk;

}  // namespace

std::unique_ptr<BatchEncoder> MakeFlowDatagramEncoder() { return std::make_unique<FlowDatagramEncoder>(); }
std::unique_ptr<BatchEncoder> MakeFlowStreamEncoder() { return std::make_unique<FlowStreamEncoder>(); }

Status MakeFlowTarget(const Url &u, SSL_CTX *tls, std::unique_ptr<Transport> *t, std::unique_ptr<BatchEncoder> *e) {
  switch (u.scheme) {
    case Scheme::kUdp:
      *t = MakeUdpTransport(u);
      *e = MakeFlowDatagramEncoder();
      return Status::Ok();
    case Scheme::kTcp:
      *t = MakeTcpTransport(u);
      *e = MakeFlowStreamEncoder();
      return Status::Ok();
    case Scheme::kTls:
      if (u.ip_literal)
        return Status::Invalid(u.text + ": tls:// targets must be a hostname, not the IP literal '" + u.host +
                             "' (the certificate is checked against the name)");
      if (!tls) return Status::Invalid(u.text + ": no TLS client context");
      *t = MakeTlsTransport(u, tls);
      *e = MakeFlowStreamEncoder();
      return Status::Ok();
    default:
      return Status::Invalid(u.text + ": " + SchemeName(u.scheme) + ":// is not a FastNetMon Flow target");
  }
}

ForwarderStats::ForwarderStats(Counters *c)
    : errors(c->Get("flow_forwarder_errors")),
      pushed(c->Get("flow_forwarder_pushed_messages")),
      queue_drops(c->Get("flow_forwarder_queue_drops")),
      lost(c->Get("flow_forwarder_lost_in_flight")),
      connects(c->Get("flow_forwarder_connects")),
      queued(c->Get("flow_forwarder_queued_messages")),
      writes(c->Get("flow_forwarder_batches_written")) {}

Forwarder::Forwarder(std::string name, std::unique_ptr<Transport> transport, std::unique_ptr<BatchEncoder> encoder,
                     size_t queue_size, std::chrono::milliseconds reconnect_interval, ForwarderStats *stats)
    : name_(std::move(name)),
      transport_(std::move(transport)),
      encoder_(std::move(encoder)),
      queue_size_(queue_size),
      reconnect_interval_(reconnect_interval),
      stats_(stats) {}

Forwarder::~Forwarder() { Stop(std::chrono::milliseconds(0)); }

void Forwarder::Start() {
  thread_ = std::thread([this] { Run(); });
  pthread_setname_np(thread_.native_handle(), "nfr-forward");  // top -H, /proc/PID/task/*/comm
}

std::vector<FlowRecord> Forwarder::SpareLocked() {
  if (spare_.empty()) return {};
  std::vector<FlowRecord> v = std::move(spare_.back());
  spare_.pop_back();
  v.clear();
  return v;
}

void Forwarder::Push(const std::vector<FlowRecord> &records) {
  size_t dropped = 0;
  bool wake;
  {
    std::lock_guard<std::mutex> l(mu_);
    wake = queued_ == 0;
    size_t room = queue_size_ - std::min(queue_size_, queued_);
    size_t take = std::min(room, records.size());
    if (take) {
      queue_.push_back(SpareLocked());
      queue_.back().assign(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(take));
      queued_ += take;
    }
    dropped = records.size() - take;
  }
  stats_->queued->Add(records.size() - dropped);
  if (dropped) stats_->queue_drops->Add(dropped);
  if (wake) cv_.notify_one();
}

void Forwarder::Push(std::vector<FlowRecord> *records) {
  size_t n = records->size(), dropped = 0;
  bool wake;
  {
    std::lock_guard<std::mutex> l(mu_);
    wake = queued_ == 0;
    size_t room = queue_size_ - std::min(queue_size_, queued_);
    size_t take = std::min(room, n);
    if (take == n && n) {
      queue_.push_back(std::move(*records));
    } else if (take) {
      queue_.push_back(SpareLocked());
      queue_.back().assign(records->begin(), records->begin() + static_cast<std::ptrdiff_t>(take));
    }
    queued_ += take;
    dropped = n - take;
    *records = SpareLocked();
  }
  // Vectors in circulation end up with room for a whole chunk: no growth
  // (and no reallocation) while the loop fills them.
  if (records->capacity() < kForwardChunk) records->reserve(kForwardChunk);
  stats_->queued->Add(n - dropped);
  if (dropped) stats_->queue_drops->Add(dropped);
  if (wake) cv_.notify_one();
}

void Forwarder::TakeLocked(std::vector<FlowRecord> *batch) {
  while (!queue_.empty() && batch->size() < kBatchRecords) {
    std::vector<FlowRecord> &front = queue_.front();
    size_t n = std::min(kBatchRecords - batch->size(), front.size() - front_off_);
    bool whole = false;
    if (batch->empty() && front_off_ == 0 && n == front.size()) {
      batch->swap(front);  // the whole chunk, no copy; front gets batch's old buffer
      whole = true;
    } else {
      batch->insert(batch->end(), front.begin() + static_cast<std::ptrdiff_t>(front_off_),
                    front.begin() + static_cast<std::ptrdiff_t>(front_off_ + n));
      front_off_ += n;
      if (front_off_ < front.size()) {
        queued_ -= n;
        break;
      }
    }
    queued_ -= n;
    front_off_ = 0;
    if (spare_.size() < 8 && front.capacity() > 0) spare_.push_back(std::move(front));
    queue_.pop_front();
    // A big chunk taken whole is a batch by itself; small ones (light load)
    // are merged, so that a write still carries many records.
    if (whole && batch->size() >= kBatchRecords / 2) break;
  }
}

void Forwarder::ClearLocked() {
  queue_.clear();
  queued_ = 0;
  front_off_ = 0;
}

void Forwarder::BeginStop(Clock::time_point deadline) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!stopping_) {
      stopping_ = true;
      stop_deadline_ = deadline;
    }
  }
  cv_.notify_one();
}

void Forwarder::Stop(std::chrono::milliseconds flush_time) {
  BeginStop(Clock::now() + flush_time);
  if (thread_.joinable()) thread_.join();
}

Counter *Forwarder::CounterOf(DropReason why) const {
  return why == DropReason::kLostInFlight ? stats_->lost : stats_->queue_drops;
}

void Forwarder::Drop(size_t n, DropReason why) {
  if (n == 0) return;
  CounterOf(why)->Add(n);
  stats_->queued->Sub(n);
}

void Forwarder::DropAll(Loop *lp) {
  size_t left;
  {
    std::lock_guard<std::mutex> l(mu_);
    left = queued_ + lp->batch.size();
    ClearLocked();
  }
  lp->batch.clear();
  if (left) Report("shutting down, " + std::to_string(left) + " records not sent");
  Drop(left, DropReason::kShutdown);
}

void Forwarder::Report(const std::string &what) {
  Log("forward " + name_ + ": " + what);
  std::lock_guard<std::mutex> l(error_mu_);
  last_error_ = what;
}

std::string Forwarder::last_error() const {
  std::lock_guard<std::mutex> l(error_mu_);
  return last_error_;
}

std::string Forwarder::RetryText() const {
  auto ms = reconnect_interval_.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

void Forwarder::MarkDown(Loop *lp, Clock::time_point retry_at) {
  lp->was_down = true;
  down_ = true;
  lp->next_try = retry_at;
}

Clock::time_point Forwarder::RetryAt() const {
  return Clock::now() + std::max<Clock::duration>(reconnect_interval_, std::chrono::milliseconds(100));
}

void Forwarder::CheckIdlePeer(Loop *lp) {
  if (transport_->connected() && !transport_->datagram() && transport_->PeerClosed()) {
    Report("peer closed the connection");
    transport_->Close();
    MarkDown(lp, Clock::now());
  }
}

Forwarder::Step Forwarder::WaitForWork(Loop *lp) {
  std::unique_lock<std::mutex> l(mu_);
  while (lp->batch.empty() &&
         !cv_.wait_for(l, std::chrono::milliseconds(250), [&] { return stopping_ || queued_ != 0; })) {
    // Idle: notice a peer that closes (e.g. a relay restarting, which drains
    // its connections until we close ours) without waiting for the next
    // record, and reconnect on time when asked to (ReconnectWhenIdle).
    if (reconnect_when_idle_ && down_ && !stopping_ && Clock::now() >= lp->next_try) break;
    l.unlock();
    CheckIdlePeer(lp);
    l.lock();
  }
  lp->stopping = stopping_;
  lp->deadline = stop_deadline_;
  if (lp->stopping && Clock::now() >= lp->deadline) return Step::kGiveUp;
  if (lp->stopping && queued_ == 0 && lp->batch.empty()) return Step::kDone;
  if (lp->batch.empty()) TakeLocked(&lp->batch);
  return Step::kGo;
}

Forwarder::Step Forwarder::Reconnect(Loop *lp) {
  Clock::time_point now = Clock::now();
  // At shutdown, one immediate attempt instead of waiting out the interval.
  if (lp->stopping && !lp->tried_at_stop) {
    lp->tried_at_stop = true;
    lp->next_try = now;
  }
  if (now < lp->next_try) {  // not yet: sleep until then, or until a stop begins
    std::unique_lock<std::mutex> l(mu_);
    Clock::time_point until = stopping_ ? std::min(lp->next_try, stop_deadline_) : lp->next_try;
    cv_.wait_until(l, until, [&] { return stopping_ && !lp->stopping; });
    return Step::kAgain;
  }
  Status s = transport_->Connect();
  if (!s.ok()) {
    Report(s.message() + "; retrying in " + RetryText());
    stats_->errors->Add();
    MarkDown(lp, RetryAt());
    return lp->stopping ? Step::kGiveUp : Step::kAgain;  // at shutdown that was the last try
  }
  stats_->connects->Add();
  down_ = false;
  encoder_->Reconnected();
  if (lp->was_down) Log("forward " + name_ + ": connected");
  lp->was_down = false;
  return Step::kGo;
}

Forwarder::Step Forwarder::Connected(Loop *lp) {
  if (!transport_->connected()) return Reconnect(lp);
  if (!transport_->PeerClosed()) return Step::kGo;
  Report("peer closed the connection; reconnecting in " + RetryText());
  stats_->errors->Add();
  transport_->Close();
  MarkDown(lp, RetryAt());
  return Step::kAgain;
}

void Forwarder::SendBatch(Loop *lp) {
  encoder_->Recycle(&lp->chunks);
  encoder_->Encode(lp->batch, &lp->chunks);
  Status s = transport_->Send(lp->chunks, lp->stopping ? lp->deadline : Clock::now() + std::chrono::seconds(30));
  if (s.ok()) {
    stats_->writes->Add();
    stats_->pushed->Add(lp->batch.size());
    stats_->queued->Sub(lp->batch.size());
  } else {
    // the error first: whoever sees the loss counted finds its reason too
    Report(s.message() + " (" + std::to_string(lp->batch.size()) + " records lost)");
    stats_->errors->Add();
    Drop(lp->batch.size(), DropReason::kLostInFlight);
    if (!transport_->connected()) MarkDown(lp, RetryAt());
  }
  lp->batch.clear();
}

void Forwarder::Run() {
  Loop lp;
  lp.next_try = Clock::now();
  for (;;) {
    Step step = WaitForWork(&lp);
    if (step == Step::kGo) step = Connected(&lp);
    switch (step) {
      case Step::kDone: return;
      case Step::kGiveUp: DropAll(&lp); return;
      case Step::kAgain: continue;
      case Step::kGo: break;
    }
    if (!lp.batch.empty()) SendBatch(&lp);  // empty: a reconnect while idle (ReconnectWhenIdle)
  }
}

}  // namespace nfr
