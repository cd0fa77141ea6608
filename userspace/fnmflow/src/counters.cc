#include "counters.h"

namespace nfr {

Counter *Counters::Get(const std::string &name) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto &it : items_)
    if (it.first == name) return &it.second;
  items_.emplace_back(std::piecewise_construct, std::forward_as_tuple(name), std::forward_as_tuple());
  return &items_.back().second;
}

uint64_t Counters::Value(const std::string &name) const {
  std::lock_guard<std::mutex> l(mu_);
  for (auto &it : items_)
    if (it.first == name) return it.second.Get();
  return 0;
}

std::vector<std::pair<std::string, uint64_t>> Counters::Snapshot() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::pair<std::string, uint64_t>> out;
  out.reserve(items_.size());
  for (auto &it : items_) out.emplace_back(it.first, it.second.Get());
  return out;
}

std::string Counters::Format() const {
  std::string s;
  for (auto &[name, value] : Snapshot()) s += name + " " + std::to_string(value) + "\n";
  return s;
}

}  // namespace nfr
