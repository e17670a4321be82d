// Shared pieces of ej-bench: timing, percentiles, and one-line JSON output.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ejournal/status.h"

namespace ejournal::bench {

using SteadyClock = std::chrono::steady_clock;

inline double seconds_since(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// The q-quantile (0..1) of `values`, which it sorts. 0 for an empty vector.
double quantile(std::vector<double>& values, double q);

// Resident set size of this process in MiB (from /proc/self/status).
double rss_mb();

// CPU time this process has used so far, user + system, in seconds (getrusage), all threads.
double cpu_seconds();

// A client's window of requests in flight, refilled in bursts: acquire() waits, once the window is full,
// until half of it has completed. One wake-up per half window rather than one per request, so that the
// clients' own scheduling does not hide the server's capacity on two cores. Thread-safe.
class Window {
 public:
  explicit Window(unsigned size) : size_(size == 0 ? 1 : size) {}
  void acquire() {
    std::unique_lock lock(mu_);
    if (outstanding_ >= size_) cv_.wait(lock, [&] { return outstanding_ <= size_ / 2; });
    ++outstanding_;
  }
  void release() {
    std::lock_guard lock(mu_);
    if (--outstanding_ == size_ / 2 || outstanding_ == 0) cv_.notify_one();
  }
  // Waits until nothing is in flight.
  void drain() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return outstanding_ == 0; });
  }

 private:
  const unsigned size_;
  std::mutex mu_;
  std::condition_variable cv_;
  unsigned outstanding_ = 0;
};

// Appends synthetic mark commands first_index … first_index+count-1 (testkit::sample_command) to the log in
// `path`, creating it if needed, with many appends in flight.
Status fill_sample_log(const std::string& path, std::uint64_t first_index, std::uint64_t count);

// Builds {"bench":"name","k":v,…} and prints it as one line on stdout.
class JsonLine {
 public:
  explicit JsonLine(const std::string& bench);
  JsonLine& add(const std::string& key, double value);
  JsonLine& add(const std::string& key, std::uint64_t value);
  JsonLine& add(const std::string& key, const std::string& value);
  void print() const;

 private:
  std::string text_;
};

}  // namespace ejournal::bench
