// Segments: a run of consecutive log records packed into one zstd-compressed file (docs/backup-format.md,
// "Segments"). The payload stores each record's header fields as columns — times as deltas, actors, command
// ids once per command — and its body with the header zeroed. prev_hash is not stored at all: it is the hash
// of the record before, so decoding rebuilds the chain, and the manifest's last_hash proves the rebuilt bytes
// are the original ones. Internal to src/backup.
//
// Thread-safety: free functions on caller-owned data; encode and decode run in parallel on different segments.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::backup {

// What a manifest says about a segment file.
struct SegmentInfo {
  std::string file;
  log::Position first = log::kNoPosition;
  log::Position last = log::kNoPosition;
  log::Timestamp first_time = 0;
  log::Timestamp last_time = 0;
  log::Digest prev_hash;  // hash of record first-1
  log::Digest last_hash;  // hash of record last
  std::uint64_t file_bytes = 0;
  log::Digest file_hash;
  std::uint64_t raw_bytes = 0;
};

struct EncodedSegment {
  SegmentInfo info;               // everything but `file`
  std::string compressed;         // the file's bytes
  std::uint64_t source_bytes = 0; // the records' stored size
};

// Limits a decoder enforces, so a damaged or hostile file cannot make it allocate without bound.
inline constexpr std::size_t kMaxSegmentRecords = 1 << 20;
inline constexpr std::size_t kMaxSegmentRawBytes = std::size_t{1} << 30;

// Packs `records` (stored bytes of positions first, first+1, …; each passed check_envelope) and checks them on
// the way: positions consecutive, times not decreasing, each prev_hash the hash of the record before. The first
// record's prev_hash is taken as given and returned in info.prev_hash for the caller to link.
// corruption names the first record that fails.
Result<EncodedSegment> encode_segment(const std::vector<std::string>& records, int zstd_level);

// A segment's records, rebuilt and proven against `info`: file size and hash, then the payload, whose chain
// must start from info.prev_hash and end at info.last_hash. hashes[i] is the hash of records[i].
struct DecodedSegment {
  std::vector<std::string> records;
  std::vector<log::Digest> hashes;
};
Result<DecodedSegment> decode_segment(std::string_view file_bytes, const SegmentInfo& info);

// The file name of a segment: seg-<first>-<last>.ejs with 16-digit zero-padded positions.
std::string segment_file_name(log::Position first, log::Position last);

}  // namespace ejournal::backup
