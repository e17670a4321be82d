// AuditProjection: every change to a cell, mark, absence, topic, homework, term mark or personal-data record
// — who, when, old → new, why — for the deputies who check the journal (order 5.4).
//
// Queries by cell, student, actor, class and subject, and time range; and the two the deputies need most:
// changes made after the lesson's term was closed, and entries made more than N days after the lesson.
// Thread-safety: none; use it through a ProjectionHost.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "ejournal/domain/types.h"
#include "ejournal/projections/chunked_vector.h"
#include "ejournal/projections/id_table.h"
#include "ejournal/projections/projection.h"

namespace ejournal::projections {

enum class AuditKind : std::uint8_t {
  mark_set, mark_corrected, mark_removed, attendance_set, attendance_cleared, topic_set, homework_set,
  attestation_set, personal_data_recorded, personal_data_erased,
  backup_recorded,  // a backup or archive run on one disk (actor 0, the server); `after` says where and how it went
};
inline constexpr int kAuditKinds = static_cast<int>(AuditKind::backup_recorded) + 1;

struct AuditEntry {
  log::Position position = log::kNoPosition;
  log::Timestamp recorded_at = 0;
  domain::UserId actor = 0;
  AuditKind kind = AuditKind::mark_set;
  domain::LessonId lesson = 0;       // 0 for attestation and personal data
  domain::UserId student = 0;        // the person concerned (a parent for their personal data)
  domain::ClassId class_id = 0;
  domain::SubjectId subject = 0;
  domain::Day lesson_day = 0;
  std::string before;                // "" when there was nothing
  std::string after;                 // "" when it is gone
  std::string reason;
  bool after_term_closed = false;    // the lesson's (or mark's) term was closed when this was recorded
};

class AuditProjection final : public Projection {
 public:
  std::string_view name() const override { return "audit"; }
  void apply(const EventView& event) override;
  std::string snapshot() const override;
  Status restore(std::string_view bytes) override;
  std::unique_ptr<Projection> fresh() const override { return std::make_unique<AuditProjection>(); }
  // Stored by part (projection.h): the shared part holds the tables entries are checked against (marks,
  // lessons, attendance, terms …), re-encoded by each snapshot; part k + 1 holds the k-th stretch of
  // entries, which once full never changes, so that each is written once however many snapshots follow
  // (a whole snapshot at twenty years was 82 MB and 4.6 s of a core every 100,000 events and at each stop).
  // There is no state in one part's scope: restore_parts() restores every part it is given.
  std::vector<PartStamp> parts() const override;
  std::string snapshot_part(PartKey key) const override;
  Status restore_parts(std::span<const std::string_view> parts, PartKey scope) override;

  // The audit as of a position without replay: entries are only ever appended, in position order, and
  // never change, so the trail as it stood at position P is the entries up to P. Every query takes `upto`
  // (default: all) and answers only from entries recorded at or before it.
  static constexpr log::Position kAll = ~log::Position{0};
  bool needs_history() const override { return false; }

  std::size_t size() const { return entries_.size(); }
  std::vector<AuditEntry> all(log::Position upto = kAll) const;
  std::vector<AuditEntry> by_cell(domain::LessonId lesson, domain::UserId student, log::Position upto = kAll) const;
  std::vector<AuditEntry> by_student(domain::UserId student, log::Position upto = kAll) const;
  std::vector<AuditEntry> by_actor(domain::UserId actor, log::Position upto = kAll) const;
  std::vector<AuditEntry> by_class_subject(domain::ClassId class_id, domain::SubjectId subject, log::Position upto = kAll) const;
  std::vector<AuditEntry> between(log::Timestamp from, log::Timestamp to, log::Position upto = kAll) const;
  // What changed in a class's subject between two times (both inclusive): the deputies' "since last check".
  std::vector<AuditEntry> changes(domain::ClassId class_id, domain::SubjectId subject, log::Timestamp from,
                                  log::Timestamp to, log::Position upto = kAll) const;
  std::vector<AuditEntry> after_term_closed(log::Position upto = kAll) const;
  // Entries recorded more than `days` whole days after their lesson's day (Moscow time).
  std::vector<AuditEntry> late(int days, log::Position upto = kAll) const;

 private:
  struct Mark {
    domain::LessonId lesson = 0;
    domain::UserId student = 0;
    int value = 0;
    domain::WorkTypeId work_type = 0;
  };
  // Texts (before, after, reason, topics, homework) live once in `texts_`; records hold their offsets.
  // Short ones ("5", "н", "") are shared by every entry that has them.
  using TextRef = std::uint32_t;
  struct TextPool {
    std::string bytes;                          // each text followed by NUL
    // Looked up by string_view (transparent), so a text already there costs a hash and no string.
    struct Hash {
      using is_transparent = void;
      std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, TextRef, Hash, std::equal_to<>> short_texts;
    TextRef add(std::string_view text);
    std::string_view get(TextRef ref) const;
  };
  // One entry as kept: 56 bytes, where AuditEntry with its three strings takes 150.
  struct Stored {
    log::Position position = 0;
    log::Timestamp recorded_at = 0;
    domain::UserId actor = 0;
    domain::LessonId lesson = 0;
    domain::UserId student = 0;
    domain::ClassId class_id = 0;
    domain::SubjectId subject = 0;
    domain::Day lesson_day = 0;
    TextRef before = 0, after = 0, reason = 0;
    AuditKind kind = AuditKind::mark_set;
    bool after_term_closed = false;
  };
  struct Lesson {
    domain::AssignmentId assignment = 0;
    domain::Day day = 0;
    TextRef topic = 0, homework = 0;
    // The term the lesson falls in (0: none), as found when terms_, classes_ and assignments_ were at
    // generation `term_generation` (derived, not in snapshots).
    domain::TermId term = 0;
    std::uint32_t term_generation = 0;
  };
  struct Assignment {
    domain::ClassId class_id = 0;
    domain::SubjectId subject = 0;
  };
  struct Term {
    domain::YearId year = 0;
    domain::Day first_day = 0, last_day = 0;
    int grade_from = 0, grade_to = 0;
    bool closed = false;
  };
  struct Class {
    domain::YearId year = 0;
    int grade = 0;
  };

  void record(const EventView& ev, AuditKind kind, domain::LessonId lesson, domain::UserId student,
              std::string_view before, std::string_view after, std::string_view reason);
  void record_refs(const EventView& ev, AuditKind kind, domain::LessonId lesson, domain::UserId student, TextRef before,
                   TextRef after, TextRef reason);
  AuditEntry expand(const Stored& e) const;
  // Whether the term `lesson` falls in is closed; finds the term once per lesson and generation.
  bool term_closed_for(domain::LessonId lesson);
  // Bumped by every event that can change which term a lesson falls in (a term, class or assignment
  // defined), so that a lesson's cached term is looked for again.
  std::uint32_t term_generation_ = 1;
  // Texts of mark values and attendance codes, added to texts_ once and then reused (0: not yet).
  std::array<TextRef, 256> value_texts_{};
  std::array<TextRef, 256> attendance_texts_{};
  TextRef value_text(int value);
  TextRef attendance_ref(domain::Attendance code);
  // The entries of `upto` and before that pass `pred`, reading only the stretches whose summary
  // `may_hold` passes (and the last, filling one).
  template <typename MayHold, typename Pred>
  std::vector<AuditEntry> select(log::Position upto, MayHold may_hold, Pred pred) const;

  TextPool texts_;
  using Entries = ChunkedVector<Stored>;
  Entries entries_;  // in position order

  // What each full stretch of entries (one chunk of entries_, 37,449) holds, so that a query skips the
  // stretches that cannot have what it asks for instead of reading them: at twenty demo years a query read
  // all 11 million entries (600 MB) under the projection's lock, which the follower waited for. Derived
  // (kept by apply() and restore(), not in snapshots); the last, filling stretch has none and is read.
  struct Summary {
    log::Position first = 0, last = 0;
    log::Timestamp earliest = 0, latest = 0;
    std::uint32_t after_term_closed = 0;
    std::int64_t most_late = std::numeric_limits<std::int64_t>::min();  // whole days after the lesson, most
    std::vector<domain::LessonId> lessons;        // each distinct, ascending
    std::vector<domain::UserId> students, actors;
    std::vector<std::uint64_t> class_subjects;    // class << 32 | subject
  };
  static constexpr std::size_t kStretch = Entries::chunk_size;
  std::vector<Summary> summaries_;
  void summarise();  // the stretches filled since the last call

  static PartKey stretch_key(std::size_t stretch) { return static_cast<PartKey>(stretch + 1); }
  log::Position applied_ = 0;  // the last event applied: the shared part's stamp
  // The snapshot bytes of the tables (when `shared`) and of entries from..to-1.
  std::string encode(bool shared, std::size_t from, std::size_t to) const;
  // Adds one part's bytes (restore_parts, in order): its tables, and its entries after those held.
  Status merge(std::string_view raw);
  IdTable<domain::MarkId, Mark> marks_;
  IdTable<domain::LessonId, Lesson> lessons_;
  IdTable<domain::AssignmentId, Assignment> assignments_;
  std::map<domain::TermId, Term> terms_;
  IdTable<domain::ClassId, Class> classes_;
  // Attendance now, by lesson: (student, code) in student order, a handful per lesson at most. An absence
  // is among the most frequent events; a tree of every cell cost a walk of cache misses per event.
  using LessonAttendance = std::vector<std::pair<domain::UserId, domain::Attendance>>;
  IdTable<domain::LessonId, LessonAttendance> attendance_;
  // The student's entry in `cells`, or where it would go.
  static LessonAttendance::iterator attendance_at(LessonAttendance& cells, domain::UserId student);
  // Term and year marks now, hashed (a tree of 5-tuples cost a walk of cache misses per mark); a snapshot
  // sorts them.
  struct AttestationKey {
    domain::UserId student = 0;
    domain::SubjectId subject = 0;
    int kind = 0;
    domain::YearId year = 0;
    domain::TermId term = 0;
    bool operator==(const AttestationKey&) const = default;
    auto tie() const { return std::tie(student, subject, kind, year, term); }
  };
  struct AttestationHash {
    std::size_t operator()(const AttestationKey& k) const noexcept {
      const std::uint64_t a = (std::uint64_t{k.student} << 32) ^ k.subject;
      const std::uint64_t b = (std::uint64_t{k.year} << 40) ^ (std::uint64_t{k.term} << 8) ^ static_cast<std::uint64_t>(k.kind);
      return std::hash<std::uint64_t>{}(a * 0x9E3779B97F4A7C15ULL ^ b);
    }
  };
  std::unordered_map<AttestationKey, domain::AttestationValue, AttestationHash> attestation_;
};

}  // namespace ejournal::projections
