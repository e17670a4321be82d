// ej-bench start: what a restart of an existing data directory costs, and where (issue #21: restart ≤ 2 s,
// RSS ≤ 400 MB at 11.4 million events).
//
// With --data DIR (a stopped server's directory): opens the log, then restores each projection alone from
// its newest snapshot, one after another in this process, printing for each the time and the memory it
// added; then starts the projection host as ejournald does (restore every projection, replay the tail past
// the snapshots, lay out the memory) beside the domain's replay of its write model — ejournald's own
// open_school() — and prints each part's time and the RSS. Nothing is written: the host's snapshots are
// off, so the directory stays as it was and runs compare.
#include <malloc.h>

#include <iostream>

#include "bench_util.h"
#include "benches.h"
#include "cli_options.h"
#include "ejournal/log/snapshot_frame.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/host.h"
#include "open_school.h"

namespace ejournal::bench {
namespace po = boost::program_options;
using namespace projections;

int run_start(const std::vector<std::string>& args) {
  std::string data;
  bool each = true;
  bool snapshots = false;
  bool domain_snapshot = true;
  po::options_description desc("ej-bench start");
  desc.add_options()("help,h", "this text")("data", po::value(&data)->required(), "a stopped server's data directory")
      ("each", po::value(&each), "first restore each projection alone and report it (default true)")
      ("snapshots", po::value(&snapshots), "first report the stored snapshots' bytes by projection and part (default false: "
                                          "it reads every one, tens of seconds at twenty years)")
      ("domain-snapshot", po::value(&domain_snapshot), "start the write model from its snapshot (default true; false: "
                                                      "replay the whole log, and write a snapshot at the end, timed)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench start", args, desc, vm)) return *stop;
  const double rss0 = rss_mb();
  const auto t_open = SteadyClock::now();
  auto log = log::open_event_log(data);
  if (!log.ok()) {
    std::cerr << log.status().to_string() << "\n";
    return 2;
  }
  const double open_s = seconds_since(t_open);
  const log::Position head = (*log)->head();
  JsonLine("start_open").add("events", head).add("seconds", open_s).add("rss_mb", rss_mb() - rss0).print();
  // What the snapshots take, by projection (and by part for a partitioned one): count and stored bytes.
  if (snapshots) {
    const auto& store = (*log)->snapshot_store();
    const auto measure = [&](const std::string& name) {
      auto positions = store.positions(name);
      if (!positions.ok() || positions->empty()) return;
      std::uint64_t bytes = 0;
      for (log::Position p : *positions)
        if (auto v = store.get(name, p); v.ok()) bytes += v->size();
      JsonLine("start_snapshots").add("name", name).add("count", std::uint64_t{positions->size()})
          .add("mb", static_cast<double>(bytes) / 1e6).print();
    };
    measure("domain");  // the write model's (docs/domain.md)
    for (auto& p : all_projections()) {
      measure(std::string(p->name()));
      for (Projection::PartKey k = 0; k <= 64; ++k) measure(std::string(p->name()) + "#" + std::to_string(k));
    }
  }
  if (each) {
    // Each restored alone, one after another and all kept, so that what each adds to the RSS is its own
    // (freeing one and measuring the next mixed the heap the first left behind into the second's figure).
    auto restored = all_projections();
    std::vector<log::Position> at(restored.size());
    std::vector<double> seconds(restored.size()), added(restored.size());
    for (std::size_t i = 0; i < restored.size(); ++i) {
      const double before = rss_mb();
      const auto t0 = SteadyClock::now();
      auto r = restore_latest((*log)->snapshot_store(), *restored[i], head);
      seconds[i] = seconds_since(t0);
      if (!r.ok()) {
        std::cerr << r.status().to_string() << "\n";
        return 2;
      }
      at[i] = *r;
      added[i] = rss_mb() - before;
    }
    for (std::size_t i = 0; i < restored.size(); ++i) {
      const Projection& p = *restored[i];
      // What a snapshot costs it after a day's changes (each stop, and every 100,000 events): a whole state
      // encoded, compressed and framed; of a partitioned one, the shared part and the last (the year in
      // progress, the audit's filling stretch), the others being named unchanged.
      const auto t_snap = SteadyClock::now();
      std::size_t stored = 0;
      const auto parts = p.parts();
      if (parts.empty()) {
        stored = stored_snapshot(p, at[i]).size();
      } else {
        stored += log::frame_snapshot(at[i], p.snapshot_part(parts.front().key)).size();
        if (parts.size() > 1) stored += log::frame_snapshot(at[i], p.snapshot_part(parts.back().key)).size();
      }
      JsonLine("start_restore")
          .add("projection", std::string(p.name()))
          .add("snapshot_at", at[i])
          .add("behind", head - std::min(head, at[i]))
          .add("seconds", seconds[i])
          .add("rss_added_mb", added[i])
          .add("changed_snapshot_seconds", seconds_since(t_snap))
          .add("changed_snapshot_mb", static_cast<double>(stored) / 1e6)
          .print();
    }
    restored.clear();
    malloc_trim(0);
  }
  // Then the school as ejournald opens it (open_school.h: the domain's replay beside the projections' start),
  // on a log opened afresh.
  log->reset();
  HostOptions o;
  o.follow = false;
  o.snapshot_at_stop = false;
  o.snapshot_every = 0;  // nothing written: the directory stays as it was
  const double before = rss_mb();
  const double cpu0 = cpu_seconds();
  domain::DomainOptions d;
  d.from_snapshot = domain_snapshot;
  d.snapshot_every = 0;
  auto opened = server::open_school(data, o, d);
  if (!opened.ok()) {
    std::cerr << opened.status().to_string() << "\n";
    return 2;
  }
  const server::School::Timings& t = opened->timings;
  JsonLine("start")
      .add("events", head)
      .add("seconds", t.total)
      .add("log_seconds", t.open_log)
      .add("vault_seconds", t.open_vault)
      .add("domain_seconds", t.domain)
      .add("projections_seconds", t.host)
      .add("cpu_seconds", cpu_seconds() - cpu0)
      .add("rss_added_mb", rss_mb() - before)
      .add("rss_mb", rss_mb())
      .add("domain_snapshot_at", opened->domain->opened().snapshot)
      .add("domain_replayed", opened->domain->opened().replayed)
      .print();
  if (!domain_snapshot) {  // the snapshot the domain writes as it closes, timed apart (its own log line says more)
    const auto t_snap = SteadyClock::now();
    opened->domain.reset();
    JsonLine("start_domain_snapshot").add("seconds", seconds_since(t_snap)).print();
  }
  return 0;
}

}  // namespace ejournal::bench
