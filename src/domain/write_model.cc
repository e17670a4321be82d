#include "domain/write_model.h"

#include <algorithm>

namespace ejournal::domain {
namespace {

std::string str(const flatbuffers::String* s) { return s != nullptr ? s->str() : std::string(); }

void erase_value(std::vector<std::uint32_t>& v, std::uint32_t x) { std::erase(v, x); }

void add_unique(std::vector<std::uint32_t>& v, std::uint32_t x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

std::uint64_t slot_key(AssignmentId a, Day day, int period) {
  return (std::uint64_t{a} << 32) ^ (static_cast<std::uint64_t>(static_cast<std::uint32_t>(day)) << 8) ^
         static_cast<std::uint64_t>(period);
}

std::uint64_t time_key(Day day, int period) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(day)) << 8) | static_cast<std::uint8_t>(period);
}

}  // namespace

CellState WriteModel::cell(LessonId lesson, UserId student) const {
  if (lesson >= cells_.size()) return CellState{};
  const LessonCells& list = cells_[lesson];
  const auto it = std::lower_bound(list.begin(), list.end(), student, [](const auto& c, UserId s) { return c.first < s; });
  return it != list.end() && it->first == student ? it->second : CellState{};
}

CellState& WriteModel::cell_ref(LessonId lesson, UserId student) {
  LessonCells& list = slot(cells_, lesson);
  const auto it = std::lower_bound(list.begin(), list.end(), student, [](const auto& c, UserId s) { return c.first < s; });
  if (it != list.end() && it->first == student) return it->second;
  return list.insert(it, {student, CellState{}})->second;
}

UserId WriteModel::user_by_login(const std::string& login) const {
  auto it = logins_.find(login);
  return it == logins_.end() ? 0 : it->second;
}

bool WriteModel::lesson_slot_taken(AssignmentId a, Day day, int period) const {
  return lesson_slots_.count(slot_key(a, day, period)) != 0;
}

LessonId WriteModel::teaching_at(UserId teacher, Day day, int period, LessonId except) const {
  const auto it = lessons_by_time_.find(time_key(day, period));
  if (it == lessons_by_time_.end()) return 0;
  for (const LessonId id : it->second) {
    const LessonState& l = lessons_[id];
    if (id == except || l.not_held) continue;
    const UserId gives = l.substitute != 0 ? l.substitute : assignments_[l.assignment].teacher;
    if (gives == teacher) return id;
  }
  return 0;
}

bool WriteModel::has_attestation(UserId student, SubjectId subject, AttestationKind kind, YearId year,
                                 TermId term) const {
  return attestations_.count(AttestationKey{student, subject, kind, year, term}) != 0;
}

const std::vector<AssignmentId>& WriteModel::assignments_of(UserId teacher) const {
  static const std::vector<AssignmentId> kNone;
  auto it = by_teacher_.find(teacher);
  return it == by_teacher_.end() ? kNone : it->second;
}

TermId WriteModel::term_of_lesson(const LessonState& l) const {
  const AssignmentState* a = assignment(l.assignment);
  const ClassState* c = a != nullptr ? class_of(a->class_id) : nullptr;
  if (c == nullptr) return 0;
  for (TermId t : term_list_) {
    const TermState& ts = terms_[t];
    if (ts.year == c->year && c->grade >= ts.grade_from && c->grade <= ts.grade_to && l.day >= ts.first_day &&
        l.day <= ts.last_day)
      return t;
  }
  return 0;
}

bool WriteModel::student_in_assignment(UserId student_id, const AssignmentState& a) const {
  const StudentState* s = student(student_id);
  if (s == nullptr || s->class_id != a.class_id) return false;
  return a.group == 0 || std::find(s->groups.begin(), s->groups.end(), a.group) != s->groups.end();
}

void WriteModel::apply(const fb::Envelope& env, UserId actor) {
  using E = fb::Event;
  switch (env.event_type()) {
    case E::MarkSet: {
      const auto* e = env.event_as_MarkSet();
      MarkState& m = slot(marks_, e->mark());
      m = MarkState{true, e->lesson(), e->student(), false};
      ++cell_ref(e->lesson(), e->student()).version;
      ++slot(lessons_, e->lesson()).marks;
      break;
    }
    case E::AbsenceMarked: {
      const auto* e = env.event_as_AbsenceMarked();
      CellState& c = cell_ref(e->lesson(), e->student());
      ++c.version;
      if (!c.has_attendance) ++slot(lessons_, e->lesson()).attendance;
      c.has_attendance = true;
      break;
    }
    case E::AttendanceCleared: {
      const auto* e = env.event_as_AttendanceCleared();
      CellState& c = cell_ref(e->lesson(), e->student());
      ++c.version;
      if (c.has_attendance) --slot(lessons_, e->lesson()).attendance;
      c.has_attendance = false;
      break;
    }
    case E::MarkCorrected: {
      const auto* e = env.event_as_MarkCorrected();
      const MarkState& m = slot(marks_, e->mark());
      ++cell_ref(m.lesson, m.student).version;
      break;
    }
    case E::MarkRemoved: {
      const auto* e = env.event_as_MarkRemoved();
      MarkState& m = slot(marks_, e->mark());
      if (!m.removed) --slot(lessons_, m.lesson).marks;
      m.removed = true;
      ++cell_ref(m.lesson, m.student).version;
      break;
    }
    case E::AcademicYearOpened: slot(years_, env.event_as_AcademicYearOpened()->year()) = 1; break;
    case E::TermDefined: {
      const auto* e = env.event_as_TermDefined();
      slot(terms_, e->term()) = TermState{true, e->year(), e->first_day(), e->last_day(), e->grade_from(),
                                          e->grade_to(), false};
      // Kept ascending and without repeats, as index() rebuilds it; an id folded into the scratch record is
      // no term (term_of_lesson would read past the table).
      if (e->term() < terms_.size()) {
        const auto at = std::lower_bound(term_list_.begin(), term_list_.end(), e->term());
        if (at == term_list_.end() || *at != e->term()) term_list_.insert(at, e->term());
      }
      break;
    }
    case E::ClassCreated: {
      const auto* e = env.event_as_ClassCreated();
      slot(classes_, e->class_id()) = ClassState{true, e->year(), e->grade(), str(e->name())};
      break;
    }
    case E::StudyGroupCreated: {
      const auto* e = env.event_as_StudyGroupCreated();
      GroupState& g = slot(groups_, e->group());
      g.exists = true;
      g.class_id = e->class_id();
      g.name = e->name() != nullptr ? e->name()->str() : std::string();
      break;
    }
    case E::SubjectCreated: slot(subjects_, env.event_as_SubjectCreated()->subject()) = 1; break;
    case E::WorkTypeDefined: slot(work_types_, env.event_as_WorkTypeDefined()->work_type()) = 1; break;
    case E::TeacherAssigned: {
      const auto* e = env.event_as_TeacherAssigned();
      slot(assignments_, e->assignment()) =
          AssignmentState{true, e->teacher(), e->class_id(), e->group(), e->subject(), false};
      by_teacher_[e->teacher()].push_back(e->assignment());
      if (e->group() != 0) slot(groups_, e->group()).assignments.push_back(e->assignment());
      break;
    }
    case E::AssignmentEnded: slot(assignments_, env.event_as_AssignmentEnded()->assignment()).ended = true; break;
    case E::TimetableEntrySet: {
      const auto* e = env.event_as_TimetableEntrySet();
      slot(entries_, e->entry()) =
          TimetableEntryState{true, e->assignment(), false, e->weekday(), e->period(), e->first_day(), e->last_day()};
      break;
    }
    case E::TimetableEntryRemoved: slot(entries_, env.event_as_TimetableEntryRemoved()->entry()).removed = true; break;
    case E::AccountCreated: {
      const auto* e = env.event_as_AccountCreated();
      UserState& u = slot(users_, e->user());
      u.exists = true;
      u.login = str(e->login());
      u.roles |= role_bit(e->role());
      logins_[u.login] = e->user();
      if (e->role() == Role::Parent) slot(parents_, e->user()).exists = true;
      break;
    }
    case E::RoleGranted: {
      const auto* e = env.event_as_RoleGranted();
      UserState& u = slot(users_, e->user());
      u.roles |= role_bit(e->role());
      if (e->role() == Role::Curator) u.curator_of = e->class_id();
      break;
    }
    case E::RoleRevoked: {
      const auto* e = env.event_as_RoleRevoked();
      UserState& u = slot(users_, e->user());
      u.roles &= ~(role_bit(e->role()));
      if (e->role() == Role::Curator) u.curator_of = 0;
      break;
    }
    case E::CredentialIssued: {
      const auto* e = env.event_as_CredentialIssued();
      UserState& u = slot(users_, e->user());
      u.has_credential = true;
      u.one_time = e->one_time();
      break;
    }
    case E::PasswordChanged: {
      UserState& u = slot(users_, env.event_as_PasswordChanged()->user());
      u.has_credential = true;
      u.one_time = false;
      break;
    }
    case E::AccountBlocked: slot(users_, env.event_as_AccountBlocked()->user()).blocked = true; break;
    case E::AccountUnblocked: slot(users_, env.event_as_AccountUnblocked()->user()).blocked = false; break;
    case E::LoginSucceeded:
    case E::LoginFailed:
    case E::BackupRecorded: break;  // statistics and audit only
    case E::StudentEnrolled: {
      const auto* e = env.event_as_StudentEnrolled();
      StudentState& s = slot(students_, e->student());
      s.exists = true;
      s.class_id = e->class_id();
      break;
    }
    case E::StudentTransferred: {
      const auto* e = env.event_as_StudentTransferred();
      StudentState& s = slot(students_, e->student());
      s.class_id = e->to_class();
      s.groups.clear();  // study groups belong to a class
      break;
    }
    case E::StudentLeft: {
      StudentState& s = slot(students_, env.event_as_StudentLeft()->student());
      s.class_id = 0;
      s.groups.clear();
      break;
    }
    case E::StudentJoinedGroup: {
      const auto* e = env.event_as_StudentJoinedGroup();
      add_unique(slot(students_, e->student()).groups, e->group());
      add_unique(slot(groups_, e->group()).members, e->student());
      break;
    }
    case E::StudentLeftGroup: {
      const auto* e = env.event_as_StudentLeftGroup();
      erase_value(slot(students_, e->student()).groups, e->group());
      erase_value(slot(groups_, e->group()).members, e->student());
      break;
    }
    case E::ParentLinked: {
      const auto* e = env.event_as_ParentLinked();
      add_unique(slot(parents_, e->parent()).children, e->student());
      add_unique(slot(students_, e->student()).parents, e->parent());
      break;
    }
    case E::ParentUnlinked: {
      const auto* e = env.event_as_ParentUnlinked();
      erase_value(slot(parents_, e->parent()).children, e->student());
      erase_value(slot(students_, e->student()).parents, e->parent());
      break;
    }
    case E::PersonalDataRecorded:
    case E::PersonalDataChecked: break;
    case E::PersonalDataErased: {
      const auto* e = env.event_as_PersonalDataErased();
      if (e->subject_kind() == DataSubject::Student) slot(students_, e->subject()).erased = true;
      else slot(parents_, e->subject()).erased = true;
      break;
    }
    case E::LessonScheduled: {
      const auto* e = env.event_as_LessonScheduled();
      slot(lessons_, e->lesson()) = LessonState{true, e->assignment(), e->day(), e->period(), 0, false};
      if (e->lesson() < lessons_.size()) {  // not a scratch record: teaching_at() reads the lessons it lists
        lesson_slots_.insert(slot_key(e->assignment(), e->day(), e->period()));
        lessons_by_time_[time_key(e->day(), e->period())].push_back(e->lesson());
      }
      break;
    }
    case E::LessonSubstituted: {
      const auto* e = env.event_as_LessonSubstituted();
      slot(lessons_, e->lesson()).substitute = e->substitute();
      break;
    }
    case E::LessonNotHeld: slot(lessons_, env.event_as_LessonNotHeld()->lesson()).not_held = true; break;
    case E::LessonTopicSet:
    case E::HomeworkSet:
    case E::HomeworkReviewed: break;
    case E::AttendanceTaken: break;
    case E::AttestationMarkSet: {
      const auto* e = env.event_as_AttestationMarkSet();
      attestations_.insert(AttestationKey{e->student(), e->subject(), e->kind(), e->year(), e->term()});
      break;
    }
    case E::TermClosed: slot(terms_, env.event_as_TermClosed()->term()).closed = true; break;
    case E::TermReopened: slot(terms_, env.event_as_TermReopened()->term()).closed = false; break;
    case E::CorrectionRequested: {
      const auto* e = env.event_as_CorrectionRequested();
      RequestState& r = slot(requests_, e->request());
      r = RequestState{true,        false,       actor,     e->term(),      e->kind(),
                       e->lesson(), e->student(), e->mark(), e->value(),     e->work_type(),
                       e->code(),   str(e->reason())};
      break;
    }
    case E::CorrectionApproved: slot(requests_, env.event_as_CorrectionApproved()->request()).decided = true; break;
    case E::CorrectionRejected: slot(requests_, env.event_as_CorrectionRejected()->request()).decided = true; break;
    case E::NONE: break;
  }
}

void WriteModel::index() {
  logins_.clear();
  lesson_slots_.clear();
  lessons_by_time_.clear();
  by_teacher_.clear();
  term_list_.clear();
  for (std::size_t id = 1; id < users_.size(); ++id)
    if (users_[id].exists) logins_[users_[id].login] = static_cast<UserId>(id);
  for (std::size_t id = 1; id < terms_.size(); ++id)
    if (terms_[id].exists) term_list_.push_back(static_cast<TermId>(id));
  for (std::size_t id = 1; id < assignments_.size(); ++id)
    if (assignments_[id].exists) by_teacher_[assignments_[id].teacher].push_back(static_cast<AssignmentId>(id));
  lesson_slots_.reserve(lessons_.size());
  for (std::size_t id = 1; id < lessons_.size(); ++id) {
    const LessonState& l = lessons_[id];
    if (!l.exists) continue;
    lesson_slots_.insert(slot_key(l.assignment, l.day, l.period));
    lessons_by_time_[time_key(l.day, l.period)].push_back(static_cast<LessonId>(id));
  }
}

bool WriteModel::group_learns(GroupId group, SubjectId subject) const {
  const GroupState* g = this->group(group);
  if (g == nullptr) return false;
  for (AssignmentId id : g->assignments) {
    const AssignmentState* a = assignment(id);
    if (a != nullptr && !a->ended && a->subject == subject) return true;
  }
  return false;
}

SubjectId WriteModel::shared_subject(GroupId a, GroupId b) const {
  const GroupState* g = group(a);
  if (g == nullptr) return 0;
  for (AssignmentId id : g->assignments) {
    const AssignmentState* x = assignment(id);
    if (x != nullptr && !x->ended && group_learns(b, x->subject)) return x->subject;
  }
  return 0;
}

}  // namespace ejournal::domain
