// Успеваемость and качество знаний: per term (or the query's period), by class, subject and teacher — the
// count of each mark, the average, the share of marks above 2 and the share of 4 and 5 — with each class's
// totals. Computed on the marks of the period's lessons, as the director's page shows them.
#include <algorithm>

#include "kinds.h"

namespace ejournal::reports::detail {

using namespace domain;
using namespace projections;

namespace {

struct Totals {
  std::uint32_t marks[6] = {0, 0, 0, 0, 0, 0};
  double weighted = 0;
  std::uint32_t weights = 0;
  void add(const ProgressRow& r) {
    for (int v = 1; v <= 5; ++v) marks[v] += r.marks[static_cast<std::size_t>(v)];
    weighted += r.weighted_sum;
    weights += r.weights;
  }
  std::uint32_t count() const { return marks[1] + marks[2] + marks[3] + marks[4] + marks[5]; }
};

Cell share(std::uint32_t part, std::uint32_t whole) {
  return whole == 0 ? Cell() : Cell::decimal(100.0 * part / whole, 1);
}

void figures(std::vector<Cell>& row, const Totals& t) {
  for (int v = 5; v >= 2; --v) row.push_back(Cell::integer(t.marks[v]));
  row.push_back(Cell::integer(t.count()));
  row.push_back(t.weights == 0 ? Cell() : Cell::decimal(JournalProjection::round_average(t.weighted / t.weights), 2));
  row.push_back(share(t.marks[3] + t.marks[4] + t.marks[5], t.count()));
  row.push_back(share(t.marks[4] + t.marks[5], t.count()));
}

}  // namespace

Result<Report> progress(const Scope& scope) {
  auto classes = scope.classes();
  if (!classes.ok()) return classes.status();
  const RosterYear* year = scope.year_record();
  const Query& q = scope.query();
  Report report;
  report.kind = "progress";
  report.signatures = {"Заместитель директора", "Директор"};
  // The periods: the query's dates, else each term of the first class's grades (quarters, or halves for
  // 10–11 when only those are asked for), else the year so far.
  struct Period {
    std::string name;
    Day from = 0, to = 0;
  };
  std::vector<Period> periods;
  if (q.from || q.to) {
    const Day from = q.from.value_or(year->first_day), to = q.to.value_or(std::min(year->last_day, scope.sources().today));
    if (to < from) return Status(Code::invalid_argument, "Конец периода раньше начала");
    periods.push_back(Period{ru_day(from) + "–" + ru_day(to), from, to});
  } else if (!classes->empty()) {
    auto terms = scope.query_terms(*classes->front());
    if (!terms.ok()) return terms.status();
    for (const RosterTerm* t : *terms)  // not the terms still to come
      if (t->first_day <= scope.sources().today) periods.push_back(Period{t->name, t->first_day, t->last_day});
  }
  const std::vector<std::string> heads = {"Класс", "Предмет", "Учитель", "«5»", "«4»", "«3»", "«2»", "Отметок",
                                          "Средний балл", "Успеваемость, %", "Качество, %"};
  for (const Period& period : periods) {
    Table t;
    t.name = period.name;
    t.caption = period.name + " (" + ru_day(period.from) + "–" + ru_day(period.to) + ")";
    t.header = {heads};
    t.widths = {7, 26, 30, 6, 6, 6, 6, 8, 8, 9, 9};
    t.landscape = true;
    t.frozen_columns = 3;
    Totals school;
    for (const RosterClass* c : *classes) {
      Totals klass;
      std::vector<ProgressRow> rows = scope.sources().journal->progress(c->year, c->id, period.from, period.to);
      for (const ProgressRow& r : rows) {
        const auto s = scope.sources().roster->subjects().find(r.subject);
        const std::string subject = s == scope.sources().roster->subjects().end() ? std::to_string(r.subject) : s->second.name;
        if (!q.subject.empty() && s != scope.sources().roster->subjects().end() && s->second.name != q.subject &&
            s->second.short_name != q.subject)
          continue;
        Totals one;
        one.add(r);
        if (one.count() == 0) continue;
        klass.add(r);
        std::vector<Cell> row{Cell::of(c->name), Cell::of(subject), Cell::of(scope.staff_name(r.teacher))};
        figures(row, one);
        t.rows.push_back(std::move(row));
      }
      if (klass.count() == 0) continue;
      t.bold_rows.push_back(static_cast<int>(t.rows.size()));
      std::vector<Cell> total{Cell::of(c->name), Cell::of("Итого по классу"), Cell()};
      figures(total, klass);
      t.rows.push_back(std::move(total));
      for (int v = 1; v <= 5; ++v) school.marks[v] += klass.marks[v];
      school.weighted += klass.weighted;
      school.weights += klass.weights;
    }
    if (classes->size() > 1 && school.count() > 0) {
      t.bold_rows.push_back(static_cast<int>(t.rows.size()));
      std::vector<Cell> total{Cell(), Cell::of("Итого по школе"), Cell()};
      figures(total, school);
      t.rows.push_back(std::move(total));
    }
    report.tables.push_back(std::move(t));
  }
  const std::string period = periods.size() == 1 ? periods[0].name + " " + year->title : "учебный год " + year->title;
  report.stamp = scope.stamp("Успеваемость и качество знаний", period);
  return report;
}

}  // namespace ejournal::reports::detail
