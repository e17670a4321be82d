#include "backup/source.h"

#include <chrono>

#include "ejournal/log/envelope.h"

namespace ejournal::backup {

log::Timestamp wall_clock_now() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string keys_file_name(log::Position head) {
  return "keys-" + std::to_string(head) + ".ejk";
}

Result<SourceFacts> source_facts(const log::LogReader& log, log::Position head) {
  SourceFacts f;
  f.head = head;
  if (head == log::kNoPosition) return f;
  auto first = log.read(1);
  if (!first.ok()) return first.status();
  f.journal_hash = log::record_hash(first->bytes);
  auto last = log.read(head);
  if (!last.ok()) return last.status();
  f.head_hash = log::record_hash(last->bytes);
  f.head_time = last->envelope()->header()->recorded_at_us();
  return f;
}

Status check_same_journal(const log::LogReader& log, const Manifest& m, const SourceFacts& source, const std::string& target) {
  if (m.head == log::kNoPosition) return Status::OK();
  if (m.journal_hash != source.journal_hash)
    return Status(Code::conflict, target + " holds a backup of another journal; use an empty directory for this one");
  if (m.head > source.head)
    return Status(Code::conflict, target + " holds records up to " + std::to_string(m.head) + ", beyond this journal's head " +
                                      std::to_string(source.head) + " (was the journal restored from an older copy?); "
                                      "use an empty directory");
  auto rec = log.read(m.head);
  if (!rec.ok()) return rec.status();
  if (log::record_hash(rec->bytes) != m.head_hash)
    return Status(Code::conflict, target + ": its record " + std::to_string(m.head) +
                                      " differs from the journal's; use an empty directory");
  return Status::OK();
}

}  // namespace ejournal::backup
