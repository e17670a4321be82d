// ejctl report: a report of the journal (src/reports) as CSV, XLSX or PDF, read from a data directory through
// a RocksDB secondary instance, so it runs while ejournald works on it. The state is the log's as of the time
// asked for (its last record then), rebuilt by replaying the log into the projections the report reads.
#include <fstream>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli_options.h"
#include "commands.h"
#include "ejournal/domain/domain.h"
#include "ejournal/log/envelope.h"
#include "ejournal/log/event_log.h"
#include "ejournal/projections/control.h"
#include "ejournal/projections/journal.h"
#include "ejournal/projections/roster.h"
#include "ejournal/projections/stats.h"
#include "ejournal/projections/school_time.h"
#include "ejournal/reports/report.h"

namespace ejournal::ejctl {
namespace po = boost::program_options;

int run_report(const std::vector<std::string>& args) {
  std::string kind_word, data, class_name, subject, from, to, as_of, format, out, school = "Школа", today_text;
  int term = 0;
  reports::Query q;
  po::options_description desc(
      "ejctl report KIND (journal | summary | progress | attendance | accumulation | timeliness | register | timesheet | usage)");
  desc.add_options()
      ("help,h", "this text")
      ("kind", po::value(&kind_word)->required(), "the report")
      ("data", po::value(&data)->required(), "data directory of the journal")
      ("class", po::value(&class_name), "one class, e.g. 5А (journal: required)")
      ("subject", po::value(&subject), "one subject, by name or short name")
      ("term", po::value(&term), "one term: 1, 2 … among the class's (default: the whole year)")
      ("from", po::value(&from), "the period's first day, YYYY-MM-DD (default: the year's, or the month's for timesheet)")
      ("to", po::value(&to), "the period's last day, YYYY-MM-DD (default: today, or the month's last)")
      ("min-marks", po::value(&q.min_marks), "accumulation: fewer marks than this are flagged (default 3)")
      ("as-of", po::value(&as_of), "the journal as it stood then: YYYY-MM-DD (end of that day) or YYYY-MM-DDTHH:MM")
      ("format", po::value(&format)->required(), "csv, xlsx or pdf")
      ("out", po::value(&out)->required(), "the file to write")
      ("school", po::value(&school), "the school's name on the pages")
      ("today", po::value(&today_text), "the school's today, YYYY-MM-DD: which academic year (default: the as-of day, or today)");
  po::positional_options_description positional;
  positional.add("kind", 1);
  po::variables_map vm;
  if (auto stop = cli::parse_options("ejctl report", args, desc, vm, &positional)) return *stop;

  const auto kind = reports::kind_of(kind_word);
  if (!kind) {
    std::cerr << "ejctl report: unknown report «" << kind_word << "»: journal, summary, progress, attendance, accumulation, "
              << "timeliness, register, timesheet or usage\n";
    return 2;
  }
  if (format != "csv" && format != "xlsx" && format != "pdf") {
    std::cerr << "ejctl report: --format must be csv, xlsx or pdf\n";
    return 2;
  }
  q.kind = *kind;
  q.class_name = class_name;
  q.subject = subject;
  q.term = term;
  auto day = [](const std::string& text, const char* what) -> std::optional<domain::Day> {
    domain::Day d = 0;
    if (!domain::parse_day(text, &d)) {
      std::cerr << "ejctl report: " << what << " must be a date, YYYY-MM-DD: " << text << "\n";
      return std::nullopt;
    }
    return d;
  };
  if (!from.empty() && !(q.from = day(from, "--from"))) return 2;
  if (!to.empty() && !(q.to = day(to, "--to"))) return 2;
  if (!as_of.empty()) {
    q.as_of = projections::parse_school_time(as_of);
    if (!q.as_of) {
      std::cerr << "ejctl report: --as-of must be YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]: " << as_of << "\n";
      return 2;
    }
  }

  auto reader = log::open_log_reader(data);
  if (!reader.ok()) {
    std::cerr << "ejctl report: " << reader.status().to_string() << "\n";
    return 2;
  }
  log::Position upto = (*reader)->head();
  if (q.as_of) {
    auto at = (*reader)->position_at(*q.as_of);
    if (!at.ok()) {
      std::cerr << "ejctl report: " << at.status().to_string() << "\n";
      return 2;
    }
    upto = *at;
  }
  if (upto == log::kNoPosition) {
    std::cerr << "ejctl report: the journal is empty" << (q.as_of ? " at that time" : "") << "\n";
    return 2;
  }
  projections::JournalProjection journal;
  projections::RosterProjection roster;
  projections::ControlProjection control;
  projections::StatsProjection stats;
  const bool needs_control = q.kind == reports::Kind::timeliness || q.kind == reports::Kind::lesson_register ||
                             q.kind == reports::Kind::timesheet;
  const bool needs_stats = q.kind == reports::Kind::usage;
  std::string last_bytes;
  for (auto c = (*reader)->cursor(1); c->valid() && c->position() <= upto; c->next()) {
    const projections::EventView view = projections::view_of(c->position(), c->bytes());
    journal.apply(view);
    roster.apply(view);
    if (needs_control) control.apply(view);
    if (needs_stats) stats.apply(view);
    if (c->position() == upto) last_bytes = std::string(c->bytes());
    if (!c->status().ok()) {
      std::cerr << "ejctl report: " << c->status().to_string() << "\n";
      return 2;
    }
  }
  journal.compact();
  auto vault = domain::open_vault_for_reading(data, **reader);
  if (!vault.ok()) {
    std::cerr << "ejctl report: " << vault.status().to_string() << "\n";
    return 2;
  }

  reports::Sources s;
  s.journal = &journal;
  s.roster = &roster;
  s.control = &control;
  s.stats = &stats;
  s.student_name = [&](domain::UserId id, const std::string& sealed) -> std::string {
    auto p = (*vault)->open(domain::DataSubject::Student, id, sealed);
    if (!p.ok()) return p.status().code() == Code::not_found ? std::string() : std::string(domain::kUnreadableName);
    return p->last_name + " " + p->first_name + (p->patronymic.empty() ? "" : " " + p->patronymic);
  };
  s.school = school;
  s.printed_at = log::SystemClock().now();
  s.today = q.as_of ? projections::school_day(*q.as_of) : projections::school_day(s.printed_at);
  if (!today_text.empty() && !day(today_text, "--today").has_value()) return 2;
  if (!today_text.empty()) s.today = *day(today_text, "--today");
  s.position = upto;
  s.head_hash = log::record_hash(last_bytes).to_hex();
  auto report = reports::build(q, s);
  if (!report.ok()) {
    std::cerr << "ejctl report: " << report.status().message() << "\n";
    return 2;
  }
  Status written = Status::OK();
  if (format == "csv") {
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    f << reports::to_csv(*report);
    f.close();
    if (!f) written = Status(Code::io_error, "cannot write " + out);
  } else if (format == "xlsx") {
    written = reports::write_xlsx(*report, out);
  } else {
    written = reports::write_pdf(*report, out);
  }
  if (!written.ok()) {
    std::cerr << "ejctl report: " << written.to_string() << "\n";
    return 2;
  }
  std::cout << "Отчёт записан в " << out << ": " << report->stamp.title << ", " << report->stamp.period << "; запись журнала "
            << report->stamp.digest() << "\n";
  return 0;
}

}  // namespace ejournal::ejctl
