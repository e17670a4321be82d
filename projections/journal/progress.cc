// What reports add up from the journal: a class's marks and absences per subject and teacher over a period
// (progress), and a student's term, year, exam and final marks.
#include <map>
#include <tuple>

#include "ejournal/projections/journal.h"

namespace ejournal::projections {

using namespace domain;

std::vector<ProgressRow> JournalProjection::progress(YearId year, ClassId class_id, Day from, Day to) const {
  std::map<std::tuple<ClassId, SubjectId, UserId>, ProgressRow> rows;
  std::vector<LessonKey> keys;
  for (const auto& [id, klass] : classes_) {
    if (class_id != 0 ? id != class_id : klass.year != year) continue;
    const auto assignments = assignments_by_class_.find(id);
    if (assignments == assignments_by_class_.end()) continue;
    for (AssignmentId aid : assignments->second) {
      const Assignment* a = assignment(aid);
      if (a == nullptr) continue;
      ProgressRow& row = rows[{id, a->subject, a->teacher}];
      row.class_id = id;
      row.subject = a->subject;
      row.teacher = a->teacher;
      keys.clear();
      lessons_between(aid, from, to, keys);
      for (const LessonKey& k : keys) {
        const Lesson* l = lesson(k.id);
        if (l == nullptr || !l->exists || l->not_held) continue;
        ++row.lessons_held;
        for (const Lesson::CellMark& m : l->marks) {
          if (m.removed || m.value < 1 || m.value > 5) continue;
          ++row.marks[m.value];
          const int w = weight(m.work_type);
          row.weighted_sum += static_cast<double>(m.value * w);
          row.weights += static_cast<std::uint32_t>(w);
        }
        for (const Lesson::Cell& c : l->cells) {
          const auto code = static_cast<std::size_t>(c.attendance);
          if (c.attended && code < row.attendance.size()) ++row.attendance[code];
        }
      }
    }
  }
  std::vector<ProgressRow> out;
  out.reserve(rows.size());
  for (auto& [key, row] : rows) out.push_back(row);
  return out;
}

std::vector<AttestationEntry> JournalProjection::attestations_of(UserId student) const {
  std::vector<AttestationEntry> out;
  const auto found = attestation_.find(student);
  if (found == attestation_.end()) return out;
  for (const StudentAttestation& a : found->second)
    out.push_back(AttestationEntry{a.subject, static_cast<AttestationKind>(a.kind), a.year, a.term, a.value});
  return out;
}

}  // namespace ejournal::projections
