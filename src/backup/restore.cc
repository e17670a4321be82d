// restore(): a new data directory from one or more copies of a backup or archive, up to a time. Built in a
// temporary directory beside the destination and renamed into place only when the log, keys and projection
// snapshots are all durable, so a killed restore never leaves something that looks like a journal.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <limits>
#include <chrono>
#include <cstdio>

#include "backup/files.h"
#include "backup/keys_file.h"
#include "backup/manifest.h"
#include "ejournal/backup/backup.h"
#include "ejournal/log/envelope.h"
#include "ejournal/log/importer.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/host.h"

namespace ejournal::backup {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxFileBytes = std::size_t{2} << 30;

struct Source {
  fs::path dir;
  std::optional<Manifest> manifest;
};

const SegmentInfo* segment_holding(const Manifest& m, log::Position p) {
  auto it = std::upper_bound(m.segments.begin(), m.segments.end(), p,
                             [](log::Position pos, const SegmentInfo& s) { return pos < s.first; });
  if (it == m.segments.begin()) return nullptr;
  --it;
  return p <= it->last ? &*it : nullptr;
}

Result<DecodedSegment> load(const fs::path& dir, const SegmentInfo& seg) {
  auto bytes = read_file(dir / kSegmentsDir / seg.file, kMaxFileBytes);
  if (!bytes.ok()) return bytes.status();
  return decode_segment(*bytes, seg);
}

Status write_master_key(const fs::path& dir, const std::string& key) {
  if (key.empty()) return Status::OK();
  return write_file_atomic(dir, "master.key", key);  // mode 0600, as the vault requires
}

class Restorer {
 public:
  Restorer(std::vector<Source> sources, const RestoreOptions& options) : sources_(std::move(sources)), options_(options) {}

  Result<RestoreReport> run(const fs::path& to) {
    const Manifest& main = *sources_[0].manifest;
    const fs::path temp = to.parent_path() / ("." + to.filename().string() + ".restoring-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::remove_all(temp, ec);
    auto importer = log::open_log_importer(temp.string());
    if (!importer.ok()) return importer.status();
    auto cleanup = [&](Status s) -> Status {
      importer->reset();
      std::error_code ignored;
      fs::remove_all(temp, ignored);
      return s;
    };

    // Records, segment by segment; the next segment of the first copy is decoded while this one is imported.
    std::future<Result<DecodedSegment>> next;
    const SegmentInfo* next_info = nullptr;
    auto prefetch = [&](log::Position p) {
      next_info = segment_holding(main, p);
      if (next_info != nullptr) next = std::async(std::launch::async, load, sources_[0].dir, *next_info);
    };
    prefetch(1);
    bool reached_time = false;
    while (!reached_time && (*importer)->head() < main.head) {
      const log::Position pos = (*importer)->head() + 1;
      const SegmentInfo* info = nullptr;
      Result<DecodedSegment> decoded = Status(Code::not_found, "no copy holds position " + std::to_string(pos));
      std::size_t used = 0;
      for (std::size_t k = 0; k < sources_.size(); ++k) {
        const SegmentInfo* candidate = nullptr;
        Result<DecodedSegment> attempt = Status(Code::not_found, "");
        if (k == 0 && next_info != nullptr && next_info->first <= pos && pos <= next_info->last) {
          candidate = next_info;
          attempt = next.get();
          next_info = nullptr;
        } else {
          if (!sources_[k].manifest) continue;
          candidate = segment_holding(*sources_[k].manifest, pos);
          if (candidate == nullptr) continue;
          attempt = load(sources_[k].dir, *candidate);
        }
        if (attempt.ok()) {
          // The copy must continue exactly the records imported so far.
          const log::Digest& linked = (*importer)->head_hash();
          const bool links = candidate->first == pos ? candidate->prev_hash == linked
                                                     : attempt->hashes[pos - 1 - candidate->first] == linked;
          if (links) {
            info = candidate;
            decoded = std::move(attempt);
            used = k;
            break;
          }
          attempt = Status(Code::corruption, "it does not continue the records before position " + std::to_string(pos));
        }
        say(sources_[k].dir.string() + "/" + kSegmentsDir + "/" + candidate->file + ": " + attempt.status().message());
      }
      if (info == nullptr)
        return cleanup(Status(Code::corruption, "positions from " + std::to_string(pos) +
                                                    " are damaged or missing on every copy; restore stops"));
      if (used != 0)
        say("positions " + std::to_string(pos) + ".." + std::to_string(info->last) + " taken from " +
            sources_[used].dir.string());
      // The part of the segment to import: from `pos`, up to the last record recorded by `at`.
      std::size_t begin = pos - info->first, end = decoded->records.size();
      if (options_.at) {
        for (std::size_t i = begin; i < end; ++i) {
          if (log::envelope_of(decoded->records[i])->header()->recorded_at_us() > *options_.at) {
            end = i;
            reached_time = true;
            break;
          }
        }
      }
      std::vector<std::string> batch(std::make_move_iterator(decoded->records.begin() + static_cast<std::ptrdiff_t>(begin)),
                                     std::make_move_iterator(decoded->records.begin() + static_cast<std::ptrdiff_t>(end)));
      const std::vector<log::Digest> hashes(decoded->hashes.begin() + static_cast<std::ptrdiff_t>(begin),
                                            decoded->hashes.begin() + static_cast<std::ptrdiff_t>(end));
      if (auto s = (*importer)->add(std::move(batch), hashes); !s.ok()) return cleanup(s);
      if (options_.progress) options_.progress((*importer)->head(), main.head);
      if (!reached_time && next_info == nullptr) prefetch((*importer)->head() + 1);
    }
    if (next_info != nullptr) next.wait();
    if ((*importer)->head() == log::kNoPosition)
      return cleanup(Status(Code::not_found, "nothing was recorded by the time asked for"));

    RestoreReport report;
    report.head = (*importer)->head();
    report.head_hash = (*importer)->head_hash();
    auto keys = load_keys();
    if (!keys.ok()) return cleanup(keys.status());
    for (const auto& [name, wrapped] : keys->entries)
      if (auto s = (*importer)->put_key(name, wrapped); !s.ok()) return cleanup(s);
    if (main.archive && report.head == main.head) {
      for (const auto& snap : main.snapshots) {
        // Snapshots are a cache: a damaged one is skipped and the projection replayed instead.
        auto bytes = read_file(sources_[0].dir / snap.file, kMaxFileBytes);
        if (!bytes.ok() || log::record_hash(*bytes) != snap.file_hash) {
          say(sources_[0].dir.string() + "/" + snap.file + ": damaged; the projection is rebuilt instead");
          continue;
        }
        if (auto s = (*importer)->put_snapshot(snap.name, snap.position, *bytes); !s.ok()) return cleanup(s);
      }
    }
    if (auto s = (*importer)->finish(); !s.ok()) return cleanup(s);
    importer->reset();
    if (auto s = write_master_key(temp, keys->master_key); !s.ok()) return cleanup(s);

    {
      log::LogOptions lo;
      lo.create_if_missing = false;
      auto log = log::open_event_log(temp.string(), lo);
      if (!log.ok()) return cleanup(log.status());
      auto head = (*log)->read(report.head);
      if (!head.ok()) return cleanup(head.status());
      report.head_time = head->envelope()->header()->recorded_at_us();
      if (options_.rebuild_projections) {
        projections::HostOptions ho;
        ho.follow = false;
        ho.snapshot_every = std::numeric_limits<std::uint64_t>::max();  // one set at the end (and history ones)
        auto host = projections::ProjectionHost::start(**log, projections::all_projections(), ho);
        if (!host.ok()) return cleanup(host.status());
        if (auto s = (*host)->write_snapshots(); !s.ok()) return cleanup(s);
      }
    }
    if (fs::exists(to, ec)) fs::remove(to, ec);  // an empty directory (checked before)
    fs::rename(temp, to, ec);
    if (ec) return cleanup(Status(Code::io_error, "cannot rename " + temp.string() + " to " + to.string() + ": " + ec.message()));
    if (auto s = sync_dir(to.parent_path()); !s.ok()) return s;
    report.notices = notices_;
    return report;
  }

 private:
  void say(const std::string& text) {
    notices_.push_back(text);
    if (options_.notice) options_.notice(text);
  }

  Result<KeysContent> load_keys() {
    for (const auto& src : sources_) {
      if (!src.manifest || !src.manifest->keys) continue;
      const FileInfo& info = *src.manifest->keys;
      auto bytes = read_file(src.dir / info.file, kMaxFileBytes);
      Status s = bytes.ok() ? Status::OK() : bytes.status();
      if (s.ok() && log::record_hash(*bytes) != info.file_hash) s = Status(Code::corruption, "its hash does not match the manifest");
      if (s.ok()) {
        auto keys = decode_keys(*bytes);
        if (keys.ok()) return keys;
        s = keys.status();
      }
      say(src.dir.string() + "/" + info.file + ": " + s.message());
    }
    return Status(Code::corruption, "no copy holds a readable keys file; personal data could not be opened");
  }

  std::vector<Source> sources_;
  const RestoreOptions& options_;
  std::vector<std::string> notices_;
};

}  // namespace

Result<RestoreReport> restore(const std::vector<std::string>& from, const std::string& to_name,
                              const RestoreOptions& options) {
  if (from.empty()) return Status(Code::invalid_argument, "name at least one copy to restore from");
  const fs::path to = fs::absolute(fs::path(to_name)).lexically_normal();
  std::error_code ec;
  if (fs::exists(to, ec) && (!fs::is_directory(to, ec) || !fs::is_empty(to, ec)))
    return Status(Code::invalid_argument, to.string() + " exists and is not empty; restore never writes into an existing directory");
  if (!fs::is_directory(to.parent_path(), ec)) return Status(Code::not_found, to.parent_path().string() + " does not exist");

  std::vector<Source> sources;
  std::vector<std::string> problems;
  for (const auto& dir : from) {
    Source src{fs::path(dir), std::nullopt};
    auto m = read_manifest(src.dir);
    if (!m.ok()) {
      problems.push_back(m.status().message());
    } else if (!m->has_value()) {
      problems.push_back("no backup in " + dir + " (no " + kManifestFile + ")");
    } else {
      src.manifest = std::move(**m);
    }
    sources.push_back(std::move(src));
  }
  // The first copy with a readable manifest leads; the others serve its damaged parts.
  auto lead = std::find_if(sources.begin(), sources.end(), [](const Source& s) { return s.manifest.has_value(); });
  if (lead == sources.end()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
    return Status(Code::not_found, "no readable backup: " + all);
  }
  std::rotate(sources.begin(), lead, lead + 1);
  for (auto& src : sources) {
    if (src.manifest && src.manifest->journal_hash != sources[0].manifest->journal_hash) {
      problems.push_back(src.dir.string() + " holds a copy of another journal; not used");
      src.manifest.reset();
    }
  }
  Restorer restorer(std::move(sources), options);
  for (const auto& p : problems)
    if (options.notice) options.notice(p);
  auto report = restorer.run(to);
  if (report.ok()) report->notices.insert(report->notices.begin(), problems.begin(), problems.end());
  return report;
}

}  // namespace ejournal::backup
