// SnapshotStore on the data directory's RocksDB, in the `snap` family: key = projection name ‖ 0x00 ‖
// position (8 bytes big-endian). Internal to src/log. Thread-safe.
//
// Listing a projection's positions walks its keys, and a RocksDB iterator reads each key's whole block,
// value included: a snapshot of several megabytes is a block of its own. So the first listing of a name
// reads every stored snapshot of it (half a second for the audit at 11 million events), and the store
// then keeps that name's positions in memory. The store belongs to the primary, the directory's one
// writer, and every put and remove goes through it, so the kept lists stay exact. A start does not list:
// it reads snapshots newest first and stops at the first that restores (newest_first).
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "ejournal/log/snapshot_store.h"
#include "log/rocks_store.h"

namespace ejournal::log {

class RocksSnapshotStore final : public SnapshotStore {
 public:
  explicit RocksSnapshotStore(RocksStore& store) : store_(store) {}
  Status put(std::string_view projection, Position position, std::string_view bytes) override;
  Result<std::vector<Position>> positions(std::string_view projection) const override;
  Result<std::string> get(std::string_view projection, Position position) const override;
  Status newest_first(std::string_view projection, Position at_most,
                      const std::function<bool(Position, std::string_view)>& visit) const override;
  Status remove(std::string_view projection, Position position) override;

 private:
  Result<std::vector<Position>> scan(std::string_view projection) const;
  void note(std::string_view projection, Position position, bool stored);

  RocksStore& store_;
  mutable std::mutex mu_;  // guards listed_; held through a name's first listing (see note())
  mutable std::map<std::string, std::set<Position>, std::less<>> listed_;  // names listed so far
};

}  // namespace ejournal::log
