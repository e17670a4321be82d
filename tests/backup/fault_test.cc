// Backup under I/O faults at the source (tests/support/fault_fs.h): a data disk whose reads fail in the middle
// of a run. (A target disk that fills is tests/reliability/disk_full.cc, on a real full file system.)
#include <filesystem>

#include <catch2/catch.hpp>

#include "ejournal/backup/backup.h"
#include "fault_fs.h"
#include "log/maintenance.h"
#include "log/testing.h"
#include "support.h"

using namespace ejournal;
using namespace ejournal::backup_test;
namespace fs = std::filesystem;

TEST_CASE("a source disk whose reads fail during a backup: the run fails clearly, each target keeps its previous "
          "complete copy, and the next run completes it", "[backup][faults]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 8);
  const std::string a = dir.sub("A"), b = dir.sub("B");
  fs::create_directories(a);
  fs::create_directories(b);
  backup::BackupOptions o;
  o.segment_records = 4096;
  log::Position first_head = 0;
  {
    auto log = log::open_event_log(data);
    REQUIRE(log.ok());
    auto first = backup::backup(**log, data, {a, b}, o);
    REQUIRE(first.ok());
    REQUIRE(first->ok());
    first_head = first->head;
    append_samples(**log, 0, 20'000);
  }
  REQUIRE(log::compact_storage(data).ok());  // the new records in table files, where reads can fail

  auto fs = std::make_shared<testkit::FaultFs>();
  auto env = testkit::env_over(fs);
  log::LogOptions lo;
  lo.seal_in_background = false;  // nothing reads behind the test's back
  auto log = log::open_event_log_on(data, lo, env.get());
  REQUIRE(log.ok());
  REQUIRE((*log)->head() == first_head + 20'000);

  fs->fail_read = true;
  const int before = fs->injected;
  auto failed = backup::backup(**log, data, {a, b}, o);
  CHECK(fs->injected > before);
  if (failed.ok()) {  // the failure may be the run's or each target's: never an "ok"
    CHECK_FALSE(failed->ok());
    for (const auto& t : failed->targets) {
      CHECK_FALSE(t.status.ok());
      CHECK_THAT(t.status.message(), Catch::Contains("injected fault"));
    }
  } else {
    CHECK_THAT(failed.status().message(), Catch::Contains("injected fault"));
  }
  for (const std::string& target : {a, b}) {
    INFO(target);
    auto check = backup::verify_backup(target);
    REQUIRE(check.ok());
    CHECK(check->ok());
    CHECK(check->head == first_head);  // the previous complete copy, untouched
  }

  fs->fail_read = false;
  auto second = backup::backup(**log, data, {a, b}, o);
  REQUIRE(second.ok());
  REQUIRE(second->ok());
  CHECK(second->head == (*log)->head());
  CHECK(second->targets[0].from == first_head + 1);
  for (const std::string& target : {a, b}) {
    auto check = backup::verify_backup(target);
    REQUIRE(check.ok());
    CHECK(check->ok());
    CHECK(check->head == (*log)->head());
  }
  const std::string restored = dir.sub("restored");
  auto r = backup::restore({a, b}, restored);
  REQUIRE(r.ok());
  auto copy = log::open_log_reader(restored);
  REQUIRE(copy.ok());
  require_same_log(**log, **copy);
}
