// The school's calendar day of a log timestamp. The school keeps Moscow time (UTC+3, no daylight saving
// since 2014), so "the lesson day" and "entered N days late" are counted in it, not in UTC.
#pragma once

#include "ejournal/domain/types.h"
#include "ejournal/log/types.h"

namespace ejournal::projections {

inline constexpr log::Timestamp kMicrosPerDay = 86'400'000'000LL;
inline constexpr log::Timestamp kSchoolUtcOffset = 3LL * 3'600'000'000LL;

constexpr domain::Day school_day(log::Timestamp recorded_at) {
  const log::Timestamp local = recorded_at + kSchoolUtcOffset;
  return static_cast<domain::Day>(local >= 0 ? local / kMicrosPerDay : (local - kMicrosPerDay + 1) / kMicrosPerDay);
}

}  // namespace ejournal::projections
