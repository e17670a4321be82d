// The RocksDB-backed EventLog and the read-only view, wired from RocksStore (the database), RecordReader
// (the read side) and GroupCommitWriter (the write side).
#include "ejournal/log/event_log.h"

#include <future>

#include "log/group_commit_writer.h"
#include "log/record_reader.h"
#include "log/rocks_key_store.h"
#include "log/rocks_snapshot_store.h"
#include "log/rocks_store.h"
#include "log/sealer.h"
#include "log/testing.h"

namespace ejournal::log {

Result<AppendResult> EventLog::append(AppendRequest request) {
  std::promise<Result<AppendResult>> promise;
  auto future = promise.get_future();
  append_async(std::move(request), [&promise](Result<AppendResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    cancel_ = std::move(other.cancel_);
    other.cancel_ = nullptr;
  }
  return *this;
}

void Subscription::reset() {
  if (cancel_) {
    auto cancel = std::move(cancel_);
    cancel_ = nullptr;
    cancel();
  }
}

namespace {

class RocksEventLog final : public EventLog {
 public:
  RocksEventLog(std::unique_ptr<RocksStore> store, LogOptions options, WriterState start)
      : store_(std::move(store)),
        reader_(*store_),
        keys_(*store_),
        snapshots_(*store_),
        options_(std::move(options)),
        writer_(std::make_unique<GroupCommitWriter>(*store_, options_.clock, options_.max_batch_events, start)),
        sealer_(std::make_unique<Sealer>(*store_, reader_, start.head, options_.seal_in_background)),
        sealing_(writer_->on_commit([s = sealer_.get()](Position head) { s->notify(head); })) {
    sealer_->notify(start.head);  // an opened log may have a backlog to seal
    // A segment a cursor finds damaged is written again (no cursor exists yet, nor outlives the log).
    reader_.on_segment_fault([s = sealer_.get()](Position first) { s->repair(first); });
  }

  ~RocksEventLog() override {
    sealing_.reset();
    sealer_.reset();  // stops after the segment in hand
    writer_.reset();  // commit what is queued before the store closes
  }

  Position head() const override { return writer_->head(); }
  std::unique_ptr<LogCursor> cursor(Position from) const override { return reader_.cursor(from, head()); }
  Result<StoredRecord> read(Position position) const override { return reader_.read(position, head()); }
  Result<Position> position_at(Timestamp time) const override { return reader_.position_at(time, head()); }
  Result<std::optional<AppendResult>> find_command(const CommandId& id) const override {
    return reader_.find_command(id);
  }
  Result<VerifyReport> verify(Position from, Position to) const override {
    return reader_.verify(from, to, head());
  }
  Result<SegmentReport> verify_segments() const override { return reader_.verify_segments(head()); }
  Result<StorageReport> verify_storage() const override { return reader_.verify_storage(head()); }
  const SnapshotStore& saved_snapshots() const override { return snapshots_; }
  Result<std::vector<std::pair<std::string, std::string>>> wrapped_keys() const override {
    return list_keys(*store_);
  }

  void append_async(AppendRequest request, AppendCallback done) override {
    if (auto s = validate(request); !s.ok()) {
      done(std::move(s));
      return;
    }
    writer_->submit(std::move(request), std::move(done));
  }

  Subscription on_commit(CommitListener listener) override { return writer_->on_commit(std::move(listener)); }
  KeyStore& key_store() override { return keys_; }
  SnapshotStore& snapshot_store() override { return snapshots_; }
  Position wait_beyond(Position known, std::chrono::milliseconds timeout) const override {
    return writer_->wait_beyond(known, timeout);
  }
  Status seal() override { return sealer_->seal_up_to(head()); }
  Position sealed_end() const override { return sealer_->sealed_end(); }

 private:
  // Runs on the caller's thread, so that the single writer spends its time only on what must be serial.
  Status validate(const AppendRequest& request) const {
    if (request.events.empty()) return Status(Code::invalid_argument, "a command must append at least one event");
    if (request.events.size() > options_.max_events_per_command)
      return Status(Code::invalid_argument, "a command may append at most " +
                                                std::to_string(options_.max_events_per_command) + " events, not " +
                                                std::to_string(request.events.size()));
    for (std::size_t i = 0; i < request.events.size(); ++i) {
      const std::string& bytes = request.events[i].bytes;
      if (bytes.size() > options_.max_event_bytes)
        return Status(Code::invalid_argument, "event " + std::to_string(i + 1) + " is " + std::to_string(bytes.size()) +
                                                  " bytes; the limit is " + std::to_string(options_.max_event_bytes));
      if (auto s = check_envelope(bytes); !s.ok())
        return Status(Code::invalid_argument, "event " + std::to_string(i + 1) + ": " + s.message());
    }
    return Status::OK();
  }

  std::unique_ptr<RocksStore> store_;
  RecordReader reader_;
  RocksKeyStore keys_;
  RocksSnapshotStore snapshots_;
  LogOptions options_;
  std::unique_ptr<GroupCommitWriter> writer_;
  std::unique_ptr<Sealer> sealer_;
  Subscription sealing_;
};

class RocksLogView final : public LogReader {
 public:
  RocksLogView(std::unique_ptr<RocksStore> store, Position head)
      : store_(std::move(store)), reader_(*store_), snapshots_(*store_), head_(head) {}

  Position head() const override { return head_; }
  std::unique_ptr<LogCursor> cursor(Position from) const override { return reader_.cursor(from, head_); }
  Result<StoredRecord> read(Position position) const override { return reader_.read(position, head_); }
  Result<Position> position_at(Timestamp time) const override { return reader_.position_at(time, head_); }
  Result<std::optional<AppendResult>> find_command(const CommandId& id) const override {
    return reader_.find_command(id);
  }
  Result<VerifyReport> verify(Position from, Position to) const override {
    return reader_.verify(from, to, head_);
  }
  Result<SegmentReport> verify_segments() const override { return reader_.verify_segments(head_); }
  Result<StorageReport> verify_storage() const override { return reader_.verify_storage(head_); }
  const SnapshotStore& saved_snapshots() const override { return snapshots_; }
  Result<std::vector<std::pair<std::string, std::string>>> wrapped_keys() const override {
    return list_keys(*store_);
  }

 private:
  std::unique_ptr<RocksStore> store_;
  RecordReader reader_;
  RocksSnapshotStore snapshots_;
  Position head_;
};

// The writer's starting state, from the last record, cross-checked against the head anchor.
Result<WriterState> recover_state(const RecordReader& reader) {
  auto last = reader.last_record();
  if (!last.ok()) return last.status();
  auto anchor = reader.head_anchor();
  if (!anchor.ok()) return anchor.status();
  WriterState state;
  if (!last->has_value()) {
    if (anchor->position != kNoPosition)
      return Status(Code::corruption, "the head anchor names position " + std::to_string(anchor->position) +
                                          " but the log is empty");
    return state;
  }
  const StoredRecord& rec = **last;
  if (auto s = check_envelope(rec.bytes); !s.ok())
    return Status(Code::corruption, "the last record (" + std::to_string(rec.position) + ") is damaged: " + s.message());
  state.head = rec.position;
  state.head_hash = record_hash(rec.bytes);
  state.last_recorded_at = rec.envelope()->header()->recorded_at_us();
  if (anchor->position != state.head || anchor->hash != state.head_hash)
    return Status(Code::corruption, "the head anchor (position " + std::to_string(anchor->position) +
                                        ") does not match the last record (position " + std::to_string(state.head) +
                                        "); run `ejctl verify`");
  return state;
}

}  // namespace

Result<std::unique_ptr<EventLog>> open_event_log(const std::string& dir, LogOptions options) {
  return open_event_log_on(dir, std::move(options), nullptr);
}

Result<std::unique_ptr<EventLog>> open_event_log_on(const std::string& dir, LogOptions options, rocksdb::Env* env) {
  if (!options.clock) options.clock = std::make_shared<SystemClock>();
  auto store = RocksStore::open(dir, RocksStore::Mode::primary, options.create_if_missing, env);
  if (!store.ok()) return store.status();
  RecordReader reader(**store);
  auto state = recover_state(reader);
  if (!state.ok()) return state.status();
  return std::unique_ptr<EventLog>(new RocksEventLog(std::move(store.value()), std::move(options), *state));
}

Result<std::unique_ptr<LogReader>> open_log_reader(const std::string& dir) {
  auto store = RocksStore::open(dir, RocksStore::Mode::secondary, false);
  if (!store.ok()) return store.status();
  RecordReader reader(**store);
  auto last = reader.last_record();
  if (!last.ok()) return last.status();
  const Position head = last->has_value() ? (*last)->position : kNoPosition;
  return std::unique_ptr<LogReader>(new RocksLogView(std::move(store.value()), head));
}

}  // namespace ejournal::log
