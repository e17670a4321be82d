#include <sodium.h>
#include <time.h>

#include "ejournal/log/clock.h"
#include "ejournal/log/types.h"
#include "log/sodium.h"

namespace ejournal::log {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

template <std::size_t N>
std::string bytes_to_hex(const std::array<std::uint8_t, N>& bytes) {
  std::string out;
  out.reserve(2 * N);
  for (std::uint8_t b : bytes) {
    out.push_back(kHexDigits[b >> 4]);
    out.push_back(kHexDigits[b & 0xf]);
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string CommandId::to_hex() const { return bytes_to_hex(bytes); }

std::optional<CommandId> CommandId::from_hex(std::string_view hex) {
  CommandId id;
  if (hex.size() != 2 * id.bytes.size()) return std::nullopt;
  for (std::size_t i = 0; i < id.bytes.size(); ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    id.bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return id;
}

CommandId CommandId::random() {
  ensure_sodium();
  CommandId id;
  randombytes_buf(id.bytes.data(), id.bytes.size());
  return id;
}

std::string Digest::to_hex() const { return bytes_to_hex(bytes); }

bool Digest::is_zero() const {
  for (std::uint8_t b : bytes)
    if (b != 0) return false;
  return true;
}

Timestamp SystemClock::now() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<Timestamp>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

}  // namespace ejournal::log
