// Segments round-trip exactly, and any change to a segment or its manifest entry is caught.
#include <catch2/catch.hpp>

#include "backup/segment.h"
#include "ejournal/log/envelope.h"
#include "support.h"

using namespace ejournal;
using namespace ejournal::backup;

namespace {

// Records 1..n of a real log, as stored.
std::vector<std::string> records(const testkit::TempDir& dir, std::uint64_t n) {
  auto log = log::open_event_log(dir.sub("log"));
  REQUIRE(log.ok());
  backup_test::append_samples(**log, 0, n);
  std::vector<std::string> out;
  for (auto c = (*log)->cursor(1); c->valid(); c->next()) out.emplace_back(c->bytes());
  return out;
}

}  // namespace

TEST_CASE("a segment decodes to the very bytes it was made from", "[backup]") {
  testkit::TempDir dir;
  const auto recs = records(dir, 3000);
  std::vector<std::string> tail(recs.begin() + 1000, recs.end());
  auto seg = encode_segment(tail, 3);
  REQUIRE(seg.ok());
  seg->info.file = segment_file_name(seg->info.first, seg->info.last);
  CHECK(seg->info.first == 1001);
  CHECK(seg->info.last == 3000);
  CHECK(seg->info.prev_hash == log::record_hash(recs[999]));
  CHECK(seg->info.last_hash == log::record_hash(recs.back()));
  auto back = decode_segment(seg->compressed, seg->info);
  REQUIRE(back.ok());
  REQUIRE(back->records == tail);
  CHECK(back->hashes.back() == seg->info.last_hash);
  // The header columns and the missing prev_hash make it small: well under the 64 bytes of the header alone.
  CHECK(seg->compressed.size() < tail.size() * 40);
}

TEST_CASE("a changed segment, or a manifest entry that does not fit it, is refused", "[backup]") {
  testkit::TempDir dir;
  const auto recs = records(dir, 500);
  auto seg = encode_segment(recs, 3);
  REQUIRE(seg.ok());
  seg->info.file = segment_file_name(1, 500);

  std::string flipped = seg->compressed;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x10);
  auto a = decode_segment(flipped, seg->info);
  REQUIRE_FALSE(a.ok());
  CHECK(a.status().code() == Code::corruption);
  CHECK_THAT(a.status().message(), Catch::Contains("hash does not match"));

  // A manifest entry claiming a different chain: the file is intact, the rebuilt records do not fit.
  SegmentInfo wrong = seg->info;
  wrong.last_hash.bytes[0] ^= 1;
  auto b = decode_segment(seg->compressed, wrong);
  REQUIRE_FALSE(b.ok());
  CHECK_THAT(b.status().message(), Catch::Contains("last_hash"));
  SegmentInfo other_start = seg->info;
  other_start.prev_hash.bytes[5] ^= 1;
  CHECK_FALSE(decode_segment(seg->compressed, other_start).ok());
}

TEST_CASE("packing a damaged run of records names the record that breaks the chain", "[backup]") {
  testkit::TempDir dir;
  auto recs = records(dir, 100);
  // Record 40's bytes change (its event), so record 41 no longer names its hash.
  const auto before = log::header_of(recs[39]);
  auto env = log::envelope_of(recs[39]);
  REQUIRE(env != nullptr);
  recs[39][recs[39].size() - 1] = static_cast<char>(recs[39].back() ^ 0x01);
  REQUIRE(log::header_of(recs[39]).position == before.position);
  auto seg = encode_segment(recs, 3);
  REQUIRE_FALSE(seg.ok());
  CHECK(seg.status().code() == Code::corruption);
  CHECK_THAT(seg.status().message(), Catch::Contains("record 41"));
}
