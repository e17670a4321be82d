#include "domain/decide.h"

#include <type_traits>

namespace ejournal::domain {
namespace {

template <typename T, typename... Ts>
constexpr bool one_of = (std::is_same_v<T, Ts> || ...);

// Byte length of the first `max_chars` code points is what matters to the log; count code points for people.
std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

bool valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

}  // namespace

Status check_text(const std::string& text, std::size_t max, const char* what, bool required) {
  if (required && text.find_first_not_of(" \t\r\n") == std::string::npos)
    return invalid(std::string(what) + ": поле не заполнено");
  if (!valid_utf8(text)) return invalid(std::string(what) + ": текст не в кодировке UTF-8");
  if (utf8_length(text) > max) return invalid(std::string(what) + ": не длиннее " + std::to_string(max) + " символов");
  return Status::OK();
}

Status check_reason(const std::string& reason) { return check_text(reason, kMaxName, "Причина", true); }

bool manages_school(const ActorView& a) { return a.is(Role::Deputy) || a.is(Role::Administrator); }

bool curates(const ActorView& a, ClassId class_id) {
  return class_id != 0 && a.is(Role::Curator) && a.user->curator_of == class_id;
}

bool teaches(const WriteModel& m, const ActorView& a, const LessonState& lesson) {
  if (a.user == nullptr || !a.is(Role::Teacher)) return false;
  if (lesson.substitute != 0) return lesson.substitute == a.id;  // a substituted lesson belongs to the substitute
  const AssignmentState* as = m.assignment(lesson.assignment);
  return as != nullptr && as->teacher == a.id;
}

Result<Decision> decide(const WriteModel& m, const ActorView& a, const Command& command, PersonalDataVault& vault) {
  return std::visit(
      [&](const auto& c) -> Result<Decision> {
        using T = std::decay_t<decltype(c)>;
        if constexpr (one_of<T, cmd::OpenYear, cmd::DefineTerm, cmd::CreateClass, cmd::CreateStudyGroup,
                             cmd::CreateSubject, cmd::DefineWorkType, cmd::AssignTeacher, cmd::EndAssignment,
                             cmd::SetTimetableEntry, cmd::RemoveTimetableEntry>) {
          return decide_structure(m, a, command);
        } else if constexpr (one_of<T, cmd::CreateStaffAccount, cmd::GrantRole, cmd::RevokeRole, cmd::IssueCredential,
                                    cmd::ChangePassword, cmd::BlockAccount, cmd::UnblockAccount, cmd::RecordLogin,
                                    cmd::RecordBackup>) {
          return decide_accounts(m, a, command);
        } else if constexpr (one_of<T, cmd::EnrollStudent, cmd::TransferStudent, cmd::StudentLeaves,
                                    cmd::AddStudentToGroup, cmd::RemoveStudentFromGroup, cmd::AddParent,
                                    cmd::LinkParent, cmd::UnlinkParent, cmd::RecordPersonalData,
                                    cmd::CheckPersonalData, cmd::ErasePersonalData>) {
          return decide_people(m, a, command, vault);
        } else if constexpr (one_of<T, cmd::ScheduleLesson, cmd::ScheduleFromTimetable, cmd::SetTopic, cmd::SetHomework, cmd::SubstituteLesson,
                                    cmd::CancelLesson, cmd::SetMark, cmd::CorrectMark, cmd::RemoveMark,
                                    cmd::SetAttendance, cmd::ClearAttendance, cmd::TakeAttendance, cmd::SetAttestationMark>) {
          return decide_lessons(m, a, command);
        } else {
          static_assert(one_of<T, cmd::ReviewHomework, cmd::CloseTerm, cmd::ReopenTerm, cmd::RequestCorrection,
                               cmd::ApproveCorrection, cmd::RejectCorrection>,
                        "every command belongs to a family");
          return decide_control(m, a, command);
        }
      },
      command);
}

}  // namespace ejournal::domain
