#include "ejournal/allocator.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ejournal {

void tune_allocator() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest on 64-bit: a larger value is refused
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

void release_free_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace ejournal
