// Tamper evidence: a byte rewritten through RocksDB directly (an intruder, a faulty disk) is found by
// verify at the right position, by the library and by `ejctl verify`.
#include <stdio.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "raw_store.h"
#include "printers.h"
#include "testkit.h"

using namespace ejournal;

namespace {

constexpr log::Position kRecords = 100;

void build_log(const std::string& data) {
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  for (std::uint64_t i = 0; i < kRecords; ++i) REQUIRE((*log)->append(testkit::sample_command(i)).ok());
}

log::VerifyReport verify_closed(const std::string& data) {
  auto reader = log::open_log_reader(data);
  REQUIRE(reader.ok());
  auto report = (*reader)->verify(1, UINT64_MAX);
  REQUIRE(report.ok());
  return *report;
}

// Byte offset of the header struct inside an envelope.
std::size_t header_offset(const std::string& bytes) {
  return static_cast<std::size_t>(reinterpret_cast<const char*>(log::envelope_of(bytes)->header()) - bytes.data());
}

void change_mark(std::string& bytes) {
  auto* mark = static_cast<fb::MarkSet*>(fb::GetMutableEnvelope(bytes.data())->mutable_event());
  REQUIRE(mark->mutate_value(1));  // sample marks are 2..5: this changes it
}

struct Run {
  int exit_code;
  std::string output;
};

Run ejctl(const std::string& args) {
  const std::string cmd = std::string(EJ_EJCTL_PATH) + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace

TEST_CASE("an intact log verifies to its head", "[log][verify]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  build_log(data);
  const auto report = verify_closed(data);
  CHECK(report.ok());
  CHECK(report.to == kRecords);

  auto reader = log::open_log_reader(data);
  REQUIRE(reader.ok());
  CHECK(report.last_hash == log::record_hash((*reader)->read(kRecords)->bytes));

  const Run run = ejctl("verify --data " + data);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.output, Catch::StartsWith("OK head 100 hash " + report.last_hash.to_hex()));

  SECTION("a sub-range verifies on its own") {
    auto part = (*reader)->verify(40, 60);
    REQUIRE(part.ok());
    CHECK(part->ok());
    CHECK(part->from == 40);
    CHECK(part->to == 60);
  }
}

TEST_CASE("ejctl verify reads a log that a running writer holds open", "[log][verify]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  for (std::uint64_t i = 0; i < 10; ++i) REQUIRE((*log)->append(testkit::sample_command(i)).ok());
  const Run run = ejctl("verify --data " + data);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.output, Catch::StartsWith("OK head 10 "));
  REQUIRE((*log)->append(testkit::sample_command(10)).ok());  // and the writer goes on
}

TEST_CASE("verify names the first record that was tampered with", "[log][verify]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  build_log(data);
  log::Position expected_bad = 0;
  std::string expected_words;
  {
    testkit::RawStore raw(data);
    SECTION("a mark changed in the middle") {
      raw.rewrite_record(50, change_mark);
      expected_bad = 50;
    }
    SECTION("a mark changed in the first record") {
      raw.rewrite_record(1, change_mark);
      expected_bad = 1;
    }
    SECTION("a mark changed in the head record") {
      raw.rewrite_record(kRecords, change_mark);
      expected_bad = kRecords;
    }
    SECTION("the actor of a record changed") {
      raw.rewrite_record(50, [](std::string& b) { b[header_offset(b) + 16] ^= 0x01; });
      expected_bad = 50;
    }
    SECTION("the previous-hash link of a record changed") {
      raw.rewrite_record(50, [](std::string& b) { b[header_offset(b) + 40] ^= 0x80; });
      expected_bad = 50;
      expected_words = "link";
    }
    SECTION("a record replaced by garbage") {
      raw.put(log::format::kLogFamily, log::format::position_key(50), std::string(150, 'z'));
      expected_bad = 50;
    }
    SECTION("a record deleted") {
      raw.erase(log::format::kLogFamily, log::format::position_key(50));
      expected_bad = 50;
      expected_words = "missing";
    }
    SECTION("a record's stored position changed") {
      raw.rewrite_record(50, [](std::string& b) { b[header_offset(b)] ^= 0x02; });
      expected_bad = 50;
    }
  }
  const auto report = verify_closed(data);
  CHECK(report.first_bad == expected_bad);
  CHECK_THAT(report.problem, Catch::Contains(expected_words));

  const Run run = ejctl("verify --data " + data);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Catch::Contains("FAULT at position " + std::to_string(expected_bad) + ":"));
}

TEST_CASE("the writer refuses to continue a log whose head does not match its anchor", "[log][verify]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  build_log(data);
  {
    testkit::RawStore raw(data);
    raw.rewrite_record(kRecords, change_mark);
  }
  auto r = log::open_event_log(data);
  CHECK(r.status().code() == Code::corruption);
  CHECK_THAT(r.status().message(), Catch::Contains("ejctl verify"));
}
