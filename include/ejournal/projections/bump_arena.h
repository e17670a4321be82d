// BumpArena: a memory resource for many small arrays that live and die together — a year of the journal's
// marks and cells. Allocation moves a pointer through chunks; freeing one array does nothing; the memory
// goes back, all of it at once, when the arena is destroyed.
//
// What that buys: arrays that grow during a replay cost no malloc and free per doubling, and a relayout
// (JournalProjection::compact) copies a year into a fresh arena and drops the old one in one step, where
// freeing some 60,000 heap arrays one by one took glibc 10–16 ms.
//
// What it costs: an array that grows leaves its old storage behind until the arena goes (about as much
// again as the arrays hold, for a year replayed from its first event). Owners relay their arrays out into
// a fresh arena from time to time for that reason.
//
// Chunks are mapped from the kernel and unmapped with the arena, not taken from malloc: a thread's malloc
// arena keeps freed memory at its top resident (glibc trims only the main arena's top), so a replay's
// growth arena, dropped by the layout that follows, stayed in the process's RSS on some runs. Chunks of
// 2 MiB and more are whole transparent huge pages (huge_pages.h), so filling one costs one fault, not 512.
//
// Not thread-safe, as the state that owns it. It must outlive every container that allocates from it.
#pragma once

#include <cstddef>
#include <memory>
#include <memory_resource>
#include <vector>

namespace ejournal::projections {

class BumpArena final : public std::pmr::memory_resource {
 public:
  // `first_chunk`: bytes of the first chunk (0: kChunk); later chunks are kChunk, or one allocation's size.
  explicit BumpArena(std::size_t first_chunk = 0);
  BumpArena(const BumpArena&) = delete;
  BumpArena& operator=(const BumpArena&) = delete;
  ~BumpArena() override;

  // Bytes taken from the heap so far.
  std::size_t reserved() const { return reserved_; }

  static constexpr std::size_t kChunk = std::size_t{2} << 20;

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override;
  void do_deallocate(void*, std::size_t, std::size_t) override {}
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  struct Chunk {
    std::byte* at;
    std::size_t size;
  };
  std::size_t first_chunk_;
  std::vector<Chunk> chunks_;  // mapped from the kernel, and unmapped by the destructor
  std::byte* at_ = nullptr;
  std::byte* end_ = nullptr;
  std::size_t reserved_ = 0;
};

// Moves the elements of `v` into storage from `resource` (exactly as many as it holds), unless they are
// there already. The old storage is released to its own resource.
template <typename T>
void rebind(std::pmr::vector<T>& v, std::pmr::memory_resource* resource) {
  if (v.get_allocator().resource() == resource) return;
  std::pmr::vector<T> moved(v.begin(), v.end(), resource);
  std::destroy_at(&v);
  std::construct_at(&v, std::move(moved));
}

}  // namespace ejournal::projections
