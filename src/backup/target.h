// TargetWriter: one backup or archive directory being brought to a new complete copy. Files go in under
// temporary names and are renamed when synced; the new manifest is written last, and only then are files
// the old manifest named but the new one does not (an old keys file) and leftovers of killed runs removed.
// Internal to src/backup.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "backup/files.h"
#include "backup/manifest.h"
#include "ejournal/status.h"

namespace ejournal::backup {

class TargetWriter {
 public:
  // `disk` must be an existing directory (a mounted disk); `sub` (may be empty) is created inside it and
  // holds the copy. Takes the target's lock and reads its manifest.
  static Result<std::unique_ptr<TargetWriter>> open(const std::string& disk, const std::filesystem::path& sub);

  const std::filesystem::path& dir() const { return dir_; }
  // The manifest the directory held when opened; nullopt for a new target.
  const std::optional<Manifest>& previous() const { return previous_; }
  // The manifest being built: starts as a copy of previous() (or empty).
  Manifest& next() { return next_; }

  Status add_segment(const EncodedSegment& segment);
  // Writes `bytes` as `info.file` (relative to dir()) and returns the entry with size and hash filled in.
  Result<FileInfo> add_file(FileInfo info, std::string_view bytes);

  // Writes next() as the manifest, then removes what no manifest names.
  Status commit();

  std::uint64_t files_written() const { return files_; }
  std::uint64_t bytes_written() const { return bytes_; }

 private:
  TargetWriter(std::filesystem::path dir, DirLock lock) : dir_(std::move(dir)), lock_(std::move(lock)) {}
  void remove_garbage();

  std::filesystem::path dir_;
  DirLock lock_;
  std::optional<Manifest> previous_;
  Manifest next_;
  std::uint64_t files_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace ejournal::backup
