// SnapshotStore on the data directory's RocksDB, in the `snap` family: key = projection name ‖ 0x00 ‖
// position (8 bytes big-endian). Internal to src/log.
#pragma once

#include "ejournal/log/snapshot_store.h"
#include "log/rocks_store.h"

namespace ejournal::log {

class RocksSnapshotStore final : public SnapshotStore {
 public:
  explicit RocksSnapshotStore(RocksStore& store) : store_(store) {}
  Status put(std::string_view projection, Position position, std::string_view bytes) override;
  Result<std::vector<Position>> positions(std::string_view projection) const override;
  Result<std::string> get(std::string_view projection, Position position) const override;
  Status remove(std::string_view projection, Position position) override;

 private:
  RocksStore& store_;
};

}  // namespace ejournal::log
