// LogImporter on a fresh RocksDB data directory. Records are bulk-loaded: each batch is written in key order
// straight into a table file of its own (SstFileWriter, on a worker thread) and finish() ingests them all, so nothing goes through the memtable or the write-ahead
// log; the command-id index is sorted in memory and ingested the same way. A half-built directory is thrown
// away, never reopened. Ingested files are synced by RocksDB, so the result is as durable as a log the writer
// built itself.
#include "ejournal/log/importer.h"

#include <algorithm>
#include <deque>
#include <future>
#include <thread>
#include <filesystem>

#include <rocksdb/sst_file_writer.h>
#include <system_error>

#include "ejournal/log/envelope.h"
#include "log/format.h"
#include "log/rocks_snapshot_store.h"
#include "log/rocks_store.h"

namespace ejournal::log {
namespace {

namespace fs = std::filesystem;


class RocksLogImporter final : public LogImporter {
 public:
  explicit RocksLogImporter(std::unique_ptr<RocksStore> store)
      : store_(std::move(store)),
        snapshots_(*store_),
        table_options_(store_->db()->GetDBOptions(), store_->db()->GetOptions(store_->log_cf())) {}

  ~RocksLogImporter() override {
    for (auto& w : writing_) w.wait();  // workers use the store
  }

  Status add(std::vector<std::string> records, const std::vector<Digest>& hashes) override {
    if (finished_) return Status(Code::invalid_argument, "the import is finished");
    if (records.size() != hashes.size()) return Status(Code::invalid_argument, "one hash per record");
    if (records.empty()) return Status::OK();
    const Position first = head_ + 1;
    for (std::size_t i = 0; i < records.size(); ++i) {
      const std::string& bytes = records[i];
      const Position expected = first + i;
      if (auto s = check_envelope(bytes); !s.ok())
        return Status(Code::corruption, "record " + std::to_string(expected) + ": " + s.message());
      const SealFields h = header_of(bytes);
      if (h.position != expected)
        return Status(Code::corruption, "record " + std::to_string(expected) + " says it is position " +
                                            std::to_string(h.position));
      if (h.prev_hash != head_hash_)
        return Status(Code::corruption, "record " + std::to_string(expected) +
                                            " does not name the hash of its predecessor");
      if (head_ != kNoPosition && h.recorded_at < last_time_)
        return Status(Code::corruption, "record " + std::to_string(expected) + " is earlier than its predecessor");
      // Records of one command are contiguous and share its id: close the previous command's run on a change.
      if (run_count_ == 0 || h.command_id != run_id_) {
        flush_run();
        run_id_ = h.command_id;
        run_first_ = expected;
      }
      ++run_count_;
      head_ = expected;
      head_hash_ = hashes[i];
      last_time_ = h.recorded_at;
    }
    // At most one table being written per core beyond this thread; wait for the oldest otherwise.
    while (writing_.size() >= std::max(1u, std::thread::hardware_concurrency())) {
      if (auto s = settle_oldest(); !s.ok()) return s;
    }
    log_tables_.push_back(table_path());
    writing_.push_back(std::async(std::launch::async, [this, path = log_tables_.back(), first,
                                                       batch = std::move(records)]() -> Status {
      rocksdb::SstFileWriter w(rocksdb::EnvOptions(), table_options_, store_->log_cf());
      if (auto s = w.Open(path); !s.ok()) return from_rocks(s, "creating an import table");
      for (std::size_t i = 0; i < batch.size(); ++i)
        if (auto s = w.Put(format::position_key(first + i), batch[i]); !s.ok()) return from_rocks(s, "writing imported records");
      return from_rocks(w.Finish(), "finishing an import table");
    }));
    return Status::OK();
  }

  Status put_key(std::string_view name, std::string_view wrapped) override {
    // Not synced one by one (thousands of people): finish() flushes and syncs the family with the rest.
    return from_rocks(store_->db()->Put(rocksdb::WriteOptions(), store_->keys_cf(), rocksdb::Slice(name.data(), name.size()),
                                        rocksdb::Slice(wrapped.data(), wrapped.size())),
                      "storing a key");
  }

  Status put_snapshot(std::string_view projection, Position position, std::string_view bytes) override {
    return snapshots_.put(projection, position, bytes);
  }

  Position head() const override { return head_; }
  const Digest& head_hash() const override { return head_hash_; }

  Status finish() override {
    if (finished_) return Status(Code::invalid_argument, "the import is finished");
    finished_ = true;
    flush_run();
    while (!writing_.empty())
      if (auto s = settle_oldest(); !s.ok()) return s;
    if (auto s = ingest(store_->log_cf(), log_tables_); !s.ok()) return s;
    if (auto s = write_idem(); !s.ok()) return s;
    if (head_ != kNoPosition) {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      if (auto s = store_->db()->Put(wo, store_->meta_cf(), format::kHeadKey, format::head_value(head_, head_hash_)); !s.ok())
        return from_rocks(s, "writing the head anchor");
    }
    rocksdb::FlushOptions fo;
    fo.wait = true;
    if (auto s = store_->db()->Flush(fo, store_->families()); !s.ok()) return from_rocks(s, "flushing the import");
    // Flush writes and syncs table files and the manifest; a synced WAL write covers what remains.
    return from_rocks(store_->db()->SyncWAL(), "syncing the import");
  }

 private:
  struct IdemEntry {
    CommandId id;
    Position first;
    std::uint32_t count;
  };

  void flush_run() {
    if (run_count_ == 0) return;
    idem_.push_back(IdemEntry{run_id_, run_first_, run_count_});
    run_count_ = 0;
  }

  std::string table_path() { return (fs::path(store_->dir()) / ("import-" + std::to_string(++tables_) + ".sst")).string(); }

  Status settle_oldest() {
    Status s = writing_.front().get();
    writing_.pop_front();
    return s;
  }

  Status ingest(rocksdb::ColumnFamilyHandle* cf, const std::vector<std::string>& files) {
    if (files.empty()) return Status::OK();
    rocksdb::IngestExternalFileOptions io;
    io.move_files = true;  // the files are ours and in the same directory: link, do not copy
    return from_rocks(store_->db()->IngestExternalFile(cf, files, io), "ingesting imported records");
  }

  // The command-id index, sorted by id, ingested as one table.
  Status write_idem() {
    if (idem_.empty()) return Status::OK();
    std::sort(idem_.begin(), idem_.end(), [](const IdemEntry& a, const IdemEntry& b) { return a.id.bytes < b.id.bytes; });
    rocksdb::SstFileWriter w(rocksdb::EnvOptions(),
                             rocksdb::Options(store_->db()->GetDBOptions(), store_->db()->GetOptions(store_->idem_cf())),
                             store_->idem_cf());
    const std::string path = table_path();
    if (auto s = w.Open(path); !s.ok()) return from_rocks(s, "creating the command index");
    for (std::size_t i = 0; i < idem_.size(); ++i) {
      if (i > 0 && idem_[i].id == idem_[i - 1].id)
        return Status(Code::corruption, "command id " + idem_[i].id.to_hex() + " appears at positions " +
                                            std::to_string(idem_[i - 1].first) + " and " + std::to_string(idem_[i].first));
      const auto& e = idem_[i];
      if (auto s = w.Put(rocksdb::Slice(reinterpret_cast<const char*>(e.id.bytes.data()), e.id.bytes.size()),
                         format::idem_value(e.first, e.count));
          !s.ok())
        return from_rocks(s, "writing the command index");
    }
    if (auto s = w.Finish(); !s.ok()) return from_rocks(s, "finishing the command index");
    idem_.clear();
    idem_.shrink_to_fit();
    return ingest(store_->idem_cf(), {path});
  }

  std::unique_ptr<RocksStore> store_;
  RocksSnapshotStore snapshots_;
  rocksdb::Options table_options_;
  std::deque<std::future<Status>> writing_;  // table files being written by workers, oldest first
  std::vector<std::string> log_tables_;
  std::vector<IdemEntry> idem_;
  int tables_ = 0;
  Position head_ = kNoPosition;
  Digest head_hash_;
  Timestamp last_time_ = 0;
  CommandId run_id_;
  Position run_first_ = kNoPosition;
  std::uint32_t run_count_ = 0;
  bool finished_ = false;
};

}  // namespace

Result<std::unique_ptr<LogImporter>> open_log_importer(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return Status(Code::invalid_argument, dir + " exists and is not a directory");
    if (!fs::is_empty(dir, ec)) return Status(Code::invalid_argument, dir + " is not empty; an import never writes into an existing directory");
  }
  auto store = RocksStore::open(dir, RocksStore::Mode::primary, true);
  if (!store.ok()) return store.status();
  return std::unique_ptr<LogImporter>(new RocksLogImporter(std::move(store.value())));
}

}  // namespace ejournal::log
