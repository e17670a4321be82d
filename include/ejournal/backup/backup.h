// Backup, archive, verify and restore: the journal copied onto external disks so that its whole history —
// every record, hash chain intact — survives the server, and can be brought back as it stood at any time.
// docs/backup-format.md defines the files; a person with zstd and the FlatBuffers schema can read them.
//
// Contract
//  - A backup target is a directory (a mounted disk) that must already exist: a missing mount point is an
//    error, never silently created on the system disk. Inside it, `manifest.ejm` names the segment files
//    that make up the copy; it is replaced atomically as the last step of a run, after every file it names
//    was written to a temporary name, fsynced, renamed, and the directory fsynced. So a target holds its
//    previous complete copy or its new complete one, whatever moment a run is killed at.
//  - backup() is incremental: each target gets the records after its manifest's head. Targets succeed or
//    fail on their own: one missing, full or unwritable disk does not stop the others.
//  - It reads the log through a LogReader, which may be a read-only view of a directory ejournald is
//    appending to (a RocksDB secondary instance): backups run while the school works.
//  - Every record copied is checked on the way (positions, times, hash links), so a damaged source is
//    reported, never copied as if whole.
//  - restore() never writes into an existing data directory: it builds a temporary one beside the
//    destination and renames it into place when complete.
//
// Thread-safety: each call is independent; two runs on one target exclude each other with a lock file.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ejournal/log/event_log.h"
#include "ejournal/status.h"

namespace ejournal::backup {

// Progress of a long operation, `done` of `total` records, called from the working thread now and then.
using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct BackupOptions {
  int zstd_level = 3;                     // 1 … 19 (3: ~1M events/s on two cores; 7 saves ~5 % more)
  std::size_t segment_records = 65'536;   // most records per segment file
  unsigned threads = 0;                   // compression threads; 0: one per core
  log::Timestamp now = 0;                 // time stamped into manifests; 0: the system clock
  ProgressFn progress;
};

// What one target got.
struct TargetResult {
  std::string target;
  Status status;                           // OK, or why this target has no new complete copy
  log::Position from = log::kNoPosition;   // records copied this run: from … to (from > to: nothing new)
  log::Position to = log::kNoPosition;
  std::uint64_t files = 0;                 // files written
  std::uint64_t bytes = 0;                 // bytes written
};

struct BackupReport {
  log::Position head = log::kNoPosition;   // the source's head the run copied up to
  log::Digest head_hash;
  std::uint64_t records = 0;               // records read and checked from the source
  std::uint64_t raw_bytes = 0;             // their stored size
  std::vector<TargetResult> targets;
  bool ok() const;
};

// Copies the log read through `log` (its data directory is `data_dir`, for master.key) to every target.
// An error status only when nothing could be done for any target (the source unreadable or damaged).
Result<BackupReport> backup(const log::LogReader& log, const std::string& data_dir,
                            const std::vector<std::string>& targets, const BackupOptions& options = {});

// The position range of a calendar month in the school's time zone: the last record at or before its end.
// `month` is "YYYY-MM".
Result<log::Timestamp> month_end(const std::string& month);
// The month before the one `time` falls in, as "YYYY-MM" (the last complete month).
std::string previous_month(log::Timestamp time);

// A self-contained archive of the journal as it stood at the end of `month`: every record up to then, the
// keys, and each projection's snapshot at that position, in TARGET/archives/YYYY-MM/. An archive that is
// already complete on a target is left as it is.
Result<BackupReport> archive(const log::LogReader& log, const std::string& data_dir,
                             const std::vector<std::string>& targets, const std::string& month,
                             const BackupOptions& options = {});

// What verify_backup() found.
struct BackupCheck {
  log::Position head = log::kNoPosition;
  log::Digest head_hash;
  log::Timestamp head_time = 0;
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::string bad_file;                     // empty when all holds
  log::Position bad_position = log::kNoPosition;  // first position the fault affects
  std::string problem;
  bool ok() const { return bad_file.empty(); }
};

// Checks a backup or archive directory: the manifest, every file's size and hash, every segment's records
// rebuilt and chained from position 1 to the head. An error status only for a directory with no manifest.
Result<BackupCheck> verify_backup(const std::string& dir, const ProgressFn& progress = {});

// What a backup or archive directory's manifest says, without checking its files (verify_backup does that).
struct BackupSummary {
  bool archive = false;
  std::string month;
  log::Position head = log::kNoPosition;
  log::Timestamp head_time = 0;
  log::Timestamp created_at = 0;  // when its last run finished
};
// nullopt when `dir` holds no manifest; an error when it holds one that cannot be read.
Result<std::optional<BackupSummary>> read_backup_summary(const std::string& dir);

struct RestoreOptions {
  std::optional<log::Timestamp> at;  // keep records recorded at or before this time; nullopt: all
  bool rebuild_projections = true;    // replay the projections into the new directory and snapshot them
  ProgressFn progress;
  std::function<void(const std::string&)> notice;  // a damaged file and the copy that served instead
};

struct RestoreReport {
  log::Position head = log::kNoPosition;
  log::Digest head_hash;
  log::Timestamp head_time = 0;
  std::vector<std::string> notices;
};

// Builds a new data directory `to` from the first source, taking any segment that is missing or damaged there
// from the next source that has it whole. invalid_argument when `to` exists and is not an empty directory.
Result<RestoreReport> restore(const std::vector<std::string>& sources, const std::string& to,
                              const RestoreOptions& options = {});

}  // namespace ejournal::backup
