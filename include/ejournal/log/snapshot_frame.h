// The frame around a snapshot's bytes (a projection's state, or the domain's write model), as stored in the
// `snap` family and in archives (docs/projections.md, "Snapshot bytes"):
//   "EJP1" ‖ version (4 bytes BE, 3) ‖ position (8 BE) ‖ raw size (8 BE) ‖ BLAKE2b-128(position ‖ zstd(raw)) ‖ zstd(raw)
// Still read: "EJS1" with version 2 (the same layout) or 1 (which hashed position ‖ raw).
// A snapshot whose frame, checksum or decompression fails is not used (the host falls back to an older one
// or to replaying the log).
#pragma once

#include <string>
#include <string_view>

#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::log {

std::string frame_snapshot(Position position, std::string_view raw);

struct Unframed {
  Position position = kNoPosition;
  std::string raw;
};
// corruption when anything about the frame does not hold.
Result<Unframed> unframe_snapshot(std::string_view framed);

}  // namespace ejournal::log
