// The manifest of a backup or archive directory (schema/backup.fbs, docs/backup-format.md): which segment
// files make up the copy, with their position ranges and hashes, the keys file and, in an archive, the
// projection snapshots. It is replaced atomically as the last step of a run, so a directory always describes
// its previous complete copy or its new complete one. Internal to src/backup.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "backup/segment.h"
#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::backup {

inline constexpr char kManifestFile[] = "manifest.ejm";
inline constexpr char kSegmentsDir[] = "segments";
inline constexpr char kSnapshotsDir[] = "snapshots";
inline constexpr char kArchivesDir[] = "archives";
inline constexpr std::uint32_t kBackupFormatVersion = 1;
inline constexpr std::size_t kMaxManifestBytes = 64 << 20;

struct FileInfo {
  std::string file;  // relative to the backup directory
  std::string name;  // snapshots: the projection
  log::Position position = log::kNoPosition;
  std::uint64_t file_bytes = 0;
  log::Digest file_hash;
};

struct Manifest {
  bool archive = false;
  log::Timestamp created_at = 0;
  log::Digest journal_hash;  // hash of record 1
  log::Position head = log::kNoPosition;
  log::Digest head_hash;
  log::Timestamp head_time = 0;
  std::string month;  // archives
  std::vector<SegmentInfo> segments;
  std::optional<FileInfo> keys;
  std::vector<FileInfo> snapshots;
};

std::string encode_manifest(const Manifest& m);
// Verifies the FlatBuffers structure and the manifest's own consistency: segments contiguous from 1 to head,
// each linking to the one before by hash, and hashes of 32 bytes.
Result<Manifest> decode_manifest(std::string_view bytes);
// dir/manifest.ejm; nullopt when the directory holds no manifest yet.
Result<std::optional<Manifest>> read_manifest(const std::filesystem::path& dir);

}  // namespace ejournal::backup
