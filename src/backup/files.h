// Crash-safe file handling for backup targets: a file appears under its final name only complete and
// synced, and a rename is made durable by syncing its directory. Internal to src/backup.
// Thread-safety: free functions; concurrent calls on different files are fine.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "ejournal/status.h"

namespace ejournal::backup {

// Suffix of files being written; any such file left by a killed run is garbage.
inline constexpr std::string_view kTempMarker = ".tmp-";

// Writes `bytes` to dir/name through a temporary file in `dir`: write, fsync, rename, fsync(dir). The file is
// readable by its owner only: a backup holds personal data and the master key.
// On error nothing is left under `name` that was not there before (a stale temporary may remain).
Status write_file_atomic(const std::filesystem::path& dir, const std::string& name, std::string_view bytes);

// fsync of a directory, so that renames and creations in it survive a power cut.
Status sync_dir(const std::filesystem::path& dir);

// The whole file; invalid_argument when it is larger than `limit`.
Result<std::string> read_file(const std::filesystem::path& path, std::size_t limit);

// Holds flock(LOCK_EX) on dir/.ejournal-backup.lock so that two runs never write one target at once.
class DirLock {
 public:
  static Result<DirLock> acquire(const std::filesystem::path& dir);
  DirLock(DirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirLock& operator=(DirLock&&) = delete;
  DirLock(const DirLock&) = delete;
  ~DirLock();

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// "DIR: what failed: strerror(errno)" as an io_error (or the code that fits errno: ENOSPC stays io_error).
Status errno_status(const std::string& what);

}  // namespace ejournal::backup
