#include "backup/segment.h"

#include <zstd.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include "ejournal/log/envelope.h"

namespace ejournal::backup {
namespace {

constexpr std::string_view kMagic("EJSEG002", 8);

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads the payload front to back; any overrun sets `bad` and yields zeros, checked once at the end of a part.
struct Reader {
  std::string_view in;
  std::size_t at = 0;
  bool bad = false;

  bool need(std::size_t n) {
    if (bad || in.size() - at < n) bad = true;
    return !bad;
  }
  std::uint64_t u64() {
    if (!need(8)) return 0;
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(in[at + static_cast<std::size_t>(i)]);
    at += 8;
    return v;
  }
  std::uint32_t u32() {
    if (!need(4)) return 0;
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<std::uint8_t>(in[at + static_cast<std::size_t>(i)]);
    at += 4;
    return v;
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!need(1)) return 0;
      const auto b = static_cast<std::uint8_t>(in[at++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    bad = true;
    return 0;
  }
  std::string_view bytes(std::size_t n) {
    if (!need(n)) return {};
    auto v = in.substr(at, n);
    at += n;
    return v;
  }
};

Status bad_record(log::Position p, const std::string& what) {
  return Status(Code::corruption, "record " + std::to_string(p) + ": " + what);
}

}  // namespace

std::string segment_file_name(log::Position first, log::Position last) {
  char name[64];
  std::snprintf(name, sizeof name, "seg-%016llu-%016llu.ejs", static_cast<unsigned long long>(first),
                static_cast<unsigned long long>(last));
  return name;
}

Result<EncodedSegment> encode_segment(const std::vector<std::string>& records, int zstd_level) {
  if (records.empty() || records.size() > kMaxSegmentRecords)
    return Status(Code::invalid_argument, "a segment holds 1 to " + std::to_string(kMaxSegmentRecords) + " records");
  const std::size_t n = records.size();
  std::vector<log::SealFields> headers(n);
  std::size_t body_bytes = 0;
  for (std::size_t i = 0; i < n; ++i) {
    headers[i] = log::header_of(records[i]);
    body_bytes += records[i].size();
  }
  EncodedSegment out;
  SegmentInfo& info = out.info;
  info.first = headers[0].position;
  info.last = info.first + n - 1;
  info.first_time = headers[0].recorded_at;
  info.last_time = headers[n - 1].recorded_at;
  info.prev_hash = headers[0].prev_hash;

  // Check the run while hashing it: the hashes are needed anyway for last_hash.
  log::Digest hash;
  for (std::size_t i = 0; i < n; ++i) {
    const log::Position p = info.first + i;
    if (headers[i].position != p) return bad_record(p, "its header says position " + std::to_string(headers[i].position));
    if (i > 0) {
      if (headers[i].prev_hash != hash) return bad_record(p, "does not name the hash of record " + std::to_string(p - 1));
      if (headers[i].recorded_at < headers[i - 1].recorded_at) return bad_record(p, "is earlier than its predecessor");
    }
    hash = log::record_hash(records[i]);
  }
  info.last_hash = hash;

  std::string raw;
  raw.reserve(32 + n * 24 + body_bytes);
  raw.append(kMagic);
  put_u64(raw, info.first);
  put_u32(raw, static_cast<std::uint32_t>(n));
  put_u64(raw, static_cast<std::uint64_t>(headers[0].recorded_at));
  for (std::size_t i = 1; i < n; ++i)
    put_varint(raw, static_cast<std::uint64_t>(headers[i].recorded_at - headers[i - 1].recorded_at));
  for (const auto& h : headers) put_varint(raw, h.actor);
  // Command ids, once per run of records that share one (a command's records are contiguous).
  std::vector<std::pair<std::size_t, std::size_t>> runs;  // (first index, length)
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && headers[i].command_id == headers[runs.back().first].command_id) {
      ++runs.back().second;
    } else {
      runs.emplace_back(i, 1);
    }
  }
  put_varint(raw, runs.size());
  for (const auto& [start, length] : runs) {
    put_varint(raw, length);
    raw.append(reinterpret_cast<const char*>(headers[start].command_id.bytes.data()), 16);
  }
  // Bodies without their headers: the header's offset in the buffer (chosen by the FlatBuffers builder, so
  // it varies a little), then each record with its 72 header bytes cut out.
  std::vector<std::size_t> offsets(n);
  for (std::size_t i = 0; i < n; ++i) {
    offsets[i] = static_cast<std::size_t>(reinterpret_cast<const char*>(log::envelope_of(records[i])->header()) -
                                          records[i].data());
    put_varint(raw, offsets[i]);
  }
  for (const auto& r : records) put_varint(raw, r.size() - log::kHeaderBytes);
  for (std::size_t i = 0; i < n; ++i) {
    raw.append(records[i], 0, offsets[i]);
    raw.append(records[i], offsets[i] + log::kHeaderBytes);
  }
  info.raw_bytes = raw.size();
  out.source_bytes = body_bytes;

  // Into an uninitialised buffer: zero-filling the bound (more than the payload) costs as much as compressing.
  const std::size_t bound = ZSTD_compressBound(raw.size());
  std::unique_ptr<char[]> buffer(new char[bound]);
  const std::size_t z = ZSTD_compress(buffer.get(), bound, raw.data(), raw.size(), zstd_level);
  if (ZSTD_isError(z) != 0) return Status(Code::io_error, std::string("zstd: ") + ZSTD_getErrorName(z));
  out.compressed.assign(buffer.get(), z);
  info.file_bytes = z;
  info.file_hash = log::record_hash(out.compressed);
  return out;
}

Result<DecodedSegment> decode_segment(std::string_view file_bytes, const SegmentInfo& info) {
  const std::string where = info.file + " (positions " + std::to_string(info.first) + ".." + std::to_string(info.last) + ")";
  if (file_bytes.size() != info.file_bytes)
    return Status(Code::corruption, where + ": the file is " + std::to_string(file_bytes.size()) +
                                        " bytes, the manifest says " + std::to_string(info.file_bytes));
  if (log::record_hash(file_bytes) != info.file_hash)
    return Status(Code::corruption, where + ": the file's hash does not match the manifest");
  const unsigned long long raw_size = ZSTD_getFrameContentSize(file_bytes.data(), file_bytes.size());
  if (raw_size == ZSTD_CONTENTSIZE_ERROR || raw_size == ZSTD_CONTENTSIZE_UNKNOWN || raw_size != info.raw_bytes ||
      raw_size > kMaxSegmentRawBytes)
    return Status(Code::corruption, where + ": not a zstd frame of the size the manifest names");
  std::string raw(static_cast<std::size_t>(raw_size), '\0');
  const std::size_t z = ZSTD_decompress(raw.data(), raw.size(), file_bytes.data(), file_bytes.size());
  if (ZSTD_isError(z) != 0 || z != raw.size())
    return Status(Code::corruption, where + ": zstd cannot decompress it");

  Reader r{raw};
  const auto corrupt = [&](const std::string& what) { return Status(Code::corruption, where + ": " + what); };
  if (r.bytes(kMagic.size()) != kMagic) return corrupt("not a segment (bad magic)");
  const log::Position first = r.u64();
  const std::uint32_t n = r.u32();
  if (r.bad || first != info.first || n == 0 || n > kMaxSegmentRecords || first + n - 1 != info.last)
    return corrupt("the payload's position range differs from the manifest");
  std::vector<log::SealFields> h(n);
  h[0].recorded_at = static_cast<log::Timestamp>(r.u64());
  for (std::size_t i = 1; i < n; ++i) h[i].recorded_at = h[i - 1].recorded_at + static_cast<log::Timestamp>(r.varint());
  for (std::size_t i = 0; i < n; ++i) h[i].actor = r.varint();
  const std::uint64_t runs = r.varint();
  std::size_t filled = 0;
  for (std::uint64_t k = 0; k < runs && !r.bad; ++k) {
    const std::uint64_t length = r.varint();
    const std::string_view id = r.bytes(16);
    if (r.bad || length == 0 || length > n - filled) return corrupt("bad command-id column");
    for (std::uint64_t j = 0; j < length; ++j) std::memcpy(h[filled + j].command_id.bytes.data(), id.data(), 16);
    filled += length;
  }
  if (r.bad || filled != n) return corrupt("bad command-id column");
  std::vector<std::size_t> offsets(n), lengths(n);
  for (auto& o : offsets) o = r.varint();
  for (auto& l : lengths) l = r.varint();
  if (r.bad) return corrupt("truncated payload");

  DecodedSegment out;
  out.records.reserve(n);
  out.hashes.reserve(n);
  log::Digest prev = info.prev_hash;
  for (std::size_t i = 0; i < n; ++i) {
    const log::Position p = first + i;
    const std::string_view body = r.bytes(lengths[i]);
    if (r.bad) return corrupt("truncated payload at record " + std::to_string(p));
    if (offsets[i] > body.size()) return corrupt("record " + std::to_string(p) + ": its header lies outside it");
    std::string rec;
    rec.reserve(body.size() + log::kHeaderBytes);
    rec.append(body.substr(0, offsets[i]));
    rec.append(log::kHeaderBytes, '\0');
    rec.append(body.substr(offsets[i]));
    if (auto s = log::check_envelope(rec); !s.ok()) return corrupt("record " + std::to_string(p) + ": " + s.message());
    h[i].position = p;
    h[i].prev_hash = prev;
    log::seal(rec, h[i]);
    prev = log::record_hash(rec);
    out.hashes.push_back(prev);
    out.records.push_back(std::move(rec));
  }
  if (r.at != raw.size()) return corrupt("bytes after the last record");
  if (h[0].recorded_at != info.first_time || h[n - 1].recorded_at != info.last_time)
    return corrupt("record times differ from the manifest");
  if (prev != info.last_hash) return corrupt("the rebuilt records do not hash to the manifest's last_hash");
  return out;
}

}  // namespace ejournal::backup
