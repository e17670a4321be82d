// LogImporter: builds a new data directory from records that were sealed elsewhere — a backup being restored —
// keeping their bytes exactly, so the restored log has the same positions, times, command ids and hash chain.
//
// Contract
//  - The directory must be absent or empty: an importer never writes into an existing log.
//  - Records are added in position order starting at 1. Each is checked like a live append would have left
//    it: a well-formed envelope, position = previous + 1, prev_hash = the previous record's hash, time not
//    earlier than the previous record's. The command-id index (idem) is rebuilt from the headers.
//  - Nothing is durable until finish() returns OK: it writes the head anchor, flushes every family to table
//    files and syncs them. A process that dies before then leaves a directory that must be thrown away;
//    restore builds into a temporary directory and renames it into place only after finish().
//
// Thread-safety: one thread at a time (it runs workers of its own).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::log {

class LogImporter {
 public:
  virtual ~LogImporter() = default;

  // Adds the next records, in order. hashes[i] is record_hash(records[i]), which the caller has already
  // computed to check the records against their source (hashing twice would double restore's main cost).
  // The links are checked here, on the calling thread; the records are then written into a table file by a
  // worker thread, so batches of a few thousand records or more keep both cores busy.
  // REQUIRES: records.size() == hashes.size(), and hashes[i] == record_hash(records[i]).
  virtual Status add(std::vector<std::string> records, const std::vector<Digest>& hashes) = 0;

  // Stores a wrapped personal-data key (the keys family), as KeyStore::put would.
  virtual Status put_key(std::string_view name, std::string_view wrapped) = 0;

  // Stores a projection snapshot (the snap family), as SnapshotStore::put would.
  virtual Status put_snapshot(std::string_view projection, Position position, std::string_view bytes) = 0;

  // The last record added (kNoPosition before the first) and its hash.
  virtual Position head() const = 0;
  virtual const Digest& head_hash() const = 0;

  // Makes everything durable (see above). The importer is unusable afterwards.
  virtual Status finish() = 0;
};

// Creates the log in `dir`, which must be absent or an empty directory (invalid_argument otherwise).
Result<std::unique_ptr<LogImporter>> open_log_importer(const std::string& dir);

}  // namespace ejournal::log
