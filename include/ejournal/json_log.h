// JSON log lines: the diagnostics of ejournald and its libraries, one JSON object per line on stderr:
//   {"time":"2026-12-03T06:40:00.123456Z","level":"warn","msg":"…","error":"…"}
// "time" is UTC; then "level" (info, warn, error), "msg", and the caller's fields in their order. Every text is
// escaped by Boost.JSON's serializer, so a message with quotes, backslashes, newlines or Cyrillic keeps its
// line whole and parseable (`jq`, a log shipper).
//
// Thread-safety: write() may be called from any thread; each line reaches the sink whole, never interleaved.
// Errors: none; a line that cannot be written is dropped (logging must not take the server down).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace ejournal::jlog {

enum class Level { info, warn, error };

// One field of a line: a key and a text, number or flag.
struct Field {
  using Value = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;
  std::string_view key;
  Value value;

  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  Field(std::string_view k, T v) : key(k), value(convert(v)) {}

 private:
  template <typename T>
  static Value convert(T v) {
    if constexpr (std::is_same_v<T, bool>) return v;
    else if constexpr (std::is_floating_point_v<T>) return static_cast<double>(v);
    else if constexpr (std::is_signed_v<T>) return static_cast<std::int64_t>(v);
    else return static_cast<std::uint64_t>(v);
  }
};

// The line as text (without its newline), for a given time in µs since 1970 UTC.
std::string format(std::int64_t time_us, Level level, std::string_view msg, std::initializer_list<Field> fields);

void write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
inline void info(std::string_view msg, std::initializer_list<Field> fields = {}) { write(Level::info, msg, fields); }
inline void warn(std::string_view msg, std::initializer_list<Field> fields = {}) { write(Level::warn, msg, fields); }
inline void error(std::string_view msg, std::initializer_list<Field> fields = {}) { write(Level::error, msg, fields); }

// Where lines go: each call gets one line with its newline. Null restores stderr. For tests and embedders;
// set it before other threads log.
void set_sink(std::function<void(std::string_view line)> sink);

}  // namespace ejournal::jlog
