#include "log/maintenance.h"

#include <rocksdb/metadata.h>
#include <rocksdb/transaction_log.h>

#include "log/rocks_store.h"

namespace ejournal::log {

namespace {

Status flush_and_compact(const std::string& dir) {
  auto store = RocksStore::open(dir, RocksStore::Mode::primary, false);
  if (!store.ok()) return store.status();
  rocksdb::DB* db = (*store)->db();
  if (auto s = db->Flush(rocksdb::FlushOptions(), (*store)->families()); !s.ok()) return from_rocks(s, "flushing");
  for (auto* cf : (*store)->families()) {
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    if (auto s = db->CompactRange(co, cf, nullptr, nullptr); !s.ok()) return from_rocks(s, "compacting");
  }
  return Status::OK();
}

}  // namespace

Result<StorageSize> compact_storage(const std::string& dir) {
  // Write-ahead logs made obsolete by the flush are deleted when the database is next opened: measure then.
  if (auto s = flush_and_compact(dir); !s.ok()) return s;
  auto store = RocksStore::open(dir, RocksStore::Mode::primary, false);
  if (!store.ok()) return store.status();
  rocksdb::DB* db = (*store)->db();
  StorageSize size;
  std::vector<rocksdb::LiveFileMetaData> files;
  db->GetLiveFilesMetaData(&files);
  for (const auto& f : files) size.sst_bytes += f.size;
  rocksdb::VectorLogPtr wals;
  if (auto s = db->GetSortedWalFiles(wals); !s.ok()) return from_rocks(s, "listing write-ahead logs");
  for (const auto& w : wals) size.wal_bytes += w->SizeFileBytes();
  return size;
}

}  // namespace ejournal::log
