// Status: the result of an operation that can fail.  An error is a typed
// value: a Code saying what kind of failure it is (what callers branch on:
// the relay's exit status, libfnmflow's FNMFLOW_E* codes, whether a
// forwarder reconnects) and a one-line message naming the problem (what
// people read).  Errors are values, never silence.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace nfr {

enum class Code : uint8_t {
  kOk = 0,
  kInvalid,  // a bad option, URL, value or file named by the user (configuration)
  kResolve,  // a host name does not resolve
  kConnect,  // a connection was refused, failed or timed out
  kTls,      // TLS: context, certificate or key loading, handshake, TLS I/O
  kTimeout,  // an operation did not finish before its deadline
  kIo,       // the system refused: socket, bind, listen, epoll, write, read
  kClosed,   // the peer closed the connection
};

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Invalid(std::string msg) { return Status(Code::kInvalid, std::move(msg)); }
  static Status Resolve(std::string msg) { return Status(Code::kResolve, std::move(msg)); }
  static Status Connect(std::string msg) { return Status(Code::kConnect, std::move(msg)); }
  static Status Tls(std::string msg) { return Status(Code::kTls, std::move(msg)); }
  static Status Timeout(std::string msg) { return Status(Code::kTimeout, std::move(msg)); }
  static Status Io(std::string msg) { return Status(Code::kIo, std::move(msg)); }
  static Status Closed(std::string msg) { return Status(Code::kClosed, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string &message() const { return msg_; }

 private:
  Status(Code c, std::string msg) : code_(c), msg_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string msg_;
};

}  // namespace nfr
