// RocksStore: one data directory's RocksDB database with the log's column families, opened either as the
// single writer (primary, with our flock held) or as a read-only follower of a directory that another
// process may hold open (a RocksDB secondary instance).
//
// Internal to src/log. Thread-safety: the handles may be used from any thread (RocksDB is thread-safe);
// opening and closing are not concurrent with use.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::log {

class RocksStore {
 public:
  enum class Mode { primary, secondary };

  // Opens `dir`. In primary mode with create=true an absent or empty directory becomes a new, empty log.
  // Errors as documented for open_event_log(). `env`: the primary's file system (null: the default one;
  // the fault-injection tests give theirs, tests/support/fault_fs.h).
  static Result<std::unique_ptr<RocksStore>> open(const std::string& dir, Mode mode, bool create,
                                                  rocksdb::Env* env = nullptr);

  ~RocksStore();
  RocksStore(const RocksStore&) = delete;
  RocksStore& operator=(const RocksStore&) = delete;

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* log_cf() const { return log_cf_; }
  rocksdb::ColumnFamilyHandle* idem_cf() const { return idem_cf_; }
  rocksdb::ColumnFamilyHandle* meta_cf() const { return meta_cf_; }
  rocksdb::ColumnFamilyHandle* snap_cf() const { return snap_cf_; }
  rocksdb::ColumnFamilyHandle* keys_cf() const { return keys_cf_; }
  // Sealed segments; null in a read-only view of a directory made before the family existed.
  rocksdb::ColumnFamilyHandle* seg_cf() const { return seg_cf_; }
  // Every open family, the unused `default` one included (it must be flushed too, or it pins old WAL files).
  std::vector<rocksdb::ColumnFamilyHandle*> families() const;
  const std::string& dir() const { return dir_; }
  Mode mode() const { return mode_; }

  // Secondary mode: catch up with what the primary has made durable since. No-op in primary mode.
  Status refresh();

  // Every write of a running store goes through here (the log's group commit, sealed segments, snapshots,
  // wrapped keys), one at a time. After one has failed for the disk's sake — a full or failing disk, an
  // I/O or corruption error, not a refusal of that write alone (invalid, busy) — each later write is
  // refused as `unavailable` without reaching RocksDB: RocksDB's own state after a failed WAL write is not
  // one to write into again (Debian's build asserts there and aborts the process; issue #23's disk_full
  // test met it when the sealer wrote after the log's write had failed). Reads go on. `what` names the
  // write in errors.
  // (const as db() is: users hold the store const and write through it.)
  Status write(rocksdb::WriteBatch& batch, bool sync, std::string_view what) const;

 private:
  mutable std::mutex write_mu_;
  mutable Status write_failure_;  // the first failed write's error (guarded by write_mu_)
  RocksStore() = default;
  Status check_format();
  bool is_unfinished_creation() const;

  std::string dir_;
  Mode mode_ = Mode::primary;
  int lock_fd_ = -1;
  std::string secondary_dir_;  // scratch directory of a secondary instance, removed on close
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* log_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* idem_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* snap_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* keys_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* seg_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;
};

// Maps a RocksDB status to ours, prefixing `what` to the message.
Status from_rocks(const rocksdb::Status& s, std::string_view what);

}  // namespace ejournal::log
