// Commands: what people ask the journal to do. Each is validated against the write model and the actor's
// role and scope (Domain::execute), and becomes one or more events — or is refused with a stable code.
//
// Fields named expected_version carry optimistic concurrency: the version of the cell (lesson × student)
// the client last saw. Absent: no check; 0: the cell must be empty (nothing ever written to it); N: the cell
// must be at version N. Any other state refuses the command with `conflict`.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ejournal/domain/types.h"

namespace ejournal::domain {

// Personal data of a student or parent: never stored in clear (see PersonalDataRecorded).
struct PersonalData {
  std::string last_name;
  std::string first_name;
  std::string patronymic;
  Day birth_day = 0;
  std::string address;
  std::string phone;
  std::string email;
  std::string document;  // birth certificate or passport number

  friend bool operator==(const PersonalData&, const PersonalData&) = default;
};

namespace cmd {

// School structure (deputy or administrator; study groups also the class's curator).
struct OpenYear { std::string title; Day first_day = 0; Day last_day = 0; };
struct DefineTerm { YearId year = 0; std::string name; Day first_day = 0; Day last_day = 0;
                    int grade_from = 1; int grade_to = 11; };
struct CreateClass { YearId year = 0; int grade = 0; std::string name; };
struct CreateStudyGroup { ClassId class_id = 0; std::string name; };
struct CreateSubject { std::string name; std::string short_name; };
struct DefineWorkType { std::string name; int weight = 1; };
struct AssignTeacher { UserId teacher = 0; ClassId class_id = 0; GroupId group = 0; SubjectId subject = 0; };
struct EndAssignment { AssignmentId assignment = 0; std::string reason; };
struct SetTimetableEntry { AssignmentId assignment = 0; int weekday = 0; int period = 0; Day first_day = 0;
                           Day last_day = 0; };
struct RemoveTimetableEntry { TimetableEntryId entry = 0; };

// Accounts and credentials (administrator; a user changes their own password; the server records logins).
struct CreateStaffAccount { std::string login; Role role = Role::Teacher; std::string display_name;
                            ClassId curator_of = 0; };
struct GrantRole { UserId user = 0; Role role = Role::None; ClassId class_id = 0; };
struct RevokeRole { UserId user = 0; Role role = Role::None; ClassId class_id = 0; };
// password_hash: Argon2id, encoded (crypto_pwhash_str); computed by the caller, off the decider.
struct IssueCredential { UserId user = 0; std::string password_hash; bool one_time = true; };
struct ChangePassword { UserId user = 0; std::string password_hash; };
struct BlockAccount { UserId user = 0; std::string reason; };
struct UnblockAccount { UserId user = 0; std::string reason; };
struct RecordLogin { UserId user = 0; std::string login; std::string address; bool succeeded = false; };
// A backup or archive run on one target (the server's scheduler records it; nobody else may).
struct RecordBackup {
  bool archive = false;
  std::string target;
  bool succeeded = false;
  std::uint64_t first = 0, last = 0, bytes = 0;
  std::string month;
  std::string message;
};

// Class lists and personal data (the class's curator; deputy and administrator too).
struct EnrollStudent { ClassId class_id = 0; Day day = 0; PersonalData data; };
struct TransferStudent { UserId student = 0; ClassId to_class = 0; Day day = 0; std::string reason; };
struct StudentLeaves { UserId student = 0; Day day = 0; std::string reason; };
struct AddStudentToGroup { UserId student = 0; GroupId group = 0; };
struct RemoveStudentFromGroup { UserId student = 0; GroupId group = 0; };
struct AddParent { UserId student = 0; PersonalData data; };           // a new parent account
struct LinkParent { UserId parent = 0; UserId student = 0; };         // an existing parent, another child
struct UnlinkParent { UserId parent = 0; UserId student = 0; };
struct RecordPersonalData { DataSubject kind = DataSubject::Student; UserId subject = 0; PersonalData data; };
struct CheckPersonalData { DataSubject kind = DataSubject::Student; UserId subject = 0; Day day = 0; };
struct ErasePersonalData { DataSubject kind = DataSubject::Student; UserId subject = 0; std::string reason; };

// Lessons (the assignment's teacher; deputies schedule, substitute and cancel).
struct ScheduleLesson { AssignmentId assignment = 0; Day day = 0; int period = 0; };
// Lessons for every timetable slot in first_day..last_day (at most 31 days) that falls in a term and is not
// in the journal yet. Holidays are the gaps between terms.
struct ScheduleFromTimetable { Day first_day = 0; Day last_day = 0; };
struct SetTopic { LessonId lesson = 0; std::string topic; };
struct SetHomework { LessonId lesson = 0; std::string text; Day due_day = 0; };
struct SubstituteLesson { LessonId lesson = 0; UserId substitute = 0; std::string reason; };
struct CancelLesson { LessonId lesson = 0; std::string reason; };

// Marks and attendance (the lesson's teacher or its substitute).
struct SetMark { LessonId lesson = 0; UserId student = 0; int value = 0; WorkTypeId work_type = 0;
                 std::string comment; std::optional<std::uint32_t> expected_version = std::nullopt; };
struct CorrectMark { MarkId mark = 0; int value = 0; WorkTypeId work_type = 0; std::string reason;
                     std::optional<std::uint32_t> expected_version = std::nullopt; };
struct RemoveMark { MarkId mark = 0; std::string reason; std::optional<std::uint32_t> expected_version = std::nullopt; };
struct SetAttendance { LessonId lesson = 0; UserId student = 0; Attendance code = Attendance::Absent;
                       std::optional<std::uint32_t> expected_version = std::nullopt; };
struct ClearAttendance { LessonId lesson = 0; UserId student = 0; std::string reason;
                         std::optional<std::uint32_t> expected_version = std::nullopt; };
// The register is taken: students without an attendance mark in the lesson were present.
struct TakeAttendance { LessonId lesson = 0; };

// Term, year, exam and final marks (the subject's teacher of the student's class or group). A term mark
// names its term; the others name the academic year (term 0).
struct SetAttestationMark { UserId student = 0; SubjectId subject = 0; AttestationKind kind = AttestationKind::Term;
                            TermId term = 0; AttestationValue value = AttestationValue::None; std::string reason;
                            YearId year = 0; };

// The deputies' control.
struct ReviewHomework { LessonId lesson = 0; bool conforms = true; std::string comment; };
struct CloseTerm { TermId term = 0; };
struct ReopenTerm { TermId term = 0; std::string reason; };
// A teacher's change to a closed term, for a deputy to decide. kind says which change; the other fields
// are those of the matching command.
struct RequestCorrection { fb::CorrectionKind kind = fb::CorrectionKind::SetMark; LessonId lesson = 0;
                           UserId student = 0; MarkId mark = 0; int value = 0; WorkTypeId work_type = 0;
                           Attendance code = Attendance::Absent; std::string reason; };
struct ApproveCorrection { RequestId request = 0; std::string comment; };
struct RejectCorrection { RequestId request = 0; std::string reason; };

}  // namespace cmd

using Command = std::variant<
    cmd::OpenYear, cmd::DefineTerm, cmd::CreateClass, cmd::CreateStudyGroup, cmd::CreateSubject,
    cmd::DefineWorkType, cmd::AssignTeacher, cmd::EndAssignment, cmd::SetTimetableEntry,
    cmd::RemoveTimetableEntry, cmd::CreateStaffAccount, cmd::GrantRole, cmd::RevokeRole, cmd::IssueCredential,
    cmd::ChangePassword, cmd::BlockAccount, cmd::UnblockAccount, cmd::RecordLogin, cmd::EnrollStudent,
    cmd::TransferStudent, cmd::StudentLeaves, cmd::AddStudentToGroup, cmd::RemoveStudentFromGroup,
    cmd::AddParent, cmd::LinkParent, cmd::UnlinkParent, cmd::RecordPersonalData, cmd::CheckPersonalData,
    cmd::ErasePersonalData, cmd::ScheduleLesson, cmd::ScheduleFromTimetable, cmd::SetTopic, cmd::SetHomework, cmd::SubstituteLesson,
    cmd::CancelLesson, cmd::SetMark, cmd::CorrectMark, cmd::RemoveMark, cmd::SetAttendance,
    cmd::ClearAttendance, cmd::TakeAttendance, cmd::SetAttestationMark, cmd::ReviewHomework, cmd::CloseTerm, cmd::ReopenTerm,
    cmd::RequestCorrection, cmd::ApproveCorrection, cmd::RejectCorrection, cmd::RecordBackup>;

// Stable snake_case name of a command ("set_mark"), as used in the protocol and in tests.
const char* command_name(const Command& command);

}  // namespace ejournal::domain
