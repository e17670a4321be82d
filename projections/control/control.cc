#include "ejournal/projections/control.h"

#include <algorithm>
#include <tuple>

#include "ejournal/fb/control_snapshot_generated.h"
#include "ejournal/log/flat_bytes.h"
#include "ejournal/projections/school_time.h"

namespace ejournal::projections {
namespace {

using namespace domain;

std::string str(const flatbuffers::String* s) { return s != nullptr ? s->str() : std::string(); }

}  // namespace

ControlLesson* ControlProjection::find(LessonId id) { return lessons_.find(id); }

Projection::PartKey ControlProjection::part_of(Day from, Day to) {
  const int a = academic_year_of(from), b = academic_year_of(to);
  return a == b && a > 0 ? static_cast<PartKey>(a) : kAllParts;
}

void ControlProjection::stamp(Day lesson_day, log::Position position) {
  stamps_.touch(static_cast<PartKey>(academic_year_of(lesson_day)), position);
}

const ControlLesson* ControlProjection::lesson(LessonId id) const {
  return const_cast<ControlProjection*>(this)->find(id);
}

void ControlProjection::first_day(LessonId id, Day ControlLesson::*field, Day day) {
  if (ControlLesson* l = find(id); l != nullptr && l->*field == 0) l->*field = day;
}

void ControlProjection::apply(const EventView& ev) {
  using E = fb::Event;
  const Day today = school_day(ev.recorded_at);
  // The part an event about a lesson changes, when this state holds the lesson.
  const auto touch = [&](LessonId id) {
    ControlLesson* l = find(id);
    if (l != nullptr) stamp(l->day, ev.position);
    return l;
  };
  switch (ev.type) {
    case E::TeacherAssigned: {
      const auto* e = ev.as<fb::TeacherAssigned>();
      stamps_.touch(kSharedPart, ev.position);
      assignments_[e->assignment()] = Assignment{e->teacher(), e->class_id(), e->group(), e->subject()};
      break;
    }
    case E::LessonScheduled: {
      const auto* e = ev.as<fb::LessonScheduled>();
      if (e->lesson() == 0) break;
      if (!stamps_.holds(static_cast<PartKey>(academic_year_of(e->day())))) break;
      stamp(e->day(), ev.position);
      ControlLesson& l = lessons_[e->lesson()];
      l = ControlLesson{};
      l.id = e->lesson();
      l.assignment = e->assignment();
      if (auto a = assignments_.find(e->assignment()); a != assignments_.end()) {
        l.teacher = a->second.teacher;
        l.class_id = a->second.class_id;
        l.group = a->second.group;
        l.subject = a->second.subject;
      }
      l.day = e->day();
      l.period = e->period();
      by_day_.emplace(l.day, l.id);
      break;
    }
    case E::LessonTopicSet:
      if (touch(ev.as<fb::LessonTopicSet>()->lesson())) first_day(ev.as<fb::LessonTopicSet>()->lesson(), &ControlLesson::topic_day, today);
      break;
    case E::HomeworkSet:
      if (touch(ev.as<fb::HomeworkSet>()->lesson())) first_day(ev.as<fb::HomeworkSet>()->lesson(), &ControlLesson::homework_day, today);
      break;
    case E::AttendanceTaken:
      if (touch(ev.as<fb::AttendanceTaken>()->lesson())) first_day(ev.as<fb::AttendanceTaken>()->lesson(), &ControlLesson::register_day, today);
      break;
    case E::AbsenceMarked:
      if (touch(ev.as<fb::AbsenceMarked>()->lesson())) first_day(ev.as<fb::AbsenceMarked>()->lesson(), &ControlLesson::register_day, today);
      break;
    case E::LessonSubstituted: {
      const auto* e = ev.as<fb::LessonSubstituted>();
      if (ControlLesson* l = touch(e->lesson())) {
        l->substitute = e->substitute();
        l->reason = str(e->reason());
      }
      break;
    }
    case E::LessonNotHeld: {
      const auto* e = ev.as<fb::LessonNotHeld>();
      if (ControlLesson* l = touch(e->lesson())) {
        l->held = false;
        l->reason = str(e->reason());
      }
      break;
    }
    case E::HomeworkReviewed: {
      const auto* e = ev.as<fb::HomeworkReviewed>();
      if (ControlLesson* l = touch(e->lesson())) l->reviews.push_back(HomeworkReview{ev.actor, today, e->conforms(), str(e->comment())});
      break;
    }
    case E::MarkSet: {
      const auto* e = ev.as<fb::MarkSet>();
      const ControlLesson* l = find(e->lesson());
      if (l != nullptr && today > l->day) stamp(l->day, ev.position);
      if (l != nullptr && today > l->day) late_.push_back(LateEntry{e->mark(), l->id, e->student(), ev.actor, l->day, today});
      break;
    }
    default: break;
  }
}

template <typename F>
void ControlProjection::for_lessons(Day from, Day to, F&& fn) const {
  for (auto it = by_day_.lower_bound(from); it != by_day_.end() && it->first <= to; ++it) fn(*lessons_.find(it->second));
}

TeacherControl ControlProjection::teacher(UserId teacher, Day from, Day to, Day today) const {
  TeacherControl out;
  out.teacher = teacher;
  for_lessons(from, to, [&](const ControlLesson& l) {
    if (l.responsible() != teacher) return;
    for (const HomeworkReview& r : l.reviews) {
      ++out.reviews;
      if (!r.conforms) ++out.reviews_not_conforming;
    }
    if (!l.held || l.day > today) return;
    ++out.lessons;
    // Due by the end of the lesson day: missing while that day lasts is not yet missing.
    const bool over = l.day < today;
    auto late = [&](Day recorded) { return recorded == 0 ? over : recorded > l.day; };
    if (late(l.topic_day)) out.without_topic.push_back(l.id);
    if (late(l.register_day)) out.register_not_taken.push_back(l.id);
    if (late(l.homework_day)) out.without_homework.push_back(l.id);
  });
  for (const LateEntry& e : late_) {
    if (e.lesson_day < from || e.lesson_day > to) continue;
    if (lessons_.find(e.lesson)->responsible() != teacher && e.teacher != teacher) continue;
    out.late_marks.push_back(e);
    out.max_days_late = std::max(out.max_days_late, e.days_late());
  }
  return out;
}

std::vector<TeacherControl> ControlProjection::overview(Day from, Day to, Day today) const {
  std::vector<UserId> teachers;
  for_lessons(from, to, [&](const ControlLesson& l) { teachers.push_back(l.responsible()); });
  std::sort(teachers.begin(), teachers.end());
  teachers.erase(std::unique(teachers.begin(), teachers.end()), teachers.end());
  std::vector<TeacherControl> out;
  out.reserve(teachers.size());
  for (UserId t : teachers) out.push_back(teacher(t, from, to, today));
  return out;
}

std::vector<ControlLesson> ControlProjection::day_of(UserId teacher, Day day) const {
  std::vector<ControlLesson> out;
  for_lessons(day, day, [&](const ControlLesson& l) {
    if (l.teacher == teacher || l.substitute == teacher) out.push_back(l);
  });
  std::stable_sort(out.begin(), out.end(), [](const ControlLesson& a, const ControlLesson& b) { return a.period < b.period; });
  return out;
}

std::vector<ControlLesson> ControlProjection::lessons_on(Day day) const {
  std::vector<ControlLesson> out;
  for_lessons(day, day, [&](const ControlLesson& l) { out.push_back(l); });
  std::sort(out.begin(), out.end(), [](const ControlLesson& a, const ControlLesson& b) {
    return std::tie(a.class_id, a.period, a.id) < std::tie(b.class_id, b.period, b.id);
  });
  return out;
}

std::vector<ControlLesson> ControlProjection::missed_and_substituted(Day from, Day to) const {
  std::vector<ControlLesson> out;
  for_lessons(from, to, [&](const ControlLesson& l) {
    if (!l.held || l.substitute != 0) out.push_back(l);
  });
  std::sort(out.begin(), out.end(), [](const ControlLesson& a, const ControlLesson& b) {
    return std::tie(a.day, a.period, a.id) < std::tie(b.day, b.period, b.id);
  });
  return out;
}

std::vector<LateEntry> ControlProjection::late_marks(int days) const {
  std::vector<LateEntry> out;
  for (const LateEntry& e : late_)
    if (e.days_late() > days) out.push_back(e);
  return out;
}

std::vector<TimeSheetRow> ControlProjection::time_sheet(Day from, Day to) const {
  std::map<UserId, TimeSheetRow> rows;
  auto row = [&](UserId t) -> TimeSheetRow& {
    TimeSheetRow& r = rows[t];
    r.teacher = t;
    return r;
  };
  std::map<std::pair<UserId, Day>, int> hours;
  for_lessons(from, to, [&](const ControlLesson& l) {
    if (l.substitute != 0) {
      ++row(l.teacher).missed;
      if (l.held) {
        ++row(l.substitute).substitutions;
        ++hours[{l.substitute, l.day}];
      }
    } else if (l.held) {
      ++row(l.teacher).given;
      ++hours[{l.teacher, l.day}];
    } else {
      ++row(l.teacher).missed;
    }
  });
  for (const auto& [key, n] : hours) rows[key.first].hours_by_day.emplace_back(key.second, n);  // in day order
  std::vector<TimeSheetRow> out;
  out.reserve(rows.size());
  for (auto& [t, r] : rows) out.push_back(r);
  return out;
}

std::vector<Projection::PartStamp> ControlProjection::parts() const { return stamps_.all(); }
std::string ControlProjection::snapshot() const { return encode(true, kAllParts); }
std::string ControlProjection::snapshot_part(PartKey key) const { return encode(key == kSharedPart, key); }

std::unique_ptr<Projection> ControlProjection::fresh_in_scope(PartKey scope) const {
  auto p = std::make_unique<ControlProjection>();
  p->stamps_.set_scope(scope);
  return p;
}

std::string ControlProjection::encode(bool shared, PartKey year) const {
  namespace s = fb::snap;
  flatbuffers::FlatBufferBuilder b(1 << 20);
  const auto holds = [&](Day day) {
    return year == kAllParts || (year != kSharedPart && static_cast<PartKey>(academic_year_of(day)) == year);
  };
  std::vector<flatbuffers::Offset<s::CLesson>> lessons;
  if (year != kSharedPart) {
    lessons_.for_each([&](LessonId, const ControlLesson& l) {
      if (!holds(l.day)) return;
      std::vector<flatbuffers::Offset<s::CReview>> reviews;
      for (const HomeworkReview& r : l.reviews) reviews.push_back(s::CreateCReviewDirect(b, r.deputy, r.day, r.conforms, r.comment.c_str()));
      lessons.push_back(s::CreateCLessonDirect(b, l.id, l.assignment, l.teacher, l.substitute, l.class_id, l.group, l.subject, l.day,
                                               static_cast<std::uint8_t>(l.period), l.held, l.reason.c_str(), l.topic_day,
                                               l.register_day, l.homework_day, reviews.empty() ? nullptr : &reviews));
    });
  }
  std::vector<flatbuffers::Offset<s::CAssignment>> assignments;
  std::vector<s::CPartStamp> stamps;
  for (const PartStamp& st : stamps_.of(shared, year)) stamps.emplace_back(st.key, st.stamp);
  if (shared) {
    for (const auto& [id, a] : assignments_)
      assignments.push_back(s::CreateCAssignment(b, id, a.teacher, a.class_id, a.group, a.subject));
  }
  std::vector<flatbuffers::Offset<s::CLate>> late;
  for (const LateEntry& e : late_)
    if (holds(e.lesson_day)) late.push_back(s::CreateCLate(b, e.mark, e.lesson, e.student, e.teacher, e.lesson_day, e.entered_day));
  b.Finish(s::CreateControlDirect(b, &lessons, &assignments, &late, &stamps), s::ControlIdentifier());
  return log::finished_bytes(b);
}

Status ControlProjection::restore(std::string_view raw) {
  const std::string_view one[] = {raw};
  return restore_parts(one, kAllParts);
}

Status ControlProjection::restore_parts(std::span<const std::string_view> parts, PartKey scope) {
  namespace s = fb::snap;
  ControlProjection next;
  next.stamps_.set_scope(scope);
  for (std::string_view raw : parts) {
    std::string aligned;
    const s::Control* c = log::verified_root<s::Control>(raw, s::ControlIdentifier(), aligned);
    if (c == nullptr) return Status(Code::corruption, "not a control snapshot");
    if (c->lessons()) {
      if (c->lessons()->size() > 0) {
        const auto lo = c->lessons()->Get(0)->id(), hi = c->lessons()->Get(c->lessons()->size() - 1)->id();
        if (lo > 0 && hi < IdTable<LessonId, ControlLesson>::kMaxId) next.lessons_.reserve(lo, hi);
      }
      for (const auto* x : *c->lessons()) {
        if (x->id() >= IdTable<LessonId, ControlLesson>::kMaxId) return Status(Code::corruption, "control snapshot: bad lesson id");
        ControlLesson& l = next.lessons_[x->id()];
        l = ControlLesson{x->id(), x->assignment(), x->teacher(), x->substitute(), x->class_id(), x->group(), x->subject(),
                          x->day(), x->period(), x->held(), str(x->reason()), x->topic_day(), x->register_day(),
                          x->homework_day(), {}};
        if (x->reviews())
          for (const auto* r : *x->reviews()) l.reviews.push_back(HomeworkReview{r->deputy(), r->day(), r->conforms(), str(r->comment())});
        next.by_day_.emplace(l.day, l.id);
      }
    }
    if (c->assignments())
      for (const auto* a : *c->assignments()) next.assignments_[a->id()] = Assignment{a->teacher(), a->class_id(), a->group(), a->subject()};
    if (c->late())
      for (const auto* e : *c->late())
        next.late_.push_back(LateEntry{e->mark(), e->lesson(), e->student(), e->teacher(), e->lesson_day(), e->entered_day()});
    if (c->stamps())
      for (const auto* st : *c->stamps()) {
        next.stamps_.touch(st->key(), st->stamp());
      }
  }
  for (const LateEntry& e : next.late_)
    if (next.find(e.lesson) == nullptr) return Status(Code::corruption, "control snapshot: late mark of an unknown lesson");
  // Late marks in the order they were entered, which is their marks' order (mark ids grow with the log),
  // however the parts were split.
  std::stable_sort(next.late_.begin(), next.late_.end(), [](const LateEntry& a, const LateEntry& b) { return a.mark < b.mark; });
  *this = std::move(next);
  return Status::OK();
}

}  // namespace ejournal::projections
