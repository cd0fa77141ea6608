// The C ABI of libfnmflow (include/fnmflow.h) over the library's C++ parts:
// a sender is a Forwarder (queue, thread, reconnect) with its transport, a
// receiver an EventLoop thread with one UDP input or stream listener.
// Nothing here throws past the ABI: every entry point catches and returns a
// code.
#include "fnmflow.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "counters.h"
#include "event_loop.h"
#include "flow_record.h"
#include "forwarder.h"
#include "inputs.h"
#include "log.h"
#include "socket_util.h"
#include "tls.h"
#include "transport.h"
#include "url.h"

using nfr::FlowRecord;
using nfr::Status;

static_assert(sizeof(fnmflow_record) == 144, "struct fnmflow_record is part of the ABI");
static_assert(sizeof(fnmflow_counters) == 128, "struct fnmflow_counters is part of the ABI");

namespace {

void ToFlow(const fnmflow_record &c, FlowRecord *r) {
  r->source = static_cast<nfr::RecordSource>(c.source);
  r->sample_ratio = c.sample_ratio;
  r->ip_version = c.ip_version;
  r->src_ip = c.src_ip;
  r->dst_ip = c.dst_ip;
  std::memcpy(r->src_ipv6.data(), c.src_ipv6, 16);
  std::memcpy(r->dst_ipv6.data(), c.dst_ipv6, 16);
  r->has_src_mac = c.has_src_mac != 0;
  r->has_dst_mac = c.has_dst_mac != 0;
  std::memcpy(r->src_mac.data(), c.src_mac, 6);
  std::memcpy(r->dst_mac.data(), c.dst_mac, 6);
  r->src_asn = c.src_asn;
  r->dst_asn = c.dst_asn;
  r->input_interface = c.input_interface;
  r->output_interface = c.output_interface;
  r->ttl = c.ttl;
  r->src_port = c.src_port;
  r->dst_port = c.dst_port;
  r->protocol = c.protocol;
  r->length = c.length;
  r->ip_length = c.ip_length;
  r->packets = c.packets;
  r->tcp_flags = c.tcp_flags;
  r->ip_fragmented = c.ip_fragmented != 0;
  r->ip_dont_fragment = c.ip_dont_fragment != 0;
  r->ts_sec = c.ts_sec;
  r->ts_usec = c.ts_usec;
  r->payload_length = c.payload_length;
  r->payload_full_length = c.payload_full_length;
  r->direction = c.direction;
  r->agent_ip = c.agent_ip;
}

void FromFlow(const FlowRecord &r, fnmflow_record *c) {
  std::memset(c, 0, sizeof *c);
  c->source = static_cast<uint8_t>(r.source);
  c->sample_ratio = r.sample_ratio;
  c->ip_version = r.ip_version;
  c->src_ip = r.src_ip;
  c->dst_ip = r.dst_ip;
  std::memcpy(c->src_ipv6, r.src_ipv6.data(), 16);
  std::memcpy(c->dst_ipv6, r.dst_ipv6.data(), 16);
  c->has_src_mac = r.has_src_mac;
  c->has_dst_mac = r.has_dst_mac;
  std::memcpy(c->src_mac, r.src_mac.data(), 6);
  std::memcpy(c->dst_mac, r.dst_mac.data(), 6);
  c->src_asn = r.src_asn;
  c->dst_asn = r.dst_asn;
  c->input_interface = r.input_interface;
  c->output_interface = r.output_interface;
  c->ttl = r.ttl;
  c->src_port = r.src_port;
  c->dst_port = r.dst_port;
  c->protocol = r.protocol;
  c->length = r.length;
  c->ip_length = r.ip_length;
  c->packets = r.packets;
  c->tcp_flags = r.tcp_flags;
  c->ip_fragmented = r.ip_fragmented;
  c->ip_dont_fragment = r.ip_dont_fragment;
  c->ts_sec = r.ts_sec;
  c->ts_usec = r.ts_usec;
  c->payload_length = r.payload_length;
  c->payload_full_length = r.payload_full_length;
  c->direction = r.direction;
  c->agent_ip = r.agent_ip;
}

void PutError(char *buf, size_t size, const std::string &msg) {
  if (!buf || size == 0) return;
  size_t n = std::min(size - 1, msg.size());
  std::memcpy(buf, msg.data(), n);
  buf[n] = '\0';
}

// The FNMFLOW_E* code of a failed Status.
int CodeOf(const Status &s) {
  switch (s.code()) {
    case nfr::Code::kOk: return FNMFLOW_OK;
    case nfr::Code::kInvalid: return FNMFLOW_EINVAL;
    case nfr::Code::kResolve: return FNMFLOW_ERESOLVE;
    case nfr::Code::kConnect: return FNMFLOW_ECONNECT;
    case nfr::Code::kTls: return FNMFLOW_ETLS;
    case nfr::Code::kTimeout: return FNMFLOW_ETIMEDOUT;
    case nfr::Code::kIo:
    case nfr::Code::kClosed: return FNMFLOW_EIO;
  }
  return FNMFLOW_EIO;
}

// Options copied from a caller's struct of any size: fields past its size
// keep their defaults, so a program built against an older header works.
template <typename T>
T CopyOptions(const T *in) {
  T out{};
  out.size = sizeof(T);
  if (in) std::memcpy(&out, in, std::min(sizeof(T), in->size));
  return out;
}

// The start every open function shares: the caller's options copied (any
// size), *out cleared, the arguments checked; errors go to its errbuf.
template <typename Options>
struct Opening {
  Options o{};
  int status = FNMFLOW_OK;
  template <typename Handle>
  Opening(const Options *in, Handle **out, const char *url) {
    if (in && in->size < sizeof(size_t)) {  // size not set: use ..._OPTIONS_INIT
      status = FNMFLOW_EINVAL;
      return;
    }
    o = CopyOptions(in);
    if (!out) {
      status = Fail(FNMFLOW_EINVAL, "out is NULL");
      return;
    }
    *out = nullptr;
    if (!url) status = Fail(FNMFLOW_EINVAL, "url is NULL");
  }
  int Fail(int code, const std::string &why) const {
    PutError(o.errbuf, o.errbuf_size, why);
    return code;
  }
};

// URL for a listener: like ParseUrl, but port 0 (any free port) allowed.
Status ParseListenUrl(const std::string &text, nfr::Url *u) {
  bool any_port = text.size() > 2 && text.compare(text.size() - 2, 2, ":0") == 0;
  Status s = nfr::ParseUrl(any_port ? text.substr(0, text.size() - 1) + "1" : text, u);
  if (!s.ok()) return s;
  if (any_port) {
    u->port = 0;
    u->text = text;
  }
  return s;
}

}  // namespace

struct fnmflow_sender {
  nfr::Counters counters;
  nfr::ForwarderStats stats{&counters};
  nfr::Counter *seen = counters.Get("flow_forwarder_sampler_seen_packets");
  nfr::Counter *selected = counters.Get("flow_forwarder_sampler_selected_packets");
  nfr::SslCtxPtr tls;
  std::unique_ptr<nfr::Forwarder> forwarder;
  uint32_t rate = 1;
  uint32_t sample_count = 0;
  std::vector<FlowRecord> batch;
  std::string error_copy;
};

struct fnmflow_receiver : nfr::RecordSink {
  nfr::Counters counters;
  nfr::InputStats stats{&counters};
  nfr::SslCtxPtr tls;
  nfr::EventLoop loop;
  std::unique_ptr<nfr::UdpInput> udp;
  std::unique_ptr<nfr::StreamListener> stream;
  fnmflow_batch_fn fn = nullptr;
  void *ctx = nullptr;
  std::vector<fnmflow_record> pending;
  std::atomic<bool> stop{false};
  std::thread thread;
  uint16_t port = 0;

  void Consume(const FlowRecord &r) override {
    pending.emplace_back();
    FromFlow(r, &pending.back());
    if (pending.size() >= nfr::kForwardChunk) Deliver();
  }
  void Deliver() {
    if (pending.empty()) return;
    fn(ctx, pending.data(), pending.size());
    pending.clear();
  }
  void Run() {
    auto last_sweep = std::chrono::steady_clock::now();
    while (!stop.load(std::memory_order_relaxed)) {
      loop.RunOnce(100);
      Deliver();
      auto now = std::chrono::steady_clock::now();
      if (stream && now - last_sweep >= std::chrono::seconds(1)) {
        stream->Sweep(now);
        last_sweep = now;
      }
    }
    if (stream) stream->CloseAll();
  }
};

extern "C" {

const char *fnmflow_version(void) { return FNMFLOW_VERSION_STRING; }

const char *fnmflow_strerror(int code) {
  switch (code) {
    case FNMFLOW_OK: return "success";
    case FNMFLOW_EINVAL: return "invalid argument";
    case FNMFLOW_ENOMEM: return "out of memory";
    case FNMFLOW_ERESOLVE: return "host name does not resolve";
    case FNMFLOW_ECONNECT: return "connection failed";
    case FNMFLOW_ETLS: return "TLS failure";
    case FNMFLOW_ETIMEDOUT: return "timed out";
    case FNMFLOW_EIO: return "I/O error";
    case FNMFLOW_ECLOSED: return "closed";
    case FNMFLOW_EFULL: return "queue full, records dropped";
    default: return "unknown error";
  }
}

void fnmflow_record_init(struct fnmflow_record *r) {
  if (!r) return;
  FromFlow(FlowRecord{}, r);
}

void fnmflow_set_log_handler(fnmflow_log_fn fn, void *ctx) { nfr::SetLogHandler(fn, ctx); }

int fnmflow_sender_open(fnmflow_sender **out, const char *url_text, const struct fnmflow_sender_options *in) {
  Opening<fnmflow_sender_options> op(in, out, url_text);
  if (op.status != FNMFLOW_OK) return op.status;
  const fnmflow_sender_options &o = op.o;
  auto fail = [&op](int code, const std::string &why) { return op.Fail(code, why); };
  try {
    nfr::Url url;
    Status s = nfr::ParseUrl(url_text, &url);
    if (!s.ok()) return fail(FNMFLOW_EINVAL, std::string(url_text) + ": " + s.message());
    auto snd = std::make_unique<fnmflow_sender>();
    if (url.scheme == nfr::Scheme::kTls) {
      s = nfr::MakeClientContext(o.tls_ca_file ? o.tls_ca_file : "", &snd->tls, "tls_ca_file");
      if (s.ok())
        s = nfr::UseClientCertificate(snd->tls.get(), o.tls_cert_file ? o.tls_cert_file : "",
                                      o.tls_key_file ? o.tls_key_file : "");
      if (!s.ok()) return fail(CodeOf(s), s.message());
    } else if (o.tls_cert_file || o.tls_key_file) {
      return fail(FNMFLOW_EINVAL, "tls_cert_file and tls_key_file are for tls:// only");
    }
    std::unique_ptr<nfr::Transport> transport;
    std::unique_ptr<nfr::BatchEncoder> encoder;
    s = nfr::MakeFlowTarget(url, snd->tls.get(), &transport, &encoder);
    if (!s.ok()) return fail(CodeOf(s), s.message());
    if (o.flags & FNMFLOW_SENDER_CONNECT_NOW) {
      s = transport->Connect();
      if (!s.ok()) return fail(CodeOf(s), s.message());
      snd->stats.connects->Add();
    }
    snd->rate = o.sampling_rate > 1 ? o.sampling_rate : 1;
    size_t queue = o.queue_size ? o.queue_size : 262144;
    std::chrono::milliseconds interval(o.reconnect_interval_ms ? o.reconnect_interval_ms : 60000);
    snd->forwarder = std::make_unique<nfr::Forwarder>(url.text, std::move(transport), std::move(encoder), queue,
                                                      interval, &snd->stats);
    snd->forwarder->Start();
    *out = snd.release();
    return FNMFLOW_OK;
  } catch (const std::bad_alloc &) {
    return fail(FNMFLOW_ENOMEM, "out of memory");
  } catch (const std::exception &e) {
    return fail(FNMFLOW_EIO, e.what());
  }
}

int fnmflow_sender_send(fnmflow_sender *s, const struct fnmflow_record *recs, size_t n) {
  if (!s || (!recs && n)) return FNMFLOW_EINVAL;
  try {
    uint64_t dropped_before = s->stats.queue_drops->Get();
    for (size_t i = 0; i < n; ++i) {
      if (s->rate > 1) {
        // 1 in N, as netflow-relay's --sampling-rate: the chosen record
        // stands for N, so its sampleRatio is multiplied.
        if (++s->sample_count < s->rate) continue;
        s->sample_count = 0;
      }
      s->batch.emplace_back();
      ToFlow(recs[i], &s->batch.back());
      if (s->rate > 1) {
        FlowRecord &r = s->batch.back();
        uint64_t ratio = static_cast<uint64_t>(r.sample_ratio ? r.sample_ratio : 1) * s->rate;
        r.sample_ratio = ratio > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(ratio);
      }
      if (s->batch.size() >= nfr::kForwardChunk) s->forwarder->Push(&s->batch);
    }
    if (s->rate > 1) {
      s->seen->Add(n);
      s->selected->Add(s->batch.size());
    }
    if (!s->batch.empty()) s->forwarder->Push(&s->batch);
    return s->stats.queue_drops->Get() != dropped_before ? FNMFLOW_EFULL : FNMFLOW_OK;
  } catch (const std::bad_alloc &) {
    return FNMFLOW_ENOMEM;
  } catch (...) {  // nothing may cross the C ABI
    return FNMFLOW_EIO;
  }
}

int fnmflow_sender_flush(fnmflow_sender *s, int timeout_ms) {
  if (!s) return FNMFLOW_EINVAL;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
  // `queued` counts records from Push until written, lost or dropped.
  while (s->stats.queued->Get() != 0) {
    if (std::chrono::steady_clock::now() >= deadline) return FNMFLOW_ETIMEDOUT;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return FNMFLOW_OK;
}

int fnmflow_sender_counters(fnmflow_sender *s, struct fnmflow_counters *c) {
  if (!s || !c) return FNMFLOW_EINVAL;
  std::memset(c, 0, sizeof *c);
  c->sent = s->stats.pushed->Get();
  c->queued = s->stats.queued->Get();
  c->dropped = s->stats.queue_drops->Get();
  c->lost_in_flight = s->stats.lost->Get();
  c->errors = s->stats.errors->Get();
  c->connects = s->stats.connects->Get();
  c->sampler_seen = s->seen->Get();
  c->sampler_selected = s->selected->Get();
  return FNMFLOW_OK;
}

const char *fnmflow_sender_last_error(fnmflow_sender *s) {
  if (!s) return "sender is NULL";
  try {
    s->error_copy = s->forwarder->last_error();
  } catch (...) {
    return "out of memory";
  }
  return s->error_copy.c_str();
}

void fnmflow_sender_close(fnmflow_sender *s, int flush_timeout_ms) {
  if (!s) return;
  s->forwarder->Stop(std::chrono::milliseconds(std::max(flush_timeout_ms, 0)));
  delete s;
}

int fnmflow_receiver_open(fnmflow_receiver **out, const char *url_text, const struct fnmflow_receiver_options *in,
                          fnmflow_batch_fn fn, void *ctx) {
  Opening<fnmflow_receiver_options> op(in, out, url_text);
  if (op.status != FNMFLOW_OK) return op.status;
  const fnmflow_receiver_options &o = op.o;
  auto fail = [&op](int code, const std::string &why) { return op.Fail(code, why); };
  if (!fn) return fail(FNMFLOW_EINVAL, "callback is NULL");
  try {
    nfr::Url url;
    Status s = ParseListenUrl(url_text, &url);
    if (!s.ok()) return fail(FNMFLOW_EINVAL, std::string(url_text) + ": " + s.message());
    auto r = std::make_unique<fnmflow_receiver>();
    r->fn = fn;
    r->ctx = ctx;
    if (url.scheme != nfr::Scheme::kTls && o.tls_client_ca_file)
      return fail(FNMFLOW_EINVAL, "tls_client_ca_file is for tls:// only");
    switch (url.scheme) {
      case nfr::Scheme::kUdp:
        r->udp = std::make_unique<nfr::UdpInput>(url, &r->loop, r.get(), &r->stats);
        s = r->udp->Start();
        if (s.ok()) r->port = nfr::LocalPort(r->udp->fd());
        break;
      case nfr::Scheme::kTls:
        if (!o.tls_cert_file || !o.tls_key_file) return fail(FNMFLOW_EINVAL, "tls:// needs tls_cert_file and tls_key_file");
        s = nfr::MakeServerContext(o.tls_cert_file, o.tls_key_file, o.tls_chain != 0, &r->tls);
        if (s.ok()) s = nfr::RequireClientCertificate(r->tls.get(), o.tls_client_ca_file ? o.tls_client_ca_file : "");
        if (!s.ok()) return fail(CodeOf(s), s.message());
        [[fallthrough]];
      case nfr::Scheme::kTcp:
        r->stream = std::make_unique<nfr::StreamListener>(url, r->tls.get(), &r->loop, r.get(), &r->stats);
        s = r->stream->Start();
        if (s.ok()) r->port = nfr::LocalPort(r->stream->fd());
        break;
      default:
        return fail(FNMFLOW_EINVAL, std::string(url_text) + ": only udp://, tcp:// and tls:// can be received");
    }
    if (!s.ok()) return fail(FNMFLOW_EIO, s.message());
    fnmflow_receiver *raw = r.get();
    r->thread = std::thread([raw] { raw->Run(); });
    *out = r.release();
    return FNMFLOW_OK;
  } catch (const std::bad_alloc &) {
    return fail(FNMFLOW_ENOMEM, "out of memory");
  } catch (const std::exception &e) {
    return fail(FNMFLOW_EIO, e.what());
  }
}

int fnmflow_receiver_port(fnmflow_receiver *r) { return r ? static_cast<int>(r->port) : static_cast<int>(FNMFLOW_EINVAL); }

int fnmflow_receiver_counters(fnmflow_receiver *r, struct fnmflow_receiver_stats *c) {
  if (!r || !c) return FNMFLOW_EINVAL;
  std::memset(c, 0, sizeof *c);
  c->records = r->stats.total->Get();
  c->malformed = r->stats.malformed->Get();
  c->connections = r->stats.tcp_accepted->Get() + r->stats.tls_accepted->Get();
  c->tls_handshake_failures = r->stats.tls_handshake_failures->Get();
  return FNMFLOW_OK;
}

void fnmflow_receiver_close(fnmflow_receiver *r) {
  if (!r) return;
  r->stop = true;
  if (r->thread.joinable()) r->thread.join();
  delete r;
}

}  // extern "C"
