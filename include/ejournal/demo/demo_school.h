// The demo school: a realistic gymnasium (grades 1–11, ~30 classes, ~800 students with parents, ~60 teachers,
// 25 subjects) and whole academic years of its journal — timetable, lessons with topics and homework, marks,
// absences, corrections, substitutions, lessons not held, term and year marks, personal data — written through
// Domain::submit exactly as people would, with the log's clock moved through the year so that every entry
// carries the time it was made.
//
// Deterministic for a seed: the same people, lessons and marks, and the same command ids. (Encryption nonces
// and one-time passwords are random, as they must be.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ejournal/domain/types.h"
#include "ejournal/status.h"

namespace ejournal::demo {

struct DemoOptions {
  std::uint64_t seed = 1;
  int students = 800;
  int years = 1;
  // The academic year the journal ends with, by the calendar year it starts in. 0: the current one (from
  // 1 September before `today` to 31 May after; in June–August, the one that has just ended).
  int last_year_start = 0;
  // The school's today: the journal is lived up to it and no further. Its week's lessons are scheduled; on it,
  // only the morning's substitutions and cancellations are made (its lessons are the teachers' to fill in);
  // terms ended by it are closed, the one it is in stays open. 0: today in Moscow. A day after the last
  // year's end changes nothing.
  domain::Day today = 0;
  // Credentials are issued only to a few users of each role (Argon2id costs ~0.1 s each).
  bool issue_credentials = true;
};

struct DemoLogin {
  std::string role;      // "администратор", "учитель" …
  std::string login;
  std::string password;  // one-time: must be changed at the first sign-in
  std::string who;
};

struct DemoReport {
  std::vector<DemoLogin> logins;
  std::uint64_t commands = 0;
  std::uint64_t events = 0;
  std::uint64_t refusals = 0;
  std::vector<std::string> first_refusals;  // up to 10, "command: code: message"
  std::uint64_t marks = 0;
  double mean_mark = 0;
  std::uint64_t student_lessons = 0;
  std::uint64_t absences = 0;
  std::uint64_t lessons = 0;
  std::uint64_t substitutions = 0;
  std::uint64_t corrections = 0;
  int teachers = 0, classes = 0, students = 0, parents = 0, subjects = 0;
  int siblings = 0;  // pupils whose parents' accounts were linked from an older brother or sister
  double seconds = 0;
};

// Writes the demo school into `dir`, which must be absent or empty. Also writes `dir`/demo-logins.txt
// (mode 0600) with the logins and one-time passwords.
Result<DemoReport> build_demo_school(const std::string& dir, const DemoOptions& options);

}  // namespace ejournal::demo
