// What the report kinds share: resolving the query against the roster (the year, its classes, a class's
// subjects and terms, its pupils by name), and the words marks are written in. Internal to src/reports.
#pragma once

#include <string>
#include <vector>

#include "ejournal/projections/journal.h"
#include "ejournal/projections/roster.h"
#include "ejournal/reports/report.h"

namespace ejournal::reports::detail {

// "06.11.2026"
std::string ru_day(domain::Day day);
// "1 четверть" → "1 ч.", "2 полугодие" → "2 п."
std::string term_label(const std::string& name);
// A report of one table.
Report one_table(const char* kind, std::vector<std::string> signatures, Table table, Stamp stamp);
// "5", "4" … "н/а", "зач"; a mark 2–5 as a number cell, a word as text.
Cell attestation_cell(domain::AttestationValue v);
const char* attestation_word(domain::AttestationValue v);

struct Pupil {
  domain::UserId id = 0;
  std::string name;
};

// The roster as the query sees it.
class Scope {
 public:
  Scope(const Query& query, const Sources& sources) : q_(query), s_(sources) {}
  // The academic year of the school's today (the one in progress, or the last begun); 0 when none.
  domain::YearId year() const;
  const projections::RosterYear* year_record() const;
  // The year's classes the query names (every one when it names none), in school order (1А, 1Б … 11Б);
  // invalid_argument for a class the year does not have.
  Result<std::vector<const projections::RosterClass*>> classes() const;
  // The class's terms by first day (quarters or halves, by its grade).
  std::vector<const projections::RosterTerm*> terms_of(const projections::RosterClass& c) const;
  // The query's term of the class (1-based), or every one; invalid_argument for a term it does not have.
  Result<std::vector<const projections::RosterTerm*>> query_terms(const projections::RosterClass& c) const;
  // The subjects taught to the class (by its assignments, ended ones too), by name; only the query's subject
  // when it names one.
  std::vector<const projections::RosterSubject*> subjects_of(const projections::RosterClass& c) const;
  // Whether the query's subject, if any, is one of the school's; invalid_argument otherwise.
  Status check_subject() const;
  // The class's pupils now (in the state read), by name.
  std::vector<Pupil> pupils_of(domain::ClassId c) const;
  std::string pupil_name(domain::UserId id) const;  // "№ 57" when erased or unknown
  // The class's journals: (group, subject) of its assignments, by subject name then group; only the
  // query's subject when it names one.
  struct JournalKey {
    domain::GroupId group = 0;
    const projections::RosterSubject* subject = nullptr;
    std::string group_name;
  };
  std::vector<JournalKey> journals_of(const projections::RosterClass& c) const;
  std::string staff_name(domain::UserId id) const;
  // The query's period (from, to): its dates where given; otherwise the year so far, or with `month` the
  // month of the school's today (a time sheet's).
  std::pair<domain::Day, domain::Day> period(bool month = false) const;
  // The stamp, with the title and period given.
  Stamp stamp(std::string title, std::string period) const;

  const Query& query() const { return q_; }
  const Sources& sources() const { return s_; }

 private:
  const Query& q_;
  const Sources& s_;
};

Result<Report> summary(const Scope& scope);
Result<Report> progress(const Scope& scope);
Result<Report> journal(const Scope& scope);
Result<Report> attendance(const Scope& scope);
Result<Report> accumulation(const Scope& scope);
Result<Report> timeliness(const Scope& scope);
Result<Report> register_of_lessons(const Scope& scope);
Result<Report> timesheet(const Scope& scope);
Result<Report> usage(const Scope& scope);

}  // namespace ejournal::reports::detail
