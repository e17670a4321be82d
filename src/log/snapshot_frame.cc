#include "ejournal/log/snapshot_frame.h"

#include <sodium.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

namespace ejournal::log {
namespace {

// "EJP1" since version 3. Versions 1 and 2 began with "EJS1", the magic sealed segments also use
// (docs/log-format.md §9a); they are still read. Version 1 hashed the raw bytes; versions 2 and 3 hash the
// compressed ones (a quarter of the bytes to hash when a past state is restored; zstd rebuilds the raw bytes
// exactly from them). Version 3 is version 2 under its own magic.
constexpr std::string_view kMagic = "EJP1";
constexpr std::string_view kOldMagic = "EJS1";
constexpr std::uint32_t kVersion = 3;
constexpr std::size_t kHash = 16;
constexpr std::size_t kHeader = 4 + 4 + 8 + 8 + kHash;
constexpr std::uint64_t kMaxRaw = 4ULL << 30;  // a school's projection is far smaller; refuse absurd sizes

void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::uint64_t get_be(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string checksum(Position position, std::string_view raw) {
  std::string pos;
  put_be(pos, position, 8);
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, kHash);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(pos.data()), pos.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  std::string out(kHash, '\0');
  crypto_generichash_final(&st, reinterpret_cast<unsigned char*>(out.data()), kHash);
  return out;
}

}  // namespace

std::string frame_snapshot(Position position, std::string_view raw) {
  std::string out(kMagic);
  put_be(out, kVersion, 4);
  put_be(out, position, 8);
  put_be(out, raw.size(), 8);
  const std::size_t hash_at = out.size();
  out.append(kHash, '\0');
  const std::size_t bound = ZSTD_compressBound(raw.size());
  const std::size_t at = out.size();
  out.resize(at + bound);
  const std::size_t n = ZSTD_compress(out.data() + at, bound, raw.data(), raw.size(), 3);
  out.resize(ZSTD_isError(n) ? at : at + n);
  const std::string sum = checksum(position, std::string_view(out).substr(at));
  out.replace(hash_at, kHash, sum);
  return out;
}

Result<Unframed> unframe_snapshot(std::string_view framed) {
  const auto bad = [](const std::string& why) { return Status(Code::corruption, "snapshot: " + why); };
  if (framed.size() < kHeader) return bad("too short");
  const std::string_view magic = framed.substr(0, 4);
  const std::uint64_t version = get_be(framed.data() + 4, 4);
  if (magic == kMagic) {
    if (version != kVersion) return bad("unknown version");
  } else if (magic == kOldMagic) {
    if (version != 1 && version != 2) return bad("unknown version");
  } else {
    return bad("no EJP1 frame");
  }
  Unframed u;
  u.position = get_be(framed.data() + 8, 8);
  const std::uint64_t size = get_be(framed.data() + 16, 8);
  if (size > kMaxRaw) return bad("implausible size");
  const std::string_view body = framed.substr(kHeader);
  // Nothing is allocated for a frame that does not hold: its checksum first (it covers the compressed bytes),
  // and the size the zstd frame records must be the size the header declares (found by fuzzing: a damaged
  // 100-byte frame declaring gigabytes had them allocated before anything was checked).
  if (version != 1 && checksum(u.position, body) != framed.substr(24, kHash)) return bad("checksum mismatch");
  const unsigned long long recorded = ZSTD_getFrameContentSize(body.data(), body.size());
  if (recorded == ZSTD_CONTENTSIZE_ERROR || recorded == ZSTD_CONTENTSIZE_UNKNOWN || recorded != size)
    return bad("the compressed frame does not record the declared size");
  // Decompressed as it comes, so that memory follows what the frame really holds, not what it claims.
  ZSTD_DStream* stream = ZSTD_createDStream();
  if (stream == nullptr) return Status(Code::io_error, "snapshot: out of memory");
  u.raw.reserve(std::min<std::uint64_t>(size, 16 * body.size() + (1 << 20)));
  ZSTD_inBuffer in{body.data(), body.size(), 0};
  std::size_t ret = 1;
  while (ret != 0 && !ZSTD_isError(ret) && u.raw.size() < size) {
    const std::size_t at = u.raw.size();
    u.raw.resize(std::min<std::uint64_t>(size, at + std::max<std::size_t>(at, 1 << 16)));
    ZSTD_outBuffer out{u.raw.data() + at, u.raw.size() - at, 0};
    const std::size_t consumed_before = in.pos;
    ret = ZSTD_decompressStream(stream, &out, &in);
    u.raw.resize(at + out.pos);
    if (out.pos == 0 && in.pos == consumed_before && ret != 0) break;  // no progress: the input is exhausted
  }
  ZSTD_freeDStream(stream);
  if (ZSTD_isError(ret) || ret != 0 || u.raw.size() != size || in.pos != in.size) return bad("does not decompress");
  if (version == 1 && checksum(u.position, u.raw) != framed.substr(24, kHash)) return bad("checksum mismatch");
  return u;
}

}  // namespace ejournal::log
