// Sealer: writes the log's sealed segments (sealed_segment.h, docs/log-format.md §9) behind the writer.
//
// Only complete segments are sealed (kSegmentRecords records, or cut by size before the next record), and
// only from records already durable in `log`; the tail after the last complete segment stays unsealed.
// A segment's bytes depend only on its records, so sealing one twice writes the same value. Segments are
// written without fsync: a crash may lose the newest ones, and sealing them again is all it takes.
//
// Internal to src/log. Thread-safety: notify() from any thread (it is what a commit listener calls);
// seal_up_to() from any thread, serialised with the background thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::log {

class RocksStore;
class RecordReader;
class SegmentBuilder;

class Sealer {
 public:
  // Finds where sealing stands (after the last stored segment) and starts the thread when `background`.
  // The store and reader must outlive the sealer.
  Sealer(const RocksStore& store, const RecordReader& reader, Position head, bool background);
  ~Sealer();  // stops the thread after the segment in hand
  Sealer(const Sealer&) = delete;
  Sealer& operator=(const Sealer&) = delete;

  // The log's head moved to `head`: wakes the thread when a segment is complete. Cheap.
  void notify(Position head);
  // Seals every complete segment up to `head` on the calling thread.
  Status seal_up_to(Position head);
  // The first position not in a stored segment.
  Position sealed_end() const { return next_.load(); }
  // A reader found the segment that starts at `first` damaged, or missing between two others: the thread
  // (or the next seal_up_to) writes it again from `log`, if `first` is where a segment below sealed_end()
  // starts (the stored segment before it, if any, ends just before it). Cheap; any thread.
  void repair(Position first);

 private:
  void run();
  Status seal_locked(Position head);
  void repair_locked();  // a segment it cannot write again is left as it was, with a warning
  Status store_segment(const SegmentBuilder& builder);
  bool starts_segment(Position first) const;

  const RocksStore& store_;
  const RecordReader& reader_;
  std::mutex seal_mu_;           // one sealing pass at a time
  std::atomic<Position> next_{1};
  std::atomic<Position> target_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
  std::vector<Position> faults_;  // to repair (guarded by mu_)
  std::thread thread_;
};

}  // namespace ejournal::log
