#include "log/format.h"

#include <cstring>

namespace ejournal::log::format {

void put_u64_be(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_u32_be(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::uint64_t get_u64_be(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::uint32_t get_u32_be(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string position_key(Position p) {
  std::string key;
  key.reserve(kPositionKeyBytes);
  put_u64_be(key, p);
  return key;
}

Position decode_position_key(std::string_view key) { return get_u64_be(key.data()); }

std::string format_value() {
  std::string v(kFormatMagic);
  put_u32_be(v, kFormatVersion);
  return v;
}

std::string idem_value(Position first, std::uint32_t count) {
  std::string v;
  v.reserve(kIdemValueBytes);
  put_u64_be(v, first);
  put_u32_be(v, count);
  return v;
}

std::string head_value(Position head, const Digest& hash) {
  std::string v;
  v.reserve(kHeadValueBytes);
  put_u64_be(v, head);
  v.append(reinterpret_cast<const char*>(hash.bytes.data()), hash.bytes.size());
  return v;
}

}  // namespace ejournal::log::format
