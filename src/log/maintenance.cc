#include "log/maintenance.h"

#include <filesystem>

#include "log/rocks_store.h"

namespace ejournal::log {
namespace fs = std::filesystem;

Status compact_storage(const std::string& dir) {
  auto store = RocksStore::open(dir, RocksStore::Mode::primary, false);
  if (!store.ok()) return store.status();
  rocksdb::DB* db = (*store)->db();
  for (auto* cf : {(*store)->log_cf(), (*store)->idem_cf(), (*store)->meta_cf(), (*store)->snap_cf()}) {
    if (cf == nullptr) continue;
    if (auto s = db->Flush(rocksdb::FlushOptions(), cf); !s.ok()) return from_rocks(s, "flushing");
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    if (auto s = db->CompactRange(co, cf, nullptr, nullptr); !s.ok()) return from_rocks(s, "compacting");
  }
  return Status::OK();
}

Result<StorageSize> storage_size(const std::string& dir) {
  StorageSize size;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    const auto ext = entry.path().extension();
    if (ext == ".sst") size.sst_bytes += entry.file_size();
    if (ext == ".log") size.wal_bytes += entry.file_size();
  }
  if (ec) return Status(Code::io_error, "cannot list " + dir + ": " + ec.message());
  return size;
}

}  // namespace ejournal::log
