// ejctl backup: complete copies while the log grows, incremental runs, damaged and missing targets.
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <catch2/catch.hpp>

#include "ejournal/backup/backup.h"
#include "support.h"

using namespace ejournal;
using namespace ejournal::backup_test;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> segment_files(const fs::path& target) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(target / "segments")) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

backup::BackupOptions small_segments() {
  backup::BackupOptions o;
  o.segment_records = 4096;
  o.zstd_level = 3;
  return o;
}

}  // namespace

TEST_CASE("a backup taken while the log grows verifies and restores to the identical log", "[backup]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 3);
  const std::string a = dir.sub("A"), b = dir.sub("B");
  fs::create_directories(a);
  fs::create_directories(b);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());

  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (std::uint64_t i = 0; !stop; i += 200) append_samples(**log, i, 200);
  });
  for (int run = 0; run < 3; ++run) {
    auto reader = log::open_log_reader(data);  // a separate read-only view, as ejctl uses
    REQUIRE(reader.ok());
    auto r = backup::backup(**reader, data, {a, b}, small_segments());
    REQUIRE(r.ok());
    CHECK(r->ok());
    auto check = backup::verify_backup(a);
    REQUIRE(check.ok());
    CHECK(check->ok());
    CHECK(check->head == r->head);
  }
  stop = true;
  writer.join();
  auto reader = log::open_log_reader(data);
  REQUIRE(reader.ok());
  auto last = backup::backup(**reader, data, {a, b}, small_segments());
  REQUIRE(last.ok());
  REQUIRE(last->ok());
  REQUIRE(last->head == (*log)->head());

  const std::string restored = dir.sub("restored");
  auto r = backup::restore({a, b}, restored);
  REQUIRE(r.ok());
  CHECK(r->notices.empty());
  CHECK(r->head == (*log)->head());
  auto copy = log::open_log_reader(restored);
  REQUIRE(copy.ok());
  require_same_log(**log, **copy);
  auto verified = (*copy)->verify(1, (*copy)->head());
  REQUIRE(verified.ok());
  CHECK(verified->ok());
  // The personal-data keys came along: the same wrapped keys and the master key.
  CHECK((*copy)->wrapped_keys().value() == (*log)->wrapped_keys().value());
  CHECK(fs::exists(restored + "/master.key"));
  // Command ids were indexed: a retry of a command from the backup is recognised in the restored log.
  auto restored_log_reader = log::open_log_reader(restored);
  REQUIRE(restored_log_reader.ok());
  auto found = (*restored_log_reader)->find_command(testkit::sample_command_id(0));
  REQUIRE(found.ok());
  CHECK(found->has_value());
}

TEST_CASE("a second backup copies only what is new", "[backup]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 4);
  const std::string a = dir.sub("A");
  fs::create_directories(a);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  auto first = backup::backup(**log, data, {a}, small_segments());
  REQUIRE(first.ok());
  REQUIRE(first->ok());
  const log::Position head1 = first->head;
  CHECK(first->targets[0].from == 1);
  const auto files1 = segment_files(a);
  std::map<fs::path, fs::file_time_type> times;
  for (const auto& f : files1) times[f] = fs::last_write_time(f);

  append_samples(**log, 0, 1000);
  auto second = backup::backup(**log, data, {a}, small_segments());
  REQUIRE(second.ok());
  REQUIRE(second->ok());
  CHECK(second->targets[0].from == head1 + 1);
  CHECK(second->targets[0].to == head1 + 1000);
  CHECK(second->records == 1000);
  const auto files2 = segment_files(a);
  CHECK(files2.size() > files1.size());
  for (const auto& f : files1) CHECK(fs::last_write_time(f) == times[f]);  // untouched

  // Other files on the disk are not ours to touch, even with names like ours.
  std::ofstream(a + "/notes.ejs") << "the school's own file";
  std::ofstream(a + "/report.tmp-1") << "another program's temporary";
  append_samples(**log, 1000, 10);
  REQUIRE(backup::backup(**log, data, {a}, small_segments())->ok());
  CHECK(fs::exists(a + "/notes.ejs"));
  CHECK(fs::exists(a + "/report.tmp-1"));
  std::size_t keys_files = 0;
  for (const auto& e : fs::directory_iterator(a)) keys_files += e.path().extension() == ".ejk" ? 1 : 0;
  CHECK(keys_files == 1);  // the previous run's keys file is gone

  auto third = backup::backup(**log, data, {a}, small_segments());  // nothing new
  REQUIRE(third.ok());
  CHECK(third->records == 0);
  CHECK(third->targets[0].from > third->targets[0].to);
  CHECK(backup::verify_backup(a)->ok());
}

TEST_CASE("a flipped byte on A is named by verify, and restore takes that part from B", "[backup]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 5);
  const std::string a = dir.sub("A"), b = dir.sub("B");
  fs::create_directories(a);
  fs::create_directories(b);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  auto r = backup::backup(**log, data, {a, b}, small_segments());
  REQUIRE(r.ok());
  REQUIRE(r->ok());
  const auto files = segment_files(a);
  REQUIRE(files.size() >= 3);
  const fs::path victim = files[1];
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(100);
    char c = 0;
    f.get(c);
    f.seekp(100);
    f.put(static_cast<char>(c ^ 0x01));
  }
  auto check = backup::verify_backup(a);
  REQUIRE(check.ok());
  REQUIRE_FALSE(check->ok());
  CHECK(check->bad_file == "segments/" + victim.filename().string());
  CHECK(check->bad_position == 4097);
  CHECK(backup::verify_backup(b)->ok());

  std::string out;
  CHECK(run(ejctl() + " verify --backup " + a, out) == 1);
  CHECK_THAT(out, Catch::Contains(victim.filename().string()) && Catch::Contains("position 4097"));

  const std::string restored = dir.sub("restored");
  CHECK(run(ejctl() + " restore --from " + a + " --from " + b + " --to " + restored, out) == 0);
  CHECK_THAT(out, Catch::Contains("taken from " + b));
  auto copy = log::open_log_reader(restored);
  REQUIRE(copy.ok());
  require_same_log(**log, **copy);

  // Without B the damaged part cannot be served: nothing is left behind that looks like a journal.
  const std::string alone = dir.sub("alone");
  auto only_a = backup::restore({a}, alone);
  REQUIRE_FALSE(only_a.ok());
  CHECK(only_a.status().code() == Code::corruption);
  CHECK_FALSE(fs::exists(alone));
}

TEST_CASE("a missing or unusable target B fails on its own, and A is complete", "[backup]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 6);
  const std::string a = dir.sub("A"), missing = dir.sub("not-mounted"), file = dir.sub("a-file");
  fs::create_directories(a);
  std::ofstream(file) << "x";
  {
    auto log = log::open_log_reader(data);
    REQUIRE(log.ok());
    auto r = backup::backup(**log, data, {a, missing, file});
    REQUIRE(r.ok());
    CHECK_FALSE(r->ok());
    CHECK(r->targets[0].status.ok());
    CHECK(r->targets[1].status.code() == Code::not_found);
    CHECK_THAT(r->targets[1].status.message(), Catch::Contains(missing));
    CHECK_FALSE(r->targets[2].status.ok());
    CHECK_FALSE(fs::exists(missing));  // a missing disk's mount point is never created
    CHECK(backup::verify_backup(a)->ok());
    CHECK(backup::verify_backup(a)->head == (*log)->head());
  }
  std::string out;
  CHECK(run(ejctl() + " backup --data " + data + " --to " + a + " --to " + missing, out) == 2);
  CHECK_THAT(out, Catch::Contains("FAILED " + missing) && Catch::Contains("OK " + a));
}

TEST_CASE("a target holding another journal's backup is refused", "[backup]") {
  testkit::TempDir dir;
  const std::string one = demo_school(dir, 7);
  testkit::TempDir other_dir;
  const std::string two = demo_school(other_dir, 8);
  const std::string a = dir.sub("A");
  fs::create_directories(a);
  auto log1 = log::open_log_reader(one);
  auto log2 = log::open_log_reader(two);
  REQUIRE(log1.ok());
  REQUIRE(log2.ok());
  REQUIRE(backup::backup(**log1, one, {a})->ok());
  auto r = backup::backup(**log2, two, {a});
  REQUIRE(r.ok());
  CHECK(r->targets[0].status.code() == Code::conflict);
  CHECK(backup::verify_backup(a)->head == (*log1)->head());
}
