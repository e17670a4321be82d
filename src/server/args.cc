#include "args.h"

#include "ejournal/projections/school_time.h"

#include <boost/json/value.hpp>
#include <limits>

namespace ejournal::server {

void Args::fail(const char* name, const std::string& what) {
  if (status_.ok()) status_ = Status(Code::invalid_argument, std::string("Поле «") + name + "»: " + what);
}

const boost::json::value* Args::get(const char* name, bool required) {
  const boost::json::value* v = o_.if_contains(name);
  if ((v == nullptr || v->is_null()) && required) fail(name, "обязательно");
  return v != nullptr && !v->is_null() ? v : nullptr;
}

std::int64_t Args::integer(const char* name, std::int64_t lo, std::int64_t hi) {
  const boost::json::value* v = get(name, true);
  if (v == nullptr) return lo;
  std::int64_t x = 0;
  if (v->is_int64()) x = v->get_int64();
  else if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) x = static_cast<std::int64_t>(v->get_uint64());
  else {
    fail(name, "ожидается целое число");
    return lo;
  }
  if (x < lo || x > hi) {
    fail(name, "допустимо от " + std::to_string(lo) + " до " + std::to_string(hi));
    return lo;
  }
  return x;
}

std::int64_t Args::integer_or(const char* name, std::int64_t lo, std::int64_t hi, std::int64_t fallback) {
  return get(name, false) == nullptr ? fallback : integer(name, lo, hi);
}

std::uint32_t Args::id(const char* name) {
  return static_cast<std::uint32_t>(integer(name, 1, std::numeric_limits<std::uint32_t>::max()));
}

std::uint32_t Args::id_or0(const char* name) {
  return static_cast<std::uint32_t>(integer_or(name, 0, std::numeric_limits<std::uint32_t>::max(), 0));
}

std::string Args::text(const char* name) {
  const boost::json::value* v = get(name, true);
  if (v == nullptr) return {};
  if (!v->is_string()) {
    fail(name, "ожидается строка");
    return {};
  }
  return std::string(v->get_string());
}

std::string Args::text_or(const char* name) { return get(name, false) == nullptr ? std::string() : text(name); }

bool Args::flag(const char* name, bool fallback) {
  const boost::json::value* v = get(name, false);
  if (v == nullptr) return fallback;
  if (!v->is_bool()) {
    fail(name, "ожидается true или false");
    return fallback;
  }
  return v->get_bool();
}

domain::Day Args::day(const char* name) {
  const std::string s = text(name);
  if (!ok()) return 0;
  domain::Day d = 0;
  if (!domain::parse_day(s, &d)) fail(name, "ожидается дата ГГГГ-ММ-ДД");
  return d;
}

domain::Day Args::day_or(const char* name, domain::Day fallback) {
  return get(name, false) == nullptr ? fallback : day(name);
}

std::optional<log::Timestamp> Args::timestamp_or_none(const char* name) {
  const boost::json::value* v = get(name, false);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (!v->is_string()) {
    fail(name, "ожидается дата, дата и время ISO 8601 или микросекунды");
    return std::nullopt;
  }
  auto t = projections::parse_school_time(std::string(v->get_string()));
  if (!t) fail(name, "ожидается дата 2024-03-01 (конец этого дня) или дата и время вида 2024-03-01T12:00:00Z");
  return t;
}

int Args::choice(const char* name, std::initializer_list<const char*> names) {
  const std::string s = text(name);
  if (!ok()) return 0;
  int i = 0;
  std::string all;
  for (const char* n : names) {
    if (*n != '\0') {
      if (s == n) return i;
      all += all.empty() ? "" : ", ";
      all += n;
    }
    ++i;
  }
  fail(name, "допустимо: " + all);
  return 0;
}

const boost::json::object* Args::object(const char* name) {
  const boost::json::value* v = get(name, true);
  if (v == nullptr) return nullptr;
  if (!v->is_object()) {
    fail(name, "ожидается объект");
    return nullptr;
  }
  return &v->get_object();
}

}  // namespace ejournal::server
