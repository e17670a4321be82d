#include "backup/manifest.h"

#include "backup/files.h"
#include "ejournal/fb/backup_generated.h"

namespace ejournal::backup {
namespace {

flatbuffers::Offset<flatbuffers::Vector<std::uint8_t>> digest(flatbuffers::FlatBufferBuilder& fbb, const log::Digest& d) {
  return fbb.CreateVector(d.bytes.data(), d.bytes.size());
}

bool read_digest(const flatbuffers::Vector<std::uint8_t>* v, log::Digest& out) {
  if (v == nullptr || v->size() != out.bytes.size()) return false;
  std::copy(v->begin(), v->end(), out.bytes.begin());
  return true;
}

flatbuffers::Offset<fb::BackupFile> file_info(flatbuffers::FlatBufferBuilder& fbb, const FileInfo& f) {
  const auto file = fbb.CreateString(f.file);
  const auto name = fbb.CreateString(f.name);
  const auto hash = digest(fbb, f.file_hash);
  return fb::CreateBackupFile(fbb, file, name, f.position, f.file_bytes, hash);
}

std::optional<FileInfo> read_file_info(const fb::BackupFile* f) {
  if (f == nullptr) return std::nullopt;
  FileInfo out;
  out.file = f->file()->str();
  if (f->name() != nullptr) out.name = f->name()->str();
  out.position = f->position();
  out.file_bytes = f->file_bytes();
  if (!read_digest(f->file_hash(), out.file_hash)) return std::nullopt;
  // Names come from a file on an external disk: keep them inside the backup directory.
  if (out.file.empty() || out.file.front() == '/' || out.file.find("..") != std::string::npos) return std::nullopt;
  return out;
}

}  // namespace

std::string encode_manifest(const Manifest& m) {
  flatbuffers::FlatBufferBuilder fbb(4096 + m.segments.size() * 256);
  std::vector<flatbuffers::Offset<fb::BackupSegment>> segments;
  segments.reserve(m.segments.size());
  for (const auto& s : m.segments) {
    const auto file = fbb.CreateString(s.file);
    const auto prev = digest(fbb, s.prev_hash);
    const auto last = digest(fbb, s.last_hash);
    const auto fhash = digest(fbb, s.file_hash);
    segments.push_back(fb::CreateBackupSegment(fbb, file, s.first, s.last, s.first_time, s.last_time, prev, last,
                                               s.file_bytes, fhash, s.raw_bytes));
  }
  const auto seg_vec = fbb.CreateVector(segments);
  std::vector<flatbuffers::Offset<fb::BackupFile>> snaps;
  for (const auto& f : m.snapshots) snaps.push_back(file_info(fbb, f));
  const auto snap_vec = fbb.CreateVector(snaps);
  const auto keys = m.keys ? file_info(fbb, *m.keys) : flatbuffers::Offset<fb::BackupFile>();
  const auto journal = digest(fbb, m.journal_hash);
  const auto head_hash = digest(fbb, m.head_hash);
  const auto month = fbb.CreateString(m.month);
  const auto root = fb::CreateBackupManifest(fbb, kBackupFormatVersion,
                                             m.archive ? fb::BackupKind::archive : fb::BackupKind::backup,
                                             m.created_at, journal, m.head, head_hash, m.head_time, month, seg_vec,
                                             keys, snap_vec);
  fb::FinishBackupManifestBuffer(fbb, root);
  return {reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize()};
}

Result<Manifest> decode_manifest(std::string_view bytes) {
  const auto bad = [](const std::string& what) { return Status(Code::corruption, std::string(kManifestFile) + ": " + what); };
  flatbuffers::Verifier verifier(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (!fb::BackupManifestBufferHasIdentifier(bytes.data()) || !fb::VerifyBackupManifestBuffer(verifier))
    return bad("not a valid backup manifest");
  const fb::BackupManifest* root = fb::GetBackupManifest(bytes.data());
  if (root->format_version() > kBackupFormatVersion)
    return Status(Code::unsupported, std::string(kManifestFile) + " is of format version " +
                                         std::to_string(root->format_version()) + ", newer than this program's");
  Manifest m;
  m.archive = root->kind() == fb::BackupKind::archive;
  m.created_at = root->created_at_us();
  m.head = root->head();
  m.head_time = root->head_time_us();
  if (root->month() != nullptr) m.month = root->month()->str();
  if (!read_digest(root->journal_hash(), m.journal_hash) || !read_digest(root->head_hash(), m.head_hash))
    return bad("a hash is missing");
  if (root->segments() != nullptr) {
    for (const auto* s : *root->segments()) {
      SegmentInfo info;
      info.file = s->file()->str();
      info.first = s->first();
      info.last = s->last();
      info.first_time = s->first_time_us();
      info.last_time = s->last_time_us();
      info.file_bytes = s->file_bytes();
      info.raw_bytes = s->raw_bytes();
      if (!read_digest(s->prev_hash(), info.prev_hash) || !read_digest(s->last_hash(), info.last_hash) ||
          !read_digest(s->file_hash(), info.file_hash))
        return bad("segment " + info.file + " lacks a hash");
      if (info.file != segment_file_name(info.first, info.last))
        return bad("segment " + info.file + " is not named after its range");
      m.segments.push_back(std::move(info));
    }
  }
  // Contiguous from 1 to head, each segment linking to the one before.
  log::Position expected = 1;
  log::Digest prev;
  for (const auto& s : m.segments) {
    if (s.first != expected || s.last < s.first)
      return bad("segment " + s.file + " does not continue at position " + std::to_string(expected));
    if (s.prev_hash != prev) return bad("segment " + s.file + " does not link to the segment before it");
    prev = s.last_hash;
    expected = s.last + 1;
  }
  if (expected - 1 != m.head) return bad("the segments end at " + std::to_string(expected - 1) + ", the head is " +
                                         std::to_string(m.head));
  if (m.head != log::kNoPosition && prev != m.head_hash) return bad("the head hash differs from the last segment's");
  if (root->keys() != nullptr) {
    m.keys = read_file_info(root->keys());
    if (!m.keys) return bad("the keys entry is malformed");
  }
  if (root->snapshots() != nullptr) {
    for (const auto* f : *root->snapshots()) {
      auto info = read_file_info(f);
      if (!info) return bad("a snapshot entry is malformed");
      m.snapshots.push_back(std::move(*info));
    }
  }
  return m;
}

Result<std::optional<Manifest>> read_manifest(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir / kManifestFile, ec)) return std::optional<Manifest>();
  auto bytes = read_file(dir / kManifestFile, kMaxManifestBytes);
  if (!bytes.ok()) return bytes.status();
  auto m = decode_manifest(*bytes);
  if (!m.ok()) return Status(m.status().code(), dir.string() + "/" + m.status().message());
  return std::optional<Manifest>(std::move(*m));
}

}  // namespace ejournal::backup
