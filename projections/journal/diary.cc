// The student's diary and marks chart: queries over the journal's fold (the same lessons, marks and
// attendance a teacher sees, cut along a student instead of a class).
#include <algorithm>

#include "ejournal/projections/journal.h"

namespace ejournal::projections {

using namespace domain;

Result<DiaryWeek> JournalProjection::diary(UserId student, Day monday) const {
  const auto member = members_.find(student);
  if (member == members_.end()) return Status(Code::not_found, "Ученик не найден");
  const Member& m = member->second;
  DiaryWeek week;
  week.monday = monday;
  const Day sunday = monday + 6;
  // The lessons of each class the student was in during the week, on the days they were in it (a transfer
  // mid-week shows both classes); a group's lessons on the days they were in the group, or where something
  // is entered for them.
  const auto entered = [&](const Lesson& l) {
    if (const Lesson::Cell* c = l.cell(student); c != nullptr && c->attended) return true;
    return std::any_of(l.marks.begin(), l.marks.end(), [&](const Lesson::CellMark& mk) { return mk.student == student && !mk.removed; });
  };
  std::vector<std::pair<std::size_t, std::size_t>> mark_ranges;  // of each lesson's cell in week.storage
  const ClassId* week_class = nullptr;  // the class of the week's last day, for its term marks
  // The week's lessons of each class the student was in, with their assignments; every lesson is asked
  // for before any is read, so their loads overlap.
  std::vector<LessonKey> keys;
  struct Todo {
    const Assignment* assignment;
    LessonId id;
    const Lesson* lesson;
  };
  std::vector<Todo> todo;
  for (const Stint& in : m.classes) {
    if (in.from > sunday || in.to < monday) continue;
    week_class = &in.id;
    const auto of_class = assignments_by_class_.find(in.id);  // not every assignment of every year
    if (of_class == assignments_by_class_.end()) continue;
    for (AssignmentId aid : of_class->second) {
      keys.clear();
      lessons_between(aid, std::max(monday, in.from), std::min(sunday, in.to), keys);
      for (const LessonKey& key : keys) todo.push_back(Todo{assignments_.find(aid), key.id, lessons_.find(key.id)});
    }
  }
  for (const Todo& t : todo) prefetch_lesson(t.lesson);
  for (const Todo& t : todo) prefetch_cells(t.lesson);
  week.lessons.reserve(todo.size());
  for (const Todo& t : todo) {
    const Assignment& a = *t.assignment;
    const Lesson& l = *t.lesson;
    if (a.group != 0 && !entered(l) &&
        std::none_of(m.group_stints.begin(), m.group_stints.end(), [&](const Stint& g) { return g.id == a.group && g.covers(l.day); }))
      continue;
    DiaryLesson d;
    d.lesson = lesson_view(t.id, l, a);
    d.subject = a.subject;
    // The marks go to the week's storage; the cells' spans are set once it stops growing.
    const std::size_t first_mark = week.storage.marks_.size();
    for (const Lesson::CellMark& mk : l.marks)
      if (mk.student == student && !mk.removed) mark_view(mk, week.storage.marks_.emplace_back());
    mark_ranges.emplace_back(first_mark, week.storage.marks_.size() - first_mark);
    if (const Lesson::Cell* c = l.cell(student)) {
      if (c->attended) d.cell.attendance = c->attendance;
      d.cell.version = c->version;
    }
    week.lessons.push_back(d);
  }
  for (std::size_t i = 0; i < week.lessons.size(); ++i)
    week.lessons[i].cell.marks = std::span<const JournalMark>(week.storage.marks_.data() + mark_ranges[i].first, mark_ranges[i].second);
  std::sort(week.lessons.begin(), week.lessons.end(), [](const DiaryLesson& a, const DiaryLesson& b) {
    return std::tie(a.lesson.day, a.lesson.period, a.lesson.id) < std::tie(b.lesson.day, b.lesson.period, b.lesson.id);
  });
  // Term marks of the terms this week touches, for the student's grade.
  const auto cls = classes_.find(week_class != nullptr ? *week_class : m.class_id);
  if (cls != classes_.end()) {
    for (const auto& [tid, t] : terms_) {
      if (t.year != cls->second.year || cls->second.grade < t.grade_from || cls->second.grade > t.grade_to) continue;
      if (t.last_day < monday || t.first_day > sunday) continue;
      if (const auto found = attestation_.find(student); found != attestation_.end())
        for (const StudentAttestation& a : found->second)
          if (a.kind == static_cast<int>(AttestationKind::Term) && a.term == tid) week.term_marks.emplace_back(a.subject, a.value);
    }
  }
  return week;
}

std::vector<ChartPoint> JournalProjection::marks_over_time(UserId student, SubjectId subject) const {
  // A mark is only ever entered for a student of the lesson's class (or of its group), so the student's
  // marks are in the subject's lessons of the classes they have been in: a few hundred lessons a year,
  // read here rather than kept in one more index that every restore would rebuild.
  std::vector<ChartPoint> points;
  const Member* m = member(student);
  if (m == nullptr) return points;
  std::vector<std::pair<MarkId, ChartPoint>> found;
  std::vector<ClassId> seen;
  for (const Stint& in : m->classes) {
    if (std::find(seen.begin(), seen.end(), in.id) != seen.end()) continue;
    seen.push_back(in.id);
    const auto of_class = assignments_by_class_.find(in.id);
    if (of_class == assignments_by_class_.end()) continue;
    for (AssignmentId aid : of_class->second) {
      if (assignments_.find(aid)->subject != subject) continue;
      const auto* keys = lessons_by_assignment_.find(aid);
      if (keys == nullptr) continue;
      for (const LessonKey& key : *keys)
        for (const Lesson::CellMark& mk : lessons_.find(key.id)->marks)
          if (mk.student == student && !mk.removed) found.emplace_back(mk.id, ChartPoint{key.day, mk.value, mk.work_type});
    }
  }
  // By day, and in the order they were entered within a day.
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return std::tie(a.second.day, a.first) < std::tie(b.second.day, b.first); });
  points.reserve(found.size());
  for (const auto& [id, point] : found) points.push_back(point);
  return points;
}

}  // namespace ejournal::projections
