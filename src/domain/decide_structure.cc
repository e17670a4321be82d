// School structure: years, terms, classes, study groups, subjects, work types, assignments, timetable.
#include "domain/decide.h"

namespace ejournal::domain {
namespace {

Status require_manager(const ActorView& a) {
  return manages_school(a) ? Status::OK() : forbidden("структуру школы ведут заместители директора и администратор");
}

Status check_days(Day first, Day last) {
  if (first <= 0 || last <= 0) return invalid("Укажите даты начала и окончания");
  if (first > last) return invalid("Дата начала позже даты окончания");
  return Status::OK();
}

Result<Decision> open_year(const WriteModel& m, const ActorView& a, const cmd::OpenYear& c) {
  if (auto s = require_manager(a); !s.ok()) return s;
  if (auto s = check_text(c.title, kMaxName, "Название учебного года", true); !s.ok()) return s;
  if (auto s = check_days(c.first_day, c.last_day); !s.ok()) return s;
  Decision d;
  d.created = m.next_year();
  emit(d, fb::Event::AcademicYearOpened, [&](auto& b) {
    return fb::CreateAcademicYearOpenedDirect(b, d.created, c.title.c_str(), c.first_day, c.last_day).Union();
  });
  return d;
}

Result<Decision> define_term(const WriteModel& m, const ActorView& a, const cmd::DefineTerm& c) {
  if (auto s = require_manager(a); !s.ok()) return s;
  if (!m.year_exists(c.year)) return not_found("Учебный год");
  if (auto s = check_text(c.name, kMaxName, "Название периода", true); !s.ok()) return s;
  if (auto s = check_days(c.first_day, c.last_day); !s.ok()) return s;
  if (c.grade_from < 1 || c.grade_to > 11 || c.grade_from > c.grade_to)
    return invalid("Параллели периода должны быть в пределах 1–11");
  Decision d;
  d.created = m.next_term();
  emit(d, fb::Event::TermDefined, [&](auto& b) {
    return fb::CreateTermDefinedDirect(b, d.created, c.year, c.name.c_str(), c.first_day, c.last_day,
                                       static_cast<std::uint8_t>(c.grade_from), static_cast<std::uint8_t>(c.grade_to))
        .Union();
  });
  return d;
}

Result<Decision> create_class(const WriteModel& m, const ActorView& a, const cmd::CreateClass& c) {
  if (auto s = require_manager(a); !s.ok()) return s;
  if (!m.year_exists(c.year)) return not_found("Учебный год");
  if (c.grade < 1 || c.grade > 11) return invalid("Параллель класса должна быть от 1 до 11");
  if (auto s = check_text(c.name, 16, "Название класса", true); !s.ok()) return s;
  Decision d;
  d.created = m.next_class();
  emit(d, fb::Event::ClassCreated, [&](auto& b) {
    return fb::CreateClassCreatedDirect(b, d.created, c.year, static_cast<std::uint8_t>(c.grade), c.name.c_str())
        .Union();
  });
  return d;
}

Result<Decision> create_group(const WriteModel& m, const ActorView& a, const cmd::CreateStudyGroup& c) {
  if (m.class_of(c.class_id) == nullptr) return not_found("Класс");
  if (!manages_school(a) && !curates(a, c.class_id)) return forbidden("группы ведёт классный руководитель этого класса");
  if (auto s = check_text(c.name, kMaxName, "Название группы", true); !s.ok()) return s;
  Decision d;
  d.created = m.next_group();
  emit(d, fb::Event::StudyGroupCreated, [&](auto& b) {
    return fb::CreateStudyGroupCreatedDirect(b, d.created, c.class_id, c.name.c_str()).Union();
  });
  return d;
}

Result<Decision> create_subject(const WriteModel& m, const ActorView& a, const cmd::CreateSubject& c) {
  if (auto s = require_manager(a); !s.ok()) return s;
  if (auto s = check_text(c.name, kMaxName, "Название предмета", true); !s.ok()) return s;
  if (auto s = check_text(c.short_name, 32, "Краткое название предмета", false); !s.ok()) return s;
  Decision d;
  d.created = m.next_subject();
  emit(d, fb::Event::SubjectCreated, [&](auto& b) {
    return fb::CreateSubjectCreatedDirect(b, d.created, c.name.c_str(), c.short_name.c_str()).Union();
  });
  return d;
}

Result<Decision> define_work_type(const WriteModel& m, const ActorView& a, const cmd::DefineWorkType& c) {
  if (auto s = require_manager(a); !s.ok()) return s;
  if (auto s = check_text(c.name, kMaxName, "Вид работы", true); !s.ok()) return s;
  if (c.weight < 1 || c.weight > 10) return invalid("Вес вида работы должен быть от 1 до 10");
  if (m.next_work_type() == UINT16_MAX) return invalid("Слишком много видов работ");
  Decision d;
  d.created = m.next_work_type();
  emit(d, fb::Event::WorkTypeDefined, [&](auto& b) {
    return fb::CreateWorkTypeDefinedDirect(b, static_cast<std::uint16_t>(d.created), c.name.c_str(),
                                           static_cast<std::uint8_t>(c.weight))
        .Union();
  });
  return d;
}

Result<Decision> assign_teacher(const WriteModel& m, const ActorView& a, const cmd::AssignTeacher& c) {
  if (auto s = require_manager(a); !s.ok()) return s;
  const UserState* t = m.user(c.teacher);
  if (t == nullptr) return not_found("Учитель");
  if (!t->has_role(Role::Teacher)) return invalid("Назначить на предмет можно только учителя");
  if (m.class_of(c.class_id) == nullptr) return not_found("Класс");
  if (!m.subject_exists(c.subject)) return not_found("Предмет");
  if (c.group != 0) {
    const GroupState* g = m.group(c.group);
    if (g == nullptr) return not_found("Группа");
    if (g->class_id != c.class_id) return invalid("Группа относится к другому классу");
    // The other direction of the split rule (decide_people.cc): no pupil of this group may be in another group
    // already taught the subject.
    for (UserId student : g->members) {
      const StudentState* st = m.student(student);
      if (st == nullptr) continue;
      for (GroupId other : st->groups)
        if (other != c.group && m.group_learns(other, c.subject))
          return refuse(Code::conflict, "Ученики группы есть и в группе «" + m.group(other)->name +
                                            "», которая уже изучает этот предмет: состав групп одного предмета не должен пересекаться");
    }
  }
  Decision d;
  d.created = m.next_assignment();
  emit(d, fb::Event::TeacherAssigned, [&](auto& b) {
    return fb::CreateTeacherAssigned(b, d.created, c.teacher, c.class_id, c.group, c.subject).Union();
  });
  return d;
}

Result<Decision> end_assignment(const WriteModel& m, const ActorView& a, const cmd::EndAssignment& c) {
  if (auto s = require_manager(a); !s.ok()) return s;
  const AssignmentState* as = m.assignment(c.assignment);
  if (as == nullptr) return not_found("Назначение");
  if (as->ended) return refuse(Code::conflict, "Назначение уже завершено");
  if (auto s = check_reason(c.reason); !s.ok()) return s;
  Decision d;
  emit(d, fb::Event::AssignmentEnded, [&](auto& b) {
    return fb::CreateAssignmentEndedDirect(b, c.assignment, c.reason.c_str()).Union();
  });
  return d;
}

Result<Decision> set_timetable_entry(const WriteModel& m, const ActorView& a, const cmd::SetTimetableEntry& c) {
  if (auto s = require_manager(a); !s.ok()) return s;
  const AssignmentState* as = m.assignment(c.assignment);
  if (as == nullptr) return not_found("Назначение");
  if (as->ended) return refuse(Code::conflict, "Назначение завершено");
  if (c.weekday < 1 || c.weekday > 7) return invalid("День недели должен быть от 1 до 7");
  if (c.period < 1 || c.period > 12) return invalid("Номер урока должен быть от 1 до 12");
  if (auto s = check_days(c.first_day, c.last_day); !s.ok()) return s;
  Decision d;
  d.created = m.next_timetable_entry();
  emit(d, fb::Event::TimetableEntrySet, [&](auto& b) {
    return fb::CreateTimetableEntrySet(b, d.created, c.assignment, static_cast<std::uint8_t>(c.weekday),
                                       static_cast<std::uint8_t>(c.period), c.first_day, c.last_day)
        .Union();
  });
  return d;
}

Result<Decision> remove_timetable_entry(const WriteModel& m, const ActorView& a, const cmd::RemoveTimetableEntry& c) {
  if (auto s = require_manager(a); !s.ok()) return s;
  const TimetableEntryState* e = m.timetable_entry(c.entry);
  if (e == nullptr || e->removed) return not_found("Строка расписания");
  Decision d;
  emit(d, fb::Event::TimetableEntryRemoved, [&](auto& b) { return fb::CreateTimetableEntryRemoved(b, c.entry).Union(); });
  return d;
}

}  // namespace

Result<Decision> decide_structure(const WriteModel& m, const ActorView& a, const Command& c) {
  if (auto* x = std::get_if<cmd::OpenYear>(&c)) return open_year(m, a, *x);
  if (auto* x = std::get_if<cmd::DefineTerm>(&c)) return define_term(m, a, *x);
  if (auto* x = std::get_if<cmd::CreateClass>(&c)) return create_class(m, a, *x);
  if (auto* x = std::get_if<cmd::CreateStudyGroup>(&c)) return create_group(m, a, *x);
  if (auto* x = std::get_if<cmd::CreateSubject>(&c)) return create_subject(m, a, *x);
  if (auto* x = std::get_if<cmd::DefineWorkType>(&c)) return define_work_type(m, a, *x);
  if (auto* x = std::get_if<cmd::AssignTeacher>(&c)) return assign_teacher(m, a, *x);
  if (auto* x = std::get_if<cmd::EndAssignment>(&c)) return end_assignment(m, a, *x);
  if (auto* x = std::get_if<cmd::SetTimetableEntry>(&c)) return set_timetable_entry(m, a, *x);
  if (auto* x = std::get_if<cmd::RemoveTimetableEntry>(&c)) return remove_timetable_entry(m, a, *x);
  return Status(Code::invalid_argument, "not a structure command");
}

}  // namespace ejournal::domain
