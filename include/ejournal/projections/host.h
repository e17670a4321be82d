// ProjectionHost: keeps a set of projections current with the log, cheap to restart, and able to show any
// of them as it stood at a past time.
//
// Start: each projection is restored from its newest snapshot that verifies (a damaged one is skipped with a
// log line, and an older one or a full replay serves), then the log tail is replayed. After that a thread of
// the host follows the log: it is woken by the log's commit signal (no polling) and applies new records in
// order. Snapshots are written every `snapshot_every` events and when the host stops. After the start's
// replay and every `compact_every` events the host lets each projection rearrange its memory (compact()).
//
// Reading: read() runs a function on a projection's live state under a shared lock; apply takes the lock
// exclusively for a batch of at most a few hundred records, so readers wait microseconds, never a replay.
// as_of(time) gives the state after the last record recorded at or before `time`: nearest snapshot at or
// before that position, plus replay; a few recent such states are cached. Snapshots of a partitioned
// projection are stored by part (projection.h), a closed year once, so they are kept dense for as_of.
//
// Thread-safety: all public methods may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "ejournal/log/event_log.h"
#include "ejournal/projections/projection.h"

namespace ejournal::projections {

struct HostOptions {
  std::uint64_t snapshot_every = 100'000;  // events between snapshots
  std::size_t keep_snapshots = 8;          // per projection, the newest (at most 2 of one that needs no
                                           // history); of older ones, one per
  std::uint64_t history_every = 1'000'000; // of older snapshots, one per this many events is kept for as_of (0: none)
  std::uint64_t part_history_every = 100'000;  // the same for partitioned projections, whose snapshots cost
                                               // only the parts that changed
  std::size_t as_of_cache = 4;             // past states kept
  bool follow = true;                      // follow the log on a thread (false: tests call catch_up())
  std::uint64_t compact_every = 100'000;   // events between compactions of the live states (Projection::
                                           // compact, which holds them exclusively for up to tens of ms);
                                           // 0: only after the start's replay
  bool from_snapshots = true;              // false: start every projection from position 1, ignoring stored
                                           // snapshots (a full rebuild; they are still written as configured)
  bool snapshot_at_stop = true;            // write a snapshot of every projection when the host stops (false:
                                           // a benchmark of replay, whose writes would compete with the next pass)
};

class ProjectionHost {
 public:
  // The log must outlive the host.
  static Result<std::unique_ptr<ProjectionHost>> start(log::EventLog& log,
                                                       std::vector<std::unique_ptr<Projection>> projections,
                                                       HostOptions options = {});
  // Stops following and writes a snapshot of every projection (unless options.snapshot_at_stop is false).
  ~ProjectionHost();

  // Runs fn(const P&) on projection `name`'s live state. REQUIRES: `name` exists and is of type P.
  template <typename P, typename F>
  auto read(std::string_view name, F&& fn) const {
    decltype(fn(std::declval<const P&>())) out{};
    read_raw(name, [&](const Projection& p) { out = fn(static_cast<const P&>(p)); });
    return out;
  }
  void read_raw(std::string_view name, const std::function<void(const Projection&)>& fn) const;

  // The state of `name` as of `time` (see above). Immutable; shared with the cache. For a partitioned
  // projection, `part` names the one part the caller asks about (the journal: the academic year): the state
  // is then restored and replayed in that part's scope only (projection.h), which costs one part.
  Result<std::shared_ptr<const Projection>> as_of(std::string_view name, log::Timestamp time,
                                                  Projection::PartKey part = Projection::kAllParts);

  // Applies every committed record not applied yet; returns the position applied up to.
  Result<log::Position> catch_up();
  log::Position applied() const;
  // Blocks until every record up to `position` is applied, or the timeout passes; returns applied().
  log::Position wait_applied(log::Position position, std::chrono::milliseconds timeout) const;
  // Runs `fn` once every record up to `position` is applied, without a thread waiting meanwhile: at once on
  // the calling thread when it already is, else on the applying thread (the follower, or catch_up()'s caller)
  // right after the batch that reaches it — so `fn` must be short (post the work elsewhere). When the host
  // stops, or stops following after an error, every waiting `fn` runs then, whatever was applied.
  void when_applied(log::Position position, std::function<void()> fn);

  // Throws away `name`'s state and replays it from position 1.
  Status rebuild(std::string_view name);
  // Writes a snapshot of every projection, each at the position it has applied.
  Status write_snapshots();

 private:
  struct State;
  explicit ProjectionHost(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// `projection`'s state at `position` framed exactly as the `snap` family stores it (docs/projections.md), so
// an archive can carry it and a restore put it back unchanged.
std::string stored_snapshot(const Projection& projection, log::Position position);

// Restores `projection` from the newest snapshot at or before `position` that verifies; returns the position
// it reflects (kNoPosition and an untouched projection when none serves). For tools and tests.
Result<log::Position> restore_latest(const log::SnapshotStore& store, Projection& projection, log::Position position);

// What check_snapshots() found.
struct SnapshotCheck {
  std::uint64_t snapshots = 0;        // stored snapshots of the catalogue's projections checked
  std::uint64_t parts = 0;            // parts their manifests name, checked
  std::uint64_t bad = 0;              // snapshots with a damaged frame, checksum, manifest or part
  std::vector<std::string> problems;  // the first 20, one line each
  bool ok() const { return bad == 0; }
};

// Checks every stored snapshot of every projection in the catalogue: its frame and checksum, and for a
// partitioned one its manifest and every part it names; and the frames of the domain's write model snapshots
// (name "domain"). A damaged snapshot loses nothing (the host or the domain skips it and replays the log
// instead); this says which. An error status only when the store cannot be read.
Result<SnapshotCheck> check_snapshots(const log::SnapshotStore& store);

}  // namespace ejournal::projections
