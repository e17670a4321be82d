// Memory for the big arrays a state fills as it replays (the journal's arenas, the audit's trail), mapped
// from the kernel in whole transparent huge pages, so that filling 2 MiB costs one page fault, not 512.
// Where the kernel has no transparent huge pages for us, small pages serve; nothing else changes.
//
// Thread-safety: plain functions; an allocator is stateless.
#pragma once

#include <cstddef>
#include <memory>

namespace ejournal::projections {

inline constexpr std::size_t kHugePage = std::size_t{2} << 20;
// From this size on an array is mapped in whole huge pages (so one of just under 2 MiB takes one).
inline constexpr std::size_t kHugeFrom = kHugePage / 2;

// What map_pages(bytes) maps: whole huge pages from kHugeFrom on, whole small pages below.
std::size_t mapped_size(std::size_t bytes);
// Maps mapped_size(bytes) bytes of zeroed memory, advised as huge pages from kHugeFrom on.
// Throws std::bad_alloc when the kernel refuses.
void* map_pages(std::size_t bytes);
// Unmaps what map_pages(bytes) mapped.
void unmap_pages(void* at, std::size_t bytes);

// An allocator for containers whose arrays are either big (mapped, as above) or small (the heap's).
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: converting, as allocators are
  T* allocate(std::size_t n) {
    if (n * sizeof(T) < kHugeFrom) return std::allocator<T>().allocate(n);
    return static_cast<T*>(map_pages(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < kHugeFrom) std::allocator<T>().deallocate(p, n);
    else unmap_pages(p, n * sizeof(T));
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

}  // namespace ejournal::projections
