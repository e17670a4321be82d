// Projection: a read model folded from the log — the journal, the diary, the audit trail, the roster …
//
// Contract for implementations:
//  - apply() is a pure fold: deterministic, no I/O, no clock, changes only the projection's own state. So a
//    projection rebuilt by replay from position 1, one restored from a snapshot plus the tail, and one fed
//    live all reach the same state.
//  - snapshot() encodes the whole state (FlatBuffers); restore() replaces the state with a decoded one, or
//    refuses bytes it cannot verify and leaves the state as it was.
//  - fresh() makes an empty projection of the same kind (for rebuilding and "as of" states).
//  - Optionally, the state is partitioned (the journal, by academic year): a shared part (key 0) and parts
//    by key, each with a stamp that changes whenever the part does. The host then stores a snapshot as its
//    parts, writes a part again only when its stamp has changed (a closed year is written once and named
//    by reference afterwards), and as_of can restore the shared part and one other, in scope: a state that
//    holds only them and whose apply() ignores what concerns other parts. Such a scoped state answers the
//    queries about its part exactly as the whole state would.
// Thread-safety: none inside; the ProjectionHost serialises apply() against queries.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ejournal/fb/envelope_generated.h"
#include "ejournal/log/envelope.h"
#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::projections {

// One committed event as a projection sees it. The envelope is valid during apply() only.
// The event's kind and table are read from the envelope once, when the view is made: projections ask for
// them with `type` and as<T>() rather than envelope.event_type() and event_as_T(), each of which reads the
// envelope's vtable again (six projections did so several times per event).
struct EventView {
  log::Position position;
  log::Timestamp recorded_at;
  std::uint32_t actor;
  const fb::Envelope& envelope;
  std::size_t stored_bytes = 0;  // the record's size in the log, before RocksDB compresses it
  fb::Event type = fb::Event::NONE;  // envelope.event_type()
  const void* event = nullptr;       // envelope.event()

  // The event as a T when it is one, else nullptr (as envelope.event_as_T()).
  template <typename T>
  const T* as() const {
    return type == fb::EventTraits<T>::enum_value ? static_cast<const T*>(event) : nullptr;
  }
};

// The view of a record as the log stores it (a cursor's bytes, already verified by the log).
inline EventView view_of(log::Position position, std::string_view bytes) {
  const fb::Envelope* env = log::envelope_of(bytes);
  return EventView{position, env->header()->recorded_at_us(), static_cast<std::uint32_t>(env->header()->actor()), *env,
                   bytes.size(), env->event_type(), env->event()};
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

  // Whether as_of needs this projection's older snapshots. A projection whose past states are a filter of
  // its live one (the audit: a prefix of its entries, by position) answers "as of" from the live state, and
  // the host keeps only its newest snapshots, for restarts.
  virtual bool needs_history() const { return true; }
  // Rearranges the state's memory for faster queries; changes nothing a query or snapshot() can see. May
  // take tens of milliseconds: the host calls it after a long replay and every HostOptions::compact_every
  // events, holding the state exclusively.
  virtual void compact() {}

  // Partitioned state (see above); a projection that is not partitioned keeps these defaults.
  using PartKey = std::uint32_t;
  static constexpr PartKey kSharedPart = 0;
  static constexpr PartKey kAllParts = ~PartKey{0};  // the scope of a whole state
  struct PartStamp {
    PartKey key = kSharedPart;
    std::uint64_t stamp = 0;  // changes whenever the part does (e.g. the last position that changed it)
  };
  // The parts of the state, shared part first then by key; empty when the projection is not partitioned.
  virtual std::vector<PartStamp> parts() const { return {}; }
  // One part's bytes (FlatBuffers), for a key parts() lists.
  virtual std::string snapshot_part(PartKey /*key*/) const { return {}; }
  // Replaces the state with the given parts (bytes from snapshot_part, the shared part among them), holding
  // all of them when `scope` is kAllParts, else only the shared part and part `scope`, in scope. Refuses
  // bytes it cannot verify and leaves the state as it was.
  virtual Status restore_parts(std::span<const std::string_view> /*parts*/, PartKey /*scope*/) {
    return Status(Code::unsupported, "not a partitioned projection");
  }
  // An empty state in scope of part `scope` (no snapshot to start from).
  virtual std::unique_ptr<Projection> fresh_in_scope(PartKey /*scope*/) const { return fresh(); }
};

}  // namespace ejournal::projections
