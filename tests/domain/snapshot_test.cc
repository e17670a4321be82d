// The write model's snapshot (include/ejournal/domain/domain.h, "Start"; docs/domain.md): a model restored
// from a snapshot and the log past it equals the model replayed from position 1 — entities, counters, cell
// versions and the indexes derived from them — and the Domain starts from the newest snapshot that verifies.
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "domain/write_model.h"
#include "ejournal/demo/demo_school.h"
#include "ejournal/domain/domain.h"
#include "ejournal/log/snapshot_frame.h"
#include "ejournal/projections/host.h"
#include "testkit.h"

using namespace ejournal;
using namespace ejournal::domain;

namespace {

// A small demo school of two years: every kind of event the generator writes (marks, corrections, removals,
// absences, transfers, groups, parents, term closing, correction requests, personal data and its erasure).
std::string demo_school(const testkit::TempDir& dir) {
  demo::DemoOptions o;
  o.seed = 5;
  o.students = 90;
  o.years = 2;
  o.last_year_start = 2023;
  o.issue_credentials = false;
  auto report = demo::build_demo_school(dir.sub("data"), o);
  REQUIRE(report.ok());
  REQUIRE(report->refusals == 0);
  return dir.sub("data");
}

// Folds records from..to of `log` into `model`.
void fold(const log::EventLog& log, WriteModel& model, log::Position from, log::Position to) {
  auto c = log.cursor(from);
  for (; c->valid() && c->position() <= to; c->next())
    model.apply(*c->envelope(), static_cast<UserId>(c->envelope()->header()->actor()));
  REQUIRE(c->status().ok());
}

}  // namespace

TEST_CASE("a write model restored from its snapshot, plus the log past it, equals the model replayed from position 1",
          "[domain][snapshots]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  const log::Position head = (*log)->head();
  WriteModel whole;
  fold(**log, whole, 1, head);
  for (const log::Position cut : {log::Position{1}, head / 3, head / 2, head - 1, head}) {
    INFO("snapshot at " << cut << " of " << head);
    WriteModel upto;
    fold(**log, upto, 1, cut);
    WriteModel restored;
    REQUIRE(restored.restore(upto.snapshot()).ok());
    CHECK(restored == upto);
    fold(**log, restored, cut + 1, head);
    CHECK(restored == whole);
  }
  // The bytes depend only on the model: the same model, the same snapshot.
  WriteModel again;
  REQUIRE(again.restore(whole.snapshot()).ok());
  CHECK(again.snapshot() == whole.snapshot());
}

TEST_CASE("a damaged write model snapshot is refused and leaves the model as it was", "[domain][snapshots]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  WriteModel model;
  fold(**log, model, 1, (*log)->head() / 2);
  const std::string bytes = model.snapshot();
  WriteModel other;
  fold(**log, other, 1, 100);
  const WriteModel before = other;
  CHECK(other.restore(bytes.substr(0, bytes.size() / 2)).code() == Code::corruption);
  CHECK(other.restore("EJW1 but nothing else").code() == Code::corruption);
  std::string wrong_root = bytes;
  wrong_root[4] = 'X';  // the file identifier
  CHECK(other.restore(wrong_root).code() == Code::corruption);
  CHECK(other == before);
}

TEST_CASE("the domain starts from the newest write model snapshot that verifies, and writes one on close and as the log grows",
          "[domain][snapshots]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  auto vault = open_vault(data, **log);
  REQUIRE(vault.ok());
  const log::Position head = (*log)->head();
  auto& store = (*log)->snapshot_store();

  // The demo's domain wrote one as it closed: a start replays nothing.
  {
    auto dom = Domain::open(**log, **vault);
    REQUIRE(dom.ok());
    CHECK((*dom)->opened().snapshot == head);
    CHECK((*dom)->opened().replayed == 0);
    // The restored model decides as the replayed one: the admin may create an account, a stranger may not.
    CHECK((*dom)->check(1, cmd::CreateStaffAccount{"new.one", Role::Teacher, "Новый", 0}).ok());
    CHECK((*dom)->check(999999, cmd::CreateStaffAccount{"new.two", Role::Teacher, "Х", 0}).code() == Code::forbidden);
    // Commands past the snapshot; the domain closes with a snapshot at the new head.
    for (int i = 0; i < 3; ++i)
      REQUIRE((*dom)->execute(1, testkit::sample_command_id(900 + i),
                              cmd::CreateStaffAccount{"staff." + std::to_string(i), Role::Teacher, "Учитель", 0}).ok());
  }
  const log::Position grown = (*log)->head();
  REQUIRE(grown > head);
  {
    auto positions = store.positions("domain");
    REQUIRE(positions.ok());
    CHECK(positions->back() == grown);
    CHECK(positions->size() <= 2);  // the newest two are kept
  }

  // ejctl verify checks the write model's frames with the projections' snapshots: a flipped byte is named.
  {
    auto stored = store.get("domain", grown);
    REQUIRE(stored.ok());
    std::string flipped = *stored;
    flipped[flipped.size() / 2] ^= 0x10;
    REQUIRE(store.put("domain", grown, flipped).ok());
    auto checked = projections::check_snapshots(store);
    REQUIRE(checked.ok());
    CHECK(checked->bad == 1);
    REQUIRE_FALSE(checked->problems.empty());
    CHECK_THAT(checked->problems.front(), Catch::Contains("write model"));
  }
  // A damaged newest snapshot is passed over: the older one and the log past it serve, and the model is the
  // same — a login made after the older snapshot is known.
  REQUIRE(store.put("domain", grown, log::frame_snapshot(grown, "not a write model")).ok());
  {
    DomainOptions o;
    o.snapshot_at_close = false;
    auto dom = Domain::open(**log, **vault, o);
    REQUIRE(dom.ok());
    CHECK((*dom)->opened().snapshot == head);
    CHECK((*dom)->opened().replayed == grown - head);
    CHECK((*dom)->check(1, cmd::CreateStaffAccount{"staff.0", Role::Teacher, "Снова", 0}).code() == Code::conflict);
  }

  // Every `snapshot_every` committed events, the domain's thread writes one (when nothing is in flight).
  {
    DomainOptions o;
    o.snapshot_every = 2;
    o.snapshot_at_close = false;
    auto dom = Domain::open(**log, **vault, o);
    REQUIRE(dom.ok());
    for (int i = 0; i < 4; ++i)
      REQUIRE((*dom)->execute(1, testkit::sample_command_id(950 + i),
                              cmd::CreateStaffAccount{"more." + std::to_string(i), Role::Teacher, "Учитель", 0}).ok());
    const log::Position now = (*log)->head();
    bool written = false;
    for (int wait = 0; wait < 500 && !written; ++wait) {
      auto positions = store.positions("domain");
      REQUIRE(positions.ok());
      written = !positions->empty() && positions->back() > grown;
      if (!written) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(written);
    CHECK(now > grown);
  }
  // And the last one serves the next start.
  auto dom = Domain::open(**log, **vault);
  REQUIRE(dom.ok());
  CHECK((*dom)->opened().snapshot > grown);
  CHECK((*dom)->check(1, cmd::CreateStaffAccount{"more.0", Role::Teacher, "Снова", 0}).code() == Code::conflict);
}
