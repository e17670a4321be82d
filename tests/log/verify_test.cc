// Tamper evidence: a byte rewritten through RocksDB directly (an intruder, a faulty disk) is found by
// verify at the right position, by the library and by `ejctl verify`.
#include <stdio.h>
#include <sys/wait.h>

#include <fstream>

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

// What verify_storage() reads that verify() does not: every table file's block checksums and the command-id
// index against the log. The index is what keeps a retried command from being recorded twice, so a damaged
// one must be found by `ejctl verify` — and must never let a retry in as a new command.
namespace {

log::StorageReport storage_of(const std::string& data) {
  auto reader = log::open_log_reader(data);
  REQUIRE(reader.ok());
  auto report = (*reader)->verify_storage();
  REQUIRE(report.ok());
  return *report;
}

std::string id_key(std::uint64_t index) {
  const auto id = testkit::sample_command_id(index);
  return std::string(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
}

bool any_contains(const std::vector<std::string>& lines, const std::string& part) {
  for (const auto& l : lines)
    if (l.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("the command-id index is checked against the log", "[log][verify]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  build_log(data);

  const auto intact = storage_of(data);
  CHECK(intact.ok());
  CHECK(intact.commands == kRecords);
  CHECK(intact.index_entries == kRecords);
  CHECK(intact.table_files > 0);  // ejournal's table files (the log family was flushed when the log closed, or not)

  SECTION("a command missing from the index") {
    testkit::RawStore(data).erase(log::format::kIdemFamily, id_key(37));
    const auto r = storage_of(data);
    CHECK_FALSE(r.ok());
    CHECK(any_contains(r.faults, "at 38: not in the command-id index"));
    CHECK(any_contains(r.faults, "holds 99 entries for 100 commands"));
    const Run run = ejctl("verify --data " + data);
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.output, Catch::Contains("FAULT command " + testkit::sample_command_id(37).to_hex()));
  }
  SECTION("an entry that names another position") {
    testkit::RawStore(data).put(log::format::kIdemFamily, id_key(9), log::format::idem_value(5, 1));
    const auto r = storage_of(data);
    CHECK(any_contains(r.faults, "at 10 (1 records): the index names 5 (1 records)"));
  }
  SECTION("an entry for a command the log does not hold") {
    testkit::RawStore(data).put(log::format::kIdemFamily, id_key(5000), log::format::idem_value(3, 1));
    const auto r = storage_of(data);
    CHECK(r.faults == std::vector<std::string>{"the command-id index holds 101 entries for 100 commands in the log"});
  }
}

TEST_CASE("a flipped byte in the command-id index's table file is found, and no retry is recorded twice",
          "[log][verify]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  build_log(data);
  std::vector<std::string> files;
  {
    testkit::RawStore raw(data);
    files = raw.table_files(log::format::kIdemFamily, data);
  }
  REQUIRE(files.size() == 1);
  {
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(200);  // inside the first data block: the entries themselves
    char c = 0;
    f.get(c);
    f.seekp(200);
    f.put(static_cast<char>(c ^ 0x10));
  }
  const auto r = storage_of(data);
  CHECK_FALSE(r.ok());
  CHECK(any_contains(r.faults, "family idem, table file"));

  // A retry of every command: each is answered as a duplicate or refused, and the log does not grow.
  auto log = log::open_event_log(data);
  if (!log.ok()) {
    CHECK(log.status().code() == Code::corruption);
    return;
  }
  int refused = 0;
  for (std::uint64_t i = 0; i < kRecords; ++i) {
    auto again = (*log)->append(testkit::sample_command(i));
    if (again.ok()) CHECK(again->duplicate);
    else ++refused;
  }
  CHECK(refused > 0);  // the damaged block is read, and refused
  CHECK((*log)->head() == kRecords);
}
