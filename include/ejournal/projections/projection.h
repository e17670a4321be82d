// Projection: a read model folded from the log — the journal, the diary, the audit trail, the roster …
//
// Contract for implementations:
//  - apply() is a pure fold: deterministic, no I/O, no clock, changes only the projection's own state. So a
//    projection rebuilt by replay from position 1, one restored from a snapshot plus the tail, and one fed
//    live all reach the same state.
//  - snapshot() encodes the whole state (FlatBuffers); restore() replaces the state with a decoded one, or
//    refuses bytes it cannot verify and leaves the state as it was.
//  - fresh() makes an empty projection of the same kind (for rebuilding and "as of" states).
// Thread-safety: none inside; the ProjectionHost serialises apply() against queries.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ejournal/fb/envelope_generated.h"
#include "ejournal/log/envelope.h"
#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::projections {

// One committed event as a projection sees it. The envelope is valid during apply() only.
struct EventView {
  log::Position position;
  log::Timestamp recorded_at;
  std::uint32_t actor;
  const fb::Envelope& envelope;
  std::size_t stored_bytes = 0;  // the record's size in the log, before RocksDB compresses it
};

// The view of a record as the log stores it (a cursor's bytes, already verified by the log).
inline EventView view_of(log::Position position, std::string_view bytes) {
  const fb::Envelope* env = log::envelope_of(bytes);
  return EventView{position, env->header()->recorded_at_us(), static_cast<std::uint32_t>(env->header()->actor()), *env,
                   bytes.size()};
}

class Projection {
 public:
  virtual ~Projection() = default;
  // Stable name: the key of its snapshots ("roster", "journal" …).
  virtual std::string_view name() const = 0;
  virtual void apply(const EventView& event) = 0;
  virtual std::string snapshot() const = 0;
  virtual Status restore(std::string_view bytes) = 0;
  virtual std::unique_ptr<Projection> fresh() const = 0;
};

}  // namespace ejournal::projections
