// The class journal as the paper one looked: for each subject (and study group) and term, the grid of marks
// and absences with each pupil's average and term mark, then the lessons with their dates, topics and homework.
// One class; every subject and term of its year unless the query names one.
#include "kinds.h"

namespace ejournal::reports::detail {

using namespace domain;
using namespace projections;

Result<Report> journal(const Scope& scope) {
  if (scope.query().class_name.empty()) return Status(Code::invalid_argument, "Журнал печатается для одного класса: укажите класс");
  auto classes = scope.classes();
  if (!classes.ok()) return classes.status();
  const RosterClass& c = *classes->front();
  auto terms = scope.query_terms(c);
  if (!terms.ok()) return terms.status();
  const RosterYear* year = scope.year_record();
  Report report;
  report.kind = "journal";
  report.signatures = {"Учитель", "Заместитель директора"};
  for (const Scope::JournalKey& key : scope.journals_of(c)) {
    const std::string what = key.subject->name + (key.group_name.empty() ? "" : " (" + key.group_name + ")");
    for (const RosterTerm* term : *terms) {
      auto page = scope.sources().journal->page(c.id, key.group, key.subject->id, term->id);
      if (!page.ok()) return page.status();
      if (page->lessons.empty()) continue;
      Table grid;
      grid.name = key.subject->short_name.empty() ? key.subject->name : key.subject->short_name;
      if (!key.group_name.empty()) grid.name += " " + key.group_name;
      grid.name += " " + term_label(term->name);
      grid.caption = "Класс " + c.name + ", " + what + ", " + term->name;
      grid.landscape = true;
      grid.frozen_columns = 2;
      // As on paper: the month over its lessons' days.
      static const char* kMonths[] = {"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
                                      "октябрь", "ноябрь", "декабрь"};
      std::vector<std::string> months{"№", "Ученик"}, days{"", ""};
      grid.widths = {4, 28};
      for (const JournalLesson& l : page->lessons) {
        const CivilDate d = civil_of(l.day);
        months.push_back(kMonths[d.month - 1]);
        days.push_back((d.day < 10 ? "0" : "") + std::to_string(d.day));
        grid.widths.push_back(4);
      }
      months.insert(months.end(), {"Ср.", "Отм."});
      days.insert(days.end(), {"", ""});
      grid.widths.insert(grid.widths.end(), {6, 5});
      grid.header = {months, days};
      int n = 0;
      for (const JournalRow& r : page->rows) {
        std::vector<Cell> row{Cell::integer(++n), Cell::of(scope.pupil_name(r.student))};
        for (const JournalCell& cell : r.cells) {
          std::string text;
          for (const JournalMark& m : cell.marks) text += (text.empty() ? "" : " ") + std::to_string(m.value);
          if (cell.attendance) text += (text.empty() ? "" : " ") + std::string(domain::attendance_letter(*cell.attendance));
          row.push_back(cell.marks.size() == 1 && !cell.attendance ? Cell::integer(cell.marks[0].value) : Cell::of(text));
        }
        row.push_back(r.average ? Cell::decimal(*r.average, 2) : Cell());
        row.push_back(r.term_mark ? attestation_cell(*r.term_mark) : Cell());
        grid.rows.push_back(std::move(row));
      }
      Table topics;
      topics.name = grid.name + " темы";
      topics.caption = grid.caption + ": темы уроков и домашние задания";
      topics.header = {{"Дата", "Урок", "Тема", "Домашнее задание", "Учитель"}};
      topics.widths = {11, 5, 50, 40, 28};
      topics.frozen_columns = 1;
      topics.landscape = true;
      for (const JournalLesson& l : page->lessons) {
        std::string topic(l.topic);
        if (!l.held) topic = "Урок не проведён: " + std::string(l.not_held_reason);
        topics.rows.push_back({Cell::of(ru_day(l.day)), Cell::integer(l.period), Cell::of(topic), Cell::of(std::string(l.homework)),
                               Cell::of(scope.staff_name(l.teacher) + (l.substituted ? " (замена)" : ""))});
      }
      report.tables.push_back(std::move(grid));
      report.tables.push_back(std::move(topics));
    }
  }
  std::string period = scope.query().term != 0 ? (*terms)[0]->name + " " + year->title : "учебный год " + year->title;
  report.stamp = scope.stamp("Классный журнал " + c.name, period);
  return report;
}

}  // namespace ejournal::reports::detail
