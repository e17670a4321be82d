#include "ejournal/projections/journal.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "ejournal/fb/journal_snapshot_generated.h"
#include "ejournal/projections/school_time.h"
#include "ejournal/log/flat_bytes.h"

namespace ejournal::projections {
namespace {

using namespace domain;

std::string str(const flatbuffers::String* s) { return s != nullptr ? s->str() : std::string(); }

}  // namespace

const JournalProjection::Lesson* JournalProjection::lesson(LessonId id) const { return lessons_.find(id); }
const JournalProjection::Assignment* JournalProjection::assignment(AssignmentId id) const {
  return assignments_.find(id);
}
std::optional<JournalProjection::Mark> JournalProjection::mark(MarkId id) const {
  const Lesson* l = nullptr;
  const Lesson::CellMark* m = find_mark(id, &l);
  if (m == nullptr) return std::nullopt;
  return Mark{*marks_.find(id), m->student, m->value, m->work_type, m->removed};
}

const JournalProjection::Lesson::CellMark* JournalProjection::find_mark(MarkId id, const Lesson** lesson) const {
  const LessonId* at = marks_.find(id);
  const Lesson* l = at != nullptr ? lessons_.find(*at) : nullptr;
  if (l == nullptr) return nullptr;
  *lesson = l;
  const auto it = std::lower_bound(l->marks.begin(), l->marks.end(), id, [](const Lesson::CellMark& m, MarkId x) { return m.id < x; });
  return it != l->marks.end() && it->id == id ? &*it : nullptr;
}

JournalProjection::Lesson::CellMark* JournalProjection::find_mark(MarkId id, Lesson** lesson) {
  const Lesson* l = nullptr;
  const Lesson::CellMark* m = std::as_const(*this).find_mark(id, &l);
  *lesson = const_cast<Lesson*>(l);
  return const_cast<Lesson::CellMark*>(m);
}

void JournalProjection::mark_view(const Lesson::CellMark& m, JournalMark& out) const {
  // Filled in place: a JournalMark returned by value went through the stack, at twice the cost of the rest
  // of a page's mark.
  out.id = m.id;
  out.value = m.value;
  out.work_type = m.work_type;
  if (m.commented)
    if (const auto c = comments_.find(m.id); c != comments_.end()) out.comment = c->second;
}

void JournalProjection::index_weights() {
  weight_of_.clear();
  for (const auto& [type, w] : weights_) {
    if (type >= weight_of_.size()) weight_of_.resize(std::size_t{type} + 1, 1);
    weight_of_[type] = w;
  }
}

const JournalProjection::Lesson::Cell* JournalProjection::Lesson::cell(UserId student) const {
  for (const Cell& c : cells)
    if (c.student == student) return &c;
  return nullptr;
}
JournalProjection::Lesson::Cell* JournalProjection::Lesson::cell(UserId student) {
  return const_cast<Cell*>(std::as_const(*this).cell(student));
}

YearId JournalProjection::year_of_class(ClassId class_id) const {
  const auto c = classes_.find(class_id);
  return c == classes_.end() ? 0 : c->second.year;
}

YearId JournalProjection::year_of_week(UserId student, Day monday) const {
  const Member* m = member(student);
  if (m == nullptr) return 0;
  YearId year = 0;
  for (const Stint& st : m->classes) {
    if (st.from > monday + 6 || st.to < monday) continue;
    const YearId y = year_of_class(st.id);
    if (year != 0 && y != year) return 0;  // a week across two years: no one part answers it
    year = y;
  }
  return year;
}

YearId JournalProjection::year_at(Day day) const {
  Day started = 0;
  YearId year = 0;
  for (const auto& [id, t] : terms_)
    if (t.first_day <= day && t.first_day >= started) started = t.first_day, year = t.year;
  return year;
}

JournalProjection::Lesson* JournalProjection::touch_lesson(LessonId id, log::Position position) {
  Lesson* l = lessons_.find(id);
  if (l != nullptr) stamps_.touch(l->year, position);
  return l;
}
const JournalProjection::Member* JournalProjection::member(UserId student) const {
  auto it = members_.find(student);
  return it == members_.end() ? nullptr : &it->second;
}
const std::vector<AssignmentId>* JournalProjection::assignments_of(ClassId class_id, GroupId group, SubjectId subject) const {
  auto it = assignments_by_key_.find(AssignmentKey{class_id, group, subject});
  return it == assignments_by_key_.end() ? nullptr : &it->second;
}

void JournalProjection::set_attestation(UserId student, const StudentAttestation& a) {
  auto& list = attestation_[student];
  const auto it = std::lower_bound(list.begin(), list.end(), a, [](const StudentAttestation& x, const StudentAttestation& y) { return x.key() < y.key(); });
  if (it != list.end() && it->key() == a.key()) it->value = a.value;
  else list.insert(it, a);
  auto& graded = attestation_by_key_[AttestationKey{a.subject, a.kind, a.year, a.term}];
  const auto at = std::lower_bound(graded.begin(), graded.end(), student, [](const auto& g, UserId s) { return g.first < s; });
  if (at != graded.end() && at->first == student) at->second = a.value;
  else graded.insert(at, {student, a.value});
}

void JournalProjection::index_assignment(AssignmentId id, const Assignment& a) {
  assignments_by_key_[AssignmentKey{a.class_id, a.group, a.subject}].push_back(id);
  assignments_by_class_[a.class_id].push_back(id);
}

namespace {
void prefetch_lines(const void* p, std::size_t bytes) {
  const char* at = static_cast<const char*>(p);
  for (std::size_t line = 0; line < bytes; line += 64) __builtin_prefetch(at + line);
}
}  // namespace

void JournalProjection::prefetch_lesson(const Lesson* l) { prefetch_lines(l, sizeof(Lesson)); }

void JournalProjection::prefetch_cells(const Lesson* l) {
  prefetch_lines(l->marks.data(), l->marks.size() * sizeof(Lesson::CellMark));
  prefetch_lines(l->cells.data(), l->cells.size() * sizeof(Lesson::Cell));
}

JournalProjection::Lesson::Cell& JournalProjection::bump(Lesson& lesson, UserId student) {
  if (Lesson::Cell* c = lesson.cell(student)) {
    ++c->version;
    return *c;
  }
  return lesson.cells.emplace_back(Lesson::Cell{student, 1, false, {}});
}

double JournalProjection::round_average(double value) { return std::floor(value * 100.0 + 0.5 + 1e-9) / 100.0; }

void JournalProjection::apply(const EventView& ev) {
  using E = fb::Event;
  switch (ev.type) {
    case E::TermDefined:
    case E::ClassCreated:
    case E::StudyGroupCreated:
    case E::WorkTypeDefined:
    case E::TeacherAssigned:
    case E::StudentEnrolled:
    case E::StudentTransferred:
    case E::StudentLeft:
    case E::StudentJoinedGroup:
    case E::StudentLeftGroup: stamps_.touch(kSharedPart, ev.position); break;
    default: break;
  }
  switch (ev.type) {
    case E::TermDefined: {
      const auto* e = ev.as<fb::TermDefined>();
      terms_[e->term()] = Term{e->year(), e->first_day(), e->last_day(), e->grade_from(), e->grade_to()};
      break;
    }
    case E::ClassCreated: {
      const auto* e = ev.as<fb::ClassCreated>();
      classes_[e->class_id()] = Class{e->year(), e->grade()};
      break;
    }
    case E::StudyGroupCreated: groups_[ev.as<fb::StudyGroupCreated>()->group()] = ev.as<fb::StudyGroupCreated>()->class_id(); break;
    case E::WorkTypeDefined:
      weights_[ev.as<fb::WorkTypeDefined>()->work_type()] = ev.as<fb::WorkTypeDefined>()->weight();
      index_weights();
      break;
    case E::TeacherAssigned: {
      const auto* e = ev.as<fb::TeacherAssigned>();
      Assignment& a = assignments_[e->assignment()];
      a = Assignment{e->teacher(), e->class_id(), e->group(), e->subject()};
      index_assignment(e->assignment(), a);
      break;
    }
    case E::StudentEnrolled:
    case E::StudentTransferred:
    case E::StudentLeft: {
      UserId student = 0;
      ClassId to = 0;
      Day day = 0;
      if (const auto* e = ev.as<fb::StudentEnrolled>()) {
        student = e->student(), to = e->class_id(), day = e->day();
      } else if (const auto* t = ev.as<fb::StudentTransferred>()) {
        student = t->student(), to = t->to_class(), day = t->day();
      } else if (const auto* l = ev.as<fb::StudentLeft>()) {
        student = l->student(), day = l->day();
      }
      // The class and its groups end the day before; the new class starts that day.
      Member& m = members_[student];
      for (Stint& st : m.classes)
        if (st.to == kStill) st.to = day - 1;
      for (Stint& st : m.group_stints)
        if (st.to == kStill) st.to = day - 1;
      m.groups.clear();
      m.class_id = to;
      if (to != 0) m.classes.push_back(Stint{to, day, kStill});
      index_member(student, m);
      break;
    }
    case E::StudentJoinedGroup: {
      const auto* e = ev.as<fb::StudentJoinedGroup>();
      Member& m = members_[e->student()];
      if (std::find(m.groups.begin(), m.groups.end(), e->group()) != m.groups.end()) break;
      m.groups.push_back(e->group());
      // Group events carry no day: a first group in the class counts from the student's first day in it
      // (groups are often set up after the first lessons); a move from another group of the class, or a
      // return, from the day it was recorded.
      Day from = school_day(ev.recorded_at);
      if (!m.classes.empty()) {
        const Stint& cls = m.classes.back();
        const auto g = groups_.find(e->group());
        const bool moved = std::any_of(m.group_stints.begin(), m.group_stints.end(), [&](const Stint& st) {
          const auto other = groups_.find(st.id);
          return st.from >= cls.from && other != groups_.end() && g != groups_.end() && other->second == g->second;
        });
        if (!moved) from = cls.from;
      }
      m.group_stints.push_back(Stint{e->group(), from, kStill});
      index_member(e->student(), m);
      break;
    }
    case E::StudentLeftGroup: {
      const auto* e = ev.as<fb::StudentLeftGroup>();
      Member& m = members_[e->student()];
      std::erase(m.groups, e->group());
      for (Stint& st : m.group_stints)
        if (st.id == e->group() && st.to == kStill) st.to = school_day(ev.recorded_at) - 1;
      index_member(e->student(), m);
      break;
    }
    case E::LessonScheduled: {
      const auto* e = ev.as<fb::LessonScheduled>();
      const Assignment* a = assignment(e->assignment());
      const YearId year = a != nullptr ? year_of_class(a->class_id) : 0;
      if (!stamps_.holds(year)) break;
      stamps_.touch(year, ev.position);
      Lesson& l = lessons_[e->lesson()];
      l = Lesson{true, e->assignment(), e->day(), e->period(), {}, {}, 0, 0, false, {}, year, {}, {}};
      BumpArena* arena = arena_of(year);  // its marks and cells grow there without a malloc each
      rebind(l.marks, arena);
      rebind(l.cells, arena);
      auto& list = lessons_by_assignment_[e->assignment()];
      const LessonKey key{e->day(), e->period(), e->lesson()};
      list.insert(std::upper_bound(list.begin(), list.end(), key), key);  // at the end, as lessons mostly come
      auto& of_year = lessons_by_year_[year];
      of_year.insert(std::upper_bound(of_year.begin(), of_year.end(), e->lesson()), e->lesson());
      break;
    }
    case E::LessonTopicSet:
      if (Lesson* l = touch_lesson(ev.as<fb::LessonTopicSet>()->lesson(), ev.position)) l->topic = str(ev.as<fb::LessonTopicSet>()->topic());
      break;
    case E::HomeworkSet: {
      const auto* e = ev.as<fb::HomeworkSet>();
      if (Lesson* l = touch_lesson(e->lesson(), ev.position)) {
        l->homework = str(e->text());
        l->due = e->due_day();
      }
      break;
    }
    case E::LessonSubstituted:
      if (Lesson* l = touch_lesson(ev.as<fb::LessonSubstituted>()->lesson(), ev.position)) l->substitute = ev.as<fb::LessonSubstituted>()->substitute();
      break;
    case E::LessonNotHeld:
      if (Lesson* l = touch_lesson(ev.as<fb::LessonNotHeld>()->lesson(), ev.position)) {
        l->not_held = true;
        l->not_held_reason = str(ev.as<fb::LessonNotHeld>()->reason());
      }
      break;
    case E::MarkSet: {
      const auto* e = ev.as<fb::MarkSet>();
      Lesson* l = touch_lesson(e->lesson(), ev.position);
      if (l == nullptr) break;
      const bool commented = e->comment() != nullptr && e->comment()->size() > 0;
      marks_[e->mark()] = e->lesson();
      // Ids grow with the log, so appending keeps the lesson's marks in id order; insert in order anyway.
      const Lesson::CellMark cm{e->mark(), e->student(), e->work_type(), static_cast<std::uint8_t>(e->value()), false, commented};
      if (l->marks.empty() || l->marks.back().id < cm.id) l->marks.push_back(cm);
      else l->marks.insert(std::lower_bound(l->marks.begin(), l->marks.end(), cm.id, [](const Lesson::CellMark& m, MarkId x) { return m.id < x; }), cm);
      if (commented) comments_[e->mark()] = e->comment()->str();
      bump(*l, e->student());
      break;
    }
    case E::MarkCorrected: {
      const auto* e = ev.as<fb::MarkCorrected>();
      Lesson* l = nullptr;
      Lesson::CellMark* m = find_mark(e->mark(), &l);
      if (m == nullptr) break;
      stamps_.touch(l->year, ev.position);
      m->value = static_cast<std::uint8_t>(e->value());
      m->work_type = e->work_type();
      bump(*l, m->student);
      break;
    }
    case E::MarkRemoved: {
      Lesson* l = nullptr;
      Lesson::CellMark* m = find_mark(ev.as<fb::MarkRemoved>()->mark(), &l);
      if (m == nullptr) break;
      stamps_.touch(l->year, ev.position);
      m->removed = true;
      bump(*l, m->student);
      break;
    }
    case E::AbsenceMarked: {
      const auto* e = ev.as<fb::AbsenceMarked>();
      Lesson* l = touch_lesson(e->lesson(), ev.position);
      if (l == nullptr) break;
      Lesson::Cell& c = bump(*l, e->student());
      c.attended = true;
      c.attendance = e->code();
      break;
    }
    case E::AttendanceCleared: {
      const auto* e = ev.as<fb::AttendanceCleared>();
      Lesson* l = touch_lesson(e->lesson(), ev.position);
      if (l == nullptr) break;
      bump(*l, e->student()).attended = false;
      break;
    }
    case E::AttestationMarkSet: {
      const auto* e = ev.as<fb::AttestationMarkSet>();
      if (!stamps_.holds(e->year())) break;
      stamps_.touch(e->year(), ev.position);
      set_attestation(e->student(), {e->subject(), static_cast<int>(e->kind()), e->year(), e->term(), e->value()});
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
  if (term->second.year != cls->second.year || cls->second.grade < term->second.grade_from ||
      cls->second.grade > term->second.grade_to)
    return Status(Code::invalid_argument, "Этот учебный период не относится к классу (другой учебный год или параллели)");

  JournalPage page;
  const Day first = term->second.first_day, last = term->second.last_day;
  std::vector<LessonKey> keys;
  const std::vector<AssignmentId>* of_key = assignments_of(class_id, group, subject);
  if (of_key != nullptr) {
    for (AssignmentId aid : *of_key) lessons_between(aid, first, last, keys);
    if (of_key->size() > 1) std::sort(keys.begin(), keys.end());  // after a change of teacher: merge
  }
  const std::size_t columns = keys.size();
  std::vector<const Lesson*> cols;
  cols.reserve(columns);
  page.lessons.reserve(columns);
  for (const LessonKey& k : keys) cols.push_back(lessons_.find(k.id));
  for (const Lesson* l : cols) prefetch_lesson(l);  // the loads of every lesson overlap, not one after another
  const Assignment* a = nullptr;  // of the lesson before: one or two per page
  AssignmentId a_id = 0;
  for (std::size_t col = 0; col < columns; ++col) {
    const LessonKey& k = keys[col];
    const Lesson* l = cols[col];
    if (a == nullptr || l->assignment != a_id) a = assignments_.find(a_id = l->assignment);
    page.lessons.push_back(lesson_view(k.id, *l, *a));
    // Each lesson's marks and cells are read below; ask for them now, so the loads overlap.
    prefetch_cells(l);
  }
  // Rows: everyone who was in the class (or group) on some day of the term, by student id; anyone else
  // with an entry in one of its lessons gets a row too when the cells are filled (nothing entered is hidden).
  // Row i's cells are storage cells i*columns … (i+1)*columns - 1, in the order rows were added.
  auto& cells = page.storage.cells_;
  const auto add_row = [&](UserId student, std::optional<Stint> st) {
    JournalRow row;
    row.student = student;
    if (st) {
      if (st->from > first) row.joined = st->from;
      if (st->to < last) row.left = st->to;
    }
    page.rows.push_back(row);
    cells.resize(cells.size() + columns);
  };
  const Rolls& rolls = group == 0 ? class_rolls_ : group_rolls_;
  if (auto it = rolls.find(group == 0 ? class_id : group); it != rolls.end()) {
    const auto& roll = it->second;  // by (student, from): a student's stint is the last that overlaps the term
    page.rows.reserve(roll.size());
    cells.reserve(roll.size() * columns);
    for (std::size_t i = 0; i < roll.size(); ++i) {
      const RollEntry* found = nullptr;
      const UserId student = roll[i].student;
      for (; i < roll.size() && roll[i].student == student; ++i)
        if (roll[i].from <= last && roll[i].to >= first) found = &roll[i];
      --i;
      if (found != nullptr) add_row(student, Stint{0, found->from, found->to});
    }
  }
  const std::size_t members = page.rows.size();
  constexpr std::size_t kNoRow = ~std::size_t{0};
  // Members' rows by student id: a direct table when their ids are close (a class enrolled together), else
  // a binary search; the rare others by a scan.
  constexpr UserId kMaxDirect = 4096;
  const UserId lo = members > 0 ? page.rows.front().student : 0;
  const UserId span = members > 0 ? page.rows[members - 1].student - lo + 1 : 0;
  std::vector<std::uint16_t> direct;
  if (span <= kMaxDirect && members < 0xFFFF) {
    direct.assign(span, 0xFFFF);
    for (std::size_t r = 0; r < members; ++r) direct[page.rows[r].student - lo] = static_cast<std::uint16_t>(r);
  }
  const auto row_of = [&](UserId student) {
    if (!direct.empty()) {
      if (student - lo < span && direct[student - lo] != 0xFFFF) return std::size_t{direct[student - lo]};
    } else {
      const auto end = page.rows.begin() + static_cast<std::ptrdiff_t>(members);
      const auto it = std::lower_bound(page.rows.begin(), end, student, [](const JournalRow& r, UserId s) { return r.student < s; });
      if (it != end && it->student == student) return static_cast<std::size_t>(it - page.rows.begin());
    }
    for (std::size_t i = members; i < page.rows.size(); ++i)
      if (page.rows[i].student == student) return i;
    return kNoRow;
  };
  const auto row_for = [&](UserId student) {
    const std::size_t r = row_of(student);
    if (r != kNoRow) return r;
    add_row(student, std::nullopt);
    return page.rows.size() - 1;
  };
  // Cells: attendance and versions; and the marks, a lesson's grouped by row so that each cell's are
  // together in one array (sized first: the spans into it never move).
  auto& marks = page.storage.marks_;
  {
    std::size_t all = 0;
    for (const Lesson* l : cols) all += l->marks.size();
    marks.reserve(all);
  }
  std::vector<std::pair<std::size_t, const Lesson::CellMark*>> live;  // of one lesson: (row, mark)
  for (std::size_t col = 0; col < columns; ++col) {
    live.clear();
    for (const Lesson::CellMark& mk : cols[col]->marks)
      if (!mk.removed) live.emplace_back(row_for(mk.student), &mk);
    // By row, keeping id order within a cell; a lesson has a few dozen marks, mostly in row order already.
    for (std::size_t i = 1; i < live.size(); ++i)
      for (std::size_t j = i; j > 0 && live[j - 1].first > live[j].first; --j) std::swap(live[j - 1], live[j]);
    for (std::size_t i = 0; i < live.size();) {
      const std::size_t r = live[i].first, from = marks.size();
      for (; i < live.size() && live[i].first == r; ++i) mark_view(*live[i].second, marks.emplace_back());
      cells[r * columns + col].marks = std::span<const JournalMark>(marks.data() + from, marks.size() - from);
    }
    for (const Lesson::Cell& c : cols[col]->cells) {
      const std::size_t r = c.attended ? row_for(c.student) : row_of(c.student);
      if (r == kNoRow) continue;
      JournalCell& cell = cells[r * columns + col];
      if (c.attended) cell.attendance = c.attendance;
      cell.version = c.version;
    }
  }
  const YearId year = term->second.year;
  for (std::size_t r = 0; r < page.rows.size(); ++r) {
    JournalRow& row = page.rows[r];
    row.cells = std::span<const JournalCell>(cells.data() + r * columns, columns);
    double weighted = 0;
    int weights = 0;
    for (const JournalCell& cell : row.cells)
      for (const JournalMark& m : cell.marks) {
        const int w = weight(m.work_type);
        weighted += m.value * w;
        weights += w;
      }
    if (weights > 0) row.average = round_average(weighted / weights);
  }
  // Term, year, exam and final marks: lists by student, walked along the rows (in student order but the rare
  // rows of non-members, which the binary search still finds).
  const auto fill = [&](int kind, TermId t, std::optional<AttestationValue> JournalRow::*field) {
    const auto found = attestation_by_key_.find(AttestationKey{subject, kind, year, t});
    if (found == attestation_by_key_.end()) return;
    const Graded& graded = found->second;
    for (JournalRow& row : page.rows) {
      const auto at = std::lower_bound(graded.begin(), graded.end(), row.student, [](const auto& g, UserId s) { return g.first < s; });
      if (at != graded.end() && at->first == row.student) row.*field = at->second;
    }
  };
  fill(static_cast<int>(AttestationKind::Term), term_id, &JournalRow::term_mark);
  fill(static_cast<int>(AttestationKind::Year), 0, &JournalRow::year_mark);
  fill(static_cast<int>(AttestationKind::Exam), 0, &JournalRow::exam_mark);
  fill(static_cast<int>(AttestationKind::Final), 0, &JournalRow::final_mark);
  if (page.rows.size() > members)  // rows added for entries only: back into student order (spans move along)
    std::sort(page.rows.begin(), page.rows.end(), [](const JournalRow& x, const JournalRow& y) { return x.student < y.student; });
  return page;
}

JournalLesson JournalProjection::lesson_view(LessonId id, const Lesson& l, const Assignment& a) {
  return JournalLesson{id, l.day, l.period, l.topic, l.homework, l.due, l.substitute != 0 ? l.substitute : a.teacher,
                       l.substitute != 0, !l.not_held, l.not_held_reason};
}

void JournalProjection::index_member(UserId student, const Member& m) {
  // The student's entries in each roll they are on, replaced by their stints as they stand now.
  const auto reroll = [&](Rolls& rolls, const std::vector<Stint>& stints) {
    for (const Stint& st : stints) {
      auto& roll = rolls[st.id];
      const auto lo = std::lower_bound(roll.begin(), roll.end(), student, [](const RollEntry& e, UserId s) { return e.student < s; });
      const auto hi = std::upper_bound(lo, roll.end(), student, [](UserId s, const RollEntry& e) { return s < e.student; });
      std::vector<RollEntry> mine;
      for (const Stint& other : stints)
        if (other.id == st.id) mine.push_back(RollEntry{student, other.from, other.to});
      roll.insert(roll.erase(lo, hi), mine.begin(), mine.end());
    }
  };
  reroll(class_rolls_, m.classes);
  reroll(group_rolls_, m.group_stints);
}

void JournalProjection::lessons_between(AssignmentId assignment, Day from, Day to, std::vector<LessonKey>& out) const {
  const auto* found = lessons_by_assignment_.find(assignment);
  if (found == nullptr) return;
  const auto& list = *found;
  const auto begin = std::lower_bound(list.begin(), list.end(), LessonKey{from, std::numeric_limits<int>::min(), 0});
  const auto end = std::upper_bound(begin, list.end(), LessonKey{to, std::numeric_limits<int>::max(), ~LessonId{0}});
  out.insert(out.end(), begin, end);
}

void JournalProjection::index_lessons() {
  lessons_by_assignment_.clear();
  lessons_by_year_.clear();
  lessons_.for_each([&](LessonId id, const Lesson& l) {
    lessons_by_assignment_[l.assignment].push_back(LessonKey{l.day, l.period, id});
    lessons_by_year_[l.year].push_back(id);
  });
  lessons_by_assignment_.for_each([](AssignmentId, std::vector<LessonKey>& list) { std::sort(list.begin(), list.end()); });
}

void JournalProjection::index_others() {
  index_weights();
  assignments_by_key_.clear();
  assignments_by_class_.clear();
  class_rolls_.clear();
  group_rolls_.clear();
  assignments_.for_each([&](AssignmentId id, const Assignment& a) { index_assignment(id, a); });
  for (const auto& [student, m] : members_) {
    for (const Stint& st : m.classes) class_rolls_[st.id].push_back(RollEntry{student, st.from, st.to});
    for (const Stint& st : m.group_stints) group_rolls_[st.id].push_back(RollEntry{student, st.from, st.to});
  }
  for (Rolls* rolls : {&class_rolls_, &group_rolls_})
    for (auto& [id, roll] : *rolls)
      std::stable_sort(roll.begin(), roll.end(), [](const RollEntry& x, const RollEntry& y) { return x.key() < y.key(); });
}

std::vector<Projection::PartStamp> JournalProjection::parts() const { return stamps_.all(); }
std::string JournalProjection::snapshot() const { return encode(true, kAllParts); }
std::string JournalProjection::snapshot_part(PartKey key) const { return encode(key == kSharedPart, key); }

std::unique_ptr<Projection> JournalProjection::fresh_in_scope(PartKey scope) const {
  auto p = std::make_unique<JournalProjection>();
  p->stamps_.set_scope(scope);
  return p;
}

std::string JournalProjection::encode(bool shared, PartKey year) const {
  namespace s = fb::snap;
  flatbuffers::FlatBufferBuilder b(1 << 20);
  // The lessons this part holds, in id order (so the bytes are deterministic).
  std::vector<LessonId> held;
  if (year == kAllParts) {
    lessons_.for_each([&](LessonId id, const Lesson&) { held.push_back(id); });
  } else if (auto it = lessons_by_year_.find(year); year != kSharedPart && it != lessons_by_year_.end()) {
    held = it->second;
  }
  std::vector<flatbuffers::Offset<s::JLesson>> lessons;
  lessons.reserve(held.size());
  for (LessonId id : held) {
    const Lesson& l = *lessons_.find(id);
    lessons.push_back(s::CreateJLessonDirect(b, id, l.assignment, l.day, static_cast<std::uint8_t>(l.period), l.topic.c_str(),
                                             l.homework.c_str(), l.due, l.substitute, l.not_held, l.not_held_reason.c_str()));
  }
  // Marks in id order: each held lesson's are in id order already; merged by sorting.
  std::vector<std::pair<MarkId, LessonId>> mark_ids;
  for (LessonId id : held)
    for (const Lesson::CellMark& m : lessons_.find(id)->marks) mark_ids.emplace_back(m.id, id);
  std::sort(mark_ids.begin(), mark_ids.end());
  std::vector<flatbuffers::Offset<s::JMark>> marks;
  marks.reserve(mark_ids.size());
  for (const auto& [id, lesson] : mark_ids) {
    const Lesson* l = nullptr;
    const Lesson::CellMark& m = *find_mark(id, &l);
    const auto comment = m.commented ? comments_.find(id) : comments_.end();
    marks.push_back(s::CreateJMarkDirect(b, id, lesson, m.student, m.value, m.work_type,
                                         comment != comments_.end() ? comment->second.c_str() : "", m.removed));
  }
  std::vector<flatbuffers::Offset<s::JAttendance>> attendance;
  std::vector<s::JVersion> versions;
  for (LessonId id : held) {  // attendance by (lesson, student), whatever order it was entered in: deterministic bytes
    const Lesson& l = *lessons_.find(id);
    std::vector<std::pair<UserId, Attendance>> list;
    for (const Lesson::Cell& c : l.cells) {
      if (c.attended) list.emplace_back(c.student, c.attendance);
      versions.emplace_back(id, c.student, c.version);
    }
    std::sort(list.begin(), list.end());
    for (const auto& [student, code] : list) attendance.push_back(s::CreateJAttendance(b, id, student, static_cast<std::uint8_t>(code)));
  }
  std::vector<flatbuffers::Offset<s::JAttestation>> attestation;
  if (year != kSharedPart) {
    std::vector<UserId> students;  // by student, then (subject, kind, year, term): deterministic bytes
    students.reserve(attestation_.size());
    for (const auto& [student, list] : attestation_) students.push_back(student);
    std::sort(students.begin(), students.end());
    for (UserId student : students)
      for (const StudentAttestation& a : attestation_.at(student)) {
        if (year != kAllParts && a.year != year) continue;
        attestation.push_back(s::CreateJAttestation(b, student, a.subject, static_cast<std::uint8_t>(a.kind), a.year, a.term,
                                                    static_cast<std::uint8_t>(a.value)));
      }
  }
  std::vector<flatbuffers::Offset<s::JAssignment>> assignments;
  std::vector<flatbuffers::Offset<s::JTerm>> terms;
  std::vector<flatbuffers::Offset<s::JClass>> classes;
  std::vector<flatbuffers::Offset<s::JGroup>> groups;
  std::vector<flatbuffers::Offset<s::JWeight>> weights;
  std::vector<flatbuffers::Offset<s::JMember>> members;
  std::vector<s::JPartStamp> stamps;
  for (const PartStamp& st : stamps_.of(shared, year)) stamps.emplace_back(st.key, st.stamp);
  if (shared) {
    assignments_.for_each([&](AssignmentId id, const Assignment& a) {
      assignments.push_back(s::CreateJAssignment(b, id, a.teacher, a.class_id, a.group, a.subject));
    });
    for (const auto& [id, t] : terms_)
      terms.push_back(s::CreateJTerm(b, id, t.year, t.first_day, t.last_day, static_cast<std::uint8_t>(t.grade_from),
                                     static_cast<std::uint8_t>(t.grade_to)));
    for (const auto& [id, c] : classes_) classes.push_back(s::CreateJClass(b, id, c.year, static_cast<std::uint8_t>(c.grade)));
    for (const auto& [id, c] : groups_) groups.push_back(s::CreateJGroup(b, id, c));
    for (const auto& [id, w] : weights_) weights.push_back(s::CreateJWeight(b, id, static_cast<std::uint8_t>(w)));
    for (const auto& [id, m] : members_) {
      std::vector<s::JStint> in_classes, in_groups;
      for (const Stint& st : m.classes) in_classes.emplace_back(st.id, st.from, st.to);
      for (const Stint& st : m.group_stints) in_groups.emplace_back(st.id, st.from, st.to);
      members.push_back(s::CreateJMemberDirect(b, id, m.class_id, &m.groups, &in_classes, &in_groups));
    }
  }
  b.Finish(s::CreateJournalDirect(b, &lessons, &assignments, &terms, &classes, &groups, &weights, &marks, &attendance,
                                  &members, &attestation, &versions, &stamps),
           s::JournalIdentifier());
  return log::finished_bytes(b);
}

Status JournalProjection::restore(std::string_view raw) {
  const std::string_view one[] = {raw};
  return restore_parts(one, kAllParts);
}

Status JournalProjection::restore_parts(std::span<const std::string_view> parts, PartKey scope) {
  namespace s = fb::snap;
  JournalProjection next;
  next.stamps_.set_scope(scope);
  // First pass, over every part: verify it, and read the lessons and the tables they depend on; count each
  // lesson's marks and changed cells. The marks and cells are read in a second pass, once every lesson's
  // room has been taken in page order (lay_out).
  std::vector<std::string> aligned(parts.size());
  std::vector<const s::Journal*> roots;
  // The bound keeps a damaged snapshot from making the tables allocate without limit. Id 0 ("none") is
  // allowed: a record the log names with 0 is held by the live state too, which must restore from its own
  // snapshot (tests/fuzz/fuzz_envelope).
  const auto too_big = [](std::uint64_t id) { return id >= IdTable<LessonId, Lesson>::kMaxId; };
  IdTable<LessonId, std::uint32_t> mark_count, cell_count;
  for (std::size_t part = 0; part < parts.size(); ++part) {
    const s::Journal* j = log::verified_root<s::Journal>(parts[part], s::JournalIdentifier(), aligned[part]);
    if (j == nullptr) return Status(Code::corruption, "not a journal snapshot");
    roots.push_back(j);
    // Ids come in ascending order: room for them all at once.
    if (j->lessons() && j->lessons()->size() > 0) {
      const LessonId lo = j->lessons()->Get(0)->id(), hi = j->lessons()->Get(j->lessons()->size() - 1)->id();
      if (!too_big(lo) && !too_big(hi)) {
        next.lessons_.reserve(lo, hi);
        mark_count.reserve(lo, hi);
        cell_count.reserve(lo, hi);
      }
    }
    if (j->marks() && j->marks()->size() > 0) {
      const MarkId lo = j->marks()->Get(0)->id(), hi = j->marks()->Get(j->marks()->size() - 1)->id();
      if (!too_big(lo) && !too_big(hi)) next.marks_.reserve(lo, hi);
    }
    if (j->lessons())
      for (const auto* l : *j->lessons()) {
        if (too_big(l->id())) return Status(Code::corruption, "journal snapshot: bad lesson id");
        next.lessons_[l->id()] = Lesson{true, l->assignment(), l->day(), l->period(), str(l->topic()), str(l->homework()),
                                        l->due(), l->substitute(), l->not_held(), str(l->not_held_reason()), 0, {}, {}};
      }
    if (j->assignments())
      for (const auto* a : *j->assignments()) {
        if (too_big(a->id())) return Status(Code::corruption, "journal snapshot: bad assignment id");
        next.assignments_[a->id()] = Assignment{a->teacher(), a->class_id(), a->group(), a->subject()};
      }
    if (j->terms())
      for (const auto* t : *j->terms()) next.terms_[t->id()] = Term{t->year(), t->first_day(), t->last_day(), t->grade_from(), t->grade_to()};
    if (j->classes())
      for (const auto* c : *j->classes()) next.classes_[c->id()] = Class{c->year(), c->grade()};
    if (j->groups())
      for (const auto* g : *j->groups()) next.groups_[g->id()] = g->class_id();
    if (j->weights())
      for (const auto* w : *j->weights()) next.weights_[w->work_type()] = w->weight();
  }
  for (const s::Journal* j : roots) {  // every part's lessons are known now
    if (j->marks())
      for (const auto* m : *j->marks())
        if (next.lessons_.contains(m->lesson())) ++mark_count[m->lesson()];
    if (j->versions())
      for (const auto* v : *j->versions())
        if (next.lessons_.contains(v->lesson())) ++cell_count[v->lesson()];
  }
  // A lesson's year comes from its class, which the shared part holds.
  bool orphan = false;
  next.lessons_.for_each([&](LessonId, Lesson& l) {
    const Assignment* a = next.assignment(l.assignment);
    l.year = a != nullptr ? next.year_of_class(a->class_id) : 0;
    if (l.year == 0) orphan = true;
  });
  if (orphan) return Status(Code::corruption, "journal snapshot: a lesson of an unknown class");
  next.index_lessons();
  const auto count = [](const IdTable<LessonId, std::uint32_t>& counts, LessonId id) {
    const std::uint32_t* n = counts.find(id);
    return n != nullptr ? *n : 0;
  };
  // Each year's marks and cells in one arena of just their size.
  std::map<YearId, std::size_t> year_bytes;
  next.lessons_.for_each([&](LessonId id, const Lesson& l) {
    year_bytes[l.year] += count(mark_count, id) * sizeof(Lesson::CellMark) + count(cell_count, id) * sizeof(Lesson::Cell);
  });
  for (const auto& [year, bytes] : year_bytes) next.arenas_[year] = std::make_unique<BumpArena>(bytes);
  const auto reserve = [&](LessonId id, Lesson& l) {
    BumpArena* arena = next.arena_of(l.year);
    rebind(l.marks, arena);
    rebind(l.cells, arena);
    l.marks.reserve(count(mark_count, id));
    l.cells.reserve(count(cell_count, id));
  };
  // A whole state serves pages for long: its arrays in page order. A state in one part's scope serves an
  // as_of query or two, which a walk across the lessons in page order would slow down: in id order.
  if (scope == kAllParts) next.lay_out(kAllParts, reserve);
  else next.lessons_.for_each(reserve);
  // Second pass: marks, cells and the rest.
  for (const s::Journal* j : roots) {
    if (j->marks())
      for (const auto* m : *j->marks()) {  // in id order, so each lesson's marks are too
        if (too_big(m->id())) return Status(Code::corruption, "journal snapshot: bad mark id");
        Lesson* l = next.lessons_.find(m->lesson());
        if (l == nullptr) return Status(Code::corruption, "journal snapshot: a mark of an unknown lesson");
        if (!l->marks.empty() && l->marks.back().id >= m->id()) return Status(Code::corruption, "journal snapshot: marks out of order");
        const bool commented = m->comment() != nullptr && m->comment()->size() > 0;
        l->marks.push_back(Lesson::CellMark{m->id(), m->student(), m->work_type(), m->value(), m->removed(), commented});
        next.marks_[m->id()] = m->lesson();
        if (commented) next.comments_[m->id()] = m->comment()->str();
      }
    if (j->members())
      for (const auto* m : *j->members()) {
        Member& member = next.members_[m->student()];
        member.class_id = m->class_id();
        if (m->groups()) member.groups.assign(m->groups()->begin(), m->groups()->end());
        if (m->classes())
          for (const auto* st : *m->classes()) member.classes.push_back(Stint{st->id(), st->from(), st->to()});
        if (m->group_stints())
          for (const auto* st : *m->group_stints()) member.group_stints.push_back(Stint{st->id(), st->from(), st->to()});
      }
    if (j->attestation())
      for (const auto* a : *j->attestation())
        next.set_attestation(a->student(), {a->subject(), a->kind(), a->year(), a->term(), static_cast<AttestationValue>(a->value())});
    if (j->versions())
      for (const auto* v : *j->versions()) {
        Lesson* l = next.lessons_.find(v->lesson());
        if (l == nullptr) return Status(Code::corruption, "journal snapshot: versions of an unknown lesson");
        l->cells.push_back(Lesson::Cell{v->student(), v->version(), false, {}});
      }
    if (j->attendance())  // after the versions: a cell with attendance has changed, so it is there
      for (const auto* a : *j->attendance()) {
        Lesson* l = next.lessons_.find(a->lesson());
        if (l == nullptr) return Status(Code::corruption, "journal snapshot: attendance of an unknown lesson");
        Lesson::Cell* c = l->cell(a->student());
        if (c == nullptr) return Status(Code::corruption, "journal snapshot: attendance of a cell that never changed");
        c->attended = true;
        c->attendance = static_cast<Attendance>(a->code());
      }
    if (j->stamps())
      for (const auto* st : *j->stamps()) next.stamps_.touch(st->key(), st->stamp());
  }
  next.index_others();
  if (scope == kAllParts)
    for (const PartStamp& st : next.stamps_.all())
      if (st.key != kSharedPart) next.laid_out_[st.key] = st.stamp;
  lessons_ = {};  // before the arenas their marks and cells are in
  *this = std::move(next);
  return Status::OK();
}

BumpArena* JournalProjection::arena_of(YearId year) {
  std::unique_ptr<BumpArena>& arena = arenas_[year];
  if (!arena) arena = std::make_unique<BumpArena>();
  return arena.get();
}

void JournalProjection::compact() {
  // The years changed since they were last laid out; a closed year is laid out once.
  std::vector<PartKey> years;
  for (const PartStamp& st : stamps_.all()) {
    if (st.key == kSharedPart) continue;
    auto [it, added] = laid_out_.try_emplace(st.key, st.stamp);
    if (added || it->second != st.stamp) years.push_back(st.key);
    it->second = st.stamp;
  }
  for (PartKey year : years) {
    const auto of_year = lessons_by_year_.find(static_cast<YearId>(year));
    if (of_year == lessons_by_year_.end()) continue;
    std::size_t bytes = 0;
    for (LessonId id : of_year->second)
      if (const Lesson* l = lessons_.find(id)) bytes += l->marks.size() * sizeof(Lesson::CellMark) + l->cells.size() * sizeof(Lesson::Cell);
    auto fresh = std::make_unique<BumpArena>(bytes);
    const auto move = [&](Lesson& l) {
      rebind(l.marks, fresh.get());
      rebind(l.cells, fresh.get());
    };
    // In page order, asking for each lesson's memory a few lessons ahead: the old arrays lie anywhere.
    std::vector<Lesson*> order;
    order.reserve(of_year->second.size());
    lay_out(year, [&](LessonId, Lesson& l) { order.push_back(&l); });
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (i + 2 * kAhead < order.size()) prefetch_lesson(order[i + 2 * kAhead]);
      if (i + kAhead < order.size()) prefetch_cells(order[i + kAhead]);
      move(*order[i]);
    }
    // Every lesson in the old arena is in the year's list: those no assignment lists too, then the old
    // arena goes, with what growing arrays left behind in it.
    for (LessonId id : of_year->second)
      if (Lesson* l = lessons_.find(id)) move(*l);
    arenas_[static_cast<YearId>(year)] = std::move(fresh);
  }
}

void JournalProjection::lay_out(PartKey year, const std::function<void(LessonId, Lesson&)>& fn) {
  lessons_by_assignment_.for_each([&](AssignmentId id, const std::vector<LessonKey>& keys) {
    if (year != kAllParts) {
      const Assignment* a = assignments_.find(id);
      if (a == nullptr || year_of_class(a->class_id) != year) return;
    }
    for (const LessonKey& k : keys)
      if (Lesson* l = lessons_.find(k.id)) fn(k.id, *l);
  });
}

}  // namespace ejournal::projections
