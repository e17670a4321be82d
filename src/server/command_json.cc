#include "command_json.h"

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "args.h"

namespace ejournal::server {
namespace {

using namespace domain;
namespace json = boost::json;

// Value order of fb::Role, fb::Attendance … with "" for unused values.
const std::initializer_list<const char*> kRoles = {"", "administrator", "director", "deputy", "teacher", "curator", "student", "parent"};
const std::initializer_list<const char*> kAttendance = {"absent", "excused", "sick", "late"};
const std::initializer_list<const char*> kAttestationKinds = {"term", "year", "exam", "final"};
const std::initializer_list<const char*> kAttestationValues = {"", "", "2", "3", "4", "5", "", "", "", "", "н/а", "зач", "незач", "осв"};
const std::initializer_list<const char*> kSubjects = {"", "student", "parent"};
const std::initializer_list<const char*> kCorrections = {"set_mark", "correct_mark", "remove_mark", "set_attendance", "clear_attendance"};

const char* word(std::initializer_list<const char*> words, int value) {
  if (value < 0 || static_cast<std::size_t>(value) >= words.size()) return "?";
  return *(words.begin() + value);
}

PersonalData person(Args& a) {
  PersonalData p;
  const json::object* o = a.object("data");
  if (o == nullptr) return p;
  Args d(*o);
  p.last_name = d.text("last_name");
  p.first_name = d.text("first_name");
  p.patronymic = d.text_or("patronymic");
  p.birth_day = d.day_or("birth_day", 0);
  p.address = d.text_or("address");
  p.phone = d.text_or("phone");
  p.email = d.text_or("email");
  p.document = d.text_or("document");
  if (!d.ok()) a.fail("data", d.status().message());
  return p;
}

int mark_value(Args& a) { return static_cast<int>(a.integer("value", 1, 5)); }
WorkTypeId work_type(Args& a) { return static_cast<WorkTypeId>(a.integer("work_type", 1, 65535)); }
// Absent (or null): no check; 0: the cell must be empty; N: the cell must be at version N.
std::optional<std::uint32_t> version(Args& a) {
  if (!a.given("expected_version")) return std::nullopt;
  return static_cast<std::uint32_t>(a.integer("expected_version", 0, 0xffffffffLL));
}
Role role(Args& a) { return static_cast<Role>(a.choice("role", kRoles)); }
Attendance attendance(Args& a) { return static_cast<Attendance>(a.choice("code", kAttendance)); }
DataSubject subject_kind(Args& a) { return static_cast<DataSubject>(a.choice("kind", kSubjects)); }

using Parser = std::function<Command(Args&)>;

const std::map<std::string, Parser, std::less<>>& parsers() {
  static const std::map<std::string, Parser, std::less<>> table = {
      {"open_year", [](Args& a) -> Command { return cmd::OpenYear{a.text("title"), a.day("first_day"), a.day("last_day")}; }},
      {"define_term", [](Args& a) -> Command {
         return cmd::DefineTerm{a.id("year"), a.text("name"), a.day("first_day"), a.day("last_day"),
                                static_cast<int>(a.integer_or("grade_from", 1, 11, 1)), static_cast<int>(a.integer_or("grade_to", 1, 11, 11))};
       }},
      {"create_class", [](Args& a) -> Command { return cmd::CreateClass{a.id("year"), static_cast<int>(a.integer("grade", 1, 11)), a.text("name")}; }},
      {"create_study_group", [](Args& a) -> Command { return cmd::CreateStudyGroup{a.id("class_id"), a.text("name")}; }},
      {"create_subject", [](Args& a) -> Command { return cmd::CreateSubject{a.text("name"), a.text("short_name")}; }},
      {"define_work_type", [](Args& a) -> Command { return cmd::DefineWorkType{a.text("name"), static_cast<int>(a.integer("weight", 1, 10))}; }},
      {"assign_teacher", [](Args& a) -> Command { return cmd::AssignTeacher{a.id("teacher"), a.id("class_id"), a.id_or0("group"), a.id("subject")}; }},
      {"end_assignment", [](Args& a) -> Command { return cmd::EndAssignment{a.id("assignment"), a.text("reason")}; }},
      {"set_timetable_entry", [](Args& a) -> Command {
         return cmd::SetTimetableEntry{a.id("assignment"), static_cast<int>(a.integer("weekday", 1, 7)),
                                       static_cast<int>(a.integer("period", 1, 12)), a.day("first_day"), a.day("last_day")};
       }},
      {"remove_timetable_entry", [](Args& a) -> Command { return cmd::RemoveTimetableEntry{a.id("entry")}; }},
      {"create_staff_account", [](Args& a) -> Command {
         return cmd::CreateStaffAccount{a.text("login"), role(a), a.text("display_name"), a.id_or0("curator_of")};
       }},
      {"grant_role", [](Args& a) -> Command { return cmd::GrantRole{a.id("user"), role(a), a.id_or0("class_id")}; }},
      {"revoke_role", [](Args& a) -> Command { return cmd::RevokeRole{a.id("user"), role(a), a.id_or0("class_id")}; }},
      // issue_credential and change_password carry passwords, never hashes: the server hashes them (api.cc).
      {"block_account", [](Args& a) -> Command { return cmd::BlockAccount{a.id("user"), a.text("reason")}; }},
      {"unblock_account", [](Args& a) -> Command { return cmd::UnblockAccount{a.id("user"), a.text("reason")}; }},
      {"enroll_student", [](Args& a) -> Command { return cmd::EnrollStudent{a.id("class_id"), a.day("day"), person(a)}; }},
      {"transfer_student", [](Args& a) -> Command { return cmd::TransferStudent{a.id("student"), a.id("to_class"), a.day("day"), a.text("reason")}; }},
      {"student_leaves", [](Args& a) -> Command { return cmd::StudentLeaves{a.id("student"), a.day("day"), a.text("reason")}; }},
      {"add_student_to_group", [](Args& a) -> Command { return cmd::AddStudentToGroup{a.id("student"), a.id("group")}; }},
      {"remove_student_from_group", [](Args& a) -> Command { return cmd::RemoveStudentFromGroup{a.id("student"), a.id("group")}; }},
      {"add_parent", [](Args& a) -> Command { return cmd::AddParent{a.id("student"), person(a)}; }},
      {"link_parent", [](Args& a) -> Command { return cmd::LinkParent{a.id("parent"), a.id("student")}; }},
      {"unlink_parent", [](Args& a) -> Command { return cmd::UnlinkParent{a.id("parent"), a.id("student")}; }},
      {"record_personal_data", [](Args& a) -> Command { return cmd::RecordPersonalData{subject_kind(a), a.id("subject"), person(a)}; }},
      {"check_personal_data", [](Args& a) -> Command { return cmd::CheckPersonalData{subject_kind(a), a.id("subject"), a.day("day")}; }},
      {"erase_personal_data", [](Args& a) -> Command { return cmd::ErasePersonalData{subject_kind(a), a.id("subject"), a.text("reason")}; }},
      {"schedule_lesson", [](Args& a) -> Command { return cmd::ScheduleLesson{a.id("assignment"), a.day("day"), static_cast<int>(a.integer("period", 1, 12))}; }},
      {"schedule_from_timetable", [](Args& a) -> Command { return cmd::ScheduleFromTimetable{a.day("first_day"), a.day("last_day")}; }},
      {"set_topic", [](Args& a) -> Command { return cmd::SetTopic{a.id("lesson"), a.text("topic")}; }},
      {"set_homework", [](Args& a) -> Command { return cmd::SetHomework{a.id("lesson"), a.text("text"), a.day("due_day")}; }},
      {"substitute_lesson", [](Args& a) -> Command { return cmd::SubstituteLesson{a.id("lesson"), a.id("substitute"), a.text("reason")}; }},
      {"cancel_lesson", [](Args& a) -> Command { return cmd::CancelLesson{a.id("lesson"), a.text("reason")}; }},
      {"set_mark", [](Args& a) -> Command {
         return cmd::SetMark{a.id("lesson"), a.id("student"), mark_value(a), work_type(a), a.text_or("comment"), version(a)};
       }},
      {"correct_mark", [](Args& a) -> Command { return cmd::CorrectMark{a.id("mark"), mark_value(a), work_type(a), a.text("reason"), version(a)}; }},
      {"remove_mark", [](Args& a) -> Command { return cmd::RemoveMark{a.id("mark"), a.text("reason"), version(a)}; }},
      {"set_attendance", [](Args& a) -> Command { return cmd::SetAttendance{a.id("lesson"), a.id("student"), attendance(a), version(a)}; }},
      {"clear_attendance", [](Args& a) -> Command { return cmd::ClearAttendance{a.id("lesson"), a.id("student"), a.text("reason"), version(a)}; }},
      {"take_attendance", [](Args& a) -> Command { return cmd::TakeAttendance{a.id("lesson")}; }},
      {"set_attestation_mark", [](Args& a) -> Command {
         return cmd::SetAttestationMark{a.id("student"), a.id("subject"), static_cast<AttestationKind>(a.choice("kind", kAttestationKinds)),
                                        a.id_or0("term"), static_cast<AttestationValue>(a.choice("value", kAttestationValues)),
                                        a.text_or("reason"), a.id_or0("year")};
       }},
      {"review_homework", [](Args& a) -> Command { return cmd::ReviewHomework{a.id("lesson"), a.flag("conforms", true), a.text_or("comment")}; }},
      {"close_term", [](Args& a) -> Command { return cmd::CloseTerm{a.id("term")}; }},
      {"reopen_term", [](Args& a) -> Command { return cmd::ReopenTerm{a.id("term"), a.text("reason")}; }},
      {"request_correction", [](Args& a) -> Command {
         cmd::RequestCorrection c;
         c.kind = static_cast<fb::CorrectionKind>(a.choice("kind", kCorrections));
         c.lesson = a.id_or0("lesson");
         c.student = a.id_or0("student");
         c.mark = a.id_or0("mark");
         c.value = static_cast<int>(a.integer_or("value", 0, 5, 0));
         c.work_type = static_cast<WorkTypeId>(a.integer_or("work_type", 0, 65535, 0));
         // The code means something only for set_attendance, where it must be given: an absent field must
         // never turn into "absent" (the enum's zero).
         if (c.kind == fb::CorrectionKind::SetAttendance || a.given("code")) c.code = attendance(a);
         c.reason = a.text("reason");
         return c;
       }},
      {"approve_correction", [](Args& a) -> Command { return cmd::ApproveCorrection{a.id("request"), a.text_or("comment")}; }},
      {"reject_correction", [](Args& a) -> Command { return cmd::RejectCorrection{a.id("request"), a.text("reason")}; }},
  };
  return table;
}

}  // namespace

std::optional<Result<Command>> command_from_json(std::string_view op, const json::object& args) {
  const auto& table = parsers();
  auto it = table.find(op);
  if (it == table.end()) return std::nullopt;
  Args a(args);
  Command c = it->second(a);
  if (!a.ok()) return Result<Command>(a.status());
  return Result<Command>(std::move(c));
}

bool is_command_op(std::string_view op) { return parsers().find(op) != parsers().end(); }

std::vector<std::string> command_ops() {
  std::vector<std::string> out;
  for (const auto& [name, parser] : parsers()) out.push_back(name);
  return out;
}

const char* role_word(Role r) { return word(kRoles, static_cast<int>(r)); }
const char* attendance_word(Attendance a) { return word(kAttendance, static_cast<int>(a)); }
const char* attestation_word(AttestationValue v) { return word(kAttestationValues, static_cast<int>(v)); }

}  // namespace ejournal::server
