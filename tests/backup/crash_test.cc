// A power cut during a backup (ejctl killed with SIGKILL at random moments): each target then holds its
// previous complete copy or the new complete one — never a broken copy that verifies.
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include <catch2/catch.hpp>

#include "child_process.h"
#include "ejournal/backup/backup.h"
#include "support.h"

using namespace ejournal;
using namespace ejournal::backup_test;
namespace fs = std::filesystem;

TEST_CASE("a backup killed at any moment leaves the previous or the new complete copy", "[backup]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  const std::string a = dir.sub("A"), b = dir.sub("B");
  fs::create_directories(a);
  fs::create_directories(b);
  log::Position previous = log::kNoPosition;
  std::uint64_t next_index = 0;
  std::mt19937_64 rng(20261129);
  int saw_old = 0, saw_new = 0;
  for (int round = 0; round < 12; ++round) {
    log::Position head = 0;
    {
      auto log = log::open_event_log(data);
      REQUIRE(log.ok());
      append_samples(**log, next_index, 40'000);
      next_index += 40'000;
      head = (*log)->head();
    }
    const auto delay = std::chrono::milliseconds(rng() % 250);
    testkit::ChildProcess child(ejctl(), {"backup", "--data", data, "--to", a, "--to", b, "--level", "9"});
    std::this_thread::sleep_for(delay);
    child.kill_hard();
    child.wait();
    for (const std::string& target : {a, b}) {
      INFO("round " << round << ", killed after " << delay.count() << " ms, target " << target);
      if (!fs::exists(fs::path(target) / "manifest.ejm")) {
        CHECK(previous == log::kNoPosition);  // never had a copy: still none
        continue;
      }
      auto check = backup::verify_backup(target);
      REQUIRE(check.ok());
      CHECK(check->ok());
      CHECK((check->head == previous || check->head == head));
      (check->head == head ? saw_new : saw_old) += 1;
    }
    // Finish the round's backup properly: the next round starts from a known complete copy.
    std::string out;
    REQUIRE(run(ejctl() + " backup --data " + data + " --to " + a + " --to " + b, out) == 0);
    previous = head;
  }
  auto log = log::open_log_reader(data);
  REQUIRE(log.ok());
  const std::string restored = dir.sub("restored");
  REQUIRE(backup::restore({a, b}, restored).ok());
  auto copy = log::open_log_reader(restored);
  REQUIRE(copy.ok());
  require_same_log(**log, **copy);
  // Over the rounds the kills landed both before and after the manifest was replaced.
  WARN("kills leaving the old copy: " << saw_old << ", the new one: " << saw_new);
}
