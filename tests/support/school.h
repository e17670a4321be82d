// A small school built through the Domain, for the domain tests: one year with its terms, classes 1А, 5А
// and 5Б, two subjects, two work types, staff of every role, students with parents, and lessons.
#pragma once

#include <memory>
#include <string>

#include "ejournal/domain/domain.h"
#include "testkit.h"

namespace ejournal::testkit {

// 2023-09-01 .. 2024-05-31; quarter 1 is September–October.
inline constexpr domain::Day kSep1 = 19601;   // 2023-09-01
inline constexpr domain::Day kSep4 = 19604;   // Monday
inline constexpr domain::Day kOct31 = 19661;
inline constexpr domain::Day kNov6 = 19667;   // quarter 2
inline constexpr domain::Day kMay31 = 19874;

// The log timestamp of `hour`:`minute` school time (Moscow, UTC+3) on `day`.
constexpr log::Timestamp school_time(domain::Day day, int hour, int minute = 0) {
  return ((static_cast<log::Timestamp>(day) * 86'400 + hour * 3'600 + minute * 60) - 3 * 3'600) * 1'000'000;
}

class School {
 public:
  // `start`: the clock's first reading (default: the real time now).
  explicit School(log::Timestamp start = 0);
  ~School();

  // Runs a command with a fresh command id; the test decides whether it must pass.
  Result<domain::Executed> run(domain::UserId actor, domain::Command command);
  // Runs a command that must pass, returning what it created.
  std::uint32_t must(domain::UserId actor, domain::Command command);
  Status check(domain::UserId actor, const domain::Command& command) const;
  void reopen();  // closes the log and domain and opens them again (replay)
  void close();   // closes the log and domain, keeping the data directory (for another process to open)

  const std::string& data_dir() const { return data_; }
  log::EventLog& log() { return *log_; }
  domain::Domain& domain() { return *domain_; }
  domain::PersonalDataVault& vault() { return *vault_; }

  // Stamps the log's records; starts at the real time, so entries look made "now" unless a test moves it.
  std::shared_ptr<ManualClock> clock;

  // Who is who.
  domain::UserId admin = 0, deputy = 0, director = 0;
  domain::UserId teacher_a = 0;  // math in 5А (and 1А), curator of 5А
  domain::UserId teacher_b = 0;  // math in 5Б, curator of 5Б
  domain::UserId student_a1 = 0, student_a2 = 0, student_b1 = 0, student_1st = 0;
  domain::UserId parent_a1 = 0, parent_b1 = 0;
  domain::YearId year = 0;
  domain::TermId q1 = 0, q2 = 0;
  domain::ClassId class_1a = 0, class_5a = 0, class_5b = 0;
  domain::GroupId group_5a_1 = 0;
  domain::SubjectId math = 0, russian = 0;
  domain::WorkTypeId answer = 0, test = 0;
  domain::AssignmentId math_5a = 0, math_5b = 0, math_1a = 0;
  domain::LessonId lesson_5a = 0, lesson_5b = 0, lesson_1a = 0;
  domain::MarkId mark_a1 = 0;

 private:
  void open();
  TempDir dir_;
  std::string data_;
  std::unique_ptr<log::EventLog> log_;
  std::unique_ptr<domain::PersonalDataVault> vault_;
  std::unique_ptr<domain::Domain> domain_;
};

domain::PersonalData person(const std::string& last, const std::string& first);

}  // namespace ejournal::testkit
