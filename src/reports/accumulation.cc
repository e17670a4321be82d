// Накопляемость: per class, how many marks each pupil has in each subject over a period (the term by
// default), flagging those with fewer than the school's minimum — too few for a term mark.
#include <map>

#include "kinds.h"

namespace ejournal::reports::detail {

using namespace domain;
using namespace projections;

Result<Report> accumulation(const Scope& scope) {
  auto classes = scope.classes();
  if (!classes.ok()) return classes.status();
  const Query& q = scope.query();
  if (q.min_marks < 1 || q.min_marks > 20) return Status(Code::invalid_argument, "Порог отметок: от 1 до 20");
  Report report;
  report.kind = "accumulation";
  report.signatures = {"Классный руководитель", "Заместитель директора"};
  std::string period_text;
  for (const RosterClass* c : *classes) {
    // The period: the query's dates, else its term, else the class's term in progress (or the last begun).
    Day from = 0, to = 0;
    std::string name;
    if (q.from || q.to) {
      std::tie(from, to) = scope.period();
      name = ru_day(from) + "–" + ru_day(to);
    } else {
      auto terms = scope.query_terms(*c);
      if (!terms.ok()) return terms.status();
      const RosterTerm* t = nullptr;
      for (const RosterTerm* x : *terms)
        if (q.term != 0 || x->first_day <= scope.sources().today) t = x;
      if (t == nullptr) continue;
      from = t->first_day;
      to = t->last_day;
      name = t->name;
    }
    if (period_text.empty()) period_text = name;
    const auto keys = scope.journals_of(*c);
    Table table;
    table.name = c->name;
    table.caption = "Класс " + c->name + ", " + name + ": отметок у ученика по предмету (меньше " + std::to_string(q.min_marks) +
                    " — отмечено)";
    table.header = {{"№", "Ученик"}};
    table.widths = {4, 30};
    table.frozen_columns = 2;
    table.landscape = true;
    std::map<SubjectId, std::size_t> column;
    for (const Scope::JournalKey& k : keys)
      if (column.emplace(k.subject->id, table.header[0].size()).second) {
        table.header[0].push_back(k.subject->short_name.empty() ? k.subject->name : k.subject->short_name);
        table.widths.push_back(6);
      }
    // Marks per pupil and subject, over every journal of the subject (a pupil is in one group of a split).
    std::map<std::pair<UserId, SubjectId>, long long> marks;
    std::map<std::pair<UserId, SubjectId>, bool> taught;  // the pupil is on the subject's page
    for (const Scope::JournalKey& k : keys)
      for (const RosterTerm* term : scope.terms_of(*c)) {
        if (term->last_day < from || term->first_day > to) continue;
        auto page = scope.sources().journal->page(c->id, k.group, k.subject->id, term->id);
        if (!page.ok()) return page.status();
        for (const JournalRow& r : page->rows) {
          taught[{r.student, k.subject->id}] = true;
          for (std::size_t i = 0; i < r.cells.size(); ++i)
            if (page->lessons[i].day >= from && page->lessons[i].day <= to) marks[{r.student, k.subject->id}] += static_cast<long long>(r.cells[i].marks.size());
        }
      }
    int n = 0, flagged = 0;
    for (const Pupil& p : scope.pupils_of(c->id)) {
      std::vector<Cell> row(table.header[0].size());
      row[0] = Cell::integer(++n);
      row[1] = Cell::of(p.name);
      for (const auto& [subject, col] : column) {
        if (!taught[{p.id, subject}]) continue;  // not in this subject's group
        const long long count = marks[{p.id, subject}];
        row[col] = Cell::integer(count);
        if (count < q.min_marks) {
          row[col].flagged = true;
          ++flagged;
        }
      }
      table.rows.push_back(std::move(row));
    }
    table.notes.push_back("Отмечено (меньше " + std::to_string(q.min_marks) + " отметок): " + std::to_string(flagged) + ".");
    report.tables.push_back(std::move(table));
  }
  report.stamp = scope.stamp("Накопляемость отметок", period_text + " " + scope.year_record()->title);
  return report;
}

}  // namespace ejournal::reports::detail
