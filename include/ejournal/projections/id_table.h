// IdTable: records keyed by the dense ids the write model hands out (1, 2, 3 …; 0 means "none"), stored by
// index — a lookup is one array access where a std::map walked a tree of cache misses.
//
// Ids in events come from the write model, so they are dense and the table stays as long as the log has
// made ids. Ids read from a snapshot are checked against kMaxId first (restore refuses the snapshot).
// The table starts at the lowest id it holds, so a state that holds only recent records (one academic
// year of the journal) costs what it holds, not what the school has made since its first day.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace ejournal::projections {

template <typename Id, typename T>
class IdTable {
 public:
  static constexpr std::uint64_t kMaxId = std::uint64_t{1} << 28;

  const T* find(Id id) const { return contains(id) ? &items_[id - base_] : nullptr; }
  T* find(Id id) { return contains(id) ? &items_[id - base_] : nullptr; }
  bool contains(Id id) const { return id >= base_ && id - base_ < present_.size() && present_[id - base_] != 0; }
  bool empty() const { return items_.empty(); }

  // The record of `id`, made (value-initialised) when absent — like std::map::operator[].
  T& operator[](Id id) {
    if (items_.empty()) base_ = id;
    if (id < base_) rebase(id);
    const std::size_t at = id - base_;
    if (at >= items_.size()) {
      const std::size_t n = std::max<std::size_t>(at + 1, items_.size() * 3 / 2);
      items_.resize(n);
      present_.resize(n, 0);
    }
    present_[at] = 1;
    return items_[at];
  }

  // Makes room for ids first..last at once (a restore knows them), so filling the table moves nothing.
  void reserve(Id first, Id last) {
    if (last < first) return;
    if (items_.empty()) base_ = first;
    if (first < base_) rebase(first);
    const std::size_t n = std::size_t{last} - base_ + 1;
    if (n > items_.size()) {
      items_.resize(n);
      present_.resize(n, 0);
    }
  }

  // fn(id, record) for every present record, in id order (so snapshots are deterministic).
  template <typename F>
  void for_each(F&& fn) const {
    for (std::size_t i = 0; i < items_.size(); ++i)
      if (present_[i] != 0) fn(static_cast<Id>(base_ + i), items_[i]);
  }
  template <typename F>
  void for_each(F&& fn) {
    for (std::size_t i = 0; i < items_.size(); ++i)
      if (present_[i] != 0) fn(static_cast<Id>(base_ + i), items_[i]);
  }

  void clear() {
    base_ = 0;
    items_.clear();
    present_.clear();
  }

 private:
  // Moves every record up so that `id` (below the lowest held) gets a slot; rare (ids mostly increase).
  void rebase(Id id) {
    const std::size_t shift = base_ - id;
    items_.insert(items_.begin(), shift, T{});
    present_.insert(present_.begin(), shift, 0);
    base_ = id;
  }

  Id base_ = 0;
  std::vector<T> items_;
  std::vector<std::uint8_t> present_;
};

}  // namespace ejournal::projections
