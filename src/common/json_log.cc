#include "ejournal/json_log.h"

#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace ejournal::jlog {
namespace {

std::mutex sink_mu;
std::function<void(std::string_view)>& sink() {
  static std::function<void(std::string_view)> s;
  return s;
}

const char* level_word(Level l) {
  switch (l) {
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "?";
}

std::string utc_time(std::int64_t time_us) {
  const std::time_t seconds = static_cast<std::time_t>(time_us / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(time_us % 1'000'000));
  return text;
}

}  // namespace

std::string format(std::int64_t time_us, Level level, std::string_view msg, std::initializer_list<Field> fields) {
  boost::json::object line;
  line["time"] = utc_time(time_us);
  line["level"] = level_word(level);
  line["msg"] = boost::json::string_view(msg.data(), msg.size());
  for (const Field& f : fields) {
    boost::json::value v;
    std::visit(
        [&](const auto& x) {
          if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::string_view>) v = boost::json::string_view(x.data(), x.size());
          else v = x;
        },
        f.value);
    line[boost::json::string_view(f.key.data(), f.key.size())] = std::move(v);
  }
  return boost::json::serialize(line);
}

void write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  std::string line = format(now, level, msg, fields);
  line.push_back('\n');
  std::lock_guard lock(sink_mu);
  if (sink()) {
    sink()(line);
    return;
  }
  // One write(2) per line: lines from several threads or processes never interleave.
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void set_sink(std::function<void(std::string_view line)> s) {
  std::lock_guard lock(sink_mu);
  sink() = std::move(s);
}

}  // namespace ejournal::jlog
