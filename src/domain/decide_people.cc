// Class lists, study groups, parents and personal data: the curators' duties (order 5.3).
#include <algorithm>

#include "domain/decide.h"

namespace ejournal::domain {
namespace {

bool keeps_list(const ActorView& a, ClassId class_id) { return a.is(Role::Deputy) || curates(a, class_id); }

Status check_personal_data(const PersonalData& p) {
  if (auto s = check_text(p.last_name, kMaxName, "Фамилия", true); !s.ok()) return s;
  if (auto s = check_text(p.first_name, kMaxName, "Имя", true); !s.ok()) return s;
  for (const std::string* f : {&p.patronymic, &p.address, &p.phone, &p.email, &p.document})
    if (auto s = check_text(*f, kMaxName, "Поле персональных данных", false); !s.ok()) return s;
  // 0: not given. Otherwise between 1900 and 2100 — a parent or guardian may well be born before 1970.
  constexpr Day k1900 = -25'567, k2100 = 47'482;  // 1900-01-01 and 2100-01-01 in days from 1970-01-01
  if (p.birth_day != 0 && (p.birth_day < k1900 || p.birth_day >= k2100)) return invalid("Неверная дата рождения");
  return Status::OK();
}

// Emits PersonalDataRecorded with the data sealed under the subject's key.
Status emit_personal_data(Decision& d, PersonalDataVault& vault, DataSubject kind, UserId subject,
                          const PersonalData& data) {
  auto sealed = vault.seal(kind, subject, data);
  if (!sealed.ok()) return sealed.status();
  emit(d, fb::Event::PersonalDataRecorded, [&](auto& b) {
    auto bytes = b.CreateVector(reinterpret_cast<const std::uint8_t*>(sealed->data()), sealed->size());
    return fb::CreatePersonalDataRecorded(b, kind, subject, /*key_version=*/1, bytes).Union();  // events.fbs
  });
  return Status::OK();
}

void emit_account(Decision& d, UserId id, Role role) {
  const std::string login = (role == Role::Student ? "s" : "p") + std::to_string(id);
  emit(d, fb::Event::AccountCreated, [&](auto& b) {
    return fb::CreateAccountCreatedDirect(b, id, login.c_str(), role, "").Union();
  });
}

// The class whose curator looks after this subject's data: a student's class, or any class of a parent's
// children. Returns whether the actor may keep the subject's data.
bool keeps_subject(const WriteModel& m, const ActorView& a, DataSubject kind, UserId subject) {
  if (a.is(Role::Deputy)) return true;
  if (kind == DataSubject::Student) {
    const StudentState* s = m.student(subject);
    return s != nullptr && curates(a, s->class_id);
  }
  const ParentState* p = m.parent(subject);
  if (p == nullptr) return false;
  return std::any_of(p->children.begin(), p->children.end(), [&](UserId child) {
    const StudentState* s = m.student(child);
    return s != nullptr && curates(a, s->class_id);
  });
}

Result<const StudentState*> find_student(const WriteModel& m, UserId id) {
  const StudentState* s = m.student(id);
  if (s == nullptr) return not_found("Ученик");
  return s;
}

Result<Decision> enroll(const WriteModel& m, const ActorView& a, const cmd::EnrollStudent& c, PersonalDataVault& v) {
  if (m.class_of(c.class_id) == nullptr) return not_found("Класс");
  if (!keeps_list(a, c.class_id)) return forbidden("список класса ведёт его классный руководитель");
  if (c.day <= 0) return invalid("Укажите дату зачисления");
  if (auto s = check_personal_data(c.data); !s.ok()) return s;
  Decision d;
  d.created = m.next_user();
  emit_account(d, d.created, Role::Student);
  emit(d, fb::Event::StudentEnrolled, [&](auto& b) { return fb::CreateStudentEnrolled(b, d.created, c.class_id, c.day).Union(); });
  if (auto s = emit_personal_data(d, v, DataSubject::Student, d.created, c.data); !s.ok()) return s;
  return d;
}

Result<Decision> transfer(const WriteModel& m, const ActorView& a, const cmd::TransferStudent& c) {
  auto s = find_student(m, c.student);
  if (!s.ok()) return s.status();
  const ClassId from = (*s)->class_id;
  if (from == 0) return refuse(Code::conflict, "Ученик выбыл из школы");
  if (!keeps_list(a, from)) return forbidden("перевод оформляет классный руководитель или заместитель");
  if (m.class_of(c.to_class) == nullptr) return not_found("Класс");
  if (c.to_class == from) return invalid("Ученик уже в этом классе");
  if (c.day <= 0) return invalid("Укажите дату перевода");
  if (auto st = check_reason(c.reason); !st.ok()) return st;
  Decision d;
  emit(d, fb::Event::StudentTransferred, [&](auto& b) {
    return fb::CreateStudentTransferredDirect(b, c.student, from, c.to_class, c.day, c.reason.c_str()).Union();
  });
  return d;
}

Result<Decision> leaves(const WriteModel& m, const ActorView& a, const cmd::StudentLeaves& c) {
  auto s = find_student(m, c.student);
  if (!s.ok()) return s.status();
  const ClassId from = (*s)->class_id;
  if (from == 0) return refuse(Code::conflict, "Ученик уже выбыл");
  if (!keeps_list(a, from)) return forbidden("выбытие оформляет классный руководитель или заместитель");
  if (c.day <= 0) return invalid("Укажите дату выбытия");
  if (auto st = check_reason(c.reason); !st.ok()) return st;
  Decision d;
  emit(d, fb::Event::StudentLeft, [&](auto& b) {
    return fb::CreateStudentLeftDirect(b, c.student, from, c.day, c.reason.c_str()).Union();
  });
  return d;
}

Result<Decision> group_membership(const WriteModel& m, const ActorView& a, UserId student, GroupId group, bool join) {
  auto s = find_student(m, student);
  if (!s.ok()) return s.status();
  const GroupState* g = m.group(group);
  if (g == nullptr) return not_found("Группа");
  if (!keeps_list(a, g->class_id)) return forbidden("состав групп ведёт классный руководитель");
  if ((*s)->class_id != g->class_id) return invalid("Ученик не из класса этой группы");
  const bool member = std::find((*s)->groups.begin(), (*s)->groups.end(), group) != (*s)->groups.end();
  if (member == join) return refuse(Code::conflict, join ? "Ученик уже в группе" : "Ученика нет в группе");
  // Groups taught a subject in common are halves of one split: a pupil in both would have two journals of it.
  if (join)
    for (GroupId other : (*s)->groups)
      if (other != group && m.shared_subject(group, other) != 0)
        return refuse(Code::conflict, "Ученик уже в группе «" + m.group(other)->name +
                                          "», которая изучает тот же предмет: в двух группах одного предмета быть нельзя");
  Decision d;
  if (join) {
    emit(d, fb::Event::StudentJoinedGroup, [&](auto& b) { return fb::CreateStudentJoinedGroup(b, student, group).Union(); });
  } else {
    emit(d, fb::Event::StudentLeftGroup, [&](auto& b) { return fb::CreateStudentLeftGroup(b, student, group).Union(); });
  }
  return d;
}

Result<Decision> add_parent(const WriteModel& m, const ActorView& a, const cmd::AddParent& c, PersonalDataVault& v) {
  auto s = find_student(m, c.student);
  if (!s.ok()) return s.status();
  if (!keeps_list(a, (*s)->class_id)) return forbidden("родителей вносит классный руководитель");
  if (auto st = check_personal_data(c.data); !st.ok()) return st;
  Decision d;
  d.created = m.next_user();
  emit_account(d, d.created, Role::Parent);
  emit(d, fb::Event::ParentLinked, [&](auto& b) { return fb::CreateParentLinked(b, d.created, c.student).Union(); });
  if (auto st = emit_personal_data(d, v, DataSubject::Parent, d.created, c.data); !st.ok()) return st;
  return d;
}

Result<Decision> link(const WriteModel& m, const ActorView& a, UserId parent, UserId student, bool linking) {
  auto s = find_student(m, student);
  if (!s.ok()) return s.status();
  if (!keeps_list(a, (*s)->class_id)) return forbidden("родителей вносит классный руководитель");
  const ParentState* p = m.parent(parent);
  if (p == nullptr) return not_found("Родитель");
  const bool linked = std::find(p->children.begin(), p->children.end(), student) != p->children.end();
  if (linked == linking) return refuse(Code::conflict, linking ? "Родитель уже связан с учеником" : "Родитель не связан с учеником");
  Decision d;
  if (linking) {
    emit(d, fb::Event::ParentLinked, [&](auto& b) { return fb::CreateParentLinked(b, parent, student).Union(); });
  } else {
    emit(d, fb::Event::ParentUnlinked, [&](auto& b) { return fb::CreateParentUnlinked(b, parent, student).Union(); });
  }
  return d;
}

Status check_subject(const WriteModel& m, DataSubject kind, UserId subject) {
  if (kind == DataSubject::Student) {
    const StudentState* s = m.student(subject);
    if (s == nullptr) return not_found("Ученик");
    if (s->erased) return refuse(Code::conflict, "Персональные данные ученика удалены");
  } else if (kind == DataSubject::Parent) {
    const ParentState* p = m.parent(subject);
    if (p == nullptr) return not_found("Родитель");
    if (p->erased) return refuse(Code::conflict, "Персональные данные родителя удалены");
  } else {
    return invalid("Неизвестный вид субъекта персональных данных");
  }
  return Status::OK();
}

Result<Decision> record_pd(const WriteModel& m, const ActorView& a, const cmd::RecordPersonalData& c, PersonalDataVault& v) {
  if (auto s = check_subject(m, c.kind, c.subject); !s.ok()) return s;
  if (!keeps_subject(m, a, c.kind, c.subject)) return forbidden("персональные данные ведёт классный руководитель");
  if (auto s = check_personal_data(c.data); !s.ok()) return s;
  Decision d;
  if (auto s = emit_personal_data(d, v, c.kind, c.subject, c.data); !s.ok()) return s;
  return d;
}

Result<Decision> check_pd(const WriteModel& m, const ActorView& a, const cmd::CheckPersonalData& c) {
  if (auto s = check_subject(m, c.kind, c.subject); !s.ok()) return s;
  if (!keeps_subject(m, a, c.kind, c.subject)) return forbidden("актуальность данных проверяет классный руководитель");
  if (c.day <= 0) return invalid("Укажите дату проверки");
  Decision d;
  emit(d, fb::Event::PersonalDataChecked, [&](auto& b) { return fb::CreatePersonalDataChecked(b, c.kind, c.subject, c.day).Union(); });
  return d;
}

Result<Decision> erase_pd(const WriteModel& m, const ActorView& a, const cmd::ErasePersonalData& c) {
  if (!a.is(Role::Administrator)) return forbidden("удаление персональных данных выполняет администратор");
  if (auto s = check_subject(m, c.kind, c.subject); !s.ok()) return s;
  if (auto s = check_reason(c.reason); !s.ok()) return s;
  Decision d;
  emit(d, fb::Event::PersonalDataErased, [&](auto& b) {
    return fb::CreatePersonalDataErasedDirect(b, c.kind, c.subject, c.reason.c_str()).Union();
  });
  return d;
}

}  // namespace

Result<Decision> decide_people(const WriteModel& m, const ActorView& a, const Command& c, PersonalDataVault& v) {
  if (auto* x = std::get_if<cmd::EnrollStudent>(&c)) return enroll(m, a, *x, v);
  if (auto* x = std::get_if<cmd::TransferStudent>(&c)) return transfer(m, a, *x);
  if (auto* x = std::get_if<cmd::StudentLeaves>(&c)) return leaves(m, a, *x);
  if (auto* x = std::get_if<cmd::AddStudentToGroup>(&c)) return group_membership(m, a, x->student, x->group, true);
  if (auto* x = std::get_if<cmd::RemoveStudentFromGroup>(&c)) return group_membership(m, a, x->student, x->group, false);
  if (auto* x = std::get_if<cmd::AddParent>(&c)) return add_parent(m, a, *x, v);
  if (auto* x = std::get_if<cmd::LinkParent>(&c)) return link(m, a, x->parent, x->student, true);
  if (auto* x = std::get_if<cmd::UnlinkParent>(&c)) return link(m, a, x->parent, x->student, false);
  if (auto* x = std::get_if<cmd::RecordPersonalData>(&c)) return record_pd(m, a, *x, v);
  if (auto* x = std::get_if<cmd::CheckPersonalData>(&c)) return check_pd(m, a, *x);
  if (auto* x = std::get_if<cmd::ErasePersonalData>(&c)) return erase_pd(m, a, *x);
  return Status(Code::invalid_argument, "not a people command");
}

}  // namespace ejournal::domain
