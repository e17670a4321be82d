// BumpArena: what it hands out is aligned, does not overlap, and survives chunk changes; rebind moves a
// vector's elements into it (or leaves them where they are). The huge-page mapping under it and under
// ChunkedVector: sizes, and a container on its allocator.
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory_resource>
#include <vector>

#include <catch2/catch.hpp>

#include "ejournal/projections/bump_arena.h"
#include "ejournal/projections/huge_pages.h"

using ejournal::projections::BumpArena;
using ejournal::projections::rebind;

TEST_CASE("a bump arena hands out aligned, separate memory across chunks", "[projections][arena]") {
  BumpArena arena(100);  // a small first chunk: later allocations need new ones
  struct Block {
    unsigned char* p;
    std::size_t size;
    unsigned char fill;
  };
  std::vector<Block> blocks;
  const std::size_t sizes[] = {1, 3, 8, 17, 64, 250, 4096, BumpArena::kChunk + 5, 12};
  const std::size_t aligns[] = {1, 2, 4, 8, 16};
  unsigned char fill = 1;
  for (std::size_t size : sizes)
    for (std::size_t align : aligns) {
      auto* p = static_cast<unsigned char*>(arena.allocate(size, align));
      REQUIRE(reinterpret_cast<std::uintptr_t>(p) % align == 0);
      std::memset(p, fill, size);
      blocks.push_back({p, size, fill++});
    }
  for (const Block& b : blocks)  // nothing written later overlapped an earlier block
    for (std::size_t i = 0; i < b.size; ++i) REQUIRE(b.p[i] == b.fill);
  CHECK(arena.reserved() >= 5 * (BumpArena::kChunk + 5));
  arena.deallocate(blocks.front().p, 1, 1);  // does nothing, and is allowed
}

TEST_CASE("rebind moves a vector's elements into another resource, once", "[projections][arena]") {
  BumpArena arena;
  std::pmr::vector<int> v{1, 2, 3, 4, 5};
  v.reserve(100);
  rebind(v, &arena);
  CHECK(v.get_allocator().resource() == &arena);
  CHECK(v == std::pmr::vector<int>{1, 2, 3, 4, 5});
  CHECK(v.capacity() == 5);  // exactly what it holds
  const std::size_t taken = arena.reserved();
  const int* data = v.data();
  rebind(v, &arena);  // already there: untouched
  CHECK(v.data() == data);
  CHECK(arena.reserved() == taken);
  for (int i = 6; i <= 1000; ++i) v.push_back(i);  // grows inside the arena
  CHECK(v.get_allocator().resource() == &arena);
  CHECK(v.size() == 1000);
  CHECK(v[999] == 1000);
  std::pmr::vector<int> empty;
  rebind(empty, &arena);
  CHECK(empty.empty());
  CHECK(empty.get_allocator().resource() == &arena);
}

TEST_CASE("big arrays are mapped in whole huge pages, small ones come from the heap", "[projections][arena]") {
  using ejournal::projections::kHugeFrom;
  using ejournal::projections::kHugePage;
  using ejournal::projections::mapped_size;
  CHECK(mapped_size(1) == static_cast<std::size_t>(sysconf(_SC_PAGESIZE)));
  CHECK(mapped_size(kHugeFrom - 1) % static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) == 0);
  CHECK(mapped_size(kHugeFrom - 1) < kHugePage);
  CHECK(mapped_size(kHugeFrom) == kHugePage);
  CHECK(mapped_size(kHugePage) == kHugePage);
  CHECK(mapped_size(kHugePage + 1) == 2 * kHugePage);
  // A container on the allocator: a just-under-2-MiB array (a ChunkedVector's chunk) and a small one.
  for (const std::size_t n : {kHugePage / sizeof(std::uint64_t) - 3, std::size_t{100}}) {
    std::vector<std::uint64_t, ejournal::projections::HugePageAllocator<std::uint64_t>> v;
    v.reserve(n);
    for (std::size_t i = 0; i < n; ++i) v.push_back(i * 7);
    std::uint64_t sum = 0;
    for (const std::uint64_t x : v) sum += x;
    CHECK(sum == 7 * (n * (n - 1) / 2));
  }
}
