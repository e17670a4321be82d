// ej-bench report: the whole school's сводная ведомость for a year (every class) built from the projections
// and written as PDF, XLSX and CSV — the goal is ≤ 2 s for each file on the demo school of --students pupils
// (default 800). The demo's current year is partial until May; --year-start Y makes it the complete year Y/Y+1.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "bench_util.h"
#include "benches.h"
#include "cli_options.h"
#include "ejournal/demo/demo_school.h"
#include "ejournal/domain/domain.h"
#include "ejournal/log/envelope.h"
#include "ejournal/log/event_log.h"
#include "ejournal/projections/journal.h"
#include "ejournal/projections/roster.h"
#include "ejournal/reports/report.h"
#include "testkit.h"

namespace ejournal::bench {
namespace po = boost::program_options;

int run_report(const std::vector<std::string>& args) {
  int students = 800, year_start = 0;
  po::options_description desc("ej-bench report");
  desc.add_options()("help,h", "this text")("students", po::value(&students), "pupils of the demo school (default 800)")
      ("year-start", po::value(&year_start), "a complete past year Y/Y+1 instead of the current one");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench report", args, desc, vm)) return *stop;
  testkit::TempDir dir;
  demo::DemoOptions o;
  o.students = students;
  o.issue_credentials = false;
  o.last_year_start = year_start;
  auto demo = demo::build_demo_school(dir.sub("data"), o);
  if (!demo.ok()) {
    std::cerr << "ej-bench report: " << demo.status().to_string() << "\n";
    return 2;
  }
  auto log = log::open_event_log(dir.sub("data"));
  if (!log.ok()) return 2;
  auto vault = domain::open_vault(dir.sub("data"), **log);
  if (!vault.ok()) return 2;
  projections::JournalProjection journal;
  projections::RosterProjection roster;
  std::string last;
  const auto r0 = SteadyClock::now();
  for (auto c = (*log)->cursor(1); c->valid(); c->next()) {
    const auto view = projections::view_of(c->position(), c->bytes());
    journal.apply(view);
    roster.apply(view);
    last = std::string(c->bytes());
  }
  journal.compact();
  const double replay_s = seconds_since(r0);

  reports::Sources src;
  src.journal = &journal;
  src.roster = &roster;
  src.student_name = [&](domain::UserId id, const std::string& sealed) {
    auto p = (*vault)->open(domain::DataSubject::Student, id, sealed);
    return p.ok() ? p->last_name + " " + p->first_name + " " + p->patronymic : std::string();
  };
  src.printed_at = log::SystemClock().now();
  src.today = year_start != 0 ? [&] { domain::Day d = 0; domain::parse_day(std::to_string(year_start + 1) + "-05-31", &d); return d; }()
                              : static_cast<domain::Day>((src.printed_at + 3 * 3'600'000'000LL) / 86'400'000'000LL);
  src.position = (*log)->head();
  src.head_hash = log::record_hash(last).to_hex();
  reports::Query q;
  q.kind = reports::Kind::summary;
  const auto b0 = SteadyClock::now();
  auto report = reports::build(q, src);
  const double build_s = seconds_since(b0);
  if (!report.ok()) {
    std::cerr << "ej-bench report: " << report.status().to_string() << "\n";
    return 2;
  }
  std::uint64_t rows = 0;
  for (const auto& t : report->tables) rows += t.rows.size();
  const auto p0 = SteadyClock::now();
  if (auto s = reports::write_pdf(*report, dir.sub("summary.pdf")); !s.ok()) return 2;
  const double pdf_s = seconds_since(p0);
  const auto x0 = SteadyClock::now();
  if (auto s = reports::write_xlsx(*report, dir.sub("summary.xlsx")); !s.ok()) return 2;
  const double xlsx_s = seconds_since(x0);
  const auto c0 = SteadyClock::now();
  const std::string csv = reports::to_csv(*report);
  const double csv_s = seconds_since(c0);
  JsonLine("report")
      .add("kind", std::string("summary"))
      .add("events", static_cast<std::uint64_t>((*log)->head()))
      .add("classes", static_cast<std::uint64_t>(report->tables.size()))
      .add("rows", rows)
      .add("replay_s", replay_s)
      .add("build_s", build_s)
      .add("pdf_s", pdf_s)
      .add("pdf_kb", static_cast<double>(std::filesystem::file_size(dir.sub("summary.pdf"))) / 1024)
      .add("xlsx_s", xlsx_s)
      .add("xlsx_kb", static_cast<double>(std::filesystem::file_size(dir.sub("summary.xlsx"))) / 1024)
      .add("csv_s", csv_s)
      .add("csv_kb", static_cast<double>(csv.size()) / 1024)
      .add("goal_s", 2.0)
      .print();
  return 0;
}

}  // namespace ejournal::bench
