// Shared pieces of ej-bench: timing, percentiles, and one-line JSON output.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ejournal::bench {

using SteadyClock = std::chrono::steady_clock;

inline double seconds_since(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// The q-quantile (0..1) of `values`, which it sorts. 0 for an empty vector.
double quantile(std::vector<double>& values, double q);

// Resident set size of this process in MiB (from /proc/self/status).
double rss_mb();

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
