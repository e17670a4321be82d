// The deputies' control: topics, registers and homework entered by the end of the lesson day, late marks,
// homework reviews, the register of missed and substituted lessons, and the teachers' time sheet.
#include <catch2/catch.hpp>

#include <algorithm>

#include "ejournal/projections/control.h"
#include "ejournal/projections/host.h"
#include "one_projection.h"
#include "school.h"

using namespace ejournal;
using namespace ejournal::domain;
using namespace ejournal::projections;
using testkit::kSep1;
using testkit::kSep4;
using testkit::school_time;

TEST_CASE("control reports what each teacher left undone by the end of the lesson day", "[projections][control]") {
  // The fixture is built on Monday Sep 4 at 08:00; its mark in lesson_5a is entered on time.
  testkit::School s(school_time(kSep4, 8));
  const Day sep5 = kSep4 + 1, sep6 = kSep4 + 2, sep8 = kSep4 + 4, sep20 = kSep4 + 16;

  s.clock->set(school_time(kSep4, 9));
  s.must(s.teacher_a, cmd::SetTopic{s.lesson_5a, "Натуральные числа"});
  s.must(s.teacher_a, cmd::TakeAttendance{s.lesson_5a});
  s.must(s.teacher_a, cmd::SetHomework{s.lesson_5a, "№ 1–5", sep6});
  s.must(s.teacher_b, cmd::SetAttendance{s.lesson_5b, s.student_b1, Attendance::Sick, std::nullopt});  // the register, by an absence
  // lesson_1a: teacher_a writes nothing at all.
  const LessonId sub = s.must(s.deputy, cmd::ScheduleLesson{s.math_5a, sep5, 1});
  const LessonId cancelled = s.must(s.deputy, cmd::ScheduleLesson{s.math_5b, sep5, 2});
  const LessonId ahead = s.must(s.deputy, cmd::ScheduleLesson{s.math_5a, sep20, 1});
  s.must(s.deputy, cmd::SubstituteLesson{sub, s.teacher_b, "болезнь учителя"});
  s.must(s.deputy, cmd::CancelLesson{cancelled, "карантин"});

  s.clock->set(school_time(sep5, 10));
  s.must(s.teacher_b, cmd::SetTopic{sub, "Сложение"});
  s.must(s.teacher_b, cmd::TakeAttendance{sub});

  s.clock->set(school_time(sep6, 15));
  s.must(s.teacher_b, cmd::SetTopic{s.lesson_5b, "Натуральные числа"});  // two days late
  s.must(s.deputy, cmd::ReviewHomework{s.lesson_5a, false, "Слишком большой объём"});

  s.clock->set(school_time(sep8, 19));
  const MarkId late = s.must(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", std::nullopt});

  auto host = host_of<ControlProjection>(s);
  const Day sep30 = kSep1 + 29;
  const TeacherControl a = host->read<ControlProjection>("control", [&](const ControlProjection& c) {
    return c.teacher(s.teacher_a, kSep1, sep30, sep8);
  });
  CHECK(a.lessons == 2);  // lesson_5a and lesson_1a; the substituted one is teacher_b's, Sep 20 is ahead
  CHECK(a.without_topic == std::vector<LessonId>{s.lesson_1a});
  CHECK(a.register_not_taken == std::vector<LessonId>{s.lesson_1a});
  CHECK(a.without_homework == std::vector<LessonId>{s.lesson_1a});
  REQUIRE(a.late_marks.size() == 1);
  CHECK(a.late_marks[0].mark == late);
  CHECK(a.late_marks[0].days_late() == 4);
  CHECK(a.max_days_late == 4);
  CHECK(a.reviews == 1);
  CHECK(a.reviews_not_conforming == 1);

  const TeacherControl b = host->read<ControlProjection>("control", [&](const ControlProjection& c) {
    return c.teacher(s.teacher_b, kSep1, sep30, sep8);
  });
  CHECK(b.lessons == 2);  // lesson_5b and the substitution
  CHECK(b.without_topic == std::vector<LessonId>{s.lesson_5b});
  CHECK(b.register_not_taken.empty());
  CHECK(b.without_homework == std::vector<LessonId>{s.lesson_5b, sub});
  CHECK(b.late_marks.empty());

  // The same day, before it ends, nothing is missing yet; a lesson ahead is never missing anything.
  const TeacherControl same_day = host->read<ControlProjection>("control", [&](const ControlProjection& c) {
    return c.teacher(s.teacher_a, kSep4, kSep4, kSep4);
  });
  CHECK(same_day.lessons == 2);
  CHECK(same_day.without_topic.empty());
  CHECK(host->read<ControlProjection>("control", [&](const ControlProjection& c) {
    return c.teacher(s.teacher_a, sep20, sep20, sep20 + 30).lessons;
  }) == 1);
  CHECK(host->read<ControlProjection>("control", [&](const ControlProjection& c) {
    return c.teacher(s.teacher_a, sep20, sep20, sep8).lessons;
  }) == 0);
  const ControlLesson ahead_lesson = host->read<ControlProjection>("control", [&](const ControlProjection& c) { return *c.lesson(ahead); });
  CHECK(ahead_lesson.day == sep20);
  CHECK(ahead_lesson.teacher == s.teacher_a);
  CHECK(ahead_lesson.topic_day == 0);

  const auto overview = host->read<ControlProjection>("control", [&](const ControlProjection& c) { return c.overview(kSep1, sep30, sep8); });
  REQUIRE(overview.size() == 2);
  CHECK(overview[0].teacher == s.teacher_a);
  CHECK(overview[1].teacher == s.teacher_b);

  const auto reg = host->read<ControlProjection>("control", [&](const ControlProjection& c) { return c.missed_and_substituted(kSep1, sep30); });
  REQUIRE(reg.size() == 2);
  CHECK(reg[0].id == sub);
  CHECK(reg[0].substitute == s.teacher_b);
  CHECK(reg[0].teacher == s.teacher_a);
  CHECK(reg[0].reason == "болезнь учителя");
  CHECK(reg[1].id == cancelled);
  CHECK_FALSE(reg[1].held);
  CHECK(reg[1].reason == "карантин");

  CHECK(host->read<ControlProjection>("control", [&](const ControlProjection& c) { return c.late_marks(3).size(); }) == 1);
  CHECK(host->read<ControlProjection>("control", [&](const ControlProjection& c) { return c.late_marks(4).size(); }) == 0);
}

TEST_CASE("the time sheet counts a substitution for the substitute and not the absent teacher", "[projections][control]") {
  testkit::School s(school_time(kSep4, 8));
  const Day sep5 = kSep4 + 1, sep8 = kSep4 + 4;
  const LessonId sub = s.must(s.deputy, cmd::ScheduleLesson{s.math_5a, sep5, 1});
  const LessonId cancelled = s.must(s.deputy, cmd::ScheduleLesson{s.math_5b, sep5, 2});
  s.must(s.deputy, cmd::SubstituteLesson{sub, s.teacher_b, "курсы повышения квалификации"});
  s.must(s.deputy, cmd::CancelLesson{cancelled, "карантин"});
  s.must(s.deputy, cmd::ScheduleLesson{s.math_5a, sep8, 1});

  auto host = host_of<ControlProjection>(s);
  const auto sheet = host->read<ControlProjection>("control", [&](const ControlProjection& c) { return c.time_sheet(kSep1, sep8); });
  REQUIRE(sheet.size() == 2);
  const TimeSheetRow& a = sheet[0];
  const TimeSheetRow& b = sheet[1];
  CHECK(a.teacher == s.teacher_a);
  CHECK(a.given == 3);          // lesson_5a, lesson_1a (Sep 4), and Sep 8
  CHECK(a.substitutions == 0);
  CHECK(a.missed == 1);         // the substituted lesson
  CHECK(b.teacher == s.teacher_b);
  CHECK(b.given == 1);          // lesson_5b
  CHECK(b.substitutions == 1);  // teacher_a's lesson on Sep 5
  CHECK(b.missed == 1);         // the cancelled lesson
  // The табель's hours by day: teacher_a two on Sep 4 and one on Sep 8; teacher_b one on Sep 4 (own) and one on
  // Sep 5 (the substitution); the cancelled lesson gives no hour.
  using Hours = std::vector<std::pair<Day, int>>;
  CHECK(a.hours_by_day == Hours{{kSep4, 2}, {sep8, 1}});
  CHECK(b.hours_by_day == Hours{{kSep4, 1}, {sep5, 1}});
  // Every lesson of a day, by class then period.
  const auto sep5_lessons = host->read<ControlProjection>("control", [&](const ControlProjection& c) { return c.lessons_on(sep5); });
  REQUIRE(sep5_lessons.size() == 2);
  CHECK(sep5_lessons[0].id == sub);        // 5А
  CHECK(sep5_lessons[1].id == cancelled);  // 5Б
  // A window that ends before Sep 8 leaves that lesson out.
  const auto first_week = host->read<ControlProjection>("control", [&](const ControlProjection& c) { return c.time_sheet(kSep1, sep5); });
  REQUIRE(first_week.size() == 2);
  CHECK(first_week[0].given == 2);

  // A teacher's day: their own lessons and those they give for someone else, by period.
  const auto b_day = host->read<ControlProjection>("control", [&](const ControlProjection& c) { return c.day_of(s.teacher_b, sep5); });
  REQUIRE(b_day.size() == 2);
  CHECK(b_day[0].id == sub);
  CHECK(b_day[0].substitute == s.teacher_b);
  CHECK(b_day[1].id == cancelled);
  CHECK_FALSE(b_day[1].held);
  const auto a_day = host->read<ControlProjection>("control", [&](const ControlProjection& c) { return c.day_of(s.teacher_a, sep5); });
  REQUIRE(a_day.size() == 1);  // still listed for the absent teacher, with who gives it
  CHECK(a_day[0].id == sub);
  CHECK(host->read<ControlProjection>("control", [&](const ControlProjection& c) { return c.day_of(s.teacher_a, sep8).size(); }) == 1);
  CHECK(host->read<ControlProjection>("control", [&](const ControlProjection& c) { return c.day_of(s.teacher_a, sep5 + 1).size(); }) == 0);
}
