// WriteModel::snapshot() and restore(): the model as schema/write_model_snapshot.fbs.
#include <algorithm>

#include "domain/write_model.h"
#include "ejournal/fb/write_model_snapshot_generated.h"
#include "ejournal/log/flat_bytes.h"

namespace ejournal::domain {
namespace {

namespace wm = fb::wm;

// A snapshot's lists are indexed by id; the domain makes ids densely, so a list longer than this is damage
// (the same bound as the projections' tables, IdTable::kMaxId), refused before anything is allocated.
constexpr std::size_t kMaxIds = std::size_t{1} << 28;

std::string str(const flatbuffers::String* s) { return s != nullptr ? s->str() : std::string(); }

template <typename T>
std::vector<T> ids(const flatbuffers::Vector<T>* v) {
  return v != nullptr ? std::vector<T>(v->begin(), v->end()) : std::vector<T>();
}

template <typename T>
std::size_t size_of(const flatbuffers::Vector<T>* v) {
  return v != nullptr ? v->size() : 0;
}

}  // namespace

std::string WriteModel::snapshot() const { return encode(freeze()); }

WriteModel::Frozen WriteModel::freeze() const {
  Frozen f;
  f.users = users_;
  f.years = years_;
  f.subjects = subjects_;
  f.work_types = work_types_;
  f.terms = terms_;
  f.classes = classes_;
  f.groups = groups_;
  f.assignments = assignments_;
  f.entries = entries_;
  f.students = students_;
  f.parents = parents_;
  f.lessons = lessons_;
  f.marks = marks_;
  f.requests = requests_;
  std::size_t n = 0;
  for (const LessonCells& list : cells_) n += list.size();
  f.cells.reserve(n);
  for (std::size_t lesson = 0; lesson < cells_.size(); ++lesson)
    for (const auto& [student, c] : cells_[lesson]) f.cells.emplace_back(cell_key(static_cast<LessonId>(lesson), student), c);
  f.attestations.assign(attestations_.begin(), attestations_.end());
  return f;
}

std::string WriteModel::encode(Frozen f) {
  flatbuffers::FlatBufferBuilder b(std::size_t{1} << 20);
  std::vector<flatbuffers::Offset<wm::WUser>> users;
  users.reserve(f.users.size());
  for (const UserState& u : f.users)
    users.push_back(wm::CreateWUserDirect(b, u.exists, u.login.c_str(), u.roles, u.curator_of, u.blocked, u.has_credential, u.one_time));
  std::vector<wm::WTerm> terms;
  for (const TermState& t : f.terms)
    terms.emplace_back(t.exists, t.closed, static_cast<std::uint8_t>(t.grade_from), static_cast<std::uint8_t>(t.grade_to), t.year,
                       t.first_day, t.last_day);
  std::vector<flatbuffers::Offset<wm::WClass>> classes;
  for (const ClassState& c : f.classes) classes.push_back(wm::CreateWClassDirect(b, c.exists, c.year, c.grade, c.name.c_str()));
  std::vector<flatbuffers::Offset<wm::WGroup>> groups;
  for (const GroupState& g : f.groups)
    groups.push_back(wm::CreateWGroupDirect(b, g.exists, g.class_id, g.name.c_str(), &g.assignments, &g.members));
  std::vector<wm::WAssignment> assignments;
  for (const AssignmentState& a : f.assignments) assignments.emplace_back(a.exists, a.ended, a.teacher, a.class_id, a.group, a.subject);
  std::vector<wm::WEntry> entries;
  for (const TimetableEntryState& e : f.entries)
    entries.emplace_back(e.exists, e.removed, static_cast<std::uint8_t>(e.weekday), static_cast<std::uint8_t>(e.period), e.assignment,
                         e.first_day, e.last_day);
  std::vector<flatbuffers::Offset<wm::WStudent>> students;
  students.reserve(f.students.size());
  for (const StudentState& s : f.students)
    students.push_back(wm::CreateWStudentDirect(b, s.exists, s.class_id, &s.groups, &s.parents, s.erased));
  std::vector<flatbuffers::Offset<wm::WParent>> parents;
  parents.reserve(f.parents.size());
  for (const ParentState& p : f.parents) parents.push_back(wm::CreateWParentDirect(b, p.exists, &p.children, p.erased));
  std::vector<flatbuffers::Offset<wm::WRequest>> requests;
  for (const RequestState& r : f.requests)
    requests.push_back(wm::CreateWRequestDirect(b, r.exists, r.decided, r.requester, r.term, static_cast<std::uint8_t>(r.kind), r.lesson,
                                                r.student, r.mark, r.value, r.work_type, static_cast<std::uint8_t>(r.code),
                                                r.reason.c_str()));
  // The bulk of the model: written straight into the buffer, with no vector in between.
  wm::WLesson* lesson_out = nullptr;
  const auto lessons = b.CreateUninitializedVectorOfStructs(f.lessons.size(), &lesson_out);
  for (const LessonState& l : f.lessons)
    *lesson_out++ = wm::WLesson(l.exists, l.not_held, static_cast<std::uint8_t>(l.period), l.assignment, l.day, l.substitute, l.marks,
                                l.attendance);
  wm::WMark* mark_out = nullptr;
  const auto marks = b.CreateUninitializedVectorOfStructs(f.marks.size(), &mark_out);
  for (const MarkState& m : f.marks) *mark_out++ = wm::WMark(m.exists, m.removed, m.lesson, m.student);
  const std::vector<std::pair<std::uint64_t, CellState>>& cells = f.cells;  // in key order: deterministic bytes
  wm::WCell* cell_out = nullptr;
  const auto cell_vector = b.CreateUninitializedVectorOfStructs(cells.size(), &cell_out);
  for (const auto& [key, c] : cells) *cell_out++ = wm::WCell(key, c.version, c.has_attendance);
  std::vector<wm::WAttestation> attestations;
  attestations.reserve(f.attestations.size());
  for (const AttestationKey& a : f.attestations)
    attestations.emplace_back(static_cast<std::uint8_t>(a.kind), a.student, a.subject, a.year, a.term);
  std::sort(attestations.begin(), attestations.end(), [](const wm::WAttestation& x, const wm::WAttestation& y) {
    return std::make_tuple(x.student(), x.subject(), x.kind(), x.year(), x.term()) <
           std::make_tuple(y.student(), y.subject(), y.kind(), y.year(), y.term());
  });
  const auto root = wm::CreateWriteModel(
      b, b.CreateVector(users), b.CreateVector(f.years), b.CreateVectorOfStructs(terms), b.CreateVector(classes), b.CreateVector(groups),
      b.CreateVector(f.subjects), b.CreateVector(f.work_types), b.CreateVectorOfStructs(assignments), b.CreateVectorOfStructs(entries),
      b.CreateVector(students), b.CreateVector(parents), lessons, marks, b.CreateVector(requests), cell_vector,
      b.CreateVectorOfStructs(attestations));
  b.Finish(root, wm::WriteModelIdentifier());
  return log::finished_bytes(b);
}

Status WriteModel::restore(std::string_view raw) {
  const auto bad = [](const std::string& why) { return Status(Code::corruption, "write model snapshot: " + why); };
  std::string aligned;
  const wm::WriteModel* m = log::verified_root<wm::WriteModel>(raw, wm::WriteModelIdentifier(), aligned);
  if (m == nullptr) return bad("not a write model");
  for (std::size_t n : {size_of(m->users()), size_of(m->years()), size_of(m->terms()), size_of(m->classes()), size_of(m->groups()),
                        size_of(m->subjects()), size_of(m->work_types()), size_of(m->assignments()), size_of(m->entries()),
                        size_of(m->students()), size_of(m->parents()), size_of(m->lessons()), size_of(m->marks()),
                        size_of(m->requests())})
    if (n == 0 || n > kMaxIds) return bad("a list is empty or implausibly long");  // element 0 is always there
  WriteModel next;
  next.users_.clear();
  for (const auto* u : *m->users())
    next.users_.push_back(UserState{u->exists(), str(u->login()), u->roles(), u->curator_of(), u->blocked(), u->has_credential(), u->one_time()});
  next.years_ = ids(m->years());
  next.terms_.clear();
  for (const auto* t : *m->terms())
    next.terms_.push_back(TermState{t->exists(), t->year(), t->first_day(), t->last_day(), t->grade_from(), t->grade_to(), t->closed()});
  next.classes_.clear();
  for (const auto* c : *m->classes()) next.classes_.push_back(ClassState{c->exists(), c->year(), c->grade(), str(c->name())});
  next.groups_.clear();
  for (const auto* g : *m->groups())
    next.groups_.push_back(GroupState{g->exists(), g->class_id(), str(g->name()), ids(g->assignments()), ids(g->members())});
  next.subjects_ = ids(m->subjects());
  next.work_types_ = ids(m->work_types());
  next.assignments_.clear();
  for (const auto* a : *m->assignments())
    next.assignments_.push_back(AssignmentState{a->exists(), a->teacher(), a->class_id(), a->group(), a->subject(), a->ended()});
  next.entries_.clear();
  for (const auto* e : *m->entries())
    next.entries_.push_back(TimetableEntryState{e->exists(), e->assignment(), e->removed(), e->weekday(), e->period(), e->first_day(), e->last_day()});
  next.students_.clear();
  next.students_.reserve(m->students()->size());
  for (const auto* s : *m->students())
    next.students_.push_back(StudentState{s->exists(), s->class_id(), ids(s->groups()), ids(s->parents()), s->erased()});
  next.parents_.clear();
  next.parents_.reserve(m->parents()->size());
  for (const auto* p : *m->parents()) next.parents_.push_back(ParentState{p->exists(), ids(p->children()), p->erased()});
  next.lessons_.resize(m->lessons()->size());
  for (std::size_t i = 0; i < next.lessons_.size(); ++i) {
    const auto* l = m->lessons()->Get(static_cast<flatbuffers::uoffset_t>(i));
    next.lessons_[i] = LessonState{l->exists(), l->assignment(), l->day(), l->period(), l->substitute(), l->not_held(), l->marks(), l->attendance()};
  }
  next.marks_.resize(m->marks()->size());
  for (std::size_t i = 0; i < next.marks_.size(); ++i) {
    const auto* k = m->marks()->Get(static_cast<flatbuffers::uoffset_t>(i));
    next.marks_[i] = MarkState{k->exists(), k->lesson(), k->student(), k->removed()};
  }
  next.requests_.clear();
  for (const auto* r : *m->requests())
    next.requests_.push_back(RequestState{r->exists(), r->decided(), r->requester(), r->term(), static_cast<fb::CorrectionKind>(r->kind()),
                                          r->lesson(), r->student(), r->mark(), r->value(), r->work_type(),
                                          static_cast<Attendance>(r->code()), str(r->reason())});
  if (m->cells() != nullptr) {
    if (m->cells()->size() > kMaxIds * 8) return bad("implausibly many cells");
    // In key order, (lesson, student) ascending: each lesson's list is filled in order, in room taken once
    // (grown one by one, the lists kept a third of their room empty).
    std::uint64_t previous = 0;
    std::vector<std::uint32_t> per_lesson;
    for (const auto* c : *m->cells()) {
      if (c->key() <= previous && previous != 0) return bad("cells out of order");
      previous = c->key();
      const auto lesson = static_cast<std::size_t>(c->key() >> 32);
      if (lesson >= kMaxIds) return bad("a cell of a lesson id out of range");
      if (per_lesson.size() <= lesson) per_lesson.resize(lesson + 1);
      ++per_lesson[lesson];
    }
    next.cells_.resize(std::max<std::size_t>(1, per_lesson.size()));
    for (std::size_t lesson = 0; lesson < per_lesson.size(); ++lesson) next.cells_[lesson].reserve(per_lesson[lesson]);
    for (const auto* c : *m->cells())
      next.cells_[c->key() >> 32].emplace_back(static_cast<UserId>(c->key()), CellState{c->version(), c->has_attendance()});
  }
  if (m->attestations() != nullptr)
    for (const auto* a : *m->attestations())
      next.attestations_.insert(AttestationKey{a->student(), a->subject(), static_cast<AttestationKind>(a->kind()), a->year(), a->term()});
  next.index();
  *this = std::move(next);
  return Status::OK();
}

}  // namespace ejournal::domain
