// The reading half of backup and archive: records from … to are read from the log in order, packed and
// checked into segments by worker threads (encode_segment), and handed to a sink in position order with each
// segment's link to the one before checked. Internal to src/backup.
#pragma once

#include <functional>
#include <string_view>

#include "backup/segment.h"
#include "ejournal/backup/backup.h"

namespace ejournal::backup {

struct CopyStats {
  std::uint64_t records = 0;
  std::uint64_t raw_bytes = 0;  // stored size of the records read
};

// `prev_hash` is the hash of record from-1 (zeros for from = 1). The sink's error stops the copy and is
// returned. `on_record`, if set, sees every record on the reading thread, in order.
Result<CopyStats> copy_segments(const log::LogReader& log, log::Position from, log::Position to,
                                const log::Digest& prev_hash, const BackupOptions& options,
                                const std::function<Status(const EncodedSegment&)>& sink,
                                const std::function<void(log::Position, std::string_view)>& on_record = {});

}  // namespace ejournal::backup
