// IdTable: records keyed by the dense ids the write model hands out (1, 2, 3 …; 0 means "none"), stored by
// index — a lookup is two array accesses where a std::map walked a tree of cache misses.
//
// Ids in events come from the write model, so they are dense and the table stays as long as the log has
// made ids. Ids read from a snapshot are checked against kMaxId first (restore refuses the snapshot). An
// id at or past kMaxId in an event (which the domain never makes) is never stored: operator[] hands out a
// scratch record that no lookup, iteration or snapshot sees, so a live state never holds what its own
// snapshot would refuse, and one stray id cannot make the table allocate its whole range (found by
// tests/fuzz/fuzz_envelope).
// The table starts at the block of the lowest id it holds, so a state that holds only recent records (one
// academic year of the journal) costs what it holds, not what the school has made since its first day.
//
// Records live in blocks of about 64 KiB that never move: growing adds a block, where one array grown by
// half again moved every record and touched fresh pages for all of them at each step (a replay spent more
// on those page faults than on some projections' folds). So a record's address is stable for the table's
// life, until clear().
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace ejournal::projections {

template <typename Id, typename T>
class IdTable {
 public:
  static constexpr std::uint64_t kMaxId = std::uint64_t{1} << 28;
  // Records per block: a power of two, about 64 KiB of them.
  static constexpr std::size_t kBlock = std::bit_floor(std::max<std::size_t>(64, (std::size_t{64} << 10) / sizeof(T)));

  const T* find(Id id) const { return find_in(*this, id); }
  T* find(Id id) { return find_in(*this, id); }
  bool contains(Id id) const { return find(id) != nullptr; }
  bool empty() const { return blocks_.empty(); }

  // The record of `id`, made (value-initialised) when absent — like std::map::operator[]. For an id at or
  // past kMaxId: a value-initialised scratch record, not stored (see above).
  T& operator[](Id id) {
    if (std::uint64_t{id} >= kMaxId) {
      scratch_ = T{};
      return scratch_;
    }
    cover(id, id);
    const std::size_t at = id - base_;
    Block& b = *blocks_[at / kBlock];
    b.present[at % kBlock] = 1;
    return b.items[at % kBlock];
  }

  // Makes room for ids first..last at once (a restore knows them).
  void reserve(Id first, Id last) {
    if (last >= first) cover(first, last);
  }

  // fn(id, record) for every present record, in id order (so snapshots are deterministic).
  template <typename F>
  void for_each(F&& fn) const {
    for (std::size_t b = 0; b < blocks_.size(); ++b)
      for (std::size_t i = 0; i < kBlock; ++i)
        if (blocks_[b]->present[i] != 0) fn(static_cast<Id>(base_ + b * kBlock + i), std::as_const(blocks_[b]->items[i]));
  }
  template <typename F>
  void for_each(F&& fn) {
    for (std::size_t b = 0; b < blocks_.size(); ++b)
      for (std::size_t i = 0; i < kBlock; ++i)
        if (blocks_[b]->present[i] != 0) fn(static_cast<Id>(base_ + b * kBlock + i), blocks_[b]->items[i]);
  }

  void clear() {
    base_ = 0;
    blocks_.clear();
  }

 private:
  struct Block {
    T items[kBlock]{};
    std::uint8_t present[kBlock]{};
  };

  template <typename Self>
  static auto* find_in(Self& self, Id id) {
    using Item = std::conditional_t<std::is_const_v<Self>, const T, T>;
    if (id < self.base_) return static_cast<Item*>(nullptr);
    const std::size_t at = id - self.base_;
    if (at / kBlock >= self.blocks_.size()) return static_cast<Item*>(nullptr);
    auto& b = *self.blocks_[at / kBlock];
    return b.present[at % kBlock] != 0 ? static_cast<Item*>(&b.items[at % kBlock]) : nullptr;
  }

  // Adds the blocks that ids first..last need: at the end as ids grow, or before the first block for an id
  // below the lowest held (rare: ids mostly increase; the records themselves stay where they are).
  void cover(Id first, Id last) {
    const Id low = static_cast<Id>(first - first % kBlock);
    if (blocks_.empty()) base_ = low;
    if (low < base_) {
      std::vector<std::unique_ptr<Block>> front((base_ - low) / kBlock);
      for (auto& b : front) b = std::make_unique<Block>();
      blocks_.insert(blocks_.begin(), std::make_move_iterator(front.begin()), std::make_move_iterator(front.end()));
      base_ = low;
    }
    const std::size_t need = (std::size_t{last} - base_) / kBlock + 1;
    while (blocks_.size() < need) blocks_.push_back(std::make_unique<Block>());
  }

  Id base_ = 0;  // a multiple of kBlock
  std::vector<std::unique_ptr<Block>> blocks_;
  T scratch_{};  // what operator[] hands out for an id out of range
};

}  // namespace ejournal::projections
