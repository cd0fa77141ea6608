#include "relay.h"

#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "log.h"
#include "socket_util.h"

namespace nfr {

namespace {

class SignalHandler : public EventHandler {
 public:
  SignalHandler(EventLoop *loop, std::atomic<bool> *stop) : loop_(loop), stop_(stop) {}
  ~SignalHandler() override {
    if (fd_ >= 0) {
      loop_->Remove(fd_);
      close(fd_);
    }
  }
  Status Start() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd_ < 0) return Status::Io(Errno("signalfd"));
    return loop_->Add(fd_, EPOLLIN, this);
  }
  void OnEvents(uint32_t) override {
    signalfd_siginfo si;
    while (read(fd_, &si, sizeof si) == sizeof si) {
      Log(std::string("got ") + (si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT") + ", flushing and exiting");
      *stop_ = true;
    }
  }

 private:
  EventLoop *loop_;
  std::atomic<bool> *stop_;
  int fd_ = -1;
};

constexpr std::chrono::milliseconds kShutdownFlush{5000};
// How long stream connections are drained at shutdown: a peer relay notices
// our FIN before its next batch and closes; one batch is at most a few MB.
constexpr std::chrono::milliseconds kShutdownDrain{5000};

}  // namespace

Relay::Relay(Options opts)
    : opts_(std::move(opts)),
      input_stats_(&counters_),
      forwarder_stats_(&counters_),
      sampler_seen_(counters_.Get("flow_forwarder_sampler_seen_packets")),
      sampler_selected_(counters_.Get("flow_forwarder_sampler_selected_packets")),
      jsonl_written_(counters_.Get("jsonl_records_written")) {}

Relay::~Relay() {
  signal_handler_.reset();
  metrics_.reset();
  control_.reset();
  workers_.clear();
  for (auto &o : outputs_) o->Stop(std::chrono::milliseconds(0));
}

int ExitCodeOf(const Status &s) {
  if (s.ok()) return 0;
  return s.code() == Code::kInvalid || s.code() == Code::kTls ? 2 : 1;
}

Status Relay::Setup() {
  bool tls_in = false, tls_out = false;
  for (const Url &u : opts_.listen) {
    tls_in = tls_in || u.scheme == Scheme::kTls;
    if ((u.scheme == Scheme::kNetflow || u.scheme == Scheme::kSflow) && !NetflowSupported())
      return Status::Invalid("--listen " + u.text + ": this netflow-relay was built without NetFlow/IPFIX/sFlow support");
  }
  for (const Url &u : opts_.forward) {
    tls_out = tls_out || u.scheme == Scheme::kTls;
    if (u.scheme == Scheme::kIpfix && !NetflowSupported())
      return Status::Invalid("--forward " + u.text + ": this netflow-relay was built without NetFlow/IPFIX support");
  }
  for (const auto &group : opts_.forward_shards)
    for (const Url &u : group) tls_out = tls_out || u.scheme == Scheme::kTls;
  if (tls_in) {
    Status s = MakeServerContext(opts_.tls_cert, opts_.tls_key, opts_.tls_chain, &server_ctx_);
    if (s.ok()) s = RequireClientCertificate(server_ctx_.get(), opts_.tls_client_ca);
    if (!s.ok()) return s;
  }
  if (tls_out) {
    Status s = MakeClientContext(opts_.tls_ca, &client_ctx_);
    if (s.ok()) s = UseClientCertificate(client_ctx_.get(), opts_.tls_client_cert, opts_.tls_client_key);
    if (!s.ok()) return s;
  }
  for (const std::string &path : opts_.jsonl_outputs) {
    auto w = std::make_unique<JsonlWriter>();
    Status s = w->Open(path);
    if (!s.ok()) return s;
    jsonl_.push_back(std::move(w));
  }

  // Kafka producers first: a bad librdkafka property is a configuration error.
  for (const Url &u : opts_.forward) {
    if (u.scheme != Scheme::kKafka) continue;
    std::unique_ptr<RecordOutput> k;
    Status s = MakeKafkaOutput(u, opts_.queue_size, &counters_, &k);
    if (!s.ok()) return s;
    outputs_.push_back(std::move(k));
    Log("producing to " + u.text);
  }

  unsigned threads = opts_.threads ? opts_.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) {
    auto w = std::make_unique<Worker>(this);
    Status s = w->Open(opts_, server_ctx_.get(), threads > 1);
    if (!s.ok()) return s;
    workers_.push_back(std::move(w));
  }
  for (const Url &u : opts_.listen) Log("listening on " + u.text);
  if (threads > 1) Log(std::to_string(threads) + " loop threads");
  EventLoop *loop0 = workers_.front()->loop();
  auto sig = std::make_unique<SignalHandler>(loop0, &stop_);
  Status s = sig->Start();
  if (!s.ok()) return s;
  signal_handler_ = std::move(sig);
  for (auto &o : outputs_)  // the Kafka producers: one each, shared
    for (auto &w : workers_) w->AddOutput(o.get());
  // The other targets: one lane per worker, --queue-size split between them,
  // but each lane holds at least one whole chunk a worker hands over (or the
  // whole --queue-size when that is smaller), so that a healthy target does
  // not drop because of the split.
  const size_t lane_queue = std::max({size_t{1}, (opts_.queue_size + threads - 1) / threads,
                                      std::min(opts_.queue_size, kForwardChunk)});
  auto lane_name = [&](const Url &u, unsigned i) {
    return threads > 1 ? u.text + " [thread " + std::to_string(i) + "]" : u.text;
  };
  for (const Url &u : opts_.forward) {
    if (u.scheme == Scheme::kKafka) continue;  // made above
    for (unsigned i = 0; i < threads; ++i) {
      std::unique_ptr<Forwarder> f;
      s = MakeForwarder(u, lane_name(u, i), lane_queue, &f);
      if (!s.ok()) return s;
      f->Start();
      workers_[i]->AddOutput(f.get());
      outputs_.push_back(std::move(f));
    }
    Log("forwarding to " + u.text +
        (threads > 1 ? " (" + std::to_string(threads) + " connections, one per loop thread)" : ""));
  }
  for (const auto &group : opts_.forward_shards) {
    for (unsigned i = 0; i < threads; ++i) {
      std::vector<std::unique_ptr<Forwarder>> targets;
      for (const Url &u : group) {
        std::unique_ptr<Forwarder> f;
        s = MakeForwarder(u, lane_name(u, i), lane_queue, &f);
        if (!s.ok()) return s;
        if (opts_.shard_rehash) f->ReconnectWhenIdle();
        f->Start();
        targets.push_back(std::move(f));
      }
      auto out = std::make_unique<ShardedOutput>(
          std::move(targets), ShardKey{opts_.shard_prefix_v4, opts_.shard_prefix_v6}, opts_.shard_rehash, &counters_);
      workers_[i]->AddOutput(out.get());
      outputs_.push_back(std::move(out));
    }
    std::string names;
    for (const Url &u : group) names += (names.empty() ? "" : ",") + u.text;
    Log("sharding over " + names + " (/" + std::to_string(opts_.shard_prefix_v4) + ", /" +
        std::to_string(opts_.shard_prefix_v6) + ", " + (opts_.shard_rehash ? "rehash" : "queue") + " when one is down)");
  }
  control_ = std::make_unique<ControlServer>(opts_.control_path, loop0, &counters_);
  s = control_->Start();
  if (!s.ok()) return s;
  if (!opts_.metrics_url.empty()) {
    metrics_ = std::make_unique<MetricsServer>(opts_.metrics_url, loop0, &counters_);
    s = metrics_->Start();
    if (!s.ok()) return s;
    Log("metrics on " + opts_.metrics_url);
  }
  return Status::Ok();
}

Status Relay::MakeForwarder(const Url &u, const std::string &name, size_t queue_size,
                            std::unique_ptr<Forwarder> *out) {
  std::unique_ptr<Transport> t;
  std::unique_ptr<BatchEncoder> e;
  if (u.scheme == Scheme::kIpfix) {
    t = MakeUdpTransport(u);
    e = MakeIpfixEncoder();
  } else {
    Status s = MakeFlowTarget(u, client_ctx_.get(), &t, &e);
    if (!s.ok()) return s;
  }
  *out = std::make_unique<Forwarder>(name, std::move(t), std::move(e), queue_size,
                                     std::chrono::seconds(opts_.reconnect_interval), &forwarder_stats_);
  return Status::Ok();
}

Status Worker::Open(const Options &opts, SSL_CTX *server_ctx, bool reuseport) {
  Status s;
  for (const Url &u : opts.listen) {
    switch (u.scheme) {
      case Scheme::kUdp: {
        auto in = std::make_unique<UdpInput>(u, &loop_, this, &relay_->input_stats_);
        s = in->Start(reuseport);
        udp_inputs_.push_back(std::move(in));
        break;
      }
      case Scheme::kTcp:
      case Scheme::kTls: {
        auto in = std::make_unique<StreamListener>(u, u.scheme == Scheme::kTls ? server_ctx : nullptr, &loop_, this,
                                                   &relay_->input_stats_);
        s = in->Start(reuseport);
        stream_inputs_.push_back(std::move(in));
        break;
      }
      case Scheme::kNetflow:
      case Scheme::kSflow: {
        auto in = u.scheme == Scheme::kNetflow ? MakeNetflowInput(u, &loop_, this, &relay_->counters_)
                                               : MakeSflowInput(u, &loop_, this, &relay_->counters_);
        s = in->Start(reuseport);
        netflow_inputs_.push_back(std::move(in));
        break;
      }
      case Scheme::kIpfix:
      case Scheme::kKafka:
        s = Status::Invalid(std::string(SchemeName(u.scheme)) + ":// is not an input");
        break;
    }
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Worker::~Worker() {
  udp_inputs_.clear();
  netflow_inputs_.clear();
  stream_inputs_.clear();
}

void Worker::Consume(const FlowRecord &r) {
  if (!relay_->jsonl_.empty()) pending_all_.push_back(r);
  if (outputs_.empty()) return;
  ++seen_;  // published with the records, in FlushPending()
  uint32_t rate = relay_->opts_.sampling_rate;
  if (++sample_count_ < rate) return;
  sample_count_ = 0;
  ++selected_;
  pending_forward_.push_back(r);
  if (rate > 1) {
    uint64_t ratio = static_cast<uint64_t>(r.sample_ratio ? r.sample_ratio : 1) * rate;
    pending_forward_.back().sample_ratio = ratio > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(ratio);
  }
  // Hand over in forwarder-batch-sized chunks: the forwarder then takes each
  // as a whole (no copy) and the vectors it recycles fit the next chunk.
  if (pending_forward_.size() >= kForwardChunk) PushForward();
}

void Worker::PushForward() {
  if (seen_) {
    relay_->sampler_seen_->Add(seen_);
    seen_ = 0;
  }
  if (selected_) {
    relay_->sampler_selected_->Add(selected_);
    selected_ = 0;
  }
  if (pending_forward_.empty()) return;
  Forward(&pending_forward_);
}

void Worker::Forward(std::vector<FlowRecord> *records) {
  // The last output takes the vector itself and hands back an empty one.
  for (size_t i = 0; i + 1 < outputs_.size(); ++i) outputs_[i]->Push(*records);
  outputs_.back()->Push(records);
  records->clear();
}

void Relay::WriteJsonl(const std::vector<FlowRecord> &records) {
  std::lock_guard<std::mutex> l(jsonl_mu_);
  for (auto &w : jsonl_) {
    for (const FlowRecord &r : records) w->Write(r);
    w->Flush();
  }
  jsonl_written_->Add(records.size());
}

void Worker::FlushPending() {
  if (!pending_all_.empty()) {
    relay_->WriteJsonl(pending_all_);
    pending_all_.clear();
  }
  if (!outputs_.empty()) PushForward();
}

void Worker::Run(const std::atomic<bool> &stop) {
  auto last_tick = std::chrono::steady_clock::now();
  while (!stop.load(std::memory_order_relaxed)) {
    loop_.RunOnce(250);
    FlushPending();
    auto now = std::chrono::steady_clock::now();
    if (now - last_tick >= std::chrono::seconds(1)) {
      last_tick = now;
      for (auto &l : stream_inputs_) l->Sweep(now);
      for (auto &n : netflow_inputs_) n->Tick();
    }
  }
  FlushPending();
  udp_inputs_.clear();
  netflow_inputs_.clear();
  // Stream peers: FIN now, read what they still send until they close, so a
  // restart of this relay loses nothing a peer had already written.
  size_t open = 0;
  for (auto &l : stream_inputs_) {
    l->BeginDrain();
    open += l->connections();
  }
  if (open) {
    Log("draining " + std::to_string(open) + " connection(s)");
    auto drain_end = std::chrono::steady_clock::now() + kShutdownDrain;
    while (open && std::chrono::steady_clock::now() < drain_end) {
      loop_.RunOnce(50);
      FlushPending();
      open = 0;
      for (auto &l : stream_inputs_) open += l->connections();
    }
    if (open) Log(std::to_string(open) + " connection(s) still open after the drain; closing them");
  }
  stream_inputs_.clear();
  loop_.RunOnce(0);
  FlushPending();
}

int Relay::Run() {
  std::vector<std::thread> threads;
  for (size_t i = 1; i < workers_.size(); ++i) {
    threads.emplace_back([this, i] { workers_[i]->Run(stop_); });
    // Loop 0 is the main thread (its name stays the process's name).
    pthread_setname_np(threads.back().native_handle(), ("nfr-loop-" + std::to_string(i)).substr(0, 15).c_str());
  }
  workers_.front()->Run(stop_);  // returns after SIGTERM/SIGINT, which sets stop_ for all
  for (auto &t : threads) t.join();
  // Every output flushes at the same time, until one common deadline.
  Clock::time_point deadline = Clock::now() + kShutdownFlush;
  for (auto &o : outputs_) o->BeginStop(deadline);
  for (auto &o : outputs_) {
    Clock::duration left = std::max(deadline - Clock::now(), Clock::duration::zero());
    o->Stop(std::chrono::duration_cast<std::chrono::milliseconds>(left));
  }
  for (auto &w : jsonl_) w->Flush();
  Log("stopped");
  return 0;
}

}  // namespace nfr
