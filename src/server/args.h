// Args: typed reading of a request's "args" object with one clear error for the first bad field.
// Each getter returns a neutral value after an error; check status() once at the end.
// Thread-safety: a value type, used by one thread.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "ejournal/domain/types.h"
#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::server {

class Args {
 public:
  explicit Args(const boost::json::object& o) : o_(o) {}

  // A positive id that fits 32 bits; required.
  std::uint32_t id(const char* name);
  // An id or 0 when absent.
  std::uint32_t id_or0(const char* name);
  std::int64_t integer(const char* name, std::int64_t lo, std::int64_t hi);
  std::int64_t integer_or(const char* name, std::int64_t lo, std::int64_t hi, std::int64_t fallback);
  std::string text(const char* name);          // required (may be empty only if the domain allows)
  std::string text_or(const char* name);       // "" when absent
  bool flag(const char* name, bool fallback);
  domain::Day day(const char* name);           // "YYYY-MM-DD", required
  domain::Day day_or(const char* name, domain::Day fallback);
  // as_of: a date (the end of that school day), an ISO date-time "2024-03-01T12:00:00Z" (or with an offset,
  // or none: school time), or microseconds since the epoch (projections::parse_school_time).
  std::optional<log::Timestamp> timestamp_or_none(const char* name);
  // An enum by its protocol name; `names` lists them in value order, with "" for unused values.
  int choice(const char* name, std::initializer_list<const char*> names);
  const boost::json::object* object(const char* name);
  bool has(const char* name) const { return o_.if_contains(name) != nullptr; }
  // The raw value of a field, or nullptr when absent (for shapes the typed getters do not read).
  const boost::json::value* raw(const char* name) const { return o_.if_contains(name); }
  // Present and not null.
  bool given(const char* name) const {
    const auto* v = o_.if_contains(name);
    return v != nullptr && !v->is_null();
  }

  const Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }
  // Records an error for `name` unless one is recorded already.
  void fail(const char* name, const std::string& what);

 private:
  const boost::json::value* get(const char* name, bool required);
  const boost::json::object& o_;
  Status status_;
};

}  // namespace ejournal::server
