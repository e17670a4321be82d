// ej-bench backup: the weekly backup's cost and the restore's, on a log of N synthetic mark events.
//
// Prints four JSON lines:
//  - backup_full: the whole log to two directories (MB/s of log read, events/s, bytes per event on a disk);
//  - backup_incremental: one school day's events (3,000) added, then backed up to both;
//  - verify: `verify --backup` of one directory (MB/s of backup files);
//  - restore: a new data directory from the backup, the log alone (events/s) and then with the projections
//    rebuilt (events/s over the whole restore).
#include <filesystem>
#include <iostream>

#include <boost/program_options.hpp>

#include "bench_util.h"
#include "benches.h"
#include "cli_options.h"
#include "ejournal/backup/backup.h"
#include "testkit.h"

namespace ejournal::bench {
namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

std::uint64_t dir_bytes(const fs::path& dir) {
  std::uint64_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) n += e.file_size();
  return n;
}

int fail(const Status& s) {
  std::cerr << "ej-bench backup: " << s.to_string() << "\n";
  return 2;
}

}  // namespace

int run_backup(const std::vector<std::string>& args) {
  std::uint64_t events = 1'000'000;
  int level = 3;
  po::options_description desc("ej-bench backup");
  desc.add_options()("help,h", "this text")
      ("events", po::value(&events), "events in the log (default 1,000,000)")
      ("level", po::value(&level), "zstd level (default 3, as ejctl)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench backup", args, desc, vm)) return *stop;
  testkit::TempDir dir;
  const std::string data = dir.sub("data"), a = dir.sub("A"), b = dir.sub("B");
  fs::create_directories(a);
  fs::create_directories(b);
  if (auto s = fill_sample_log(data, 0, events); !s.ok()) return fail(s);

  backup::BackupOptions options;
  options.zstd_level = level;
  {
    auto reader = log::open_log_reader(data);
    if (!reader.ok()) return fail(reader.status());
    const auto t0 = SteadyClock::now();
    auto r = backup::backup(**reader, data, {a, b}, options);
    const double s = seconds_since(t0);
    if (!r.ok()) return fail(r.status());
    if (!r->ok()) return fail(r->targets[0].status.ok() ? r->targets[1].status : r->targets[0].status);
    const std::uint64_t on_disk = dir_bytes(a);
    JsonLine("backup_full")
        .add("events", r->records)
        .add("targets", std::uint64_t{2})
        .add("seconds", s)
        .add("events_per_s", static_cast<double>(r->records) / s)
        .add("mb_per_s", static_cast<double>(r->raw_bytes) / 1e6 / s)
        .add("log_bytes_per_event", static_cast<double>(r->raw_bytes) / static_cast<double>(r->records))
        .add("backup_bytes_per_event", static_cast<double>(on_disk) / static_cast<double>(r->records))
        .add("rss_mb", rss_mb())
        .print();
  }
  constexpr std::uint64_t kDay = 3'000;  // a school day of the demo school: ~500k events over ~170 days
  if (auto s = fill_sample_log(data, events, kDay); !s.ok()) return fail(s);
  {
    auto reader = log::open_log_reader(data);
    if (!reader.ok()) return fail(reader.status());
    const auto t0 = SteadyClock::now();
    auto r = backup::backup(**reader, data, {a, b}, options);
    const double s = seconds_since(t0);
    if (!r.ok()) return fail(r.status());
    JsonLine("backup_incremental").add("events", r->records).add("seconds", s).add("files_per_target", r->targets[0].files).print();
  }
  {
    const auto t0 = SteadyClock::now();
    auto check = backup::verify_backup(a);
    const double s = seconds_since(t0);
    if (!check.ok()) return fail(check.status());
    if (!check->ok()) return fail(Status(Code::corruption, check->problem));
    JsonLine("verify")
        .add("events", check->head)
        .add("seconds", s)
        .add("mb_per_s", static_cast<double>(check->bytes) / 1e6 / s)
        .add("events_per_s", static_cast<double>(check->head) / s)
        .print();
  }
  {
    backup::RestoreOptions ro;
    ro.rebuild_projections = false;
    auto t0 = SteadyClock::now();
    auto r = backup::restore({a, b}, dir.sub("restored-log"), ro);
    const double log_s = seconds_since(t0);
    if (!r.ok()) return fail(r.status());
    t0 = SteadyClock::now();
    auto full = backup::restore({a, b}, dir.sub("restored"));
    const double full_s = seconds_since(t0);
    if (!full.ok()) return fail(full.status());
    JsonLine("restore")
        .add("events", r->head)
        .add("log_seconds", log_s)
        .add("events_per_s", static_cast<double>(r->head) / log_s)
        .add("with_projections_seconds", full_s)
        .add("with_projections_events_per_s", static_cast<double>(r->head) / full_s)
        .add("rss_mb", rss_mb())
        .print();
  }
  return 0;
}

}  // namespace ejournal::bench
