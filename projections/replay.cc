#include "replay.h"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ejournal::projections {
namespace {

constexpr std::size_t kBatchRecords = 4096;
constexpr std::size_t kBatchBytes = 1 << 20;
constexpr std::size_t kWindow = 8;  // batches read ahead of the slowest projection
// Threads that fold, each a share of the projections: with the reader, enough for two cores, where a thread
// per projection spent its time waking up and handing batches around. In catalog order (roster, journal,
// audit, control, stats, accounts) the heavy journal and audit fall on different threads.
constexpr std::size_t kAppliers = 3;
constexpr std::size_t kRestoreWindow = 64;  // while a snapshot is restored: a stretch between snapshots
// Below this many records, threads cost more than they save: one thread applies them in turn.
constexpr log::Position kSerialBelow = 2 * kBatchRecords;

// Records in log order, each starting 8-byte aligned (FlatBuffers reads scalars in place), with each one's
// view made once here rather than once per projection. Records the cursor lets keep (a sealed segment's,
// see LogCursor::owner) are held by their owner; others are copied into `words`. The two never mix in a
// batch, so that the copies' offsets become views only once `words` stops moving.
struct Batch {
  log::Position first = 0;
  std::vector<std::shared_ptr<const void>> owners;  // of the kept records
  std::vector<std::string_view> kept;
  std::vector<std::uint64_t> words;                 // the copied records
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // their byte offsets and sizes
  std::vector<EventView> views;                     // made by seal()

  std::size_t size() const { return kept.size() + spans.size(); }
  bool keeps() const { return !kept.empty(); }
  // Whether the record now under `c` can join (a batch is all kept or all copied), and then adds it.
  bool add(const log::LogCursor& c) {
    const std::shared_ptr<const void>& owner = c.owner();
    if (size() > 0 && (owner != nullptr) != keeps()) return false;
    if (owner != nullptr) {
      if (owners.empty() || owners.back() != owner) owners.push_back(owner);
      if (kept.empty()) kept.reserve(kBatchRecords);
      kept.push_back(c.bytes());
    } else {
      copy(c.bytes());
    }
    return true;
  }
  bool full() const { return size() >= kBatchRecords || words.size() * sizeof(std::uint64_t) >= kBatchBytes; }
  // After the last add(): the views.
  void seal() {
    views.reserve(size());
    for (std::size_t i = 0; i < kept.size(); ++i) views.push_back(view_of(first + i, kept[i]));
    const char* base = reinterpret_cast<const char*>(words.data());
    for (std::size_t i = 0; i < spans.size(); ++i)
      views.push_back(view_of(first + i, {base + spans[i].first, spans[i].second}));
  }

 private:
  void copy(std::string_view bytes) {
    if (words.capacity() == 0) {  // sized once: growing by doubling copied each batch's bytes twice over
      words.reserve(kBatchBytes / sizeof(std::uint64_t) + (64 << 10) / sizeof(std::uint64_t));
      spans.reserve(kBatchRecords);
    }
    const std::size_t offset = words.size() * sizeof(std::uint64_t);
    words.resize(words.size() + (bytes.size() + 7) / 8);
    std::memcpy(reinterpret_cast<char*>(words.data()) + offset, bytes.data(), bytes.size());
    spans.emplace_back(offset, bytes.size());
  }
};

// Batches in log order, shared by one reader and the projections' threads.
class Pipeline {
 public:
  explicit Pipeline(std::size_t consumers, std::size_t window = kWindow) : window_(window), taken_(consumers, 0) {}

  // Reader: blocks while the window is full.
  void push(std::shared_ptr<const Batch> batch) {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return produced_ - slowest() < window_; });
    batches_.push_back(std::move(batch));
    ++produced_;
    ready_.notify_all();
  }
  void finish(Status status) {
    std::lock_guard lock(mu_);
    done_ = true;
    status_ = std::move(status);
    ready_.notify_all();
  }
  // Consumer `c`: its next batch, or null at the end.
  std::shared_ptr<const Batch> next(std::size_t c) {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return taken_[c] < produced_ || done_; });
    if (taken_[c] == produced_) return nullptr;
    auto batch = batches_[taken_[c] - dropped_];
    ++taken_[c];
    while (dropped_ < slowest()) {  // every consumer is past the oldest batch
      batches_.pop_front();
      ++dropped_;
    }
    space_.notify_one();
    return batch;
  }
  Status status() {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  std::size_t slowest() const { return *std::min_element(taken_.begin(), taken_.end()); }

  const std::size_t window_;
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<std::shared_ptr<const Batch>> batches_;
  std::vector<std::size_t> taken_;  // batches each consumer has taken
  std::size_t produced_ = 0, dropped_ = 0;
  bool done_ = false;
  Status status_;
};

Status replay_serial(const log::EventLog& log, std::span<Projection* const> projections,
                     std::span<const log::Position> from, log::Position start, log::Position to) {
  auto c = log.cursor(start);
  for (; c->valid() && c->position() <= to; c->next()) {
    const EventView view = view_of(c->position(), c->bytes());
    for (std::size_t i = 0; i < projections.size(); ++i)
      if (view.position > from[i]) projections[i]->apply(view);
  }
  return c->status();
}

// Reads records from..to into `pipeline` in batches, then finishes it with the cursor's status.
void read_into(const log::EventLog& log, log::Position from, log::Position to, Pipeline& pipeline) {
  auto c = log.cursor(from);
  auto batch = std::make_shared<Batch>();
  batch->first = from;
  const auto push = [&] {
    const log::Position next = batch->first + batch->size();
    batch->seal();
    pipeline.push(std::move(batch));
    batch = std::make_shared<Batch>();
    batch->first = next;
  };
  for (; c->valid() && c->position() <= to; c->next()) {
    if (!batch->add(*c)) {
      push();
      batch->add(*c);
    }
    if (batch->full()) push();
  }
  if (c->status().ok() && batch->size() > 0) push();
  pipeline.finish(c->status());
}

}  // namespace

Status replay_parallel(const log::EventLog& log, std::span<Projection* const> projections,
                       std::span<const log::Position> from, log::Position to,
                       const std::function<void(std::size_t)>& finish) {
  if (projections.empty()) return Status::OK();
  const log::Position lowest = *std::min_element(from.begin(), from.end());
  const auto finish_all = [&] {
    if (finish)
      for (std::size_t i = 0; i < projections.size(); ++i) finish(i);
  };
  if (to <= lowest) {
    finish_all();
    return Status::OK();
  }
  if (to - lowest < kSerialBelow) {
    auto s = replay_serial(log, projections, from, lowest + 1, to);
    if (s.ok()) finish_all();
    return s;
  }

  // Projection i folds on applier i % kAppliers, each applier taking its projections in turn per batch.
  const std::size_t appliers_n = std::min(projections.size(), kAppliers);
  Pipeline pipeline(appliers_n);
  std::vector<std::thread> appliers;
  appliers.reserve(appliers_n);
  for (std::size_t a = 0; a < appliers_n; ++a) {
    appliers.emplace_back([&, a] {
      const std::string name = "ej-fold-" + std::to_string(a);
      pthread_setname_np(pthread_self(), name.c_str());  // for top, perf and gdb
      while (auto batch = pipeline.next(a)) {
        for (std::size_t i = a; i < projections.size(); i += appliers_n)
          for (const EventView& view : batch->views)
            if (view.position > from[i]) projections[i]->apply(view);
      }
      if (finish && pipeline.status().ok())
        for (std::size_t i = a; i < projections.size(); i += appliers_n) finish(i);
    });
  }
  read_into(log, lowest + 1, to, pipeline);
  for (auto& t : appliers) t.join();
  return pipeline.status();
}

Status restore_and_replay(const log::EventLog& log, Projection& projection, log::Position expected, log::Position to,
                          const std::function<Result<log::Position>()>& restore) {
  if (to <= expected) {
    auto at = restore();
    if (!at.ok()) return at.status();
    return replay_parallel(log, std::span<Projection* const>(std::array{&projection}), std::array{*at}, to);
  }
  // Room for every record of a stretch between two snapshots to be read during the restore.
  Pipeline pipeline(1, kRestoreWindow);
  Result<log::Position> restored = log::kNoPosition;
  std::thread applier([&] {
    restored = restore();
    const bool fits = restored.ok() && *restored == expected;
    while (auto batch = pipeline.next(0)) {  // when the restore landed elsewhere, the batches are only drained
      if (!fits) continue;
      for (const EventView& view : batch->views) projection.apply(view);
    }
  });
  read_into(log, expected + 1, to, pipeline);
  applier.join();
  if (!restored.ok()) return restored.status();
  if (*restored == expected) return pipeline.status();
  return replay_parallel(log, std::span<Projection* const>(std::array{&projection}), std::array{*restored}, to);
}

}  // namespace ejournal::projections
