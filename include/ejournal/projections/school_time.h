// The school's calendar day of a log timestamp. The school keeps Moscow time (UTC+3, no daylight saving
// since 2014), so "the lesson day" and "entered N days late" are counted in it, not in UTC.
#pragma once

#include <chrono>

#include "ejournal/domain/types.h"
#include "ejournal/log/types.h"

namespace ejournal::projections {

inline constexpr log::Timestamp kMicrosPerDay = 86'400'000'000LL;
inline constexpr log::Timestamp kSchoolUtcOffset = 3LL * 3'600'000'000LL;

constexpr domain::Day school_day(log::Timestamp recorded_at) {
  const log::Timestamp local = recorded_at + kSchoolUtcOffset;
  return static_cast<domain::Day>(local >= 0 ? local / kMicrosPerDay : (local - kMicrosPerDay + 1) / kMicrosPerDay);
}

// The school year a day falls in, named by the calendar year it starts in: August to July (a year's first
// term starts on 1 September; August counts with the year it leads into). 2023 for 2023-09-01 … 2024-07-31.
inline int academic_year_of(domain::Day day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{day}}};
  const int y = static_cast<int>(ymd.year());
  return static_cast<unsigned>(ymd.month()) >= 8 ? y : y - 1;
}

}  // namespace ejournal::projections
