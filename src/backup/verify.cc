// verify_backup(): every file a backup or archive manifest names, proven against it, and every record rebuilt
// and chained from position 1 to the head. Segments are decoded on worker threads, checked in order.
#include <deque>
#include <future>
#include <thread>

#include "backup/files.h"
#include "backup/keys_file.h"
#include "backup/manifest.h"
#include "ejournal/backup/backup.h"
#include "ejournal/log/envelope.h"

namespace ejournal::backup {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxFileBytes = std::size_t{2} << 30;

Status check_file(const fs::path& dir, const FileInfo& info, std::string* bytes_out = nullptr) {
  auto bytes = read_file(dir / info.file, kMaxFileBytes);
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() != info.file_bytes)
    return Status(Code::corruption, "the file is " + std::to_string(bytes->size()) + " bytes, the manifest says " +
                                        std::to_string(info.file_bytes));
  if (log::record_hash(*bytes) != info.file_hash) return Status(Code::corruption, "the file's hash does not match the manifest");
  if (bytes_out != nullptr) *bytes_out = std::move(*bytes);
  return Status::OK();
}

}  // namespace

Result<std::optional<BackupSummary>> read_backup_summary(const std::string& dir) {
  auto m = read_manifest(dir);
  if (!m.ok()) return m.status();
  if (!m->has_value()) return std::optional<BackupSummary>();
  const Manifest& x = **m;
  return std::optional<BackupSummary>(BackupSummary{x.archive, x.month, x.head, x.head_time, x.created_at});
}

Result<BackupCheck> verify_backup(const std::string& dir_name, const ProgressFn& progress) {
  const fs::path dir(dir_name);
  BackupCheck check;
  std::error_code ec;
  if (!fs::exists(dir / kManifestFile, ec)) return Status(Code::not_found, "no backup in " + dir_name + " (no " + kManifestFile + ")");
  auto manifest = read_manifest(dir);
  if (!manifest.ok()) {
    check.bad_file = kManifestFile;
    check.problem = manifest.status().message();
    return check;
  }
  const Manifest& m = **manifest;
  check.head = m.head;
  check.head_hash = m.head_hash;
  check.head_time = m.head_time;
  ++check.files;

  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  struct Job {
    const SegmentInfo* info;
    std::future<Status> outcome;
  };
  std::deque<Job> pending;
  auto settle = [&]() -> bool {
    Job job = std::move(pending.front());
    pending.pop_front();
    const Status s = job.outcome.get();
    if (!s.ok()) {
      check.bad_file = std::string(kSegmentsDir) + "/" + job.info->file;
      check.bad_position = job.info->first;
      check.problem = s.message();
      return false;
    }
    ++check.files;
    check.bytes += job.info->file_bytes;
    if (progress) progress(job.info->last, m.head);
    return true;
  };
  bool good = true;
  for (const auto& seg : m.segments) {
    pending.push_back(Job{&seg, std::async(std::launch::async, [&dir, &seg]() -> Status {
                            auto bytes = read_file(dir / kSegmentsDir / seg.file, kMaxFileBytes);
                            if (!bytes.ok()) return bytes.status();
                            auto decoded = decode_segment(*bytes, seg);
                            return decoded.ok() ? Status::OK() : decoded.status();
                          })});
    while (good && pending.size() > threads) good = settle();
    if (!good) break;
  }
  while (good && !pending.empty()) good = settle();
  for (auto& job : pending) job.outcome.wait();
  if (!good) return check;

  if (m.keys) {
    std::string bytes;
    Status s = check_file(dir, *m.keys, &bytes);
    if (s.ok()) {
      auto keys = decode_keys(bytes);
      if (!keys.ok()) s = keys.status();
    }
    if (!s.ok()) {
      check.bad_file = m.keys->file;
      check.problem = s.message();
      return check;
    }
    ++check.files;
    check.bytes += m.keys->file_bytes;
  } else if (m.head != log::kNoPosition) {
    check.bad_file = kManifestFile;
    check.problem = "it names no keys file";
    return check;
  }
  for (const auto& snap : m.snapshots) {
    if (auto s = check_file(dir, snap); !s.ok()) {
      check.bad_file = snap.file;
      check.bad_position = snap.position;
      check.problem = s.message();
      return check;
    }
    ++check.files;
    check.bytes += snap.file_bytes;
  }
  return check;
}

}  // namespace ejournal::backup
