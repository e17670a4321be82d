// Snapshot frames (docs/projections.md, "Snapshot bytes"): written as "EJP1" version 3; the older "EJS1"
// frames, version 2 and 1, still read; anything else refused.
#include <catch2/catch.hpp>

#include <sodium.h>

#include "ejournal/log/snapshot_frame.h"

using namespace ejournal;

namespace {

// The frame with its magic and version replaced (and, for version 1, the hash taken over the raw bytes).
std::string reframed(std::string framed, std::string_view magic, std::uint8_t version, std::string_view raw) {
  framed.replace(0, 4, magic);
  framed[7] = static_cast<char>(version);
  if (version == 1) {
    std::string material = framed.substr(8, 8);
    material += raw;
    unsigned char hash[16];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(material.data()), material.size(), nullptr, 0);
    framed.replace(24, 16, reinterpret_cast<const char*>(hash), 16);
  }
  return framed;
}

}  // namespace

TEST_CASE("snapshot frames have their own magic; older frames still read", "[log][snapshots]") {
  REQUIRE(sodium_init() >= 0);
  const std::string raw = "состояние проекции, как его пишет snapshot()";
  const std::string framed = log::frame_snapshot(4242, raw);
  CHECK(framed.substr(0, 4) == "EJP1");
  CHECK(framed.substr(4, 4) == std::string("\0\0\0\3", 4));
  for (const std::string& f : {framed, reframed(framed, "EJS1", 2, raw), reframed(framed, "EJS1", 1, raw)}) {
    auto u = log::unframe_snapshot(f);
    REQUIRE(u.ok());
    CHECK(u->position == 4242);
    CHECK(u->raw == raw);
  }
  CHECK_FALSE(log::unframe_snapshot(reframed(framed, "EJS1", 3, raw)).ok());  // version 3 is EJP1's
  CHECK_FALSE(log::unframe_snapshot(reframed(framed, "EJP1", 2, raw)).ok());
  CHECK_FALSE(log::unframe_snapshot(reframed(framed, "EJL1", 3, raw)).ok());
  std::string flipped = framed;
  flipped.back() = static_cast<char>(flipped.back() ^ 1);
  CHECK_FALSE(log::unframe_snapshot(flipped).ok());
}

// Found by fuzz_snapshot: a damaged frame declaring gigabytes had them allocated before any check. Now the
// checksum and the size the zstd frame records come first, and decompression grows with what it produces.
TEST_CASE("a frame that declares a size its bytes do not hold is refused without allocating it", "[log][snapshots]") {
  const std::string raw(1000, 'x');
  std::string framed = log::frame_snapshot(42, raw);
  REQUIRE(log::unframe_snapshot(framed).ok());
  SECTION("a declared size of 3 GiB, checksum intact") {
    for (int i = 0; i < 8; ++i) framed[16 + i] = "\x00\x00\x00\x00\xc0\x00\x00\x00"[i];
    auto u = log::unframe_snapshot(framed);
    REQUIRE_FALSE(u.ok());
    CHECK_THAT(u.status().message(), Catch::Contains("does not record the declared size"));
  }
  SECTION("an old version-1 frame (checksum over the raw bytes, checked last) declaring more than it holds") {
    framed.replace(0, 8, std::string("EJS1\x00\x00\x00\x01", 8));
    for (int i = 0; i < 8; ++i) framed[16 + i] = "\x00\x00\x00\x00\x10\x00\x00\x00"[i];
    auto u = log::unframe_snapshot(framed);
    REQUIRE_FALSE(u.ok());
  }
}
