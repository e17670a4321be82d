// Test and benchmark support: real temporary directories, a clock tests can move, and synthetic but
// realistic events (a mark set in a lesson) whose bytes are a pure function of an index.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "ejournal/log/event_log.h"

namespace ejournal::testkit {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // A path inside the directory (not created).
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A clock that returns what the test sets. Thread-safe.
class ManualClock final : public log::Clock {
 public:
  explicit ManualClock(log::Timestamp start) : now_(start) {}
  log::Timestamp now() const override { return now_.load(); }
  void set(log::Timestamp t) { now_.store(t); }
  void advance(log::Timestamp by) { now_.fetch_add(by); }

 private:
  std::atomic<log::Timestamp> now_;
};

// A mark-sized event: MarkSet{lesson, student, value 1..5, work type}.
log::EventDraft mark_draft(std::uint32_t lesson, std::uint32_t student, std::uint8_t value, std::uint16_t work_type);

// The index-th synthetic command: one MarkSet with fields derived from `index`, a command id derived from
// `index` (distinct indices give distinct ids), and actor = 1 + index % 64.
log::AppendRequest sample_command(std::uint64_t index);
log::CommandId sample_command_id(std::uint64_t index);

// Reads every record 1..head and returns the first failure, or OK.
Status read_all(const log::LogReader& log, std::uint64_t* count);

}  // namespace ejournal::testkit
