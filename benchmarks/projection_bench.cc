// ej-bench replay: every projection rebuilt from the log of a demo school.
// ej-bench query: journal pages of random class × subject × term, in-process.
// ej-bench asof: projections as they stood at random past times, over a log of about --events records.
#include <iostream>
#include <random>

#include "bench_util.h"
#include "benches.h"
#include "cli_options.h"
#include "ejournal/demo/demo_school.h"
#include "ejournal/projections/audit.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/control.h"
#include "ejournal/projections/host.h"
#include "ejournal/projections/journal.h"
#include "ejournal/projections/roster.h"
#include "ejournal/projections/school_time.h"
#include "testkit.h"

namespace ejournal::bench {
namespace po = boost::program_options;
using namespace projections;

namespace {

// A demo school of `years` years in a temporary directory (or `data` when given).
Result<std::string> school(const testkit::TempDir& dir, const std::string& data, int years) {
  if (!data.empty()) return data;
  demo::DemoOptions o;
  o.years = years;
  o.issue_credentials = false;
  auto r = demo::build_demo_school(dir.sub("data"), o);
  if (!r.ok()) return r.status();
  return dir.sub("data");
}

HostOptions replay_only() {
  HostOptions o;
  o.follow = false;
  o.snapshot_every = 0;
  o.from_snapshots = false;  // with --data, a previous run's shutdown snapshots must not stand in for replay
  // Nor are any written: each pass's snapshots made RocksDB compact the snapshot family during the next
  // pass (or the next run's first one), competing with the replay being timed. Their cost is reported apart.
  o.snapshot_at_stop = false;
  return o;
}

}  // namespace

int run_replay(const std::vector<std::string>& args) {
  std::string data;
  int years = 1;
  unsigned passes = 5;
  bool parts = true;
  po::options_description desc("ej-bench replay");
  desc.add_options()("help,h", "this text")("data", po::value(&data), "an existing data directory (default: a new demo school)")
      ("years", po::value(&years), "years of the demo school (default 1)")
      ("passes", po::value(&passes), "rebuilds; the median rate is reported (default 5)")
      ("parts", po::value(&parts), "then time reading and each projection alone, and each snapshot (default true; "
                                   "false leaves only the rebuilds, for a profiler)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench replay", args, desc, vm)) return *stop;
  testkit::TempDir dir;
  auto path = school(dir, data, years);
  if (!path.ok()) {
    std::cerr << path.status().to_string() << "\n";
    return 2;
  }
  auto log = log::open_event_log(*path);
  if (!log.ok()) return 2;
  // Replay reads sealed segments; the log seals them as it grows, and here at once what it has not yet.
  const auto seal0 = SteadyClock::now();
  const log::Position unsealed = (*log)->head() - (*log)->sealed_end() + 1;
  if (auto s = (*log)->seal(); !s.ok()) {
    std::cerr << s.to_string() << "\n";
    return 2;
  }
  JsonLine("seal").add("records", unsealed).add("seconds", seconds_since(seal0)).print();
  // Passes: the first one's memory is the figure (later ones reuse heap the earlier left); the rate is the
  // median over passes, as this shared machine's speed drifts between runs.
  std::vector<double> rates, cpu_per_event, busy;
  double rss_after = 0, projections_rss = 0;
  std::unique_ptr<ProjectionHost> host;
  for (unsigned pass = 0; pass < std::max(1u, passes); ++pass) {
    host.reset();
    const double rss_before = rss_mb();
    const double cpu0 = cpu_seconds();
    const auto t0 = SteadyClock::now();
    auto started = ProjectionHost::start(**log, all_projections(), replay_only());
    const double elapsed = seconds_since(t0);
    const double cpu = cpu_seconds() - cpu0;
    if (!started.ok()) {
      std::cerr << started.status().to_string() << "\n";
      return 2;
    }
    host = std::move(started.value());
    const auto events = static_cast<double>(host->applied());
    rates.push_back(events / elapsed);
    cpu_per_event.push_back(cpu * 1e6 / events);
    busy.push_back(cpu / elapsed);
    if (pass == 0) {
      rss_after = rss_mb();
      projections_rss = rss_after - rss_before;
    }
  }
  std::string names;
  for (const auto& p : all_projections()) names += (names.empty() ? "" : ",") + std::string(p->name());
  const double first_rate = rates.front();          // a fresh process: every page of the state faults in
  const double median_rate = quantile(rates, 0.5);  // sorts `rates`
  JsonLine("replay")
      .add("events", host->applied())
      .add("projections", names)
      .add("passes", std::uint64_t{rates.size()})
      .add("events_per_s", median_rate)
      .add("first_pass_events_per_s", first_rate)
      .add("min_events_per_s", rates.front())
      .add("max_events_per_s", rates.back())
      .add("cpu_us_per_event", quantile(cpu_per_event, 0.5))
      .add("cores_busy", quantile(busy, 0.5))
      .add("rss_mb", rss_after)
      .add("projections_rss_mb", projections_rss)
      .print();
  if (!parts) return 0;
  // What bounds the replay: reading the log alone, then each projection alone (one thread each time).
  {
    const auto r0 = SteadyClock::now();
    std::uint64_t n = 0;
    for (auto c = (*log)->cursor(1); c->valid(); c->next()) n += view_of(c->position(), c->bytes()).actor != 0 ? 1 : 0;
    JsonLine("replay_part").add("part", std::string("read_log")).add("events_per_s", static_cast<double>(host->applied()) / seconds_since(r0))
        .add("with_actor", n).print();
  }
  {
    // The records held in memory, so that each projection's own cost shows apart from reading.
    std::vector<std::string> records;
    for (auto c = (*log)->cursor(1); c->valid(); c->next()) records.emplace_back(c->bytes());
    for (auto& p : all_projections()) {
      const auto r0 = SteadyClock::now();
      for (std::size_t i = 0; i < records.size(); ++i) p->apply(view_of(i + 1, records[i]));
      JsonLine("replay_part").add("part", std::string(p->name())).add("events_per_s", static_cast<double>(records.size()) / seconds_since(r0)).print();
    }
  }
  // What one snapshot of each costs: it bounds how often the host can afford them.
  for (const auto& p : all_projections()) {
    const std::string name(p->name());
    double encode_ms = 0;
    std::size_t raw = 0;
    host->read_raw(name, [&](const Projection& live) {
      const auto s0 = SteadyClock::now();
      raw = live.snapshot().size();
      encode_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - s0).count();
    });
    JsonLine("snapshot").add("projection", name).add("raw_mb", static_cast<double>(raw) / (1 << 20)).add("encode_ms", encode_ms).print();
  }
  return 0;
}

int run_query(const std::vector<std::string>& args) {
  std::uint64_t queries = 20'000;
  po::options_description desc("ej-bench query");
  desc.add_options()("help,h", "this text")("queries", po::value(&queries), "journal pages to build (default 20,000)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench query", args, desc, vm)) return *stop;
  testkit::TempDir dir;
  auto path = school(dir, "", 1);
  if (!path.ok()) return 2;
  auto log = log::open_event_log(*path);
  if (!log.ok()) return 2;
  auto host = ProjectionHost::start(**log, all_projections(), replay_only());
  if (!host.ok()) return 2;
  // Every (class, group, subject) that has an assignment, in every term of its grade.
  struct Key {
    domain::ClassId c;
    domain::GroupId g;
    domain::SubjectId s;
  };
  std::vector<Key> keys;
  (*host)->read<RosterProjection>("roster", [&](const RosterProjection& r) {
    for (const auto& [id, a] : r.assignments()) keys.push_back(Key{a.class_id, a.group, a.subject});
    return 0;
  });
  std::mt19937_64 rng(1);
  std::vector<double> us;
  std::uint64_t cells = 0;
  for (std::uint64_t q = 0; q < queries; ++q) {
    const Key& k = keys[rng() % keys.size()];
    const domain::TermId term = static_cast<domain::TermId>(1 + rng() % 4);  // the quarters of the demo year
    const auto t0 = SteadyClock::now();
    (*host)->read_raw("journal", [&](const Projection& p) {
      auto page = static_cast<const JournalProjection&>(p).page(k.c, k.g, k.s, term);
      if (page.ok()) cells += page->rows.size() * page->lessons.size();
    });
    us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count());
  }
  JsonLine("query")
      .add("queries", queries)
      .add("what", std::string("journal_page"))
      .add("p50_us", quantile(us, 0.5))
      .add("p99_us", quantile(us, 0.99))
      .add("mean_cells", static_cast<double>(cells) / static_cast<double>(queries))
      .print();

  // A diary week: a random student, a random Monday of the school year.
  std::vector<domain::UserId> students;
  domain::Day first = 0, last = 0;
  (*host)->read<RosterProjection>("roster", [&](const RosterProjection& r) {
    for (const auto& [id, st] : r.students()) students.push_back(id);
    for (const auto& [id, t] : r.terms()) {
      if (first == 0 || t.first_day < first) first = t.first_day;
      last = std::max(last, t.last_day);
    }
    return 0;
  });
  if (students.empty() || last <= first) return 2;
  const domain::Day first_monday = first + (4 - first % 7 + 7) % 7;  // day 0 (1970-01-01) was a Thursday
  us.clear();
  std::uint64_t lessons = 0;
  for (std::uint64_t q = 0; q < queries; ++q) {
    const domain::UserId student = students[rng() % students.size()];
    const domain::Day monday = first_monday + 7 * static_cast<domain::Day>(rng() % static_cast<std::uint64_t>((last - first_monday) / 7 + 1));
    const auto t0 = SteadyClock::now();
    (*host)->read_raw("journal", [&](const Projection& p) {
      auto week = static_cast<const JournalProjection&>(p).diary(student, monday);
      if (week.ok()) lessons += week->lessons.size();
    });
    us.push_back(std::chrono::duration<double, std::micro>(SteadyClock::now() - t0).count());
  }
  JsonLine("query")
      .add("queries", queries)
      .add("what", std::string("diary_week"))
      .add("p50_us", quantile(us, 0.5))
      .add("p99_us", quantile(us, 0.99))
      .add("mean_lessons", static_cast<double>(lessons) / static_cast<double>(queries))
      .print();
  return 0;
}

int run_asof(const std::vector<std::string>& args) {
  std::uint64_t events = 1'000'000;
  std::uint64_t samples = 40;
  std::string data, only;
  po::options_description desc("ej-bench asof");
  desc.add_options()("help,h", "this text")("events", po::value(&events), "log size to build as demo years (default 1,000,000)")
      ("samples", po::value(&samples), "random times per projection (default 40)")
      ("data", po::value(&data), "an existing data directory instead")
      ("only", po::value(&only), "one projection (default: journal, audit, control, roster, stats)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench asof", args, desc, vm)) return *stop;
  constexpr std::uint64_t kEventsPerDemoYear = 500'000;  // measured: 501,825 for the default school
  const int years = static_cast<int>(std::max<std::uint64_t>(1, (events + kEventsPerDemoYear - 1) / kEventsPerDemoYear));
  testkit::TempDir dir;
  const auto t_build = SteadyClock::now();
  auto path = school(dir, data, years);
  if (!path.ok()) {
    std::cerr << path.status().to_string() << "\n";
    return 2;
  }
  const double build_s = seconds_since(t_build);
  auto log = log::open_event_log(*path);
  if (!log.ok()) return 2;
  HostOptions o;
  o.follow = false;  // the default snapshot cadence (every 100,000 events), as the server runs
  const auto t_start = SteadyClock::now();
  auto host = ProjectionHost::start(**log, all_projections(), o);
  if (!host.ok()) {
    std::cerr << host.status().to_string() << "\n";
    return 2;
  }
  const double start_s = seconds_since(t_start);
  const double rss = rss_mb();
  auto first = (*log)->read(1);
  auto last = (*log)->read((*log)->head());
  if (!first.ok() || !last.ok()) return 2;
  const log::Timestamp t0 = first->envelope()->header()->recorded_at_us();
  const log::Timestamp t1 = last->envelope()->header()->recorded_at_us();
  std::mt19937_64 rng(7);
  for (const char* name : {"journal", "audit", "control", "roster", "stats"}) {
    if (!only.empty() && only != name) continue;
    std::vector<double> ms;
    for (std::uint64_t i = 0; i < samples; ++i) {
      const log::Timestamp t = t0 + static_cast<log::Timestamp>(rng() % static_cast<std::uint64_t>(t1 - t0 + 1));
      // A journal page or diary week is about one year's classes (the server restores that year only):
      // here the year in progress at t.
      Projection::PartKey part = Projection::kAllParts;
      if (std::string_view(name) == "journal") {
        const domain::YearId year = (*host)->read<JournalProjection>("journal", [&](const JournalProjection& j) {
          return j.year_at(school_day(t));
        });
        if (year != 0) part = year;
      } else if (std::string_view(name) == "control") {  // a month's time sheet or register
        part = ControlProjection::part_of(school_day(t), school_day(t));
      }
      const auto q0 = SteadyClock::now();
      if (std::string_view(name) == "audit") {
        // The audit as of t is its live entries up to t's position (audit.h), as the server answers it:
        // here one class and subject's changes.
        auto at = (*log)->position_at(t);
        if (!at.ok()) return 2;
        const auto class_id = static_cast<domain::ClassId>(1 + rng() % 40);
        const auto subject = static_cast<domain::SubjectId>(1 + rng() % 10);
        (*host)->read<AuditProjection>("audit", [&](const AuditProjection& a) { return a.by_class_subject(class_id, subject, *at).size(); });
        ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - q0).count());
        continue;
      }
      auto past = (*host)->as_of(name, t, part);
      if (!past.ok()) {
        std::cerr << past.status().to_string() << "\n";
        return 2;
      }
      ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - q0).count());
    }
    JsonLine("asof")
        .add("projection", std::string(name))
        .add("events", (*host)->applied())
        .add("samples", samples)
        .add("p50_ms", quantile(ms, 0.5))
        .add("p99_ms", quantile(ms, 0.99))
        .add("build_s", build_s)
        .add("start_s", start_s)
        .add("rss_mb", rss)
        .print();
  }
  return 0;
}

}  // namespace ejournal::bench
