#include "log/group_commit_writer.h"

#include <pthread.h>

#include <algorithm>
#include <unordered_map>

#include <rocksdb/write_batch.h>

#include "log/format.h"

namespace ejournal::log {
namespace {

rocksdb::Slice id_slice(const CommandId& id) {
  return {reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size()};
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(RocksStore& store, std::shared_ptr<const Clock> clock,
                                     std::size_t max_batch_events, WriterState start)
    : store_(store),
      clock_(std::move(clock)),
      max_batch_events_(std::max<std::size_t>(1, max_batch_events)),
      state_(start),
      head_(start.head),
      thread_([this] { run(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_one();
  thread_.join();
}

void GroupCommitWriter::submit(AppendRequest request, AppendCallback done) {
  {
    std::lock_guard lock(queue_mu_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(request), std::move(done)});
      if (queue_.size() == 1) queue_cv_.notify_one();
      return;
    }
  }
  done(Status(Code::unavailable, "the log is closing"));
}

void GroupCommitWriter::run() {
  pthread_setname_np(pthread_self(), "ej-log-writer");  // for top, perf and gdb
  std::vector<Pending> group;
  for (;;) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything queued is committed
      // Take what accumulated, up to the batch cap (always at least one request).
      std::size_t events = 0, take = 0;
      while (take < queue_.size() && (take == 0 || events + queue_[take].request.events.size() <= max_batch_events_)) {
        events += queue_[take].request.events.size();
        ++take;
      }
      if (take == queue_.size()) {
        group.swap(queue_);
      } else {
        group.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(take)));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
      }
    }
    commit(group);
    group.clear();
  }
}

Result<AppendResult> GroupCommitWriter::resolve_stored_duplicate(const AppendRequest& request,
                                                                 std::string_view idem) const {
  const std::string id = request.command_id.to_hex();
  if (idem.size() != format::kIdemValueBytes)
    return Status(Code::corruption, "command-id index entry for " + id + " has the wrong size");
  AppendResult r;
  r.first = format::get_u64_be(idem.data());
  r.count = format::get_u32_be(idem.data() + 8);
  r.duplicate = true;
  const Status reused(Code::conflict, "command id " + id + " was already used for a different command");
  if (r.count != request.events.size()) return reused;
  for (std::uint32_t k = 0; k < r.count; ++k) {
    std::string stored;
    auto s = store_.db()->Get(rocksdb::ReadOptions(), store_.log_cf(), format::position_key(r.first + k), &stored);
    if (!s.ok()) return from_rocks(s, "reading the records of command " + id);
    if (!check_envelope(stored).ok()) return Status(Code::corruption, "record " + std::to_string(r.first + k) + " is damaged");
    if (!same_event(stored, request.events[k].bytes)) return reused;
    if (k == 0) r.recorded_at = envelope_of(stored)->header()->recorded_at_us();
  }
  return r;
}

void GroupCommitWriter::commit(std::vector<Pending>& group) {
  const std::size_t n = group.size();
  std::vector<std::optional<Result<AppendResult>>> outcome(n);
  if (failed_) {
    for (auto& p : group)
      p.done(Status(Code::unavailable, "an earlier write to the log failed; reopen the log to continue"));
    return;
  }

  // Which command ids are already in the log: one MultiGet for the group (bloom filters answer most misses).
  std::vector<rocksdb::Slice> keys;
  keys.reserve(n);
  for (const auto& p : group) keys.push_back(id_slice(p.request.command_id));
  std::vector<rocksdb::PinnableSlice> values(n);
  std::vector<rocksdb::Status> statuses(n);
  store_.db()->MultiGet(rocksdb::ReadOptions(), store_.idem_cf(), n, keys.data(), values.data(), statuses.data());

  rocksdb::WriteBatch batch;
  WriterState next = state_;
  next.last_recorded_at = std::max(clock_->now(), state_.last_recorded_at);  // never backwards
  std::unordered_map<CommandId, std::size_t> first_in_group;
  std::vector<bool> in_batch(n, false);  // outcome depends on this group's write succeeding
  bool wrote = false;
  for (std::size_t i = 0; i < n; ++i) {
    AppendRequest& req = group[i].request;
    if (statuses[i].ok()) {
      outcome[i] = resolve_stored_duplicate(req, {values[i].data(), values[i].size()});
      continue;
    }
    if (!statuses[i].IsNotFound()) {
      outcome[i] = from_rocks(statuses[i], "looking up command id " + req.command_id.to_hex());
      continue;
    }
    if (auto it = first_in_group.find(req.command_id); it != first_in_group.end()) {
      // The same command twice in one group (a client retrying quickly): the second is a duplicate of the first.
      const AppendRequest& first = group[it->second].request;
      bool same = first.events.size() == req.events.size() && outcome[it->second]->ok();
      for (std::size_t k = 0; same && k < req.events.size(); ++k)
        same = same_event(first.events[k].bytes, req.events[k].bytes);
      if (!same) {
        outcome[i] = Status(Code::conflict, "command id " + req.command_id.to_hex() +
                                                " was already used for a different command");
        continue;
      }
      AppendResult dup = outcome[it->second]->value();
      dup.duplicate = true;
      outcome[i] = dup;
      in_batch[i] = true;
      continue;
    }
    first_in_group.emplace(req.command_id, i);
    AppendResult r;
    r.first = next.head + 1;
    r.count = static_cast<std::uint32_t>(req.events.size());
    r.recorded_at = next.last_recorded_at;
    for (EventDraft& draft : req.events) {
      ++next.head;
      seal(draft.bytes, SealFields{next.head, next.last_recorded_at, req.actor, req.command_id, next.head_hash});
      next.head_hash = record_hash(draft.bytes);
      batch.Put(store_.log_cf(), format::position_key(next.head), draft.bytes);
    }
    batch.Put(store_.idem_cf(), id_slice(req.command_id), format::idem_value(r.first, r.count));
    outcome[i] = r;
    in_batch[i] = true;
    wrote = true;
  }

  if (wrote) {
    batch.Put(store_.meta_cf(), format::kHeadKey, format::head_value(next.head, next.head_hash));
    // sync: the promise — nobody hears "done" before this returns.
    const Status err = store_.write(batch, true, "writing to the log");
    if (!err.ok()) {
      failed_ = true;
      for (std::size_t i = 0; i < n; ++i)
        if (in_batch[i]) outcome[i] = err;
    } else {
      state_ = next;
      publish(next.head);
    }
  }
  for (std::size_t i = 0; i < n; ++i) group[i].done(std::move(*outcome[i]));
}

void GroupCommitWriter::publish(Position head) {
  {
    std::lock_guard lock(head_mu_);
    head_.store(head, std::memory_order_release);
  }
  head_cv_.notify_all();
  std::lock_guard lock(listeners_->mu);
  for (auto& [id, listener] : listeners_->by_id) listener(head);
}

Subscription GroupCommitWriter::on_commit(CommitListener listener) {
  std::lock_guard lock(listeners_->mu);
  const std::uint64_t id = listeners_->next_id++;
  listeners_->by_id.emplace(id, std::move(listener));
  return Subscription([weak = std::weak_ptr<Listeners>(listeners_), id] {
    if (auto listeners = weak.lock()) {
      std::lock_guard inner(listeners->mu);
      listeners->by_id.erase(id);
    }
  });
}

Position GroupCommitWriter::wait_beyond(Position known, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(head_mu_);
  head_cv_.wait_for(lock, timeout, [&] { return head_.load(std::memory_order_acquire) > known; });
  return head_.load(std::memory_order_acquire);
}

}  // namespace ejournal::log
