// IdTable: records keyed by the dense ids the write model hands out (1, 2, 3 …; 0 means "none"), stored by
// index — a lookup is one array access where a std::map walked a tree of cache misses.
//
// Ids in events come from the write model, so they are dense and the table stays as long as the log has
// made ids. Ids read from a snapshot are checked against kMaxId first (restore refuses the snapshot).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace ejournal::projections {

template <typename Id, typename T>
class IdTable {
 public:
  static constexpr std::uint64_t kMaxId = std::uint64_t{1} << 28;

  const T* find(Id id) const { return contains(id) ? &items_[id] : nullptr; }
  T* find(Id id) { return contains(id) ? &items_[id] : nullptr; }
  bool contains(Id id) const { return id < present_.size() && present_[id] != 0; }

  // The record of `id`, made (value-initialised) when absent — like std::map::operator[].
  T& operator[](Id id) {
    if (id >= items_.size()) {
      const std::size_t n = std::max<std::size_t>(std::size_t{id} + 1, items_.size() * 3 / 2);
      items_.resize(n);
      present_.resize(n, 0);
    }
    present_[id] = 1;
    return items_[id];
  }

  // fn(id, record) for every present record, in id order (so snapshots are deterministic).
  template <typename F>
  void for_each(F&& fn) const {
    for (std::size_t id = 0; id < items_.size(); ++id)
      if (present_[id] != 0) fn(static_cast<Id>(id), items_[id]);
  }

 private:
  std::vector<T> items_;
  std::vector<std::uint8_t> present_;
};

}  // namespace ejournal::projections
