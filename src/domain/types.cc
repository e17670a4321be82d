#include <cstdio>

#include "ejournal/domain/commands.h"
#include "ejournal/domain/types.h"

namespace ejournal::domain {
namespace {

// Howard Hinnant's days-from-civil and its inverse (proleptic Gregorian calendar).
Day days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void civil_from_days(Day z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(yoe) + era * 400 + (*m <= 2);
}

constexpr const char* kCommandNames[] = {
    "open_year", "define_term", "create_class", "create_study_group", "create_subject", "define_work_type",
    "assign_teacher", "end_assignment", "set_timetable_entry", "remove_timetable_entry", "create_staff_account",
    "grant_role", "revoke_role", "issue_credential", "change_password", "block_account", "unblock_account",
    "record_login", "enroll_student", "transfer_student", "student_leaves", "add_student_to_group",
    "remove_student_from_group", "add_parent", "link_parent", "unlink_parent", "record_personal_data",
    "check_personal_data", "erase_personal_data", "schedule_lesson", "schedule_from_timetable", "set_topic", "set_homework",
    "substitute_lesson", "cancel_lesson", "set_mark", "correct_mark", "remove_mark", "set_attendance",
    "clear_attendance", "take_attendance", "set_attestation_mark", "review_homework", "close_term", "reopen_term",
    "request_correction", "approve_correction", "reject_correction", "record_backup"};
static_assert(std::size(kCommandNames) == std::variant_size_v<Command>, "a name for every command, in order");

}  // namespace

int weekday_of(Day day) {
  // 1970-01-01 was a Thursday (4).
  const int w = ((day % 7) + 7 + 3) % 7;  // 0 = Monday
  return w + 1;
}

CivilDate civil_of(Day day) {
  CivilDate c;
  civil_from_days(day, &c.year, &c.month, &c.day);
  return c;
}

std::string_view attendance_letter(Attendance a) {
  switch (a) {
    case Attendance::Absent: return "н";
    case Attendance::Excused: return "уп";
    case Attendance::Sick: return "б";
    case Attendance::Late: return "оп";
  }
  return "?";
}

std::string format_day(Day day) {
  int y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(day, &y, &m, &d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

bool parse_day(const std::string& iso, Day* day) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (iso.size() != 10 || std::sscanf(iso.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) return false;
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  const Day candidate = days_from_civil(y, m, d);
  if (format_day(candidate) != iso) return false;  // 2023-02-30 and friends
  *day = candidate;
  return true;
}

const char* command_name(const Command& command) { return kCommandNames[command.index()]; }

}  // namespace ejournal::domain
