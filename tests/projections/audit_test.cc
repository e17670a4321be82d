// The deputies' audit: who changed which cell when, from what to what and why; changes after a term was
// closed; entries made days after the lesson.
#include <catch2/catch.hpp>

#include "ejournal/projections/audit.h"
#include "ejournal/projections/host.h"
#include "one_projection.h"
#include "school.h"

using namespace ejournal;
using namespace ejournal::domain;
using namespace ejournal::projections;

TEST_CASE("the audit names who changed a cell, from what to what, when and why", "[projections][audit]") {
  testkit::School s;
  // mark_a1: a 5 set by teacher_a in lesson_5a (Sep 4) for student_a1, in the fixture.
  s.must(s.teacher_a, cmd::CorrectMark{s.mark_a1, 4, s.answer, "описка", std::nullopt});
  s.must(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a2, Attendance::Absent, std::nullopt});
  s.must(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a2, Attendance::Excused, std::nullopt});
  s.must(s.teacher_a, cmd::SetTopic{s.lesson_5a, "Дроби"});
  s.must(s.deputy, cmd::CloseTerm{s.q1});
  const auto request = s.must(s.teacher_a, cmd::RequestCorrection{fb::CorrectionKind::RemoveMark, 0, 0, s.mark_a1, 0, 0,
                                                                   Attendance::Absent, "поставлена ошибочно"});
  s.clock->advance(60'000'000);
  s.must(s.deputy, cmd::ApproveCorrection{request, ""});

  auto host = host_of<AuditProjection>(s);

  auto cell = host->read<AuditProjection>("audit", [&](const AuditProjection& a) { return a.by_cell(s.lesson_5a, s.student_a1); });
  REQUIRE(cell.size() == 3);
  CHECK(cell[0].kind == AuditKind::mark_set);
  CHECK(cell[0].actor == s.teacher_a);
  CHECK(cell[0].after == "5");
  CHECK(cell[1].kind == AuditKind::mark_corrected);
  CHECK(cell[1].before == "5");
  CHECK(cell[1].after == "4");
  CHECK(cell[1].reason == "описка");
  CHECK(cell[1].subject == s.math);
  CHECK(cell[1].class_id == s.class_5a);
  CHECK_FALSE(cell[1].after_term_closed);
  CHECK(cell[2].kind == AuditKind::mark_removed);
  CHECK(cell[2].actor == s.deputy);  // the approved request is recorded by the deputy
  CHECK(cell[2].before == "4");
  CHECK(cell[2].after_term_closed);
  CHECK(cell[2].recorded_at > cell[1].recorded_at);

  auto absences = host->read<AuditProjection>("audit", [&](const AuditProjection& a) { return a.by_cell(s.lesson_5a, s.student_a2); });
  REQUIRE(absences.size() == 2);
  CHECK(absences[1].before == "н");
  CHECK(absences[1].after == "уп");

  auto closed = host->read<AuditProjection>("audit", [&](const AuditProjection& a) { return a.after_term_closed(); });
  REQUIRE(closed.size() == 1);
  CHECK(closed[0].kind == AuditKind::mark_removed);

  auto by_deputy = host->read<AuditProjection>("audit", [&](const AuditProjection& a) { return a.by_actor(s.deputy); });
  REQUIRE(by_deputy.size() == 2);  // the 1st-grader the deputy enrolled (personal data), and the removal
  CHECK(by_deputy[0].kind == AuditKind::personal_data_recorded);
  CHECK(by_deputy[1].kind == AuditKind::mark_removed);
  // Everything here was entered "now", years after the 2023 lessons: all lesson entries are late.
  auto late = host->read<AuditProjection>("audit", [&](const AuditProjection& a) { return a.late(3); });
  CHECK(late.size() == host->read<AuditProjection>("audit", [&](const AuditProjection& a) {
    std::size_t n = 0;
    for (const auto& e : a.all()) n += e.lesson != 0;
    return n;
  }));
  // Personal data appears as the fact of a change, never its content.
  auto pd = host->read<AuditProjection>("audit", [&](const AuditProjection& a) { return a.by_student(s.student_a1); });
  bool saw_pd = false;
  for (const auto& e : pd)
    if (e.kind == AuditKind::personal_data_recorded) {
      saw_pd = true;
      CHECK(e.after.find("Иванов") == std::string::npos);
    }
  CHECK(saw_pd);
}

TEST_CASE("what changed in a class's subject between two times", "[projections][audit]") {
  testkit::School s(testkit::school_time(testkit::kSep4, 8));
  const log::Timestamp t1 = testkit::school_time(testkit::kSep4 + 1, 0);
  s.clock->set(testkit::school_time(testkit::kSep4 + 1, 9));
  s.must(s.teacher_a, cmd::CorrectMark{s.mark_a1, 4, s.answer, "описка", std::nullopt});
  s.must(s.teacher_b, cmd::SetMark{s.lesson_5b, s.student_b1, 3, s.answer, "", std::nullopt});  // another class
  s.clock->set(testkit::school_time(testkit::kSep4 + 3, 9));
  const log::Timestamp t2 = testkit::school_time(testkit::kSep4 + 2, 0);
  s.must(s.teacher_a, cmd::SetTopic{s.lesson_5a, "Дроби"});  // after t2

  auto host = host_of<AuditProjection>(s);
  auto changed = host->read<AuditProjection>("audit", [&](const AuditProjection& a) { return a.changes(s.class_5a, s.math, t1, t2); });
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].kind == AuditKind::mark_corrected);
  CHECK(changed[0].after == "4");
  auto before = host->read<AuditProjection>("audit", [&](const AuditProjection& a) { return a.changes(s.class_5a, s.math, 0, t1); });
  REQUIRE(before.size() == 1);
  CHECK(before[0].kind == AuditKind::mark_set);
}
