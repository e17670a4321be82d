// Storage maintenance that only tools need (benchmarks, backup): not part of the EventLog interface, because
// it is specific to the RocksDB backend. Internal to src/log and its tools.
#pragma once

#include <cstdint>
#include <string>

#include "ejournal/status.h"

namespace ejournal::log {

struct StorageSize {
  std::uint64_t sst_bytes = 0;  // live table files
  std::uint64_t wal_bytes = 0;  // live write-ahead log files
};

// Opens the log in `dir` (which must not be open elsewhere), flushes every memtable and compacts every
// column family fully, and returns the size of the live files it then holds.
Result<StorageSize> compact_storage(const std::string& dir);

}  // namespace ejournal::log
