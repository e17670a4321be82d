// SnapshotStore: saved states of projections, beside the log in the same data directory (the `snap` family).
// A snapshot is named by its projection and the log position it reflects. The bytes are opaque here; the
// projections layer frames, compresses and checksums them. Snapshots are a cache: any of them may be lost or
// thrown away, and the state rebuilt from the log.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::log {

class SnapshotStore {
 public:
  virtual ~SnapshotStore() = default;
  // Stores the snapshot of `projection` at `position`, durably, replacing one at the same position.
  virtual Status put(std::string_view projection, Position position, std::string_view bytes) = 0;
  // Positions of the stored snapshots of `projection`, ascending.
  virtual Result<std::vector<Position>> positions(std::string_view projection) const = 0;
  // The snapshot of `projection` at `position`; not_found if there is none.
  virtual Result<std::string> get(std::string_view projection, Position position) const = 0;
  // Calls visit(position, bytes) for the stored snapshots of `projection` at or before `at_most`, newest
  // first, until it returns true. Reads only the snapshots it visits, where positions() may read them all
  // (a start, which wants the newest that restores, reads one).
  virtual Status newest_first(std::string_view projection, Position at_most,
                              const std::function<bool(Position, std::string_view)>& visit) const = 0;
  // Removes the snapshot (older ones are pruned to bound the space they take).
  virtual Status remove(std::string_view projection, Position position) = 0;
};

}  // namespace ejournal::log
