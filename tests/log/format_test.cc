// The worked example of docs/log-format.md §7, rebuilt by the code: if the format changes, this fails until
// the document is changed with it.
#include <catch2/catch.hpp>

#include "log/format.h"
#include "testkit.h"

using namespace ejournal;

namespace {

std::string from_hex(std::string_view hex) {
  std::string out;
  int pending = -1;
  for (char c : hex) {
    int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (v < 0) continue;
    if (pending < 0) {
      pending = v;
    } else {
      out.push_back(static_cast<char>(pending * 16 + v));
      pending = -1;
    }
  }
  return out;
}

// Copied from docs/log-format.md §7.
constexpr std::string_view kExampleRecord =
    "18 00 00 00 45 4a 4c 31 00 00 00 00 0c 00 64 00 08 00 07 00 54 00 58 00 0c 00 00 00 00 00 00 01"
    "01 00 00 00 00 00 00 00 00 80 1a 8c 47 04 06 00 11 00 00 00 00 00 00 00 00 11 22 33 44 55 66 77"
    "88 99 aa bb cc dd ee ff 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00 00 00 00 00 20 00 00 00 ef cd ab 89 67 45 23 01 00 00 00 00 10 00 14 00"
    "08 00 0c 00 05 00 06 00 00 00 10 00 10 00 00 00 00 05 02 00 b1 04 00 00 31 01 00 00 29 23 00 00";
constexpr std::string_view kExampleHash = "e1c2cd4d3a5494cb1a6515c1f2be3238e7eece3f99063d2ef1a9a9314d3c19e0";

}  // namespace

TEST_CASE("the worked example of log-format.md is what the log stores", "[log][format]") {
  testkit::TempDir dir;
  log::LogOptions options;
  options.clock = std::make_shared<testkit::ManualClock>(1693555200000000);  // 2023-09-01T08:00:00Z
  auto log = log::open_event_log(dir.sub("data"), options);
  REQUIRE(log.ok());
  log::AppendRequest req;
  req.actor = 17;
  req.command_id = *log::CommandId::from_hex("00112233445566778899aabbccddeeff");
  // As the domain writes a set_mark: the MarkSet names its mark, and the command's first (here: only) record
  // carries the request digest.
  flatbuffers::FlatBufferBuilder fbb(128);
  auto mark = fb::CreateMarkSet(fbb, 1201, 305, 5, 2, 0, 9001);
  log::EventDraft draft = log::finish_draft(fbb, fb::Event::MarkSet, mark.Union(), /*request_slot=*/true);
  REQUIRE(log::set_request_digest(draft, 0x0123456789abcdefULL));
  req.events.push_back(std::move(draft));
  REQUIRE((*log)->append(std::move(req)).ok());

  auto rec = (*log)->read(1);
  REQUIRE(rec.ok());
  CHECK(rec->bytes == from_hex(kExampleRecord));
  CHECK(log::record_hash(rec->bytes).to_hex() == kExampleHash);

  CHECK(log::request_digest_of(rec->bytes) == 0x0123456789abcdefULL);

  auto report = (*log)->verify(1, 1);
  REQUIRE(report.ok());
  CHECK(report->last_hash.to_hex() == kExampleHash);
}

TEST_CASE("a draft without a request slot has no request digest, and none can be set in it", "[log][format]") {
  log::EventDraft draft = testkit::mark_draft(1201, 305, 5, 2);
  const std::string before = draft.bytes;
  CHECK_FALSE(log::set_request_digest(draft, 42));
  CHECK(draft.bytes == before);
  CHECK(log::request_digest_of(draft.bytes) == 0);
}

TEST_CASE("keys and meta values have the documented encodings", "[log][format]") {
  CHECK(log::format::position_key(1) == from_hex("00 00 00 00 00 00 00 01"));
  CHECK(log::format::position_key(0x0102030405060708) == from_hex("01 02 03 04 05 06 07 08"));
  CHECK(log::format::decode_position_key(log::format::position_key(987654321)) == 987654321);
  CHECK(log::format::format_value() == std::string("ejournal-log") + from_hex("00 00 00 01"));
  CHECK(log::format::idem_value(5, 3) == from_hex("00 00 00 00 00 00 00 05 00 00 00 03"));
  CHECK(log::kHeaderBytes == 72);
}
