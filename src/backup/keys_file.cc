#include "backup/keys_file.h"

#include <zstd.h>

#include <filesystem>

#include "backup/files.h"
#include "ejournal/fb/backup_generated.h"

namespace ejournal::backup {

namespace {
constexpr std::size_t kMaxKeysRaw = 256 << 20;
}

Result<KeysContent> collect_keys(const log::LogReader& log, const std::string& data_dir) {
  KeysContent out;
  const std::filesystem::path master = std::filesystem::path(data_dir) / "master.key";
  std::error_code ec;
  if (std::filesystem::exists(master, ec)) {
    auto bytes = read_file(master, 4096);
    if (!bytes.ok()) return bytes.status();
    if (bytes->size() != 32) return Status(Code::corruption, master.string() + " is not a 32-byte key");
    out.master_key = std::move(*bytes);
  }
  auto entries = log.wrapped_keys();
  if (!entries.ok()) return entries.status();
  out.entries = std::move(*entries);
  if (!out.entries.empty() && out.master_key.empty())
    return Status(Code::not_found, master.string() + " is missing, but the journal holds personal-data keys");
  return out;
}

std::string encode_keys(const KeysContent& keys) {
  flatbuffers::FlatBufferBuilder fbb(1024 + keys.entries.size() * 128);
  std::vector<flatbuffers::Offset<fb::KeyEntry>> entries;
  entries.reserve(keys.entries.size());
  for (const auto& [name, wrapped] : keys.entries) {
    const auto n = fbb.CreateString(name);
    const auto w = fbb.CreateVector(reinterpret_cast<const std::uint8_t*>(wrapped.data()), wrapped.size());
    entries.push_back(fb::CreateKeyEntry(fbb, n, w));
  }
  const auto vec = fbb.CreateVector(entries);
  const auto master =
      fbb.CreateVector(reinterpret_cast<const std::uint8_t*>(keys.master_key.data()), keys.master_key.size());
  fbb.Finish(fb::CreateBackupKeys(fbb, master, vec));
  std::string out(ZSTD_compressBound(fbb.GetSize()), '\0');
  const std::size_t z = ZSTD_compress(out.data(), out.size(), fbb.GetBufferPointer(), fbb.GetSize(), 3);
  out.resize(ZSTD_isError(z) != 0 ? 0 : z);  // compressing into a bound-sized buffer cannot fail
  return out;
}

Result<KeysContent> decode_keys(std::string_view file_bytes) {
  const unsigned long long size = ZSTD_getFrameContentSize(file_bytes.data(), file_bytes.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxKeysRaw)
    return Status(Code::corruption, "the keys file is not a zstd frame of known size");
  std::string raw(static_cast<std::size_t>(size), '\0');
  const std::size_t z = ZSTD_decompress(raw.data(), raw.size(), file_bytes.data(), file_bytes.size());
  if (ZSTD_isError(z) != 0 || z != raw.size()) return Status(Code::corruption, "the keys file cannot be decompressed");
  flatbuffers::Verifier verifier(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
  if (!verifier.VerifyBuffer<fb::BackupKeys>(nullptr)) return Status(Code::corruption, "the keys file is malformed");
  const auto* root = flatbuffers::GetRoot<fb::BackupKeys>(raw.data());
  KeysContent out;
  if (root->master_key() != nullptr)
    out.master_key.assign(reinterpret_cast<const char*>(root->master_key()->data()), root->master_key()->size());
  if (root->entries() != nullptr) {
    for (const auto* e : *root->entries()) {
      std::string wrapped;
      if (e->wrapped() != nullptr) wrapped.assign(reinterpret_cast<const char*>(e->wrapped()->data()), e->wrapped()->size());
      out.entries.emplace_back(e->name()->str(), std::move(wrapped));
    }
  }
  if (!out.master_key.empty() && out.master_key.size() != 32) return Status(Code::corruption, "the keys file's master key is not 32 bytes");
  return out;
}

}  // namespace ejournal::backup
