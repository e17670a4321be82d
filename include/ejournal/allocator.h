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

// Hands the heap's free pages back to the kernel (glibc's malloc_trim): for after a burst of frees whose
// memory the process will not soon reuse, such as the old arrays a compaction of the journal leaves (tens
// of megabytes per year, which the trim threshold above would otherwise keep resident). Takes milliseconds.
void release_free_memory();

}  // namespace ejournal
