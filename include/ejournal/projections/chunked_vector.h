// ChunkedVector: an append-only sequence kept in chunks of a fixed number of elements. Appending never
// moves what is already there, where a std::vector that doubles copies every element again and faults a
// fresh array in page by page each time (the audit trail of a school year is some 20 MB). By default a
// chunk is one transparent huge page (huge_pages.h): filling it costs one page fault. Read in order, by
// index, or from the back.
#pragma once

#include <cstddef>
#include <iterator>
#include <vector>

#include "ejournal/projections/huge_pages.h"

namespace ejournal::projections {

template <typename T, std::size_t kChunk = (sizeof(T) < kHugePage ? kHugePage / sizeof(T) : 1)>
class ChunkedVector {
  using Chunk = std::vector<T, HugePageAllocator<T>>;

 public:
  static constexpr std::size_t chunk_size = kChunk;

  void push_back(const T& value) {
    if (chunks_.empty() || chunks_.back().size() == kChunk) {
      chunks_.emplace_back();
      chunks_.back().reserve(kChunk);
    }
    chunks_.back().push_back(value);
    ++size_;
  }
  // REQUIRES: !empty().
  T& back() { return chunks_.back().back(); }
  const T& back() const { return chunks_.back().back(); }
  const T& operator[](std::size_t i) const { return chunks_[i / kChunk][i % kChunk]; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;
    const_iterator() = default;
    reference operator*() const { return (*chunks_)[chunk_][at_]; }
    pointer operator->() const { return &**this; }
    const_iterator& operator++() {
      if (++at_ == (*chunks_)[chunk_].size()) {
        ++chunk_;
        at_ = 0;
      }
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator was = *this;
      ++*this;
      return was;
    }
    bool operator==(const const_iterator& o) const { return chunk_ == o.chunk_ && at_ == o.at_; }

   private:
    friend class ChunkedVector;
    const_iterator(const std::vector<Chunk>* chunks, std::size_t chunk) : chunks_(chunks), chunk_(chunk) {}
    const std::vector<Chunk>* chunks_ = nullptr;
    std::size_t chunk_ = 0, at_ = 0;
  };
  const_iterator begin() const { return const_iterator(&chunks_, 0); }
  const_iterator end() const { return const_iterator(&chunks_, chunks_.size()); }

 private:
  std::vector<Chunk> chunks_;  // each full but the last, which is not empty
  std::size_t size_ = 0;
};

}  // namespace ejournal::projections
