// Успеваемость and качество знаний: per term (or the query's period), by class, subject and teacher — on the
// lessons' marks (the count of each, the average, the share above 2 and of 4 and 5, as the director's page
// shows them) and, for a term, on its term marks (pupils graded; успеваемость the share without 2 and н/а,
// качество the share of 4 and 5) — with each class's and the school's totals.
#include <algorithm>
#include <map>
#include <set>

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

// A term's marks (the attestation), by subject: pupils graded, of them with 2 or н/а, and with 4 or 5 —
// успеваемость is the share without 2 and н/а, качество the share of 4 and 5, of the pupils graded.
struct TermMarks {
  long long graded = 0, failing = 0, good = 0;
  void add(const TermMarks& o) {
    graded += o.graded;
    failing += o.failing;
    good += o.good;
  }
};

void term_figures(std::vector<Cell>& row, const TermMarks* m) {
  if (m == nullptr || m->graded == 0) {
    row.insert(row.end(), 4, Cell());
    return;
  }
  row.push_back(Cell::integer(m->graded));
  row.push_back(Cell::integer(m->failing));
  row.push_back(Cell::decimal(100.0 * static_cast<double>(m->graded - m->failing) / static_cast<double>(m->graded), 1));
  row.push_back(Cell::decimal(100.0 * static_cast<double>(m->good) / static_cast<double>(m->graded), 1));
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
    TermId term = 0;  // its term marks are counted too; 0 for dates given
  };
  std::vector<Period> periods;
  if (q.from || q.to) {
    const Day from = q.from.value_or(year->first_day), to = q.to.value_or(std::min(year->last_day, scope.sources().today));
    if (to < from) return Status(Code::invalid_argument, "Конец периода раньше начала");
    periods.push_back(Period{ru_day(from) + "–" + ru_day(to), from, to, 0});
  } else if (!classes->empty()) {
    auto terms = scope.query_terms(*classes->front());
    if (!terms.ok()) return terms.status();
    for (const RosterTerm* t : *terms)  // not the terms still to come
      if (t->first_day <= scope.sources().today) periods.push_back(Period{t->name, t->first_day, t->last_day, t->id});
  }
  // Two groups of columns: the lessons' marks of the period, and (for a term) the term marks.
  const std::vector<std::string> heads = {"Класс", "Предмет", "Учитель", "«5»", "«4»", "«3»", "«2»", "Отметок",
                                          "Средний балл", "Успеваемость, %", "Качество, %", "Аттестовано",
                                          "«2» и н/а", "Успеваемость, %", "Качество, %"};
  const std::vector<std::string> groups = {"Класс", "Предмет", "Учитель", "Текущие отметки", "Текущие отметки",
                                           "Текущие отметки", "Текущие отметки", "Текущие отметки", "Текущие отметки",
                                           "Текущие отметки", "Текущие отметки", "Отметки за период", "Отметки за период",
                                           "Отметки за период", "Отметки за период"};
  for (const Period& period : periods) {
    Table t;
    t.name = period.name;
    t.caption = period.name + " (" + ru_day(period.from) + "–" + ru_day(period.to) + ")";
    t.header = {groups, heads};
    t.widths = {7, 24, 28, 5, 5, 5, 5, 7, 7, 9, 8, 8, 7, 9, 8};
    t.landscape = true;
    t.frozen_columns = 3;
    Totals school;
    TermMarks school_terms;
    for (const RosterClass* c : *classes) {
      Totals klass;
      std::map<SubjectId, TermMarks> term_marks;
      if (period.term != 0)
        for (UserId pupil : scope.sources().roster->students_of_class(c->id))
          for (const AttestationEntry& a : scope.sources().journal->attestations_of(pupil)) {
            if (a.kind != AttestationKind::Term || a.term != period.term) continue;
            TermMarks& m = term_marks[a.subject];
            ++m.graded;
            m.failing += a.value == AttestationValue::Two || a.value == AttestationValue::NotAttested;
            m.good += a.value == AttestationValue::Four || a.value == AttestationValue::Five;
          }
      TermMarks klass_terms;
      std::set<SubjectId> shown;  // a subject's term marks go on its first row (two groups: two teachers)
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
        const auto m = term_marks.find(r.subject);
        const bool first = shown.insert(r.subject).second;
        term_figures(row, first && m != term_marks.end() ? &m->second : nullptr);
        if (first && m != term_marks.end()) klass_terms.add(m->second);
        t.rows.push_back(std::move(row));
      }
      if (klass.count() == 0) continue;
      t.bold_rows.push_back(static_cast<int>(t.rows.size()));
      std::vector<Cell> total{Cell::of(c->name), Cell::of("Итого по классу"), Cell()};
      figures(total, klass);
      term_figures(total, &klass_terms);
      t.rows.push_back(std::move(total));
      school_terms.add(klass_terms);
      for (int v = 1; v <= 5; ++v) school.marks[v] += klass.marks[v];
      school.weighted += klass.weighted;
      school.weights += klass.weights;
    }
    if (classes->size() > 1 && school.count() > 0) {
      t.bold_rows.push_back(static_cast<int>(t.rows.size()));
      std::vector<Cell> total{Cell(), Cell::of("Итого по школе"), Cell()};
      figures(total, school);
      term_figures(total, &school_terms);
      t.rows.push_back(std::move(total));
    }
    report.tables.push_back(std::move(t));
  }
  const std::string period = periods.size() == 1 ? periods[0].name + " " + year->title : "учебный год " + year->title;
  report.stamp = scope.stamp("Успеваемость и качество знаний", period);
  return report;
}

}  // namespace ejournal::reports::detail
