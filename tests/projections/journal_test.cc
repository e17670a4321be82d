// The journal page of a hand-built scenario, with the numbers a teacher would check by hand.
#include <catch2/catch.hpp>

#include "ejournal/projections/host.h"
#include "ejournal/projections/journal.h"
#include "one_projection.h"
#include "school.h"

using namespace ejournal;
using namespace ejournal::domain;
using namespace ejournal::projections;

TEST_CASE("the journal page shows lessons, cells, weighted averages and attestation", "[projections][journal]") {
  testkit::School s;
  // lesson_5a (Mon Sep 4) already holds mark_a1: a 5 for an answer (weight 1) to student_a1.
  const LessonId wed = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4 + 2, 1});
  const LessonId fri = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4 + 4, 1});
  s.must(s.teacher_a, cmd::SetTopic{s.lesson_5a, "Натуральные числа"});
  s.must(s.teacher_a, cmd::SetHomework{s.lesson_5a, "№ 1–5", testkit::kSep4 + 2});
  s.must(s.teacher_a, cmd::SetMark{wed, s.student_a1, 3, s.test, "", std::nullopt});         // weight 2
  const MarkId a2 = s.must(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", std::nullopt});
  s.must(s.teacher_a, cmd::CorrectMark{a2, 5, s.answer, "ошибка при вводе", std::nullopt});
  const MarkId wrong = s.must(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 2, s.answer, "", std::nullopt});
  s.must(s.teacher_a, cmd::RemoveMark{wrong, "не тому ученику"});
  s.must(s.teacher_a, cmd::SetAttendance{wed, s.student_a2, Attendance::Sick, std::nullopt});
  s.must(s.deputy, cmd::SubstituteLesson{wed, s.teacher_b, "болезнь учителя"});
  s.must(s.deputy, cmd::CancelLesson{fri, "карантин"});
  s.must(s.teacher_a, cmd::SetAttestationMark{s.student_a1, s.math, AttestationKind::Term, s.q1, AttestationValue::Four, ""});
  s.must(s.teacher_a, cmd::SetAttestationMark{s.student_a1, s.math, AttestationKind::Year, 0, AttestationValue::Four, "", s.year});

  auto host = host_of<JournalProjection>(s);
  auto page = host->read<JournalProjection>("journal", [&](const JournalProjection& j) {
    return std::optional<Result<JournalPage>>(j.page(s.class_5a, 0, s.math, s.q1));
  });
  REQUIRE(page.has_value());
  REQUIRE(page->ok());
  const JournalPage& p = page->value();

  REQUIRE(p.lessons.size() == 3);
  CHECK(p.lessons[0].id == s.lesson_5a);
  CHECK(p.lessons[0].topic == "Натуральные числа");
  CHECK(p.lessons[0].homework == "№ 1–5");
  CHECK(p.lessons[0].teacher == s.teacher_a);
  CHECK(p.lessons[1].id == wed);
  CHECK(p.lessons[1].substituted);
  CHECK(p.lessons[1].teacher == s.teacher_b);
  CHECK(p.lessons[2].id == fri);
  CHECK_FALSE(p.lessons[2].held);
  CHECK(p.lessons[2].not_held_reason == "карантин");

  REQUIRE(p.rows.size() == 2);
  const JournalRow& a1 = p.rows[0];
  CHECK(a1.student == s.student_a1);
  REQUIRE(a1.cells[0].marks.size() == 1);
  CHECK(a1.cells[0].marks[0].value == 5);
  REQUIRE(a1.cells[1].marks.size() == 1);
  CHECK(a1.cells[1].marks[0].work_type == s.test);
  REQUIRE(a1.average.has_value());
  CHECK(*a1.average == Approx(3.67));  // (5×1 + 3×2) / 3 = 3.666… → 3.67
  CHECK(a1.term_mark == AttestationValue::Four);
  CHECK(a1.year_mark == AttestationValue::Four);

  const JournalRow& a2row = p.rows[1];
  CHECK(a2row.student == s.student_a2);
  REQUIRE(a2row.cells[0].marks.size() == 1);  // the removed 2 is gone, the 4 was corrected to 5
  CHECK(a2row.cells[0].marks[0].value == 5);
  CHECK(a2row.cells[1].attendance == Attendance::Sick);
  CHECK(a2row.average == 5.0);
  CHECK_FALSE(a2row.term_mark.has_value());

  // Cell versions count every change, as the domain does: the page's version is what expected_version takes.
  CHECK(a1.cells[0].version == 1);
  CHECK(a1.cells[2].version == 0);
  CHECK(a2row.cells[0].version == 4);  // set, corrected, set, removed
  CHECK(a2row.cells[1].version == 1);
  CHECK_FALSE(s.run(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a2, Attendance::Late, a2row.cells[0].version - 1}).ok());
  CHECK(s.run(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a2, Attendance::Late, a2row.cells[0].version}).ok());

  // The page of a study group lists its members only; unknown ids are refused.
  auto group_page = host->read<JournalProjection>("journal", [&](const JournalProjection& j) {
    return std::optional<Result<JournalPage>>(j.page(s.class_5a, s.group_5a_1, s.math, s.q1));
  });
  REQUIRE(group_page->ok());
  REQUIRE(group_page->value().rows.size() == 1);
  CHECK(group_page->value().rows[0].student == s.student_a1);
  CHECK(host->read<JournalProjection>("journal", [&](const JournalProjection& j) {
    return std::optional<Result<JournalPage>>(j.page(9999, 0, s.math, s.q1));
  })->status().code() == Code::not_found);
}

TEST_CASE("journal averages round half up to two decimals", "[projections][journal]") {
  CHECK(JournalProjection::round_average(4.445) == Approx(4.45));
  CHECK(JournalProjection::round_average(11.0 / 3.0) == Approx(3.67));
  CHECK(JournalProjection::round_average(4.5) == Approx(4.5));
  CHECK(JournalProjection::round_average(2.0 / 3.0 + 4) == Approx(4.67));
}

TEST_CASE("a student's diary week and marks chart come from the same lessons and marks", "[projections][diary]") {
  testkit::School s;
  const LessonId wed = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4 + 2, 2});
  const LessonId next_week = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4 + 7, 1});
  s.must(s.teacher_a, cmd::SetHomework{s.lesson_5a, "№ 7", testkit::kSep4 + 2});
  s.must(s.teacher_a, cmd::SetMark{wed, s.student_a1, 4, s.test, "", std::nullopt});
  s.must(s.teacher_a, cmd::SetMark{next_week, s.student_a1, 3, s.answer, "", std::nullopt});
  s.must(s.teacher_a, cmd::SetAttendance{wed, s.student_a2, Attendance::Late, std::nullopt});
  s.must(s.teacher_b, cmd::SetMark{s.lesson_5b, s.student_b1, 5, s.answer, "", std::nullopt});  // another class
  s.must(s.teacher_a, cmd::SetAttestationMark{s.student_a1, s.math, AttestationKind::Term, s.q1, AttestationValue::Four, ""});

  auto host = host_of<JournalProjection>(s);
  auto week = host->read<JournalProjection>("journal", [&](const JournalProjection& j) {
    return std::optional<Result<DiaryWeek>>(j.diary(s.student_a1, testkit::kSep4));
  });
  REQUIRE(week->ok());
  const DiaryWeek& w = week->value();
  REQUIRE(w.lessons.size() == 2);  // Monday and Wednesday; next week's lesson is not in this week
  CHECK(w.lessons[0].lesson.id == s.lesson_5a);
  CHECK(w.lessons[0].lesson.homework == "№ 7");
  CHECK(w.lessons[0].subject == s.math);
  REQUIRE(w.lessons[0].cell.marks.size() == 1);
  CHECK(w.lessons[0].cell.marks[0].value == 5);  // mark_a1 from the fixture
  REQUIRE(w.lessons[1].cell.marks.size() == 1);
  CHECK(w.lessons[1].cell.marks[0].work_type == s.test);
  REQUIRE(w.term_marks.size() == 1);
  CHECK(w.term_marks[0] == std::make_pair(s.math, AttestationValue::Four));

  auto other = host->read<JournalProjection>("journal", [&](const JournalProjection& j) {
    return std::optional<Result<DiaryWeek>>(j.diary(s.student_a2, testkit::kSep4));
  });
  REQUIRE(other->ok());
  REQUIRE(other->value().lessons.size() == 2);
  CHECK(other->value().lessons[0].cell.marks.empty());  // another student's marks are not in this diary
  CHECK(other->value().lessons[1].cell.attendance == Attendance::Late);

  auto chart = host->read<JournalProjection>("journal", [&](const JournalProjection& j) {
    return j.marks_over_time(s.student_a1, s.math);
  });
  REQUIRE(chart.size() == 3);
  CHECK(chart[0].value == 5);
  CHECK(chart[1].value == 4);
  CHECK(chart[2].value == 3);
  CHECK(chart[2].day == testkit::kSep4 + 7);
}

TEST_CASE("a transferred student's diary shows each class on its own days; both journals list them for their part of the term",
          "[projections][diary]") {
  testkit::School s;
  const Day transfer = testkit::kSep4 + 7;  // Monday Sep 11
  const AssignmentId group_math = s.must(s.deputy, cmd::AssignTeacher{s.teacher_a, s.class_5a, s.group_5a_1, s.math});
  const LessonId group_before = s.must(s.teacher_a, cmd::ScheduleLesson{group_math, testkit::kSep4 + 1, 2});
  const LessonId group_after = s.must(s.teacher_a, cmd::ScheduleLesson{group_math, transfer + 1, 2});
  const LessonId a_after = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, transfer + 2, 1});
  const LessonId b_before = s.must(s.teacher_b, cmd::ScheduleLesson{s.math_5b, testkit::kSep4 + 2, 1});
  const LessonId b_after = s.must(s.teacher_b, cmd::ScheduleLesson{s.math_5b, transfer + 2, 1});
  s.must(s.deputy, cmd::TransferStudent{s.student_a1, s.class_5b, transfer, "по заявлению родителей"});

  auto host = host_of<JournalProjection>(s);
  const auto lessons_of_week = [&](Day monday) {
    return host->read<JournalProjection>("journal", [&](const JournalProjection& j) {
      std::vector<LessonId> ids;
      auto w = j.diary(s.student_a1, monday);
      if (w.ok())
        for (const DiaryLesson& d : w->lessons) ids.push_back(d.lesson.id);
      return ids;
    });
  };
  // Before the transfer: 5А's lessons and its group's, not 5Б's (b_before); after it, 5Б's only (not
  // a_after or group_after).
  CHECK(lessons_of_week(testkit::kSep4) == std::vector<LessonId>{s.lesson_5a, group_before});
  CHECK(lessons_of_week(transfer) == std::vector<LessonId>{b_after});
  CHECK(b_before != b_after);
  CHECK(a_after != group_after);

  // What a row shows, copied out while its page lives (a row's cells are views into the page).
  struct Row {
    Day joined = 0, left = 0;
    std::vector<std::size_t> marks;  // per lesson
  };
  const auto row_of = [&](ClassId c, GroupId g, UserId student) {
    return host->read<JournalProjection>("journal", [&](const JournalProjection& j) {
      std::optional<Row> out;
      auto page = j.page(c, g, s.math, s.q1);
      if (page.ok())
        for (const JournalRow& r : page->rows)
          if (r.student == student) {
            out = Row{r.joined, r.left, {}};
            for (const JournalCell& cell : r.cells) out->marks.push_back(cell.marks.size());
          }
      return out;
    });
  };
  const auto in_5a = row_of(s.class_5a, 0, s.student_a1);
  REQUIRE(in_5a.has_value());  // stays on 5А's page, as in the paper journal
  CHECK(in_5a->joined == 0);
  CHECK(in_5a->left == transfer - 1);
  REQUIRE(in_5a->marks.size() == 2);
  CHECK(in_5a->marks[0] == 1);  // the fixture's mark from before the transfer is still there
  const auto in_5b = row_of(s.class_5b, 0, s.student_a1);
  REQUIRE(in_5b.has_value());
  CHECK(in_5b->joined == transfer);
  CHECK(in_5b->left == 0);
  const auto in_group = row_of(s.class_5a, s.group_5a_1, s.student_a1);
  REQUIRE(in_group.has_value());
  CHECK(in_group->left == transfer - 1);
  const auto stayed = row_of(s.class_5a, 0, s.student_a2);
  REQUIRE(stayed.has_value());
  CHECK(stayed->joined == 0);
  CHECK(stayed->left == 0);
  // A student who was never in 5Б is not on its page.
  CHECK_FALSE(row_of(s.class_5b, 0, s.student_a2).has_value());
}

TEST_CASE("a host compacting the journal every few events keeps the state a replay gives", "[projections]") {
  testkit::School s;
  HostOptions o;
  o.follow = false;
  o.compact_every = 2;  // nearly every catch-up compacts (and lays out the changed year again)
  std::vector<std::unique_ptr<Projection>> one;
  one.push_back(std::make_unique<JournalProjection>());
  auto host = ProjectionHost::start(s.log(), std::move(one), o);
  REQUIRE(host.ok());
  for (int round = 0; round < 5; ++round) {
    s.must(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a1, 2 + round % 4, s.answer, "", std::nullopt});
    const LessonId extra = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4 + 1 + round, 3});
    s.must(s.teacher_a, cmd::SetMark{extra, s.student_a2, 5, s.test, "", std::nullopt});
    REQUIRE((*host)->catch_up().ok());
  }
  JournalProjection replayed;
  for (auto c = s.log().cursor(1); c->valid(); c->next()) replayed.apply(view_of(c->position(), c->bytes()));
  const std::string live = (*host)->read<JournalProjection>("journal", [](const JournalProjection& j) { return j.snapshot(); });
  CHECK(live == replayed.snapshot());
  const auto page_marks = [](const JournalProjection& j, const testkit::School& school) {
    std::vector<std::size_t> out;
    auto page = j.page(school.class_5a, 0, school.math, school.q1);
    if (page.ok())
      for (const JournalRow& r : page->rows)
        for (const JournalCell& cell : r.cells) out.push_back(cell.marks.size());
    return out;
  };
  const auto live_marks = (*host)->read<JournalProjection>("journal", [&](const JournalProjection& j) { return page_marks(j, s); });
  CHECK(live_marks == page_marks(replayed, s));
  CHECK(live_marks.size() > 10);
}
