// Plain value types of the event log: positions, times, actors, command ids and hashes.
// docs/log-format.md gives their byte encodings. Thread-safety: values; no shared state.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ejournal::log {

// A record's place in the log: 1, 2, 3 … dense and never reused. 0 means "no record" (an empty log's head).
using Position = std::uint64_t;
inline constexpr Position kNoPosition = 0;

// Microseconds since 1970-01-01T00:00:00Z (UTC), on the server's clock.
using Timestamp = std::int64_t;

// The user on whose behalf a command was issued; 0 is the system itself (schedules, the demo generator).
using ActorId = std::uint64_t;

// A client-chosen 16-byte id naming one command. The log stores each command id once: appending the same id
// again returns the original positions and writes nothing.
struct CommandId {
  std::array<std::uint8_t, 16> bytes{};

  // 32 lowercase hex digits.
  std::string to_hex() const;
  // Accepts exactly 32 hex digits (either case); nullopt otherwise.
  static std::optional<CommandId> from_hex(std::string_view hex);
  // 16 bytes from the operating system's random source.
  static CommandId random();

  friend bool operator==(const CommandId&, const CommandId&) = default;
};

// BLAKE2b-256 of a stored record (docs/log-format.md, "Hash chain").
struct Digest {
  std::array<std::uint8_t, 32> bytes{};

  std::string to_hex() const;
  bool is_zero() const;

  friend bool operator==(const Digest&, const Digest&) = default;
};

}  // namespace ejournal::log

template <>
struct std::hash<ejournal::log::CommandId> {
  std::size_t operator()(const ejournal::log::CommandId& id) const noexcept {
    // Command ids are random or hashed by clients; their first 8 bytes are as good as any hash of them.
    std::size_t h = 0;
    for (int i = 0; i < 8; ++i) h = (h << 8) | id.bytes[static_cast<std::size_t>(i)];
    return h;
  }
};
