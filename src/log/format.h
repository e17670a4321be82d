// Constants and key encodings of the on-disk format. docs/log-format.md is the specification; this header
// only names what it defines. Change both together, and bump kFormatVersion for any incompatible change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ejournal/log/types.h"

namespace ejournal::log::format {

// Column families.
inline constexpr std::string_view kLogFamily = "log";    // position → sealed envelope
inline constexpr std::string_view kIdemFamily = "idem";  // command id → first position, count
inline constexpr std::string_view kMetaFamily = "meta";  // format marker, head anchor
inline constexpr std::string_view kSnapFamily = "snap";  // projection snapshots (written by projections)
inline constexpr std::string_view kKeysFamily = "keys";  // wrapped personal-data keys (KeyStore)
inline constexpr std::string_view kSegFamily = "seg";    // first position → sealed segment (derived, §9)

// Sealed segments (docs/log-format.md §9): runs of consecutive records, cut at this many records or before
// the body would pass this many bytes (a segment holds at least one record).
inline constexpr std::uint32_t kSegmentRecords = 4096;
inline constexpr std::size_t kSegmentBodyBytes = 4 << 20;
inline constexpr std::string_view kSegmentMagic = "EJS1";
inline constexpr std::size_t kSegmentHeaderBytes = 4 + 4 + 8;  // magic, count (4 BE), first position (8 BE)

// Keys in the meta family.
inline constexpr std::string_view kFormatKey = "format";
inline constexpr std::string_view kHeadKey = "head";

// Value of kFormatKey: this magic followed by the version as 4 bytes big-endian.
inline constexpr std::string_view kFormatMagic = "ejournal-log";
inline constexpr std::uint32_t kFormatVersion = 1;

// Our lock file inside the data directory (flock'ed by the one writer).
inline constexpr std::string_view kLockFile = "ejournal.lock";

inline constexpr std::size_t kPositionKeyBytes = 8;
inline constexpr std::size_t kIdemValueBytes = 12;  // first position (8) + count (4)
inline constexpr std::size_t kHeadValueBytes = 8 + 32;  // head position + its record hash

void put_u64_be(std::string& out, std::uint64_t v);
void put_u32_be(std::string& out, std::uint32_t v);
std::uint64_t get_u64_be(const char* p);
std::uint32_t get_u32_be(const char* p);

// The key of a record: its position as 8 bytes big-endian, so that byte order is position order.
std::string position_key(Position p);
// REQUIRES: key.size() == kPositionKeyBytes.
Position decode_position_key(std::string_view key);

std::string format_value();
std::string idem_value(Position first, std::uint32_t count);
std::string head_value(Position head, const Digest& hash);

}  // namespace ejournal::log::format
