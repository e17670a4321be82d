#include "progress.h"

#include <unistd.h>

#include <cstdio>

namespace ejournal::cli {

ProgressBar::ProgressBar(std::string label, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fputc('\n', stderr);
}

void ProgressBar::update(std::uint64_t done, std::uint64_t total) {
  if (!enabled_ || total == 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(fraction * kWidth);
  char bar[kWidth + 1];
  for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '.';
  bar[kWidth] = '\0';
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  const int eta_s = static_cast<int>(eta + 0.5);
  std::fprintf(stderr, "\r%s [%s] %3.0f%% %.0f %s/s ETA %d:%02d ", label_.c_str(), bar, fraction * 100, rate,
               unit_.c_str(), eta_s / 60, eta_s % 60);
  std::fflush(stderr);
}

}  // namespace ejournal::cli
