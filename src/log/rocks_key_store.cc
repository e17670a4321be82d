#include "log/rocks_key_store.h"

#include <memory>

namespace ejournal::log {

Result<std::optional<std::string>> RocksKeyStore::get(std::string_view name) const {
  if (store_.keys_cf() == nullptr) return std::optional<std::string>();
  std::string value;
  auto s = store_.db()->Get(rocksdb::ReadOptions(), store_.keys_cf(), rocksdb::Slice(name.data(), name.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return from_rocks(s, "reading a key");
  return std::optional<std::string>(std::move(value));
}

Status RocksKeyStore::put(std::string_view name, std::string_view value) {
  if (store_.mode() != RocksStore::Mode::primary) return Status(Code::unsupported, "the key store is read-only here");
  rocksdb::WriteBatch batch;
  batch.Put(store_.keys_cf(), rocksdb::Slice(name.data(), name.size()), rocksdb::Slice(value.data(), value.size()));
  return store_.write(batch, true, "storing a key");
}

Status RocksKeyStore::destroy(std::string_view name) {
  if (store_.mode() != RocksStore::Mode::primary) return Status(Code::unsupported, "the key store is read-only here");
  const rocksdb::Slice key(name.data(), name.size());
  std::string ignored;
  if (store_.db()->Get(rocksdb::ReadOptions(), store_.keys_cf(), key, &ignored).IsNotFound())
    return Status::OK();  // already gone: replaying an old erasure costs nothing
  rocksdb::WriteBatch batch;
  batch.Delete(store_.keys_cf(), key);
  if (auto s = store_.write(batch, true, "destroying a key"); !s.ok()) return s;
  // A delete only hides the value: flush the family and compact it so that no live table file holds it.
  // (The write-ahead log that carried it is deleted once the flush makes it obsolete.)
  if (auto s = store_.db()->Flush(rocksdb::FlushOptions(), store_.keys_cf()); !s.ok()) return from_rocks(s, "flushing keys");
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  return from_rocks(store_.db()->CompactRange(co, store_.keys_cf(), nullptr, nullptr), "compacting keys");
}

Result<std::vector<std::pair<std::string, std::string>>> list_keys(const RocksStore& store) {
  std::vector<std::pair<std::string, std::string>> out;
  if (store.keys_cf() == nullptr) return out;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), store.keys_cf()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(it->key().ToString(), it->value().ToString());
  if (!it->status().ok()) return from_rocks(it->status(), "listing keys");
  return out;
}

}  // namespace ejournal::log
