// The deputies' audit: who changed which cell when, from what to what and why; changes after a term was
// closed; entries made days after the lesson.
#include <random>

#include <catch2/catch.hpp>

#include "ejournal/demo/demo_school.h"
#include "ejournal/projections/audit.h"
#include "ejournal/projections/school_time.h"
#include "testkit.h"
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

namespace {

// Every entry of `all` that `pred` passes, in order: what a query must answer, found the slow way.
template <typename Pred>
std::vector<log::Position> filtered(const std::vector<AuditEntry>& all, Pred pred) {
  std::vector<log::Position> out;
  for (const AuditEntry& e : all)
    if (pred(e)) out.push_back(e.position);
  return out;
}

std::vector<log::Position> positions(const std::vector<AuditEntry>& entries) {
  std::vector<log::Position> out;
  for (const AuditEntry& e : entries) out.push_back(e.position);
  return out;
}

}  // namespace

TEST_CASE("queries that skip stretches of the trail by their summaries answer as a reading of every entry",
          "[projections][audit]") {
  testkit::TempDir dir;
  demo::DemoOptions o;
  o.seed = 3;
  o.students = 90;
  o.years = 2;
  o.last_year_start = 2023;
  o.issue_credentials = false;
  auto report = demo::build_demo_school(dir.sub("data"), o);
  REQUIRE(report.ok());
  auto log = log::open_event_log(dir.sub("data"));
  REQUIRE(log.ok());
  AuditProjection audit;
  for (auto c = (*log)->cursor(1); c->valid(); c->next()) audit.apply(view_of(c->position(), c->bytes()));
  // Restored from its snapshot, the summaries are made again: both states are asked.
  AuditProjection restored;
  REQUIRE(restored.restore(audit.snapshot()).ok());
  REQUIRE(restored.size() == audit.size());
  // Stored by part (the tables, then each stretch of entries), restored from the parts: the same state.
  {
    std::vector<std::string> parts;
    for (const Projection::PartStamp& p : audit.parts()) parts.push_back(audit.snapshot_part(p.key));
    REQUIRE(parts.size() >= 4);
    std::vector<std::string_view> views(parts.begin(), parts.end());
    AuditProjection from_parts;
    REQUIRE(from_parts.restore_parts(views, Projection::kAllParts).ok());
    CHECK(from_parts.snapshot() == audit.snapshot());
    // Stretches out of order are refused, and leave the state as it was.
    std::swap(views[1], views[2]);
    CHECK(from_parts.restore_parts(views, Projection::kAllParts).code() == Code::corruption);
    CHECK(from_parts.snapshot() == audit.snapshot());
  }
  const std::vector<AuditEntry> every = audit.all();
  REQUIRE(every.size() > 3 * 37'449);  // several stretches, summarised, and a filling one
  const log::Position middle = every[every.size() / 2].position;

  std::mt19937_64 rng(11);
  const auto pick = [&]() -> const AuditEntry& { return every[rng() % every.size()]; };
  for (const AuditProjection* a : {&audit, &restored}) {
    for (int round = 0; round < 25; ++round) {
      const AuditEntry& x = pick();
      for (const log::Position upto : {AuditProjection::kAll, middle}) {
        const auto cut = [&](const AuditEntry& e) { return e.position <= upto; };
        CHECK(positions(a->by_cell(x.lesson, x.student, upto)) ==
              filtered(every, [&](const AuditEntry& e) { return cut(e) && e.lesson == x.lesson && e.student == x.student; }));
        CHECK(positions(a->by_student(x.student, upto)) ==
              filtered(every, [&](const AuditEntry& e) { return cut(e) && e.student == x.student; }));
        CHECK(positions(a->by_actor(x.actor, upto)) == filtered(every, [&](const AuditEntry& e) { return cut(e) && e.actor == x.actor; }));
        CHECK(positions(a->by_class_subject(x.class_id, x.subject, upto)) ==
              filtered(every, [&](const AuditEntry& e) { return cut(e) && e.class_id == x.class_id && e.subject == x.subject; }));
        const log::Timestamp from = x.recorded_at - 3'600'000'000LL, to = x.recorded_at + 3'600'000'000LL;
        CHECK(positions(a->between(from, to, upto)) ==
              filtered(every, [&](const AuditEntry& e) { return cut(e) && e.recorded_at >= from && e.recorded_at <= to; }));
        CHECK(positions(a->changes(x.class_id, x.subject, from, to, upto)) ==
              filtered(every, [&](const AuditEntry& e) {
                return cut(e) && e.class_id == x.class_id && e.subject == x.subject && e.recorded_at >= from && e.recorded_at <= to;
              }));
      }
    }
    CHECK(positions(a->after_term_closed()) == filtered(every, [](const AuditEntry& e) { return e.after_term_closed; }));
    for (const int days : {0, 3, 30})
      CHECK(positions(a->late(days)) == filtered(every, [&](const AuditEntry& e) {
              return e.lesson != 0 && school_day(e.recorded_at) - e.lesson_day > days;
            }));
  }
}
