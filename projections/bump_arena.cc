#include "ejournal/projections/bump_arena.h"

#include <algorithm>
#include <cstdint>

#include "ejournal/projections/huge_pages.h"

namespace ejournal::projections {

BumpArena::BumpArena(std::size_t first_chunk) : first_chunk_(first_chunk > 0 ? first_chunk : kChunk) {}

BumpArena::~BumpArena() {
  for (const Chunk& c : chunks_) unmap_pages(c.at, c.size);
}

void* BumpArena::do_allocate(std::size_t bytes, std::size_t alignment) {
  const auto aligned = [&](std::byte* p) {
    const auto at = reinterpret_cast<std::uintptr_t>(p);
    return reinterpret_cast<std::byte*>((at + alignment - 1) / alignment * alignment);
  };
  if (bytes == 0) bytes = 1;
  std::byte* p = at_ != nullptr ? aligned(at_) : nullptr;
  if (p == nullptr || p > end_ || static_cast<std::size_t>(end_ - p) < bytes) {
    // A new chunk; the rest of the old one is left (at most one allocation's worth).
    const std::size_t want = chunks_.empty() ? first_chunk_ : kChunk;
    // Mapped, not malloc'd (bump_arena.h); a chunk of 2 MiB or more in transparent huge pages.
    const std::size_t need = std::max(want, bytes + alignment);
    const std::size_t size = mapped_size(need);
    void* mapped = map_pages(need);
    chunks_.push_back(Chunk{static_cast<std::byte*>(mapped), size});
    reserved_ += size;
    at_ = chunks_.back().at;
    end_ = at_ + size;
    p = aligned(at_);
  }
  at_ = p + bytes;
  return p;
}

}  // namespace ejournal::projections
