// The deputies' control on paper (order 5.4): timeliness of entries per teacher, the register of missed and
// substituted lessons, and the monthly табель of teachers' hours — from the control projection.
#include <algorithm>
#include <map>

#include "ejournal/projections/control.h"
#include "kinds.h"

namespace ejournal::reports::detail {

using namespace domain;
using namespace projections;

namespace {

std::string class_name(const Scope& scope, ClassId id) {
  const auto c = scope.sources().roster->classes().find(id);
  return c == scope.sources().roster->classes().end() ? std::to_string(id) : c->second.name;
}

std::string subject_name(const Scope& scope, SubjectId id) {
  const auto s = scope.sources().roster->subjects().find(id);
  return s == scope.sources().roster->subjects().end() ? std::to_string(id) : s->second.name;
}

// Teachers by name.
template <typename Row, typename Id>
void by_name(const Scope& scope, std::vector<Row>& rows, Id id) {
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) { return scope.staff_name(id(a)) < scope.staff_name(id(b)); });
}

}  // namespace

Result<Report> timeliness(const Scope& scope) {
  const auto [from, to] = scope.period();
  if (to < from) return Status(Code::invalid_argument, "Конец периода раньше начала");
  std::vector<TeacherControl> rows = scope.sources().control->overview(from, to, scope.sources().today);
  by_name(scope, rows, [](const TeacherControl& t) { return t.teacher; });
  Table t;
  t.name = "Своевременность";
  t.caption = "Заполнение журнала " + ru_day(from) + "–" + ru_day(to) + ": уроки, не заполненные в день урока";
  t.header = {{"№", "Учитель", "Уроков", "Без темы", "Без посещаемости", "Без д/з", "Поздних отметок", "Наибольшее опоздание, дней",
               "Проверок д/з", "Из них с замечаниями"}};
  t.widths = {4, 32, 8, 8, 11, 8, 9, 12, 9, 11};
  t.frozen_columns = 2;
  t.landscape = true;
  int n = 0;
  for (const TeacherControl& r : rows)
    t.rows.push_back({Cell::integer(++n), Cell::of(scope.staff_name(r.teacher)), Cell::integer(r.lessons),
                      Cell::integer(static_cast<long long>(r.without_topic.size())),
                      Cell::integer(static_cast<long long>(r.register_not_taken.size())),
                      Cell::integer(static_cast<long long>(r.without_homework.size())),
                      Cell::integer(static_cast<long long>(r.late_marks.size())), Cell::integer(r.max_days_late),
                      Cell::integer(r.reviews), Cell::integer(r.reviews_not_conforming)});
  return one_table("timeliness", {"Заместитель директора", "Директор"}, std::move(t),
                   scope.stamp("Контроль своевременности заполнения журнала", ru_day(from) + "–" + ru_day(to)));
}

Result<Report> register_of_lessons(const Scope& scope) {
  const auto [from, to] = scope.period();
  if (to < from) return Status(Code::invalid_argument, "Конец периода раньше начала");
  Table t;
  t.name = "Пропуски и замены";
  t.caption = "Пропущенные и заменённые уроки " + ru_day(from) + "–" + ru_day(to);
  t.header = {{"Дата", "Урок", "Класс", "Предмет", "Учитель", "Заменил", "Причина"}};
  t.widths = {11, 5, 7, 24, 30, 30, 40};
  t.landscape = true;
  for (const ControlLesson& l : scope.sources().control->missed_and_substituted(from, to)) {
    if (!scope.query().class_name.empty() && class_name(scope, l.class_id) != scope.query().class_name) continue;
    t.rows.push_back({Cell::of(ru_day(l.day)), Cell::integer(l.period), Cell::of(class_name(scope, l.class_id)),
                      Cell::of(subject_name(scope, l.subject)), Cell::of(scope.staff_name(l.teacher)),
                      Cell::of(!l.held ? "урок не проведён" : scope.staff_name(l.substitute)), Cell::of(l.reason)});
  }
  return one_table("register", {"Заместитель директора", "Директор"}, std::move(t),
                   scope.stamp("Учёт пропущенных и замещённых уроков", ru_day(from) + "–" + ru_day(to)));
}

Result<Report> timesheet(const Scope& scope) {
  const auto [from, to] = scope.period(/*month=*/true);
  if (to < from || to - from > 30) return Status(Code::invalid_argument, "Табель составляется за месяц: не больше 31 дня");
  std::vector<TimeSheetRow> rows = scope.sources().control->time_sheet(from, to);
  by_name(scope, rows, [](const TimeSheetRow& r) { return r.teacher; });
  Table t;
  t.name = "Табель";
  t.caption = "Табель учёта рабочего времени учителей " + ru_day(from) + "–" + ru_day(to) + " (уроков в день)";
  t.header = {{"№", "Учитель"}};
  t.widths = {4, 30};
  t.frozen_columns = 2;
  t.landscape = true;
  for (Day d = from; d <= to; ++d) {
    const CivilDate c = civil_of(d);
    t.header[0].push_back(std::to_string(c.day));
    t.widths.push_back(3.2);
  }
  for (const char* h : {"Своих", "Замен", "Пропущено", "Всего"}) {
    t.header[0].push_back(h);
    t.widths.push_back(7);
  }
  std::vector<long long> per_day(static_cast<std::size_t>(to - from + 1), 0);
  long long given = 0, subs = 0, missed = 0;
  int n = 0;
  for (const TimeSheetRow& r : rows) {
    std::vector<Cell> row{Cell::integer(++n), Cell::of(scope.staff_name(r.teacher))};
    row.resize(2 + per_day.size());
    for (const auto& [day, hours] : r.hours_by_day) {
      if (day < from || day > to) continue;
      row[2 + static_cast<std::size_t>(day - from)] = Cell::integer(hours);
      per_day[static_cast<std::size_t>(day - from)] += hours;
    }
    row.push_back(Cell::integer(r.given));
    row.push_back(Cell::integer(r.substitutions));
    row.push_back(Cell::integer(r.missed));
    row.push_back(Cell::integer(r.given + r.substitutions));
    given += r.given;
    subs += r.substitutions;
    missed += r.missed;
    t.rows.push_back(std::move(row));
  }
  t.bold_rows.push_back(static_cast<int>(t.rows.size()));
  std::vector<Cell> total{Cell(), Cell::of("Итого")};
  for (long long h : per_day) total.push_back(h == 0 ? Cell() : Cell::integer(h));
  for (long long x : {given, subs, missed, given + subs}) total.push_back(Cell::integer(x));
  t.rows.push_back(std::move(total));
  return one_table("timesheet", {"Заместитель директора", "Директор"}, std::move(t),
                   scope.stamp("Табель учёта рабочего времени", ru_day(from) + "–" + ru_day(to)));
}

}  // namespace ejournal::reports::detail
