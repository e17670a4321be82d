// Scope over the wire: every protocol operation, sent by every role through a real server, in and out of the
// caller's class, child and assignment. The expected rights are the contract's — docs/protocol.md (queries,
// subscriptions) and docs/domain.md (commands) — written down here once more so that a change to the code's
// checks, or a new operation without a row, fails this test. (tests/domain/permission_test.cc checks the
// domain's decisions; this checks what the network lets through to them and what it answers itself.)
//
// Then what a subscriber receives: only records inside its scope, until its rights or its session end —
// a session ended on one connection (sign-out, expiry, a password reset, a blocked account) is dead on all.
#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "api.h"
#include "backup_ops.h"
#include "command_json.h"
#include "queries.h"
#include "server_fixture.h"

using namespace ejournal;
using namespace ejournal::servertest;

namespace {

// The roles of the test school, one signed-in connection each.
const std::vector<std::string> kRoles = {"admin", "director", "deputy", "teacher.a", "teacher.b", "student", "parent.a", "parent.b"};
// teacher.a: math in 5А and 1А, curator of 5А; teacher.b: math in 5Б, curator of 5Б; student: 5А (a1);
// parent.a: a1's; parent.b: b1's (5Б).

using Allowed = std::set<std::string>;
const Allowed kAnyone(kRoles.begin(), kRoles.end());
const Allowed kStaff = {"admin", "director", "deputy", "teacher.a", "teacher.b"};
const Allowed kManagers = {"director", "deputy"};            // read: deputies and the director
const Allowed kSchoolManagers = {"admin", "deputy"};         // write: structure of the school
const Allowed kAdmin = {"admin"};
const Allowed kDeputy = {"deputy"};

Allowed with(Allowed base, std::initializer_list<std::string> more) {
  base.insert(more.begin(), more.end());
  return base;
}

struct Signed {
  Fixture& f;
  std::map<std::string, std::unique_ptr<testkit::WsClient>> as;

  explicit Signed(Fixture& fixture) : f(fixture) {
    auto& s = f.school;
    const std::map<std::string, std::string> logins = {
        {"admin", "admin"},         {"director", "director"},
        {"deputy", "deputy"},       {"teacher.a", "teacher.a"},
        {"teacher.b", "teacher.b"}, {"student", "s" + std::to_string(s.student_a1)},
        {"parent.a", "p" + std::to_string(s.parent_a1)}, {"parent.b", "p" + std::to_string(s.parent_b1)}};
    for (const auto& [role, login] : logins) as[role] = signed_in(f, login);
    // The administrator's password is one-time in the fixture.
    REQUIRE(ok(as["admin"]->call("auth.change_password", json::object{{"old_password", kPassword}, {"new_password", "Админ-пароль-2024"}})));
  }
};

std::string describe(const json::value& answer) { return json::serialize(answer); }

// The operations docs/protocol.md documents: the names in the first column of its tables headed `| op |`
// (several to a cell as `a` / `b` or `a`, `b`; a parenthesis there is about arguments, not names).
std::set<std::string> documented_operations() {
  std::ifstream in(EJ_PROTOCOL_DOC);
  REQUIRE(in.good());
  std::set<std::string> out;
  const std::regex name(R"(`([a-z_]+(?:\.[a-z_]+)?)`)");
  bool op_table = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("|", 0) != 0) {
      op_table = false;
      continue;
    }
    if (line.rfind("| op |", 0) == 0) {
      op_table = true;
      continue;
    }
    if (!op_table) continue;
    std::string cell = line.substr(1, line.find('|', 1) - 1);
    cell = std::regex_replace(cell, std::regex(R"(\([^)]*\))"), "");
    for (auto it = std::sregex_iterator(cell.begin(), cell.end(), name); it != std::sregex_iterator(); ++it) out.insert((*it)[1]);
  }
  return out;
}

}  // namespace

TEST_CASE("every query answers exactly the roles and scopes the contract gives it", "[server][scope]") {
  Fixture f;
  auto& s = f.school;
  // A correction request for control.corrections, a closed term for audit.after_close.
  const auto lesson_q2 = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kNov6, 1});
  const auto mark_q2 = s.must(s.teacher_a, cmd::SetMark{lesson_q2, s.student_a1, 3, s.answer, "", std::nullopt});
  s.must(s.deputy, cmd::CloseTerm{s.q2});
  s.must(s.teacher_a, cmd::RequestCorrection{fb::CorrectionKind::CorrectMark, 0, 0, mark_q2, 4, s.answer, Attendance::Absent, "описка"});
  f.settle();
  Signed who(f);

  const json::string a1 = json::string(std::to_string(s.student_a1));
  const json::object week_a1{{"student", s.student_a1}, {"monday", "2023-09-04"}};
  const json::object week_b1{{"student", s.student_b1}, {"monday", "2023-09-04"}};
  const json::object month{{"from", "2023-09-01"}, {"to", "2023-09-30"}};
  auto plus = [](json::object o, std::initializer_list<std::pair<json::string_view, json::value>> more) {
    for (const auto& [k, v] : more) o[k] = v;
    return o;
  };
  const Allowed diary_a1 = {"director", "deputy", "teacher.a", "student", "parent.a"};
  const Allowed diary_b1 = {"director", "deputy", "teacher.b", "parent.b"};

  struct Row {
    std::string op;
    json::object args;
    Allowed allowed;
    std::string answer = "ok";  // what an allowed caller gets
  };
  const std::vector<Row> rows = {
      {"me", {}, kAnyone},
      {"roster.classes", {}, kStaff},
      {"roster.staff", {}, kStaff},
      {"roster.assignments", {}, kStaff},
      {"roster.assignments", {{"teacher", s.teacher_b}}, kStaff},
      {"roster.subjects", {}, kAnyone},
      {"roster.terms", {}, kAnyone},
      {"roster.work_types", {}, kAnyone},
      {"roster.years", {}, kStaff},
      {"roster.timetable", {{"class_id", s.class_5a}}, kStaff},
      {"roster.class", {{"class_id", s.class_5a}}, with(kManagers, {"admin", "teacher.a"})},
      {"roster.class", {{"class_id", s.class_5b}}, with(kManagers, {"admin", "teacher.b"})},
      {"roster.groups", {{"class_id", s.class_5a}}, with(kManagers, {"admin", "teacher.a"})},
      {"roster.groups", {{"class_id", s.class_5b}}, with(kManagers, {"admin", "teacher.b"})},
      {"people.personal_data", {{"kind", "student"}, {"subject", s.student_a1}}, with(kManagers, {"teacher.a"})},
      {"people.personal_data", {{"kind", "student"}, {"subject", s.student_b1}}, with(kManagers, {"teacher.b"})},
      {"people.personal_data", {{"kind", "parent"}, {"subject", s.parent_a1}}, with(kManagers, {"teacher.a"})},
      {"people.find_parent", {{"login", "p" + std::to_string(s.parent_a1)}}, with(kManagers, {"teacher.a", "teacher.b"})},
      {"journal.page", {{"class_id", s.class_5a}, {"subject", s.math}, {"term", s.q1}}, with(kManagers, {"teacher.a"})},
      {"journal.page", {{"class_id", s.class_5b}, {"subject", s.math}, {"term", s.q1}}, with(kManagers, {"teacher.b"})},
      {"journal.page", {{"class_id", s.class_5a}, {"subject", s.russian}, {"term", s.q1}}, with(kManagers, {"teacher.a"})},  // its curator
      {"diary.week", week_a1, diary_a1},
      {"diary.week", week_b1, diary_b1},
      {"diary.chart", {{"student", s.student_a1}, {"subject", s.math}}, diary_a1},
      {"diary.chart", {{"student", s.student_b1}, {"subject", s.math}}, diary_b1},
      {"audit.cell", {{"lesson", s.lesson_5a}, {"student", s.student_a1}}, kManagers},
      {"audit.student", {{"student", s.student_a1}}, kManagers},
      {"audit.actor", {{"actor", s.teacher_a}}, kManagers},
      {"audit.class_subject", {{"class_id", s.class_5a}, {"subject", s.math}}, kManagers},
      {"audit.changes",
       {{"class_id", s.class_5a}, {"subject", s.math}, {"from", "2023-09-01T00:00:00+03:00"}, {"to", "2030-01-01T00:00:00+03:00"}},
       kManagers},
      {"audit.after_close", {}, kManagers},
      {"audit.late", {{"days", 3}}, kManagers},
      {"control.teacher", plus(month, {{"teacher", s.teacher_a}}), with(kManagers, {"teacher.a"})},
      {"control.teacher", plus(month, {{"teacher", s.teacher_b}}), with(kManagers, {"teacher.b"})},
      {"control.day", {{"teacher", s.teacher_a}, {"day", "2023-09-04"}}, with(kManagers, {"teacher.a"})},
      {"control.day", {{"teacher", s.teacher_b}, {"day", "2023-09-04"}}, with(kManagers, {"teacher.b"})},
      {"control.overview", month, kManagers},
      {"control.time_sheet", month, kManagers},
      {"control.lessons_on", {{"day", "2023-09-04"}}, kManagers},
      {"control.lesson_details", {{"lessons", json::array{s.lesson_5a, s.lesson_5b}}}, kManagers},
      {"control.register", month, kManagers},
      {"control.late_marks", {{"days", 3}}, kManagers},
      {"control.corrections", {}, with(kManagers, {"teacher.a", "teacher.b"})},  // a teacher: their own
      {"control.corrections", {{"teacher", s.teacher_a}}, with(kManagers, {"teacher.a"})},
      {"control.corrections", {{"teacher", s.teacher_b}}, with(kManagers, {"teacher.b"})},
      {"stats.summary", {}, with(kManagers, {"admin"})},
      {"stats.progress", plus(month, {{"class_id", s.class_5a}}), with(kManagers, {"teacher.a"})},
      {"stats.progress", plus(month, {{"class_id", s.class_5b}}), with(kManagers, {"teacher.b"})},
      {"stats.progress", month, kManagers},
      {"report.make", {{"kind", "journal"}, {"format", "csv"}, {"class", "5А"}, {"subject", "Математика"}}, with(kManagers, {"teacher.a"})},
      {"report.make", {{"kind", "journal"}, {"format", "csv"}, {"class", "5Б"}, {"subject", "Математика"}}, with(kManagers, {"teacher.b"})},
      {"report.make", {{"kind", "summary"}, {"format", "csv"}, {"class", "5А"}}, with(kManagers, {"teacher.a"})},
      {"report.make", {{"kind", "attendance"}, {"format", "csv"}, {"class", "5Б"}}, with(kManagers, {"teacher.b"})},
      {"report.make", {{"kind", "timeliness"}, {"format", "csv"}}, kManagers},
      {"report.make", {{"kind", "usage"}, {"format", "csv"}}, with(kManagers, {"admin"})},
      {"verify.digest", {{"digest", "1:" + std::string(64, '0')}}, with(kManagers, {"admin"})},
      {"backup.status", {}, kAdmin},
      {"backup.run", {}, kAdmin, "unavailable"},  // no backup disks in this server
      {"auth.unlock", {{"login", "teacher.c"}}, kAdmin},
  };

  std::set<std::string> covered;
  for (const Row& row : rows) {
    covered.insert(row.op);
    for (const std::string& role : kRoles) {
      const json::value answer = who.as[role]->call(row.op, row.args);
      INFO(row.op << " " << json::serialize(row.args) << " by " << role << ": " << describe(answer));
      CHECK(code(answer) == (row.allowed.count(role) != 0 ? row.answer : "forbidden"));
    }
  }
  // Every query and backup operation the server answers has a row.
  for (const std::vector<std::string>& ops : {server::query_ops(), server::backup_ops()})
    for (const std::string& op : ops) {
      INFO(op);
      CHECK(covered.count(op) == 1);
    }
}

TEST_CASE("every command is refused over the wire to the roles the contract does not give it", "[server][scope]") {
  Fixture f;
  auto& s = f.school;
  // State the commands need, made through the domain.
  const auto extra = s.must(s.admin, cmd::CreateStaffAccount{"teacher.c", Role::Teacher, "Вера Николаевна", 0});
  const auto extra_assignment = s.must(s.deputy, cmd::AssignTeacher{extra, s.class_5b, 0, s.russian});
  const auto entry = s.must(s.deputy, cmd::SetTimetableEntry{s.math_5a, 1, 1, testkit::kSep1, testkit::kMay31});
  const auto mover = s.must(s.teacher_a, cmd::EnrollStudent{s.class_5a, testkit::kSep1, testkit::person("Орлов", "Дмитрий")});
  const auto leaver = s.must(s.teacher_a, cmd::EnrollStudent{s.class_5a, testkit::kSep1, testkit::person("Зайцева", "Мария")});
  const auto lesson_sub = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4 + 1, 2});
  const auto lesson_cancel = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4 + 1, 3});
  s.must(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a1, Attendance::Late, std::nullopt});
  const auto mark_b = s.must(s.teacher_b, cmd::SetMark{s.lesson_5b, s.student_b1, 4, s.answer, "", std::nullopt});
  const auto lesson_q2 = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kNov6, 1});
  const auto mark_q2 = s.must(s.teacher_a, cmd::SetMark{lesson_q2, s.student_a1, 3, s.answer, "", std::nullopt});
  const auto mark_q2b = s.must(s.teacher_a, cmd::SetMark{lesson_q2, s.student_a2, 3, s.answer, "", std::nullopt});
  s.must(s.deputy, cmd::CloseTerm{s.q2});
  const auto request1 = s.must(s.teacher_a, cmd::RequestCorrection{fb::CorrectionKind::CorrectMark, 0, 0, mark_q2, 4, s.answer,
                                                                     Attendance::Absent, "описка"});
  const auto request2 = s.must(s.teacher_a, cmd::RequestCorrection{fb::CorrectionKind::RemoveMark, 0, 0, mark_q2b, 0, 0,
                                                                     Attendance::Absent, "не тому ученику"});
  s.must(s.deputy, cmd::SubstituteLesson{lesson_sub, s.teacher_b, "болезнь учителя"});
  f.settle();
  Signed who(f);

  const json::object pupil{{"last_name", "Новиков"}, {"first_name", "Олег"}};
  const Allowed curator_a = {"teacher.a", "deputy"};
  const Allowed curator_b = {"teacher.b", "deputy"};
  const Allowed teacher_a = {"teacher.a"};
  const Allowed teacher_b = {"teacher.b"};
  struct Row {
    std::string op;
    json::object args;
    Allowed allowed;
  };
  // In an order where no command's effect changes who may run a later one, except as noted.
  const std::vector<Row> rows = {
      {"open_year", {{"title", "2024/2025"}, {"first_day", "2024-09-01"}, {"last_day", "2025-05-31"}}, kSchoolManagers},
      {"define_term", {{"year", s.year}, {"name", "3 четверть"}, {"first_day", "2024-01-09"}, {"last_day", "2024-03-22"}}, kSchoolManagers},
      {"create_class", {{"year", s.year}, {"grade", 6}, {"name", "6А"}}, kSchoolManagers},
      {"create_study_group", {{"class_id", s.class_5a}, {"name", "Группа 2"}}, with(kSchoolManagers, {"teacher.a"})},
      {"create_study_group", {{"class_id", s.class_5b}, {"name", "Группа 3"}}, with(kSchoolManagers, {"teacher.b"})},
      {"create_subject", {{"name", "История"}, {"short_name", "ист"}}, kSchoolManagers},
      {"define_work_type", {{"name", "Самостоятельная работа"}, {"weight", 2}}, kSchoolManagers},
      {"assign_teacher", {{"teacher", extra}, {"class_id", s.class_1a}, {"subject", s.russian}}, kSchoolManagers},
      {"end_assignment", {{"assignment", extra_assignment}, {"reason", "смена учителя"}}, kSchoolManagers},
      {"set_timetable_entry", {{"assignment", s.math_5a}, {"weekday", 2}, {"period", 3}, {"first_day", "2023-09-01"}, {"last_day", "2024-05-31"}},
       kSchoolManagers},
      {"remove_timetable_entry", {{"entry", entry}}, kSchoolManagers},
      {"schedule_from_timetable", {{"first_day", "2023-09-11"}, {"last_day", "2023-09-17"}}, kSchoolManagers},
      {"create_staff_account", {{"login", "new.teacher"}, {"role", "teacher"}, {"display_name", "Новый учитель"}}, kAdmin},
      {"grant_role", {{"user", extra}, {"role", "curator"}, {"class_id", s.class_1a}}, kAdmin},
      {"revoke_role", {{"user", extra}, {"role", "curator"}, {"class_id", s.class_1a}}, kAdmin},
      {"block_account", {{"user", extra}, {"reason", "увольнение"}}, kAdmin},
      {"unblock_account", {{"user", extra}, {"reason", "вернулась"}}, kAdmin},
      {"issue_credential", {{"user", extra}}, kAdmin},
      {"enroll_student", {{"class_id", s.class_5a}, {"day", "2023-09-01"}, {"data", pupil}}, curator_a},
      {"enroll_student", {{"class_id", s.class_5b}, {"day", "2023-09-01"}, {"data", pupil}}, curator_b},
      {"add_student_to_group", {{"student", s.student_a2}, {"group", s.group_5a_1}}, curator_a},
      {"remove_student_from_group", {{"student", s.student_a1}, {"group", s.group_5a_1}}, curator_a},
      {"add_parent", {{"student", s.student_a1}, {"data", json::object{{"last_name", "Иванов"}, {"first_name", "Сергей"}}}}, curator_a},
      {"add_parent", {{"student", s.student_b1}, {"data", json::object{{"last_name", "Кузнецов"}, {"first_name", "Павел"}}}}, curator_b},
      {"link_parent", {{"parent", s.parent_b1}, {"student", s.student_a1}}, curator_a},
      {"unlink_parent", {{"parent", s.parent_b1}, {"student", s.student_a1}}, curator_a},
      {"record_personal_data", {{"kind", "student"}, {"subject", s.student_a1}, {"data", json::object{{"last_name", "Иванов"}, {"first_name", "Пётр"}}}},
       curator_a},
      {"record_personal_data", {{"kind", "student"}, {"subject", s.student_b1}, {"data", json::object{{"last_name", "Кузнецов"}, {"first_name", "Илья"}}}},
       curator_b},
      {"check_personal_data", {{"kind", "parent"}, {"subject", s.parent_a1}, {"day", "2023-11-06"}}, curator_a},
      {"check_personal_data", {{"kind", "parent"}, {"subject", s.parent_b1}, {"day", "2023-11-06"}}, curator_b},
      {"schedule_lesson", {{"assignment", s.math_5a}, {"day", "2023-09-05"}, {"period", 5}}, curator_a},
      {"schedule_lesson", {{"assignment", s.math_5b}, {"day", "2023-09-05"}, {"period", 5}}, curator_b},
      {"set_topic", {{"lesson", s.lesson_5a}, {"topic", "Обыкновенные дроби"}}, teacher_a},
      {"set_topic", {{"lesson", s.lesson_5b}, {"topic", "Обыкновенные дроби"}}, teacher_b},
      {"set_topic", {{"lesson", lesson_sub}, {"topic", "Десятичные дроби"}}, teacher_b},  // the substitute only
      {"set_homework", {{"lesson", s.lesson_5a}, {"text", "№ 12, 14"}, {"due_day", "2023-09-06"}}, teacher_a},
      {"set_mark", {{"lesson", s.lesson_5a}, {"student", s.student_a2}, {"value", 4}, {"work_type", s.answer}}, teacher_a},
      {"set_mark", {{"lesson", s.lesson_5b}, {"student", s.student_b1}, {"value", 5}, {"work_type", s.answer}}, teacher_b},
      {"set_mark", {{"lesson", lesson_sub}, {"student", s.student_a1}, {"value", 5}, {"work_type", s.answer}}, teacher_b},
      {"correct_mark", {{"mark", s.mark_a1}, {"value", 4}, {"work_type", s.answer}, {"reason", "ошибка при вводе"}}, teacher_a},
      {"remove_mark", {{"mark", mark_b}, {"reason", "ошибка при вводе"}}, teacher_b},
      {"set_attendance", {{"lesson", s.lesson_5a}, {"student", s.student_a2}, {"code", "sick"}}, teacher_a},
      {"clear_attendance", {{"lesson", s.lesson_5a}, {"student", s.student_a1}, {"reason", "пришёл вовремя"}}, teacher_a},
      {"take_attendance", {{"lesson", s.lesson_5a}}, teacher_a},
      {"take_attendance", {{"lesson", s.lesson_5b}}, teacher_b},
      {"set_attestation_mark", {{"student", s.student_a1}, {"subject", s.math}, {"kind", "term"}, {"term", s.q1}, {"value", "5"}}, teacher_a},
      {"set_attestation_mark", {{"student", s.student_b1}, {"subject", s.math}, {"kind", "term"}, {"term", s.q1}, {"value", "4"}}, teacher_b},
      {"review_homework", {{"lesson", s.lesson_5a}, {"conforms", true}}, kDeputy},
      {"substitute_lesson", {{"lesson", s.lesson_1a}, {"substitute", s.teacher_b}, {"reason", "курсы"}}, kDeputy},
      {"cancel_lesson", {{"lesson", lesson_cancel}, {"reason", "карантин"}}, kDeputy},
      {"request_correction", {{"kind", "remove_mark"}, {"mark", mark_q2}, {"reason", "ошибка"}}, teacher_a},
      {"approve_correction", {{"request", request1}}, kDeputy},
      {"reject_correction", {{"request", request2}, {"reason", "нет оснований"}}, kDeputy},
      {"transfer_student", {{"student", mover}, {"to_class", s.class_5b}, {"day", "2023-11-06"}, {"reason", "по заявлению"}}, curator_a},
      {"student_leaves", {{"student", leaver}, {"day", "2023-11-06"}, {"reason", "переезд"}}, curator_a},
      {"erase_personal_data", {{"kind", "student"}, {"subject", leaver}, {"reason", "выбыл, срок хранения истёк"}}, kAdmin},
      {"reopen_term", {{"term", s.q2}, {"reason", "исправление ошибок"}}, kDeputy},
      {"close_term", {{"term", s.q1}}, kDeputy},
  };

  int n = 0;
  std::set<std::string> covered;
  for (const Row& row : rows) {
    covered.insert(row.op);
    // Everyone refused first (nothing of theirs may land), then the allowed: the one with the narrowest scope
    // first — it must succeed — then the school-wide ones, which must at least not be refused.
    std::vector<std::string> order;
    for (const std::string& role : kRoles)
      if (row.allowed.count(role) == 0) order.push_back(role);
    const std::size_t first_allowed = order.size();
    for (const char* role : {"teacher.a", "teacher.b", "deputy", "admin"})
      if (row.allowed.count(role) != 0) order.push_back(role);
    REQUIRE(order.size() == kRoles.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      const log::Position head = s.log().head();
      const json::value answer = who.as[order[i]]->call(row.op, row.args, "scope-command-" + std::to_string(++n));
      INFO(row.op << " " << json::serialize(row.args) << " by " << order[i] << ": " << describe(answer));
      if (i < first_allowed) {
        CHECK(code(answer) == "forbidden");
        CHECK(s.log().head() == head);  // nothing recorded for a refused command
      } else if (i == first_allowed) {
        CHECK(code(answer) == "ok");
      } else {
        CHECK(code(answer) != "forbidden");
      }
    }
  }
  // Every command is a row; the commands the server issues itself are not operations at all.
  for (const std::string& op : server::command_ops()) {
    INFO(op);
    CHECK(covered.count(op) == 1);
  }
  for (const char* op : {"change_password", "record_login", "record_backup"})
    for (const std::string& role : kRoles) {
      INFO(op << " by " << role);
      CHECK(code(who.as[role]->call(op, json::object{{"user", s.teacher_a}}, "scope-not-an-op")) == "not_found");
    }
}

TEST_CASE("docs/protocol.md documents every operation the server answers, and no other", "[server][scope]") {
  const std::set<std::string> documented = documented_operations();
  const std::vector<std::string> answered = server::protocol_operations();
  for (const std::string& op : answered) {
    INFO("answered, not documented: " << op);
    CHECK(documented.count(op) == 1);
  }
  for (const std::string& op : documented) {
    INFO("documented, not answered: " << op);
    CHECK(std::find(answered.begin(), answered.end(), op) != answered.end());
  }
}

namespace {

// Sets a mark through the server and returns its log position.
std::uint64_t mark(testkit::WsClient& teacher, LessonId lesson, UserId student, int value, const std::string& command_id) {
  const json::value a = teacher.call("set_mark", json::object{{"lesson", lesson}, {"student", student}, {"value", value}, {"work_type", 1}},
                                     command_id);
  INFO(describe(a));
  REQUIRE(ok(a));
  return a.at("result").at("position").to_number<std::uint64_t>();
}

// Waits until the hub has sent the pushes of everything in the log now.
void wait_pushed(Fixture& f) {
  f.settle();
  const auto head = f.school.log().head();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (f.srv->metrics().pushed_through.load() < head && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  REQUIRE(f.srv->metrics().pushed_through.load() >= head);
}

// The pushes `c` has been sent for everything in the log now: once the hub has gone past the log's head, a
// round trip brings them all (a connection's frames keep their order). The answer itself may be a refusal.
std::vector<json::value> drain(Fixture& f, testkit::WsClient& c) {
  wait_pushed(f);
  c.call("roster.subjects", json::object{});
  std::vector<json::value> out(c.pushes().begin(), c.pushes().end());
  while (!c.pushes().empty()) c.next_push();
  return out;
}

}  // namespace

TEST_CASE("a subscriber hears only its scope, and nothing once its rights end", "[server][scope]") {
  Fixture f;
  auto& s = f.school;
  Signed who(f);
  auto subscribe = [&](const std::string& role, json::object args) {
    const json::value a = who.as[role]->call("subscribe", args);
    INFO(role << " " << json::serialize(args) << ": " << describe(a));
    REQUIRE(ok(a));
  };
  // Subscriptions outside the scope are refused (the full matrix of subscribe, as of the query rows).
  const json::object journal_5a{{"topic", "journal"}, {"class_id", s.class_5a}, {"subject", s.math}};
  const json::object diary_a1{{"topic", "diary"}, {"student", s.student_a1}};
  const std::vector<std::pair<json::object, Allowed>> topics = {
      {journal_5a, with(kManagers, {"teacher.a"})},
      {{{"topic", "journal"}, {"class_id", s.class_5b}, {"subject", s.math}}, with(kManagers, {"teacher.b"})},
      {diary_a1, {"director", "deputy", "teacher.a", "student", "parent.a"}},
      {{{"topic", "diary"}, {"student", s.student_b1}}, {"director", "deputy", "teacher.b", "parent.b"}},
      {{{"topic", "audit"}}, kManagers},
      {{{"topic", "control"}}, kManagers},
  };
  for (const auto& [args, allowed] : topics)
    for (const std::string& role : kRoles) {
      const json::value a = who.as[role]->call("subscribe", args);
      INFO(json::serialize(args) << " by " << role << ": " << describe(a));
      if (allowed.count(role) == 0) {
        CHECK(code(a) == "forbidden");
        continue;
      }
      REQUIRE(ok(a));
      REQUIRE(ok(who.as[role]->call("unsubscribe", json::object{{"subscription", a.at("result").at("subscription")}})));
    }

  subscribe("parent.a", diary_a1);
  subscribe("parent.b", {{"topic", "diary"}, {"student", s.student_b1}});
  subscribe("student", diary_a1);
  subscribe("teacher.b", {{"topic", "journal"}, {"class_id", s.class_5b}, {"subject", s.math}});
  auto teacher_a = signed_in(f, "teacher.a");  // writes on a connection of its own
  auto teacher_b = signed_in(f, "teacher.b");
  const auto in_5a = mark(*teacher_a, s.lesson_5a, s.student_a1, 4, "scope-push-1");
  mark(*teacher_a, s.lesson_5a, s.student_a2, 3, "scope-push-2");
  const auto in_5b = mark(*teacher_b, s.lesson_5b, s.student_b1, 5, "scope-push-3");
  REQUIRE(ok(teacher_a->call("set_topic", json::object{{"lesson", s.lesson_5a}, {"topic", "Дроби"}}, "scope-push-4")));
  f.settle();

  auto positions = [](const std::vector<json::value>& pushes) {
    std::set<std::uint64_t> out;
    for (const auto& p : pushes) out.insert(p.at("event").at("position").to_number<std::uint64_t>());
    return out;
  };
  // a1's diary: the mark of a1 and the 5А lesson's topic; not a2's mark, nothing of 5Б.
  const auto pa = drain(f, *who.as["parent.a"]);
  CHECK(positions(pa).count(in_5a) == 1);
  for (const auto& p : pa) {
    INFO(describe(p));
    CHECK(p.at("push") == "diary");
    if (const auto* st = p.at("event").as_object().if_contains("student")) CHECK(st->to_number<UserId>() == s.student_a1);
    CHECK(p.at("event").at("lesson").to_number<LessonId>() == s.lesson_5a);
  }
  CHECK(pa.size() == 2);  // the mark and the topic
  CHECK(drain(f, *who.as["student"]).size() == 2);
  const auto pb = drain(f, *who.as["parent.b"]);
  REQUIRE(pb.size() == 1);
  CHECK(pb[0].at("event").at("position").to_number<std::uint64_t>() == in_5b);
  const auto tb = drain(f, *who.as["teacher.b"]);
  REQUIRE(tb.size() == 1);
  CHECK(tb[0].at("event").at("lesson").to_number<LessonId>() == s.lesson_5b);

  // Rights end after subscribing: the parent is unlinked, the teacher's assignment and curatorship end.
  // Each of those subscriptions closes with one notice, and the next records are not pushed to it.
  REQUIRE(ok(who.as["deputy"]->call("unlink_parent", json::object{{"parent", s.parent_a1}, {"student", s.student_a1}}, "scope-unlink")));
  REQUIRE(ok(who.as["deputy"]->call("end_assignment", json::object{{"assignment", s.math_5b}, {"reason", "смена учителя"}}, "scope-end")));
  REQUIRE(ok(who.as["admin"]->call("revoke_role", json::object{{"user", s.teacher_b}, {"role", "curator"}, {"class_id", s.class_5b}}, "scope-revoke")));
  const auto after = mark(*teacher_a, s.lesson_5a, s.student_a1, 5, "scope-push-5");
  REQUIRE(ok(who.as["deputy"]->call("review_homework", json::object{{"lesson", s.lesson_5b}, {"conforms", true}}, "scope-push-6")));
  f.settle();
  auto closed = [](const std::vector<json::value>& pushes, const std::string& reason) {
    REQUIRE(pushes.size() == 1);
    INFO(describe(pushes[0]));
    CHECK(pushes[0].at("push") == "closed");
    CHECK(pushes[0].at("reason") == reason.c_str());
  };
  closed(drain(f, *who.as["parent.a"]), "forbidden");
  closed(drain(f, *who.as["teacher.b"]), "forbidden");
  const auto st = drain(f, *who.as["student"]);  // the student's own diary goes on
  REQUIRE(st.size() == 1);
  CHECK(st[0].at("event").at("position").to_number<std::uint64_t>() == after);
  // Closed for good: later records bring nothing more.
  mark(*teacher_a, s.lesson_5a, s.student_a1, 3, "scope-push-7");
  f.settle();
  CHECK(drain(f, *who.as["parent.a"]).empty());
  CHECK(drain(f, *who.as["teacher.b"]).empty());
}

TEST_CASE("a session ended anywhere is dead on every connection that holds it", "[server][scope]") {
  Fixture f;
  auto& s = f.school;
  Signed who(f);
  // Two connections on one token: sign in on one, resume on the other (a second tab, a reconnect).
  auto tab = [&](const std::string& login) {
    auto first = std::make_unique<testkit::WsClient>(f.port());
    const json::value in = servertest::login(*first, login);
    REQUIRE(ok(in));
    auto second = std::make_unique<testkit::WsClient>(f.port());
    REQUIRE(ok(second->call("auth.resume", json::object{{"token", in.at("result").at("token")}})));
    return std::make_pair(std::move(first), std::move(second));
  };
  auto dead = [](testkit::WsClient& c) {
    const json::value a = c.call("me", json::object{});
    INFO(describe(a));
    CHECK(code(a) == "forbidden");
  };
  auto ended_push = [&](testkit::WsClient& c) {
    const std::vector<json::value> pushes = drain(f, c);
    REQUIRE(pushes.size() == 1);
    INFO(describe(pushes[0]));
    CHECK(pushes[0].at("push") == "closed");
    CHECK(pushes[0].at("reason") == "signed_out");
  };
  auto writer_a = signed_in(f, "teacher.a");
  const json::object journal_5a{{"topic", "journal"}, {"class_id", s.class_5a}, {"subject", s.math}};

  SECTION("signed out on one connection") {
    auto [one, two] = tab("teacher.a");
    REQUIRE(ok(two->call("subscribe", journal_5a)));
    REQUIRE(ok(one->call("auth.logout", json::object{})));
    mark(*writer_a, s.lesson_5a, s.student_a1, 4, "session-1");
    f.settle();
    ended_push(*two);
    dead(*two);
    dead(*one);
    CHECK(ok(writer_a->call("me", json::object{})));  // another session of the same teacher lives on
  }
  SECTION("a password reset by the administrator") {
    auto [one, two] = tab("teacher.a");
    REQUIRE(ok(two->call("subscribe", journal_5a)));
    const json::value reset = who.as["admin"]->call("issue_credential", json::object{{"user", s.teacher_a}}, "session-reset");
    REQUIRE(ok(reset));
    s.must(s.teacher_a, cmd::SetTopic{s.lesson_5a, "Дроби"});  // a record for the journal subscription
    f.settle();
    ended_push(*two);
    dead(*one);
    dead(*two);
    dead(*writer_a);
  }
  SECTION("an account blocked") {
    auto [one, two] = tab("p" + std::to_string(s.parent_a1));
    REQUIRE(ok(two->call("subscribe", json::object{{"topic", "diary"}, {"student", s.student_a1}})));
    REQUIRE(ok(who.as["admin"]->call("block_account", json::object{{"user", s.parent_a1}, {"reason", "по заявлению"}}, "session-block")));
    mark(*writer_a, s.lesson_5a, s.student_a1, 4, "session-2");
    f.settle();
    ended_push(*two);
    dead(*one);
    dead(*two);
  }
}

TEST_CASE("an expired session is dead on its connections, for requests and pushes", "[server][scope]") {
  server::ServerOptions o;
  o.api.session_idle = std::chrono::seconds(1);
  Fixture f(o);
  auto& s = f.school;
  auto c = signed_in(f, "teacher.a");
  REQUIRE(ok(c->call("subscribe", json::object{{"topic", "journal"}, {"class_id", s.class_5a}, {"subject", s.math}})));
  std::this_thread::sleep_for(std::chrono::milliseconds(1'500));  // idle past the session's life (not a timing check)
  s.must(s.teacher_a, cmd::SetTopic{s.lesson_5a, "Дроби"});
  wait_pushed(f);
  const json::value again = c->call("me", json::object{});
  CHECK(code(again) == "forbidden");
  CHECK(again.at("error").at("message") == "Сеанс завершён: войдите снова");
  REQUIRE(c->pushes().size() == 1);  // the notice, and not the topic's push
  CHECK(c->pushes().front().at("push") == "closed");
  CHECK(c->pushes().front().at("reason") == "signed_out");
  CHECK(ok(login(*c, "teacher.a")));  // signing in again works
  CHECK(ok(c->call("me", json::object{})));
}
