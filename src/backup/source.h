// What backup and archive need to know about the journal they copy, and the check that a target holds a copy
// of this same journal. Internal to src/backup.
#pragma once

#include <string>

#include "backup/manifest.h"
#include "ejournal/log/event_log.h"

namespace ejournal::backup {

struct SourceFacts {
  log::Position head = log::kNoPosition;
  log::Digest journal_hash;  // hash of record 1
  log::Digest head_hash;
  log::Timestamp head_time = 0;
};

// Facts about the log up to `head`.
Result<SourceFacts> source_facts(const log::LogReader& log, log::Position head);

// conflict when `m` (a target's manifest) is not a prefix of this journal: another journal's copy, one
// ahead of it, or one whose last record differs.
Status check_same_journal(const log::LogReader& log, const Manifest& m, const SourceFacts& source,
                          const std::string& target);

log::Timestamp wall_clock_now();
std::string keys_file_name(log::Position head);

}  // namespace ejournal::backup
