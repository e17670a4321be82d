// Lessons, topics, homework, marks, attendance and term marks: the subject teachers' duties (order 5.2),
// with the deputies' substitutions and cancellations (5.4).
#include <algorithm>

#include "domain/decide.h"

namespace ejournal::domain {
namespace {

constexpr std::size_t kMaxComment = 500;

Result<const LessonState*> find_lesson(const WriteModel& m, LessonId id) {
  const LessonState* l = m.lesson(id);
  if (l == nullptr) return not_found("Урок");
  return l;
}

// A closed term takes no direct changes: a teacher sends a correction request instead, and a deputy (who
// substitutes and cancels lessons) reopens the term first, with a reason.
Status term_open(const WriteModel& m, const LessonState& l, bool by_deputy = false) {
  const TermId t = m.term_of_lesson(l);
  const TermState* ts = m.term(t);
  if (ts != nullptr && ts->closed)
    return refuse(Code::term_closed, by_deputy ? "Период закрыт: чтобы изменить его уроки, откройте период заново"
                                               : "Период закрыт: отправьте запрос на исправление заместителю директора");
  return Status::OK();
}

int grade_of_lesson(const WriteModel& m, const LessonState& l) {
  const AssignmentState* a = m.assignment(l.assignment);
  const ClassState* c = a != nullptr ? m.class_of(a->class_id) : nullptr;
  return c != nullptr ? c->grade : 0;
}

Status check_version(const WriteModel& m, LessonId lesson, UserId student, std::optional<std::uint32_t> expected) {
  if (expected && m.cell(lesson, student).version != *expected)
    return refuse(Code::conflict, "Ячейку уже изменил другой пользователь: обновите журнал");
  return Status::OK();
}

// Common checks of a change to a lesson × student cell by a teacher.
Status cell_writable(const WriteModel& m, const ActorView& a, const LessonState& l, UserId student) {
  if (!teaches(m, a, l)) return forbidden("отметки ставит учитель этого урока или замещающий его");
  if (l.not_held) return refuse(Code::conflict, "Урок не проведён");
  const AssignmentState* as = m.assignment(l.assignment);
  if (as == nullptr || !m.student_in_assignment(student, *as)) return invalid("Ученик не учится в этом классе или группе");
  return term_open(m, l);
}

Status check_mark_value(const WriteModel& m, const LessonState& l, int value, WorkTypeId work_type) {
  if (grade_of_lesson(m, l) == 1) return invalid("В 1 классе отметки не ставятся");
  if (value < 1 || value > 5) return invalid("Отметка должна быть от 1 до 5");
  if (!m.work_type_exists(work_type)) return not_found("Вид работы");
  return Status::OK();
}

Result<Decision> schedule(const WriteModel& m, const ActorView& a, const cmd::ScheduleLesson& c) {
  const AssignmentState* as = m.assignment(c.assignment);
  if (as == nullptr) return not_found("Назначение");
  if (as->teacher != a.id && !a.is(Role::Deputy)) return forbidden("урок назначает учитель предмета или заместитель");
  if (as->ended) return refuse(Code::conflict, "Назначение завершено");
  if (c.day <= 0) return invalid("Укажите дату урока");
  if (c.period < 1 || c.period > 12) return invalid("Номер урока должен быть от 1 до 12");
  if (m.lesson_slot_taken(c.assignment, c.day, c.period)) return refuse(Code::conflict, "Этот урок уже есть в журнале");
  const LessonState probe{true, c.assignment, c.day, c.period, 0, false};
  if (m.term_of_lesson(probe) == 0) return invalid("Дата урока вне учебных периодов класса");
  if (auto s = term_open(m, probe); !s.ok()) return s;
  Decision d;
  d.created = m.next_lesson();
  emit(d, fb::Event::LessonScheduled, [&](auto& b) {
    return fb::CreateLessonScheduled(b, d.created, c.assignment, c.day, static_cast<std::uint8_t>(c.period), 0).Union();
  });
  return d;
}

Result<Decision> schedule_from_timetable(const WriteModel& m, const ActorView& a, const cmd::ScheduleFromTimetable& c) {
  if (!manages_school(a)) return forbidden("уроки по расписанию создаёт заместитель директора");
  if (c.first_day <= 0 || c.first_day > c.last_day) return invalid("Неверный диапазон дат");
  if (c.last_day - c.first_day > 30) return invalid("Не больше 31 дня за один раз");
  Decision d;
  LessonId next = m.next_lesson();
  const auto& entries = m.timetable_entries();
  for (Day day = c.first_day; day <= c.last_day; ++day) {
    const int weekday = weekday_of(day);
    for (TimetableEntryId id = 1; id < entries.size(); ++id) {
      const TimetableEntryState& e = entries[id];
      if (!e.exists || e.removed || e.weekday != weekday || day < e.first_day || day > e.last_day) continue;
      const AssignmentState* as = m.assignment(e.assignment);
      if (as == nullptr || as->ended || m.lesson_slot_taken(e.assignment, day, e.period)) continue;
      const LessonState probe{true, e.assignment, day, e.period, 0, false};
      const TermState* term = m.term(m.term_of_lesson(probe));
      if (term == nullptr || term->closed) continue;  // a holiday, or a closed term
      if (d.events.size() == 4096) return invalid("Слишком много уроков за один раз: выберите меньший диапазон");
      if (d.created == 0) d.created = next;
      emit(d, fb::Event::LessonScheduled, [&](auto& b) {
        return fb::CreateLessonScheduled(b, next, e.assignment, day, static_cast<std::uint8_t>(e.period), id).Union();
      });
      ++next;
    }
  }
  if (d.events.empty()) return refuse(Code::conflict, "Все уроки этого периода уже в журнале (или это каникулы)");
  return d;
}

Result<Decision> set_topic(const WriteModel& m, const ActorView& a, const cmd::SetTopic& c) {
  auto l = find_lesson(m, c.lesson);
  if (!l.ok()) return l.status();
  if (!teaches(m, a, **l)) return forbidden("тему урока записывает его учитель");
  if ((*l)->not_held) return refuse(Code::conflict, "Урок не проведён");
  if (auto s = check_text(c.topic, kMaxText, "Тема урока", true); !s.ok()) return s;
  if (auto s = term_open(m, **l); !s.ok()) return s;
  Decision d;
  emit(d, fb::Event::LessonTopicSet, [&](auto& b) { return fb::CreateLessonTopicSetDirect(b, c.lesson, c.topic.c_str()).Union(); });
  return d;
}

Result<Decision> set_homework(const WriteModel& m, const ActorView& a, const cmd::SetHomework& c) {
  auto l = find_lesson(m, c.lesson);
  if (!l.ok()) return l.status();
  if (!teaches(m, a, **l)) return forbidden("домашнее задание записывает учитель урока");
  if ((*l)->not_held) return refuse(Code::conflict, "Урок не проведён");
  if (auto s = check_text(c.text, kMaxText, "Домашнее задание", true); !s.ok()) return s;
  if (c.due_day < (*l)->day) return invalid("Срок выполнения задания раньше дня урока");
  if (auto s = term_open(m, **l); !s.ok()) return s;
  Decision d;
  emit(d, fb::Event::HomeworkSet, [&](auto& b) { return fb::CreateHomeworkSetDirect(b, c.lesson, c.text.c_str(), c.due_day).Union(); });
  return d;
}

Result<Decision> substitute(const WriteModel& m, const ActorView& a, const cmd::SubstituteLesson& c) {
  if (!a.is(Role::Deputy)) return forbidden("замены оформляет заместитель директора");
  auto l = find_lesson(m, c.lesson);
  if (!l.ok()) return l.status();
  const UserState* t = m.user(c.substitute);
  if (t == nullptr) return not_found("Учитель");
  if (!t->has_role(Role::Teacher)) return invalid("Заменять может только учитель");
  if (m.assignment((*l)->assignment)->teacher == c.substitute) return invalid("Это учитель самого урока");
  if ((*l)->not_held) return refuse(Code::conflict, "Урок не проведён");
  if (auto s = check_reason(c.reason); !s.ok()) return s;
  if (auto s = term_open(m, **l, true); !s.ok()) return s;
  if (const LessonId busy = m.teaching_at(c.substitute, (*l)->day, (*l)->period, c.lesson); busy != 0) {
    const LessonState& other = *m.lesson(busy);
    const AssignmentState* oa = m.assignment(other.assignment);
    const ClassState* oc = oa != nullptr ? m.class_of(oa->class_id) : nullptr;
    return refuse(Code::conflict, "Учитель в это время уже ведёт урок: " + (oc != nullptr ? oc->name : std::string("?")) +
                                      ", " + std::to_string(other.period) + "-й урок (урок №" + std::to_string(busy) +
                                      (other.substitute == c.substitute ? ", замена" : "") + ")");
  }
  Decision d;
  emit(d, fb::Event::LessonSubstituted, [&](auto& b) {
    return fb::CreateLessonSubstitutedDirect(b, c.lesson, c.substitute, c.reason.c_str()).Union();
  });
  return d;
}

Result<Decision> cancel(const WriteModel& m, const ActorView& a, const cmd::CancelLesson& c) {
  if (!a.is(Role::Deputy)) return forbidden("пропущенные уроки отмечает заместитель директора");
  auto l = find_lesson(m, c.lesson);
  if (!l.ok()) return l.status();
  if ((*l)->not_held) return refuse(Code::conflict, "Урок уже отмечен как непроведённый");
  if (auto s = check_reason(c.reason); !s.ok()) return s;
  if (auto s = term_open(m, **l, true); !s.ok()) return s;
  // A lesson that was not held must not carry marks into an average: its entries go first, each with a reason.
  if ((*l)->marks != 0 || (*l)->attendance != 0)
    return refuse(Code::conflict, "В уроке есть записи: отметок — " + std::to_string((*l)->marks) +
                                      ", отметок посещаемости — " + std::to_string((*l)->attendance) +
                                      ". Сначала удалите их с указанием причины");
  Decision d;
  emit(d, fb::Event::LessonNotHeld, [&](auto& b) { return fb::CreateLessonNotHeldDirect(b, c.lesson, c.reason.c_str()).Union(); });
  return d;
}

Result<Decision> set_mark(const WriteModel& m, const ActorView& a, const cmd::SetMark& c) {
  auto l = find_lesson(m, c.lesson);
  if (!l.ok()) return l.status();
  if (auto s = cell_writable(m, a, **l, c.student); !s.ok()) return s;
  if (auto s = check_mark_value(m, **l, c.value, c.work_type); !s.ok()) return s;
  if (auto s = check_text(c.comment, kMaxComment, "Комментарий", false); !s.ok()) return s;
  if (auto s = check_version(m, c.lesson, c.student, c.expected_version); !s.ok()) return s;
  Decision d;
  d.created = m.next_mark();
  emit(d, fb::Event::MarkSet, [&](auto& b) {
    return fb::CreateMarkSetDirect(b, c.lesson, c.student, static_cast<std::uint8_t>(c.value), c.work_type,
                                   c.comment.empty() ? nullptr : c.comment.c_str(), d.created)
        .Union();
  });
  return d;
}

Result<const MarkState*> find_mark(const WriteModel& m, MarkId id) {
  const MarkState* mk = m.mark(id);
  if (mk == nullptr) return not_found("Отметка");
  if (mk->removed) return refuse(Code::conflict, "Отметка уже удалена");
  return mk;
}

Result<Decision> correct_mark(const WriteModel& m, const ActorView& a, const cmd::CorrectMark& c) {
  auto mk = find_mark(m, c.mark);
  if (!mk.ok()) return mk.status();
  const LessonState& l = *m.lesson((*mk)->lesson);
  if (auto s = cell_writable(m, a, l, (*mk)->student); !s.ok()) return s;
  if (auto s = check_mark_value(m, l, c.value, c.work_type); !s.ok()) return s;
  if (auto s = check_reason(c.reason); !s.ok()) return s;
  if (auto s = check_version(m, (*mk)->lesson, (*mk)->student, c.expected_version); !s.ok()) return s;
  Decision d;
  emit(d, fb::Event::MarkCorrected, [&](auto& b) {
    return fb::CreateMarkCorrectedDirect(b, c.mark, static_cast<std::uint8_t>(c.value), c.work_type, c.reason.c_str()).Union();
  });
  return d;
}

Result<Decision> remove_mark(const WriteModel& m, const ActorView& a, const cmd::RemoveMark& c) {
  auto mk = find_mark(m, c.mark);
  if (!mk.ok()) return mk.status();
  const LessonState& l = *m.lesson((*mk)->lesson);
  if (auto s = cell_writable(m, a, l, (*mk)->student); !s.ok()) return s;
  if (auto s = check_reason(c.reason); !s.ok()) return s;
  if (auto s = check_version(m, (*mk)->lesson, (*mk)->student, c.expected_version); !s.ok()) return s;
  Decision d;
  emit(d, fb::Event::MarkRemoved, [&](auto& b) { return fb::CreateMarkRemovedDirect(b, c.mark, c.reason.c_str()).Union(); });
  return d;
}

Result<Decision> set_attendance(const WriteModel& m, const ActorView& a, const cmd::SetAttendance& c) {
  auto l = find_lesson(m, c.lesson);
  if (!l.ok()) return l.status();
  if (auto s = cell_writable(m, a, **l, c.student); !s.ok()) return s;
  if (static_cast<unsigned>(c.code) > static_cast<unsigned>(Attendance::MAX)) return invalid("Неизвестный код посещаемости");
  if (auto s = check_version(m, c.lesson, c.student, c.expected_version); !s.ok()) return s;
  Decision d;
  emit(d, fb::Event::AbsenceMarked, [&](auto& b) { return fb::CreateAbsenceMarked(b, c.lesson, c.student, c.code).Union(); });
  return d;
}

Result<Decision> clear_attendance(const WriteModel& m, const ActorView& a, const cmd::ClearAttendance& c) {
  auto l = find_lesson(m, c.lesson);
  if (!l.ok()) return l.status();
  if (auto s = cell_writable(m, a, **l, c.student); !s.ok()) return s;
  if (!m.cell(c.lesson, c.student).has_attendance) return refuse(Code::conflict, "Отметки о посещаемости нет");
  if (auto s = check_reason(c.reason); !s.ok()) return s;
  if (auto s = check_version(m, c.lesson, c.student, c.expected_version); !s.ok()) return s;
  Decision d;
  emit(d, fb::Event::AttendanceCleared, [&](auto& b) {
    return fb::CreateAttendanceClearedDirect(b, c.lesson, c.student, c.reason.c_str()).Union();
  });
  return d;
}

Result<Decision> take_attendance(const WriteModel& m, const ActorView& a, const cmd::TakeAttendance& c) {
  auto l = find_lesson(m, c.lesson);
  if (!l.ok()) return l.status();
  if (!teaches(m, a, **l)) return forbidden("посещаемость отмечает учитель урока");
  if ((*l)->not_held) return refuse(Code::conflict, "Урок не проведён");
  if (auto s = term_open(m, **l); !s.ok()) return s;
  Decision d;
  emit(d, fb::Event::AttendanceTaken, [&](auto& b) { return fb::CreateAttendanceTaken(b, c.lesson).Union(); });
  return d;
}

bool word_mark(AttestationValue v) {
  return v == AttestationValue::NotAttested || v == AttestationValue::Passed || v == AttestationValue::NotPassed ||
         v == AttestationValue::Exempt;
}

Result<Decision> set_attestation(const WriteModel& m, const ActorView& a, const cmd::SetAttestationMark& c) {
  const StudentState* s = m.student(c.student);
  if (s == nullptr) return not_found("Ученик");
  if (s->class_id == 0) return refuse(Code::conflict, "Ученик выбыл");
  if (!m.subject_exists(c.subject)) return not_found("Предмет");
  const auto& mine = m.assignments_of(a.id);
  const bool teaches_subject = std::any_of(mine.begin(), mine.end(), [&](AssignmentId id) {
    const AssignmentState* as = m.assignment(id);
    return !as->ended && as->subject == c.subject && m.student_in_assignment(c.student, *as);
  });
  if (!teaches_subject) return forbidden("итоговые отметки ставит учитель этого предмета в классе ученика");
  const bool numeric = static_cast<int>(c.value) >= 2 && static_cast<int>(c.value) <= 5;
  if (!numeric && !word_mark(c.value)) return invalid("Отметка должна быть 2–5, «н/а», «зач», «незач» или «осв»");
  const ClassState* cls = m.class_of(s->class_id);
  if (cls->grade == 1 && numeric) return invalid("В 1 классе отметки не ставятся");
  YearId year = c.year;
  if (c.kind == AttestationKind::Term) {
    const TermState* t = m.term(c.term);
    if (t == nullptr) return not_found("Учебный период");
    if (t->year != cls->year || cls->grade < t->grade_from || cls->grade > t->grade_to)
      return invalid("Этот период не относится к классу ученика");
    if (t->closed) return refuse(Code::term_closed, "Период закрыт: отправьте запрос на исправление");
    year = t->year;
  } else {
    if (c.term != 0) return invalid("Годовая, экзаменационная и итоговая отметки ставятся без периода");
    if (!m.year_exists(c.year)) return not_found("Учебный год");
    if (c.year != cls->year) return invalid("Ученик учится в этом году в классе другого учебного года");
  }
  if (m.has_attestation(c.student, c.subject, c.kind, year, c.term)) {
    if (auto st = check_reason(c.reason); !st.ok()) return refuse(Code::invalid_argument, "Отметка уже выставлена: для замены укажите причину");
  }
  Decision d;
  emit(d, fb::Event::AttestationMarkSet, [&](auto& b) {
    return fb::CreateAttestationMarkSetDirect(b, c.student, c.subject, c.kind, c.term, c.value,
                                              c.reason.empty() ? nullptr : c.reason.c_str(), year)
        .Union();
  });
  return d;
}

}  // namespace

Result<Decision> decide_lessons(const WriteModel& m, const ActorView& a, const Command& c) {
  if (auto* x = std::get_if<cmd::ScheduleLesson>(&c)) return schedule(m, a, *x);
  if (auto* x = std::get_if<cmd::ScheduleFromTimetable>(&c)) return schedule_from_timetable(m, a, *x);
  if (auto* x = std::get_if<cmd::SetTopic>(&c)) return set_topic(m, a, *x);
  if (auto* x = std::get_if<cmd::SetHomework>(&c)) return set_homework(m, a, *x);
  if (auto* x = std::get_if<cmd::SubstituteLesson>(&c)) return substitute(m, a, *x);
  if (auto* x = std::get_if<cmd::CancelLesson>(&c)) return cancel(m, a, *x);
  if (auto* x = std::get_if<cmd::SetMark>(&c)) return set_mark(m, a, *x);
  if (auto* x = std::get_if<cmd::CorrectMark>(&c)) return correct_mark(m, a, *x);
  if (auto* x = std::get_if<cmd::RemoveMark>(&c)) return remove_mark(m, a, *x);
  if (auto* x = std::get_if<cmd::SetAttendance>(&c)) return set_attendance(m, a, *x);
  if (auto* x = std::get_if<cmd::ClearAttendance>(&c)) return clear_attendance(m, a, *x);
  if (auto* x = std::get_if<cmd::TakeAttendance>(&c)) return take_attendance(m, a, *x);
  if (auto* x = std::get_if<cmd::SetAttestationMark>(&c)) return set_attestation(m, a, *x);
  return Status(Code::invalid_argument, "not a lesson command");
}

}  // namespace ejournal::domain
