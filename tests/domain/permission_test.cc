// The permission matrix: every command, tried by every role, in scope and out of it. Exactly the listed
// actors may run it; everyone else is refused with `forbidden` (not some other error, which would mean the
// check came too late or the case is wrong).
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "school.h"

using namespace ejournal;
using namespace ejournal::domain;

TEST_CASE("each command is allowed to exactly the roles and scopes the order gives it", "[domain][permissions]") {
  testkit::School s;
  // State some cases need: a timetable entry, attendance to clear, a closed term with a mark in it, a request.
  const auto entry = s.must(s.deputy, cmd::SetTimetableEntry{s.math_5a, 1, 1, testkit::kSep1, testkit::kMay31});
  s.must(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a1, Attendance::Late, std::nullopt});
  const auto empty_lesson = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kSep4, 6});  // to cancel
  const auto lesson_q2 = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, testkit::kNov6, 1});
  const auto mark_q2 = s.must(s.teacher_a, cmd::SetMark{lesson_q2, s.student_a1, 3, s.answer, "", std::nullopt});
  s.must(s.deputy, cmd::CloseTerm{s.q2});
  const auto request = s.must(s.teacher_a, cmd::RequestCorrection{fb::CorrectionKind::CorrectMark, 0, 0, mark_q2, 4,
                                                                    s.answer, Attendance::Absent, "описка"});
  const std::string hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

  const std::map<std::string, UserId> actors = {
      {"system", 0},           {"administrator", s.admin},  {"director", s.director},   {"deputy", s.deputy},
      {"teacher+curator 5А", s.teacher_a}, {"teacher+curator 5Б", s.teacher_b}, {"student", s.student_a1},
      {"parent", s.parent_a1}};
  using Allowed = std::set<std::string>;
  const Allowed managers = {"administrator", "deputy"};
  const Allowed admin = {"administrator"};
  const Allowed deputy = {"deputy"};
  const Allowed curator_a = {"deputy", "teacher+curator 5А"};
  const Allowed teacher_a = {"teacher+curator 5А"};

  struct Case {
    Command command;
    Allowed allowed;
  };
  const std::vector<Case> cases = {
      {cmd::OpenYear{"2024/2025", 19967, 20239}, managers},
      {cmd::DefineTerm{s.year, "3 четверть", 19730, 19810, 1, 9}, managers},
      {cmd::CreateClass{s.year, 6, "6А"}, managers},
      {cmd::CreateStudyGroup{s.class_5a, "Группа 2"}, {"administrator", "deputy", "teacher+curator 5А"}},
      {cmd::CreateSubject{"История", "ист"}, managers},
      {cmd::DefineWorkType{"Самостоятельная работа", 2}, managers},
      {cmd::AssignTeacher{s.teacher_b, s.class_5a, 0, s.russian}, managers},
      {cmd::EndAssignment{s.math_5b, "смена учителя"}, managers},
      {cmd::SetTimetableEntry{s.math_5a, 2, 3, testkit::kSep1, testkit::kMay31}, managers},
      {cmd::RemoveTimetableEntry{entry}, managers},
      {cmd::CreateStaffAccount{"new.teacher", Role::Teacher, "Новый учитель", 0}, admin},
      {cmd::GrantRole{s.teacher_b, Role::Deputy, 0}, admin},
      {cmd::RevokeRole{s.teacher_b, Role::Curator, 0}, admin},
      {cmd::IssueCredential{s.teacher_b, hash, true}, admin},
      {cmd::ChangePassword{s.teacher_a, hash}, {"administrator", "teacher+curator 5А"}},
      {cmd::BlockAccount{s.teacher_b, "увольнение"}, admin},
      {cmd::RecordLogin{s.teacher_a, "teacher.a", "127.0.0.1", true}, {"system"}},
      {cmd::RecordBackup{false, "/mnt/disk-a", true, 1, 100, 4096, "", ""}, {"system"}},
      {cmd::EnrollStudent{s.class_5a, testkit::kSep1, testkit::person("Новиков", "Олег")}, curator_a},
      {cmd::TransferStudent{s.student_a2, s.class_5b, testkit::kNov6, "по заявлению"}, curator_a},
      {cmd::StudentLeaves{s.student_a2, testkit::kNov6, "переезд"}, curator_a},
      {cmd::AddStudentToGroup{s.student_a2, s.group_5a_1}, curator_a},
      {cmd::RemoveStudentFromGroup{s.student_a1, s.group_5a_1}, curator_a},
      {cmd::AddParent{s.student_a1, testkit::person("Иванов", "Сергей")}, curator_a},
      {cmd::LinkParent{s.parent_b1, s.student_a1}, curator_a},
      {cmd::UnlinkParent{s.parent_a1, s.student_a1}, curator_a},
      {cmd::RecordPersonalData{DataSubject::Student, s.student_a1, testkit::person("Иванов", "Пётр")}, curator_a},
      {cmd::CheckPersonalData{DataSubject::Parent, s.parent_a1, testkit::kNov6}, curator_a},
      {cmd::ErasePersonalData{DataSubject::Student, s.student_a2, "выбыл, срок хранения истёк"}, admin},
      {cmd::ScheduleLesson{s.math_5a, testkit::kSep4, 5}, {"deputy", "teacher+curator 5А"}},
      {cmd::ScheduleFromTimetable{testkit::kSep4 + 7, testkit::kSep4 + 13}, managers},
      {cmd::SetTopic{s.lesson_5a, "Обыкновенные дроби"}, teacher_a},
      {cmd::SetHomework{s.lesson_5a, "№ 12, 14", testkit::kSep4 + 2}, teacher_a},
      {cmd::SubstituteLesson{s.lesson_5a, s.teacher_b, "болезнь учителя"}, deputy},
      {cmd::CancelLesson{empty_lesson, "карантин"}, deputy},
      {cmd::SetMark{s.lesson_5a, s.student_a2, 4, s.answer, "", std::nullopt}, teacher_a},
      {cmd::CorrectMark{s.mark_a1, 4, s.answer, "ошибка при вводе", std::nullopt}, teacher_a},
      {cmd::RemoveMark{s.mark_a1, "ошибка при вводе", std::nullopt}, teacher_a},
      {cmd::SetAttendance{s.lesson_5a, s.student_a2, Attendance::Sick, std::nullopt}, teacher_a},
      {cmd::ClearAttendance{s.lesson_5a, s.student_a1, "пришёл вовремя", std::nullopt}, teacher_a},
      {cmd::TakeAttendance{s.lesson_5a}, teacher_a},
      {cmd::SetAttestationMark{s.student_a1, s.math, AttestationKind::Term, s.q1, AttestationValue::Five, ""}, teacher_a},
      {cmd::ReviewHomework{s.lesson_5a, true, ""}, deputy},
      {cmd::CloseTerm{s.q1}, deputy},
      {cmd::ReopenTerm{s.q2, "исправление ошибок"}, deputy},
      {cmd::RequestCorrection{fb::CorrectionKind::RemoveMark, 0, 0, mark_q2, 0, 0, Attendance::Absent, "ошибка"}, teacher_a},
      {cmd::ApproveCorrection{request, ""}, deputy},
      {cmd::RejectCorrection{request, "нет оснований"}, deputy},
  };

  std::set<std::string> covered;
  for (const Case& c : cases) {
    covered.insert(command_name(c.command));
    for (const auto& [who, id] : actors) {
      INFO(command_name(c.command) << " by " << who);
      const Status st = s.check(id, c.command);
      if (c.allowed.count(who) != 0) {
        INFO(st.to_string());
        CHECK(st.ok());
      } else {
        INFO(st.to_string());
        CHECK(st.code() == Code::forbidden);
      }
    }
  }
  // Every command but unblock_account (which needs a blocked account; see the rules tests) is in the matrix.
  CHECK(covered.size() + 1 == std::variant_size_v<Command>);
}
