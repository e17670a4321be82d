// The school's calendar day of a log timestamp. The school keeps Moscow time (UTC+3, no daylight saving
// since 2014), so "the lesson day" and "entered N days late" are counted in it, not in UTC.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>

#include "ejournal/domain/types.h"
#include "ejournal/log/types.h"

namespace ejournal::projections {

inline constexpr log::Timestamp kMicrosPerDay = 86'400'000'000LL;
inline constexpr log::Timestamp kSchoolUtcOffset = 3LL * 3'600'000'000LL;

constexpr domain::Day school_day(log::Timestamp recorded_at) {
  // Clamped to ±292,000 years, so that no time a damaged record could carry overflows the arithmetic.
  constexpr log::Timestamp kBound = std::numeric_limits<log::Timestamp>::max() / 2;
  const log::Timestamp local = std::clamp(recorded_at, -kBound, kBound) + kSchoolUtcOffset;
  return static_cast<domain::Day>(local >= 0 ? local / kMicrosPerDay : (local - kMicrosPerDay + 1) / kMicrosPerDay);
}

// The school year a day falls in, named by the calendar year it starts in: August to July (a year's first
// term starts on 1 September; August counts with the year it leads into). 2023 for 2023-09-01 … 2024-07-31.
inline int academic_year_of(domain::Day day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  const int y = static_cast<int>(ymd.year());
  return static_cast<unsigned>(ymd.month()) >= 8 ? y : y - 1;
}

// A time as people write it, for `as_of` and `ejctl restore --at`:
//   "YYYY-MM-DD"                       the end of that school day (23:59:59.999999 Moscow time);
//   "YYYY-MM-DDTHH:MM[:SS]" (or a space instead of T), then "Z", "+HH:MM", "-HH:MM" or nothing (school
//   time): the whole minute or second given counts, so the result is its last microsecond.
// nullopt for anything else (an impossible date or time, trailing characters).
inline std::optional<log::Timestamp> parse_school_time(const std::string& text) {
  int y = 0, consumed = 0;
  unsigned mo = 0, d = 0, h = 23, mi = 59, s = 59;
  char sep = 0;
  const int n = std::sscanf(text.c_str(), "%4d-%2u-%2u%n%c%2u:%2u%n", &y, &mo, &d, &consumed, &sep, &h, &mi, &consumed);
  log::Timestamp zone = kSchoolUtcOffset;
  if (n == 3 && static_cast<std::size_t>(consumed) == text.size()) {
    h = 23, mi = 59, s = 59;
  } else if (n == 6 && (sep == 'T' || sep == ' ')) {
    std::size_t at = static_cast<std::size_t>(consumed);
    s = 59;
    if (at < text.size() && text[at] == ':') {
      if (at + 3 > text.size() || !std::isdigit(static_cast<unsigned char>(text[at + 1])) ||
          !std::isdigit(static_cast<unsigned char>(text[at + 2])))
        return std::nullopt;
      s = static_cast<unsigned>((text[at + 1] - '0') * 10 + (text[at + 2] - '0'));
      at += 3;
    }
    const std::string rest = text.substr(at);
    auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(rest[i])) != 0; };
    if (rest == "Z") {
      zone = 0;
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' && digit(1) && digit(2) &&
               digit(4) && digit(5)) {
      const int zh = (rest[1] - '0') * 10 + (rest[2] - '0'), zm = (rest[4] - '0') * 10 + (rest[5] - '0');
      if (zh > 23 || zm > 59) return std::nullopt;
      zone = (zh * 3'600LL + zm * 60LL) * 1'000'000LL * (rest[0] == '-' ? -1 : 1);
    } else if (!rest.empty()) {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{mo}, std::chrono::day{d}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  const log::Timestamp day_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::sys_days{ymd}.time_since_epoch()).count();
  return day_us + ((h * 60LL + mi) * 60LL + s) * 1'000'000LL + 999'999 - zone;
}

// A time as the school reads it, in school time: "03.12.2026 11:20".
inline std::string format_school_time(log::Timestamp t) {
  const log::Timestamp local = t + kSchoolUtcOffset;
  const domain::Day day = school_day(t);
  const log::Timestamp in_day = local - static_cast<log::Timestamp>(day) * kMicrosPerDay;
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  const long long minutes = in_day / 60'000'000LL;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02u.%02u.%04d %02lld:%02lld", static_cast<unsigned>(ymd.day()), static_cast<unsigned>(ymd.month()),
                static_cast<int>(ymd.year()), minutes / 60, minutes % 60);
  return buf;
}

}  // namespace ejournal::projections
