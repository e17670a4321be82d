// What the log refuses, with a clear error and nothing written.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "child_process.h"
#include "raw_store.h"
#include "testkit.h"

using namespace ejournal;
namespace fs = std::filesystem;

namespace {

std::set<std::string> listing(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

}  // namespace

TEST_CASE("bad append requests are refused before anything is written", "[log][refusal]") {
  testkit::TempDir dir;
  log::LogOptions options;
  options.max_events_per_command = 10;
  auto opened = log::open_event_log(dir.sub("data"), options);
  REQUIRE(opened.ok());
  log::EventLog& log = **opened;
  REQUIRE(log.append(testkit::sample_command(1)).ok());

  SECTION("an event over 64 KiB") {
    flatbuffers::FlatBufferBuilder fbb;
    auto comment = fbb.CreateString(std::string(70'000, 'x'));
    auto mark = fb::CreateMarkSet(fbb, 1, 1, 5, 1, comment);
    log::AppendRequest req;
    req.command_id = testkit::sample_command_id(2);
    req.events.push_back(log::finish_draft(fbb, fb::Event::MarkSet, mark.Union()));
    auto r = log.append(std::move(req));
    CHECK(r.status().code() == Code::invalid_argument);
    CHECK_THAT(r.status().message(), Catch::Contains("65536"));
  }
  SECTION("a command with no events") {
    log::AppendRequest req;
    req.command_id = testkit::sample_command_id(2);
    CHECK(log.append(std::move(req)).status().code() == Code::invalid_argument);
  }
  SECTION("a command with more events than allowed") {
    log::AppendRequest req = testkit::sample_command(2);
    for (int i = 0; i < 10; ++i) req.events.push_back(testkit::mark_draft(1, 1, 4, 1));
    CHECK(log.append(std::move(req)).status().code() == Code::invalid_argument);
  }
  SECTION("bytes that are not an envelope") {
    log::AppendRequest req = testkit::sample_command(2);
    req.events[0].bytes = std::string(200, '\x7f');
    CHECK(log.append(std::move(req)).status().code() == Code::invalid_argument);
  }
  SECTION("an envelope cut short") {
    log::AppendRequest req = testkit::sample_command(2);
    req.events[0].bytes.resize(req.events[0].bytes.size() - 9);
    CHECK(log.append(std::move(req)).status().code() == Code::invalid_argument);
  }
  CHECK(log.head() == 1);
  // The refused command id was not consumed: the same id with a valid command goes through.
  auto ok = log.append(testkit::sample_command(2));
  REQUIRE(ok.ok());
  CHECK_FALSE(ok->duplicate);
  CHECK(log.head() == 2);
}

TEST_CASE("a directory holding another program's RocksDB is refused and left alone", "[log][refusal]") {
  testkit::TempDir dir;
  const std::string other = dir.sub("other");
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(o, other, &db).ok());
    REQUIRE(db->Put(rocksdb::WriteOptions(), "their-key", "their-value").ok());
    delete db;
  }
  const auto before = listing(other);
  auto r = log::open_event_log(other);
  CHECK(r.status().code() == Code::unsupported);
  CHECK_THAT(r.status().message(), Catch::Contains("not an ejournal log"));
  CHECK(listing(other) == before);
  CHECK(log::open_log_reader(other).status().code() == Code::unsupported);
}

TEST_CASE("a non-empty directory without a log is refused", "[log][refusal]") {
  testkit::TempDir dir;
  std::ofstream(dir.sub("homework.docx")) << "not ours";
  auto r = log::open_event_log(dir.path());
  CHECK(r.status().code() == Code::unsupported);
  CHECK(listing(dir.path()) == std::set<std::string>{"homework.docx"});
}

TEST_CASE("a creation killed before RocksDB wrote CURRENT starts over; a stranger's file is still refused", "[log][refusal]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  std::filesystem::create_directories(data);
  // What a process killed inside RocksDB's database creation leaves (seen when a crash test's child was
  // killed within milliseconds of starting): our lock, RocksDB's lock, info log and a manifest, no CURRENT.
  for (const char* name : {"ejournal.lock", "LOCK", "LOG", "IDENTITY", "MANIFEST-000001", "000001.dbtmp"})
    std::ofstream(data + "/" + name) << "x";
  {
    auto log = log::open_event_log(data);
    INFO(log.status().to_string());
    REQUIRE(log.ok());
    REQUIRE((*log)->append(testkit::sample_command(1)).ok());
  }
  auto again = log::open_event_log(data);
  REQUIRE(again.ok());
  CHECK((*again)->head() == 1);

  const std::string other = dir.sub("other");
  std::filesystem::create_directories(other);
  for (const char* name : {"LOCK", "LOG", "notes.txt"}) std::ofstream(other + "/" + name) << "x";
  CHECK(log::open_event_log(other).status().code() == Code::unsupported);
  CHECK(listing(other) == std::set<std::string>{"LOCK", "LOG", "notes.txt"});
}

TEST_CASE("a missing directory is not created when creation is off", "[log][refusal]") {
  testkit::TempDir dir;
  log::LogOptions options;
  options.create_if_missing = false;
  CHECK(log::open_event_log(dir.sub("absent"), options).status().code() == Code::not_found);
  CHECK_FALSE(fs::exists(dir.sub("absent")));
}

TEST_CASE("a log of a newer format version is refused", "[log][refusal]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  {
    auto log = log::open_event_log(data);
    REQUIRE(log.ok());
    REQUIRE((*log)->append(testkit::sample_command(1)).ok());
  }
  {
    testkit::RawStore raw(data);
    std::string v(log::format::kFormatMagic);
    log::format::put_u32_be(v, log::format::kFormatVersion + 1);
    raw.put(log::format::kMetaFamily, std::string(log::format::kFormatKey), v);
  }
  auto r = log::open_event_log(data);
  CHECK(r.status().code() == Code::unsupported);
  CHECK_THAT(r.status().message(), Catch::Contains("version 2") && Catch::Contains("newer"));
}

TEST_CASE("a data directory is opened by one writer at a time", "[log][refusal]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");

  SECTION("in this process") {
    auto first = log::open_event_log(data);
    REQUIRE(first.ok());
    auto second = log::open_event_log(data);
    CHECK(second.status().code() == Code::busy);
    CHECK_THAT(second.status().message(), Catch::Contains("already open"));
    REQUIRE((*first)->append(testkit::sample_command(1)).ok());  // the first is unharmed
  }
  SECTION("in another process") {
    { REQUIRE(log::open_event_log(data).ok()); }
    testkit::ChildProcess holder(std::string(EJ_CRASH_CHILD_PATH), {"hold", data});
    std::string line;
    REQUIRE(holder.read_line(line, 30'000));
    REQUIRE(line == "ready");
    CHECK(log::open_event_log(data).status().code() == Code::busy);
    holder.kill_hard();
    holder.wait();
    CHECK(log::open_event_log(data).ok());  // the lock dies with its holder
  }
}

TEST_CASE("a creation interrupted before the format marker is finished, not refused", "[log][refusal]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  {
    auto log = log::open_event_log(data);
    REQUIRE(log.ok());
  }
  {
    testkit::RawStore raw(data);  // as if the process died right after RocksDB created the families
    raw.erase(log::format::kMetaFamily, std::string(log::format::kFormatKey));
  }
  auto log = log::open_event_log(data);
  INFO(log.status().to_string());
  REQUIRE(log.ok());
  REQUIRE((*log)->append(testkit::sample_command(1)).ok());
}

TEST_CASE("a log with records but no format marker is refused", "[log][refusal]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  {
    auto log = log::open_event_log(data);
    REQUIRE(log.ok());
    REQUIRE((*log)->append(testkit::sample_command(1)).ok());
  }
  {
    testkit::RawStore raw(data);
    raw.erase(log::format::kMetaFamily, std::string(log::format::kFormatKey));
  }
  CHECK(log::open_event_log(data).status().code() == Code::unsupported);
}

namespace {

// A RocksDB database with the default family and one called "log", holding `value` under a key if given.
void make_partial_database(const std::string& dir, const std::string& value) {
  rocksdb::Options o;
  o.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::Open(o, dir, &db).ok());
  rocksdb::ColumnFamilyHandle* h = nullptr;
  REQUIRE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "log", &h).ok());
  if (!value.empty()) REQUIRE(db->Put(rocksdb::WriteOptions(), h, "someone", value).ok());
  REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
  delete db;
}

}  // namespace

TEST_CASE("a creation interrupted between column families is finished, not refused", "[log][refusal]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  make_partial_database(data, "");  // what a crash leaves after RocksDB made CURRENT and our first family
  auto log = log::open_event_log(data);
  INFO(log.status().to_string());
  REQUIRE(log.ok());
  REQUIRE((*log)->append(testkit::sample_command(1)).ok());
}

TEST_CASE("a database with only some of our family names but data in them is refused", "[log][refusal]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  make_partial_database(data, "else's");
  const auto before = listing(data);
  CHECK(log::open_event_log(data).status().code() == Code::unsupported);
  CHECK(listing(data) == before);
}
