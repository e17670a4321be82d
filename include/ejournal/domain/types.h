// Value types of the school's domain: ids, days, roles. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>

#include "ejournal/fb/events_generated.h"

namespace ejournal::domain {

// Ids the domain allocates, per kind, 1, 2, 3 …; 0 means "none".
using UserId = std::uint32_t;        // any account: staff, student, parent
using YearId = std::uint32_t;
using TermId = std::uint32_t;
using ClassId = std::uint32_t;
using GroupId = std::uint32_t;
using SubjectId = std::uint32_t;
using WorkTypeId = std::uint16_t;
using AssignmentId = std::uint32_t;
using TimetableEntryId = std::uint32_t;
using LessonId = std::uint32_t;
using MarkId = std::uint32_t;
using RequestId = std::uint32_t;

// A calendar day of the school: days since 1970-01-01.
using Day = std::int32_t;

using Role = fb::Role;

// The bit of `role` in a set of roles; 0 for a value outside the enum (a record the domain never writes, but
// a folded record must never shift by more than the width: found by tests/fuzz/fuzz_envelope).
constexpr std::uint32_t role_bit(Role role) {
  const auto r = static_cast<unsigned>(role);
  return r <= static_cast<unsigned>(Role::MAX) ? std::uint32_t{1} << r : 0;
}
using Attendance = fb::Attendance;
using AttestationKind = fb::AttestationKind;
using AttestationValue = fb::AttestationValue;
using DataSubject = fb::DataSubject;

// 1 = Monday … 7 = Sunday.
int weekday_of(Day day);

// The calendar date of a day (proleptic Gregorian).
struct CivilDate {
  int year = 1970;
  unsigned month = 1, day = 1;  // 1..12, 1..31
};
CivilDate civil_of(Day day);

// An attendance code as the journal writes it: н (absent), уп (excused), б (sick), оп (late).
std::string_view attendance_letter(Attendance a);

// "2023-09-01" ⇄ day; parse_day returns false for anything but a valid ISO date.
std::string format_day(Day day);
bool parse_day(const std::string& iso, Day* day);

}  // namespace ejournal::domain
