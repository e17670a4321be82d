#include "backup/target.h"

#include <unistd.h>

#include <set>

#include "ejournal/log/envelope.h"

namespace ejournal::backup {
namespace fs = std::filesystem;

Result<std::unique_ptr<TargetWriter>> TargetWriter::open(const std::string& disk, const fs::path& sub) {
  std::error_code ec;
  if (!fs::is_directory(disk, ec))
    return Status(Code::not_found, disk + " does not exist or is not a directory (is the disk mounted?)");
  if (::access(disk.c_str(), W_OK) != 0) return errno_status(disk + " is not writable");
  const fs::path dir = sub.empty() ? fs::path(disk) : fs::path(disk) / sub;
  for (const fs::path& d : {dir, dir / kSegmentsDir}) {
    fs::create_directories(d, ec);
    if (ec) return Status(Code::io_error, "cannot create " + d.string() + ": " + ec.message());
  }
  auto lock = DirLock::acquire(dir);
  if (!lock.ok()) return lock.status();
  std::unique_ptr<TargetWriter> w(new TargetWriter(dir, std::move(lock.value())));
  auto previous = read_manifest(dir);
  if (!previous.ok()) return previous.status();
  w->previous_ = std::move(*previous);
  if (w->previous_) w->next_ = *w->previous_;
  return w;
}

Status TargetWriter::add_segment(const EncodedSegment& segment) {
  SegmentInfo info = segment.info;
  info.file = segment_file_name(info.first, info.last);
  if (auto s = write_file_atomic(dir_ / kSegmentsDir, info.file, segment.compressed); !s.ok()) return s;
  ++files_;
  bytes_ += segment.compressed.size();
  next_.segments.push_back(std::move(info));
  return Status::OK();
}

Result<FileInfo> TargetWriter::add_file(FileInfo info, std::string_view bytes) {
  const fs::path path = dir_ / info.file;
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) return Status(Code::io_error, "cannot create " + path.parent_path().string() + ": " + ec.message());
  if (auto s = write_file_atomic(path.parent_path(), path.filename().string(), bytes); !s.ok()) return s;
  ++files_;
  bytes_ += bytes.size();
  info.file_bytes = bytes.size();
  info.file_hash = log::record_hash(bytes);
  return info;
}

Status TargetWriter::commit() {
  if (auto s = write_file_atomic(dir_, kManifestFile, encode_manifest(next_)); !s.ok()) return s;
  ++files_;
  remove_garbage();
  return Status::OK();
}

void TargetWriter::remove_garbage() {
  // Only files of our own naming that the manifest does not name: segments and keys or snapshot files of
  // runs that were killed or replaced, and temporaries. Nothing a complete copy needs is touched.
  std::set<fs::path> named;
  for (const auto& s : next_.segments) named.insert(dir_ / kSegmentsDir / s.file);
  if (next_.keys) named.insert(dir_ / next_.keys->file);
  for (const auto& f : next_.snapshots) named.insert(dir_ / f.file);
  // The target may be a disk's root holding other files: only names we write are candidates.
  const auto ours = [](const fs::path& d, const std::string& name, const fs::path& root) {
    const bool temp = name.find(kTempMarker) != std::string::npos;
    if (d == root) return (name.starts_with("keys-") && (name.ends_with(".ejk") || temp)) ||
                          (name.starts_with(kManifestFile) && temp);
    if (d.filename() == kSegmentsDir) return name.starts_with("seg-") && (name.ends_with(".ejs") || temp);
    return name.ends_with(".ejp") || (temp && name.find(".ejp") != std::string::npos);
  };
  std::error_code ec;
  for (const fs::path& d : {dir_, dir_ / kSegmentsDir, dir_ / kSnapshotsDir}) {
    if (!fs::is_directory(d, ec)) continue;
    for (const auto& entry : fs::directory_iterator(d, ec)) {
      if (!entry.is_regular_file(ec)) continue;
      if (ours(d, entry.path().filename().string(), dir_) && named.count(entry.path()) == 0) fs::remove(entry.path(), ec);
    }
  }
}

}  // namespace ejournal::backup
