// restore --at T is the journal as it stood at T — the same state the running server shows for as_of(T) —
// and a monthly archive restores with nothing else.
#include <filesystem>
#include <map>
#include <random>

#include <catch2/catch.hpp>

#include "ejournal/backup/backup.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/host.h"
#include "support.h"

using namespace ejournal;
using namespace ejournal::backup_test;
namespace fs = std::filesystem;

namespace {

// Each projection's state in a data directory, after the host there has caught up.
std::map<std::string, std::string> states(const std::string& data) {
  auto log = log::open_event_log(data, log::LogOptions{.create_if_missing = false, .clock = nullptr});
  REQUIRE(log.ok());
  projections::HostOptions o;
  o.follow = false;
  auto host = projections::ProjectionHost::start(**log, projections::all_projections(), o);
  REQUIRE(host.ok());
  std::map<std::string, std::string> out;
  for (const auto& p : projections::all_projections())
    (*host)->read_raw(p->name(), [&](const projections::Projection& live) { out[std::string(p->name())] = live.snapshot(); });
  return out;
}

}  // namespace

TEST_CASE("restore --at T gives the state as_of(T) shows, for many T", "[backup]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 11);
  const std::string a = dir.sub("A");
  fs::create_directories(a);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  backup::BackupOptions bo;
  bo.segment_records = 5000;
  REQUIRE(backup::backup(**log, data, {a}, bo)->ok());
  projections::HostOptions ho;
  ho.follow = false;
  auto host = projections::ProjectionHost::start(**log, projections::all_projections(), ho);
  REQUIRE(host.ok());

  const auto first = (*log)->read(1)->envelope()->header()->recorded_at_us();
  const auto last = (*log)->read((*log)->head())->envelope()->header()->recorded_at_us();
  std::mt19937_64 rng(7);
  for (int k = 0; k < 6; ++k) {
    const log::Timestamp t = first + static_cast<log::Timestamp>(rng() % static_cast<std::uint64_t>(last - first));
    INFO("T = " << t);
    const std::string to = dir.sub("at-" + std::to_string(k));
    backup::RestoreOptions ro;
    ro.at = t;
    auto r = backup::restore({a}, to, ro);
    REQUIRE(r.ok());
    CHECK(r->head == *(*log)->position_at(t));
    CHECK(r->head_time <= t);
    const auto restored = states(to);
    for (const auto& [name, state] : restored) {
      INFO("projection " << name);
      auto past = (*host)->as_of(name, t);
      REQUIRE(past.ok());
      CHECK((*past)->snapshot() == state);
    }
  }
  // A time given on the command line in school time: the end of a day.
  std::string out;
  REQUIRE(run(ejctl() + " restore --from " + a + " --at 2023-12-31 --to " + dir.sub("new-year"), out) == 0);
  auto ny = log::open_log_reader(dir.sub("new-year"));
  REQUIRE(ny.ok());
  // 2024-01-01T00:00 Moscow is 2023-12-31T21:00Z.
  CHECK((*ny)->head() == *(*log)->position_at(1704056400000000LL - 1));
  CHECK(run(ejctl() + " restore --from " + a + " --at yesterday --to " + dir.sub("bad"), out) == 2);
}

TEST_CASE("a monthly archive restores on its own, with the projections as they stood", "[backup]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 12);
  const std::string a = dir.sub("A"), b = dir.sub("B");
  fs::create_directories(a);
  fs::create_directories(b);
  log::Position end = 0;
  {
    auto log = log::open_log_reader(data);
    REQUIRE(log.ok());
    auto r = backup::archive(**log, data, {a, b}, "2023-11");
    REQUIRE(r.ok());
    REQUIRE(r->ok());
    end = *(*log)->position_at(*backup::month_end("2023-11"));
    CHECK(r->head == end);
    // Twice: a complete archive is left as it is.
    auto again = backup::archive(**log, data, {a}, "2023-11");
    REQUIRE(again.ok());
    CHECK(again->targets[0].from > again->targets[0].to);
    CHECK_FALSE(backup::archive(**log, data, {a}, "2999-01").ok());  // not ended yet
    CHECK_FALSE(backup::archive(**log, data, {a}, "2023-13").ok());
  }
  // Only the archive folder survives: copy it elsewhere, and drop the journal and the rest of the disk.
  const std::string lone = dir.sub("lone");
  fs::copy(a + "/archives/2023-11", lone, fs::copy_options::recursive);
  const auto expected = states(data);  // the live state now, to show the archive is NOT that
  fs::remove_all(a);
  auto check = backup::verify_backup(lone);
  REQUIRE(check.ok());
  CHECK(check->ok());
  const std::string restored = dir.sub("restored");
  auto r = backup::restore({lone}, restored);
  REQUIRE(r.ok());
  CHECK(r->head == end);
  {
    auto log = log::open_event_log(restored, log::LogOptions{.create_if_missing = false, .clock = nullptr});
    REQUIRE(log.ok());
    // The archive's snapshots were put back: each projection has one at the archive's head.
    auto at = (*log)->snapshot_store().positions("journal");
    REQUIRE(at.ok());
    CHECK(std::find(at->begin(), at->end(), end) != at->end());
  }
  const auto archived = states(restored);
  CHECK(archived.at("journal") != expected.at("journal"));
  // …and equal to the state rebuilt from the original log cut at the month's end.
  const std::string cut = dir.sub("cut");
  {
    auto b_check = backup::verify_backup(b + "/archives/2023-11");
    REQUIRE(b_check.ok());
    CHECK(b_check->ok());
    backup::RestoreOptions ro;
    ro.at = *backup::month_end("2023-11");
    ro.rebuild_projections = false;
    REQUIRE(backup::restore({b + "/archives/2023-11"}, cut, ro).ok());
  }
  CHECK(states(cut) == archived);
}

TEST_CASE("restore never writes into an existing data directory", "[backup]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 13);
  const std::string a = dir.sub("A");
  fs::create_directories(a);
  {
    auto log = log::open_log_reader(data);
    REQUIRE(log.ok());
    REQUIRE(backup::backup(**log, data, {a})->ok());
  }
  auto r = backup::restore({a}, data);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::invalid_argument);
  auto log = log::open_log_reader(data);
  CHECK(log.ok());
  CHECK_FALSE(backup::restore({dir.sub("nothing-here")}, dir.sub("new")).ok());
}
