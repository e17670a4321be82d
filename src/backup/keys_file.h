// The keys file of a backup: zstd(FlatBuffers BackupKeys) holding master.key and the wrapped personal-data
// keys, without which a restored journal's personal data cannot be opened (docs/log-format.md §8).
// Internal to src/backup.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ejournal/log/event_log.h"
#include "ejournal/status.h"

namespace ejournal::backup {

struct KeysContent {
  std::string master_key;  // empty when the directory has none (no personal data recorded yet)
  std::vector<std::pair<std::string, std::string>> entries;
};

// Reads the keys from the log's keys family and `data_dir`/master.key.
Result<KeysContent> collect_keys(const log::LogReader& log, const std::string& data_dir);
std::string encode_keys(const KeysContent& keys);
Result<KeysContent> decode_keys(std::string_view file_bytes);

}  // namespace ejournal::backup
