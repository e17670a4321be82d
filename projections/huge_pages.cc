#include "ejournal/projections/huge_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <new>

namespace ejournal::projections {
namespace {

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

std::size_t mapped_size(std::size_t bytes) {
  if (bytes == 0) bytes = 1;
  // Whole huge pages: the kernel aligns such a mapping to them.
  return round_up(bytes, bytes >= kHugeFrom ? kHugePage : static_cast<std::size_t>(sysconf(_SC_PAGESIZE)));
}

void* map_pages(std::size_t bytes) {
  const std::size_t size = mapped_size(bytes);
  void* mapped = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  if (bytes >= kHugeFrom) (void)madvise(mapped, size, MADV_HUGEPAGE);  // advice: small pages serve without it
  return mapped;
}

void unmap_pages(void* at, std::size_t bytes) { munmap(at, mapped_size(bytes)); }

}  // namespace ejournal::projections
