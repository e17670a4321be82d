// archive(): the journal as it stood at the end of a month — its log, keys and every projection's snapshot —
// in a directory of its own on each target, restorable with nothing else.
#include <chrono>
#include <cstdio>

#include "backup/copy.h"
#include "backup/keys_file.h"
#include "backup/source.h"
#include "backup/target.h"
#include "ejournal/backup/backup.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/host.h"
#include "ejournal/projections/school_time.h"

namespace ejournal::backup {
namespace {

namespace chr = std::chrono;

bool parse_month(const std::string& text, chr::year_month& out) {
  int y = 0;
  unsigned m = 0;
  char tail = 0;
  if (text.size() != 7 || std::sscanf(text.c_str(), "%4d-%2u%c", &y, &m, &tail) != 2 || text[4] != '-') return false;
  out = chr::year{y} / chr::month{m};
  return out.ok() && y >= 1970 && y < 10000;
}

}  // namespace

Result<log::Timestamp> month_end(const std::string& month) {
  chr::year_month ym;
  if (!parse_month(month, ym)) return Status(Code::invalid_argument, "a month is written YYYY-MM, not '" + month + "'");
  const chr::sys_days next = chr::sys_days{(ym + chr::months{1}) / 1};
  const log::Timestamp midnight_utc = chr::duration_cast<chr::microseconds>(next.time_since_epoch()).count();
  return midnight_utc - projections::kSchoolUtcOffset - 1;  // the last microsecond of the month, school time
}

std::string previous_month(log::Timestamp time) {
  const auto local = chr::sys_days{chr::days{projections::school_day(time)}};
  const chr::year_month_day ymd{local};
  const chr::year_month prev = (ymd.year() / ymd.month()) - chr::months{1};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u", static_cast<int>(prev.year()), static_cast<unsigned>(prev.month()));
  return out;
}

Result<BackupReport> archive(const log::LogReader& log, const std::string& data_dir,
                             const std::vector<std::string>& targets, const std::string& month,
                             const BackupOptions& options) {
  if (targets.empty()) return Status(Code::invalid_argument, "name at least one target");
  auto end = month_end(month);
  if (!end.ok()) return end.status();
  const log::Timestamp now = options.now != 0 ? options.now : wall_clock_now();
  if (*end >= now) return Status(Code::invalid_argument, "the month " + month + " has not ended yet");
  auto at = log.position_at(*end);
  if (!at.ok()) return at.status();
  if (*at == log::kNoPosition) return Status(Code::not_found, "nothing was recorded by the end of " + month);
  auto source = source_facts(log, *at);
  if (!source.ok()) return source.status();

  BackupReport report;
  report.head = source->head;
  report.head_hash = source->head_hash;
  std::vector<std::unique_ptr<TargetWriter>> writers(targets.size());
  std::vector<TargetResult> results(targets.size());
  bool any = false;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    results[i].target = targets[i];
    results[i].from = 1;
    auto writer = TargetWriter::open(targets[i], std::filesystem::path(kArchivesDir) / month);
    if (!writer.ok()) {
      results[i].status = writer.status();
      continue;
    }
    const auto& prev = (*writer)->previous();
    if (prev && prev->archive && prev->head == source->head && prev->head_hash == source->head_hash) {
      results[i].from = source->head + 1;  // already archived, complete
      results[i].to = source->head;
      continue;
    }
    (*writer)->next() = Manifest{};  // an archive is always written whole
    writers[i] = std::move(*writer);
    any = true;
  }
  if (!any) {
    report.targets = std::move(results);
    return report;
  }

  auto keys = collect_keys(log, data_dir);
  if (!keys.ok()) return keys.status();
  auto folds = projections::all_projections();
  auto on_record = [&folds](log::Position p, std::string_view bytes) {
    const projections::EventView view = projections::view_of(p, bytes);
    for (auto& f : folds) f->apply(view);
  };
  auto sink = [&](const EncodedSegment& seg) -> Status {
    bool ok = false;
    for (std::size_t i = 0; i < writers.size(); ++i) {
      if (!writers[i] || !results[i].status.ok()) continue;
      if (auto s = writers[i]->add_segment(seg); !s.ok()) {
        results[i].status = Status(s.code(), targets[i] + ": " + s.message());
      } else {
        ok = true;
      }
    }
    return ok ? Status::OK() : Status(Code::io_error, "no target could be written");
  };
  auto copied = copy_segments(log, 1, source->head, log::Digest{}, options, sink, on_record);
  if (!copied.ok()) {
    bool sink_failed = true;
    for (std::size_t i = 0; i < writers.size(); ++i) sink_failed = sink_failed && (!writers[i] || !results[i].status.ok());
    if (!sink_failed) return copied.status();
  } else {
    report.records = copied->records;
    report.raw_bytes = copied->raw_bytes;
  }

  const std::string keys_bytes = encode_keys(*keys);
  std::vector<std::pair<FileInfo, std::string>> snapshots;
  for (const auto& f : folds) {
    FileInfo info;
    info.name = std::string(f->name());
    info.position = source->head;
    info.file = std::string(kSnapshotsDir) + "/" + info.name + "-" + std::to_string(source->head) + ".ejp";
    snapshots.emplace_back(std::move(info), projections::stored_snapshot(*f, source->head));
  }
  for (std::size_t i = 0; i < writers.size(); ++i) {
    if (!writers[i] || !results[i].status.ok()) continue;
    TargetWriter& w = *writers[i];
    Manifest& m = w.next();
    m.archive = true;
    m.month = month;
    m.created_at = now;
    m.journal_hash = source->journal_hash;
    m.head = source->head;
    m.head_hash = source->head_hash;
    m.head_time = source->head_time;
    Status s;
    FileInfo keys_info;
    keys_info.file = keys_file_name(source->head);
    keys_info.position = source->head;
    auto k = w.add_file(keys_info, keys_bytes);
    if (k.ok()) {
      m.keys = *k;
    } else {
      s = k.status();
    }
    for (auto& [info, bytes] : snapshots) {
      if (!s.ok()) break;
      auto written = w.add_file(info, bytes);
      if (written.ok()) {
        m.snapshots.push_back(*written);
      } else {
        s = written.status();
      }
    }
    if (s.ok()) s = w.commit();
    if (!s.ok()) results[i].status = Status(s.code(), targets[i] + ": " + s.message());
    results[i].to = source->head;
    results[i].files = w.files_written();
    results[i].bytes = w.bytes_written();
  }
  report.targets = std::move(results);
  return report;
}

}  // namespace ejournal::backup
