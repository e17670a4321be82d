// EventLog: the journal's single source of truth — an append-only, ordered, hash-chained log of events.
//
// Contract
//  - Positions are 1, 2, 3 … without gaps, in the order the log committed them; a position is never reused,
//    and a stored record is never changed or deleted.
//  - append() completes only after its records are durable: written with fsync (see GroupCommitWriter).
//    An error means none of the request's records were written.
//  - A request's command id is stored with its positions in the same atomic write. Appending a command id that
//    is already in the log returns the original positions with `duplicate = true` and writes nothing; if the
//    drafts differ from what was stored under that id, it fails with `conflict`.
//  - recorded_at never decreases along the log, whatever the clock does.
//  - Each record names the BLAKE2b-256 of the one before (docs/log-format.md), so verify() can find the first
//    record whose bytes or link do not match.
//
// This interface is the boundary with the storage engine: nothing above it knows about RocksDB, so the log can
// later move to a replicated engine (positions = stream sequence, command id = message id).
//
// Thread-safety: every method may be called from any thread concurrently. Completion callbacks and commit
// listeners run on the log's writer thread: they must be quick and must not block or call append().
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ejournal/log/clock.h"
#include "ejournal/log/cursor.h"
#include "ejournal/log/envelope.h"
#include "ejournal/log/key_store.h"
#include "ejournal/log/snapshot_store.h"
#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::log {

// One command's events, appended atomically and contiguously.
struct AppendRequest {
  ActorId actor = 0;
  CommandId command_id;
  std::vector<EventDraft> events;  // 1 … LogOptions::max_events_per_command drafts
};

struct AppendResult {
  Position first = kNoPosition;  // position of the request's first event
  std::uint32_t count = 0;       // its events occupy first … first + count - 1
  Timestamp recorded_at = 0;     // the time stamped on them
  bool duplicate = false;        // the command id was already in the log; nothing was written
};

using AppendCallback = std::function<void(Result<AppendResult>)>;

// What verify() found.
struct VerifyReport {
  Position from = kNoPosition;        // first position checked
  Position to = kNoPosition;          // last position checked (the head if the range reached it)
  Digest last_hash;                   // hash of record `to`
  Position first_bad = kNoPosition;   // 0 when everything holds
  std::string problem;                // what is wrong at first_bad
  bool ok() const { return first_bad == kNoPosition; }
};

// What verify_segments() found. Sealed segments are copies (docs/log-format.md §9a): a problem here loses
// nothing, as cursors then read those records from the log family, only more slowly.
struct SegmentReport {
  std::uint64_t segments = 0;         // checked
  Position sealed_end = 1;            // the first position after the last segment checked
  Position first_bad = kNoPosition;   // the first position of the first segment at fault; 0 when none
  std::string problem;
  bool ok() const { return first_bad == kNoPosition; }
};

// What verify_storage() found: the families verify() and verify_segments() do not read.
struct StorageReport {
  std::uint64_t table_files = 0;      // RocksDB table files whose every block checksum was read and held
  std::uint64_t commands = 0;         // commands found in the log (runs of records under one command id)
  std::uint64_t index_entries = 0;    // entries in the command-id index
  // What is wrong, one line each (at most 20 of each). Faults are in what the journal is: the log, the
  // command-id index, the keys, the meta family. Warnings are in copies that are rebuilt or skipped when
  // damaged (snapshots, sealed segments): they lose nothing.
  std::vector<std::string> faults;
  std::vector<std::string> warnings;
  bool ok() const { return faults.empty(); }
};

// Read access, shared by the writable log and by a read-only view of a directory another process holds open.
class LogReader {
 public:
  virtual ~LogReader() = default;

  // Position of the newest durable record; kNoPosition for an empty log.
  virtual Position head() const = 0;

  // A cursor starting at `from` (clamped to 1). It sees at least the records up to head() at creation.
  virtual std::unique_ptr<LogCursor> cursor(Position from) const = 0;

  // The record at `position`: not_found beyond the head, corruption if it fails its checks.
  virtual Result<StoredRecord> read(Position position) const = 0;

  // The last position recorded at or before `time` (kNoPosition if the log starts after it), by binary search
  // over the recorded-at times, which never decrease.
  virtual Result<Position> position_at(Timestamp time) const = 0;

  // Where a command id was appended, if it is in the log: its positions and time, with duplicate = true.
  // nullopt when the log has no such command.
  virtual Result<std::optional<AppendResult>> find_command(const CommandId& id) const = 0;

  // Walks records from..to (clamped to 1..head), checking each record's envelope, that its position equals its
  // key and follows the previous one, that time does not decrease, that its prev_hash is the hash of its
  // predecessor, and, when the range reaches the head, that the head matches the anchor in the meta family.
  // A broken link between p-1 and p is blamed on whichever side no longer matches its own successor.
  // Returns an error status only when the walk itself fails (I/O); faults in the data are in the report.
  virtual Result<VerifyReport> verify(Position from, Position to) const = 0;

  // Checks every sealed segment up to the head: they follow one another from position 1, decode, and hold
  // each record byte for byte as the log family does. Stops at the first fault.
  virtual Result<SegmentReport> verify_segments() const = 0;

  // Checks what the other checks do not read: every block checksum of every table file of every family (the
  // log, the command-id index, snapshots, keys, segments, meta), and the command-id index against the log up
  // to the head — each command's records have exactly one entry, naming their first position and count, and
  // the index holds no other entry. Reads the whole directory: minutes on a large one. An error status only
  // when the walk itself fails.
  virtual Result<StorageReport> verify_storage() const = 0;

  // The saved projection states in the same directory (read-only in a view).
  virtual const SnapshotStore& saved_snapshots() const = 0;

  // Every wrapped personal-data key (name → wrapped bytes, docs/log-format.md §8), in name order, for backups.
  // They open nothing without the directory's master.key.
  virtual Result<std::vector<std::pair<std::string, std::string>>> wrapped_keys() const = 0;
};

// Called after each durable commit with the new head. Runs on the writer thread: post the work elsewhere.
using CommitListener = std::function<void(Position head)>;

// Keeps a commit listener registered; unregisters on destruction (waiting for a running call to finish).
// It may outlive its log (it then does nothing). Do not destroy it from inside the listener itself.
class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  Subscription(Subscription&& other) noexcept : cancel_(std::move(other.cancel_)) { other.cancel_ = nullptr; }
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { reset(); }
  void reset();

 private:
  std::function<void()> cancel_;
};

class EventLog : public LogReader {
 public:
  // Queues the request and returns at once; `done` runs on the writer thread when the records are durable or
  // the request failed. Bad requests (no events, too many, a draft over the size limit or malformed) fail
  // with invalid_argument before anything is queued, on the calling thread.
  virtual void append_async(AppendRequest request, AppendCallback done) = 0;

  // append_async, waiting for the outcome.
  Result<AppendResult> append(AppendRequest request);

  // Registers a listener for new heads. It is not called for records committed before registration.
  virtual Subscription on_commit(CommitListener listener) = 0;

  // Secrets kept beside the log in the same data directory (personal-data keys); lives as long as the log.
  virtual KeyStore& key_store() = 0;

  // Saved projection states, in the same data directory; lives as long as the log.
  virtual SnapshotStore& snapshot_store() = 0;

  // Blocks until head() > known or the timeout passes; returns head(). For followers that poll nothing.
  // REQUIRES: the log outlives the call.
  virtual Position wait_beyond(Position known, std::chrono::milliseconds timeout) const = 0;

  // Sealed segments (docs/log-format.md §9) are derived copies of runs of records that cursors read
  // several thousand at a time. A thread of the log writes them as the log grows (and catches up after
  // an open); seal() writes every complete one up to the head now, on the calling thread — for tools that
  // have just written or imported a log, and for tests. Cursors read the same records either way.
  virtual Status seal() = 0;
  // The first position after the stored segments (1: none yet).
  virtual Position sealed_end() const = 0;
};

struct LogOptions {
  // Create an empty log when the directory is missing or empty. A non-empty directory is never taken over
  // unless it already holds an ejournal log.
  bool create_if_missing = true;
  // The clock that stamps records. Null: SystemClock.
  std::shared_ptr<const Clock> clock;
  // Largest accepted draft, in bytes (an event is small; big data does not belong in the log).
  std::size_t max_event_bytes = 64 * 1024;
  // Most events one command may append.
  std::size_t max_events_per_command = 4096;
  // Most events the writer puts into one synced write batch; a queue longer than this takes several batches.
  std::size_t max_batch_events = 16384;
  // Seal segments on a thread of the log as it grows (false: only when seal() is called).
  bool seal_in_background = true;
};

// Opens (or creates) the log in `dir` for reading and appending, and starts its writer thread.
// Refuses with: busy — the directory is open in another EventLog, in this process or another;
// unsupported — the directory holds something else (another program's RocksDB, other files) or a log of a
// newer format version; corruption — the head anchor does not match the last record; io_error.
// The EventLog closes on destruction after committing everything already queued.
Result<std::unique_ptr<EventLog>> open_event_log(const std::string& dir, LogOptions options = {});

// Opens a read-only view of the log in `dir`, which another process may hold open and be appending to
// (a RocksDB secondary instance). It sees the records durable when it was opened.
Result<std::unique_ptr<LogReader>> open_log_reader(const std::string& dir);

}  // namespace ejournal::log
