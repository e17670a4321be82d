#include "ejournal/projections/roster.h"

#include <algorithm>

#include "ejournal/fb/roster_snapshot_generated.h"
#include "ejournal/log/flat_bytes.h"

namespace ejournal::projections {
namespace {

using namespace domain;

std::string str(const flatbuffers::String* s) { return s != nullptr ? s->str() : std::string(); }

template <typename T>
std::vector<T> vec(const flatbuffers::Vector<T>* v) {
  return v != nullptr ? std::vector<T>(v->begin(), v->end()) : std::vector<T>();
}

std::string bytes(const flatbuffers::Vector<std::uint8_t>* v) {
  return v != nullptr ? std::string(reinterpret_cast<const char*>(v->data()), v->size()) : std::string();
}

void add_unique(std::vector<std::uint32_t>& v, std::uint32_t x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

}  // namespace

void RosterProjection::apply(const EventView& ev) {
  using E = fb::Event;
  switch (ev.type) {
    case E::ClassCreated: {
      const auto* e = ev.as<fb::ClassCreated>();
      classes_[e->class_id()] = RosterClass{e->class_id(), e->year(), e->grade(), str(e->name()), 0};
      break;
    }
    case E::StudyGroupCreated: {
      const auto* e = ev.as<fb::StudyGroupCreated>();
      groups_[e->group()] = RosterGroup{e->group(), e->class_id(), str(e->name())};
      break;
    }
    case E::TermDefined: {
      const auto* e = ev.as<fb::TermDefined>();
      terms_[e->term()] = RosterTerm{e->term(), e->year(), str(e->name()), e->first_day(), e->last_day(), e->grade_from(), e->grade_to(), false};
      break;
    }
    case E::TermClosed:
      if (auto it = terms_.find(ev.as<fb::TermClosed>()->term()); it != terms_.end()) it->second.closed = true;
      break;
    case E::TermReopened:
      if (auto it = terms_.find(ev.as<fb::TermReopened>()->term()); it != terms_.end()) it->second.closed = false;
      break;
    case E::WorkTypeDefined: {
      const auto* e = ev.as<fb::WorkTypeDefined>();
      work_types_[e->work_type()] = RosterWorkType{e->work_type(), str(e->name()), e->weight()};
      break;
    }
    case E::SubjectCreated: {
      const auto* e = ev.as<fb::SubjectCreated>();
      subjects_[e->subject()] = RosterSubject{e->subject(), str(e->name()), str(e->short_name())};
      break;
    }
    case E::AccountCreated: {
      const auto* e = ev.as<fb::AccountCreated>();
      if (e->role() == Role::Student || e->role() == Role::Parent) break;  // people of the class lists
      staff_[e->user()] = RosterStaff{e->user(), str(e->login()), str(e->display_name()),
                                      domain::role_bit(e->role()), false};
      break;
    }
    case E::RoleGranted: {
      const auto* e = ev.as<fb::RoleGranted>();
      if (auto it = staff_.find(e->user()); it != staff_.end()) it->second.roles |= domain::role_bit(e->role());
      if (e->role() == Role::Curator)
        if (auto c = classes_.find(e->class_id()); c != classes_.end()) c->second.curator = e->user();
      break;
    }
    case E::RoleRevoked: {
      const auto* e = ev.as<fb::RoleRevoked>();
      if (auto it = staff_.find(e->user()); it != staff_.end()) it->second.roles &= ~(domain::role_bit(e->role()));
      if (e->role() == Role::Curator)
        for (auto& [id, c] : classes_)
          if (c.curator == e->user()) c.curator = 0;
      break;
    }
    case E::AccountBlocked:
      if (auto it = staff_.find(ev.as<fb::AccountBlocked>()->user()); it != staff_.end()) it->second.blocked = true;
      break;
    case E::AccountUnblocked:
      if (auto it = staff_.find(ev.as<fb::AccountUnblocked>()->user()); it != staff_.end()) it->second.blocked = false;
      break;
    case E::StudentEnrolled: {
      const auto* e = ev.as<fb::StudentEnrolled>();
      RosterStudent& s = students_[e->student()];
      s.id = e->student();
      s.class_id = e->class_id();
      break;
    }
    case E::StudentTransferred: {
      RosterStudent& s = students_[ev.as<fb::StudentTransferred>()->student()];
      s.class_id = ev.as<fb::StudentTransferred>()->to_class();
      s.groups.clear();
      break;
    }
    case E::StudentLeft: {
      RosterStudent& s = students_[ev.as<fb::StudentLeft>()->student()];
      s.class_id = 0;
      s.groups.clear();
      break;
    }
    case E::StudentJoinedGroup: {
      const auto* e = ev.as<fb::StudentJoinedGroup>();
      add_unique(students_[e->student()].groups, e->group());
      break;
    }
    case E::StudentLeftGroup: {
      const auto* e = ev.as<fb::StudentLeftGroup>();
      std::erase(students_[e->student()].groups, e->group());
      break;
    }
    case E::ParentLinked: {
      const auto* e = ev.as<fb::ParentLinked>();
      RosterParent& p = parents_[e->parent()];
      p.id = e->parent();
      add_unique(p.children, e->student());
      add_unique(students_[e->student()].parents, e->parent());
      break;
    }
    case E::ParentUnlinked: {
      const auto* e = ev.as<fb::ParentUnlinked>();
      std::erase(parents_[e->parent()].children, e->student());
      std::erase(students_[e->student()].parents, e->parent());
      break;
    }
    case E::PersonalDataRecorded: {
      const auto* e = ev.as<fb::PersonalDataRecorded>();
      if (e->key_version() != 1) break;  // sealed under a key this program does not have (events.fbs)
      const std::string sealed = bytes(e->sealed());
      if (e->subject_kind() == DataSubject::Student) students_[e->subject()].sealed = sealed;
      else parents_[e->subject()].sealed = sealed;
      break;
    }
    case E::PersonalDataChecked: {
      const auto* e = ev.as<fb::PersonalDataChecked>();
      if (e->subject_kind() == DataSubject::Student) students_[e->subject()].checked_on = e->day();
      break;
    }
    case E::PersonalDataErased: {
      const auto* e = ev.as<fb::PersonalDataErased>();
      if (e->subject_kind() == DataSubject::Student) students_[e->subject()].erased = true;
      else parents_[e->subject()].erased = true;
      break;
    }
    case E::TeacherAssigned: {
      const auto* e = ev.as<fb::TeacherAssigned>();
      assignments_[e->assignment()] =
          RosterAssignment{e->assignment(), e->teacher(), e->class_id(), e->group(), e->subject(), false};
      break;
    }
    case E::AssignmentEnded: assignments_[ev.as<fb::AssignmentEnded>()->assignment()].ended = true; break;
    case E::TimetableEntrySet: {
      const auto* e = ev.as<fb::TimetableEntrySet>();
      entries_[e->entry()] = RosterEntry{e->entry(), e->assignment(), e->weekday(), e->period(), e->first_day(),
                                         e->last_day(), false};
      break;
    }
    case E::TimetableEntryRemoved: entries_[ev.as<fb::TimetableEntryRemoved>()->entry()].removed = true; break;
    case E::AcademicYearOpened: {
      const auto* e = ev.as<fb::AcademicYearOpened>();
      years_[e->year()] = RosterYear{e->year(), str(e->title()), e->first_day(), e->last_day()};
      break;
    }
    default: break;
  }
}

std::vector<UserId> RosterProjection::students_of_class(ClassId class_id) const {
  std::vector<UserId> out;
  for (const auto& [id, s] : students_)
    if (s.class_id == class_id && class_id != 0) out.push_back(id);
  return out;
}

std::vector<UserId> RosterProjection::students_of_group(GroupId group) const {
  std::vector<UserId> out;
  for (const auto& [id, s] : students_)
    if (std::find(s.groups.begin(), s.groups.end(), group) != s.groups.end()) out.push_back(id);
  return out;
}

std::string RosterProjection::snapshot() const {
  namespace s = fb::snap;
  flatbuffers::FlatBufferBuilder b(1 << 16);
  std::vector<flatbuffers::Offset<s::RosterClass>> classes;
  for (const auto& [id, c] : classes_)
    classes.push_back(s::CreateRosterClassDirect(b, id, c.year, static_cast<std::uint8_t>(c.grade), c.name.c_str(), c.curator));
  std::vector<flatbuffers::Offset<s::RosterGroup>> groups;
  for (const auto& [id, g] : groups_) groups.push_back(s::CreateRosterGroupDirect(b, id, g.class_id, g.name.c_str()));
  std::vector<flatbuffers::Offset<s::RosterStudent>> students;
  for (const auto& [id, st] : students_) {
    std::vector<std::uint8_t> sealed(st.sealed.begin(), st.sealed.end());
    students.push_back(s::CreateRosterStudentDirect(b, id, st.class_id, &st.groups, &st.parents, &sealed, st.checked_on, st.erased));
  }
  std::vector<flatbuffers::Offset<s::RosterParent>> parents;
  for (const auto& [id, p] : parents_) {
    std::vector<std::uint8_t> sealed(p.sealed.begin(), p.sealed.end());
    parents.push_back(s::CreateRosterParentDirect(b, id, &p.children, &sealed, p.erased));
  }
  std::vector<flatbuffers::Offset<s::RosterAssignment>> assignments;
  for (const auto& [id, a] : assignments_)
    assignments.push_back(s::CreateRosterAssignment(b, id, a.teacher, a.class_id, a.group, a.subject, a.ended));
  std::vector<flatbuffers::Offset<s::RosterEntry>> entries;
  for (const auto& [id, e] : entries_)
    entries.push_back(s::CreateRosterEntry(b, id, e.assignment, static_cast<std::uint8_t>(e.weekday),
                                           static_cast<std::uint8_t>(e.period), e.first_day, e.last_day, e.removed));
  std::vector<flatbuffers::Offset<s::RosterSubject>> subjects;
  for (const auto& [id, sub] : subjects_)
    subjects.push_back(s::CreateRosterSubjectDirect(b, id, sub.name.c_str(), sub.short_name.c_str()));
  std::vector<flatbuffers::Offset<s::RosterStaff>> staff;
  for (const auto& [id, st] : staff_)
    staff.push_back(s::CreateRosterStaffDirect(b, id, st.login.c_str(), st.name.c_str(), st.roles, st.blocked));
  std::vector<flatbuffers::Offset<s::RosterTerm>> terms;
  for (const auto& [id, t] : terms_)
    terms.push_back(s::CreateRosterTermDirect(b, id, t.year, t.name.c_str(), t.first_day, t.last_day,
                                              static_cast<std::uint8_t>(t.grade_from), static_cast<std::uint8_t>(t.grade_to), t.closed));
  std::vector<flatbuffers::Offset<s::RosterWorkType>> work_types;
  for (const auto& [id, w] : work_types_)
    work_types.push_back(s::CreateRosterWorkTypeDirect(b, id, w.name.c_str(), static_cast<std::uint8_t>(w.weight)));
  std::vector<flatbuffers::Offset<s::RosterYear>> years;
  for (const auto& [id, y] : years_) years.push_back(s::CreateRosterYearDirect(b, id, y.title.c_str(), y.first_day, y.last_day));
  b.Finish(s::CreateRosterDirect(b, &classes, &groups, &students, &parents, &assignments, &entries, &subjects, &staff,
                                 &terms, &work_types, /*terms_closed_kept=*/true, &years, /*years_kept=*/true),
           s::RosterIdentifier());
  return log::finished_bytes(b);
}

Status RosterProjection::restore(std::string_view raw) {
  namespace s = fb::snap;
  std::string aligned;
  const s::Roster* r = log::verified_root<s::Roster>(raw, s::RosterIdentifier(), aligned);
  if (r == nullptr) return Status(Code::corruption, "not a roster snapshot");
  if (!r->terms_closed_kept()) return Status(Code::unsupported, "a roster snapshot from before terms' closing was kept");
  if (!r->years_kept()) return Status(Code::unsupported, "a roster snapshot from before academic years were kept");
  RosterProjection next;
  if (r->classes())
    for (const auto* c : *r->classes()) next.classes_[c->id()] = RosterClass{c->id(), c->year(), c->grade(), str(c->name()), c->curator()};
  if (r->groups())
    for (const auto* g : *r->groups()) next.groups_[g->id()] = RosterGroup{g->id(), g->class_id(), str(g->name())};
  if (r->students())
    for (const auto* st : *r->students())
      next.students_[st->id()] = RosterStudent{st->id(), st->class_id(), vec(st->groups()), vec(st->parents()),
                                               bytes(st->sealed()), st->checked_on(), st->erased()};
  if (r->parents())
    for (const auto* p : *r->parents())
      next.parents_[p->id()] = RosterParent{p->id(), vec(p->children()), bytes(p->sealed()), p->erased()};
  if (r->assignments())
    for (const auto* a : *r->assignments())
      next.assignments_[a->id()] = RosterAssignment{a->id(), a->teacher(), a->class_id(), a->group(), a->subject(), a->ended()};
  if (r->entries())
    for (const auto* e : *r->entries())
      next.entries_[e->id()] = RosterEntry{e->id(), e->assignment(), e->weekday(), e->period(), e->first_day(), e->last_day(), e->removed()};
  if (r->subjects())
    for (const auto* sub : *r->subjects()) next.subjects_[sub->id()] = RosterSubject{sub->id(), str(sub->name()), str(sub->short_name())};
  if (r->staff())
    for (const auto* st : *r->staff())
      next.staff_[st->id()] = RosterStaff{st->id(), str(st->login()), str(st->name()), st->roles(), st->blocked()};
  if (r->terms())
    for (const auto* t : *r->terms())
      next.terms_[t->id()] = RosterTerm{t->id(), t->year(), str(t->name()), t->first_day(), t->last_day(), t->grade_from(), t->grade_to(), t->closed()};
  if (r->years())
    for (const auto* y : *r->years()) next.years_[y->id()] = RosterYear{y->id(), str(y->title()), y->first_day(), y->last_day()};
  if (r->work_types())
    for (const auto* w : *r->work_types()) next.work_types_[w->id()] = RosterWorkType{w->id(), str(w->name()), w->weight()};
  *this = std::move(next);
  return Status::OK();
}

}  // namespace ejournal::projections
