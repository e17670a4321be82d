// Reading the log in order: StoredRecord (one record, owned) and LogCursor (records from a position on).
// LogReader::cursor() and LogReader::read() (event_log.h) make them; code that only walks records — a
// replay, a backup's copier, a verifier — needs no more than this header.
//
// Thread-safety: a cursor is used by one thread at a time; different cursors of one log are independent.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "ejournal/log/envelope.h"
#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::log {

// A record as read back: its position and stored bytes (checked with check_envelope).
struct StoredRecord {
  Position position = kNoPosition;
  std::string bytes;
  const fb::Envelope* envelope() const { return envelope_of(bytes); }
};

// Iterates records in position order. Typical use:
//   for (auto c = log.cursor(from); c->valid(); c->next()) use(c->position(), c->bytes());
//   if (!c->status().ok()) …   // always check: the loop also ends on an error
class LogCursor {
 public:
  virtual ~LogCursor() = default;
  virtual bool valid() const = 0;
  // REQUIRES: valid().
  virtual void next() = 0;
  virtual Position position() const = 0;
  // The record's stored bytes, checked with check_envelope; valid until next() or destruction.
  virtual std::string_view bytes() const = 0;
  const fb::Envelope* envelope() const { return envelope_of(bytes()); }
  // An owner of the memory bytes() lies in: while a copy is held, bytes() stays valid past next() and the
  // cursor's end. Null when bytes() lives only until next(). Consecutive records often share one owner (a
  // sealed segment), so a reader that keeps records can compare it and copy only when it changes.
  virtual const std::shared_ptr<const void>& owner() const;
  // OK at the end of the log; corruption if a record failed its checks or a position was missing; io_error.
  virtual Status status() const = 0;
};

}  // namespace ejournal::log
