#include "ejournal/projections/bump_arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <new>

namespace ejournal::projections {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

BumpArena::BumpArena(std::size_t first_chunk) : first_chunk_(first_chunk > 0 ? first_chunk : kChunk) {}

BumpArena::~BumpArena() {
  for (const Chunk& c : chunks_) munmap(c.at, c.size);
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
    // A chunk of 2 MiB or more is made of whole huge pages: the kernel aligns such a mapping to them, and
    // the advice lets one fault fill 2 MiB where 512 faults filled 4 KiB each (a replay's journal spent a
    // tenth of its time in page faults). A smaller one (a small state's exact layout) keeps small pages.
    const std::size_t need = std::max(want, bytes + alignment);
    const bool huge = need >= kHugePage;
    const std::size_t size = round_up(need, huge ? kHugePage : static_cast<std::size_t>(sysconf(_SC_PAGESIZE)));
    void* mapped = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::bad_alloc();
    if (huge) (void)madvise(mapped, size, MADV_HUGEPAGE);  // advice: without transparent huge pages, small pages serve
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
