#include "ejournal/projections/host.h"

#include "ejournal/allocator.h"
#include "ejournal/wake_loop.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <iostream>
#include <list>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <tuple>

#include "replay.h"
#include "ejournal/log/snapshot_frame.h"
#include "stored_state.h"

namespace ejournal::projections {
namespace {

constexpr std::size_t kApplyBatch = 256;  // records per exclusive lock: readers wait at most that long

void warn(const std::string& msg) { log_warning(msg); }

// Applies records (from, to] of `log` to `p` (reading and applying on two threads when it is long).
Status replay(const log::EventLog& log, Projection& p, log::Position from, log::Position to) {
  Projection* one[] = {&p};
  const log::Position start[] = {from};
  return replay_parallel(log, one, start, to);
}

}  // namespace

std::string stored_snapshot(const Projection& projection, log::Position position) {
  return log::frame_snapshot(position, projection.snapshot());
}

Result<log::Position> restore_latest(const log::SnapshotStore& store, Projection& projection, log::Position position) {
  auto restored = restore_stored(store, projection, position);
  if (!restored.ok()) return restored.status();
  return restored->position;
}

struct ProjectionHost::State {
  log::EventLog& log;
  HostOptions options;
  std::vector<std::unique_ptr<Projection>> projections;
  std::vector<log::Position> checkpoints;  // per projection
  std::vector<Manifest> manifests;         // per projection: its last snapshot's parts (guarded by snap_write_mu)
  std::vector<log::Position> written;      // per projection: where its last snapshot was (guarded by snap_write_mu)
  std::vector<std::size_t> whole_bytes;    // per projection stored whole: its last snapshot's raw size

  mutable std::shared_mutex mu;       // projections and checkpoints
  std::mutex apply_mu;                // one applier at a time (the follower, catch_up, rebuild)
  std::atomic<log::Position> applied{0};
  mutable std::mutex applied_mu;      // pairs with applied_cv for wait_applied(); guards waiters
  mutable std::condition_variable applied_cv;
  std::multimap<log::Position, std::function<void()>> waiters;  // when_applied(), by position
  bool waiters_closed = false;  // the host stopped following: when_applied() runs at once
  log::Position last_snapshot = 0;   // when the last snapshot was due (guarded by apply_mu)
  log::Position last_compact = 0;    // when the live states were last compacted (guarded by apply_mu)

  std::mutex snap_write_mu;
  std::unique_ptr<WakeLoop> snapshotter;  // only when following: writes the snapshots catch_up() asks for

  log::Subscription subscription;
  std::unique_ptr<WakeLoop> follower;  // woken by each commit
  bool follow_failed = false;          // the follower's own: it stopped after an error

  // Past states evicted from the cache are freed on a thread of their own: freeing a year of the journal
  // takes milliseconds that no query should wait for.
  std::mutex reap_mu;
  std::vector<std::shared_ptr<const Projection>> to_free;  // guarded by reap_mu
  std::unique_ptr<WakeLoop> reaper;

  void reap() {
    std::vector<std::shared_ptr<const Projection>> batch;
    {
      std::lock_guard lock(reap_mu);
      batch.swap(to_free);
    }
  }

  std::mutex cache_mu;
  using CacheKey = std::tuple<std::string, log::Position, Projection::PartKey>;
  std::list<std::pair<CacheKey, std::shared_ptr<const Projection>>> cache;

  State(log::EventLog& l, HostOptions o) : log(l), options(o) {}

  // Runs (on this thread, outside every lock) the when_applied() callbacks whose position is applied.
  void run_waiters(log::Position upto) {
    std::vector<std::function<void()>> due;
    {
      std::lock_guard applied_lock(applied_mu);
      const auto end = waiters.upper_bound(upto);
      for (auto it = waiters.begin(); it != end; ++it) due.push_back(std::move(it->second));
      waiters.erase(waiters.begin(), end);
    }
    for (auto& fn : due) fn();
  }

  // No more applying (the host stops, or stopped following): every waiting callback runs now, and later
  // ones at once, so that nothing waits for a position that will not come.
  void close_waiters() {
    {
      std::lock_guard applied_lock(applied_mu);
      waiters_closed = true;
    }
    run_waiters(~log::Position{0});
  }

  std::size_t index_of(std::string_view name) const {
    for (std::size_t i = 0; i < projections.size(); ++i)
      if (projections[i]->name() == name) return i;
    return projections.size();
  }

  // REQUIRES: `mu` held exclusively, or no other thread sees the state yet. Then call release_free_memory()
  // (after releasing `mu`: trimming a big heap takes a while) to hand back what the compactions freed.
  void compact_all() {
    for (auto& p : projections) p->compact();
    last_compact = applied.load();
  }

  Result<log::Position> catch_up() {
    std::lock_guard apply_lock(apply_mu);
    const log::Position head = log.head();
    auto c = log.cursor(applied.load() + 1);
    while (c->valid() && c->position() <= head) {
      std::unique_lock lock(mu);  // released before a snapshot, which reads under a shared lock
      for (std::size_t n = 0; n < kApplyBatch && c->valid() && c->position() <= head; ++n, c->next()) {
        const EventView view = view_of(c->position(), c->bytes());
        for (std::size_t i = 0; i < projections.size(); ++i) {
          if (checkpoints[i] >= view.position) continue;
          projections[i]->apply(view);
          checkpoints[i] = view.position;
        }
        applied.store(view.position);
      }
      const bool compact = options.compact_every > 0 && applied.load() - last_compact >= options.compact_every;
      if (compact) compact_all();
      lock.unlock();
      if (compact) release_free_memory();
      run_waiters(applied.load());
      applied_cv.notify_all();
      if (snapshot_due(head)) {
        last_snapshot = applied.load();
        if (snapshotter) {
          // Encoding, compressing and storing take long for big states: the snapshot thread does it, and
          // this thread goes on applying (it waits only while one projection is being encoded).
          snapshotter->wake();
        } else if (auto s = write_all_snapshots(); !s.ok()) {
          warn("cannot write snapshots: " + s.to_string());
        }
      }
    }
    if (!c->status().ok()) return c->status();
    return applied.load();
  }

  // The backlog at start: every projection replayed from its own checkpoint to `head`, reading and folding
  // on several threads (replay.h). It goes in stretches of `snapshot_every` events, so a first start on an
  // old log leaves what as_of needs: deep in the backlog, a snapshot per history spacing (history_every
  // for a whole state, part_history_every for a partitioned one), then one every `snapshot_every`. Called
  // before any other thread can see the state.
  Status replay_backlog(log::Position head) {
    std::vector<Projection*> targets;
    for (auto& p : projections) targets.push_back(p.get());
    while (applied.load() < head) {
      const log::Position at = applied.load();
      log::Position to = head;
      if (options.snapshot_every > 0) to = std::min<log::Position>(head, (at / options.snapshot_every + 1) * options.snapshot_every);
      // After the last stretch each projection compacts on its own thread, beside those still folding.
      const auto compact = [&](std::size_t i) { targets[i]->compact(); };
      if (auto s = replay_parallel(log, targets, checkpoints, to, to == head ? compact : std::function<void(std::size_t)>{}); !s.ok())
        return s;
      for (auto& c : checkpoints) c = std::max(c, to);
      applied.store(to);
      if (to < head) {
        last_snapshot = to;
        const auto due = [&](std::size_t i) {
          const std::uint64_t spacing = history_spacing(i);
          if (spacing == 0) return head - to < options.snapshot_every;  // no history: only the newest serves
          if (head - to < options.keep_snapshots * options.snapshot_every) return true;  // among the newest kept
          return to / spacing != written[i] / spacing;
        };
        if (auto s = write_snapshots_of(due); !s.ok()) warn("cannot write snapshots: " + s.to_string());
      }
    }
    return Status::OK();
  }

  // Every `snapshot_every` events — except deep in a long backlog (a first start on an old log), where only
  // the snapshots that retention keeps for as_of are worth writing: one per `history_every` events.
  bool snapshot_due(log::Position head) const {
    const log::Position at = applied.load();
    if (options.snapshot_every == 0 || at - last_snapshot < options.snapshot_every) return false;
    const std::uint64_t h = options.history_every;
    if (h == 0 || head - at < h) return true;
    return at / h != last_snapshot / h;
  }

  // Writes a snapshot of each projection at its own checkpoint. Each is encoded under the shared lock (a
  // consistent state; apply waits meanwhile) — for a partitioned one, only the parts changed since its last
  // snapshot — then framed, compressed and stored without any lock.
  Status write_all_snapshots() {
    return write_snapshots_of([](std::size_t) { return true; });
  }

  template <typename Due>
  Status write_snapshots_of(Due&& due) {
    std::lock_guard write_lock(snap_write_mu);  // one writer of the snap family at a time
    auto& store = log.snapshot_store();
    for (std::size_t i = 0;; ++i) {
      std::string name;
      EncodedSnapshot encoded;
      log::Position at = 0;
      {
        std::shared_lock lock(mu);
        if (i >= projections.size()) break;
        if (!due(i) || written[i] == checkpoints[i]) continue;
        name = std::string(projections[i]->name());
        encoded = encode_snapshot(*projections[i], manifests[i]);
        if (!encoded.partitioned) whole_bytes[i] = encoded.whole.size();
        at = checkpoints[i];
      }
      const bool partitioned = encoded.partitioned;
      std::uint64_t spacing = 0;
      std::size_t keep = options.keep_snapshots;
      {
        std::shared_lock lock(mu);
        spacing = history_spacing(i);
        // A projection that needs no history (the audit) serves no as_of from its snapshots: the newest two
        // (one to fall back on) are all a start needs.
        if (!projections[i]->needs_history()) keep = std::min<std::size_t>(keep, kKeepWithoutHistory);
      }
      auto manifest = store_snapshot(store, name, at, std::move(encoded));
      if (!manifest.ok()) return manifest.status();
      manifests[i] = std::move(*manifest);
      written[i] = at;
      prune(store, name, partitioned, spacing, keep);
    }
    return Status::OK();
  }

  // Events between the older snapshots kept for as_of (0: none are kept).
  // A small whole state (under kSmallState bytes: the roster, the statistics) is kept as densely as parts.
  static constexpr std::size_t kSmallState = 4 << 20;
  static constexpr std::size_t kKeepWithoutHistory = 2;
  std::uint64_t history_spacing(std::size_t i) const {
    const Projection& p = *projections[i];
    if (!p.needs_history()) return 0;
    if (!p.parts().empty() || whole_bytes[i] < kSmallState) return options.part_history_every;
    return options.history_every;
  }

  // Keeps the newest `keep` snapshots of `name`; of older ones, the first of every history
  // spacing, so as_of far back replays little. A removed snapshot takes the part bytes only it named.
  void prune(log::SnapshotStore& store, const std::string& name, bool partitioned, std::uint64_t spacing, std::size_t keep) {
    auto positions = store.positions(name);
    if (!positions.ok() || positions->size() <= keep) return;
    std::vector<log::Position> gone;
    std::vector<Manifest> kept;
    std::uint64_t kept_bucket = ~std::uint64_t{0};
    for (std::size_t k = 0; k < positions->size(); ++k) {
      const log::Position p = (*positions)[k];
      const bool newest = k + keep >= positions->size();
      const std::uint64_t bucket = spacing > 0 ? p / spacing : kept_bucket;
      if (newest || bucket != kept_bucket) {
        if (!newest) kept_bucket = bucket;
        if (partitioned) kept.push_back(manifest_at(store, name, p));
        continue;
      }
      gone.push_back(p);
    }
    remove_snapshots(store, name, gone, kept);
  }

  void write_requested_snapshots() {
    if (auto s = write_all_snapshots(); !s.ok()) warn("cannot write snapshots: " + s.to_string());
  }

  // One step of the follower: everything committed so far. After an error it follows no more.
  void follow() {
    if (follow_failed || log.head() <= applied.load()) return;
    if (auto r = catch_up(); !r.ok()) {
      warn("projections stopped following the log: " + r.status().to_string());
      close_waiters();
      follow_failed = true;
    }
  }
};

ProjectionHost::ProjectionHost(std::unique_ptr<State> state) : state_(std::move(state)) {}

Result<std::unique_ptr<ProjectionHost>> ProjectionHost::start(log::EventLog& log,
                                                              std::vector<std::unique_ptr<Projection>> projections,
                                                              HostOptions options) {
  auto st = std::make_unique<State>(log, options);
  const log::Position head = log.head();
  log::Position lowest = head;
  // Each projection from its snapshot, on two threads: a restore is decoding, building tables and the
  // kernel zeroing their pages, one core's work each, and the audit alone is over half of it.
  std::vector<Result<Restored>> restored(projections.size(), Result<Restored>(Restored{}));
  if (options.from_snapshots) {
    std::atomic<std::size_t> next{0};
    const auto work = [&] {
      for (std::size_t i = next++; i < projections.size(); i = next++)
        restored[i] = restore_stored(log.snapshot_store(), *projections[i], head);
    };
    std::thread helper(work);
    work();
    helper.join();
  }
  for (std::size_t i = 0; i < projections.size(); ++i) {
    if (!restored[i].ok()) return restored[i].status();
    st->checkpoints.push_back(restored[i]->position);
    st->manifests.push_back(std::move(restored[i]->manifest));
    st->written.push_back(restored[i]->position);
    st->whole_bytes.push_back(0);
    lowest = std::min(lowest, restored[i]->position);
  }
  st->projections = std::move(projections);
  st->applied.store(lowest);
  st->last_snapshot = lowest;
  if (auto s = st->replay_backlog(head); !s.ok()) return s;
  st->compact_all();
  release_free_memory();
  if (auto r = st->catch_up(); !r.ok()) return r.status();
  std::unique_ptr<ProjectionHost> host(new ProjectionHost(std::move(st)));
  State* s = host->state_.get();
  s->reaper = std::make_unique<WakeLoop>([s] { s->reap(); }, WakeLoop::AtStop::finish_requested);
  if (options.follow) {
    s->snapshotter = std::make_unique<WakeLoop>([s] { s->write_requested_snapshots(); }, WakeLoop::AtStop::finish_requested);
    s->follower = std::make_unique<WakeLoop>([s] { s->follow(); });
    s->subscription = log.on_commit([s](log::Position) { s->follower->wake(); });
    s->follower->wake();  // what was committed between the start's catch_up and the subscription
  }
  return host;
}

ProjectionHost::~ProjectionHost() {
  state_->reaper->stop();  // frees what waits first
  if (state_->follower) state_->follower->stop();
  state_->subscription.reset();  // no commit wakes the stopped follower any more
  state_->close_waiters();
  if (state_->snapshotter) state_->snapshotter->stop();  // finishes a requested snapshot first
  if (!state_->options.snapshot_at_stop) return;
  std::lock_guard apply_lock(state_->apply_mu);
  if (auto s = state_->write_all_snapshots(); !s.ok()) warn("cannot write snapshots at shutdown: " + s.to_string());
}

void ProjectionHost::read_raw(std::string_view name, const std::function<void(const Projection&)>& fn) const {
  std::shared_lock lock(state_->mu);
  const std::size_t i = state_->index_of(name);
  if (i < state_->projections.size()) fn(*state_->projections[i]);
}

Result<log::Position> ProjectionHost::catch_up() { return state_->catch_up(); }
log::Position ProjectionHost::applied() const { return state_->applied.load(); }

log::Position ProjectionHost::wait_applied(log::Position position, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->applied_mu);
  state_->applied_cv.wait_for(lock, timeout, [&] { return state_->applied.load() >= position; });
  return state_->applied.load();
}

void ProjectionHost::when_applied(log::Position position, std::function<void()> fn) {
  {
    std::lock_guard lock(state_->applied_mu);
    if (!state_->waiters_closed && state_->applied.load() < position) {
      state_->waiters.emplace(position, std::move(fn));
      return;
    }
  }
  fn();
}

Status ProjectionHost::write_snapshots() { return state_->write_all_snapshots(); }

Status ProjectionHost::rebuild(std::string_view name) {
  State& st = *state_;
  std::lock_guard apply_lock(st.apply_mu);
  const std::size_t i = st.index_of(name);
  if (i == st.projections.size()) return Status(Code::not_found, "no projection " + std::string(name));
  auto fresh = st.projections[i]->fresh();
  const log::Position to = st.applied.load();
  if (auto s = replay(st.log, *fresh, 0, to); !s.ok()) return s;
  fresh->compact();
  std::unique_lock lock(st.mu);
  st.projections[i] = std::move(fresh);
  st.checkpoints[i] = to;
  return Status::OK();
}

Result<std::shared_ptr<const Projection>> ProjectionHost::as_of(std::string_view name, log::Timestamp time,
                                                                Projection::PartKey part) {
  State& st = *state_;
  const std::size_t i = st.index_of(name);
  if (i == st.projections.size()) return Status(Code::not_found, "no projection " + std::string(name));
  auto position = st.log.position_at(time);
  if (!position.ok()) return position.status();
  const State::CacheKey key{std::string(name), *position, part};
  {
    std::lock_guard lock(st.cache_mu);
    for (auto it = st.cache.begin(); it != st.cache.end(); ++it) {
      if (it->first == key) {
        st.cache.splice(st.cache.begin(), st.cache, it);
        return st.cache.front().second;
      }
    }
  }
  std::shared_ptr<Projection> past =
      part == Projection::kAllParts ? st.projections[i]->fresh() : st.projections[i]->fresh_in_scope(part);
  // The snapshot that should serve is the newest at or before the position; its records are read while it
  // is restored (replay.h).
  auto& store = st.log.snapshot_store();
  auto stored = store.positions(name);
  if (!stored.ok()) return stored.status();
  log::Position expected = log::kNoPosition;
  for (log::Position p : *stored)
    if (p <= *position) expected = p;
  const auto restore = [&]() -> Result<log::Position> {
    auto from = restore_stored(store, *past, *position, part);
    if (!from.ok()) return from.status();
    return from->position;
  };
  if (auto s = restore_and_replay(st.log, *past, expected, *position, restore); !s.ok()) return s;
  std::vector<std::shared_ptr<const Projection>> evicted;
  {
    std::lock_guard lock(st.cache_mu);
    st.cache.emplace_front(key, past);
    while (st.cache.size() > st.options.as_of_cache) {
      evicted.push_back(std::move(st.cache.back().second));
      st.cache.pop_back();
    }
  }
  if (!evicted.empty()) {
    {
      std::lock_guard lock(st.reap_mu);
      for (auto& e : evicted) st.to_free.push_back(std::move(e));
    }
    st.reaper->wake();
  }
  return std::shared_ptr<const Projection>(past);
}

}  // namespace ejournal::projections
