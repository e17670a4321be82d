// The сводная ведомость: per class, each pupil's term, year, exam and final marks in every subject, with
// the count of each mark under each column.
#include <map>
#include <tuple>

#include "kinds.h"

namespace ejournal::reports::detail {

using namespace domain;
using namespace projections;

namespace {

struct Column {
  SubjectId subject = 0;
  AttestationKind kind = AttestationKind::Term;
  TermId term = 0;
};

}  // namespace

Result<Report> summary(const Scope& scope) {
  auto classes = scope.classes();
  if (!classes.ok()) return classes.status();
  const RosterYear* year = scope.year_record();
  Report report;
  report.kind = "summary";
  report.signatures = {"Классный руководитель", "Заместитель директора", "Директор"};
  std::string period = "учебный год " + year->title;
  for (const RosterClass* c : *classes) {
    auto terms = scope.query_terms(*c);
    if (!terms.ok()) return terms.status();
    if (scope.query().term != 0 && classes->size() == 1) period = (*terms)[0]->name + " " + year->title;
    const bool graduating = c->grade == 9 || c->grade == 11;
    std::vector<Column> columns;
    Table t;
    t.name = c->name;
    t.caption = "Класс " + c->name + (scope.query().term != 0 ? ", " + (*terms)[0]->name : ", " + year->title);
    t.landscape = true;
    t.frozen_columns = 2;
    t.header = {{"№", "Ученик"}, {"", ""}};
    t.widths = {4, 30};
    for (const RosterSubject* s : scope.subjects_of(*c)) {
      auto add = [&](AttestationKind kind, TermId term, const std::string& label) {
        columns.push_back(Column{s->id, kind, term});
        t.header[0].push_back(s->short_name.empty() ? s->name : s->short_name);
        t.header[1].push_back(label);
        t.widths.push_back(6);
      };
      for (const RosterTerm* term : *terms) add(AttestationKind::Term, term->id, term_label(term->name));
      if (scope.query().term == 0) {
        add(AttestationKind::Year, 0, "год");
        if (graduating) {
          add(AttestationKind::Exam, 0, "экз.");
          add(AttestationKind::Final, 0, "итог");
        }
      }
    }
    // Each column's count of each value, for the rows under the pupils.
    static constexpr AttestationValue kCounted[] = {AttestationValue::Five, AttestationValue::Four, AttestationValue::Three,
                                                    AttestationValue::Two, AttestationValue::NotAttested};
    std::vector<std::map<AttestationValue, long long>> counts(columns.size());
    int n = 0;
    for (const Pupil& p : scope.pupils_of(c->id)) {
      std::map<std::tuple<SubjectId, int, TermId>, AttestationValue> marks;
      for (const AttestationEntry& a : scope.sources().journal->attestations_of(p.id))
        if (a.year == c->year) marks[{a.subject, static_cast<int>(a.kind), a.term}] = a.value;
      std::vector<Cell> row{Cell::integer(++n), Cell::of(p.name)};
      for (std::size_t i = 0; i < columns.size(); ++i) {
        const auto m = marks.find({columns[i].subject, static_cast<int>(columns[i].kind), columns[i].term});
        if (m == marks.end()) {
          row.push_back(Cell());
          continue;
        }
        row.push_back(attestation_cell(m->second));
        ++counts[i][m->second];
      }
      t.rows.push_back(std::move(row));
    }
    for (AttestationValue v : kCounted) {
      t.bold_rows.push_back(static_cast<int>(t.rows.size()));
      std::vector<Cell> row{Cell(), Cell::of(std::string("Всего «") + attestation_word(v) + "»")};
      for (std::size_t i = 0; i < columns.size(); ++i) row.push_back(Cell::integer(counts[i][v]));
      t.rows.push_back(std::move(row));
    }
    report.tables.push_back(std::move(t));
  }
  report.stamp = scope.stamp("Сводная ведомость учёта успеваемости", period);
  return report;
}

}  // namespace ejournal::reports::detail
