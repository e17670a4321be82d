// What verify_storage() reads that verify() does not: every table file's block checksums and the command-id
// index against the log. The index is what keeps a retried command from being recorded twice, so a damaged
// one must be found by `ejctl verify` — and must never let a retry in as a new command.
#include <stdio.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "printers.h"
#include "raw_store.h"
#include "testkit.h"

using namespace ejournal;

namespace {

constexpr std::uint64_t kCommands = 100;

void build_log(const std::string& data) {
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  for (std::uint64_t i = 0; i < kCommands; ++i) REQUIRE((*log)->append(testkit::sample_command(i)).ok());
}

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

int ejctl_verify(const std::string& data, std::string& output) {
  FILE* p = ::popen((std::string(EJ_EJCTL_PATH) + " verify --data " + data + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) output.append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("the command-id index is checked against the log", "[log][verify]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  build_log(data);

  const auto intact = storage_of(data);
  CHECK(intact.ok());
  CHECK(intact.commands == kCommands);
  CHECK(intact.index_entries == kCommands);
  CHECK(intact.table_files > 0);  // ejournal's table files (the log family was flushed when the log closed, or not)

  SECTION("a command missing from the index") {
    testkit::RawStore(data).erase(log::format::kIdemFamily, id_key(37));
    const auto r = storage_of(data);
    CHECK_FALSE(r.ok());
    CHECK(any_contains(r.faults, "at 38: not in the command-id index"));
    CHECK(any_contains(r.faults, "holds 99 entries for 100 commands"));
    std::string out;
    CHECK(ejctl_verify(data, out) == 1);
    CHECK_THAT(out, Catch::Contains("FAULT command " + testkit::sample_command_id(37).to_hex()));
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
  for (std::uint64_t i = 0; i < kCommands; ++i) {
    auto again = (*log)->append(testkit::sample_command(i));
    if (again.ok()) CHECK(again->duplicate);
    else ++refused;
  }
  CHECK(refused > 0);  // the damaged block is read, and refused
  CHECK((*log)->head() == kCommands);
}
