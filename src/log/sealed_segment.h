// Sealed segments (docs/log-format.md §9): a run of consecutive log records stored again as one zstd frame
// in the `seg` family, so that replay reads and decompresses a few thousand records at once instead of
// stepping RocksDB's iterator once per record. They are derived data: the `log` family stays the truth,
// a segment is written only from records already durable there, and a reader that finds one missing or
// damaged reads the records from `log` instead.
//
// Internal to src/log. Thread-safety: plain values and functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ejournal/log/types.h"
#include "ejournal/status.h"

struct ZSTD_DCtx_s;  // zstd.h's ZSTD_DCtx, kept out of this header

namespace ejournal::log {

// Builds a segment's value from records first, first+1, … appended in order.
class SegmentBuilder {
 public:
  explicit SegmentBuilder(Position first) : first_(first) {}
  Position first() const { return first_; }
  std::uint32_t count() const { return count_; }
  // Whether a record of `bytes` bytes still fits (the first one always does).
  bool fits(std::size_t bytes) const;
  bool full() const;
  void add(std::string_view record);
  // The value: header, then the body compressed as one zstd frame with its content checksum.
  std::string seal() const;

 private:
  Position first_;
  std::uint32_t count_ = 0;
  std::string body_;
};

// A decoded segment: its records, each starting 8-byte aligned (FlatBuffers reads scalars in place).
class SegmentDecoder;

class Segment {
 public:
  // Decodes `value` stored under key `first`; corruption if anything does not add up (header, frame,
  // checksum, record sizes, count). The records' own envelopes are checked by the reader, as for `log`.
  // One-off: a SegmentDecoder reuses its context and the segment's buffers across many.
  static Result<Segment> decode(Position first, std::string_view value);
  Position first() const { return first_; }
  Position last() const { return first_ + spans_.size() - 1; }
  std::size_t size() const { return spans_.size(); }
  std::string_view record(std::size_t i) const {
    return {reinterpret_cast<const char*>(words_.data()) + spans_[i].first, spans_[i].second};
  }

 private:
  friend class SegmentDecoder;
  Position first_ = kNoPosition;
  std::vector<std::uint64_t> words_;  // the body, 8-aligned
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans_;  // byte offset, size
};

// Decodes segment after segment with one zstd context (making one costs as much as decoding a small
// segment) into segments whose buffers it reuses. Not thread-safe: one per reader.
class SegmentDecoder {
 public:
  SegmentDecoder();
  ~SegmentDecoder();
  SegmentDecoder(const SegmentDecoder&) = delete;
  SegmentDecoder& operator=(const SegmentDecoder&) = delete;
  // As Segment::decode, into `out`, whose previous contents are replaced (also on failure).
  Status decode(Position first, std::string_view value, Segment& out);

 private:
  ::ZSTD_DCtx_s* dctx_;
};

}  // namespace ejournal::log
