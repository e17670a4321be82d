#include "log/sealer.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <rocksdb/iterator.h>

#include "log/format.h"
#include "log/warning.h"
#include "log/record_reader.h"
#include "log/rocks_store.h"
#include "log/sealed_segment.h"

namespace ejournal::log {
namespace {

// Where the stored segments end: after the last one whose header reads. A damaged last header (its count
// unknown) is sealed again from its first position.
Position find_sealed_end(const RocksStore& store) {
  if (store.seg_cf() == nullptr) return 1;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(rocksdb::ReadOptions(), store.seg_cf()));
  it->SeekToLast();
  if (!it->Valid() || it->key().size() != format::kPositionKeyBytes) return 1;
  const Position first = format::decode_position_key({it->key().data(), it->key().size()});
  const rocksdb::Slice v = it->value();
  if (v.size() < format::kSegmentHeaderBytes || std::string_view(v.data(), 4) != format::kSegmentMagic ||
      format::get_u64_be(v.data() + 8) != first)
    return first;
  return first + format::get_u32_be(v.data() + 4);
}

}  // namespace

Sealer::Sealer(const RocksStore& store, const RecordReader& reader, Position head, bool background)
    : store_(store), reader_(reader) {
  next_.store(find_sealed_end(store));
  target_.store(head);
  if (background && store.seg_cf() != nullptr) thread_ = std::thread([this] { run(); });
}

Sealer::~Sealer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Sealer::notify(Position head) {
  target_.store(head);
  if (head >= next_.load() + format::kSegmentRecords) {
    std::lock_guard lock(mu_);
    cv_.notify_one();
  }
}

Status Sealer::seal_up_to(Position head) {
  std::lock_guard lock(seal_mu_);
  if (auto s = seal_locked(head); !s.ok()) return s;
  repair_locked();
  return Status::OK();
}

void Sealer::repair(Position first) {
  {
    std::lock_guard lock(mu_);
    if (faults_.size() >= 64 || std::find(faults_.begin(), faults_.end(), first) != faults_.end()) return;
    faults_.push_back(first);
  }
  cv_.notify_one();
}

void Sealer::run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] {
        return stopping_.load() || !faults_.empty() || target_.load() >= next_.load() + format::kSegmentRecords;
      });
      if (stopping_.load()) return;
    }
    std::lock_guard lock(seal_mu_);
    repair_locked();
    if (auto s = seal_locked(target_.load()); !s.ok()) {
      warn("cannot seal log segments: " + s.to_string());
      return;  // reading goes on from the log family; the next open tries again
    }
  }
}

bool Sealer::starts_segment(Position first) const {
  if (first == 1) return true;
  std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(rocksdb::ReadOptions(), store_.seg_cf()));
  it->SeekForPrev(format::position_key(first - 1));
  if (!it->Valid() || it->key().size() != format::kPositionKeyBytes) return false;
  const Position before = format::decode_position_key({it->key().data(), it->key().size()});
  const rocksdb::Slice v = it->value();
  return v.size() >= format::kSegmentHeaderBytes && std::string_view(v.data(), 4) == format::kSegmentMagic &&
         format::get_u64_be(v.data() + 8) == before && before + format::get_u32_be(v.data() + 4) == first;
}

void Sealer::repair_locked() {
  std::vector<Position> faults;
  {
    std::lock_guard lock(mu_);
    faults.swap(faults_);
  }
  const Position end = next_.load();
  for (Position first : faults) {
    if (first >= end || !starts_segment(first)) continue;  // not sealed yet, or not where a segment starts
    // The segment as sealing cut it: the records up to the next cut, which lies at or before `end`.
    SegmentBuilder builder(first);
    auto c = reader_.log_cursor(first, end - 1);
    for (; c->valid() && builder.fits(c->bytes().size()); c->next()) {
      builder.add(c->bytes());
      if (builder.full()) break;
    }
    // A repair that fails (the log family itself damaged there: `ejctl verify` tells) leaves the segment
    // as it was, and sealing goes on.
    Status s = c->status();
    if (s.ok() && builder.count() == 0) s = Status(Code::corruption, "no record to seal");
    if (s.ok()) s = store_segment(builder);
    if (!s.ok()) warn("cannot write sealed segment at " + std::to_string(first) + " again: " + s.to_string());
    else warn("sealed segment at " + std::to_string(first) + " written again from the log family");
  }
}

Status Sealer::store_segment(const SegmentBuilder& builder) {
  const std::string value = builder.seal();
  if (value.empty()) return Status(Code::internal, "cannot compress a segment");
  rocksdb::WriteBatch batch;
  batch.Put(store_.seg_cf(), format::position_key(builder.first()), value);
  return store_.write(batch, false, "writing a sealed segment");  // not synced: derived data (see sealer.h)
}

Status Sealer::seal_locked(Position head) {
  if (store_.seg_cf() == nullptr) return Status::OK();
  Position first = next_.load();
  if (head < first) return Status::OK();
  auto builder = std::make_unique<SegmentBuilder>(first);
  const auto put = [&]() -> Status {
    if (auto s = store_segment(*builder); !s.ok()) return s;
    next_.store(builder->first() + builder->count());
    return Status::OK();
  };
  auto c = reader_.log_cursor(first, head);
  for (; c->valid(); c->next()) {
    const std::string_view bytes = c->bytes();
    if (!builder->fits(bytes.size())) {
      if (auto s = put(); !s.ok()) return s;
      builder = std::make_unique<SegmentBuilder>(c->position());
    }
    builder->add(bytes);
    if (builder->full()) {
      if (auto s = put(); !s.ok()) return s;
      builder = std::make_unique<SegmentBuilder>(c->position() + 1);
      if (stopping_.load()) return Status::OK();
    }
  }
  return c->status();  // what is left in the builder is not complete yet
}

}  // namespace ejournal::log
