#include "ejournal/projections/journal.h"

#include <algorithm>
#include <cmath>

#include "ejournal/fb/journal_snapshot_generated.h"

namespace ejournal::projections {
namespace {

using namespace domain;

std::string str(const flatbuffers::String* s) { return s != nullptr ? s->str() : std::string(); }

}  // namespace

double JournalProjection::round_average(double value) { return std::floor(value * 100.0 + 0.5 + 1e-9) / 100.0; }

void JournalProjection::apply(const EventView& ev) {
  using E = fb::Event;
  const fb::Envelope& env = ev.envelope;
  switch (env.event_type()) {
    case E::TermDefined: {
      const auto* e = env.event_as_TermDefined();
      terms_[e->term()] = Term{e->year(), e->first_day(), e->last_day(), e->grade_from(), e->grade_to()};
      break;
    }
    case E::ClassCreated: {
      const auto* e = env.event_as_ClassCreated();
      classes_[e->class_id()] = Class{e->year(), e->grade()};
      break;
    }
    case E::StudyGroupCreated: groups_[env.event_as_StudyGroupCreated()->group()] = env.event_as_StudyGroupCreated()->class_id(); break;
    case E::WorkTypeDefined: weights_[env.event_as_WorkTypeDefined()->work_type()] = env.event_as_WorkTypeDefined()->weight(); break;
    case E::TeacherAssigned: {
      const auto* e = env.event_as_TeacherAssigned();
      assignments_[e->assignment()] = Assignment{e->teacher(), e->class_id(), e->group(), e->subject()};
      break;
    }
    case E::StudentEnrolled: members_[env.event_as_StudentEnrolled()->student()] = Member{env.event_as_StudentEnrolled()->class_id(), {}}; break;
    case E::StudentTransferred: members_[env.event_as_StudentTransferred()->student()] = Member{env.event_as_StudentTransferred()->to_class(), {}}; break;
    case E::StudentLeft: members_[env.event_as_StudentLeft()->student()] = Member{}; break;
    case E::StudentJoinedGroup: {
      auto& g = members_[env.event_as_StudentJoinedGroup()->student()].groups;
      const GroupId group = env.event_as_StudentJoinedGroup()->group();
      if (std::find(g.begin(), g.end(), group) == g.end()) g.push_back(group);
      break;
    }
    case E::StudentLeftGroup: std::erase(members_[env.event_as_StudentLeftGroup()->student()].groups, env.event_as_StudentLeftGroup()->group()); break;
    case E::LessonScheduled: {
      const auto* e = env.event_as_LessonScheduled();
      lessons_[e->lesson()] = Lesson{e->assignment(), e->day(), e->period(), {}, {}, 0, 0, false, {}};
      auto& list = lessons_by_assignment_[e->assignment()];
      list.push_back(e->lesson());
      break;
    }
    case E::LessonTopicSet: lessons_[env.event_as_LessonTopicSet()->lesson()].topic = str(env.event_as_LessonTopicSet()->topic()); break;
    case E::HomeworkSet: {
      const auto* e = env.event_as_HomeworkSet();
      Lesson& l = lessons_[e->lesson()];
      l.homework = str(e->text());
      l.due = e->due_day();
      break;
    }
    case E::LessonSubstituted: lessons_[env.event_as_LessonSubstituted()->lesson()].substitute = env.event_as_LessonSubstituted()->substitute(); break;
    case E::LessonNotHeld: {
      Lesson& l = lessons_[env.event_as_LessonNotHeld()->lesson()];
      l.not_held = true;
      l.not_held_reason = str(env.event_as_LessonNotHeld()->reason());
      break;
    }
    case E::MarkSet: {
      const auto* e = env.event_as_MarkSet();
      marks_[e->mark()] = Mark{e->lesson(), e->student(), e->value(), e->work_type(), str(e->comment()), false};
      marks_by_cell_[{e->lesson(), e->student()}].push_back(e->mark());
      break;
    }
    case E::MarkCorrected: {
      const auto* e = env.event_as_MarkCorrected();
      Mark& m = marks_[e->mark()];
      m.value = e->value();
      m.work_type = e->work_type();
      break;
    }
    case E::MarkRemoved: marks_[env.event_as_MarkRemoved()->mark()].removed = true; break;
    case E::AbsenceMarked: {
      const auto* e = env.event_as_AbsenceMarked();
      attendance_[{e->lesson(), e->student()}] = e->code();
      break;
    }
    case E::AttendanceCleared: attendance_.erase({env.event_as_AttendanceCleared()->lesson(), env.event_as_AttendanceCleared()->student()}); break;
    case E::AttestationMarkSet: {
      const auto* e = env.event_as_AttestationMarkSet();
      attestation_[{e->student(), e->subject(), static_cast<int>(e->kind()), e->year(), e->term()}] = e->value();
      break;
    }
    default: break;
  }
}

Result<JournalPage> JournalProjection::page(ClassId class_id, GroupId group, SubjectId subject, TermId term_id) const {
  const auto cls = classes_.find(class_id);
  if (cls == classes_.end()) return Status(Code::not_found, "Класс не найден");
  if (group != 0) {
    const auto g = groups_.find(group);
    if (g == groups_.end() || g->second != class_id) return Status(Code::not_found, "Группа не найдена");
  }
  const auto term = terms_.find(term_id);
  if (term == terms_.end()) return Status(Code::not_found, "Учебный период не найден");

  JournalPage page;
  std::vector<LessonId> ids;
  for (const auto& [aid, a] : assignments_) {
    if (a.class_id != class_id || a.group != group || a.subject != subject) continue;
    if (auto it = lessons_by_assignment_.find(aid); it != lessons_by_assignment_.end())
      for (LessonId l : it->second) {
        const Lesson& lesson = lessons_.at(l);
        if (lesson.day >= term->second.first_day && lesson.day <= term->second.last_day) ids.push_back(l);
      }
  }
  std::sort(ids.begin(), ids.end(), [&](LessonId a, LessonId b) {
    const Lesson &la = lessons_.at(a), &lb = lessons_.at(b);
    return std::tie(la.day, la.period, a) < std::tie(lb.day, lb.period, b);
  });
  for (LessonId id : ids) {
    const Lesson& l = lessons_.at(id);
    const Assignment& a = assignments_.at(l.assignment);
    page.lessons.push_back(JournalLesson{id, l.day, l.period, l.topic, l.homework, l.due,
                                         l.substitute != 0 ? l.substitute : a.teacher, l.substitute != 0, !l.not_held,
                                         l.not_held_reason});
  }
  for (const auto& [student, m] : members_) {
    if (m.class_id != class_id) continue;
    if (group != 0 && std::find(m.groups.begin(), m.groups.end(), group) == m.groups.end()) continue;
    JournalRow row;
    row.student = student;
    double weighted = 0;
    int weights = 0;
    for (LessonId id : ids) {
      JournalCell cell;
      if (auto it = marks_by_cell_.find({id, student}); it != marks_by_cell_.end()) {
        for (MarkId mid : it->second) {
          const Mark& mk = marks_.at(mid);
          if (mk.removed) continue;
          cell.marks.push_back(JournalMark{mid, mk.value, mk.work_type, mk.comment});
          const auto w = weights_.find(mk.work_type);
          const int weight = w != weights_.end() ? w->second : 1;
          weighted += mk.value * weight;
          weights += weight;
        }
      }
      if (auto at = attendance_.find({id, student}); at != attendance_.end()) cell.attendance = at->second;
      row.cells.push_back(std::move(cell));
    }
    if (weights > 0) row.average = round_average(weighted / weights);
    const YearId year = term->second.year;
    if (auto t = attestation_.find({student, subject, static_cast<int>(AttestationKind::Term), year, term_id}); t != attestation_.end())
      row.term_mark = t->second;
    if (auto y = attestation_.find({student, subject, static_cast<int>(AttestationKind::Year), year, 0}); y != attestation_.end())
      row.year_mark = y->second;
    page.rows.push_back(std::move(row));
  }
  return page;
}

void JournalProjection::reindex() {
  lessons_by_assignment_.clear();
  marks_by_cell_.clear();
  for (const auto& [id, l] : lessons_) lessons_by_assignment_[l.assignment].push_back(id);
  for (const auto& [id, m] : marks_) marks_by_cell_[{m.lesson, m.student}].push_back(id);
}

std::string JournalProjection::snapshot() const {
  namespace s = fb::snap;
  flatbuffers::FlatBufferBuilder b(1 << 20);
  std::vector<flatbuffers::Offset<s::JLesson>> lessons;
  for (const auto& [id, l] : lessons_)
    lessons.push_back(s::CreateJLessonDirect(b, id, l.assignment, l.day, static_cast<std::uint8_t>(l.period), l.topic.c_str(),
                                             l.homework.c_str(), l.due, l.substitute, l.not_held, l.not_held_reason.c_str()));
  std::vector<flatbuffers::Offset<s::JAssignment>> assignments;
  for (const auto& [id, a] : assignments_)
    assignments.push_back(s::CreateJAssignment(b, id, a.teacher, a.class_id, a.group, a.subject));
  std::vector<flatbuffers::Offset<s::JTerm>> terms;
  for (const auto& [id, t] : terms_)
    terms.push_back(s::CreateJTerm(b, id, t.year, t.first_day, t.last_day, static_cast<std::uint8_t>(t.grade_from),
                                   static_cast<std::uint8_t>(t.grade_to)));
  std::vector<flatbuffers::Offset<s::JClass>> classes;
  for (const auto& [id, c] : classes_) classes.push_back(s::CreateJClass(b, id, c.year, static_cast<std::uint8_t>(c.grade)));
  std::vector<flatbuffers::Offset<s::JGroup>> groups;
  for (const auto& [id, c] : groups_) groups.push_back(s::CreateJGroup(b, id, c));
  std::vector<flatbuffers::Offset<s::JWeight>> weights;
  for (const auto& [id, w] : weights_) weights.push_back(s::CreateJWeight(b, id, static_cast<std::uint8_t>(w)));
  std::vector<flatbuffers::Offset<s::JMark>> marks;
  for (const auto& [id, m] : marks_)
    marks.push_back(s::CreateJMarkDirect(b, id, m.lesson, m.student, static_cast<std::uint8_t>(m.value), m.work_type,
                                         m.comment.c_str(), m.removed));
  std::vector<flatbuffers::Offset<s::JAttendance>> attendance;
  for (const auto& [key, code] : attendance_)
    attendance.push_back(s::CreateJAttendance(b, key.first, key.second, static_cast<std::uint8_t>(code)));
  std::vector<flatbuffers::Offset<s::JMember>> members;
  for (const auto& [id, m] : members_) members.push_back(s::CreateJMemberDirect(b, id, m.class_id, &m.groups));
  std::vector<flatbuffers::Offset<s::JAttestation>> attestation;
  for (const auto& [key, v] : attestation_) {
    const auto& [student, subject, kind, year, term] = key;
    attestation.push_back(s::CreateJAttestation(b, student, subject, static_cast<std::uint8_t>(kind), year, term,
                                                static_cast<std::uint8_t>(v)));
  }
  b.Finish(s::CreateJournalDirect(b, &lessons, &assignments, &terms, &classes, &groups, &weights, &marks, &attendance,
                                  &members, &attestation),
           s::JournalIdentifier());
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Status JournalProjection::restore(std::string_view raw) {
  namespace s = fb::snap;
  std::string aligned;  // FlatBuffers reads in place and needs the buffer 8-byte aligned
  if (reinterpret_cast<std::uintptr_t>(raw.data()) % 8 != 0) raw = aligned.assign(raw);
  flatbuffers::Verifier verifier(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size(), 64, 100'000'000);
  if (!s::JournalBufferHasIdentifier(raw.data()) || !s::VerifyJournalBuffer(verifier))
    return Status(Code::corruption, "not a journal snapshot");
  const s::Journal* j = s::GetJournal(raw.data());
  JournalProjection next;
  if (j->lessons())
    for (const auto* l : *j->lessons())
      next.lessons_[l->id()] = Lesson{l->assignment(), l->day(), l->period(), str(l->topic()), str(l->homework()), l->due(),
                                      l->substitute(), l->not_held(), str(l->not_held_reason())};
  if (j->assignments())
    for (const auto* a : *j->assignments()) next.assignments_[a->id()] = Assignment{a->teacher(), a->class_id(), a->group(), a->subject()};
  if (j->terms())
    for (const auto* t : *j->terms()) next.terms_[t->id()] = Term{t->year(), t->first_day(), t->last_day(), t->grade_from(), t->grade_to()};
  if (j->classes())
    for (const auto* c : *j->classes()) next.classes_[c->id()] = Class{c->year(), c->grade()};
  if (j->groups())
    for (const auto* g : *j->groups()) next.groups_[g->id()] = g->class_id();
  if (j->weights())
    for (const auto* w : *j->weights()) next.weights_[w->work_type()] = w->weight();
  if (j->marks())
    for (const auto* m : *j->marks())
      next.marks_[m->id()] = Mark{m->lesson(), m->student(), m->value(), m->work_type(), str(m->comment()), m->removed()};
  if (j->attendance())
    for (const auto* a : *j->attendance())
      next.attendance_[{a->lesson(), a->student()}] = static_cast<Attendance>(a->code());
  if (j->members())
    for (const auto* m : *j->members())
      next.members_[m->student()] = Member{m->class_id(), m->groups() ? std::vector<GroupId>(m->groups()->begin(), m->groups()->end())
                                                                      : std::vector<GroupId>()};
  if (j->attestation())
    for (const auto* a : *j->attestation())
      next.attestation_[{a->student(), a->subject(), a->kind(), a->year(), a->term()}] = static_cast<AttestationValue>(a->value());
  next.reindex();
  *this = std::move(next);
  return Status::OK();
}

}  // namespace ejournal::projections
