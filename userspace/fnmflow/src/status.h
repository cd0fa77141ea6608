// Status: the result of an operation that can fail, carrying a one-line
// message naming the problem.  Errors are values, never silence.
#pragma once

#include <string>
#include <utility>

namespace nfr {

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string msg) { return Status(std::move(msg)); }

  bool ok() const { return !failed_; }
  const std::string &message() const { return msg_; }

 private:
  explicit Status(std::string msg) : failed_(true), msg_(std::move(msg)) {}
  bool failed_ = false;
  std::string msg_;
};

}  // namespace nfr
