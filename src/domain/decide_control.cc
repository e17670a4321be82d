// The deputies' control (order 5.4): homework review, closing terms, and deciding the correction requests
// that teachers send for closed terms.
#include "domain/decide.h"

namespace ejournal::domain {
namespace {

Status require_deputy(const ActorView& a) {
  return a.is(Role::Deputy) ? Status::OK() : forbidden("это действие выполняет заместитель директора");
}

bool is_mark_change(fb::CorrectionKind k) {
  return k == fb::CorrectionKind::CorrectMark || k == fb::CorrectionKind::RemoveMark;
}

Result<Decision> review_homework(const WriteModel& m, const ActorView& a, const cmd::ReviewHomework& c) {
  if (auto s = require_deputy(a); !s.ok()) return s;
  if (m.lesson(c.lesson) == nullptr) return not_found("Урок");
  if (auto s = check_text(c.comment, kMaxText, "Комментарий", !c.conforms); !s.ok()) return s;
  Decision d;
  emit(d, fb::Event::HomeworkReviewed, [&](auto& b) {
    return fb::CreateHomeworkReviewedDirect(b, c.lesson, c.conforms, c.comment.c_str()).Union();
  });
  return d;
}

Result<Decision> close_term(const WriteModel& m, const ActorView& a, const cmd::CloseTerm& c) {
  if (auto s = require_deputy(a); !s.ok()) return s;
  const TermState* t = m.term(c.term);
  if (t == nullptr) return not_found("Учебный период");
  if (t->closed) return refuse(Code::conflict, "Период уже закрыт");
  Decision d;
  emit(d, fb::Event::TermClosed, [&](auto& b) { return fb::CreateTermClosed(b, c.term).Union(); });
  return d;
}

Result<Decision> reopen_term(const WriteModel& m, const ActorView& a, const cmd::ReopenTerm& c) {
  if (auto s = require_deputy(a); !s.ok()) return s;
  const TermState* t = m.term(c.term);
  if (t == nullptr) return not_found("Учебный период");
  if (!t->closed) return refuse(Code::conflict, "Период не закрыт");
  if (auto s = check_reason(c.reason); !s.ok()) return s;
  Decision d;
  emit(d, fb::Event::TermReopened, [&](auto& b) { return fb::CreateTermReopenedDirect(b, c.term, c.reason.c_str()).Union(); });
  return d;
}

// Checks that a correction (requested or being approved) still makes sense; returns the lesson it touches.
Result<const LessonState*> check_correction(const WriteModel& m, fb::CorrectionKind kind, LessonId lesson_id,
                                            UserId student, MarkId mark_id, int value, WorkTypeId work_type) {
  LessonId lid = lesson_id;
  UserId sid = student;
  if (is_mark_change(kind)) {
    const MarkState* mk = m.mark(mark_id);
    if (mk == nullptr) return not_found("Отметка");
    if (mk->removed) return refuse(Code::conflict, "Отметка уже удалена");
    lid = mk->lesson;
    sid = mk->student;
  }
  const LessonState* l = m.lesson(lid);
  if (l == nullptr) return not_found("Урок");
  if (l->not_held) return refuse(Code::conflict, "Урок не проведён");
  const AssignmentState* as = m.assignment(l->assignment);
  if (!m.student_in_assignment(sid, *as)) return invalid("Ученик не учится в этом классе или группе");
  if (kind == fb::CorrectionKind::SetMark || kind == fb::CorrectionKind::CorrectMark) {
    if (m.class_of(as->class_id)->grade == 1) return invalid("В 1 классе отметки не ставятся");
    if (value < 1 || value > 5) return invalid("Отметка должна быть от 1 до 5");
    if (!m.work_type_exists(work_type)) return not_found("Вид работы");
  }
  if (kind == fb::CorrectionKind::ClearAttendance && !m.cell(lid, sid).has_attendance)
    return refuse(Code::conflict, "Отметки о посещаемости нет");
  return l;
}

Result<Decision> request_correction(const WriteModel& m, const ActorView& a, const cmd::RequestCorrection& c) {
  if (static_cast<unsigned>(c.kind) > static_cast<unsigned>(fb::CorrectionKind::MAX)) return invalid("Неизвестный вид исправления");
  auto l = check_correction(m, c.kind, c.lesson, c.student, c.mark, c.value, c.work_type);
  if (!l.ok()) return l.status();
  if (!teaches(m, a, **l)) return forbidden("исправление запрашивает учитель этого урока");
  const TermId term = m.term_of_lesson(**l);
  const TermState* t = m.term(term);
  if (t == nullptr || !t->closed) return invalid("Период не закрыт: исправьте отметку напрямую");
  if (auto s = check_reason(c.reason); !s.ok()) return s;
  const bool by_mark = is_mark_change(c.kind);
  const MarkState* mk = by_mark ? m.mark(c.mark) : nullptr;
  Decision d;
  d.created = m.next_request();
  emit(d, fb::Event::CorrectionRequested, [&](auto& b) {
    return fb::CreateCorrectionRequestedDirect(b, d.created, term, c.kind, by_mark ? mk->lesson : c.lesson,
                                               by_mark ? mk->student : c.student, c.mark,
                                               static_cast<std::uint8_t>(c.value), c.work_type, c.code, c.reason.c_str())
        .Union();
  });
  return d;
}

Result<Decision> decide_request(const WriteModel& m, const ActorView& a, RequestId id, const std::string& text,
                                bool approve) {
  if (auto s = require_deputy(a); !s.ok()) return s;
  const RequestState* r = m.request(id);
  if (r == nullptr) return not_found("Запрос на исправление");
  if (r->decided) return refuse(Code::conflict, "Запрос уже рассмотрен");
  Decision d;
  if (!approve) {
    if (auto s = check_reason(text); !s.ok()) return s;
    emit(d, fb::Event::CorrectionRejected, [&](auto& b) { return fb::CreateCorrectionRejectedDirect(b, id, text.c_str()).Union(); });
    return d;
  }
  if (auto s = check_text(text, kMaxText, "Комментарий", false); !s.ok()) return s;
  auto l = check_correction(m, r->kind, r->lesson, r->student, r->mark, r->value, r->work_type);
  if (!l.ok()) return l.status();
  emit(d, fb::Event::CorrectionApproved, [&](auto& b) { return fb::CreateCorrectionApprovedDirect(b, id, text.c_str()).Union(); });
  const auto value = static_cast<std::uint8_t>(r->value);
  switch (r->kind) {
    case fb::CorrectionKind::SetMark:
      d.created = m.next_mark();
      emit(d, fb::Event::MarkSet, [&](auto& b) {
        return fb::CreateMarkSetDirect(b, r->lesson, r->student, value, r->work_type, r->reason.c_str(), d.created).Union();
      });
      break;
    case fb::CorrectionKind::CorrectMark:
      emit(d, fb::Event::MarkCorrected, [&](auto& b) {
        return fb::CreateMarkCorrectedDirect(b, r->mark, value, r->work_type, r->reason.c_str()).Union();
      });
      break;
    case fb::CorrectionKind::RemoveMark:
      emit(d, fb::Event::MarkRemoved, [&](auto& b) { return fb::CreateMarkRemovedDirect(b, r->mark, r->reason.c_str()).Union(); });
      break;
    case fb::CorrectionKind::SetAttendance:
      emit(d, fb::Event::AbsenceMarked, [&](auto& b) { return fb::CreateAbsenceMarked(b, r->lesson, r->student, r->code).Union(); });
      break;
    case fb::CorrectionKind::ClearAttendance:
      emit(d, fb::Event::AttendanceCleared, [&](auto& b) {
        return fb::CreateAttendanceClearedDirect(b, r->lesson, r->student, r->reason.c_str()).Union();
      });
      break;
  }
  return d;
}

}  // namespace

Result<Decision> decide_control(const WriteModel& m, const ActorView& a, const Command& c) {
  if (auto* x = std::get_if<cmd::ReviewHomework>(&c)) return review_homework(m, a, *x);
  if (auto* x = std::get_if<cmd::CloseTerm>(&c)) return close_term(m, a, *x);
  if (auto* x = std::get_if<cmd::ReopenTerm>(&c)) return reopen_term(m, a, *x);
  if (auto* x = std::get_if<cmd::RequestCorrection>(&c)) return request_correction(m, a, *x);
  if (auto* x = std::get_if<cmd::ApproveCorrection>(&c)) return decide_request(m, a, x->request, x->comment, true);
  if (auto* x = std::get_if<cmd::RejectCorrection>(&c)) return decide_request(m, a, x->request, x->reason, false);
  return Status(Code::invalid_argument, "not a control command");
}

}  // namespace ejournal::domain
