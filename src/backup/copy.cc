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
    stats.records += seg->info.last - seg->info.first + 1;
    stats.raw_bytes += seg->source_bytes;
    if (auto s = sink(*seg); !s.ok()) return s;
    done += seg->info.last - seg->info.first + 1;
    if (options.progress) options.progress(done, total);
    return Status::OK();
  };
  auto fail = [&](Status s) {
    for (auto& f : pending) f.wait();  // workers hold no references we are about to destroy, but finish them
    return s;
  };

  // Segments end on multiples of per_segment, so copies made at different times share boundaries.
  auto segment_end = [&](log::Position p) { return std::min<log::Position>(to, (p - 1) / per_segment * per_segment + per_segment); };
  const int level = options.zstd_level;
  auto queue = [&](std::function<Result<EncodedSegment>()> job) -> Status {
    pending.push_back(std::async(std::launch::async, std::move(job)));
    while (pending.size() > threads)
      if (auto s = drain_one(); !s.ok()) return s;
    return Status::OK();
  };

  if (!on_record) {
    // Each worker reads its own range with a cursor of its own: reading (block decompression, envelope
    // checks) is as much work as packing, and the log may be read from any thread.
    for (log::Position a = from; a <= to; a = segment_end(a) + 1) {
      const log::Position b = segment_end(a);
      auto job = [&log, a, b, level]() -> Result<EncodedSegment> {
        std::vector<std::string> records;
        records.reserve(b - a + 1);
        auto c = log.cursor(a);
        for (; c->valid() && c->position() <= b; c->next()) records.emplace_back(c->bytes());
        if (!c->status().ok()) return Status(c->status().code(), "reading the log: " + c->status().message());
        if (records.size() != b - a + 1)
          return Status(Code::corruption, "the log ended at position " + std::to_string(a + records.size() - 1) +
                                              ", before " + std::to_string(b));
        return encode_segment(records, level);
      };
      if (auto s = queue(job); !s.ok()) return fail(s);
    }
  } else {
    std::vector<std::string> batch;
    log::Position end = segment_end(from);
    log::Position read = from - 1;
    auto cursor = log.cursor(from);
    for (; cursor->valid() && cursor->position() <= to; cursor->next()) {
      const std::string_view bytes = cursor->bytes();
      on_record(cursor->position(), bytes);
      batch.emplace_back(bytes);
      read = cursor->position();
      if (read == end) {
        if (auto s = queue([records = std::move(batch), level] { return encode_segment(records, level); }); !s.ok())
          return fail(s);
        batch = {};
        end = segment_end(end + 1);
      }
    }
    if (!cursor->status().ok()) return fail(Status(cursor->status().code(), "reading the log: " + cursor->status().message()));
    if (read != to)
      return fail(Status(Code::corruption, "the log ended at position " + std::to_string(read) + ", before " + std::to_string(to)));
  }
  while (!pending.empty())
    if (auto s = drain_one(); !s.ok()) return fail(s);
  return stats;
}

}  // namespace ejournal::backup
