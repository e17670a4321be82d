// backup(): the incremental copy of the log onto every target, each succeeding or failing on its own.
#include "ejournal/backup/backup.h"

#include <map>

#include "backup/copy.h"
#include "backup/keys_file.h"
#include "backup/source.h"
#include "backup/target.h"
#include "ejournal/log/envelope.h"

namespace ejournal::backup {
bool BackupReport::ok() const {
  for (const auto& t : targets)
    if (!t.status.ok()) return false;
  return true;
}

Result<BackupReport> backup(const log::LogReader& log, const std::string& data_dir,
                            const std::vector<std::string>& targets, const BackupOptions& options) {
  if (targets.empty()) return Status(Code::invalid_argument, "name at least one target");
  auto source = source_facts(log, log.head());
  if (!source.ok()) return source.status();
  BackupReport report;
  report.head = source->head;
  report.head_hash = source->head_hash;
  auto keys = collect_keys(log, data_dir);
  if (!keys.ok()) return keys.status();
  const std::string keys_bytes = encode_keys(*keys);

  struct Slot {
    std::unique_ptr<TargetWriter> writer;
    TargetResult result;
  };
  std::vector<Slot> slots(targets.size());
  std::map<log::Position, std::vector<Slot*>> by_from;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    Slot& slot = slots[i];
    slot.result.target = targets[i];
    auto writer = TargetWriter::open(targets[i], {});
    if (!writer.ok()) {
      slot.result.status = writer.status();
      continue;
    }
    slot.writer = std::move(*writer);
    const auto& prev = slot.writer->previous();
    if (prev) {
      if (auto s = check_same_journal(log, *prev, *source, targets[i]); !s.ok()) {
        slot.result.status = s;
        continue;
      }
    }
    slot.result.from = prev ? prev->head + 1 : 1;
    slot.result.to = slot.result.from - 1;
    by_from[slot.result.from].push_back(&slot);
  }

  for (auto& [from, same_start] : by_from) {
    if (from > source->head) continue;
    std::vector<Slot*>& group = same_start;  // a structured binding cannot be captured before clang 16
    const log::Digest prev_hash = from == 1 ? log::Digest{} : group.front()->writer->previous()->head_hash;
    auto sink = [&group](const EncodedSegment& seg) -> Status {
      bool any = false;
      for (Slot* slot : group) {
        if (!slot->result.status.ok()) continue;
        if (auto s = slot->writer->add_segment(seg); !s.ok()) {
          slot->result.status = Status(s.code(), slot->result.target + ": " + s.message());
        } else {
          any = true;
        }
      }
      return any ? Status::OK() : Status(Code::io_error, "no target could be written");
    };
    auto copied = copy_segments(log, from, source->head, prev_hash, options, sink);
    if (!copied.ok()) {
      bool sink_failed = true;
      for (Slot* slot : group) sink_failed = sink_failed && !slot->result.status.ok();
      if (!sink_failed) return copied.status();  // the source itself is damaged: no target gets a new manifest
      continue;
    }
    report.records += copied->records;
    report.raw_bytes += copied->raw_bytes;
    for (Slot* slot : group) {
      if (!slot->result.status.ok()) continue;
      Manifest& m = slot->writer->next();
      m.archive = false;
      m.created_at = options.now != 0 ? options.now : wall_clock_now();
      m.journal_hash = source->journal_hash;
      m.head = source->head;
      m.head_hash = source->head_hash;
      m.head_time = source->head_time;
      FileInfo keys_info;
      keys_info.file = keys_file_name(source->head);
      keys_info.position = source->head;
      auto written = slot->writer->add_file(keys_info, keys_bytes);
      Status s = written.ok() ? Status::OK() : written.status();
      if (s.ok()) {
        m.keys = *written;
        s = slot->writer->commit();
      }
      if (!s.ok()) slot->result.status = Status(s.code(), slot->result.target + ": " + s.message());
      slot->result.to = source->head;
    }
  }
  for (Slot& slot : slots) {
    if (slot.writer) {
      slot.result.files = slot.writer->files_written();
      slot.result.bytes = slot.writer->bytes_written();
    }
    report.targets.push_back(std::move(slot.result));
  }
  return report;
}

}  // namespace ejournal::backup
