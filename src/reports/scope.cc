// The query resolved against the roster, the cells' words, and build(): which kind makes the report.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "ejournal/projections/school_time.h"
#include "kinds.h"

namespace ejournal::reports {

using namespace domain;
using namespace projections;

Cell Cell::of(std::string s) {
  Cell c;
  c.kind = s.empty() ? Kind::empty : Kind::text;
  c.text = std::move(s);
  return c;
}

Cell Cell::integer(long long n) {
  Cell c;
  c.kind = Kind::number;
  c.number = static_cast<double>(n);
  c.text = std::to_string(n);
  return c;
}

Cell Cell::decimal(double x, int digits) {
  Cell c;
  c.kind = Kind::number;
  const double scale = std::pow(10.0, digits);
  c.number = std::round(x * scale) / scale;
  c.decimals = digits;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, c.number);
  c.text = buf;
  std::replace(c.text.begin(), c.text.end(), '.', ',');  // as Russian readers write decimals
  return c;
}

std::string Stamp::digest() const { return std::to_string(position) + ":" + head_hash; }

std::optional<Kind> kind_of(std::string_view word) {
  for (Kind k : {Kind::journal, Kind::summary, Kind::progress, Kind::attendance, Kind::accumulation, Kind::timeliness,
                 Kind::lesson_register, Kind::timesheet, Kind::usage})
    if (word == kind_word(k)) return k;
  return std::nullopt;
}

const char* kind_word(Kind kind) {
  switch (kind) {
    case Kind::journal: return "journal";
    case Kind::summary: return "summary";
    case Kind::progress: return "progress";
    case Kind::attendance: return "attendance";
    case Kind::accumulation: return "accumulation";
    case Kind::timeliness: return "timeliness";
    case Kind::lesson_register: return "register";
    case Kind::timesheet: return "timesheet";
    case Kind::usage: return "usage";
  }
  return "?";
}

namespace detail {

std::string ru_day(Day day) {
  const CivilDate c = civil_of(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02u.%02u.%04d", c.day, c.month, c.year);
  return buf;
}

std::string term_label(const std::string& name) {
  const auto space = name.find(' ');
  if (space == std::string::npos || space + 3 > name.size()) return name;
  return name.substr(0, space) + " " + name.substr(space + 1, 2) + ".";  // one Cyrillic letter: two bytes
}

Report one_table(const char* kind, std::vector<std::string> signatures, Table table, Stamp stamp) {
  Report r;
  r.kind = kind;
  r.signatures = std::move(signatures);
  r.tables.push_back(std::move(table));
  r.stamp = std::move(stamp);
  return r;
}

const char* attestation_word(AttestationValue v) {
  switch (v) {
    case AttestationValue::Two: return "2";
    case AttestationValue::Three: return "3";
    case AttestationValue::Four: return "4";
    case AttestationValue::Five: return "5";
    case AttestationValue::NotAttested: return "н/а";
    case AttestationValue::Passed: return "зач";
    case AttestationValue::NotPassed: return "незач";
    case AttestationValue::Exempt: return "осв";
    default: return "";
  }
}

Cell attestation_cell(AttestationValue v) {
  const int n = static_cast<int>(v);
  return n >= 2 && n <= 5 ? Cell::integer(n) : Cell::of(attestation_word(v));
}

YearId Scope::year() const {
  const auto* y = year_record();
  return y != nullptr ? y->id : 0;
}

const RosterYear* Scope::year_record() const {
  const RosterYear* best = nullptr;
  for (const auto& [id, y] : s_.roster->years())
    if (y.first_day <= s_.today && (best == nullptr || y.first_day > best->first_day)) best = &y;
  return best;
}

Result<std::vector<const RosterClass*>> Scope::classes() const {
  std::vector<const RosterClass*> out;
  for (const auto& [id, c] : s_.roster->classes())
    if (c.year == year() && (q_.class_name.empty() || c.name == q_.class_name)) out.push_back(&c);
  if (out.empty() && !q_.class_name.empty())
    return Status(Code::invalid_argument, "В учебном году нет класса «" + q_.class_name + "»");
  std::sort(out.begin(), out.end(), [](const RosterClass* a, const RosterClass* b) {
    return std::tie(a->grade, a->name) < std::tie(b->grade, b->name);
  });
  return out;
}

std::vector<const RosterTerm*> Scope::terms_of(const RosterClass& c) const {
  std::vector<const RosterTerm*> out;
  for (const auto& [id, t] : s_.roster->terms())
    if (t.year == c.year && c.grade >= t.grade_from && c.grade <= t.grade_to) out.push_back(&t);
  std::sort(out.begin(), out.end(), [](const RosterTerm* a, const RosterTerm* b) { return a->first_day < b->first_day; });
  return out;
}

Result<std::vector<const RosterTerm*>> Scope::query_terms(const RosterClass& c) const {
  auto all = terms_of(c);
  if (q_.term == 0) return all;
  if (q_.term < 0 || static_cast<std::size_t>(q_.term) > all.size())
    return Status(Code::invalid_argument, "У класса " + c.name + " нет " + std::to_string(q_.term) + "-го учебного периода");
  return std::vector<const RosterTerm*>{all[static_cast<std::size_t>(q_.term - 1)]};
}

std::vector<const RosterSubject*> Scope::subjects_of(const RosterClass& c) const {
  std::set<SubjectId> ids;
  for (const auto& [id, a] : s_.roster->assignments())
    if (a.class_id == c.id) ids.insert(a.subject);
  std::vector<const RosterSubject*> out;
  for (SubjectId id : ids) {
    const auto s = s_.roster->subjects().find(id);
    if (s == s_.roster->subjects().end()) continue;
    if (!q_.subject.empty() && s->second.name != q_.subject && s->second.short_name != q_.subject) continue;
    out.push_back(&s->second);
  }
  std::sort(out.begin(), out.end(), [](const RosterSubject* a, const RosterSubject* b) { return a->name < b->name; });
  return out;
}

Status Scope::check_subject() const {
  if (q_.subject.empty()) return Status::OK();
  for (const auto& [id, s] : s_.roster->subjects())
    if (s.name == q_.subject || s.short_name == q_.subject) return Status::OK();
  return Status(Code::invalid_argument, "В школе нет предмета «" + q_.subject + "»");
}

std::vector<Pupil> Scope::pupils_of(ClassId c) const {
  std::vector<Pupil> out;
  for (UserId id : s_.roster->students_of_class(c)) {
    const auto& st = s_.roster->students().at(id);
    std::string name = st.erased || !s_.student_name ? std::string() : s_.student_name(id, st.sealed);
    out.push_back(Pupil{id, name.empty() ? "№ " + std::to_string(id) : std::move(name)});
  }
  std::sort(out.begin(), out.end(), [](const Pupil& a, const Pupil& b) { return a.name < b.name; });
  return out;
}

std::string Scope::pupil_name(UserId id) const {
  const auto st = s_.roster->students().find(id);
  if (st == s_.roster->students().end() || st->second.erased || !s_.student_name) return "№ " + std::to_string(id);
  std::string name = s_.student_name(id, st->second.sealed);
  return name.empty() ? "№ " + std::to_string(id) : name;
}

std::vector<Scope::JournalKey> Scope::journals_of(const RosterClass& c) const {
  std::set<std::pair<GroupId, SubjectId>> keys;
  for (const auto& [id, a] : s_.roster->assignments())
    if (a.class_id == c.id) keys.insert({a.group, a.subject});
  std::vector<JournalKey> out;
  for (const RosterSubject* s : subjects_of(c))
    for (const auto& [group, subject] : keys)
      if (subject == s->id) {
        const auto g = s_.roster->groups().find(group);
        out.push_back(JournalKey{group, s, group == 0 ? std::string() : g != s_.roster->groups().end() ? g->second.name : "группа " + std::to_string(group)});
      }
  return out;
}

std::string Scope::staff_name(UserId id) const {
  const auto s = s_.roster->staff().find(id);
  return s == s_.roster->staff().end() ? "№ " + std::to_string(id) : s->second.name;
}

std::pair<Day, Day> Scope::period(bool month) const {
  const RosterYear* y = year_record();
  const Day today = s_.today;
  Day from = y->first_day, to = std::min(y->last_day, today);
  if (month) {  // the month of the school's today
    const CivilDate c = civil_of(today);
    char first[16];
    std::snprintf(first, sizeof first, "%04d-%02u-01", c.year, c.month);
    parse_day(first, &from);
    const CivilDate next = civil_of(from + 31);
    char nf[16];
    std::snprintf(nf, sizeof nf, "%04d-%02u-01", next.year, next.month);
    parse_day(nf, &to);
    --to;
  }
  return {q_.from.value_or(from), q_.to.value_or(to)};
}

Stamp Scope::stamp(std::string title, std::string period) const {
  Stamp st;
  st.school = s_.school;
  st.title = std::move(title);
  st.period = std::move(period);
  if (q_.as_of) st.as_of = "по состоянию на " + projections::format_school_time(*q_.as_of);
  st.printed = projections::format_school_time(s_.printed_at);
  st.position = s_.position;
  st.head_hash = s_.head_hash;
  return st;
}

}  // namespace detail

Result<Report> build(const Query& query, const Sources& sources) {
  if (sources.journal == nullptr || sources.roster == nullptr) return Status(Code::invalid_argument, "report sources missing");
  const detail::Scope scope(query, sources);
  if (scope.year() == 0) return Status(Code::not_found, "В школе нет учебного года на " + detail::ru_day(sources.today));
  if (auto s = scope.check_subject(); !s.ok()) return s;
  switch (query.kind) {
    case Kind::summary: return detail::summary(scope);
    case Kind::progress: return detail::progress(scope);
    case Kind::journal: return detail::journal(scope);
    case Kind::attendance: return detail::attendance(scope);
    case Kind::accumulation: return detail::accumulation(scope);
    case Kind::timeliness:
    case Kind::lesson_register:
    case Kind::timesheet:
      if (sources.control == nullptr) return Status(Code::invalid_argument, "report sources missing: control");
      return query.kind == Kind::timeliness ? detail::timeliness(scope)
             : query.kind == Kind::lesson_register ? detail::register_of_lessons(scope)
                                            : detail::timesheet(scope);
    case Kind::usage:
      if (sources.stats == nullptr) return Status(Code::invalid_argument, "report sources missing: stats");
      return detail::usage(scope);
  }
  return Status(Code::invalid_argument, "unknown report kind");
}

}  // namespace ejournal::reports
