// Metrics: the server's counters, rendered in Prometheus text format at /metrics (every series ejournal_…).
// Thread-safety: all methods are safe from any thread (atomics and a mutex for the labelled maps).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace ejournal::server {

class Metrics {
 public:
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> pushes{0};
  std::atomic<std::uint64_t> dropped_slow_clients{0};

  void request(const std::string& op);
  void error(const std::string& code);
  // Time from a command's arrival to its durable answer.
  void append_latency(double seconds);
  // `log_head` and `applied`: the log's head and the projections' position (their difference is the lag);
  // `extra`: more series in the same format (the backup scheduler's).
  std::string render(std::uint64_t log_head, std::uint64_t applied, const std::string& extra = "") const;

  static constexpr std::array<double, 10> kBuckets = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 2.0};

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> requests_, errors_;
  std::array<std::uint64_t, kBuckets.size() + 1> latency_{};
  double latency_sum_ = 0;
  std::uint64_t latency_count_ = 0;
};

}  // namespace ejournal::server
