// tune_allocator: the heap settings every ejournal process (ejournald, ejctl, ej-bench) starts with.
//
// A past state (ProjectionHost::as_of) is restored from snapshot parts of about 20 MB each, decompressed
// into buffers that live for one restore. With glibc's defaults a buffer that size was mapped afresh and
// unmapped when freed, so each restore faulted its buffers in page by page: about a third of a journal
// as_of at 10 million events. Here buffers up to 32 MiB come from the heap, and up to 256 MiB of freed heap
// is kept for the next one rather than handed back to the kernel.
//
// Call it first thing in main(), before any thread starts. Elsewhere than glibc it does nothing.
#pragma once

namespace ejournal {

void tune_allocator();

}  // namespace ejournal
