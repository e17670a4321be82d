// Attendance: per class, each pupil's lessons missed over a period — for a valid reason (уп, б) or without
// one (н) — the lateness (оп), and the days on which they missed any lesson; the class's totals under them.
#include <algorithm>
#include <map>
#include <set>

#include "kinds.h"

namespace ejournal::reports::detail {

using namespace domain;
using namespace projections;

Result<Report> attendance(const Scope& scope) {
  auto classes = scope.classes();
  if (!classes.ok()) return classes.status();
  const RosterYear* year = scope.year_record();
  const Query& q = scope.query();
  const Day from = q.from.value_or(year->first_day), to = q.to.value_or(std::min(year->last_day, scope.sources().today));
  if (to < from) return Status(Code::invalid_argument, "Конец периода раньше начала");
  Report report;
  report.kind = "attendance";
  report.signatures = {"Классный руководитель", "Заместитель директора"};
  for (const RosterClass* c : *classes) {
    struct Missed {
      long long excused = 0, unexcused = 0, late = 0;
      std::set<Day> days;
    };
    std::map<UserId, Missed> by_pupil;
    for (const Scope::JournalKey& key : scope.journals_of(*c))
      for (const RosterTerm* term : scope.terms_of(*c)) {
        if (term->last_day < from || term->first_day > to) continue;
        auto page = scope.sources().journal->page(c->id, key.group, key.subject->id, term->id);
        if (!page.ok()) return page.status();
        for (const JournalRow& r : page->rows)
          for (std::size_t i = 0; i < r.cells.size(); ++i) {
            const Day day = page->lessons[i].day;
            if (day < from || day > to || !r.cells[i].attendance) continue;
            Missed& m = by_pupil[r.student];
            switch (*r.cells[i].attendance) {
              case Attendance::Late: ++m.late; continue;
              case Attendance::Absent: ++m.unexcused; break;
              default: ++m.excused; break;
            }
            m.days.insert(day);
          }
      }
    Table t;
    t.name = c->name;
    t.caption = "Класс " + c->name + ", " + ru_day(from) + "–" + ru_day(to);
    t.header = {{"№", "Ученик", "Пропущено уроков", "По уважительной причине", "Без причины", "Опозданий", "Дней с пропусками"}};
    t.widths = {4, 30, 10, 12, 10, 10, 10};
    t.frozen_columns = 2;
    Missed total;
    long long total_days = 0;
    int n = 0;
    for (const Pupil& p : scope.pupils_of(c->id)) {
      const Missed& m = by_pupil[p.id];
      t.rows.push_back({Cell::integer(++n), Cell::of(p.name), Cell::integer(m.excused + m.unexcused), Cell::integer(m.excused),
                        Cell::integer(m.unexcused), Cell::integer(m.late), Cell::integer(static_cast<long long>(m.days.size()))});
      total.excused += m.excused;
      total.unexcused += m.unexcused;
      total.late += m.late;
      total_days += static_cast<long long>(m.days.size());
    }
    t.bold_rows.push_back(static_cast<int>(t.rows.size()));
    t.rows.push_back({Cell(), Cell::of("Итого по классу"), Cell::integer(total.excused + total.unexcused), Cell::integer(total.excused),
                      Cell::integer(total.unexcused), Cell::integer(total.late), Cell::integer(total_days)});
    report.tables.push_back(std::move(t));
  }
  report.stamp = scope.stamp("Учёт посещаемости", ru_day(from) + "–" + ru_day(to));
  return report;
}

}  // namespace ejournal::reports::detail
