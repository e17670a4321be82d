// The promises a client builds on: a command id names one change, a closed term takes no direct change,
// the timetable stays honest, and "expect an empty cell" can be said (docs/domain.md, docs/protocol.md).
#include <future>

#include <catch2/catch.hpp>

#include "printers.h"
#include "school.h"

using namespace ejournal;
using namespace ejournal::domain;

namespace {

Code code_of(const Result<Executed>& r) { return r.ok() ? Code::ok : r.status().code(); }
Code code_of(const Result<Accepted>& r) { return r.ok() ? Code::ok : r.status().code(); }

}  // namespace

TEST_CASE("a command id reused for another change is refused, durable, in flight and after a restart",
          "[domain][idempotency]") {
  testkit::School s;
  const auto id = log::CommandId::random();
  const cmd::CreateStaffAccount first_change{"new.teacher", Role::Teacher, "Новый учитель", 0};
  auto first = s.domain().execute(s.admin, id, first_change);
  REQUIRE(first.ok());
  const auto head = s.log().head();

  auto reused = [&](UserId actor, Command c) {
    auto r = s.domain().execute(actor, id, std::move(c));
    CHECK(code_of(r) == Code::conflict);
    if (!r.ok()) CHECK_THAT(r.status().message(), Catch::Contains("command_id"));
  };
  SECTION("once durable") {
    reused(s.admin, cmd::CreateStaffAccount{"other.teacher", Role::Teacher, "Другой учитель", 0});
    reused(s.admin, cmd::CreateStaffAccount{"new.teacher", Role::Deputy, "Новый учитель", 0});
    reused(s.admin, cmd::BlockAccount{s.teacher_b, "увольнение"});
    reused(s.deputy, first_change);  // another user: not a retry either
    CHECK(s.log().head() == head);  // nothing was recorded
    auto retry = s.domain().execute(s.admin, id, first_change);
    REQUIRE(retry.ok());
    CHECK(retry->duplicate);
    CHECK(retry->created == first->created);
  }
  SECTION("after a restart") {
    s.reopen();
    reused(s.admin, cmd::CreateStaffAccount{"other.teacher", Role::Teacher, "Другой учитель", 0});
    CHECK(s.log().head() == head);
    auto retry = s.domain().execute(s.admin, id, first_change);
    REQUIRE(retry.ok());
    CHECK(retry->duplicate);
  }
  SECTION("a set_mark with another value or another version is another change") {
    const auto mark_id = log::CommandId::random();
    REQUIRE(s.domain().execute(s.teacher_a, mark_id, cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", std::nullopt}).ok());
    CHECK(code_of(s.domain().execute(s.teacher_a, mark_id, cmd::SetMark{s.lesson_5a, s.student_a2, 5, s.answer, "", std::nullopt})) == Code::conflict);
    CHECK(code_of(s.domain().execute(s.teacher_a, mark_id, cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", 0})) == Code::conflict);
    CHECK(s.domain().execute(s.teacher_a, mark_id, cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", std::nullopt})->duplicate);
  }
}

TEST_CASE("a command id reused while its first change is still in flight is refused", "[domain][idempotency]") {
  testkit::School s;
  const auto id = log::CommandId::random();
  std::promise<Result<Executed>> first_done;
  auto first = s.domain().submit(s.teacher_a, id, cmd::SetTopic{s.lesson_5a, "Дроби"},
                                 [&](Result<Executed> r) { first_done.set_value(std::move(r)); });
  bool second_called = false;
  auto second = s.domain().submit(s.teacher_a, id, cmd::SetTopic{s.lesson_5a, "Проценты"},
                                  [&](Result<Executed>) { second_called = true; });
  REQUIRE(first.ok());
  CHECK(code_of(second) == Code::conflict);
  REQUIRE(first_done.get_future().get().ok());
  CHECK_FALSE(second_called);
}

TEST_CASE("a retried credential is the same request though its password hash is new", "[domain][idempotency]") {
  testkit::School s;
  const auto id = log::CommandId::random();
  const std::string h1 = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
  const std::string h2 = "$argon2id$v=19$m=65536,t=2,p=1$b3RoZXJzYWx0$aGFzaGhhc2hoYXNoaGFzaA";
  REQUIRE(s.domain().execute(s.admin, id, cmd::IssueCredential{s.teacher_b, h1, true}).ok());
  auto again = s.domain().execute(s.admin, id, cmd::IssueCredential{s.teacher_b, h2, true});
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(code_of(s.domain().execute(s.admin, id, cmd::IssueCredential{s.teacher_a, h2, true})) == Code::conflict);
}

TEST_CASE("a closed term's lessons take no direct change of any kind", "[domain][rules][closed-term]") {
  testkit::School s;
  const auto empty = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4 + 1, 1});
  s.must(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a2, Attendance::Sick, std::nullopt});
  REQUIRE(code_of(s.run(s.deputy, cmd::CloseTerm{s.q1})) == Code::ok);

  const std::vector<std::pair<UserId, Command>> every = {
      {s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4 + 2, 1}},
      {s.teacher_a, cmd::SetTopic{s.lesson_5a, "Тема"}},
      {s.teacher_a, cmd::SetHomework{s.lesson_5a, "№ 1", testkit::kSep4 + 2}},
      {s.deputy, cmd::SubstituteLesson{s.lesson_5a, s.teacher_b, "болезнь"}},
      {s.deputy, cmd::CancelLesson{empty, "карантин"}},
      {s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", std::nullopt}},
      {s.teacher_a, cmd::CorrectMark{s.mark_a1, 4, s.answer, "ошибка", std::nullopt}},
      {s.teacher_a, cmd::RemoveMark{s.mark_a1, "ошибка", std::nullopt}},
      {s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a1, Attendance::Late, std::nullopt}},
      {s.teacher_a, cmd::ClearAttendance{s.lesson_5a, s.student_a2, "пришёл", std::nullopt}},
      {s.teacher_a, cmd::TakeAttendance{s.lesson_5a}},
      {s.teacher_a, cmd::SetAttestationMark{s.student_a1, s.math, AttestationKind::Term, s.q1, AttestationValue::Five, ""}},
  };
  const auto head = s.log().head();
  for (const auto& [actor, command] : every) {
    INFO(command_name(command));
    CHECK(code_of(s.run(actor, command)) == Code::term_closed);
  }
  CHECK(s.log().head() == head);

  // Reopened (with a reason), the deputy's changes go through again.
  REQUIRE(code_of(s.run(s.deputy, cmd::ReopenTerm{s.q1, "замены не были внесены"})) == Code::ok);
  CHECK(code_of(s.run(s.deputy, cmd::SubstituteLesson{s.lesson_5a, s.teacher_b, "болезнь"})) == Code::ok);
  CHECK(code_of(s.run(s.deputy, cmd::CancelLesson{empty, "карантин"})) == Code::ok);
}

TEST_CASE("a substitute who teaches in that period is refused, naming the clash", "[domain][rules][timetable]") {
  testkit::School s;
  // teacher_b gives 5Б's lesson in period 2 on 4 September; lesson_5a is period 1.
  const auto p2 = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4, 2});
  auto own = s.run(s.deputy, cmd::SubstituteLesson{p2, s.teacher_b, "болезнь"});
  CHECK(code_of(own) == Code::conflict);
  if (!own.ok()) CHECK_THAT(own.status().message(), Catch::Contains("5Б") && Catch::Contains("2-й урок"));

  // A substitution is teaching too: once teacher_b takes lesson_5a (period 1), another period-1 lesson clashes.
  REQUIRE(code_of(s.run(s.deputy, cmd::SubstituteLesson{s.lesson_5a, s.teacher_b, "болезнь"})) == Code::ok);
  const auto third = s.must(s.admin, cmd::CreateStaffAccount{"teacher.c", Role::Teacher, "Вера Павловна", 0});
  const auto math_5b_c = s.must(s.deputy, cmd::AssignTeacher{third, s.class_5b, 0, s.russian});
  const auto p1_5b = s.must(third, cmd::ScheduleLesson{math_5b_c, testkit::kSep4, 1});
  auto again = s.run(s.deputy, cmd::SubstituteLesson{p1_5b, s.teacher_b, "курсы"});
  CHECK(code_of(again) == Code::conflict);
  if (!again.ok()) CHECK_THAT(again.status().message(), Catch::Contains("замена"));

  // A lesson not held frees its teacher; another day or period is free anyway.
  REQUIRE(code_of(s.run(s.deputy, cmd::CancelLesson{s.lesson_5b, "экскурсия"})) == Code::ok);
  CHECK(code_of(s.run(s.deputy, cmd::SubstituteLesson{p2, s.teacher_b, "болезнь"})) == Code::ok);
  CHECK(code_of(s.run(s.deputy, cmd::SubstituteLesson{s.lesson_1a, third, "болезнь"})) == Code::ok);
}

TEST_CASE("a lesson with marks or attendance cannot be cancelled until they are removed", "[domain][rules]") {
  testkit::School s;
  s.must(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a2, Attendance::Absent, std::nullopt});
  auto refused = s.run(s.deputy, cmd::CancelLesson{s.lesson_5a, "карантин"});
  CHECK(code_of(refused) == Code::conflict);
  if (!refused.ok()) CHECK_THAT(refused.status().message(), Catch::Contains("отметок — 1") && Catch::Contains("посещаемости — 1"));

  s.must(s.teacher_a, cmd::RemoveMark{s.mark_a1, "урок не состоялся", std::nullopt});
  CHECK(code_of(s.run(s.deputy, cmd::CancelLesson{s.lesson_5a, "карантин"})) == Code::conflict);
  s.must(s.teacher_a, cmd::ClearAttendance{s.lesson_5a, s.student_a2, "урок не состоялся", std::nullopt});
  CHECK(code_of(s.run(s.deputy, cmd::CancelLesson{s.lesson_5a, "карантин"})) == Code::ok);

  SECTION("the counts are rebuilt by replay") {
    testkit::School t;
    t.must(t.teacher_a, cmd::SetAttendance{t.lesson_5a, t.student_a2, Attendance::Absent, std::nullopt});
    t.reopen();
    CHECK(code_of(t.run(t.deputy, cmd::CancelLesson{t.lesson_5a, "карантин"})) == Code::conflict);
  }
}

TEST_CASE("expected_version 0 means the cell must be empty; absent means no check", "[domain][rules][versions]") {
  testkit::School s;
  // (lesson_5a, student_a2) is empty; (lesson_5a, student_a1) holds mark_a1.
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a1, 4, s.answer, "", 0})) == Code::conflict);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", 0})) == Code::ok);
  // The second of two concurrent first writes loses.
  CHECK(code_of(s.run(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a2, Attendance::Late, 0})) == Code::conflict);
  CHECK(code_of(s.run(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a2, Attendance::Late, std::nullopt})) == Code::ok);
}
