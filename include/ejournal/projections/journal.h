// JournalProjection: the class journal — for a class (or one of its study groups), a subject and a term:
// the lessons in date order with topic, homework and whether they were held (or by a substitute), the
// students, each cell's marks and attendance, each student's weighted average, and term and year marks.
//
// Weighted average: Σ(value × weight of its work type) / Σ(weights) over the student's live marks in the
// page's lessons, rounded half up to two decimals (4.445 → 4.45); no marks → no average.
//
// Partitioned by academic year (projection.h): the shared part holds terms, classes, groups, weights,
// assignments and membership; a year's part holds the lessons of that year's classes with their marks,
// attendance and cell versions, and the term and year marks of that year. A state in scope of one year
// answers page() for that year's classes and diary() for weeks of that year exactly as the whole state.
// Thread-safety: none; use it through a ProjectionHost.
#pragma once

#include <array>
#include <compare>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <memory_resource>
#include <set>
#include <span>
#include <string_view>
#include <unordered_map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "ejournal/domain/types.h"
#include "ejournal/projections/bump_arena.h"
#include "ejournal/projections/id_table.h"
#include "ejournal/projections/part_stamps.h"
#include "ejournal/projections/projection.h"

namespace ejournal::projections {

// A page and a diary week are views, built to be serialised at once: their texts point into the
// projection's state, and their cells and marks into storage the page owns (one array each, not one
// allocation per cell). Use one while the projection it came from is read-locked and unchanged (inside
// ProjectionHost::read, or before the next apply or restore); it moves, and does not copy.
struct JournalMark {
  domain::MarkId id = 0;
  int value = 0;
  domain::WorkTypeId work_type = 0;
  std::string_view comment;
};

struct JournalLesson {
  domain::LessonId id = 0;
  domain::Day day = 0;
  int period = 0;
  std::string_view topic;
  std::string_view homework;
  domain::Day homework_due = 0;
  domain::UserId teacher = 0;     // who gives it: the assignment's teacher or the substitute
  bool substituted = false;
  bool held = true;
  std::string_view not_held_reason;
};

struct JournalCell {
  std::span<const JournalMark> marks;
  std::optional<domain::Attendance> attendance;
  std::uint32_t version = 0;  // changes made to the cell so far: what a client sends back as expected_version
};

struct JournalRow {
  domain::UserId student = 0;
  // Set when the student was a member (of the class, or of the group for a group's page) for only part of
  // the page's term: the first and last day they were. A student who left stays on the page of the terms
  // they were in, as in the paper journal.
  domain::Day joined = 0;
  domain::Day left = 0;
  std::span<const JournalCell> cells;       // one per lesson of the page, in the same order
  std::optional<double> average;            // weighted, rounded half up to 2 decimals
  std::optional<domain::AttestationValue> term_mark;
  std::optional<domain::AttestationValue> year_mark;
  std::optional<domain::AttestationValue> exam_mark;   // grades 9 and 11: the state examination's
  std::optional<domain::AttestationValue> final_mark;  // grades 9 and 11: the certificate's
};

// Storage a view's spans point into; moving a view keeps them valid, copying would not.
class ViewStorage {
 public:
  ViewStorage() = default;
  ViewStorage(ViewStorage&&) noexcept = default;
  ViewStorage& operator=(ViewStorage&&) noexcept = default;
  ViewStorage(const ViewStorage&) = delete;
  ViewStorage& operator=(const ViewStorage&) = delete;
  ~ViewStorage() = default;

 private:
  friend class JournalProjection;
  std::vector<JournalCell> cells_;
  std::vector<JournalMark> marks_;
};

struct JournalPage {
  std::vector<JournalLesson> lessons;
  std::vector<JournalRow> rows;
  ViewStorage storage;
};

// One lesson in a student's diary: what the class did, and what the student got.
struct DiaryLesson {
  JournalLesson lesson;
  domain::SubjectId subject = 0;
  JournalCell cell;  // the student's marks and attendance
};

// A student's diary for the week starting on `monday`: lessons by day and period, and the term marks the
// student has in the terms that week falls in.
struct DiaryWeek {
  domain::Day monday = 0;
  std::vector<DiaryLesson> lessons;  // in (day, period) order
  std::vector<std::pair<domain::SubjectId, domain::AttestationValue>> term_marks;
  ViewStorage storage;
};

// One mark on a student's chart of a subject.
struct ChartPoint {
  domain::Day day = 0;
  int value = 0;
  domain::WorkTypeId work_type = 0;
};

// A class's marks and absences in one subject by one teacher over a period (JournalProjection::progress): what
// the director's page and the progress reports add up.
struct ProgressRow {
  domain::ClassId class_id = 0;
  domain::SubjectId subject = 0;
  domain::UserId teacher = 0;                // the assignment's teacher (substitutions count for the class)
  std::uint32_t lessons_held = 0;
  std::array<std::uint32_t, 6> marks{};      // live marks by value 1..5 (index 0 unused)
  std::array<std::uint32_t, 4> attendance{}; // cells by code (Absent, Excused, Sick, Late)
  double weighted_sum = 0;                   // Σ value × weight of its work type, over the live marks
  std::uint32_t weights = 0;                 // Σ weight
};

// A term, year, exam or final mark of a student (JournalProjection::attestations_of).
struct AttestationEntry {
  domain::SubjectId subject = 0;
  domain::AttestationKind kind = domain::AttestationKind::Term;
  domain::YearId year = 0;
  domain::TermId term = 0;  // 0 but for term marks
  domain::AttestationValue value{};
};

class JournalProjection final : public Projection {
 public:
  std::string_view name() const override { return "journal"; }
  void apply(const EventView& event) override;
  std::string snapshot() const override;
  Status restore(std::string_view bytes) override;
  std::unique_ptr<Projection> fresh() const override { return std::make_unique<JournalProjection>(); }
  std::vector<PartStamp> parts() const override;
  std::string snapshot_part(PartKey key) const override;
  Status restore_parts(std::span<const std::string_view> parts, PartKey scope) override;
  std::unique_ptr<Projection> fresh_in_scope(PartKey scope) const override;
  // Gives the marks and cells of every lesson of each year changed since its last layout a fresh arena, in
  // page order: assignment by assignment, each one's lessons by (day, period). A page then reads its lessons'
  // cells from neighbouring memory rather than from wherever a year of appends left them (a cold page built
  // about twice as fast in ej-bench query), and the storage that growing arrays left behind in the old arena
  // goes with it. restore() lays out as it fills, so a closed year costs nothing.
  void compact() override;

  // The part a query is about (0 when unknown): the year of a class; of the class the student was in
  // during the week starting on `monday` (0 also when the week spans classes of two years); in progress
  // on `day`, or the last one before it (in the summer).
  domain::YearId year_of_class(domain::ClassId class_id) const;
  domain::YearId year_of_week(domain::UserId student, domain::Day monday) const;
  domain::YearId year_at(domain::Day day) const;

  // The page of `subject` for `class_id` (group 0: the whole class, else that study group) in `term`.
  // not_found for an unknown class, group or term; invalid_argument for a term of another year or of grades
  // the class is not in.
  Result<JournalPage> page(domain::ClassId class_id, domain::GroupId group, domain::SubjectId subject,
                           domain::TermId term) const;

  // The diary (projections/journal/diary.cc): the week of the student's class and study groups, from the
  // same fold as the journal. not_found for an unknown student.
  Result<DiaryWeek> diary(domain::UserId student, domain::Day monday) const;
  // The student's live marks in a subject over time, in date order (for a chart).
  std::vector<ChartPoint> marks_over_time(domain::UserId student, domain::SubjectId subject) const;

  // Progress (projections/journal/progress.cc): the held lessons with day in from..to of `class_id` (0: every
  // class of `year`), summed by (class, subject, teacher), in that order.
  std::vector<ProgressRow> progress(domain::YearId year, domain::ClassId class_id, domain::Day from, domain::Day to) const;
  // Every term, year, exam and final mark of the student now, by (subject, kind, year, term).
  std::vector<AttestationEntry> attestations_of(domain::UserId student) const;

  // Rounds half up to two decimals, as the journal shows averages.
  static double round_average(double value);

  // State, public for snapshots and the diary's reuse; treat as read-only.
  struct Lesson {
    bool exists = false;
    domain::AssignmentId assignment = 0;
    domain::Day day = 0;
    int period = 0;
    std::string topic, homework;
    domain::Day due = 0;
    domain::UserId substitute = 0;
    bool not_held = false;
    std::string not_held_reason;
    domain::YearId year = 0;  // of its class (derived, not in snapshots)
    // The lesson's cells live beside it, so a page reads a lesson's marks and cells sequentially, with no
    // lookup per mark: its marks in id order (removed ones kept, flagged), and one entry per student whose
    // cell has changed, in the order cells first changed, with the change count and attendance.
    struct CellMark {
      domain::MarkId id = 0;
      domain::UserId student = 0;
      domain::WorkTypeId work_type = 0;
      std::uint8_t value = 0;
      bool removed = false;
      bool commented = false;  // its comment is in comments_
    };
    struct Cell {
      domain::UserId student = 0;
      std::uint32_t version = 0;  // changes so far, as the domain counts them
      bool attended = false;      // `attendance` is set
      domain::Attendance attendance{};
    };
    // In the arena of the lesson's year (arenas_), or the heap when the year is unknown.
    std::pmr::vector<CellMark> marks;
    std::pmr::vector<Cell> cells;
    const Cell* cell(domain::UserId student) const;
    Cell* cell(domain::UserId student);
  };
  struct Assignment {
    domain::UserId teacher = 0;
    domain::ClassId class_id = 0;
    domain::GroupId group = 0;
    domain::SubjectId subject = 0;
  };
  struct Term {
    domain::YearId year = 0;
    domain::Day first_day = 0, last_day = 0;
    int grade_from = 0, grade_to = 0;
  };
  struct Class {
    domain::YearId year = 0;
    int grade = 0;
  };
  // A mark as lookups see it.
  struct Mark {
    domain::LessonId lesson = 0;
    domain::UserId student = 0;
    int value = 0;
    domain::WorkTypeId work_type = 0;
    bool removed = false;
  };
  // Membership of a class or a group from one day to another (both inclusive; `to` is kStill while it lasts).
  struct Stint {
    std::uint32_t id = 0;
    domain::Day from = 0;
    domain::Day to = kStill;
    bool covers(domain::Day d) const { return d >= from && d <= to; }
  };
  static constexpr domain::Day kStill = std::numeric_limits<domain::Day>::max();
  struct Member {
    domain::ClassId class_id = 0;             // now (0: left the school)
    std::vector<domain::GroupId> groups;      // now
    std::vector<Stint> classes;               // every class the student has been in, in order
    std::vector<Stint> group_stints;
  };

  // Lookups for the server's rights checks and pushes; nullptr (or nullopt) when unknown.
  const Lesson* lesson(domain::LessonId id) const;
  const Assignment* assignment(domain::AssignmentId id) const;
  std::optional<Mark> mark(domain::MarkId id) const;
  const Member* member(domain::UserId student) const;
  // Assignments of (class, group, subject): usually one; more after a change of teacher.
  const std::vector<domain::AssignmentId>* assignments_of(domain::ClassId class_id, domain::GroupId group,
                                                          domain::SubjectId subject) const;

 private:
  // Each year's arena, where its lessons' marks and cells live. Declared before lessons_, so that the
  // lessons go first when the state does; restore_parts() empties lessons_ before it replaces the arenas.
  std::map<domain::YearId, std::unique_ptr<BumpArena>> arenas_;
  BumpArena* arena_of(domain::YearId year);
  // Lessons and marks are many and their ids dense: tables indexed by id.
  IdTable<domain::LessonId, Lesson> lessons_;
  IdTable<domain::AssignmentId, Assignment> assignments_;
  std::map<domain::TermId, Term> terms_;
  std::map<domain::ClassId, Class> classes_;
  std::map<domain::GroupId, domain::ClassId> groups_;
  std::map<domain::WorkTypeId, int> weights_;
  std::vector<int> weight_of_;  // weights_ by work type id (derived): a page weighs each mark with one access
  int weight(domain::WorkTypeId work_type) const { return work_type < weight_of_.size() ? weight_of_[work_type] : 1; }
  void index_weights();
  // Where each mark is: the lesson whose `marks` hold it. Non-empty mark comments (rare) by mark.
  IdTable<domain::MarkId, domain::LessonId> marks_;
  std::unordered_map<domain::MarkId, std::string> comments_;
  Lesson::CellMark* find_mark(domain::MarkId id, Lesson** lesson);
  const Lesson::CellMark* find_mark(domain::MarkId id, const Lesson** lesson) const;
  void mark_view(const Lesson::CellMark& m, JournalMark& out) const;
  std::map<domain::UserId, Member> members_;
  // Term and year marks by student, each student's sorted by (subject, kind, year, term): a page finds a
  // row's two with one hash and a binary search in a few hundred contiguous entries, where one map of the
  // whole school's marks walked twenty levels of tree per lookup.
  struct StudentAttestation {
    domain::SubjectId subject = 0;
    int kind = 0;
    domain::YearId year = 0;
    domain::TermId term = 0;
    domain::AttestationValue value{};
    auto key() const { return std::tie(subject, kind, year, term); }
  };
  std::unordered_map<domain::UserId, std::vector<StudentAttestation>> attestation_;
  // The same marks by (subject, kind, year, term), each list by student: a page finds its rows' term and
  // year marks in two lists instead of two lookups per row (derived, kept by set_attestation).
  struct AttestationKey {
    domain::SubjectId subject = 0;
    int kind = 0;
    domain::YearId year = 0;
    domain::TermId term = 0;
    bool operator==(const AttestationKey&) const = default;
  };
  struct AttestationHash {
    std::size_t operator()(const AttestationKey& k) const noexcept {
      return std::hash<std::uint64_t>{}((std::uint64_t{k.subject} << 32) ^ (std::uint64_t{k.year} << 16) ^ (std::uint64_t{k.term} << 2) ^
                                        static_cast<std::uint64_t>(k.kind));
    }
  };
  using Graded = std::vector<std::pair<domain::UserId, domain::AttestationValue>>;
  std::unordered_map<AttestationKey, Graded, AttestationHash> attestation_by_key_;
  void set_attestation(domain::UserId student, const StudentAttestation& a);

  // Partitions: the year this state holds (kAllParts: every year), and each part's stamp (the position of
  // the last event that changed it).
  PartStamps stamps_;
  // The lesson of an event, when this state holds it (nullptr: another year's, out of scope); stamps its year.
  Lesson* touch_lesson(domain::LessonId id, log::Position position);
  // `shared`: with the shared tables; `year`: kAllParts (every year), kSharedPart (none) or one year.
  std::string encode(bool shared, PartKey year) const;

  // Derived indexes (not in snapshots; rebuilt by restore()) that make a page cost what it shows.
  std::map<domain::YearId, std::vector<domain::LessonId>> lessons_by_year_;  // ascending ids
  void index_lessons();  // lessons_by_assignment_ and lessons_by_year_, from the lessons
  void index_others();   // the rest, from the other tables
  // fn(id, lesson) for the lessons of `year` (kAllParts: every year) in page order (see compact()).
  void lay_out(PartKey year, const std::function<void(domain::LessonId, Lesson&)>& fn);
  // Each year's stamp when its lessons were last laid out (not in snapshots).
  std::map<PartKey, std::uint64_t> laid_out_;
  void index_member(domain::UserId student, const Member& m);
  // Each assignment's lessons in (day, period, id) order, with the day and period beside the id, so a term
  // or a week is found by binary search without touching the lessons themselves.
  struct LessonKey {
    domain::Day day = 0;
    int period = 0;
    domain::LessonId id = 0;
    friend auto operator<=>(const LessonKey&, const LessonKey&) = default;
  };
  IdTable<domain::AssignmentId, std::vector<LessonKey>> lessons_by_assignment_;
  // The ids of `assignment`'s lessons with day in from..to, appended to `out` in (day, period, id) order.
  void lessons_between(domain::AssignmentId assignment, domain::Day from, domain::Day to, std::vector<LessonKey>& out) const;
  // Assignments by (class, group, subject), and by class (for the diary); hashed: a page or a week looks
  // them up once, and a tree of every year's assignments cost a dozen cache misses per lookup.
  struct AssignmentKey {
    domain::ClassId class_id = 0;
    domain::GroupId group = 0;
    domain::SubjectId subject = 0;
    bool operator==(const AssignmentKey&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const AssignmentKey& k) const noexcept {
      return std::hash<std::uint64_t>{}((std::uint64_t{k.class_id} << 40) ^ (std::uint64_t{k.group} << 20) ^ k.subject);
    }
  };
  std::unordered_map<AssignmentKey, std::vector<domain::AssignmentId>, KeyHash> assignments_by_key_;
  std::unordered_map<domain::ClassId, std::vector<domain::AssignmentId>> assignments_by_class_;
  void index_assignment(domain::AssignmentId id, const Assignment& a);
  // The roll of each class and group: every stint anyone has had in it, by (student, from), so a page
  // finds its rows in one array instead of looking up each member.
  struct RollEntry {
    domain::UserId student = 0;
    domain::Day from = 0, to = kStill;
    auto key() const { return std::tie(student, from); }
  };
  using Rolls = std::unordered_map<std::uint32_t, std::vector<RollEntry>>;
  Rolls class_rolls_, group_rolls_;
  static void prefetch_lesson(const Lesson* lesson);  // every cache line of it
  static void prefetch_cells(const Lesson* lesson);   // every cache line of its marks and cells
  static JournalLesson lesson_view(domain::LessonId id, const Lesson& lesson, const Assignment& assignment);
  // The student's cell of the lesson, made when absent, its change count raised by one.
  static Lesson::Cell& bump(Lesson& lesson, domain::UserId student);
};

}  // namespace ejournal::projections
