// The rules a school relies on, one by one: what is refused, with which code, and that nothing is lost.
#include <future>

#include <catch2/catch.hpp>

#include "printers.h"
#include "school.h"

using namespace ejournal;
using namespace ejournal::domain;

namespace {
Code code_of(const Result<Executed>& r) { return r.ok() ? Code::ok : r.status().code(); }
}  // namespace

TEST_CASE("marks are whole numbers 1 to 5 of a known work type, and never in grade 1", "[domain][rules]") {
  testkit::School s;
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 0, s.answer, "", std::nullopt})) == Code::invalid_argument);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 6, s.answer, "", std::nullopt})) == Code::invalid_argument);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 4, 77, "", std::nullopt})) == Code::not_found);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 1, s.answer, "", std::nullopt})) == Code::ok);

  auto first_grade = s.run(s.teacher_a, cmd::SetMark{s.lesson_1a, s.student_1st, 5, s.answer, "", std::nullopt});
  CHECK(code_of(first_grade) == Code::invalid_argument);
  CHECK_THAT(first_grade.status().message(), Catch::Contains("1 классе"));
  // Attendance is kept in grade 1, and term results are words there.
  CHECK(code_of(s.run(s.teacher_a, cmd::SetAttendance{s.lesson_1a, s.student_1st, Attendance::Sick, std::nullopt})) == Code::ok);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetAttestationMark{s.student_1st, s.math, AttestationKind::Term, s.q1,
                                                           AttestationValue::Four, ""})) == Code::invalid_argument);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetAttestationMark{s.student_1st, s.math, AttestationKind::Term, s.q1,
                                                           AttestationValue::Passed, ""})) == Code::ok);
}

TEST_CASE("corrections and removals need a reason and a live mark", "[domain][rules]") {
  testkit::School s;
  CHECK(code_of(s.run(s.teacher_a, cmd::CorrectMark{s.mark_a1, 4, s.answer, "", std::nullopt})) == Code::invalid_argument);
  CHECK(code_of(s.run(s.teacher_a, cmd::CorrectMark{s.mark_a1, 4, s.answer, "   ", std::nullopt})) == Code::invalid_argument);
  CHECK(code_of(s.run(s.teacher_a, cmd::RemoveMark{s.mark_a1, "", std::nullopt})) == Code::invalid_argument);
  CHECK(code_of(s.run(s.teacher_a, cmd::CorrectMark{s.mark_a1, 4, s.answer, "ошибка при вводе", std::nullopt})) == Code::ok);
  CHECK(code_of(s.run(s.teacher_a, cmd::RemoveMark{s.mark_a1, "поставлена не тому ученику", std::nullopt})) == Code::ok);
  CHECK(code_of(s.run(s.teacher_a, cmd::CorrectMark{s.mark_a1, 3, s.answer, "ещё раз", std::nullopt})) == Code::conflict);
  CHECK(code_of(s.run(s.teacher_a, cmd::CorrectMark{9999, 3, s.answer, "нет такой", std::nullopt})) == Code::not_found);
}

TEST_CASE("a cancelled lesson takes no marks, and a substituted one belongs to the substitute", "[domain][rules]") {
  testkit::School s;
  REQUIRE(code_of(s.run(s.deputy, cmd::SubstituteLesson{s.lesson_5a, s.teacher_b, "болезнь"})) == Code::ok);
  CHECK(code_of(s.run(s.teacher_b, cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", std::nullopt})) == Code::ok);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", std::nullopt})) == Code::forbidden);

  REQUIRE(code_of(s.run(s.deputy, cmd::CancelLesson{s.lesson_5b, "актированный день"})) == Code::ok);
  CHECK(code_of(s.run(s.teacher_b, cmd::SetMark{s.lesson_5b, s.student_b1, 5, s.answer, "", std::nullopt})) == Code::conflict);
  CHECK(code_of(s.run(s.teacher_b, cmd::SetTopic{s.lesson_5b, "Тема"})) == Code::conflict);
  CHECK(code_of(s.run(s.deputy, cmd::CancelLesson{s.lesson_5b, "ещё раз"})) == Code::conflict);
}

TEST_CASE("a mark goes only to a student of the lesson's class or group", "[domain][rules]") {
  testkit::School s;
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_b1, 5, s.answer, "", std::nullopt})) == Code::invalid_argument);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{s.lesson_5a, 4242, 5, s.answer, "", std::nullopt})) == Code::invalid_argument);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{4242, s.student_a1, 5, s.answer, "", std::nullopt})) == Code::not_found);
  // A group lesson: only the group's members.
  const auto english = s.must(s.deputy, cmd::CreateSubject{"Английский язык", "англ"});
  const auto group_assignment = s.must(s.deputy, cmd::AssignTeacher{s.teacher_a, s.class_5a, s.group_5a_1, english});
  const auto lesson = s.must(s.teacher_a, cmd::ScheduleLesson{group_assignment, testkit::kSep4, 6});
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{lesson, s.student_a1, 5, s.answer, "", std::nullopt})) == Code::ok);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{lesson, s.student_a2, 5, s.answer, "", std::nullopt})) == Code::invalid_argument);
}

TEST_CASE("a closed term takes changes only through a deputy-approved request", "[domain][rules]") {
  testkit::School s;
  REQUIRE(code_of(s.run(s.deputy, cmd::CloseTerm{s.q1})) == Code::ok);
  CHECK(code_of(s.run(s.deputy, cmd::CloseTerm{s.q1})) == Code::conflict);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", std::nullopt})) == Code::term_closed);
  CHECK(code_of(s.run(s.teacher_a, cmd::CorrectMark{s.mark_a1, 4, s.answer, "ошибка", std::nullopt})) == Code::term_closed);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetTopic{s.lesson_5a, "Тема"})) == Code::term_closed);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetAttestationMark{s.student_a1, s.math, AttestationKind::Term, s.q1,
                                                           AttestationValue::Five, ""})) == Code::term_closed);

  const auto request = s.must(s.teacher_a, cmd::RequestCorrection{fb::CorrectionKind::SetMark, s.lesson_5a, s.student_a2,
                                                                   0, 4, s.answer, Attendance::Absent, "не внесла вовремя"});
  CHECK(request > 0);
  CHECK(code_of(s.run(s.teacher_a, cmd::ApproveCorrection{request, ""})) == Code::forbidden);
  auto approved = s.run(s.deputy, cmd::ApproveCorrection{request, "согласовано"});
  REQUIRE(approved.ok());
  CHECK(approved->count == 2);    // the approval and the mark itself
  CHECK(approved->created > s.mark_a1);  // the new mark
  CHECK(code_of(s.run(s.deputy, cmd::RejectCorrection{request, "поздно"})) == Code::conflict);

  // A request for an open term is pointless: change it directly.
  const auto lesson_q2 = s.must(s.teacher_b, cmd::ScheduleLesson{s.math_5b, testkit::kNov6, 2});
  CHECK(code_of(s.run(s.teacher_b, cmd::RequestCorrection{fb::CorrectionKind::SetMark, lesson_q2, s.student_b1, 0, 4,
                                                          s.answer, Attendance::Absent, "причина"})) ==
        Code::invalid_argument);
  REQUIRE(code_of(s.run(s.deputy, cmd::ReopenTerm{s.q1, "ошибка в итоговых"})) == Code::ok);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", std::nullopt})) == Code::ok);
}

TEST_CASE("two teachers, one cell: the second sees a conflict", "[domain][rules]") {
  testkit::School s;
  // The cell (lesson_5a, student_a1) has seen one change: mark_a1.
  REQUIRE(code_of(s.run(s.deputy, cmd::SubstituteLesson{s.lesson_5a, s.teacher_a, "x"})) == Code::invalid_argument);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a1, 4, s.answer, "", 1})) == Code::ok);
  auto late = s.run(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a1, Attendance::Late, 1});
  CHECK(code_of(late) == Code::conflict);
  CHECK_THAT(late.status().message(), Catch::Contains("другой пользователь"));
  CHECK(code_of(s.run(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a1, Attendance::Late, 2})) == Code::ok);
}

TEST_CASE("membership and links are not duplicated", "[domain][rules]") {
  testkit::School s;
  CHECK(code_of(s.run(s.teacher_a, cmd::AddStudentToGroup{s.student_a1, s.group_5a_1})) == Code::conflict);
  CHECK(code_of(s.run(s.teacher_a, cmd::LinkParent{s.parent_a1, s.student_a1})) == Code::conflict);
  CHECK(code_of(s.run(s.teacher_a, cmd::TransferStudent{s.student_a1, s.class_5a, testkit::kNov6, "x"})) == Code::invalid_argument);
  CHECK(code_of(s.run(s.deputy, cmd::ScheduleLesson{s.math_5a, testkit::kSep4, 1})) == Code::conflict);
  CHECK(code_of(s.run(s.admin, cmd::CreateStaffAccount{"teacher.a", Role::Teacher, "Двойник", 0})) == Code::conflict);
  CHECK(code_of(s.run(s.admin, cmd::GrantRole{s.teacher_a, Role::Curator, s.class_5b})) == Code::conflict);
}

TEST_CASE("a blocked account can do nothing until unblocked", "[domain][rules]") {
  testkit::School s;
  REQUIRE(code_of(s.run(s.admin, cmd::BlockAccount{s.teacher_b, "подозрение на утечку пароля"})) == Code::ok);
  CHECK(code_of(s.run(s.teacher_b, cmd::SetMark{s.lesson_5b, s.student_b1, 5, s.answer, "", std::nullopt})) == Code::forbidden);
  CHECK(code_of(s.run(s.admin, cmd::BlockAccount{s.admin, "сам себя"})) == Code::conflict);
  REQUIRE(code_of(s.run(s.admin, cmd::UnblockAccount{s.teacher_b, "пароль сменён"})) == Code::ok);
  CHECK(code_of(s.run(s.teacher_b, cmd::SetMark{s.lesson_5b, s.student_b1, 5, s.answer, "", std::nullopt})) == Code::ok);
  CHECK(code_of(s.run(s.director, cmd::UnblockAccount{s.teacher_b, "x"})) == Code::forbidden);
}

TEST_CASE("a repeated command id gets the first answer and changes nothing", "[domain][idempotency]") {
  testkit::School s;
  const auto id = log::CommandId::random();
  auto first = s.domain().execute(s.deputy, id, cmd::CreateClass{s.year, 7, "7А"});
  REQUIRE(first.ok());
  auto again = s.domain().execute(s.deputy, id, cmd::CreateClass{s.year, 7, "7А"});
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->first == first->first);
  CHECK(again->created == first->created);
  // No second class was made: the next one gets the next id.
  CHECK(s.must(s.deputy, cmd::CreateClass{s.year, 7, "7Б"}) == first->created + 1);

  SECTION("also after a restart") {
    s.reopen();
    auto after = s.domain().execute(s.deputy, id, cmd::CreateClass{s.year, 7, "7А"});
    REQUIRE(after.ok());
    CHECK(after->duplicate);
    CHECK(after->created == first->created);
  }
}

TEST_CASE("the model rebuilt by replay decides as the live one did", "[domain][replay]") {
  testkit::School s;
  const auto head = s.log().head();
  s.reopen();
  CHECK(s.log().head() == head);
  CHECK(code_of(s.run(s.teacher_a, cmd::CorrectMark{s.mark_a1, 4, s.answer, "после перезапуска", std::nullopt})) == Code::ok);
  CHECK(code_of(s.run(s.teacher_b, cmd::SetMark{s.lesson_5a, s.student_a1, 4, s.answer, "", std::nullopt})) == Code::forbidden);
  const auto next = s.must(s.deputy, cmd::CreateClass{s.year, 8, "8А"});
  CHECK(next == s.class_5b + 1);
  auto report = s.log().verify(1, s.log().head());
  REQUIRE(report.ok());
  CHECK(report->ok());
}

TEST_CASE("the first administrator is made by the system, and only once", "[domain][rules]") {
  testkit::School s;
  CHECK(code_of(s.run(0, cmd::CreateStaffAccount{"admin2", Role::Administrator, "Второй", 0})) == Code::forbidden);
  CHECK(code_of(s.run(s.admin, cmd::CreateStaffAccount{"admin2", Role::Administrator, "Второй", 0})) == Code::ok);
  CHECK(code_of(s.run(s.admin, cmd::CreateStaffAccount{"BAD LOGIN", Role::Teacher, "Х", 0})) == Code::invalid_argument);
  CHECK(code_of(s.run(s.admin, cmd::CreateStaffAccount{"kid", Role::Student, "Х", 0})) == Code::invalid_argument);
}

TEST_CASE("a retry while the first is still in flight is answered with the first", "[domain][idempotency]") {
  testkit::School s;
  const auto id = log::CommandId::random();
  std::promise<Result<Executed>> first_done, second_done;
  auto first = s.domain().submit(s.teacher_a, id, cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", std::nullopt},
                                 [&](Result<Executed> r) { first_done.set_value(std::move(r)); });
  auto second = s.domain().submit(s.teacher_a, id, cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", std::nullopt},
                                  [&](Result<Executed> r) { second_done.set_value(std::move(r)); });
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK_FALSE(first->duplicate);
  CHECK(second->created == first->created);
  auto a = first_done.get_future().get();
  auto b = second_done.get_future().get();
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(b->duplicate);
  CHECK(a->first == b->first);
  // Only one mark was made.
  CHECK(s.must(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 3, s.answer, "", std::nullopt}) == first->created + 1);
}

TEST_CASE("lessons come from the timetable for school days within terms only", "[domain][rules]") {
  testkit::School s;
  // Math in 5Б on Mondays, 2nd period, and on Wednesdays, 1st — all year.
  s.must(s.deputy, cmd::SetTimetableEntry{s.math_5b, 1, 2, testkit::kSep1, testkit::kMay31});
  s.must(s.deputy, cmd::SetTimetableEntry{s.math_5b, 3, 1, testkit::kSep1, testkit::kMay31});
  // 2023-10-30 (Mon) .. 2023-11-08 (Wed): Oct 30 and 31 are in quarter 1, Nov 1–5 are holidays, Nov 6 and 8 in q2.
  auto r = s.run(s.deputy, cmd::ScheduleFromTimetable{19660, 19669});
  REQUIRE(r.ok());
  CHECK(r->count == 3);  // Mon Oct 30, Mon Nov 6, Wed Nov 8
  // Running it again adds nothing; the Monday 2nd period of Sep 4 was already scheduled by hand.
  CHECK(s.run(s.deputy, cmd::ScheduleFromTimetable{19660, 19669}).status().code() == Code::conflict);
  auto sept = s.run(s.deputy, cmd::ScheduleFromTimetable{testkit::kSep4, testkit::kSep4 + 6});
  REQUIRE(sept.ok());
  CHECK(sept->count == 1);  // only Wednesday: Monday's slot exists
  CHECK(s.run(s.deputy, cmd::ScheduleFromTimetable{testkit::kSep1, testkit::kSep1 + 40}).status().code() ==
        Code::invalid_argument);
}

TEST_CASE("year marks belong to an academic year", "[domain][rules]") {
  testkit::School s;
  const auto year_mark = [&](YearId year) {
    return s.run(s.teacher_a, cmd::SetAttestationMark{s.student_a1, s.math, AttestationKind::Year, 0,
                                                      AttestationValue::Four, "", year});
  };
  CHECK(code_of(year_mark(0)) == Code::not_found);
  CHECK(code_of(year_mark(s.year)) == Code::ok);
  CHECK(code_of(year_mark(s.year)) == Code::invalid_argument);  // a second one needs a reason
  const auto next = s.must(s.deputy, cmd::OpenYear{"2024/2025", 19967, 20239});
  CHECK(code_of(year_mark(next)) == Code::invalid_argument);  // the student's class is of 2023/2024
  CHECK(code_of(s.run(s.teacher_a, cmd::SetAttestationMark{s.student_a1, s.math, AttestationKind::Year, s.q1,
                                                           AttestationValue::Four, "", s.year})) == Code::invalid_argument);
}

TEST_CASE("groups taught one subject are halves of a split: a pupil is in at most one of them", "[domain][rules]") {
  testkit::School s;
  // 5А's English in two groups; student_a1 is in group 1 (the fixture's).
  const auto group_2 = s.must(s.teacher_a, cmd::CreateStudyGroup{s.class_5a, "Английский, группа 2"});
  s.must(s.deputy, cmd::AssignTeacher{s.teacher_a, s.class_5a, s.group_5a_1, s.russian});
  s.must(s.deputy, cmd::AssignTeacher{s.teacher_b, s.class_5a, group_2, s.russian});
  auto both = s.run(s.teacher_a, cmd::AddStudentToGroup{s.student_a1, group_2});
  CHECK(code_of(both) == Code::conflict);
  CHECK_THAT(both.status().message(), Catch::Contains("Английский, группа 1"));
  s.must(s.teacher_a, cmd::AddStudentToGroup{s.student_a2, group_2});  // the other pupil: one half only

  // A group of another split (informatics) may share pupils with the English halves.
  const auto info = s.must(s.teacher_a, cmd::CreateStudyGroup{s.class_5a, "Информатика, группа А"});
  s.must(s.teacher_a, cmd::AddStudentToGroup{s.student_a1, info});
  s.must(s.teacher_a, cmd::AddStudentToGroup{s.student_a2, info});
  s.must(s.deputy, cmd::AssignTeacher{s.teacher_b, s.class_5a, info, s.math});
  // But it cannot also be taught English: its pupils already learn it in their halves.
  CHECK(code_of(s.run(s.deputy, cmd::AssignTeacher{s.teacher_b, s.class_5a, info, s.russian})) == Code::conflict);
}
