// WriteModel: just the facts that validation needs — who has which role where, which classes, lessons,
// marks and terms exist and in what state, and each cell's version. A pure fold of the events:
// apply() is deterministic and does no I/O, so replaying the log rebuilds exactly the live model.
//
// Internal to src/domain. Not thread-safe: the Domain serialises all access.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ejournal/domain/types.h"
#include "ejournal/status.h"
#include "ejournal/fb/envelope_generated.h"

namespace ejournal::domain {

struct UserState {
  bool exists = false;
  std::string login;
  std::uint32_t roles = 0;     // bit (1 << Role)
  ClassId curator_of = 0;      // with Role::Curator
  bool blocked = false;
  bool has_credential = false;
  bool one_time = false;       // the credential must be changed at the next sign-in
  bool has_role(Role r) const { return (roles >> static_cast<unsigned>(r)) & 1u; }
  friend bool operator==(const UserState&, const UserState&) = default;
};

struct TermState {
  bool exists = false;
  YearId year = 0;
  Day first_day = 0, last_day = 0;
  int grade_from = 0, grade_to = 0;
  bool closed = false;
  friend bool operator==(const TermState&, const TermState&) = default;
};

struct ClassState {
  bool exists = false;
  YearId year = 0;
  int grade = 0;
  std::string name;
  friend bool operator==(const ClassState&, const ClassState&) = default;
};

struct GroupState {
  bool exists = false;
  ClassId class_id = 0;
  std::string name;
  std::vector<AssignmentId> assignments;  // every assignment to this group, ended ones too
  std::vector<UserId> members;            // now
  friend bool operator==(const GroupState&, const GroupState&) = default;
};

struct AssignmentState {
  bool exists = false;
  UserId teacher = 0;
  ClassId class_id = 0;
  GroupId group = 0;  // 0: the whole class
  SubjectId subject = 0;
  bool ended = false;
  friend bool operator==(const AssignmentState&, const AssignmentState&) = default;
};

struct TimetableEntryState {
  bool exists = false;
  AssignmentId assignment = 0;
  bool removed = false;
  int weekday = 0;  // 1 = Monday
  int period = 0;
  Day first_day = 0, last_day = 0;
  friend bool operator==(const TimetableEntryState&, const TimetableEntryState&) = default;
};

struct StudentState {
  bool exists = false;
  ClassId class_id = 0;            // 0 once the student has left
  std::vector<GroupId> groups;
  std::vector<UserId> parents;
  bool erased = false;
  friend bool operator==(const StudentState&, const StudentState&) = default;
};

struct ParentState {
  bool exists = false;
  std::vector<UserId> children;
  bool erased = false;
  friend bool operator==(const ParentState&, const ParentState&) = default;
};

struct LessonState {
  bool exists = false;
  AssignmentId assignment = 0;
  Day day = 0;
  int period = 0;
  UserId substitute = 0;
  bool not_held = false;
  std::uint32_t marks = 0;      // marks in the lesson not removed
  std::uint32_t attendance = 0; // cells with an attendance mark
  friend bool operator==(const LessonState&, const LessonState&) = default;
};

struct MarkState {
  bool exists = false;
  LessonId lesson = 0;
  UserId student = 0;
  bool removed = false;
  friend bool operator==(const MarkState&, const MarkState&) = default;
};

struct CellState {
  std::uint32_t version = 0;  // changes applied to this lesson × student cell
  bool has_attendance = false;
  friend bool operator==(const CellState&, const CellState&) = default;
};

struct RequestState {
  bool exists = false;
  bool decided = false;
  UserId requester = 0;
  TermId term = 0;
  fb::CorrectionKind kind = fb::CorrectionKind::SetMark;
  LessonId lesson = 0;
  UserId student = 0;
  MarkId mark = 0;
  int value = 0;
  WorkTypeId work_type = 0;
  Attendance code = Attendance::Absent;
  std::string reason;
  friend bool operator==(const RequestState&, const RequestState&) = default;
};

class WriteModel {
 public:
  // Folds one event, issued by `actor`.
  void apply(const fb::Envelope& envelope, UserId actor);

  // The model as a snapshot's raw bytes (schema/write_model_snapshot.fbs; write_model_snapshot.cc), and
  // back: restore() replaces the model with the decoded one and rebuilds its indexes, or refuses bytes that
  // do not verify (corruption) and leaves the model as it was. A model restored from the snapshot of one
  // made by apply() equals it (operator==, which compares the indexes too).
  std::string snapshot() const;
  Status restore(std::string_view raw);
  // snapshot() in two steps, so that a caller holding a lock around the model holds it only for the copy:
  // freeze() copies what a snapshot holds (a few hundred milliseconds at twenty years of a school, mostly
  // walking the cells' hash table), encode() makes the bytes from the copy (seconds) on any thread.
  struct Frozen;
  Frozen freeze() const;
  static std::string encode(Frozen frozen);
  friend bool operator==(const WriteModel&, const WriteModel&) = default;

  // Lookups: nullptr when the id does not name an existing entity.
  const UserState* user(UserId id) const { return find(users_, id); }
  const TermState* term(TermId id) const { return find(terms_, id); }
  const ClassState* class_of(ClassId id) const { return find(classes_, id); }
  const GroupState* group(GroupId id) const { return find(groups_, id); }
  // Whether `group` is taught `subject` by an assignment that has not ended.
  bool group_learns(GroupId group, SubjectId subject) const;
  // A subject both groups are taught (by live assignments), or 0: two groups that share one are halves of
  // one split, and a pupil is in at most one of them.
  SubjectId shared_subject(GroupId a, GroupId b) const;
  bool subject_exists(SubjectId id) const { return id != 0 && id < subjects_.size() && subjects_[id] != 0; }
  bool year_exists(YearId id) const { return id != 0 && id < years_.size() && years_[id] != 0; }
  bool work_type_exists(WorkTypeId id) const { return id != 0 && id < work_types_.size() && work_types_[id] != 0; }
  const AssignmentState* assignment(AssignmentId id) const { return find(assignments_, id); }
  const TimetableEntryState* timetable_entry(TimetableEntryId id) const { return find(entries_, id); }
  const StudentState* student(UserId id) const { return find(students_, id); }
  const ParentState* parent(UserId id) const { return find(parents_, id); }
  const LessonState* lesson(LessonId id) const { return find(lessons_, id); }
  const MarkState* mark(MarkId id) const { return find(marks_, id); }
  const RequestState* request(RequestId id) const { return find(requests_, id); }
  CellState cell(LessonId lesson, UserId student) const;
  UserId user_by_login(const std::string& login) const;
  bool lesson_slot_taken(AssignmentId a, Day day, int period) const;
  // A held lesson other than `except` that `teacher` gives on `day` in `period` (as its teacher, unless
  // substituted, or as its substitute), or 0.
  LessonId teaching_at(UserId teacher, Day day, int period, LessonId except) const;
  bool has_attestation(UserId student, SubjectId subject, AttestationKind kind, YearId year, TermId term) const;

  // The term of a lesson: the one of its class's grade that contains its day (0 if none).
  TermId term_of_lesson(const LessonState& lesson) const;
  // Whether `student` belongs to the assignment's class (and group, for a group assignment) now.
  bool student_in_assignment(UserId student, const AssignmentState& a) const;

  // The ids the next created entity of each kind gets.
  UserId next_user() const { return static_cast<UserId>(users_.size()); }
  YearId next_year() const { return static_cast<YearId>(years_.size()); }
  TermId next_term() const { return static_cast<TermId>(terms_.size()); }
  ClassId next_class() const { return static_cast<ClassId>(classes_.size()); }
  GroupId next_group() const { return static_cast<GroupId>(groups_.size()); }
  SubjectId next_subject() const { return static_cast<SubjectId>(subjects_.size()); }
  WorkTypeId next_work_type() const { return static_cast<WorkTypeId>(work_types_.size()); }
  AssignmentId next_assignment() const { return static_cast<AssignmentId>(assignments_.size()); }
  TimetableEntryId next_timetable_entry() const { return static_cast<TimetableEntryId>(entries_.size()); }
  LessonId next_lesson() const { return static_cast<LessonId>(lessons_.size()); }
  MarkId next_mark() const { return static_cast<MarkId>(marks_.size()); }
  RequestId next_request() const { return static_cast<RequestId>(requests_.size()); }

  // Every timetable entry ever set, indexed by id (index 0 and removed entries included; check them).
  const std::vector<TimetableEntryState>& timetable_entries() const { return entries_; }

  // Assignments by teacher, for scope checks.
  const std::vector<AssignmentId>& assignments_of(UserId teacher) const;

 private:
  template <typename T>
  static const T* find(const std::vector<T>& v, std::uint64_t id) {
    return id != 0 && id < v.size() && v[id].exists ? &v[id] : nullptr;
  }
  // Grows `v` so that `id` is a valid index, and returns the element. The domain makes ids densely (a new
  // one is size()), so an id far past the next is in no record it wrote: such a record is folded into a
  // scratch element, never into the model, rather than grow the vector without bound (found by
  // tests/fuzz/fuzz_envelope: one record naming user 4,000,000,000 allocated 14 GB at replay).
  static constexpr std::uint64_t kMaxIdGap = 1 << 16;
  template <typename T>
  static T& slot(std::vector<T>& v, std::uint64_t id) {
    if (id >= v.size() + kMaxIdGap) {
      static thread_local T scratch;
      scratch = T{};
      return scratch;
    }
    if (v.size() <= id) v.resize(id + 1);
    return v[id];
  }
  static std::uint64_t cell_key(LessonId l, UserId s) { return (std::uint64_t{l} << 32) | s; }

  // Index 0 is never used: ids start at 1, and size() is the next id.
  std::vector<UserState> users_{1};
  std::vector<std::uint8_t> years_ = std::vector<std::uint8_t>(1, 0);  // 1 = exists
  std::vector<TermState> terms_{1};
  std::vector<ClassState> classes_{1};
  std::vector<GroupState> groups_{1};
  std::vector<std::uint8_t> subjects_ = std::vector<std::uint8_t>(1, 0);
  std::vector<std::uint8_t> work_types_ = std::vector<std::uint8_t>(1, 0);
  std::vector<AssignmentState> assignments_{1};
  std::vector<TimetableEntryState> entries_{1};
  std::vector<StudentState> students_{1};
  std::vector<ParentState> parents_{1};
  std::vector<LessonState> lessons_{1};
  std::vector<MarkState> marks_{1};
  std::vector<RequestState> requests_{1};
  // The cells that have changed, by lesson id: each lesson's by student, ascending. A lesson has a few dozen
  // at most, so a short sorted list beside the lesson's id costs a tenth of a hash table's node per cell and
  // keeps a lesson's cells together (the model of twenty years held 6 million cells in 290 MB of hash nodes).
  using LessonCells = std::vector<std::pair<UserId, CellState>>;
  std::vector<LessonCells> cells_{1};
  CellState& cell_ref(LessonId lesson, UserId student);  // made when absent
  std::unordered_map<std::string, UserId> logins_;
  std::unordered_set<std::uint64_t> lesson_slots_;
  std::unordered_map<std::uint64_t, std::vector<LessonId>> lessons_by_time_;  // (day, period) → lessons
  struct AttestationKey {
    UserId student;
    SubjectId subject;
    AttestationKind kind;
    YearId year;
    TermId term;
    friend bool operator==(const AttestationKey&, const AttestationKey&) = default;
  };
  struct AttestationHash {
    std::size_t operator()(const AttestationKey& k) const {
      return std::hash<std::uint64_t>()((std::uint64_t{k.student} << 32 | k.subject) * 31 +
                                        (std::uint64_t{k.year} << 40 | std::uint64_t{k.term} << 8 |
                                         static_cast<std::uint8_t>(k.kind)));
    }
  };
  std::unordered_set<AttestationKey, AttestationHash> attestations_;
  std::unordered_map<UserId, std::vector<AssignmentId>> by_teacher_;
  std::vector<TermId> term_list_;
  // The indexes above that apply() keeps beside the entities, rebuilt from them after restore().
  void index();
};

// What freeze() copies: the entities as they are, the cells and the term and year marks as plain lists.
struct WriteModel::Frozen {
  std::vector<UserState> users;
  std::vector<std::uint8_t> years, subjects, work_types;
  std::vector<TermState> terms;
  std::vector<ClassState> classes;
  std::vector<GroupState> groups;
  std::vector<AssignmentState> assignments;
  std::vector<TimetableEntryState> entries;
  std::vector<StudentState> students;
  std::vector<ParentState> parents;
  std::vector<LessonState> lessons;
  std::vector<MarkState> marks;
  std::vector<RequestState> requests;
  std::vector<std::pair<std::uint64_t, CellState>> cells;  // by key (lesson << 32 | student), ascending
  std::vector<AttestationKey> attestations;                // in no order
};

}  // namespace ejournal::domain
