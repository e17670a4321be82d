// Metrics: the server's counters, rendered in Prometheus text format at /metrics: ejournal_… series, and the
// process_… series Prometheus client libraries export (memory, CPU, open files, start time), read from /proc.
// Every series has HELP and TYPE; `promtool check metrics` is clean (tests/server/contract_test.cc).
// Thread-safety: all methods are safe from any thread (atomics and a mutex for the labelled maps).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace ejournal::server {

// What a request's latency is counted as: a write (arrival to durable answer), a query of the live state,
// or a query as of a past time (which may rebuild that state).
enum class RequestKind { write, query, as_of };

class Metrics {
 public:
  Metrics();

  std::atomic<std::int64_t> connections{0};
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> pushes{0};
  std::atomic<std::uint64_t> pushed_through{0};  // the log position up to which every push has been sent
  std::atomic<std::uint64_t> dropped_slow_clients{0};

  void request(const std::string& op);
  void error(const std::string& code);
  // Time from a request's arrival to its answer (for a write: its durable answer).
  void request_latency(RequestKind kind, double seconds);
  // `log_head` and `applied`: the log's head and the projections' position (their difference is the lag);
  // `extra`: more series in the same format (the backup scheduler's).
  std::string render(std::uint64_t log_head, std::uint64_t applied, const std::string& extra = "") const;

  static constexpr std::array<double, 16> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,     0.25,   0.5,   1.0,    2.5,   5.0,  10.0};

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size() + 1> counts{};
    double sum = 0;
    std::uint64_t count = 0;
  };
  double start_time_seconds_ = 0;
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> requests_, errors_;
  std::array<Histogram, 3> latency_{};
};

}  // namespace ejournal::server
