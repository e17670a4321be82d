// Sealed segments (docs/log-format.md §9): cursors read the same records from them as from the log family,
// whatever range they start in and wherever segments are cut; a damaged or missing segment is read from
// the log family instead; sealing catches up on its own thread and resumes where the stored segments end.
#include <chrono>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>
#include <thread>

#include <catch2/catch.hpp>

#include "ejournal/fb/envelope_generated.h"
#include "ejournal/log/envelope.h"
#include "log/format.h"
#include "log/sealed_segment.h"
#include "printers.h"
#include "raw_store.h"
#include "testkit.h"

using namespace ejournal;
using log::Position;

namespace {

std::unique_ptr<log::EventLog> open_or_fail(const std::string& dir, bool background = false) {
  log::LogOptions o;
  o.seal_in_background = background;
  auto opened = log::open_event_log(dir, std::move(o));
  INFO(opened.status().to_string());
  REQUIRE(opened.ok());
  return std::move(opened.value());
}

void append_marks(log::EventLog& log, std::uint64_t first_index, std::uint64_t count) {
  for (std::uint64_t i = first_index; i < first_index + count; ++i) REQUIRE(log.append(testkit::sample_command(i)).ok());
}

// A topic of `bytes` bytes: records big enough that segments are cut by size, not count.
log::AppendRequest big_topic(std::uint64_t index, std::size_t bytes) {
  flatbuffers::FlatBufferBuilder fbb(bytes + 256);
  const auto topic = fbb.CreateString(std::string(bytes, static_cast<char>('a' + index % 26)));
  const auto e = fb::CreateLessonTopicSet(fbb, static_cast<std::uint32_t>(index + 1), topic);
  log::AppendRequest req = testkit::sample_command(1'000'000 + index);
  req.events.clear();
  req.events.push_back(log::finish_draft(fbb, fb::Event::LessonTopicSet, e.Union()));
  return req;
}

// Every record from `from` on, through a cursor, equals the same record read by position.
void check_cursor_from(const log::EventLog& log, Position from) {
  INFO("from " << from);
  Position expected = from;
  auto c = log.cursor(from);
  for (; c->valid(); c->next(), ++expected) {
    REQUIRE(c->position() == expected);
    auto rec = log.read(expected);
    REQUIRE(rec.ok());
    REQUIRE(c->bytes() == rec->bytes);
  }
  REQUIRE(c->status().ok());
  CHECK(expected == log.head() + 1);
}

// A log in `data` of four sealed segments and 10 unsealed records, closed.
void four_sealed_segments(const std::string& data) {
  auto log = open_or_fail(data);
  append_marks(*log, 0, 4 * log::format::kSegmentRecords + 10);
  REQUIRE(log->seal().ok());
  CHECK(log->sealed_end() == 4 * log::format::kSegmentRecords + 1);
}

}  // namespace

TEST_CASE("cursors read the same records from sealed segments as from the log family", "[log][segments]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  auto log = open_or_fail(data);
  append_marks(*log, 0, 10'000);
  CHECK(log->sealed_end() == 1);  // no background sealing in this test
  REQUIRE(log->seal().ok());
  // Two complete segments of 4096 records; the rest is the unsealed tail.
  CHECK(log->sealed_end() == 2 * log::format::kSegmentRecords + 1);
  for (Position from : {Position{1}, Position{2}, Position{4095}, Position{4096}, Position{4097}, Position{8000},
                        Position{8192}, Position{8193}, Position{9999}, Position{10'000}})
    check_cursor_from(*log, from);
  // Sealing again writes nothing new; after more records, the next segment.
  REQUIRE(log->seal().ok());
  CHECK(log->sealed_end() == 8193);
  append_marks(*log, 10'000, 3'000);
  REQUIRE(log->seal().ok());
  CHECK(log->sealed_end() == 3 * log::format::kSegmentRecords + 1);
  check_cursor_from(*log, 1);
  check_cursor_from(*log, 12'000);
  auto report = log->verify_segments();
  REQUIRE(report.ok());
  CHECK(report->ok());
  CHECK(report->segments == 3);
  CHECK(report->sealed_end == 3 * log::format::kSegmentRecords + 1);
  // Where sealing stands is found again after a reopen.
  log.reset();
  log = open_or_fail(data);
  CHECK(log->sealed_end() == 3 * log::format::kSegmentRecords + 1);
  check_cursor_from(*log, 5'000);
}

TEST_CASE("segments of big records are cut by size, and cursors cross the cuts", "[log][segments]") {
  testkit::TempDir dir;
  auto log = open_or_fail(dir.sub("data"));
  constexpr std::size_t kTopic = 60 * 1024;
  for (std::uint64_t i = 0; i < 200; ++i) REQUIRE(log->append(big_topic(i, kTopic)).ok());
  REQUIRE(log->seal().ok());
  // About 4 MiB / 60 KiB records per segment: two complete segments, far below 4096 records each.
  const Position end = log->sealed_end();
  CHECK(end > 100);
  CHECK(end < 200);
  for (Position from : {Position{1}, Position{60}, Position{end - 1}, Position{end}, Position{199}}) check_cursor_from(*log, from);
}

TEST_CASE("a damaged or missing segment is read from the log family instead", "[log][segments]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  four_sealed_segments(data);
  const std::string second = log::format::position_key(log::format::kSegmentRecords + 1);
  const std::string third = log::format::position_key(2 * log::format::kSegmentRecords + 1);
  const std::string fourth = log::format::position_key(3 * log::format::kSegmentRecords + 1);
  {
    testkit::RawStore raw(data);
    std::string value = raw.get(log::format::kSegFamily, second);
    value[value.size() / 2] = static_cast<char>(value[value.size() / 2] ^ 0x5a);  // fails the frame's checksum
    raw.put(log::format::kSegFamily, second, value);
    raw.put(log::format::kSegFamily, third, "not a segment");
    raw.erase(log::format::kSegFamily, fourth);  // a gap; the log family still holds every record
  }
  {
    auto view = log::open_log_reader(data);
    REQUIRE(view.ok());
    auto report = (*view)->verify_segments();
    REQUIRE(report.ok());
    CHECK(report->segments == 1);
    CHECK(report->first_bad == log::format::kSegmentRecords + 1);
    CHECK_THAT(report->problem, Catch::Contains("does not decompress"));
  }
  auto log = open_or_fail(data);
  for (Position from : {Position{1}, Position{5000}, Position{9000}, Position{13'000}}) check_cursor_from(*log, from);
}

TEST_CASE("a segment whose frame holds but whose records are not the ones of its key is read from the log family",
          "[log][segments]") {
  // Records of a segment are not put through the FlatBuffers verifier again (they were when sealed, and the
  // frame's checksum covers them since); what a reader still checks must catch a segment stored under the
  // wrong key, which only a fault of the program could write.
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  four_sealed_segments(data);
  const Position second = log::format::kSegmentRecords + 1;
  {
    std::string value;
    {
      auto log = open_or_fail(data);
      log::SegmentBuilder builder(second);  // claims to start at `second`, holds the records of 1 … 4096
      for (Position p = 1; p < second; ++p) {
        auto rec = log->read(p);
        REQUIRE(rec.ok());
        builder.add(rec->bytes);
      }
      value = builder.seal();
    }
    REQUIRE(log::Segment::decode(second, value).ok());  // a sound frame
    testkit::RawStore raw(data);
    raw.put(log::format::kSegFamily, log::format::position_key(second), value);
  }
  auto log = open_or_fail(data);
  for (Position from : {Position{1}, Position{second + 7}}) check_cursor_from(*log, from);
}

TEST_CASE("the log seals segments on its own thread as it grows, and after an open", "[log][segments]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  {
    auto log = open_or_fail(data);  // nothing sealed while this one is open
    append_marks(*log, 0, 2 * log::format::kSegmentRecords + 5);
  }
  auto log = open_or_fail(data, true);
  const auto wait_sealed = [&](Position end) {
    for (int i = 0; i < 3000 && log->sealed_end() < end; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return log->sealed_end();
  };
  CHECK(wait_sealed(2 * log::format::kSegmentRecords + 1) == 2 * log::format::kSegmentRecords + 1);
  append_marks(*log, 10'000, log::format::kSegmentRecords);
  CHECK(wait_sealed(3 * log::format::kSegmentRecords + 1) == 3 * log::format::kSegmentRecords + 1);
  check_cursor_from(*log, 1);
}

TEST_CASE("a cursor reads sealed records from their segment, not record by record", "[log][segments]") {
  // Shown by changing a sealed record in the log family behind the log's back: the cursor still reads the
  // bytes that were sealed (finding such damage is `ejctl verify`'s job, which reads the log family), and
  // reads the changed bytes once the segment is gone.
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  std::string sealed_bytes;
  {
    auto log = open_or_fail(data);
    append_marks(*log, 0, log::format::kSegmentRecords + 500);
    REQUIRE(log->seal().ok());
    sealed_bytes = log->read(100)->bytes;
  }
  {
    testkit::RawStore raw(data);
    raw.rewrite_record(100, [](std::string& b) { b.back() = static_cast<char>(b.back() ^ 0x01); });  // a student id byte
  }
  const auto through_cursor = [&](log::EventLog& log) {
    auto c = log.cursor(1);
    for (; c->valid() && c->position() < 100; c->next()) {
    }
    REQUIRE(c->valid());
    return std::string(c->bytes());
  };
  {
    auto log = open_or_fail(data);
    CHECK(through_cursor(*log) == sealed_bytes);
    CHECK(log->read(100)->bytes != sealed_bytes);
    auto report = log->verify_segments();  // and verify tells
    REQUIRE(report.ok());
    CHECK(report->first_bad == 1);
    CHECK_THAT(report->problem, Catch::Contains("holds record 100 unlike the log family"));
  }
  {
    testkit::RawStore raw(data);
    raw.erase(log::format::kSegFamily, log::format::position_key(1));
  }
  auto log = open_or_fail(data);
  CHECK(through_cursor(*log) == log->read(100)->bytes);
  CHECK(through_cursor(*log) != sealed_bytes);
}

TEST_CASE("a record read from a segment stays valid while its owner is held", "[log][segments]") {
  // Replay keeps batches of records past next() by holding their owner (LogCursor::owner) instead of
  // copying them: a sealed record's owner keeps its bytes past the cursor's end; a record of the unsealed
  // tail has none, and is copied.
  testkit::TempDir dir;
  auto log = open_or_fail(dir.sub("data"));
  append_marks(*log, 0, 2 * log::format::kSegmentRecords + 10);
  REQUIRE(log->seal().ok());  // two segments; the last 10 records are the unsealed tail
  std::vector<std::pair<std::shared_ptr<const void>, std::string_view>> kept;
  std::size_t owners = 0, unowned = 0;
  {
    auto c = log->cursor(1);
    for (; c->valid(); c->next()) {
      if (c->owner() == nullptr) {
        ++unowned;
        continue;
      }
      if (kept.empty() || kept.back().first != c->owner()) ++owners;
      kept.emplace_back(c->owner(), c->bytes());
    }
    REQUIRE(c->status().ok());
  }  // the cursor is gone; the segments' memory is held by `kept` alone
  CHECK(owners == 2);
  CHECK(unowned == 10);
  REQUIRE(kept.size() == 2 * log::format::kSegmentRecords);
  for (Position p = 1; p <= kept.size(); ++p) REQUIRE(kept[p - 1].second == log->read(p)->bytes);
}

TEST_CASE("segments a cursor finds damaged or missing are written again from the log family", "[log][segments]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  four_sealed_segments(data);
  const std::string second = log::format::position_key(log::format::kSegmentRecords + 1);
  const std::string third = log::format::position_key(2 * log::format::kSegmentRecords + 1);
  {
    testkit::RawStore raw(data);
    raw.erase(log::format::kSegFamily, second);  // a gap between two segments
    std::string value = raw.get(log::format::kSegFamily, third);
    value[value.size() / 2] = static_cast<char>(value[value.size() / 2] ^ 0x5a);  // fails the frame's checksum
    raw.put(log::format::kSegFamily, third, value);
  }
  auto log = open_or_fail(data, true);
  CHECK(log->sealed_end() == 4 * log::format::kSegmentRecords + 1);  // nothing for sealing proper to do
  // Each read finds the first fault on its way (and then reads the log family): the gap, then the damage.
  bool repaired = false;
  for (int i = 0; i < 300 && !repaired; ++i) {
    check_cursor_from(*log, 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto report = log->verify_segments();
    REQUIRE(report.ok());
    repaired = report->first_bad == 0 && report->segments == 4;
  }
  CHECK(repaired);
}

TEST_CASE("a segment that cannot be written again is left, and sealing goes on", "[log][segments]") {
  // The third segment is damaged and so is one of its records in the log family: the repair cannot
  // rebuild it (verify is what reports such damage), and must not stop the sealing of new records.
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  four_sealed_segments(data);
  const Position third = 2 * log::format::kSegmentRecords + 1;
  {
    testkit::RawStore raw(data);
    raw.put(log::format::kSegFamily, log::format::position_key(third), "not a segment");
    raw.rewrite_record(third + 5, [](std::string& b) { b = "damaged"; });
  }
  auto log = open_or_fail(data, true);
  {
    auto c = log->cursor(third);
    while (c->valid()) c->next();
    CHECK(c->status().code() == Code::corruption);  // the log family's damage, read after the segment's
  }
  append_marks(*log, 20'000, log::format::kSegmentRecords);
  for (int i = 0; i < 3000 && log->sealed_end() < 5 * log::format::kSegmentRecords + 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(log->sealed_end() == 5 * log::format::kSegmentRecords + 1);
}
