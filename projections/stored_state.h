// How a projection's state is kept in the `snap` family (docs/projections.md, "Snapshot bytes").
//
// A projection that is not partitioned is stored whole: one frame (ejournal/log/snapshot_frame.h) at (name, position).
// A partitioned one is stored as parts: each part a frame at ("<name>#<key>", position written), and at
// (name, position) a frame whose raw bytes are a manifest (schema/snapshot_manifest.fbs) naming the part
// bytes it is made of. A part whose stamp has not changed since the previous snapshot is named again, not
// written again, so a closed academic year is stored once however many snapshots follow.
// Internal to projections/.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ejournal/log/snapshot_store.h"
#include "ejournal/projections/projection.h"

namespace ejournal::projections {

struct PartRef {
  Projection::PartKey key = Projection::kSharedPart;
  std::uint64_t stamp = 0;
  log::Position stored_at = log::kNoPosition;
  friend bool operator==(const PartRef&, const PartRef&) = default;
};
using Manifest = std::vector<PartRef>;  // empty: the state is stored whole

// A snapshot encoded under the projection's lock, to be compressed and stored without it.
struct EncodedSnapshot {
  std::string whole;  // the state's bytes, for a projection that is not partitioned
  struct Part {
    Projection::PartStamp stamp;
    std::optional<std::string> raw;  // absent: unchanged since `previous`, named again
    log::Position stored_at = log::kNoPosition;
  };
  std::vector<Part> parts;
  bool partitioned = false;
};

// Encodes `projection`; `previous` is the manifest of its last snapshot (parts with the same stamp there
// are not encoded again).
EncodedSnapshot encode_snapshot(const Projection& projection, const Manifest& previous);

// Stores an encoded snapshot of `name` at `position`; returns its manifest (empty when stored whole).
Result<Manifest> store_snapshot(log::SnapshotStore& store, std::string_view name, log::Position position,
                                EncodedSnapshot encoded);

// What a restore read.
struct Restored {
  log::Position position = log::kNoPosition;  // kNoPosition: nothing served, the projection is untouched
  Manifest manifest;
};

// Restores `projection` from the newest snapshot of its name at or before `position` that verifies
// (damaged ones are skipped with a log line). `scope`: all parts, or the shared part and that one (a state
// in scope, Projection::restore_parts); a whole-stored snapshot restores whole whatever the scope.
Result<Restored> restore_stored(const log::SnapshotStore& store, Projection& projection, log::Position position,
                                Projection::PartKey scope = Projection::kAllParts);

// Removes the snapshots of `name` at `positions`, then every stored part that `kept` (the manifests of the
// snapshots that stay) does not name — theirs, and any left by a crash between parts and manifest. Called
// by the one writer of the family, after its newest manifest is stored.
void remove_snapshots(log::SnapshotStore& store, std::string_view name, const std::vector<log::Position>& positions,
                      const std::vector<Manifest>& kept);

// The manifest of the snapshot of `name` at `position` (empty when stored whole or unreadable).
Manifest manifest_at(const log::SnapshotStore& store, std::string_view name, log::Position position);

// A warning on the log (stderr), as the host writes them.
void log_warning(const std::string& msg);

// The store name of a part's bytes: "<name>#<key>".
std::string part_name(std::string_view name, Projection::PartKey key);

}  // namespace ejournal::projections
