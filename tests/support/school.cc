#include "school.h"

#include <stdexcept>

namespace ejournal::testkit {
using namespace domain;

PersonalData person(const std::string& last, const std::string& first) {
  PersonalData p;
  p.last_name = last;
  p.first_name = first;
  p.birth_day = 14000;
  p.phone = "+7 900 000-00-00";
  return p;
}

School::School(log::Timestamp start)
    : clock(std::make_shared<ManualClock>(start != 0 ? start : log::SystemClock().now())), data_(dir_.sub("data")) {
  open();
  admin = must(0, cmd::CreateStaffAccount{"admin", Role::Administrator, "Администратор", 0});
  deputy = must(admin, cmd::CreateStaffAccount{"deputy", Role::Deputy, "Завуч Мария Петровна", 0});
  director = must(admin, cmd::CreateStaffAccount{"director", Role::Director, "Директор", 0});
  teacher_a = must(admin, cmd::CreateStaffAccount{"teacher.a", Role::Teacher, "Анна Сергеевна", 0});
  teacher_b = must(admin, cmd::CreateStaffAccount{"teacher.b", Role::Teacher, "Борис Иванович", 0});

  year = must(deputy, cmd::OpenYear{"2023/2024", kSep1, kMay31});
  q1 = must(deputy, cmd::DefineTerm{year, "1 четверть", kSep1, kOct31, 1, 9});
  q2 = must(deputy, cmd::DefineTerm{year, "2 четверть", kNov6, 19718, 1, 9});
  class_1a = must(deputy, cmd::CreateClass{year, 1, "1А"});
  class_5a = must(deputy, cmd::CreateClass{year, 5, "5А"});
  class_5b = must(deputy, cmd::CreateClass{year, 5, "5Б"});
  math = must(deputy, cmd::CreateSubject{"Математика", "мат"});
  russian = must(deputy, cmd::CreateSubject{"Русский язык", "рус"});
  answer = static_cast<WorkTypeId>(must(deputy, cmd::DefineWorkType{"Ответ на уроке", 1}));
  test = static_cast<WorkTypeId>(must(deputy, cmd::DefineWorkType{"Контрольная работа", 2}));
  must(admin, cmd::GrantRole{teacher_a, Role::Curator, class_5a});
  must(admin, cmd::GrantRole{teacher_b, Role::Curator, class_5b});
  group_5a_1 = must(teacher_a, cmd::CreateStudyGroup{class_5a, "Английский, группа 1"});

  student_a1 = must(teacher_a, cmd::EnrollStudent{class_5a, kSep1, person("Иванов", "Пётр")});
  student_a2 = must(teacher_a, cmd::EnrollStudent{class_5a, kSep1, person("Смирнова", "Ольга")});
  student_b1 = must(teacher_b, cmd::EnrollStudent{class_5b, kSep1, person("Кузнецов", "Илья")});
  student_1st = must(deputy, cmd::EnrollStudent{class_1a, kSep1, person("Попова", "Алиса")});
  parent_a1 = must(teacher_a, cmd::AddParent{student_a1, person("Иванова", "Елена")});
  parent_b1 = must(teacher_b, cmd::AddParent{student_b1, person("Кузнецова", "Анна")});
  must(teacher_a, cmd::AddStudentToGroup{student_a1, group_5a_1});

  math_5a = must(deputy, cmd::AssignTeacher{teacher_a, class_5a, 0, math});
  math_5b = must(deputy, cmd::AssignTeacher{teacher_b, class_5b, 0, math});
  math_1a = must(deputy, cmd::AssignTeacher{teacher_a, class_1a, 0, math});
  lesson_5a = must(teacher_a, cmd::ScheduleLesson{math_5a, kSep4, 1});
  lesson_5b = must(teacher_b, cmd::ScheduleLesson{math_5b, kSep4, 2});
  lesson_1a = must(teacher_a, cmd::ScheduleLesson{math_1a, kSep4, 3});
  mark_a1 = must(teacher_a, cmd::SetMark{lesson_5a, student_a1, 5, answer, "", std::nullopt});
}

School::~School() = default;

void School::open() {
  log::LogOptions options;
  options.clock = clock;
  auto l = log::open_event_log(data_, options);
  if (!l.ok()) throw std::runtime_error(l.status().to_string());
  log_ = std::move(*l);
  auto v = open_vault(data_, *log_);
  if (!v.ok()) throw std::runtime_error(v.status().to_string());
  vault_ = std::move(*v);
  auto d = Domain::open(*log_, *vault_);
  if (!d.ok()) throw std::runtime_error(d.status().to_string());
  domain_ = std::move(*d);
}

void School::close() {
  domain_.reset();
  vault_.reset();
  log_.reset();
}

void School::reopen() {
  close();
  open();
}

Result<Executed> School::run(UserId actor, Command command) {
  return domain_->execute(actor, log::CommandId::random(), std::move(command));
}

std::uint32_t School::must(UserId actor, Command command) {
  const std::string name = command_name(command);
  auto r = run(actor, std::move(command));
  if (!r.ok()) throw std::runtime_error(name + " refused: " + r.status().to_string());
  return r->created;
}

Status School::check(UserId actor, const Command& command) const { return domain_->check(actor, command); }

}  // namespace ejournal::testkit
