#include "backup/copy.h"

#include <deque>
#include <future>
#include <thread>

namespace ejournal::backup {

Result<CopyStats> copy_segments(const log::LogReader& log, log::Position from, log::Position to,
                                const log::Digest& prev_hash, const BackupOptions& options,
                                const std::function<Status(const EncodedSegment&)>& sink,
                                const std::function<void(log::Position, std::string_view)>& on_record) {
  CopyStats stats;
  if (from > to) return stats;
  const std::size_t per_segment = std::max<std::size_t>(1, std::min(options.segment_records, kMaxSegmentRecords));
  const unsigned threads = options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::deque<std::future<Result<EncodedSegment>>> pending;
  log::Digest linked = prev_hash;
  std::uint64_t done = 0;
  const std::uint64_t total = to - from + 1;

  // Takes the oldest pending segment, checks its link, and gives it to the sink.
  auto drain_one = [&]() -> Status {
    Result<EncodedSegment> seg = pending.front().get();
    pending.pop_front();
    if (!seg.ok()) return Status(seg.status().code(), "the journal's log is damaged: " + seg.status().message() +
                                                          "; run `ejctl verify --data`");
    if (seg->info.prev_hash != linked)
      return Status(Code::corruption, "the journal's log is damaged: record " + std::to_string(seg->info.first) +
                                          " does not name the hash of record " + std::to_string(seg->info.first - 1));
    linked = seg->info.last_hash;
    if (auto s = sink(*seg); !s.ok()) return s;
    done += seg->info.last - seg->info.first + 1;
    if (options.progress) options.progress(done, total);
    return Status::OK();
  };
  auto fail = [&](Status s) {
    for (auto& f : pending) f.wait();  // workers hold no references we are about to destroy, but finish them
    return s;
  };

  std::vector<std::string> batch;
  // Segments end on multiples of per_segment, so copies made at different times share boundaries.
  auto segment_end = [&](log::Position p) { return std::min<log::Position>(to, (p - 1) / per_segment * per_segment + per_segment); };
  log::Position end = segment_end(from);
  auto cursor = log.cursor(from);
  for (; cursor->valid() && cursor->position() <= to; cursor->next()) {
    const std::string_view bytes = cursor->bytes();
    if (on_record) on_record(cursor->position(), bytes);
    stats.raw_bytes += bytes.size();
    ++stats.records;
    batch.emplace_back(bytes);
    if (cursor->position() == end) {
      const int level = options.zstd_level;
      pending.push_back(std::async(std::launch::async, [records = std::move(batch), level] {
        return encode_segment(records, level);
      }));
      batch = {};
      end = segment_end(end + 1);
      while (pending.size() > threads)
        if (auto s = drain_one(); !s.ok()) return fail(s);
    }
  }
  if (!cursor->status().ok()) return fail(Status(cursor->status().code(), "reading the log: " + cursor->status().message()));
  if (stats.records != total)
    return fail(Status(Code::corruption, "the log ended at position " + std::to_string(from + stats.records - 1) +
                                             ", before " + std::to_string(to)));
  while (!pending.empty())
    if (auto s = drain_one(); !s.ok()) return fail(s);
  return stats;
}

}  // namespace ejournal::backup
