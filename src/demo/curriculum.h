// The demo gymnasium's curriculum and calendar: which subjects each grade has and for how many hours a week,
// which are taught in two groups, and the terms of an academic year. Internal to src/demo.
#pragma once

#include <string>
#include <vector>

#include "ejournal/domain/types.h"

namespace ejournal::demo {

struct SubjectInfo {
  const char* name;
  const char* short_name;
};

// Index into subjects() of each subject.
const std::vector<SubjectInfo>& subjects();

struct Hours {
  int subject;      // index into subjects()
  int per_week;
  bool in_groups;   // taught in two groups at the same time
};

// The weekly plan of a grade (1..11).
std::vector<Hours> plan_for_grade(int grade);

struct TermPlan {
  std::string name;
  domain::Day first_day, last_day;
  int grade_from, grade_to;
};

// Quarters for grades 1–9 and halves for 10–11 of the year starting 1 September `year`.
std::vector<TermPlan> terms_of_year(int year);

// Letters of the classes of a grade: А, Б, В for 1–8; А, Б for 9–11.
std::vector<std::string> class_letters(int grade);

}  // namespace ejournal::demo
