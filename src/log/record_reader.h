// RecordReader: the read side of a RocksDB-backed log — cursors, point reads, time search and chain
// verification — shared by the writable log and the read-only view. Internal to src/log.
// Thread-safety: const methods, safe from any thread; RocksDB iterators give each call its own snapshot.
#pragma once

#include <functional>

#include <memory>
#include <optional>

#include "ejournal/log/event_log.h"
#include "log/rocks_store.h"

namespace ejournal::log {

// The head anchor kept in the meta family: the newest position and the hash of its record.
struct HeadAnchor {
  Position position = kNoPosition;
  Digest hash;
};

class RecordReader {
 public:
  explicit RecordReader(const RocksStore& store) : store_(store) {}

  // Records from `from` up to and including `to`: from sealed segments where they cover the range (a
  // missing or damaged segment is read from the log family instead, with a warning for a damaged one),
  // then from the log family.
  std::unique_ptr<LogCursor> cursor(Position from, Position to) const;
  // The same, from the log family only (what sealing and verification read).
  std::unique_ptr<LogCursor> log_cursor(Position from, Position to) const;
  Result<StoredRecord> read(Position position, Position head) const;
  Result<Position> position_at(Timestamp time, Position head) const;
  Result<std::optional<AppendResult>> find_command(const CommandId& id) const;
  Result<VerifyReport> verify(Position from, Position to, Position head) const;
  Result<SegmentReport> verify_segments(Position head) const;
  Result<StorageReport> verify_storage(Position head) const;

  // Called (from the reading thread) with the first position of a sealed segment a cursor found damaged,
  // or found missing between two others, so that the sealer can write it again. Set before any cursor.
  void on_segment_fault(std::function<void(Position)> fn) { on_segment_fault_ = std::move(fn); }

  // The last record in the log family (nullopt when empty), with no checks beyond reading it.
  Result<std::optional<StoredRecord>> last_record() const;
  // The anchor in the meta family; kNoPosition when absent (an empty log).
  Result<HeadAnchor> head_anchor() const;

 private:
  const RocksStore& store_;
  std::function<void(Position)> on_segment_fault_;
};

}  // namespace ejournal::log
