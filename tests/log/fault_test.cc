// I/O faults injected under the real RocksDB (tests/support/fault_fs.h): the group-commit writer's failure path,
// the sealer's, reads failing, and a power cut that drops what was never synced (records kept, segments not).
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "fault_fs.h"
#include "log/format.h"
#include "log/maintenance.h"
#include "log/testing.h"
#include "printers.h"
#include "testkit.h"

using namespace ejournal;

namespace {

struct FaultyLog {
  std::shared_ptr<testkit::FaultFs> fs = std::make_shared<testkit::FaultFs>();
  std::unique_ptr<rocksdb::Env> env = testkit::env_over(fs);
  std::unique_ptr<log::EventLog> log;
  explicit FaultyLog(const std::string& dir, bool seal = true) {
    log::LogOptions o;
    o.seal_in_background = seal;
    auto opened = log::open_event_log_on(dir, o, env.get());
    REQUIRE(opened.ok());
    log = std::move(*opened);
  }
};

// How many records of the log carry `id`.
int records_of(const log::LogReader& log, const log::CommandId& id) {
  int n = 0;
  for (auto c = log.cursor(1); c->valid(); c->next())
    if (std::memcmp(c->envelope()->header()->command_id()->data(), id.bytes.data(), id.bytes.size()) == 0) ++n;
  return n;
}

}  // namespace

TEST_CASE("a failed sync acknowledges nothing: the log refuses writes, keeps serving reads, and a reopen "
          "after the fault has every acknowledged record", "[log][faults]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  std::vector<std::string> acked;
  {
    FaultyLog f(data);
    for (std::uint64_t i = 0; i < 50; ++i) {
      auto r = f.log->append(testkit::sample_command(i));
      REQUIRE(r.ok());
      acked.push_back(f.log->read(r->first)->bytes);
    }
    f.fs->fail_sync = true;
    auto failed = f.log->append(testkit::sample_command(50));
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.status().code() == Code::io_error);
    CHECK_THAT(failed.status().message(), Catch::Contains("injected fault: sync"));
    CHECK(f.fs->injected > 0);
    CHECK(f.log->head() == 50);  // nothing it did not make durable is visible

    f.fs->fail_sync = false;  // the disk is back, but this log does not pretend nothing happened
    auto after = f.log->append(testkit::sample_command(51));
    REQUIRE_FALSE(after.ok());
    CHECK(after.status().code() == Code::unavailable);
    CHECK_THAT(after.status().message(), Catch::Contains("reopen the log"));

    // Reads go on.
    std::uint64_t count = 0;
    CHECK(testkit::read_all(*f.log, &count).ok());
    CHECK(count == 50);
    CHECK(f.log->find_command(testkit::sample_command_id(7)).value().has_value());
  }
  auto reopened = log::open_event_log(data);
  REQUIRE(reopened.ok());
  auto& log = **reopened;
  REQUIRE(log.head() >= 50);
  for (std::size_t p = 1; p <= acked.size(); ++p) CHECK(log.read(p)->bytes == acked[p - 1]);
  // The command whose sync failed may or may not have reached the disk; retried with its id it is in the
  // log exactly once either way.
  auto retry = log.append(testkit::sample_command(50));
  REQUIRE(retry.ok());
  CHECK(records_of(log, testkit::sample_command_id(50)) == 1);
  CHECK(log.verify(1, log.head())->ok());
}

TEST_CASE("a failed write of the log's file refuses the command the same way", "[log][faults]") {
  testkit::TempDir dir;
  FaultyLog f(dir.sub("data"));
  REQUIRE(f.log->append(testkit::sample_command(0)).ok());
  f.fs->fail_append = true;
  auto r = f.log->append(testkit::sample_command(1));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::io_error);
  f.fs->fail_append = false;
  CHECK(f.log->append(testkit::sample_command(2)).status().code() == Code::unavailable);
}

TEST_CASE("a power cut keeps every acknowledged record: only unsynced bytes are lost", "[log][faults]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  FaultyLog f(data);
  std::vector<std::string> acked;
  for (std::uint64_t i = 0; i < 300; ++i) {
    auto r = f.log->append(testkit::sample_command(i));
    REQUIRE(r.ok());
    acked.push_back(f.log->read(r->first)->bytes);
  }
  // The directory as the disk holds it after a power cut now: every file cut to what was synced.
  const std::string cut = dir.sub("after-cut");
  std::filesystem::remove_all(cut);
  f.fs->copy_as_after_power_cut(data, cut);
  std::filesystem::remove(std::filesystem::path(cut) / "ejournal.lock");
  auto recovered = log::open_event_log(cut);
  REQUIRE(recovered.ok());
  REQUIRE((*recovered)->head() == acked.size());
  for (std::size_t p = 1; p <= acked.size(); ++p) CHECK((*recovered)->read(p)->bytes == acked[p - 1]);
  CHECK((*recovered)->verify(1, (*recovered)->head())->ok());
}

TEST_CASE("a failing table read is an error to the reader, never a short or wrong answer", "[log][faults]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  {
    auto log = log::open_event_log(data);
    REQUIRE(log.ok());
    for (std::uint64_t i = 0; i < 20'000; ++i) REQUIRE((*log)->append(testkit::sample_command(i)).ok());
  }
  REQUIRE(log::compact_storage(data).ok());  // every record in table files, none in memory
  FaultyLog f(data, false);
  f.fs->fail_read = true;
  const int before = f.fs->injected;
  auto rec = f.log->read(12'345);
  CHECK_FALSE(rec.ok());
  CHECK(f.fs->injected > before);
  std::uint64_t count = 0;
  const Status walked = testkit::read_all(*f.log, &count);
  CHECK_FALSE(walked.ok());
  auto v = f.log->verify(1, f.log->head());
  CHECK((!v.ok() || !v->ok()));
  f.fs->fail_read = false;
  CHECK(f.log->read(12'345).ok());
  CHECK(testkit::read_all(*f.log, &count).ok());
  CHECK(count == 20'000);
}

namespace {

// Appends `count` sample commands and returns each record's bytes as acknowledged.
std::vector<std::string> append_acked(log::EventLog& log, std::uint64_t count) {
  std::vector<std::string> acked;
  for (std::uint64_t i = 0; i < count; ++i) {
    auto r = log.append(testkit::sample_command(i));
    REQUIRE(r.ok());
    acked.push_back(log.read(r->first)->bytes);
  }
  return acked;
}

// Every record through a cursor from position 1 equals what was acknowledged, and nothing more is there.
void check_records(const log::LogReader& log, const std::vector<std::string>& acked) {
  log::Position p = 1;
  auto c = log.cursor(1);
  for (; c->valid(); c->next(), ++p) {
    REQUIRE(p <= acked.size());
    REQUIRE(c->bytes() == acked[p - 1]);
  }
  REQUIRE(c->status().ok());
  CHECK(p == acked.size() + 1);
}

constexpr log::Position kSeg = log::format::kSegmentRecords;

}  // namespace

TEST_CASE("a disk that fails while segments are sealed: the seal fails clearly, reads go on, every later write "
          "of any kind is refused, and a reopen seals the same segments", "[log][faults][segments]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  std::vector<std::string> acked;
  {
    FaultyLog f(data, false);
    acked = append_acked(*f.log, 4 * kSeg + 10);
    f.fs->appends_before_fault = 1;  // the first segment reaches the disk, the second does not
    const Status sealed = f.log->seal();
    REQUIRE_FALSE(sealed.ok());
    CHECK(sealed.code() == Code::io_error);
    CHECK_THAT(sealed.message(), Catch::Contains("sealed segment") && Catch::Contains("injected fault: append"));
    CHECK(f.log->sealed_end() == kSeg + 1);
    f.fs->fail_append = false;
    f.fs->appends_before_fault = -1;

    check_records(*f.log, acked);  // the first segment, then the log family
    // The store refuses every write after the failed one, from every writer of the directory.
    auto append = f.log->append(testkit::sample_command(4 * kSeg + 10));
    CHECK(append.status().code() == Code::unavailable);
    CHECK(f.log->key_store().put("k", "v").code() == Code::unavailable);
    CHECK(f.log->snapshot_store().put("roster", 1, "bytes").code() == Code::unavailable);
    CHECK(f.log->seal().code() == Code::unavailable);
    CHECK(f.log->head() == acked.size());
  }
  log::LogOptions o;
  o.seal_in_background = false;
  auto reopened = log::open_event_log(data, o);
  REQUIRE(reopened.ok());
  auto& log = **reopened;
  CHECK(log.head() == acked.size());
  CHECK(log.sealed_end() == kSeg + 1);
  REQUIRE(log.seal().ok());
  CHECK(log.sealed_end() == 4 * kSeg + 1);
  check_records(log, acked);  // now from four segments and the tail
  auto storage = log.verify_storage();
  REQUIRE(storage.ok());
  CHECK(storage->ok());
  CHECK(log.verify(1, log.head())->ok());
}

TEST_CASE("segments are written unsynced: a power cut after sealing loses them, and the log seals them again",
          "[log][faults][segments]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  FaultyLog f(data, false);
  const std::vector<std::string> acked = append_acked(*f.log, 2 * kSeg + 3);
  REQUIRE(f.log->seal().ok());
  REQUIRE(f.log->sealed_end() == 2 * kSeg + 1);
  const std::string cut = dir.sub("after-cut");
  std::filesystem::remove_all(cut);
  f.fs->copy_as_after_power_cut(data, cut);
  std::filesystem::remove(std::filesystem::path(cut) / "ejournal.lock");

  log::LogOptions o;
  o.seal_in_background = false;
  auto recovered = log::open_event_log(cut, o);
  REQUIRE(recovered.ok());
  auto& log = **recovered;
  CHECK(log.head() == acked.size());  // every record was synced when it was acknowledged
  CHECK(log.sealed_end() == 1);       // the segments were not: the cut took them
  check_records(log, acked);
  REQUIRE(log.seal().ok());
  CHECK(log.sealed_end() == 2 * kSeg + 1);
  check_records(log, acked);
  CHECK(log.verify(1, log.head())->ok());
}

TEST_CASE("a write-ahead log damaged inside refuses the open and is left as it was; one torn in its last record "
          "opens without it", "[log][faults]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  FaultyLog f(data, false);
  const std::vector<std::string> acked = append_acked(*f.log, 300);
  // The directory as a crash leaves it: every acknowledged record only in the write-ahead log.
  const auto crashed = [&](const std::string& name) {
    const std::string to = dir.sub(name);
    std::filesystem::remove_all(to);
    f.fs->copy_as_after_power_cut(data, to);
    std::filesystem::remove(std::filesystem::path(to) / "ejournal.lock");
    for (const auto& e : std::filesystem::directory_iterator(to))
      if (e.path().extension() == ".log" && std::filesystem::file_size(e.path()) > 0) return std::make_pair(to, e.path());
    FAIL("no write-ahead log in " << to);
    return std::make_pair(to, std::filesystem::path());
  };

  SECTION("a flipped bit in the middle: refused, never replayed up to the damage with the rest dropped") {
    auto [to, wal] = crashed("flipped");
    {
      std::fstream file(wal, std::ios::in | std::ios::out | std::ios::binary);
      file.seekg(static_cast<std::streamoff>(std::filesystem::file_size(wal) / 2));
      char c = 0;
      file.get(c);
      file.seekp(static_cast<std::streamoff>(std::filesystem::file_size(wal) / 2));
      file.put(static_cast<char>(c ^ 0x10));
    }
    const auto size = std::filesystem::file_size(wal);
    for (int attempt = 0; attempt < 2; ++attempt) {  // and again: the first refusal dropped nothing
      auto opened = log::open_event_log(to);
      REQUIRE_FALSE(opened.ok());
      CHECK(opened.status().code() == Code::corruption);
      CHECK_THAT(opened.status().message(), Catch::Contains("ejctl verify") && Catch::Contains("backup"));
      CHECK(std::filesystem::file_size(wal) == size);
    }
  }
  SECTION("cut inside its last record, as a crash during that write leaves it: opens with every record before") {
    auto [to, wal] = crashed("torn");
    std::filesystem::resize_file(wal, std::filesystem::file_size(wal) - 7);
    auto opened = log::open_event_log(to);
    REQUIRE(opened.ok());
    auto& log = **opened;
    CHECK(log.head() == acked.size() - 1);  // the torn write is the one that was never acknowledged
    for (std::size_t p = 1; p <= log.head(); ++p) REQUIRE(log.read(p)->bytes == acked[p - 1]);
    CHECK(log.verify(1, log.head())->ok());
  }
}
