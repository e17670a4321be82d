#include "log/record_reader.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include <filesystem>
#include <map>

#include <rocksdb/convenience.h>
#include <rocksdb/iterator.h>
#include <rocksdb/perf_level.h>

#include "log/format.h"
#include "log/warning.h"
#include "log/sealed_segment.h"

namespace ejournal::log {
namespace {

bool is_aligned(const char* p) { return reinterpret_cast<std::uintptr_t>(p) % alignof(std::uint64_t) == 0; }

// FlatBuffers reads scalars in place and needs them aligned; a value inside a RocksDB block may sit at any
// address. Hand out the value itself when it is aligned, else a copy in `scratch` (whose heap storage is).
std::string_view aligned_view(const rocksdb::Slice& value, std::string& scratch) {
  if (is_aligned(value.data()) && value.size() > 0) return {value.data(), value.size()};
  scratch.assign(value.data(), value.size());
  return scratch;
}

Status record_problem(Position p, const std::string& what) {
  return Status(Code::corruption, "record " + std::to_string(p) + ": " + what);
}

// Checks a stored record as read: its envelope and that it names the position it is stored under.
Status check_record(Position p, std::string_view bytes) {
  if (auto s = check_envelope(bytes); !s.ok()) return record_problem(p, s.message());
  if (envelope_of(bytes)->header()->position() != p)
    return record_problem(p, "stores position " + std::to_string(envelope_of(bytes)->header()->position()));
  return Status::OK();
}

// Checks a record read from a sealed segment whose frame checksum held. Every record of a segment passed
// check_record when it was sealed (the sealer reads through a log-family cursor), and the frame's XXH64
// covers the bytes since; so the FlatBuffers verifier, a sixth of a replay's reading, is not run again.
// What is still checked costs a few loads: the identifier, the position, and an event kind this program
// knows (a segment sealed by a newer version may carry kinds this one would refuse from `log`).
Status check_sealed_record(Position p, std::string_view bytes) {
  if (bytes.size() < 8 + kHeaderBytes || !is_aligned(bytes.data()) || !fb::EnvelopeBufferHasIdentifier(bytes.data()))
    return record_problem(p, "not an envelope");
  const fb::Envelope* env = envelope_of(bytes);
  if (env->header() == nullptr || env->header()->position() != p) return record_problem(p, "stores another position");
  const auto kind = static_cast<unsigned>(env->event_type());
  if (kind == 0 || kind > static_cast<unsigned>(fb::Event::MAX))
    return record_problem(p, "carries an event kind this program does not know");
  return Status::OK();
}

// Decoded segments, handed out as shared owners and taken back when the last copy goes (on whichever
// thread): a replay keeps a window of them alive, and reusing their buffers spares a megabyte of fresh,
// page-faulting memory per 4,096 records.
class SegmentPool : public std::enable_shared_from_this<SegmentPool> {
 public:
  std::shared_ptr<Segment> take() {
    std::unique_ptr<Segment> seg;
    {
      std::lock_guard lock(mu_);
      if (!free_.empty()) {
        seg = std::move(free_.back());
        free_.pop_back();
      }
    }
    if (!seg) seg = std::make_unique<Segment>();
    return {seg.release(), [self = shared_from_this()](Segment* s) { self->give_back(s); }};
  }

 private:
  static constexpr std::size_t kKeep = 32;  // more than a replay's window holds

  void give_back(Segment* s) {
    std::unique_ptr<Segment> owned(s);
    std::lock_guard lock(mu_);
    if (free_.size() < kKeep) free_.push_back(std::move(owned));
  }

  std::mutex mu_;
  std::vector<std::unique_ptr<Segment>> free_;
};

// Reads records from..to: from sealed segments while they cover the next position, then from the log
// family. Segments are contiguous up to where sealing stands, so once the cursor has left them (past the
// last one, or around a missing or damaged one) it stays in the log family.
class RocksCursor final : public LogCursor {
 public:
  RocksCursor(const RocksStore& store, Position from, Position to, const std::function<void(Position)>* on_fault)
      : store_(store), on_fault_(on_fault), expected_(from < 1 ? 1 : from), to_(to), upper_(format::position_key(to + 1)),
        upper_slice_(upper_) {
    const bool segments = on_fault != nullptr;
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);  // its thread-local counters cost ~9% of a read
    if (expected_ > to_) return;
    if (segments && store.seg_cf() != nullptr && to_ - expected_ >= kSegmentsFrom) {
      rocksdb::ReadOptions ro;
      ro.fill_cache = false;
      ro.readahead_size = 2 << 20;
      seg_it_.reset(store.db()->NewIterator(ro, store.seg_cf()));
      seg_it_->SeekForPrev(format::position_key(expected_));
      if (load_segment()) return;
    }
    enter_log();
  }

  bool valid() const override { return valid_; }
  void next() override {
    ++expected_;
    if (segment_) {
      if (expected_ > to_) {
        valid_ = false;
        return;
      }
      if (++index_ < segment_->size()) {
        settle_segment();
        return;
      }
      seg_it_->Next();
      if (load_segment(true)) return;
      enter_log();
      return;
    }
    it_->Next();
    settle();
  }
  Position position() const override { return expected_; }
  std::string_view bytes() const override { return current_; }
  const std::shared_ptr<const void>& owner() const override { return owner_; }  // null in the log family
  Status status() const override { return status_; }

 private:
  // Below this many records a range is read from the log family alone: a segment would decompress
  // thousands of records for a few.
  static constexpr Position kSegmentsFrom = 256;

  // Serves expected_ from the segment seg_it_ is on, if it covers it and decodes; else false. `after_one`:
  // the previous segment ended just before expected_ (so a later key means the one in between is missing).
  bool load_segment(bool after_one = false) {
    release_segment();
    if (!seg_it_->Valid() || seg_it_->key().size() != format::kPositionKeyBytes) return false;
    const Position first = format::decode_position_key({seg_it_->key().data(), seg_it_->key().size()});
    if (first > expected_) {  // a gap: the record is not sealed
      if (after_one) report(expected_);
      return false;
    }
    if (!pool_) {  // made on first use: most cursors (a follower's few new records) never read a segment
      pool_ = std::make_shared<SegmentPool>();
      decoder_ = std::make_unique<SegmentDecoder>();
    }
    std::shared_ptr<Segment> seg = pool_->take();
    if (auto s = decoder_->decode(first, {seg_it_->value().data(), seg_it_->value().size()}, *seg); !s.ok()) {
      warn(s.message() + "; reading its records from the log family");
      report(first);
      return false;
    }
    if (seg->last() < expected_) return false;
    segment_ = std::move(seg);
    owner_ = segment_;
    index_ = expected_ - first;
    settle_segment();
    return true;
  }

  void report(Position first) const {
    if (on_fault_ != nullptr && *on_fault_) (*on_fault_)(first);
  }

  void release_segment() {
    segment_.reset();
    owner_.reset();
  }

  void settle_segment() {
    current_ = segment_->record(index_);
    status_ = check_sealed_record(expected_, current_);
    valid_ = status_.ok();
    if (!valid_) {  // the segment's checksum held, yet not its record: read the truth instead
      warn("sealed segment at " + std::to_string(segment_->first()) + ": " + status_.message() +
           "; reading its records from the log family");
      report(segment_->first());
      enter_log();
    }
  }

  void enter_log() {
    release_segment();
    seg_it_.reset();
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = &upper_slice_;
    ro.readahead_size = 2 << 20;  // replay reads the whole log in order
    ro.fill_cache = false;        // and must not push the hot tail out of the block cache
    ro.async_io = false;
    it_.reset(store_.db()->NewIterator(ro, store_.log_cf()));
    it_->Seek(format::position_key(expected_));
    settle();
  }

  void settle() {
    valid_ = false;
    if (!it_->Valid()) {
      status_ = from_rocks(it_->status(), "reading the log");
      return;
    }
    const rocksdb::Slice key = it_->key();
    if (key.size() != format::kPositionKeyBytes) {
      status_ = record_problem(expected_, "malformed key in the log family");
      return;
    }
    const Position p = format::decode_position_key({key.data(), key.size()});
    if (p != expected_) {
      status_ = record_problem(expected_, "missing (the next stored position is " + std::to_string(p) + ")");
      return;
    }
    current_ = aligned_view(it_->value(), scratch_);
    status_ = check_record(p, current_);
    valid_ = status_.ok();
  }

  const RocksStore& store_;
  const std::function<void(Position)>* on_fault_;  // null: the log family only
  Position expected_;
  Position to_;
  std::string upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> seg_it_;
  std::unique_ptr<SegmentDecoder> decoder_;
  std::shared_ptr<SegmentPool> pool_;
  std::shared_ptr<Segment> segment_;  // while serving from a segment
  std::shared_ptr<const void> owner_;  // the same, as owner()
  std::size_t index_ = 0;
  std::unique_ptr<rocksdb::Iterator> it_;
  std::string scratch_;
  std::string_view current_;
  Status status_;
  bool valid_ = false;
};

Result<std::string> get_raw(const RocksStore& store, Position p) {
  std::string value;
  auto s = store.db()->Get(rocksdb::ReadOptions(), store.log_cf(), format::position_key(p), &value);
  if (s.IsNotFound()) return Status(Code::not_found, "no record at position " + std::to_string(p));
  if (!s.ok()) return from_rocks(s, "reading record " + std::to_string(p));
  return value;
}

}  // namespace

const std::shared_ptr<const void>& LogCursor::owner() const {
  static const std::shared_ptr<const void> none;
  return none;
}

std::unique_ptr<LogCursor> RecordReader::cursor(Position from, Position to) const {
  return std::make_unique<RocksCursor>(store_, from, to, &on_segment_fault_);
}

std::unique_ptr<LogCursor> RecordReader::log_cursor(Position from, Position to) const {
  return std::make_unique<RocksCursor>(store_, from, to, nullptr);
}

Result<StoredRecord> RecordReader::read(Position position, Position head) const {
  if (position == kNoPosition || position > head)
    return Status(Code::not_found, "no record at position " + std::to_string(position) + " (head is " +
                                       std::to_string(head) + ")");
  auto raw = get_raw(store_, position);
  if (!raw.ok()) {
    // The head says it exists: its absence is damage, not a wrong question.
    if (raw.status().code() == Code::not_found) return record_problem(position, "missing below the head");
    return raw.status();
  }
  StoredRecord rec{position, std::move(raw.value())};
  if (auto s = check_record(position, rec.bytes); !s.ok()) return s;
  return rec;
}

Result<Position> RecordReader::position_at(Timestamp time, Position head) const {
  // Largest p in [1, head] with recorded_at(p) <= time; times never decrease along the log.
  Position lo = 1, hi = head, found = kNoPosition;
  while (lo <= hi) {
    const Position mid = lo + (hi - lo) / 2;
    auto rec = read(mid, head);
    if (!rec.ok()) return rec.status();
    if (rec->envelope()->header()->recorded_at_us() <= time) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

Result<std::optional<AppendResult>> RecordReader::find_command(const CommandId& id) const {
  std::string value;
  const rocksdb::Slice key(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
  auto s = store_.db()->Get(rocksdb::ReadOptions(), store_.idem_cf(), key, &value);
  if (s.IsNotFound()) return std::optional<AppendResult>();
  if (!s.ok()) return from_rocks(s, "looking up command id " + id.to_hex());
  if (value.size() != format::kIdemValueBytes)
    return Status(Code::corruption, "command-id index entry for " + id.to_hex() + " has the wrong size");
  AppendResult r;
  r.first = format::get_u64_be(value.data());
  r.count = format::get_u32_be(value.data() + 8);
  r.duplicate = true;
  auto first = get_raw(store_, r.first);
  if (!first.ok()) return first.status();
  if (auto c = check_record(r.first, *first); !c.ok()) return c;
  r.recorded_at = envelope_of(*first)->header()->recorded_at_us();
  return std::optional<AppendResult>(r);
}

Result<std::optional<StoredRecord>> RecordReader::last_record() const {
  std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(rocksdb::ReadOptions(), store_.log_cf()));
  it->SeekToLast();
  if (!it->Valid()) {
    if (!it->status().ok()) return from_rocks(it->status(), "finding the last record");
    return std::optional<StoredRecord>();
  }
  if (it->key().size() != format::kPositionKeyBytes)
    return Status(Code::corruption, "malformed key at the end of the log family");
  StoredRecord rec{format::decode_position_key({it->key().data(), it->key().size()}), it->value().ToString()};
  return std::optional<StoredRecord>(std::move(rec));
}

Result<HeadAnchor> RecordReader::head_anchor() const {
  std::string value;
  auto s = store_.db()->Get(rocksdb::ReadOptions(), store_.meta_cf(), format::kHeadKey, &value);
  if (s.IsNotFound()) return HeadAnchor{};
  if (!s.ok()) return from_rocks(s, "reading the head anchor");
  if (value.size() != format::kHeadValueBytes) return Status(Code::corruption, "head anchor has the wrong size");
  HeadAnchor a;
  a.position = format::get_u64_be(value.data());
  std::memcpy(a.hash.bytes.data(), value.data() + 8, a.hash.bytes.size());
  return a;
}

Result<VerifyReport> RecordReader::verify(Position from, Position to, Position head) const {
  VerifyReport report;
  report.from = from < 1 ? 1 : from;
  report.to = to > head ? head : to;
  if (report.from > report.to) {
    report.to = report.from - 1;
    return report;
  }
  auto fail = [&](Position p, std::string problem) {
    report.first_bad = p;
    report.problem = std::move(problem);
    return report;
  };

  // The hash each record must name: its predecessor's. Position 1 names all zeros.
  Digest prev_hash;
  Timestamp prev_time = INT64_MIN;
  if (report.from > 1) {
    auto prev = get_raw(store_, report.from - 1);
    if (!prev.ok()) return fail(report.from - 1, prev.status().message());
    prev_hash = record_hash(*prev);
    if (check_envelope(*prev).ok()) prev_time = envelope_of(*prev)->header()->recorded_at_us();
  }

  // The hash that the record after p names: its successor's prev_hash, or, when p is the head and nothing
  // follows yet, the head anchor's. nullopt when neither can be read. (The log may grow while we walk: a
  // writer commits past the head we started from, and then the successor is a record.)
  auto named_by_successor = [&](Position p) -> Result<std::optional<Digest>> {
    if (p == head) {
      auto anchor = head_anchor();
      if (!anchor.ok()) return anchor.status();
      if (anchor->position == p) return std::optional<Digest>(anchor->hash);
      if (anchor->position < p) return std::optional<Digest>();
    }
    auto next = get_raw(store_, p + 1);
    if (!next.ok() || !check_envelope(*next).ok()) return std::optional<Digest>();
    return std::optional<Digest>(header_of(*next).prev_hash);
  };

  rocksdb::ReadOptions ro;
  const std::string upper = format::position_key(report.to + 1);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  ro.readahead_size = 2 << 20;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(ro, store_.log_cf()));
  std::string scratch;
  Position expected = report.from;
  for (it->Seek(format::position_key(expected)); it->Valid(); it->Next(), ++expected) {
    if (it->key().size() != format::kPositionKeyBytes) return fail(expected, "malformed key");
    const Position p = format::decode_position_key({it->key().data(), it->key().size()});
    if (p != expected) return fail(expected, "missing: the log jumps to " + std::to_string(p));
    const std::string_view bytes = aligned_view(it->value(), scratch);
    if (auto s = check_envelope(bytes); !s.ok()) return fail(p, s.message());
    const SealFields h = header_of(bytes);
    if (h.position != p) return fail(p, "stores position " + std::to_string(h.position));
    const Digest hash = record_hash(bytes);
    if (h.prev_hash != prev_hash) {
      // Is record p itself intact? Then its successor still names its hash, and the fault is p-1's.
      auto named = named_by_successor(p);
      if (!named.ok()) return named.status();
      if (named->has_value() && **named == hash && p > 1)
        return fail(p - 1, "its bytes do not match the hash that record " + std::to_string(p) + " names");
      return fail(p, "its previous-hash link does not match record " + std::to_string(p - 1));
    }
    if (h.recorded_at < prev_time) return fail(p, "recorded before its predecessor (time went backwards)");
    prev_hash = hash;
    prev_time = h.recorded_at;
  }
  if (!it->status().ok()) return from_rocks(it->status(), "walking the log");
  if (expected <= report.to) return fail(expected, "missing below the head");
  report.last_hash = prev_hash;
  if (report.to == head) {
    auto named = named_by_successor(head);
    if (!named.ok()) return named.status();
    if (!named->has_value()) return fail(head, "the head anchor does not name it");
    if (**named != prev_hash) return fail(head, "its bytes do not match the hash in the head anchor");
  }
  return report;
}

}  // namespace ejournal::log

namespace ejournal::log {

Result<SegmentReport> RecordReader::verify_segments(Position head) const {
  SegmentReport report;
  if (store_.seg_cf() == nullptr) return report;
  const auto fail = [&](Position first, std::string problem) {
    report.first_bad = first;
    report.problem = "sealed segment at " + std::to_string(first) + ": " + std::move(problem);
    return report;
  };
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> seg(store_.db()->NewIterator(ro, store_.seg_cf()));
  std::unique_ptr<rocksdb::Iterator> rec(store_.db()->NewIterator(ro, store_.log_cf()));
  SegmentDecoder decoder;
  Segment decoded;
  for (seg->SeekToFirst(); seg->Valid(); seg->Next()) {
    if (seg->key().size() != format::kPositionKeyBytes) return fail(report.sealed_end, "malformed key");
    const Position first = format::decode_position_key({seg->key().data(), seg->key().size()});
    if (first != report.sealed_end)
      return fail(report.sealed_end, "missing (the next segment starts at " + std::to_string(first) + ")");
    if (first > head) break;  // sealed after this view's head
    if (auto s = decoder.decode(first, {seg->value().data(), seg->value().size()}, decoded); !s.ok())
      return fail(first, s.message());
    if (decoded.last() > head) return fail(first, "runs past the head");
    rec->Seek(format::position_key(first));
    for (std::size_t i = 0; i < decoded.size(); ++i, rec->Next()) {
      const Position p = first + i;
      if (!rec->Valid() || rec->key() != rocksdb::Slice(format::position_key(p)))
        return fail(first, "record " + std::to_string(p) + " is not in the log family");
      if (rec->value() != rocksdb::Slice(decoded.record(i).data(), decoded.record(i).size()))
        return fail(first, "holds record " + std::to_string(p) + " unlike the log family");
    }
    ++report.segments;
    report.sealed_end = decoded.last() + 1;
  }
  if (!seg->status().ok()) return from_rocks(seg->status(), "reading the sealed segments");
  if (!rec->status().ok()) return from_rocks(rec->status(), "reading the log");
  return report;
}

}  // namespace ejournal::log

namespace ejournal::log {
namespace {

// Keeps the first few lines of a list and counts the rest.
class ProblemList {
 public:
  explicit ProblemList(std::vector<std::string>& lines) : lines_(lines) {}
  void add(std::string problem) {
    ++seen_;
    if (lines_.size() < kMost) lines_.push_back(std::move(problem));
  }
  ~ProblemList() {
    if (seen_ > kMost) lines_.push_back("… and " + std::to_string(seen_ - kMost) + " more");
  }

 private:
  static constexpr std::size_t kMost = 20;
  std::vector<std::string>& lines_;
  std::size_t seen_ = 0;
};

std::string hex_of(const rocksdb::Slice& s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

}  // namespace

Result<StorageReport> RecordReader::verify_storage(Position head) const {
  StorageReport report;
  ProblemList problems(report.faults);
  ProblemList copies(report.warnings);
  rocksdb::DB* db = store_.db();

  // Every block of every table file in the directory. The live ones are read with their family's options.
  // Any other is read too: a RocksDB secondary instance (ejctl's view) leaves out of its version a table
  // file it cannot open — the family then looks as it was before that file, with no error — where the
  // writer refuses to open at all. Such a file is a fault; one that verifies is obsolete (a compaction's
  // input the writer is about to delete) and is not counted.
  std::vector<rocksdb::LiveFileMetaData> files;
  db->GetLiveFilesMetaData(&files);
  std::map<std::string, const rocksdb::LiveFileMetaData*> live;
  for (const auto& f : files) live[f.name.substr(f.name.rfind('/') + 1)] = &f;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> family;
  for (auto* h : store_.families()) family[h->GetName()] = h;
  rocksdb::ReadOptions checking;
  checking.verify_checksums = true;
  checking.fill_cache = false;
  std::error_code listing;
  for (const auto& entry : std::filesystem::directory_iterator(store_.dir(), listing)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".sst")) continue;
    const auto known = live.find(name);
    const std::string cf = known != live.end() ? known->second->column_family_name : std::string();
    const auto h = family.find(cf);
    const rocksdb::Options options(db->GetDBOptions(), h != family.end() ? db->GetOptions(h->second)
                                                                          : rocksdb::ColumnFamilyOptions());
    auto s = rocksdb::VerifySstFileChecksum(options, rocksdb::EnvOptions(options), checking, entry.path().string(),
                                            known != live.end() ? known->second->largest_seqno : 0);
    std::error_code ec;
    if (!s.ok() && !std::filesystem::exists(entry.path(), ec)) continue;  // deleted by a running writer meanwhile
    if (known == live.end()) {
      if (s.ok()) continue;
      problems.add("table file " + name + " cannot be read (" + s.ToString() + "); the directory's version leaves it "
                   "out, so its family reads as it was before it: ejournald will refuse to open this directory");
      continue;
    }
    ++report.table_files;
    if (s.ok()) continue;
    const bool copy = cf == format::kSnapFamily || cf == format::kSegFamily;
    (copy ? copies : problems).add("family " + cf + ", table file " + name + ": " + s.ToString());
  }
  if (listing) problems.add("cannot list " + store_.dir() + ": " + listing.message());

  // The command-id index against the log: each run of records under one command id has one entry naming it.
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  const auto check_run = [&](const CommandId& id, Position first, std::uint32_t count) {
    ++report.commands;
    std::string value;
    const rocksdb::Slice key(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
    auto s = db->Get(ro, store_.idem_cf(), key, &value);
    const std::string where = "command " + id.to_hex() + " at " + std::to_string(first);
    if (s.IsNotFound()) return problems.add(where + ": not in the command-id index (a retry would be recorded again)");
    if (!s.ok()) return problems.add(where + ": the command-id index cannot be read: " + s.ToString());
    if (value.size() != format::kIdemValueBytes) return problems.add(where + ": its index entry has the wrong size");
    const Position indexed = format::get_u64_be(value.data());
    const std::uint32_t indexed_count = format::get_u32_be(value.data() + 8);
    if (indexed != first || indexed_count != count)
      problems.add(where + " (" + std::to_string(count) + " records): the index names " + std::to_string(indexed) +
                   " (" + std::to_string(indexed_count) + " records)");
  };
  CommandId run_id;
  Position run_first = kNoPosition;
  std::uint32_t run_count = 0;
  auto c = log_cursor(1, head);
  for (; c->valid(); c->next()) {
    const auto* header = c->envelope()->header();
    CommandId id;
    std::memcpy(id.bytes.data(), header->command_id()->data(), id.bytes.size());
    if (run_first != kNoPosition && id == run_id) {
      ++run_count;
      continue;
    }
    if (run_first != kNoPosition) check_run(run_id, run_first, run_count);
    run_id = id;
    run_first = c->position();
    run_count = 1;
  }
  if (!c->status().ok()) problems.add("the log cannot be walked to its head: " + c->status().message());
  else if (run_first != kNoPosition) check_run(run_id, run_first, run_count);

  // …and holds nothing else (entries beyond this view's head belong to records it does not see). The family
  // has a prefix extractor (whole ids): only a total-order iterator sees every entry.
  rocksdb::ReadOptions all = ro;
  all.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(all, store_.idem_cf()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != sizeof(CommandId::bytes) || it->value().size() != format::kIdemValueBytes) {
      problems.add("command-id index entry " + hex_of(it->key()) + " is malformed");
      continue;
    }
    const Position first = format::get_u64_be(it->value().data());
    if (first == kNoPosition) problems.add("command-id index entry " + hex_of(it->key()) + " names position 0");
    else if (first <= head) ++report.index_entries;
  }
  if (!it->status().ok()) problems.add("the command-id index cannot be read: " + it->status().ToString());
  if (report.index_entries != report.commands)
    problems.add("the command-id index holds " + std::to_string(report.index_entries) + " entries for " +
                 std::to_string(report.commands) + " commands in the log");
  return report;
}

}  // namespace ejournal::log
