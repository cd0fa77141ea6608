// libfnmflow's C++ API: owning wrappers over the C ABI of fnmflow.h (header
// only, so no C++ symbol is part of the library's ABI).  Errors are values:
// each call returns a Result (code + message), nothing throws.  Thread-safety
// as for the C function each method calls.
#pragma once

#include <fnmflow.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fnmflow {

using Record = fnmflow_record;

struct Result {
  int code = FNMFLOW_OK;
  std::string message;
  bool ok() const { return code == FNMFLOW_OK; }
  explicit operator bool() const { return ok(); }
};

inline Record MakeRecord() {
  Record r;
  fnmflow_record_init(&r);
  return r;
}

struct SenderOptions {
  std::string tls_ca_file;             // tls://: CA file; empty = system store
  std::string tls_cert_file, tls_key_file;  // tls://: client certificate and key, if asked for
  uint32_t sampling_rate = 1;          // 1 in N
  size_t queue_size = 0;               // 0 = 262144
  uint32_t reconnect_interval_ms = 0;  // 0 = 60 s
  bool connect_now = false;            // Open fails when the first connection does
};

struct ReceiverOptions {
  std::string tls_cert_file, tls_key_file;  // tls://
  bool tls_chain = false;
  std::string tls_client_ca_file;  // tls://: require a client certificate signed by this CA
};

class Sender {
 public:
  using Options = SenderOptions;

  Sender() = default;
  // Opens `url` (udp://, tcp://, tls://HOSTNAME:PORT).
  Result Open(const std::string &url, const Options &o = Options()) {
    fnmflow_sender_options c = FNMFLOW_SENDER_OPTIONS_INIT;
    char err[512] = "";
    c.tls_ca_file = o.tls_ca_file.empty() ? nullptr : o.tls_ca_file.c_str();
    c.tls_cert_file = o.tls_cert_file.empty() ? nullptr : o.tls_cert_file.c_str();
    c.tls_key_file = o.tls_key_file.empty() ? nullptr : o.tls_key_file.c_str();
    c.sampling_rate = o.sampling_rate;
    c.queue_size = o.queue_size;
    c.reconnect_interval_ms = o.reconnect_interval_ms;
    c.flags = o.connect_now ? FNMFLOW_SENDER_CONNECT_NOW : 0;
    c.errbuf = err;
    c.errbuf_size = sizeof err;
    fnmflow_sender *s = nullptr;
    int rc = fnmflow_sender_open(&s, url.c_str(), &c);
    if (rc != FNMFLOW_OK) return {rc, err[0] ? err : fnmflow_strerror(rc)};
    h_.reset(s);
    return {};
  }
  Result Send(const Record &r) { return Send(&r, 1); }
  Result Send(const std::vector<Record> &v) { return Send(v.data(), v.size()); }
  Result Send(const Record *r, size_t n) { return Wrap(fnmflow_sender_send(h_.get(), r, n)); }
  Result Flush(int timeout_ms) { return Wrap(fnmflow_sender_flush(h_.get(), timeout_ms)); }
  fnmflow_counters Counters() const {
    fnmflow_counters c{};
    fnmflow_sender_counters(h_.get(), &c);
    return c;
  }
  std::string LastError() const { return h_ ? fnmflow_sender_last_error(h_.get()) : ""; }
  // Sends what is queued for at most flush_timeout_ms, then frees the sender.
  void Close(int flush_timeout_ms) { fnmflow_sender_close(h_.release(), flush_timeout_ms); }

 private:
  Result Wrap(int rc) const {
    if (rc == FNMFLOW_OK) return {};
    std::string why = LastError();
    return {rc, why.empty() ? fnmflow_strerror(rc) : std::string(fnmflow_strerror(rc)) + ": " + why};
  }
  struct Close0 {
    void operator()(fnmflow_sender *s) const { fnmflow_sender_close(s, 0); }
  };
  std::unique_ptr<fnmflow_sender, Close0> h_;
};

class Receiver {
 public:
  using BatchFn = std::function<void(const Record *, size_t)>;
  using Options = ReceiverOptions;

  Receiver() = default;
  // Listens on `url`; `fn` runs on the receiver's thread and must not throw
  // (it is called through the C ABI).
  Result Open(const std::string &url, BatchFn fn, const Options &o = Options()) {
    h_.reset();  // a previous receiver stops before its callback goes
    fnmflow_receiver_options c = FNMFLOW_RECEIVER_OPTIONS_INIT;
    char err[512] = "";
    c.tls_cert_file = o.tls_cert_file.empty() ? nullptr : o.tls_cert_file.c_str();
    c.tls_key_file = o.tls_key_file.empty() ? nullptr : o.tls_key_file.c_str();
    c.tls_chain = o.tls_chain;
    c.tls_client_ca_file = o.tls_client_ca_file.empty() ? nullptr : o.tls_client_ca_file.c_str();
    c.errbuf = err;
    c.errbuf_size = sizeof err;
    fn_ = std::make_unique<BatchFn>(std::move(fn));
    fnmflow_receiver *r = nullptr;
    int rc = fnmflow_receiver_open(&r, url.c_str(), &c, &Receiver::Trampoline, fn_.get());
    if (rc != FNMFLOW_OK) return {rc, err[0] ? err : fnmflow_strerror(rc)};
    h_.reset(r);
    return {};
  }
  int Port() const { return fnmflow_receiver_port(h_.get()); }
  fnmflow_receiver_stats Counters() const {
    fnmflow_receiver_stats c{};
    fnmflow_receiver_counters(h_.get(), &c);
    return c;
  }
  void Close() { h_.reset(); }

 private:
  static void Trampoline(void *ctx, const Record *r, size_t n) { (*static_cast<BatchFn *>(ctx))(r, n); }
  struct Close0 {
    void operator()(fnmflow_receiver *r) const { fnmflow_receiver_close(r); }
  };
  // Declared first, destroyed last: the thread calling fn_ is gone by then.
  std::unique_ptr<BatchFn> fn_;
  std::unique_ptr<fnmflow_receiver, Close0> h_;
};

}  // namespace fnmflow
