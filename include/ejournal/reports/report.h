// Reports: the documents a school prints, signs and files, built from the projections (order 5.1; the
// federal recommendations ask that the journal can be archived on paper too).
//
// A report is first a document model — tables of cells with their headings, and the stamp every printed page
// carries (school, period, when printed, the log position and head hash it reflects) — and then one of three
// renderings of that model: CSV (UTF-8 with BOM, `;`-separated), XLSX (libxlsxwriter: number cells, frozen
// headings, a sheet per table) and PDF (cairo + pango: A4, DejaVu fonts embedded, page N of M, signature
// lines; tables too wide for a page continue on the next pages with the first column repeated, and rows are
// never split). docs/reports.md describes each kind's columns.
//
// Building reads projections the caller holds still (a live state under ProjectionHost::read, or past states
// from as_of): the model copies what it shows, so it outlives them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ejournal/domain/types.h"
#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::projections {
class ControlProjection;
class JournalProjection;
class RosterProjection;
class StatsProjection;
}  // namespace ejournal::projections

namespace ejournal::reports {

// ------------------------------------------------------------------ the document model

struct Cell {
  enum class Kind { empty, text, number };
  Kind kind = Kind::empty;
  std::string text;   // text; for a number, as it is shown (with `decimals` digits, a decimal comma)
  double number = 0;  // number
  int decimals = 0;
  bool flagged = false;  // to be seen (too few marks): red in XLSX and PDF, "*" after it in CSV

  static Cell of(std::string s);
  static Cell integer(long long n);
  static Cell decimal(double x, int digits);
};

struct Table {
  std::string name;     // the sheet's name in XLSX (≤ 31 characters) and the table's heading on paper
  std::string caption;  // a line under the heading ("5А, Математика, 2 четверть")
  // Heading rows, each as wide as the rows; a cell equal to the one before it in a row (but the first column)
  // is that heading spanning on (a subject over its term columns).
  std::vector<std::vector<std::string>> header;
  std::vector<std::vector<Cell>> rows;
  std::vector<int> bold_rows;   // rows shown in bold (totals)
  std::vector<double> widths;   // per column, in characters; 0 or missing: from the content
  int frozen_columns = 0;       // columns that stay in view (XLSX) and repeat on each page (PDF): № and name
  bool landscape = false;       // on paper
  std::vector<std::string> notes;  // lines after the table
};

// What every page says about where it comes from.
struct Stamp {
  std::string school;    // "МБОУ «Гимназия»"
  std::string title;     // "Сводная ведомость"
  std::string period;    // "2 четверть 2026/2027 (06.11.2026–29.12.2026)"
  std::string as_of;     // "" for the present, else "по состоянию на 01.12.2026 18:00"
  std::string printed;   // "03.12.2026 11:20"
  log::Position position = log::kNoPosition;  // the last record the report reflects
  std::string head_hash;                      // its hash (64 hex digits): `ejctl verify --digest POSITION:HASH`
  std::string digest() const;                 // "POSITION:HASH"
};

struct Report {
  std::string kind;  // "summary" …
  Stamp stamp;
  std::vector<Table> tables;
  std::vector<std::string> signatures;  // "Классный руководитель", "Заместитель директора" …
};

// ------------------------------------------------------------------ kinds and what they read

enum class Kind { journal, summary, progress, attendance, accumulation, timeliness, lesson_register, timesheet, usage };  // lesson_register: "register"
// "journal" … ; nullopt for an unknown word.
std::optional<Kind> kind_of(std::string_view word);
const char* kind_word(Kind kind);

struct Query {
  Kind kind = Kind::summary;
  std::string class_name;                  // "5А" (of the year the period is in); "" every class
  std::string subject;                     // a subject's name or short name; "" every subject
  int term = 0;                            // 1-based among the class's terms; 0 every term of the year
  std::optional<domain::Day> from, to;     // progress, attendance: the period (default: the year so far)
  std::optional<log::Timestamp> as_of;     // shown on the page; the sources must be that state
  int min_marks = 3;                       // accumulation: fewer marks than this in a subject are flagged
};

// The states a report reads, with what to print on it.
struct Sources {
  const projections::JournalProjection* journal = nullptr;
  const projections::RosterProjection* roster = nullptr;
  const projections::ControlProjection* control = nullptr;  // timeliness, register, timesheet
  const projections::StatsProjection* stats = nullptr;      // usage
  // A student's full name, opened from the roster's sealed record ("" when erased).
  std::function<std::string(domain::UserId student, const std::string& sealed)> student_name;
  std::string school = "Школа";
  domain::Day today = 0;       // the school's today: which year "the current one" is
  log::Position position = log::kNoPosition;
  std::string head_hash;
  log::Timestamp printed_at = 0;
};

// Builds the report. invalid_argument for a query that names nothing (an unknown class or subject, a term
// the class does not have); not_found when the school has no year on that day.
Result<Report> build(const Query& query, const Sources& sources);

// ------------------------------------------------------------------ renderings

// CSV: UTF-8 with a byte-order mark, `;` between fields, CRLF between lines, fields quoted where needed; each
// table after a blank line and its name; the stamp in the first lines.
std::string to_csv(const Report& report);
// XLSX, written to `path` through libxlsxwriter.
Status write_xlsx(const Report& report, const std::string& path);
// PDF, written to `path` through cairo and pango (A4; DejaVu Sans).
Status write_pdf(const Report& report, const std::string& path);

}  // namespace ejournal::reports
