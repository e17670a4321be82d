// A progress bar with rate and ETA for long ejctl operations, drawn on stderr only when stderr is a terminal
// (nothing at all when output goes to a file or a pipe, as in cron jobs and tests).
// Thread-safety: update() may be called from one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ejournal::cli {

class ProgressBar {
 public:
  // `unit` names what is counted ("records").
  ProgressBar(std::string label, std::string unit);
  ~ProgressBar();  // ends the line if anything was drawn
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(std::uint64_t done, std::uint64_t total);
  bool enabled() const { return enabled_; }

 private:
  std::string label_;
  std::string unit_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace ejournal::cli
