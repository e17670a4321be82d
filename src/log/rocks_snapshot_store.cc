#include "log/rocks_snapshot_store.h"

#include <memory>

#include "log/format.h"

namespace ejournal::log {
namespace {

std::string prefix_of(std::string_view projection) {
  std::string p(projection);
  p.push_back('\0');
  return p;
}

std::string key_of(std::string_view projection, Position position) {
  std::string k = prefix_of(projection);
  format::put_u64_be(k, position);
  return k;
}

Status writable(const RocksStore& store) {
  if (store.mode() != RocksStore::Mode::primary || store.snap_cf() == nullptr)
    return Status(Code::unsupported, "snapshots are read-only here");
  return Status::OK();
}

}  // namespace

Status RocksSnapshotStore::put(std::string_view projection, Position position, std::string_view bytes) {
  if (auto s = writable(store_); !s.ok()) return s;
  rocksdb::WriteBatch batch;
  batch.Put(store_.snap_cf(), key_of(projection, position), rocksdb::Slice(bytes.data(), bytes.size()));
  auto s = store_.write(batch, true, "storing a snapshot");
  if (s.ok()) note(projection, position, true);
  return s;
}

Result<std::vector<Position>> RocksSnapshotStore::positions(std::string_view projection) const {
  std::lock_guard lock(mu_);
  auto it = listed_.find(projection);
  if (it == listed_.end()) {
    auto scanned = scan(projection);
    if (!scanned.ok()) return scanned.status();
    it = listed_.emplace(std::string(projection), std::set<Position>(scanned->begin(), scanned->end())).first;
  }
  return std::vector<Position>(it->second.begin(), it->second.end());
}

// A put or remove updates a listed name after its write, under mu_; a first listing holds mu_ from before
// its iterator exists until the list is kept. So a write the iterator missed is applied to the kept list
// afterwards, and one it saw is applied again, which changes nothing.
void RocksSnapshotStore::note(std::string_view projection, Position position, bool stored) {
  std::lock_guard lock(mu_);
  auto it = listed_.find(projection);
  if (it == listed_.end()) return;
  if (stored) it->second.insert(position);
  else it->second.erase(position);
}

Result<std::vector<Position>> RocksSnapshotStore::scan(std::string_view projection) const {
  std::vector<Position> out;
  if (store_.snap_cf() == nullptr) return out;
  const std::string prefix = prefix_of(projection);
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;  // the blocks hold whole snapshots; they must not push the log's out of the cache
  std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(ro, store_.snap_cf()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != prefix.size() + 8) continue;
    out.push_back(format::get_u64_be(it->key().data() + prefix.size()));
  }
  if (!it->status().ok()) return from_rocks(it->status(), "listing snapshots");
  return out;
}

Result<std::string> RocksSnapshotStore::get(std::string_view projection, Position position) const {
  if (store_.snap_cf() == nullptr) return Status(Code::not_found, "no snapshots here");
  std::string value;
  auto s = store_.db()->Get(rocksdb::ReadOptions(), store_.snap_cf(), key_of(projection, position), &value);
  if (s.IsNotFound()) return Status(Code::not_found, "no snapshot of " + std::string(projection) + " at " + std::to_string(position));
  if (!s.ok()) return from_rocks(s, "reading a snapshot");
  return value;
}

Status RocksSnapshotStore::newest_first(std::string_view projection, Position at_most,
                                        const std::function<bool(Position, std::string_view)>& visit) const {
  if (store_.snap_cf() == nullptr) return Status::OK();
  {
    std::unique_lock lock(mu_);
    if (auto listed = listed_.find(projection); listed != listed_.end()) {
      const std::vector<Position> known(listed->second.begin(), listed->second.upper_bound(at_most));
      lock.unlock();
      for (auto p = known.rbegin(); p != known.rend(); ++p) {
        auto bytes = get(projection, *p);  // one removed since, or unreadable, is passed over: a cache
        if (bytes.ok() && visit(*p, *bytes)) return Status::OK();
      }
      return Status::OK();
    }
  }
  // Not listed yet: walk the keys backwards, each step reading the snapshot it lands on, and only those.
  const std::string prefix = prefix_of(projection);
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;  // as in scan()
  std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(ro, store_.snap_cf()));
  for (it->SeekForPrev(key_of(projection, at_most)); it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    if (it->key().size() != prefix.size() + 8) continue;
    const Position p = format::get_u64_be(it->key().data() + prefix.size());
    if (visit(p, {it->value().data(), it->value().size()})) return Status::OK();
  }
  return from_rocks(it->status(), "reading snapshots");
}

Status RocksSnapshotStore::remove(std::string_view projection, Position position) {
  if (auto s = writable(store_); !s.ok()) return s;
  rocksdb::WriteBatch batch;
  batch.Delete(store_.snap_cf(), key_of(projection, position));
  auto s = store_.write(batch, false, "removing a snapshot");
  if (s.ok()) note(projection, position, false);
  return s;
}

}  // namespace ejournal::log
