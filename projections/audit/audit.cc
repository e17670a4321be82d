#include "ejournal/projections/audit.h"

#include <algorithm>
#include <unordered_map>

#include "ejournal/fb/audit_snapshot_generated.h"
#include "ejournal/log/flat_bytes.h"
#include "ejournal/projections/school_time.h"

namespace ejournal::projections {
namespace {

using namespace domain;


std::string str(const flatbuffers::String* s) { return s != nullptr ? s->str() : std::string(); }
std::string_view view(const flatbuffers::String* s) { return s != nullptr ? s->string_view() : std::string_view(); }


std::string attestation_text(AttestationValue v) {
  switch (v) {
    case AttestationValue::NotAttested: return "н/а";
    case AttestationValue::Passed: return "зач";
    case AttestationValue::NotPassed: return "незач";
    case AttestationValue::Exempt: return "осв";
    case AttestationValue::None: return "";
    default: return std::to_string(static_cast<int>(v));
  }
}

}  // namespace

bool AuditProjection::term_closed_for(LessonId lesson) {
  Lesson* l = lessons_.find(lesson);
  if (l == nullptr) return false;
  if (l->term_generation != term_generation_) {
    l->term = 0;
    l->term_generation = term_generation_;
    const Assignment* a = assignments_.find(l->assignment);
    const Class* c = a != nullptr ? classes_.find(a->class_id) : nullptr;
    if (c != nullptr)
      for (const auto& [id, t] : terms_)
        if (t.year == c->year && c->grade >= t.grade_from && c->grade <= t.grade_to && l->day >= t.first_day &&
            l->day <= t.last_day) {
          l->term = id;
          break;
        }
  }
  if (l->term == 0) return false;
  const auto t = terms_.find(l->term);
  return t != terms_.end() && t->second.closed;
}

AuditProjection::TextRef AuditProjection::value_text(int value) {
  if (value < 0 || static_cast<std::size_t>(value) >= value_texts_.size()) return texts_.add(std::to_string(value));
  TextRef& ref = value_texts_[static_cast<std::size_t>(value)];
  if (ref == 0) ref = texts_.add(std::to_string(value));
  return ref;
}

AuditProjection::TextRef AuditProjection::attendance_ref(Attendance code) {
  TextRef& ref = attendance_texts_[static_cast<std::uint8_t>(code)];
  if (ref == 0) ref = texts_.add(attendance_letter(code));
  return ref;
}

AuditProjection::LessonAttendance::iterator AuditProjection::attendance_at(LessonAttendance& cells, UserId student) {
  return std::lower_bound(cells.begin(), cells.end(), student, [](const auto& c, UserId s) { return c.first < s; });
}

AuditProjection::TextRef AuditProjection::TextPool::add(std::string_view text) {
  if (text.empty()) return 0;
  if (bytes.empty()) bytes.push_back('\0');  // ref 0: ""
  constexpr std::size_t kShort = 15;  // marks, attendance codes, short reasons: shared
  if (text.size() <= kShort) {
    if (const auto it = short_texts.find(text); it != short_texts.end()) return it->second;
    short_texts.emplace(std::string(text), static_cast<TextRef>(bytes.size()));
  }
  // 4 GiB of distinct text: about two centuries of a school's topics, homework and reasons.
  const auto ref = static_cast<TextRef>(bytes.size());
  bytes.append(text);
  bytes.push_back('\0');
  return ref;
}

std::string_view AuditProjection::TextPool::get(TextRef ref) const {
  if (ref == 0 || ref >= bytes.size()) return {};
  return std::string_view(bytes.data() + ref);
}

void AuditProjection::record(const EventView& ev, AuditKind kind, LessonId lesson, UserId student, std::string_view before,
                             std::string_view after, std::string_view reason) {
  record_refs(ev, kind, lesson, student, texts_.add(before), texts_.add(after), texts_.add(reason));
}

void AuditProjection::record_refs(const EventView& ev, AuditKind kind, LessonId lesson, UserId student, TextRef before,
                                  TextRef after, TextRef reason) {
  Stored e;
  e.position = ev.position;
  e.recorded_at = ev.recorded_at;
  e.actor = ev.actor;
  e.kind = kind;
  e.lesson = lesson;
  e.student = student;
  if (const Lesson* l = lessons_.find(lesson)) {
    e.lesson_day = l->day;
    if (const Assignment* a = assignments_.find(l->assignment)) {
      e.class_id = a->class_id;
      e.subject = a->subject;
    }
  }
  e.before = before;
  e.after = after;
  e.reason = reason;
  e.after_term_closed = lesson != 0 && term_closed_for(lesson);
  entries_.push_back(e);
}

AuditEntry AuditProjection::expand(const Stored& e) const {
  return AuditEntry{e.position, e.recorded_at, e.actor, e.kind, e.lesson, e.student, e.class_id, e.subject, e.lesson_day,
                    std::string(texts_.get(e.before)), std::string(texts_.get(e.after)), std::string(texts_.get(e.reason)),
                    e.after_term_closed};
}

void AuditProjection::apply(const EventView& ev) {
  using E = fb::Event;
  applied_ = ev.position;  // the shared part's stamp (parts()): any event may change its tables
  switch (ev.type) {
    case E::TermDefined: {
      const auto* e = ev.as<fb::TermDefined>();
      terms_[e->term()] = Term{e->year(), e->first_day(), e->last_day(), e->grade_from(), e->grade_to(), false};
      ++term_generation_;
      break;
    }
    case E::TermClosed: terms_[ev.as<fb::TermClosed>()->term()].closed = true; break;
    case E::TermReopened: terms_[ev.as<fb::TermReopened>()->term()].closed = false; break;
    case E::ClassCreated:
      classes_[ev.as<fb::ClassCreated>()->class_id()] = Class{ev.as<fb::ClassCreated>()->year(), ev.as<fb::ClassCreated>()->grade()};
      ++term_generation_;
      break;
    case E::TeacherAssigned: {
      const auto* e = ev.as<fb::TeacherAssigned>();
      assignments_[e->assignment()] = Assignment{e->class_id(), e->subject()};
      ++term_generation_;
      break;
    }
    case E::LessonScheduled: {
      const auto* e = ev.as<fb::LessonScheduled>();
      lessons_[e->lesson()] = Lesson{e->assignment(), e->day(), {}, {}, 0, 0};  // its term found when needed
      break;
    }
    case E::LessonTopicSet: {
      const auto* e = ev.as<fb::LessonTopicSet>();
      Lesson& l = lessons_[e->lesson()];
      const TextRef topic = texts_.add(e->topic() != nullptr ? e->topic()->string_view() : std::string_view());
      record_refs(ev, AuditKind::topic_set, e->lesson(), 0, l.topic, topic, 0);
      lessons_[e->lesson()].topic = topic;
      break;
    }
    case E::HomeworkSet: {
      const auto* e = ev.as<fb::HomeworkSet>();
      Lesson& l = lessons_[e->lesson()];
      const TextRef text = texts_.add(e->text() != nullptr ? e->text()->string_view() : std::string_view());
      record_refs(ev, AuditKind::homework_set, e->lesson(), 0, l.homework, text, 0);
      lessons_[e->lesson()].homework = text;
      break;
    }
    case E::MarkSet: {
      const auto* e = ev.as<fb::MarkSet>();
      marks_[e->mark()] = Mark{e->lesson(), e->student(), e->value(), e->work_type()};
      record_refs(ev, AuditKind::mark_set, e->lesson(), e->student(), 0, value_text(e->value()), texts_.add(view(e->comment())));
      break;
    }
    case E::MarkCorrected: {
      const auto* e = ev.as<fb::MarkCorrected>();
      Mark& m = marks_[e->mark()];
      record_refs(ev, AuditKind::mark_corrected, m.lesson, m.student, value_text(m.value), value_text(e->value()),
                  texts_.add(view(e->reason())));
      m.value = e->value();
      m.work_type = e->work_type();
      break;
    }
    case E::MarkRemoved: {
      const auto* e = ev.as<fb::MarkRemoved>();
      const Mark& m = marks_[e->mark()];
      record_refs(ev, AuditKind::mark_removed, m.lesson, m.student, value_text(m.value), 0, texts_.add(view(e->reason())));
      break;
    }
    case E::AbsenceMarked: {
      const auto* e = ev.as<fb::AbsenceMarked>();
      LessonAttendance& cells = attendance_[e->lesson()];
      const auto it = attendance_at(cells, e->student());
      const bool had = it != cells.end() && it->first == e->student();
      record_refs(ev, AuditKind::attendance_set, e->lesson(), e->student(), had ? attendance_ref(it->second) : 0,
                  attendance_ref(e->code()), 0);
      if (had) it->second = e->code();
      else cells.insert(it, {e->student(), e->code()});
      break;
    }
    case E::AttendanceCleared: {
      const auto* e = ev.as<fb::AttendanceCleared>();
      TextRef before = 0;
      if (LessonAttendance* cells = attendance_.find(e->lesson())) {
        const auto it = attendance_at(*cells, e->student());
        if (it != cells->end() && it->first == e->student()) {
          before = attendance_ref(it->second);
          cells->erase(it);
        }
      }
      record_refs(ev, AuditKind::attendance_cleared, e->lesson(), e->student(), before, 0, texts_.add(view(e->reason())));
      break;
    }
    case E::AttestationMarkSet: {
      const auto* e = ev.as<fb::AttestationMarkSet>();
      const AttestationKey key{e->student(), e->subject(), static_cast<int>(e->kind()), e->year(), e->term()};
      std::string before;
      if (auto it = attestation_.find(key); it != attestation_.end()) before = attestation_text(it->second);
      record(ev, AuditKind::attestation_set, 0, e->student(), before, attestation_text(e->value()), str(e->reason()));
      entries_.back().subject = e->subject();
      if (e->kind() == AttestationKind::Term)
        if (auto t = terms_.find(e->term()); t != terms_.end()) entries_.back().after_term_closed = t->second.closed;
      attestation_[key] = e->value();
      break;
    }
    case E::PersonalDataRecorded: {
      const auto* e = ev.as<fb::PersonalDataRecorded>();
      record(ev, AuditKind::personal_data_recorded, 0, e->subject(), "", "запись обновлена", "");
      break;
    }
    case E::PersonalDataErased: {
      const auto* e = ev.as<fb::PersonalDataErased>();
      record(ev, AuditKind::personal_data_erased, 0, e->subject(), "", "удалены", str(e->reason()));
      break;
    }
    case E::BackupRecorded: {
      const auto* e = ev.as<fb::BackupRecorded>();
      std::string what = e->archive() ? "архив за " + str(e->month()) : std::string("резервная копия");
      what += " на " + str(e->target()) + (e->succeeded() ? ": готово" : ": ошибка");
      if (e->succeeded() && e->last() >= e->first())
        what += ", записи " + std::to_string(e->first()) + "–" + std::to_string(e->last());
      record(ev, AuditKind::backup_recorded, 0, 0, "", std::move(what), str(e->message()));
      break;
    }
    default: break;
  }
  // After the switch: an entry may be completed after it is recorded (a term mark's class and subject).
  if (entries_.size() >= (summaries_.size() + 1) * kStretch) summarise();
}

namespace {

template <typename T>
bool holds(const std::vector<T>& sorted, T x) {
  return std::binary_search(sorted.begin(), sorted.end(), x);
}

template <typename T>
void sort_unique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  v.shrink_to_fit();
}

std::uint64_t class_subject(ClassId class_id, SubjectId subject) { return (std::uint64_t{class_id} << 32) | subject; }

// Whole days between the lesson and the entry about it (Moscow time), as late() counts them.
std::int64_t days_late(log::Timestamp recorded_at, Day lesson_day) { return std::int64_t{school_day(recorded_at)} - lesson_day; }

}  // namespace

void AuditProjection::summarise() {
  while ((summaries_.size() + 1) * kStretch <= entries_.size()) {
    const std::size_t from = summaries_.size() * kStretch;
    Summary s;
    s.first = entries_[from].position;
    s.last = entries_[from + kStretch - 1].position;
    s.earliest = std::numeric_limits<log::Timestamp>::max();
    s.latest = std::numeric_limits<log::Timestamp>::min();
    for (std::size_t i = from; i < from + kStretch; ++i) {
      const Stored& e = entries_[i];
      s.earliest = std::min(s.earliest, e.recorded_at);
      s.latest = std::max(s.latest, e.recorded_at);
      if (e.after_term_closed) ++s.after_term_closed;
      if (e.lesson != 0) s.most_late = std::max(s.most_late, days_late(e.recorded_at, e.lesson_day));
      s.lessons.push_back(e.lesson);  // 0 too: by_cell(0, student) finds a student's term marks and data
      s.students.push_back(e.student);
      s.actors.push_back(e.actor);
      s.class_subjects.push_back(class_subject(e.class_id, e.subject));
    }
    sort_unique(s.lessons);
    sort_unique(s.students);
    sort_unique(s.actors);
    sort_unique(s.class_subjects);
    summaries_.push_back(std::move(s));
  }
}

template <typename MayHold, typename Pred>
std::vector<AuditEntry> AuditProjection::select(log::Position upto, MayHold may_hold, Pred pred) const {
  std::vector<AuditEntry> out;
  for (std::size_t from = 0; from < entries_.size(); from += kStretch) {
    if (const std::size_t k = from / kStretch; k < summaries_.size()) {
      if (summaries_[k].first > upto) break;
      if (!may_hold(summaries_[k])) continue;
    }
    const std::size_t to = std::min(entries_.size(), from + kStretch);
    for (std::size_t i = from; i < to; ++i) {
      const Stored& e = entries_[i];
      if (e.position > upto) return out;  // in position order
      if (pred(e)) out.push_back(expand(e));
    }
  }
  return out;
}

std::vector<AuditEntry> AuditProjection::all(log::Position upto) const {
  return select(upto, [](const Summary&) { return true; }, [](const Stored&) { return true; });
}

std::vector<AuditEntry> AuditProjection::by_cell(LessonId lesson, UserId student, log::Position upto) const {
  return select(upto, [&](const Summary& s) { return holds(s.lessons, lesson) && holds(s.students, student); },
                [&](const Stored& e) { return e.lesson == lesson && e.student == student; });
}
std::vector<AuditEntry> AuditProjection::by_student(UserId student, log::Position upto) const {
  return select(upto, [&](const Summary& s) { return holds(s.students, student); },
                [&](const Stored& e) { return e.student == student; });
}
std::vector<AuditEntry> AuditProjection::by_actor(UserId actor, log::Position upto) const {
  return select(upto, [&](const Summary& s) { return holds(s.actors, actor); }, [&](const Stored& e) { return e.actor == actor; });
}
std::vector<AuditEntry> AuditProjection::by_class_subject(ClassId class_id, SubjectId subject, log::Position upto) const {
  return select(upto, [&](const Summary& s) { return holds(s.class_subjects, class_subject(class_id, subject)); },
                [&](const Stored& e) { return e.class_id == class_id && e.subject == subject; });
}
std::vector<AuditEntry> AuditProjection::between(log::Timestamp from, log::Timestamp to, log::Position upto) const {
  return select(upto, [&](const Summary& s) { return s.latest >= from && s.earliest <= to; },
                [&](const Stored& e) { return e.recorded_at >= from && e.recorded_at <= to; });
}
std::vector<AuditEntry> AuditProjection::changes(ClassId class_id, SubjectId subject, log::Timestamp from,
                                                 log::Timestamp to, log::Position upto) const {
  return select(upto,
                [&](const Summary& s) {
                  return s.latest >= from && s.earliest <= to && holds(s.class_subjects, class_subject(class_id, subject));
                },
                [&](const Stored& e) {
                  return e.class_id == class_id && e.subject == subject && e.recorded_at >= from && e.recorded_at <= to;
                });
}
std::vector<AuditEntry> AuditProjection::after_term_closed(log::Position upto) const {
  return select(upto, [](const Summary& s) { return s.after_term_closed > 0; }, [](const Stored& e) { return e.after_term_closed; });
}
std::vector<AuditEntry> AuditProjection::late(int days, log::Position upto) const {
  return select(upto, [&](const Summary& s) { return s.most_late > days; }, [&](const Stored& e) {
    if (e.lesson == 0) return false;
    return days_late(e.recorded_at, e.lesson_day) > days;
  });
}

std::vector<Projection::PartStamp> AuditProjection::parts() const {
  std::vector<PartStamp> out{{kSharedPart, applied_}};
  for (std::size_t from = 0; from < entries_.size(); from += kStretch)
    out.push_back({stretch_key(from / kStretch), entries_[std::min(entries_.size(), from + kStretch) - 1].position});
  return out;
}

std::string AuditProjection::snapshot() const { return encode(true, 0, entries_.size()); }

std::string AuditProjection::snapshot_part(PartKey key) const {
  if (key == kSharedPart) return encode(true, 0, 0);
  const std::size_t from = std::size_t{key - 1} * kStretch;
  return encode(false, std::min(from, entries_.size()), std::min(entries_.size(), from + kStretch));
}

std::string AuditProjection::encode(bool shared, std::size_t from, std::size_t to) const {
  namespace s = fb::snap;
  flatbuffers::FlatBufferBuilder b(1 << 20);
  // Each distinct text once (by content, so the bytes do not depend on how the pool shared them), named by
  // its index + 1 in the order first met: the entries', then the lessons'.
  std::vector<std::string_view> texts;
  std::unordered_map<std::string_view, std::uint32_t> index_of;
  std::unordered_map<TextRef, std::uint32_t> by_ref;  // a ref the pool shares is looked up by content once
  const auto text = [&](TextRef ref) -> std::uint32_t {
    if (ref == 0) return 0;
    if (const auto known = by_ref.find(ref); known != by_ref.end()) return known->second;
    const std::string_view t = texts_.get(ref);
    std::uint32_t i = 0;
    if (t.empty()) {
      i = 0;
    } else if (const auto it = index_of.find(t); it != index_of.end()) {
      i = it->second;
    } else {
      texts.push_back(t);
      i = static_cast<std::uint32_t>(texts.size());
      index_of.emplace(t, i);
    }
    by_ref.emplace(ref, i);
    return i;
  };
  std::vector<s::AEntry> entries;
  entries.reserve(to - from);
  for (std::size_t i = from; i < to; ++i) {
    const Stored& e = entries_[i];
    entries.emplace_back(e.position, e.recorded_at, e.actor, e.lesson, e.student, e.class_id, e.subject, e.lesson_day,
                         text(e.before), text(e.after), text(e.reason), static_cast<std::uint8_t>(e.kind), e.after_term_closed);
  }
  // The tables every entry is checked against: in the shared part (and a whole snapshot) only.
  std::vector<s::AMark> marks;
  std::vector<s::ALesson> lessons;
  std::vector<s::AAssignment> assignments;
  std::vector<flatbuffers::Offset<s::ATerm>> terms;
  std::vector<s::AClass> classes;
  std::vector<s::AAttendance> attendance;
  std::vector<s::AAttestation> attestation;
  if (shared) {
    marks_.for_each([&](MarkId id, const Mark& m) {
      marks.emplace_back(id, m.lesson, m.student, m.work_type, static_cast<std::uint8_t>(m.value));
    });
    lessons_.for_each([&](LessonId id, const Lesson& l) { lessons.emplace_back(id, l.assignment, l.day, text(l.topic), text(l.homework)); });
    assignments_.for_each([&](AssignmentId id, const Assignment& a) { assignments.emplace_back(id, a.class_id, a.subject); });
    for (const auto& [id, t] : terms_)
      terms.push_back(s::CreateATerm(b, id, t.year, t.first_day, t.last_day, static_cast<std::uint8_t>(t.grade_from),
                                     static_cast<std::uint8_t>(t.grade_to), t.closed));
    classes_.for_each([&](ClassId id, const Class& c) { classes.emplace_back(id, c.year, static_cast<std::uint8_t>(c.grade)); });
    attendance_.for_each([&](LessonId lesson, const LessonAttendance& cells) {  // by (lesson, student)
      for (const auto& [student, code] : cells) attendance.emplace_back(lesson, student, static_cast<std::uint8_t>(code));
    });
    std::vector<std::pair<AttestationKey, AttestationValue>> sorted(attestation_.begin(), attestation_.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.first.tie() < y.first.tie(); });
    attestation.reserve(sorted.size());
    for (const auto& [k, v] : sorted)
      attestation.emplace_back(k.student, k.subject, k.year, k.term, static_cast<std::uint8_t>(k.kind), static_cast<std::uint8_t>(v));
  }
  std::vector<flatbuffers::Offset<flatbuffers::String>> text_offsets;
  text_offsets.reserve(texts.size());
  for (std::string_view t : texts) text_offsets.push_back(b.CreateString(t.data(), t.size()));
  b.Finish(s::CreateAudit(b, b.CreateVector(text_offsets), b.CreateVectorOfStructs(entries), b.CreateVectorOfStructs(marks),
                          b.CreateVectorOfStructs(lessons), b.CreateVectorOfStructs(assignments), b.CreateVector(terms),
                          b.CreateVectorOfStructs(classes), b.CreateVectorOfStructs(attendance),
                          b.CreateVectorOfStructs(attestation)),
           s::AuditIdentifier());
  return log::finished_bytes(b);
}

Status AuditProjection::restore(std::string_view raw) {
  const std::string_view one[] = {raw};
  return restore_parts(one, kAllParts);
}

// A whole snapshot is one part holding everything; a partitioned one is the shared part (the tables) and the
// stretches of entries, in order. The audit has no state in scope of one part: `scope` restores all.
Status AuditProjection::restore_parts(std::span<const std::string_view> parts, PartKey /*scope*/) {
  AuditProjection next;
  for (std::string_view raw : parts)
    if (auto s = next.merge(raw); !s.ok()) return s;
  next.summarise();
  *this = std::move(next);
  return Status::OK();
}

Status AuditProjection::merge(std::string_view raw) {
  namespace s = fb::snap;
  AuditProjection& next = *this;
  const auto bad = [](const char* why) { return Status(Code::corruption, std::string("audit snapshot: ") + why); };
  std::string aligned;
  const s::Audit* a = log::verified_root<s::Audit>(raw, s::AuditIdentifier(), aligned);
  if (a == nullptr) return bad("not an audit snapshot (of this version)");
  // Each text of this part into the pool once; refs[i] is the pool's ref of the part's text i.
  std::vector<TextRef> refs(1, 0);
  if (a->texts()) {
    refs.reserve(a->texts()->size() + 1);
    for (const auto* t : *a->texts()) refs.push_back(t != nullptr ? next.texts_.add(t->string_view()) : 0);
  }
  const auto ref = [&](std::uint32_t i, bool& ok) -> TextRef {
    if (i >= refs.size()) ok = false;
    return i < refs.size() ? refs[i] : 0;
  };
  bool ok = true;
  if (a->entries())
    for (const s::AEntry* e : *a->entries()) {
      if (e->kind() >= kAuditKinds) return bad("unknown entry kind");
      if (!next.entries_.empty() && e->position() <= next.entries_.back().position) return bad("entries out of order");
      next.entries_.push_back(Stored{e->position(), e->recorded_at(), e->actor(), e->lesson(), e->student(), e->class_id(),
                                     e->subject(), e->lesson_day(), ref(e->before(), ok), ref(e->after(), ok), ref(e->reason(), ok),
                                     static_cast<AuditKind>(e->kind()), e->after_term_closed()});
    }
  const auto too_big = [](std::uint64_t id) { return id >= IdTable<MarkId, Mark>::kMaxId; };
  if (a->marks() && a->marks()->size() > 0) {  // in id order: room for them all at once
    const MarkId lo = a->marks()->Get(0)->id(), hi = a->marks()->Get(a->marks()->size() - 1)->id();
    if (too_big(lo) || too_big(hi)) return bad("mark id out of range");
    next.marks_.reserve(lo, hi);
    for (const s::AMark* m : *a->marks()) {
      if (too_big(m->id())) return bad("mark id out of range");
      next.marks_[m->id()] = Mark{m->lesson(), m->student(), m->value(), m->work_type()};
    }
  }
  if (a->lessons())
    for (const s::ALesson* l : *a->lessons()) {
      if (too_big(l->id())) return bad("lesson id out of range");
      next.lessons_[l->id()] = Lesson{l->assignment(), l->day(), ref(l->topic(), ok), ref(l->homework(), ok), 0, 0};
    }
  if (!ok) return bad("a text index out of range");
  if (a->assignments())
    for (const s::AAssignment* x : *a->assignments()) {
      if (too_big(x->id())) return bad("assignment id out of range");
      next.assignments_[x->id()] = Assignment{x->class_id(), x->subject()};
    }
  if (a->terms())
    for (const auto* t : *a->terms())
      next.terms_[t->id()] = Term{t->year(), t->first_day(), t->last_day(), t->grade_from(), t->grade_to(), t->closed()};
  if (a->classes())
    for (const s::AClass* c : *a->classes()) {
      if (too_big(c->id())) return bad("class id out of range");
      next.classes_[c->id()] = Class{c->year(), c->grade()};
    }
  if (a->attendance())
    for (const s::AAttendance* x : *a->attendance()) {
      if (too_big(x->lesson())) return bad("lesson id out of range");
      LessonAttendance& cells = next.attendance_[x->lesson()];
      const auto it = attendance_at(cells, x->student());
      if (it != cells.end() && it->first == x->student()) return bad("a cell's attendance twice");
      cells.insert(it, {x->student(), static_cast<Attendance>(x->code())});
    }
  if (a->attestation()) {
    next.attestation_.reserve(a->attestation()->size());
    for (const s::AAttestation* x : *a->attestation())
      next.attestation_[AttestationKey{x->student(), x->subject(), x->kind(), x->year(), x->term()}] = static_cast<AttestationValue>(x->value());
  }
  return Status::OK();
}

}  // namespace ejournal::projections
