#include "bench_util.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <semaphore>

#include <sys/resource.h>

#include "ejournal/log/event_log.h"
#include "testkit.h"

namespace ejournal::bench {

double quantile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto i = static_cast<std::size_t>(std::min<double>(q * static_cast<double>(values.size()), static_cast<double>(values.size() - 1)));
  return values[i];
}

double rss_mb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

JsonLine::JsonLine(const std::string& bench) : text_("{\"bench\":\"" + bench + "\"") {}

JsonLine& JsonLine::add(const std::string& key, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", std::isfinite(value) ? value : 0.0);
  text_ += ",\"" + key + "\":" + buf;
  return *this;
}

JsonLine& JsonLine::add(const std::string& key, std::uint64_t value) {
  text_ += ",\"" + key + "\":" + std::to_string(value);
  return *this;
}

JsonLine& JsonLine::add(const std::string& key, const std::string& value) {
  text_ += ",\"" + key + "\":\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      text_ += '\\';
      text_ += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      text_ += buf;
    } else {
      text_ += c;
    }
  }
  text_ += '"';
  return *this;
}

void JsonLine::print() const {
  std::printf("%s}\n", text_.c_str());
  std::fflush(stdout);
}

Status fill_sample_log(const std::string& path, std::uint64_t first_index, std::uint64_t count) {
  auto opened = log::open_event_log(path);
  if (!opened.ok()) return opened.status();
  constexpr unsigned kWindow = 4096;
  std::counting_semaphore<> slots(kWindow);
  std::atomic<std::uint64_t> failures{0};
  for (std::uint64_t i = 0; i < count; ++i) {
    slots.acquire();
    (*opened)->append_async(testkit::sample_command(first_index + i), [&](Result<log::AppendResult> r) {
      if (!r.ok()) failures.fetch_add(1);
      slots.release();
    });
  }
  for (unsigned k = 0; k < kWindow; ++k) slots.acquire();
  if (failures.load() != 0) return Status(Code::io_error, "appends failed while filling the log");
  return Status::OK();
}

}  // namespace ejournal::bench
