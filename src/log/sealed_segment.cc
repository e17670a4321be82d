#include "log/sealed_segment.h"

#include <cstring>

#include <zstd.h>

#include "log/format.h"

namespace ejournal::log {
namespace {

// The body: per record, its size (4 bytes little-endian), 4 zero bytes, the bytes, zeros to a multiple of 8.
constexpr std::size_t kRecordPrefix = 8;
std::size_t padded(std::size_t n) { return (n + 7) / 8 * 8; }

Status bad(Position first, const std::string& what) {
  return Status(Code::corruption, "sealed segment at " + std::to_string(first) + ": " + what);
}

}  // namespace

bool SegmentBuilder::fits(std::size_t bytes) const {
  return count_ == 0 || body_.size() + kRecordPrefix + padded(bytes) <= format::kSegmentBodyBytes;
}

bool SegmentBuilder::full() const { return count_ >= format::kSegmentRecords; }

void SegmentBuilder::add(std::string_view record) {
  const auto size = static_cast<std::uint32_t>(record.size());
  char prefix[kRecordPrefix] = {};
  std::memcpy(prefix, &size, sizeof size);  // little-endian on every machine we build for (as FlatBuffers)
  body_.append(prefix, kRecordPrefix);
  body_.append(record);
  body_.append(padded(record.size()) - record.size(), '\0');
  ++count_;
}

std::string SegmentBuilder::seal() const {
  std::string out(format::kSegmentMagic);
  format::put_u32_be(out, count_);
  format::put_u64_be(out, first_);
  const std::size_t header = out.size();
  out.resize(header + ZSTD_compressBound(body_.size()));
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);  // sealing runs beside the writer: cheap
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  const std::size_t n = ZSTD_compress2(cctx, out.data() + header, out.size() - header, body_.data(), body_.size());
  ZSTD_freeCCtx(cctx);
  if (ZSTD_isError(n)) return {};  // only for a destination too small, which compressBound rules out
  out.resize(header + n);
  return out;
}

SegmentDecoder::SegmentDecoder() : dctx_(ZSTD_createDCtx()) {}
SegmentDecoder::~SegmentDecoder() { ZSTD_freeDCtx(dctx_); }

Status SegmentDecoder::decode(Position first, std::string_view value, Segment& out) {
  out.first_ = first;
  out.spans_.clear();
  if (dctx_ == nullptr) return Status(Code::internal, "no zstd context (out of memory)");
  if (value.size() < format::kSegmentHeaderBytes || value.substr(0, 4) != format::kSegmentMagic)
    return bad(first, "no segment header");
  const std::uint32_t count = format::get_u32_be(value.data() + 4);
  if (format::get_u64_be(value.data() + 8) != first) return bad(first, "names another first position");
  if (count == 0 || count > format::kSegmentRecords) return bad(first, "bad record count");
  const std::string_view frame = value.substr(format::kSegmentHeaderBytes);
  const unsigned long long raw = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (raw == ZSTD_CONTENTSIZE_ERROR || raw == ZSTD_CONTENTSIZE_UNKNOWN || raw > (std::uint64_t{64} << 20))
    return bad(first, "bad frame size");
  // Reused, the buffer only zero-fills what it grows by; zstd writes every byte it reports.
  out.words_.resize(static_cast<std::size_t>(raw) / 8 + 1);
  const std::size_t got =
      ZSTD_decompressDCtx(dctx_, out.words_.data(), static_cast<std::size_t>(raw), frame.data(), frame.size());
  if (ZSTD_isError(got) || got != raw) return bad(first, "the frame does not decompress (or fails its checksum)");
  const char* body = reinterpret_cast<const char*>(out.words_.data());
  out.spans_.reserve(count);
  for (std::size_t at = 0; at < got;) {
    if (got - at < kRecordPrefix) return bad(first, "truncated record");
    std::uint32_t size = 0;
    std::memcpy(&size, body + at, sizeof size);
    if (size > got - at - kRecordPrefix) return bad(first, "a record runs past the body");
    out.spans_.emplace_back(static_cast<std::uint32_t>(at + kRecordPrefix), size);
    at += kRecordPrefix + padded(size);
  }
  if (out.spans_.size() != count) return bad(first, "holds another number of records than it says");
  return Status::OK();
}

Result<Segment> Segment::decode(Position first, std::string_view value) {
  SegmentDecoder decoder;
  Segment seg;
  if (auto s = decoder.decode(first, value, seg); !s.ok()) return s;
  return seg;
}

}  // namespace ejournal::log
