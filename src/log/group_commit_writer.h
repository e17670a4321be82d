// GroupCommitWriter: the one thread that appends to the log.
//
// Callers queue requests; the writer takes everything queued while its previous write was being synced
// (up to a batch cap), so a group grows with load and needs no timer. For each group it assigns positions,
// stamps the time, seals and hash-chains the drafts, checks command ids for duplicates, and writes records,
// command-id index entries and the head anchor in ONE RocksDB WriteBatch with sync = true.
//
// Durability: a request's callback runs only after that WriteBatch returned OK, i.e. after RocksDB's WAL was
// fsynced (fdatasync) with every record of the group, its command-id entries and the head anchor. The batch is
// atomic: after a crash either all of it is in the log or none of it. An error callback means nothing of the
// request is in the log. If a synced write fails, the writer cannot know what reached the disk, so it fails
// every later request with `unavailable`; reopening the log recovers the truth from disk.
//
// Internal to src/log. Thread-safety: submit(), head(), on_commit() and wait_beyond() may be called from any
// thread; callbacks and listeners run on the writer thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "ejournal/log/event_log.h"
#include "log/rocks_store.h"

namespace ejournal::log {

struct WriterState {
  Position head = kNoPosition;
  Digest head_hash;
  Timestamp last_recorded_at = 0;
};

class GroupCommitWriter {
 public:
  GroupCommitWriter(RocksStore& store, std::shared_ptr<const Clock> clock, std::size_t max_batch_events,
                    WriterState start);
  // Commits everything already queued, then stops the thread.
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // REQUIRES: the request passed EventLog's validation (1+ checked drafts within limits).
  void submit(AppendRequest request, AppendCallback done);

  Position head() const { return head_.load(std::memory_order_acquire); }
  Subscription on_commit(CommitListener listener);
  Position wait_beyond(Position known, std::chrono::milliseconds timeout) const;

 private:
  struct Pending {
    AppendRequest request;
    AppendCallback done;
  };

  void run();
  void commit(std::vector<Pending>& group);
  Result<AppendResult> resolve_stored_duplicate(const AppendRequest& request, std::string_view idem_value) const;
  void publish(Position head);

  RocksStore& store_;
  const std::shared_ptr<const Clock> clock_;
  const std::size_t max_batch_events_;

  // Touched only by the writer thread after construction.
  WriterState state_;
  bool failed_ = false;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Pending> queue_;
  bool stopping_ = false;

  std::atomic<Position> head_;
  mutable std::mutex head_mu_;
  mutable std::condition_variable head_cv_;

  // Shared with the Subscriptions, which hold it weakly: one that outlives the log cancels nothing.
  struct Listeners {
    std::mutex mu;
    std::map<std::uint64_t, CommitListener> by_id;
    std::uint64_t next_id = 1;
  };
  const std::shared_ptr<Listeners> listeners_ = std::make_shared<Listeners>();

  std::thread thread_;  // last: starts after everything above is ready
};

}  // namespace ejournal::log
